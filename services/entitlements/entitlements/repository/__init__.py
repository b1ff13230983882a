"""Every SQL statement of the entitlements service, behind one `Repository`, and its unit of
work."""

from __future__ import annotations

from typing import Any

from entitlements.repository.base import Conn, Row
from entitlements.repository.entitlements import EntitlementSql
from entitlements.repository.policies import PolicySql
from shared import audit
from shared.uow import OutboxUnitOfWork

__all__ = ["PRODUCER", "Conn", "Repository", "Row", "UnitOfWork"]
PRODUCER = "entitlements"


class Repository(PolicySql, EntitlementSql):
    """The service's tables, read and written on one connection (or the pool, for reads)."""

    async def audit(self, *, actor: str, action: str, subject: str | None, before: Any = None,
                    after: Any = None, correlation_id: str | None = None) -> None:
        """Append one audit entry in this connection's transaction."""
        # arg-type: the unit of work's repository is on a connection; only reads use a pool
        await audit.record(self.conn, actor=actor, action=action,  # type: ignore[arg-type]
                           subject=subject, before=before, after=after,
                           correlation_id=correlation_id)


class UnitOfWork(OutboxUnitOfWork[Repository]):
    """One transaction: the repository and the outbox on its connection."""

    repository = Repository
    producer = PRODUCER
