"""The one base of every service's repository: SQL on one connection (a unit of work's) or on
the pool (read models), and the audit log written through `shared.audit`."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared import audit
from shared.db import DbConn

Conn = DbConn | asyncpg.Pool


class Sql:
    """A part of a service's repository: statements on one connection (or the pool, for reads).
    A service's `Repository` inherits its parts, each a subclass of this."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def audit(self, *, actor: str, action: str, subject: str | None, before: Any = None,
                    after: Any = None, correlation_id: str | None = None) -> None:
        """Append one audit entry in this connection's transaction."""
        assert not isinstance(self.conn, asyncpg.Pool), "audit entries belong to a transaction"
        await audit.record(self.conn, actor=actor, action=action, subject=subject,
                           before=before, after=after, correlation_id=correlation_id)
