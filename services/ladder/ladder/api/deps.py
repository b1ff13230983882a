"""What the ladder's routes depend on, as FastAPI dependencies tests can override; the only
ladder code that reads `request.app.state` (the pool and settings come from shared.deps)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Query, Request

from ladder.handlers import RulebookStore
from ladder.repository import UnitOfWork
from shared.deps import PoolDep
from shared.errors import Rejected
from shared.stream import StreamHub

if TYPE_CHECKING:
    from ladder.workers import WhatIfWorker


def get_clock(request: Request) -> Callable[[], date]:
    """Today's date, as the composition root tells it (tests fix it)."""
    clock: Callable[[], date] = request.app.state.clock
    return clock


def get_today(clock: Annotated[Callable[[], date], Depends(get_clock)]) -> date:
    """The ladder's today."""
    return clock()


Today = Annotated[date, Depends(get_today)]


def get_rulebooks(request: Request) -> RulebookStore:
    """The rulebook in force (loaded at start)."""
    store: RulebookStore = request.app.state.rulebooks
    return store


Rulebooks = Annotated[RulebookStore, Depends(get_rulebooks)]


def get_uow(pool: PoolDep) -> UnitOfWork:
    """A unit of work on the service's pool, for one use case."""
    return UnitOfWork(pool)


Uow = Annotated[UnitOfWork, Depends(get_uow)]


def get_stream_hub(request: Request) -> StreamHub:
    """The process's one reader of the public topics."""
    hub: StreamHub = request.app.state.stream_hub
    return hub


def get_as_of(today: Today, as_of: Annotated[date | None, Query(
        description="The day to answer for (default today); not in the future")] = None) -> date:
    """The asked day; the ladder knows decisions up to today, not beyond."""
    if as_of is not None and as_of > today:
        raise Rejected("as_of", "not_future", f"as_of {as_of} is after today ({today})")
    return as_of or today


AsOf = Annotated[date, Depends(get_as_of)]


def get_whatif_worker(request: Request) -> WhatIfWorker:
    """The process's what-if worker (a process of its own, started on the first job)."""
    worker: WhatIfWorker = request.app.state.whatif_worker
    return worker


Worker = Annotated["WhatIfWorker", Depends(get_whatif_worker)]
