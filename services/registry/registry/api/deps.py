"""What the registry's routes depend on, built from the composition root's pool; tests
override these with `app.dependency_overrides`. `async def` so FastAPI calls them on the event
loop, not in a worker thread (see `shared.deps`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from registry.queries import Queries
from registry.repository import Repository, UnitOfWork
from shared.deps import PoolDep


async def get_uow(pool: PoolDep) -> UnitOfWork:
    """A fresh unit of work on the service's pool (handlers open it)."""
    return UnitOfWork(pool)


async def get_queries(pool: PoolDep) -> Queries:
    """The read models, over the pool."""
    return Queries(Repository(pool))


async def get_today() -> date:
    """Today, the default valid date of a change."""
    return date.today()


Uow = Annotated[UnitOfWork, Depends(get_uow)]
Reads = Annotated[Queries, Depends(get_queries)]
Today = Annotated[date, Depends(get_today)]
