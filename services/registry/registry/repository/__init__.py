"""Every SQL statement of the registry, and the unit of work that binds them to a transaction."""

from __future__ import annotations

from registry.repository.base import (
    FIRM_COLUMNS,
    PRODUCER,
    PROFILE_FIELDS,
    REPORT_FIELDS,
    REPORT_KEEPS,
    Row,
)
from registry.repository.events import EventBatch, EventSql, SequenceDrift
from registry.repository.facts import FactSql
from registry.repository.firms import FirmSql
from registry.repository.imports import ImportSql
from registry.repository.reports import ReportSql
from registry.repository.round import RoundSql
from shared.db import DbConn
from shared.uow import PgUnitOfWork

__all__ = ["FIRM_COLUMNS", "PRODUCER", "PROFILE_FIELDS", "REPORT_FIELDS", "REPORT_KEEPS",
           "EventBatch", "Repository", "Row", "SequenceDrift", "UnitOfWork"]


class Repository(FirmSql, ReportSql, FactSql, RoundSql, EventSql, ImportSql):
    """The registry's tables on one connection (a transaction's, or the pool for reads)."""


class UnitOfWork(PgUnitOfWork):
    """One transaction with the registry's repository bound to it. Events go through
    `repo.record` (the outbox rows in the same statement as the sequences and the audit
    entries), not `shared.outbox.Outbox`, to keep a write to a few round trips."""

    repo: Repository

    def bind(self, conn: DbConn) -> None:
        """Handlers reach the tables through this transaction's connection."""
        self.repo = Repository(conn)
