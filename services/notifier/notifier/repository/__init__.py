"""Every SQL statement of the notifier, behind one `Repository`, and its unit of work."""

from __future__ import annotations

import shared.uow
from notifier.repository.alerts import AlertSql
from notifier.repository.base import Conn, Row
from notifier.repository.deliveries import DeliverySql
from notifier.repository.officers import OfficerSql

__all__ = ["Conn", "Repository", "Row", "UnitOfWork"]
PRODUCER = "notifier"


class Repository(OfficerSql, AlertSql, DeliverySql):
    """The notifier's tables, read and written on one connection (or the pool, for reads)."""


class UnitOfWork(shared.uow.UnitOfWork[Repository]):
    """One transaction: the repository and the outbox on its connection."""

    repository = Repository
    producer = PRODUCER
