"""Every SQL statement of the ladder, and the unit of work handlers receive."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from ladder.repository.base import Conn
from ladder.repository.facts import FactsSql, FactWrites
from ladder.repository.round import RoundSql, RoundWrites
from ladder.repository.standings import StandingSql
from ladder.repository.targets import CandidateSql, Entry, RulebookSql, TargetSql
from shared.db import DbConn
from shared.uow import OutboxUnitOfWork

PRODUCER = "ladder"
__all__ = ["PRODUCER", "Conn", "Entry", "FactWrites", "JoinedUnitOfWork", "Repository",
           "RoundWrites", "UnitOfWork"]


class Repository(FactsSql, StandingSql, TargetSql, CandidateSql, RulebookSql, RoundSql):
    """The ladder's SQL on one connection (or on the pool, for read models)."""


class UnitOfWork(OutboxUnitOfWork[Repository]):
    """One transaction: the repository and the outbox on its connection."""

    repository = Repository
    producer = PRODUCER


class JoinedUnitOfWork(UnitOfWork):
    """A unit of work inside a transaction the caller holds: the consumer's, which records each
    event as processed in it and gives each event a savepoint. Commit and rollback are the
    caller's, so this adds no round trip to the hot path."""

    def __init__(self, conn: DbConn):
        self.joined = conn

    async def __aenter__(self) -> Self:
        self.bind(self.joined)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None  # a raise propagates: the caller's savepoint rolls this event back
