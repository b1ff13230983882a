"""Every SQL statement of the registry, and the unit of work that binds them to a transaction."""

from __future__ import annotations

import shared.uow
from registry.repository.base import (
    FIRM_COLUMNS,
    PRODUCER,
    PROFILE_FIELDS,
    REPORT_FIELDS,
    REPORT_KEEPS,
    Row,
)
from registry.repository.events import EventBatch, EventSql
from registry.repository.facts import FactSql
from registry.repository.firms import FirmSql
from registry.repository.imports import ImportSql
from registry.repository.profile import ProfileSql
from registry.repository.reports import ReportSql
from registry.repository.round import RoundSql
from shared.outbox import SequenceDrift

__all__ = ["FIRM_COLUMNS", "PRODUCER", "PROFILE_FIELDS", "REPORT_FIELDS", "REPORT_KEEPS",
           "EventBatch", "Repository", "Row", "SequenceDrift", "UnitOfWork"]


class Repository(FirmSql, ProfileSql, ReportSql, FactSql, RoundSql, EventSql, ImportSql):
    """The registry's tables on one connection (a transaction's, or the pool for reads)."""


class UnitOfWork(shared.uow.UnitOfWork[Repository]):
    """One transaction with the registry's repository and the outbox bound to it. Handlers
    write events through `repo.record` (the outbox's fast path: events, sequences and audit
    entries in one statement), to keep a write to a few round trips."""

    repository = Repository
    producer = PRODUCER
