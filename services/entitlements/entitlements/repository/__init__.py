"""Every SQL statement of the entitlements service, behind one `Repository`, and its unit of
work."""

from __future__ import annotations

import shared.uow
from entitlements.repository.base import Conn, Row
from entitlements.repository.entitlements import EntitlementSql
from entitlements.repository.policies import PolicySql

__all__ = ["PRODUCER", "Conn", "Repository", "Row", "UnitOfWork"]
PRODUCER = "entitlements"


class Repository(PolicySql, EntitlementSql):
    """The service's tables, read and written on one connection (or the pool, for reads)."""


class UnitOfWork(shared.uow.UnitOfWork[Repository]):
    """One transaction: the repository and the outbox on its connection."""

    repository = Repository
    producer = PRODUCER
