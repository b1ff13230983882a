"""Policy sets: drafts, the active one, and the shipped set installed on first start."""

from __future__ import annotations

from typing import Any

from entitlements.repository.base import Row, Sql


class PolicySql(Sql):
    """The policy_sets table."""

    async def active_body(self) -> dict[str, Any] | None:
        """The active set's data, or None before any is active."""
        body: dict[str, Any] | None = await self.conn.fetchval(
            "SELECT body FROM policy_sets WHERE status = 'active'")
        return body

    async def policy_sets(self) -> list[Row]:
        """Every set held, newest first."""
        return list(await self.conn.fetch(
            "SELECT id, version, status, body->>'name' AS name, body->>'source' AS source,"
            " (body->>'provisional')::boolean AS provisional, uploaded_by, uploaded_at,"
            " activated_at FROM policy_sets ORDER BY uploaded_at DESC, id, version DESC"))

    async def policy_set(self, set_id: str, version: int) -> Row | None:
        """One set, with its data."""
        row: Row | None = await self.conn.fetchrow(
            "SELECT id, version, status, body, uploaded_by, uploaded_at, activated_at"
            " FROM policy_sets WHERE id = $1 AND version = $2", set_id, version)
        return row

    async def add_set(self, set_id: str, version: int, body: dict[str, Any], by: str, *,
                      status: str = "draft") -> bool:
        """Store a set; False when (id, version) is already held."""
        added: bool | None = await self.conn.fetchval(
            "INSERT INTO policy_sets (id, version, status, body, uploaded_by)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
            set_id, version, status, body, by)
        return bool(added)

    async def activate(self, set_id: str, version: int) -> None:
        """Make one set the active one; the one active before is retired."""
        await self.conn.execute(
            "UPDATE policy_sets SET status = 'retired' WHERE status = 'active'")
        await self.conn.execute(
            "UPDATE policy_sets SET status = 'active', activated_at = now()"
            " WHERE id = $1 AND version = $2", set_id, version)

    async def install_first(self, set_id: str, version: int, body: dict[str, Any]) -> bool:
        """Install the shipped set as the active one when none is active (first start)."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(7301005)")
        if await self.active_body() is not None:
            return False
        await self.add_set(set_id, version, body, "system", status="draft")
        await self.activate(set_id, version)
        return True
