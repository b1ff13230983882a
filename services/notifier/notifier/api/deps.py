"""What the notifier's routes receive, as FastAPI dependencies tests can override."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from notifier.config import Settings
from notifier.queries import Queries
from notifier.repository import Repository, UnitOfWork
from shared.deps import PoolDep, get_settings


def get_now(request: Request) -> datetime:
    """The app's clock reading (tests move the clock)."""
    now: datetime = request.app.state.clock()
    return now


def get_wake(request: Request) -> Callable[[], None]:
    """Tell the delivery worker to look at the queue now."""
    wake: Callable[[], None] = request.app.state.worker.wake
    return wake


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_uow(pool: PoolDep) -> UnitOfWork:
    """A fresh unit of work on the app's pool."""
    return UnitOfWork(pool)


def get_queries(pool: PoolDep, settings: SettingsDep) -> Queries:
    """The read side on the app's pool."""
    return Queries(Repository(pool), settings)


Now = Annotated[datetime, Depends(get_now)]
Wake = Annotated[Callable[[], None], Depends(get_wake)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]
Reads = Annotated[Queries, Depends(get_queries)]
OfficerId = Annotated[uuid.UUID, Path(description="The officer's id")]
Limit = Annotated[int, Query(ge=1, le=500)]
Responses = dict[int | str, dict[str, Any]]
NO_OFFICER: Responses = {404: {"description": "No live officer with this id"}}
NO_ALERT: Responses = {404: {"description": "No alert with this id"}}
NO_DELIVERY: Responses = {404: {"description": "No delivery with this id"}}
