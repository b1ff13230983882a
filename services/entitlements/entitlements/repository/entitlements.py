"""Firm facts, entitlements and their dated steps."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from entitlements.repository.base import Row, Sql

COLUMNS = (
    "id, firm_id, policy_id, trigger_key, firm, district, policy_name, policy_set,"
    " policy_version, budget_line, provisional, trigger_kind, trigger_on, year, amount, options,"
    " complete, ceiling, state, chosen_option, paid_amount, paid_on, offered_on, cancel_reason,"
    " review, computed_at, updated_at")
_WRITABLE = ("firm", "district", "policy_name", "policy_set", "policy_version", "budget_line",
             "provisional", "trigger_kind", "trigger_on", "year", "amount", "options", "complete",
             "ceiling")


class EntitlementSql(Sql):
    """The firm_facts, entitlements and entitlement_steps tables."""

    async def facts_for_update(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """The stored facts of these firms, locked for this transaction."""
        rows = await self.conn.fetch(
            "SELECT firm_id, facts FROM firm_facts WHERE firm_id = ANY($1::uuid[])"
            " ORDER BY firm_id FOR UPDATE", firm_ids)
        return {r["firm_id"]: r["facts"] for r in rows}

    async def save_facts(self, firm_id: uuid.UUID, facts: dict[str, Any]) -> None:
        """Store one firm's facts."""
        await self.conn.execute(
            "INSERT INTO firm_facts (firm_id, facts) VALUES ($1, $2) ON CONFLICT (firm_id)"
            " DO UPDATE SET facts = EXCLUDED.facts, updated_at = now()", firm_id, facts)

    async def all_firm_ids(self) -> list[uuid.UUID]:
        """Every firm whose facts are held."""
        return [r["firm_id"] for r in await self.conn.fetch(
            "SELECT firm_id FROM firm_facts ORDER BY firm_id")]

    async def held(self, firm_id: uuid.UUID) -> list[Row]:
        """A firm's entitlements, locked for this transaction."""
        return list(await self.conn.fetch(
            f"SELECT {COLUMNS} FROM entitlements WHERE firm_id = $1 ORDER BY id FOR UPDATE",
            firm_id))

    async def entitlement(self, entitlement_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        """One entitlement (locked when it is about to change)."""
        row: Row | None = await self.conn.fetchrow(
            f"SELECT {COLUMNS} FROM entitlements WHERE id = $1"
            + (" FOR UPDATE" if lock else ""), entitlement_id)
        return row

    async def insert(self, values: dict[str, Any]) -> None:
        """A new entitlement, in state computed."""
        names = ["id", "firm_id", "policy_id", "trigger_key", *_WRITABLE]
        marks = ", ".join(f"${i}" for i in range(1, len(names) + 1))
        await self.conn.execute(
            f"INSERT INTO entitlements ({', '.join(names)}, state) VALUES ({marks}, 'computed')",
            *[values[n] for n in names])

    async def update(self, entitlement_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Replace what a computation decides (amount, options, trigger...) and/or the state."""
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=2))
        await self.conn.execute(
            f"UPDATE entitlements SET {sets}, updated_at = now() WHERE id = $1",
            entitlement_id, *values.values())

    async def add_step(self, entitlement_id: uuid.UUID, *, from_state: str | None,
                       to_state: str, on: date, by: str, amount: int,
                       option_id: str | None = None, note: str | None = None) -> None:
        """One dated step of an entitlement's life."""
        await self.conn.execute(
            "INSERT INTO entitlement_steps (entitlement_id, from_state, to_state, on_date, by,"
            " amount, option_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            entitlement_id, from_state, to_state, on, by, amount, option_id, note)

    async def steps(self, entitlement_id: uuid.UUID) -> list[Row]:
        """An entitlement's steps, oldest first."""
        return list(await self.conn.fetch(
            "SELECT from_state, to_state, on_date, at, by, amount, option_id, note"
            " FROM entitlement_steps WHERE entitlement_id = $1 ORDER BY id", entitlement_id))

    async def listed(self, *, year: int | None, state: str | None, district: str | None,
                     policy_id: str | None, firm_id: uuid.UUID | None,
                     after: tuple[date, uuid.UUID] | None, limit: int) -> list[Row]:
        """Entitlements by filter, newest trigger first, `limit` of them after a position."""
        return list(await self.conn.fetch(
            f"SELECT {COLUMNS} FROM entitlements WHERE ($1::int IS NULL OR year = $1)"
            " AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR district = $3)"
            " AND ($4::text IS NULL OR policy_id = $4) AND ($5::uuid IS NULL OR firm_id = $5)"
            " AND ($6::date IS NULL OR (trigger_on, id) < ($6, $7::uuid))"
            " ORDER BY trigger_on DESC, id DESC LIMIT $8",
            year, state, district, policy_id, firm_id, after[0] if after else None,
            after[1] if after else None, limit))

    async def of_year(self, year: int) -> list[Row]:
        """What the budget of a year sums."""
        return list(await self.conn.fetch(
            "SELECT id, policy_id, policy_name, district, trigger_on, state, amount, paid_amount,"
            " complete, ceiling, cancel_reason FROM entitlements WHERE year = $1", year))

    async def all_facts(self) -> list[Row]:
        """Every firm's facts (the what-if reads them all, writing nothing)."""
        return list(await self.conn.fetch("SELECT firm_id, facts FROM firm_facts"))

    async def overdue_offers(self, offered_before: date, limit: int) -> list[Row]:
        """Offered entitlements waiting since before a date, not yet reminded; locked."""
        return list(await self.conn.fetch(
            f"SELECT {COLUMNS} FROM entitlements WHERE state = 'offered'"
            " AND offered_on < $1 AND reminded_at IS NULL ORDER BY offered_on, id LIMIT $2"
            " FOR UPDATE SKIP LOCKED", offered_before, limit))

    async def mark_reminded(self, entitlement_id: uuid.UUID) -> None:
        """Note that the overdue reminder for an offer went out."""
        await self.conn.execute("UPDATE entitlements SET reminded_at = now() WHERE id = $1",
                                entitlement_id)

    async def stale_offers(self, offered_before: date, limit: int) -> list[Row]:
        """Offered entitlements the firm let pass the deadline; locked."""
        return list(await self.conn.fetch(
            f"SELECT {COLUMNS} FROM entitlements WHERE state = 'offered' AND offered_on < $1"
            " ORDER BY offered_on, id LIMIT $2 FOR UPDATE SKIP LOCKED", offered_before, limit))

    async def facts_with_applications(self) -> list[Row]:
        """The facts of firms that applied in a round (the budget's pipeline)."""
        return list(await self.conn.fetch(
            "SELECT firm_id, facts FROM firm_facts WHERE facts->'applications' <> '{}'::jsonb"))
