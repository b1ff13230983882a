"""What routes get from the composition root, as FastAPI dependencies tests can override.

Each is `async def` though none awaits: FastAPI runs a plain `def` dependency in a worker
thread, and those hand-offs were a third of a report PUT's samples in the registry's profile.
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request


async def get_pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool, built by its app."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


async def get_settings(request: Request) -> Any:
    """The service's settings, built once by its app."""
    return request.app.state.settings


async def get_correlation_id(request: Request) -> str | None:
    """The request's correlation id (set by the `Correlate` middleware)."""
    cid: str | None = getattr(request.state, "correlation_id", None)
    return cid


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
