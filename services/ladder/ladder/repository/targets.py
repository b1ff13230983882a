"""SQL of targets, their entries and state, and rulebooks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg

from shared.repository import Sql

Entry = tuple[int, str, date, uuid.UUID | None, bool]  # year, key, day, decision, by override


class TargetSql(Sql):
    """The year's targets, what counts toward them, and what was published about them."""

    async def replace_entries(self, rows: dict[uuid.UUID, list[Entry]],
                              ) -> dict[uuid.UUID, set[tuple[int, str, date, bool]]]:
        """Recount firms' entries; returns each firm's old ones (year, key, day, override)."""
        old = await self.conn.fetch(
            "DELETE FROM entries WHERE firm_id = ANY($1::uuid[])"
            " RETURNING firm_id, year, key, entered_on, by_override", list(rows))
        await self.conn.executemany(
            "INSERT INTO entries (year, key, firm_id, entered_on, decision_id, by_override)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            [(y, k, firm_id, d, dec, o) for firm_id, entries in rows.items()
             for y, k, d, dec, o in entries])
        out: dict[uuid.UUID, set[tuple[int, str, date, bool]]] = {f: set() for f in rows}
        for r in old:
            out[r["firm_id"]].add((r["year"], r["key"], r["entered_on"], r["by_override"]))
        return out

    async def achieved(self, year: int, as_of: date | None = None) -> dict[str, int]:
        """Entries per key dated in `year` (up to `as_of`)."""
        return {k: n for k, (n, _) in (await self.achieved_split(year, as_of)).items()}

    async def achieved_split(self, year: int,
                             as_of: date | None = None) -> dict[str, tuple[int, int]]:
        """(entries, of which by manual override) per key dated in `year` (up to `as_of`)."""
        rows = await self.conn.fetch(
            "SELECT key, count(*) AS n, count(*) FILTER (WHERE by_override) AS o FROM entries"
            " WHERE year = $1 AND ($2::date IS NULL OR entered_on <= $2) GROUP BY key",
            year, as_of)
        return {r["key"]: (r["n"], r["o"]) for r in rows}

    async def targets(self, year: int) -> dict[str, int]:
        """The year's targets by key."""
        rows = await self.conn.fetch("SELECT key, target FROM targets WHERE year = $1", year)
        return {r["key"]: r["target"] for r in rows}

    async def put_targets(self, year: int, values: dict[str, int], actor: str) -> None:
        """Replace the year's targets."""
        await self.conn.execute("DELETE FROM targets WHERE year = $1", year)
        await self.conn.executemany(
            "INSERT INTO targets (year, key, target, updated_by) VALUES ($1, $2, $3, $4)",
            [(year, k, v, actor) for k, v in values.items()])

    async def target_state(self, year: int, key: str) -> asyncpg.Record | None:
        """The pace and milestones last published for a target (locked)."""
        return await self.conn.fetchrow(
            "SELECT pace, milestones FROM target_state WHERE year = $1 AND key = $2"
            " FOR UPDATE", year, key)

    async def save_target_state(self, year: int, key: str, pace: str,
                                milestones: list[str]) -> None:
        """What was published about a target."""
        await self.conn.execute(
            "INSERT INTO target_state (year, key, pace, milestones) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (year, key) DO UPDATE SET pace = $3, milestones = $4",
            year, key, pace, milestones)


class RulebookSql(Sql):
    """Stored rulebooks (the active one and drafts)."""

    async def rulebooks(self) -> list[asyncpg.Record]:
        """Every stored rulebook, oldest first."""
        return await self.conn.fetch(
            "SELECT id, status, uploaded_by, uploaded_at FROM rulebooks ORDER BY uploaded_at")

    async def rulebook(self, rulebook_id: str) -> asyncpg.Record | None:
        """One stored rulebook."""
        return await self.conn.fetchrow("SELECT * FROM rulebooks WHERE id = $1", rulebook_id)

    async def active_rulebook(self) -> dict[str, Any] | None:
        """The active rulebook's document (None before the first start)."""
        document: dict[str, Any] | None = await self.conn.fetchval(
            "SELECT document FROM rulebooks WHERE status = 'active'"
            " ORDER BY uploaded_at DESC LIMIT 1")
        return document

    async def save_rulebook(self, rulebook_id: str, document: dict[str, Any], status: str,
                            actor: str) -> None:
        """Store a rulebook (replacing one of the same id)."""
        await self.conn.execute(
            "INSERT INTO rulebooks (id, document, status, uploaded_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (id) DO UPDATE SET document = $2, status = $3, uploaded_by = $4,"
            " uploaded_at = now()", rulebook_id, document, status, actor)
