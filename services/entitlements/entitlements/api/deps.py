"""What the routes receive, as FastAPI dependencies tests can override."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from entitlements.repository import Repository, UnitOfWork
from shared.deps import PoolDep


def get_today(request: Request) -> date:
    """Today in China Standard Time, as the composition root tells it (tests fix it)."""
    clock: Callable[[], date] = request.app.state.clock
    return clock()


def get_uow(pool: PoolDep) -> UnitOfWork:
    """A fresh unit of work on the app's pool."""
    return UnitOfWork(pool)


def get_repo(pool: PoolDep) -> Repository:
    """The read side on the app's pool."""
    return Repository(pool)


Today = Annotated[date, Depends(get_today)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]
Reads = Annotated[Repository, Depends(get_repo)]
EntitlementId = Annotated[uuid.UUID, Path(description="The entitlement's id")]
Year = Annotated[int, Path(ge=2000, le=2100)]
Limit = Annotated[int, Query(ge=1, le=500)]
Responses = dict[int | str, dict[str, Any]]
NO_ENTITLEMENT: Responses = {404: {"description": "No entitlement with this id"}}
