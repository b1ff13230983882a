"""SQL of officers, firm assignments and the admin's settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notifier.repository.base import Row, Sql

_LIVE = "deleted_at IS NULL"


class OfficerSql(Sql):
    """Officers, firm assignments and the admin's settings."""

    async def insert_officer(self, officer_id: uuid.UUID, fields: dict[str, Any]) -> None:
        """A new officer with these columns."""
        marks = ", ".join(f"${i}" for i in range(2, len(fields) + 2))
        await self.conn.execute(
            f"INSERT INTO officers (id, {', '.join(fields)}) VALUES ($1, {marks})",
            officer_id, *fields.values())

    async def update_officer(self, officer_id: uuid.UUID, fields: dict[str, Any]) -> None:
        """Change these columns of an officer."""
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
        await self.conn.execute(f"UPDATE officers SET {sets}, updated_at = now() WHERE id = $1",
                                officer_id, *fields.values())

    async def officer(self, officer_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        """A live officer (locked for update on request)."""
        suffix = " FOR UPDATE" if lock else ""
        return await self.conn.fetchrow(
            f"SELECT * FROM officers WHERE id = $1 AND {_LIVE}{suffix}", officer_id)

    async def officers(self, *, after: tuple[datetime, uuid.UUID] | None = None,
                       limit: int | None = None) -> list[Row]:
        """Live officers, oldest first, after a page's last (created_at, id); routing reads
        them all: a bureau has dozens, not millions."""
        at, last = after or (None, None)
        return await self.conn.fetch(
            f"SELECT * FROM officers WHERE {_LIVE}"
            " AND ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2::uuid))"
            " ORDER BY created_at, id LIMIT $3", at, last, limit)

    async def delete_officer(self, officer_id: uuid.UUID) -> None:
        """Soft delete: alerts keep pointing at the officer; routing stops using them."""
        await self.conn.execute("UPDATE officers SET deleted_at = now() WHERE id = $1",
                                officer_id)
        await self.conn.execute("DELETE FROM firm_officers WHERE officer_id = $1", officer_id)

    async def due_digest_officers(self, now: datetime, limit: int) -> list[Row]:
        """Officers whose digest time has come, locked (others skip them)."""
        return await self.conn.fetch(
            f"SELECT * FROM officers WHERE {_LIVE} AND next_digest_at <= $1"
            " ORDER BY next_digest_at LIMIT $2 FOR UPDATE SKIP LOCKED", now, limit)

    async def set_next_digest(self, officer_id: uuid.UUID, at: datetime) -> None:
        """When the officer's next digest is due."""
        await self.conn.execute("UPDATE officers SET next_digest_at = $2 WHERE id = $1",
                                officer_id, at)

    async def assign_firm(self, firm_id: uuid.UUID, officer_id: uuid.UUID | None) -> None:
        """Make an officer explicitly responsible for a firm (None: nobody)."""
        if officer_id is None:
            await self.conn.execute("DELETE FROM firm_officers WHERE firm_id = $1", firm_id)
            return
        await self.conn.execute(
            "INSERT INTO firm_officers (firm_id, officer_id) VALUES ($1, $2) ON CONFLICT"
            " (firm_id) DO UPDATE SET officer_id = EXCLUDED.officer_id, assigned_at = now()",
            firm_id, officer_id)

    async def firm_officer(self, firm_id: uuid.UUID) -> Row | None:
        """A firm's explicit assignment, if any."""
        return await self.conn.fetchrow("SELECT * FROM firm_officers WHERE firm_id = $1",
                                        firm_id)

    async def firm_officers(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The explicit officer of each of these firms that has one."""
        rows = await self.conn.fetch(
            "SELECT firm_id, officer_id FROM firm_officers WHERE firm_id = ANY($1::uuid[])",
            firm_ids)
        return {r["firm_id"]: r["officer_id"] for r in rows}

    async def setting(self, key: str) -> Any:
        """An admin-set value, or None."""
        return await self.conn.fetchval("SELECT value FROM notifier_settings WHERE key = $1",
                                        key)

    async def put_setting(self, key: str, value: Any) -> None:
        """Store a setting; None removes it (the environment's value applies again)."""
        if value is None:
            await self.conn.execute("DELETE FROM notifier_settings WHERE key = $1", key)
            return
        await self.conn.execute(
            "INSERT INTO notifier_settings (key, value) VALUES ($1, $2) ON CONFLICT (key)"
            " DO UPDATE SET value = EXCLUDED.value, updated_at = now()", key, value)
