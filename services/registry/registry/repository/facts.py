"""Funding rounds and certificates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.repository.base import Row, Sql, one, rows
from shared.db import record

# What makes two rows the same fact: an identical round, a standing identical certificate.
ROUND_SAME = ("closed_on", "amount", "currency", "post_money_valuation", "investor_kind")
CERTIFICATE_SAME = ("kind", "issued_on", "number")


class FactSql(Sql):
    """Reading and recording funding rounds and certificates."""

    async def same_funding_round(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        """A round of the firm identical to `fields`, if recorded before."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM funding_rounds WHERE firm_id = $1 AND closed_on = $2 AND amount = $3"
            " AND currency = $4 AND post_money_valuation = $5 AND investor_kind = $6",
            firm_id, fields["closed_on"], fields["amount"], fields["currency"],
            fields["post_money_valuation"], fields["investor_kind"]))

    async def insert_funding_round(self, round_id: uuid.UUID, firm_id: uuid.UUID,
                                   fields: dict[str, Any]) -> Row:
        """Record a round."""
        return one(await self.conn.fetchrow(
            "INSERT INTO funding_rounds (id, firm_id, closed_on, amount, currency,"
            " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            round_id, firm_id, fields["closed_on"], fields["amount"], fields["currency"],
            fields["post_money_valuation"], fields["investor_kind"]))

    async def same_certificate(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        """A standing certificate of the firm identical to `fields`, if granted before."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM certificates WHERE firm_id = $1 AND kind = $2 AND issued_on = $3"
            " AND number IS NOT DISTINCT FROM $4 AND revoked_on IS NULL",
            firm_id, fields["kind"], fields["issued_on"], fields["number"]))

    async def insert_certificate(self, cert_id: uuid.UUID, firm_id: uuid.UUID,
                                 fields: dict[str, Any]) -> Row:
        """Record a certificate or award."""
        return one(await self.conn.fetchrow(
            "INSERT INTO certificates (id, firm_id, kind, issued_on, expires_on, number)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            cert_id, firm_id, fields["kind"], fields["issued_on"], fields["expires_on"],
            fields["number"]))

    async def funding_rounds_of(self, firm_ids: list[uuid.UUID]) -> list[Row]:
        """Every recorded round of these firms (one read for an import batch)."""
        return rows(await self.conn.fetch(
            "SELECT * FROM funding_rounds WHERE firm_id = ANY($1::uuid[])", firm_ids))

    async def standing_certificates_of(self, firm_ids: list[uuid.UUID]) -> list[Row]:
        """Every certificate of these firms not revoked (one read for an import batch)."""
        return rows(await self.conn.fetch(
            "SELECT * FROM certificates WHERE firm_id = ANY($1::uuid[]) AND revoked_on IS NULL",
            firm_ids))

    async def insert_funding_rounds(self, new: list[tuple[uuid.UUID, uuid.UUID, dict[str, Any]]]
                                    ) -> None:
        """Record rounds, each (id, firm, fields), in one statement."""
        await self.conn.execute(
            "INSERT INTO funding_rounds (id, firm_id, closed_on, amount, currency,"
            " post_money_valuation, investor_kind) SELECT * FROM unnest($1::uuid[], $2::uuid[],"
            " $3::date[], $4::bigint[], $5::text[], $6::bigint[], $7::text[])",
            [i for i, _, _ in new], [f for _, f, _ in new],
            *([fields[c] for _, _, fields in new] for c in ROUND_SAME))

    async def insert_certificates(self, new: list[tuple[uuid.UUID, uuid.UUID, dict[str, Any]]]
                                  ) -> None:
        """Record certificates, each (id, firm, fields), in one statement."""
        await self.conn.execute(
            "INSERT INTO certificates (id, firm_id, kind, issued_on, expires_on, number)"
            " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::date[],"
            " $6::text[])",
            [i for i, _, _ in new], [f for _, f, _ in new],
            *([fields[c] for _, _, fields in new]
              for c in ("kind", "issued_on", "expires_on", "number")))

    async def certificate(self, firm_id: uuid.UUID, cert_id: uuid.UUID) -> Row | None:
        """One certificate of the firm."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM certificates WHERE firm_id = $1 AND id = $2", firm_id, cert_id))

    async def revoke_certificate(self, cert_id: uuid.UUID, revoked_on: date,
                                 reason: str | None) -> Row:
        """Mark a certificate revoked."""
        return one(await self.conn.fetchrow(
            "UPDATE certificates SET revoked_on = $2, revoke_reason = $3 WHERE id = $1 RETURNING *",
            cert_id, revoked_on, reason))
