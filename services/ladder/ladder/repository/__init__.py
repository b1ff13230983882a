"""Every SQL statement of the ladder, and the unit of work handlers receive."""

from __future__ import annotations

import shared.uow
from ladder.repository.facts import FactsSql, FactWrites
from ladder.repository.round import RoundSql, RoundWrites
from ladder.repository.standings import StandingSql
from ladder.repository.targets import Entry, RulebookSql, TargetSql

PRODUCER = "ladder"
__all__ = ["PRODUCER", "Entry", "FactWrites", "Repository", "RoundWrites", "UnitOfWork"]


class Repository(FactsSql, StandingSql, TargetSql, RulebookSql, RoundSql):
    """The ladder's SQL on one connection (or on the pool, for read models)."""


class UnitOfWork(shared.uow.UnitOfWork[Repository]):
    """One transaction: the repository and the outbox on its connection (`UnitOfWork(pool)`),
    or inside the consumer's transaction (`UnitOfWork.joined(conn)`)."""

    repository = Repository
    producer = PRODUCER
