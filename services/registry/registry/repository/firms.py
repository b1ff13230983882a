"""The firms table."""

from __future__ import annotations

import uuid
from typing import Any

from registry.repository.base import FIRM, PROFILE_FIELDS, Row, Sql, one, rows
from shared.db import record

# column types of a profile, for unnest() of many firms in one statement
_TYPES = {"founded_on": "date", "listed": "boolean", "abnormal_list": "boolean",
          "dishonest_list": "boolean"}


class FirmSql(Sql):
    """Reading, locking, inserting and changing firms."""

    async def firm(self, firm_id: uuid.UUID) -> Row | None:
        """One firm."""
        return record(await self.conn.fetchrow(f"SELECT {FIRM} FROM firms WHERE id = $1", firm_id))

    async def firm_detail(self, firm_id: uuid.UUID) -> Row | None:
        """One firm with its reports, rounds and certificates, in one statement (a GET's one
        round trip, where four queries on four pool acquires were eight)."""
        return record(await self.conn.fetchrow(
            f"SELECT {FIRM},"
            " (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.fiscal_year), '[]')"
            "  FROM annual_reports r WHERE r.firm_id = f.id) AS reports,"
            " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.closed_on, x.recorded_at), '[]')"
            "  FROM funding_rounds x WHERE x.firm_id = f.id) AS funding_rounds,"
            " (SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.issued_on, c.granted_at), '[]')"
            "  FROM certificates c WHERE c.firm_id = f.id) AS certificates,"
            " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.listed_on, x.recorded_at), '[]')"
            "  FROM filings x WHERE x.firm_id = f.id) AS filings,"
            " (SELECT coalesce(jsonb_agg(to_jsonb(a) || jsonb_build_object('steps', (SELECT"
            "  coalesce(jsonb_agg(jsonb_build_object('step', s.step, 'on', s.on_date, 'passed',"
            "  s.passed, 'reason', s.reason, 'filing_id', s.filing_id, 'by', s.recorded_by,"
            "  'note', s.note, 'recorded_at', s.recorded_at) ORDER BY s.n), '[]')"
            "  FROM application_steps s WHERE s.application_id = a.id))"
            "  ORDER BY a.applied_on, a.recorded_at), '[]')"
            "  FROM applications a WHERE a.firm_id = f.id) AS applications"
            " FROM firms f WHERE f.id = $1", firm_id))

    async def firm_by_uscc(self, uscc: str) -> Row | None:
        """The firm holding this USCC."""
        return record(await self.conn.fetchrow(f"SELECT {FIRM} FROM firms WHERE uscc = $1", uscc))

    async def firms_by_uscc(self, usccs: list[str]) -> dict[str, Row]:
        """The firms holding these USCCs, by USCC."""
        found = await self.conn.fetch(f"SELECT {FIRM} FROM firms WHERE uscc = ANY($1::text[])",
                                    usccs)
        return {r["uscc"]: dict(r) for r in found}

    async def lock_firms(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
        """These firms (those that exist), locked for this transaction; in id order, so two
        writers of overlapping firms cannot deadlock."""
        found = await self.conn.fetch(
            f"SELECT {FIRM} FROM firms WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
            firm_ids)
        return {r["id"]: dict(r) for r in found}

    async def insert_firms(self, firms: list[tuple[uuid.UUID, dict[str, Any]]]) -> list[Row]:
        """New firms (their sequence is set by their first event); a USCC registered
        meanwhile is skipped, and missing from the answer."""
        arrays = [[f[name] for _, f in firms] for name in PROFILE_FIELDS]
        casts = ", ".join(f"${i}::{_TYPES.get(n, 'text')}[]"
                          for i, n in enumerate(PROFILE_FIELDS, start=2))
        return rows(await self.conn.fetch(
            f"WITH ins AS (INSERT INTO firms (id, {', '.join(PROFILE_FIELDS)})"
            f" SELECT * FROM unnest($1::uuid[], {casts})"
            f" ON CONFLICT (uscc) DO NOTHING RETURNING {FIRM}),"
            # the registration's values: facts valid from the founding date (its event is 1)
            " facts AS (INSERT INTO profile_facts (id, firm_id, field, value, valid_from, source,"
            "  sequence) SELECT gen_random_uuid(), ins.id, e.key, e.value, ins.founded_on,"
            "  'registered', 1 FROM ins CROSS JOIN LATERAL jsonb_each(to_jsonb(ins) - 'id'"
            "  - 'uscc' - 'sequence' - 'created_at' - 'updated_at') e)"
            " SELECT * FROM ins",
            [firm_id for firm_id, _ in firms], *arrays))

    async def update_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        """Set the profile valid today (the profile facts decide it)."""
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
        return one(await self.conn.fetchrow(
            f"UPDATE firms SET {sets}, updated_at = now() WHERE id = $1 RETURNING {FIRM}",
            firm_id, *fields.values()))

    async def list_firms(self, *, district: str | None, industry: str | None, q: str | None,
                         after_row: int, limit: int) -> list[Row]:
        """Firms in registration order after `after_row`, filtered (with their `row_no`)."""
        return rows(await self.conn.fetch(
            f"SELECT row_no, {FIRM} FROM firms"
            " WHERE row_no > $1 AND ($2::text IS NULL OR district = $2)"
            " AND ($3::text IS NULL OR industry = $3)"
            " AND ($4::text IS NULL OR name ILIKE '%' || $4 || '%' OR uscc = upper($4))"
            " ORDER BY row_no LIMIT $5",
            after_row, district, industry, q, limit))
