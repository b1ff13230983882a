"""The unit of work every service's handlers receive: one transaction, the service's repository
and the outbox bound to it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Generic, Self, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from shared.db import DbConn
from shared.outbox import Outbox

R = TypeVar("R")


class UnitOfWork(Generic[R]):
    """One transaction, with the service's repository (`repo`) and the outbox on its
    connection: committed when the `async with` block ends cleanly, rolled back when it raises.
    A service names its `repository` class and its `producer` in a subclass that adds nothing
    else; unit tests pass a fake with the same attributes instead (cosmicpython
    `unit_of_work.py`).

    Built on a pool it takes a pooled connection for each block; `joined(conn)` builds one
    inside a transaction the caller already holds (the consumer's, which records each event as
    processed in it and gives each a savepoint): commit and rollback are then the caller's, so
    the hot path pays no round trip for them."""

    repository: Callable[[DbConn], R]
    producer: str
    conn: DbConn
    repo: R
    outbox: Outbox

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool: asyncpg.Pool | None = pool
        self._held: DbConn | None = None

    @classmethod
    def joined(cls, conn: DbConn) -> Self:
        """A unit of work on the caller's connection, inside the caller's transaction."""
        uow = cls.__new__(cls)
        uow.pool, uow._held = None, conn
        return uow

    def bind(self, conn: DbConn) -> None:
        """Attach the repository and the outbox to the transaction's connection."""
        self.conn = conn
        self.repo = self.repository(conn)
        self.outbox = Outbox(conn, self.producer)

    async def __aenter__(self) -> Self:
        if self._held is not None:
            self.bind(self._held)
            return self
        assert self.pool is not None
        self._lent: PoolConnectionProxy = await self.pool.acquire()
        self._tx: Transaction = self._lent.transaction()
        try:
            await self._tx.start()
            self.bind(self._lent)
        except BaseException:
            await self.pool.release(self._lent)
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._held is not None:
            return None  # a raise propagates: the caller's savepoint rolls this block back
        assert self.pool is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self.pool.release(self._lent)
