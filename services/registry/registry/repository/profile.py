"""Profile facts: each profile field's and flag's values with their valid dates."""

from __future__ import annotations

import json
import uuid
from typing import Any

from registry.repository.base import Row, Sql, one, rows

FACT_COLUMNS = ("id, n, firm_id, field, value, valid_from, source, sequence, recorded_at,"
                " recorded_by, corrects, corrected_by, corrected_at")


def _row(r: Any) -> Row:
    return dict(r)  # the pool's jsonb codec decodes `value`


class ProfileSql(Sql):
    """Reading, recording and correcting profile facts."""

    async def profile_facts(self, firm_id: uuid.UUID) -> list[Row]:
        """Every fact of the firm, corrected ones included, in recording order."""
        return [_row(r) for r in rows(await self.conn.fetch(
            f"SELECT {FACT_COLUMNS} FROM profile_facts WHERE firm_id = $1 ORDER BY n", firm_id))]

    async def insert_profile_facts(self, facts: list[Row]) -> list[Row]:
        """Record new facts (id, firm_id, field, value, valid_from, source, sequence,
        recorded_by, corrects), in the list's order."""
        return [_row(r) for r in rows(await self.conn.fetch(
            "INSERT INTO profile_facts (id, firm_id, field, value, valid_from, source, sequence,"
            " recorded_by, corrects)"
            " SELECT id, firm_id, field, value::jsonb, valid_from, source, sequence, recorded_by, corrects"
            " FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[],"
            " $6::text[], $7::bigint[], $8::text[], $9::uuid[]) WITH ORDINALITY"
            " AS t(id, firm_id, field, value, valid_from, source, sequence, recorded_by, corrects,"
            " o) ORDER BY o"
            f" RETURNING {FACT_COLUMNS}",
            *([f[k] if k != "value" else json.dumps(f[k], ensure_ascii=False) for f in facts]
              for k in ("id", "firm_id", "field", "value", "valid_from", "source", "sequence",
                        "recorded_by", "corrects"))))]

    async def mark_corrected(self, fact_id: uuid.UUID, by: uuid.UUID) -> Row:
        """Mark a fact corrected by another."""
        return _row(one(await self.conn.fetchrow(
            "UPDATE profile_facts SET corrected_by = $2, corrected_at = now() WHERE id = $1"
            f" RETURNING {FACT_COLUMNS}", fact_id, by)))
