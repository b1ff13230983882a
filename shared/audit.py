"""The audit log: who changed what, when, before and after."""

from __future__ import annotations

from typing import Any

from shared.db import DbConn


async def record(
    conn: DbConn, *, actor: str, action: str, subject: str | None,
    before: Any = None, after: Any = None, correlation_id: str | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction."""
    await conn.execute(
        "INSERT INTO audit_log (actor, action, subject, before, after, correlation_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        actor, action, subject, before, after, correlation_id,
    )
