"""Filings and applications with their steps."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.repository.base import Row, Sql, one, rows
from shared.db import record

FILING_FIELDS = ("tier", "unicorn_grade", "listed_on", "expires_on", "list_name",
                 "application_id", "source")


class RoundSql(Sql):
    """Reading and recording filings, applications and their steps."""

    async def filing(self, firm_id: uuid.UUID, filing_id: uuid.UUID) -> Row | None:
        """One filing of the firm."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM filings WHERE firm_id = $1 AND id = $2", firm_id, filing_id))

    async def standing_filings(self, pairs: list[tuple[uuid.UUID, str, str]]
                               ) -> dict[tuple[uuid.UUID, str, str], Row]:
        """Unrevoked filings by (firm, tier, list name)."""
        if not pairs:
            return {}
        found = await self.conn.fetch(
            "SELECT f.* FROM filings f JOIN unnest($1::uuid[], $2::text[], $3::text[])"
            " AS k(firm_id, tier, list_name) USING (firm_id, tier, list_name)"
            " WHERE f.revoked_on IS NULL",
            [p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs])
        return {(r["firm_id"], r["tier"], r["list_name"]): dict(r) for r in found}

    async def insert_filing(self, filing_id: uuid.UUID, firm_id: uuid.UUID,
                            fields: dict[str, Any]) -> Row:
        """Record a filing."""
        return one(await self.conn.fetchrow(
            "INSERT INTO filings (id, firm_id, tier, unicorn_grade, listed_on, expires_on,"
            " list_name, application_id, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " RETURNING *", filing_id, firm_id, *(fields[k] for k in FILING_FIELDS)))

    async def update_filing(self, filing_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        """Correct a filing."""
        return one(await self.conn.fetchrow(
            "UPDATE filings SET tier = $2, unicorn_grade = $3, listed_on = $4, expires_on = $5,"
            " list_name = $6, application_id = $7, source = $8, updated_at = now()"
            " WHERE id = $1 RETURNING *", filing_id, *(fields[k] for k in FILING_FIELDS)))

    async def revoke_filing(self, filing_id: uuid.UUID, revoked_on: date,
                            reason: str | None) -> Row:
        """Mark a filing revoked."""
        return one(await self.conn.fetchrow(
            "UPDATE filings SET revoked_on = $2, revoke_reason = $3, updated_at = now()"
            " WHERE id = $1 RETURNING *", filing_id, revoked_on, reason))

    async def applications_of(self, firm_id: uuid.UUID, round_year: int | None = None,
                              tier: str | None = None) -> list[Row]:
        """The firm's applications (of a round and tier), oldest first."""
        return rows(await self.conn.fetch(
            "SELECT * FROM applications WHERE firm_id = $1"
            " AND ($2::int IS NULL OR round_year = $2) AND ($3::text IS NULL OR tier = $3)"
            " ORDER BY applied_on, recorded_at", firm_id, round_year, tier))

    async def application(self, firm_id: uuid.UUID, application_id: uuid.UUID) -> Row | None:
        """One application of the firm."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM applications WHERE firm_id = $1 AND id = $2", firm_id, application_id))

    async def insert_application(self, application_id: uuid.UUID, firm_id: uuid.UUID,
                                 fields: dict[str, Any], actor: str) -> Row:
        """Record an application."""
        return one(await self.conn.fetchrow(
            "INSERT INTO applications (id, firm_id, round_year, tier, applied_on, last_on,"
            " recorded_by, note) VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING *",
            application_id, firm_id, fields["round_year"], fields["tier"], fields["applied_on"],
            actor, fields.get("note")))

    async def add_step(self, application_id: uuid.UUID, state: str, step: dict[str, Any],
                       actor: str) -> Row:
        """Append a step and move the application to `state`; the application after it."""
        await self.conn.execute(
            "INSERT INTO application_steps (application_id, n, step, on_date, passed, reason,"
            " filing_id, recorded_by, note) SELECT $1, coalesce(max(n), 0) + 1, $2, $3, $4, $5,"
            " $6, $7, $8 FROM application_steps WHERE application_id = $1",
            application_id, step["step"], step["on"], step.get("passed"), step.get("reason"),
            step.get("filing_id"), actor, step.get("note"))
        return one(await self.conn.fetchrow(
            "UPDATE applications SET state = $2, last_on = $3,"
            " filing_id = coalesce($4, filing_id) WHERE id = $1 RETURNING *",
            application_id, state, step["on"], step.get("filing_id")))

    async def steps_of(self, application_id: uuid.UUID) -> list[Row]:
        """An application's steps in order."""
        return rows(await self.conn.fetch(
            "SELECT step, on_date AS on, passed, reason, filing_id, recorded_by AS by, note,"
            " recorded_at FROM application_steps WHERE application_id = $1 ORDER BY n",
            application_id))
