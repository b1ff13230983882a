"""The unit of work handlers receive: one transaction, and the repository bound to it."""

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


class PgUnitOfWork:
    """One pooled connection in one transaction: committed when the block ends cleanly, rolled
    back when it raises. Each service's subclass binds its repository (and outbox) in `bind`;
    unit tests pass a fake with the same attributes instead (cosmicpython `unit_of_work.py`)."""

    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    def bind(self, conn: DbConn) -> None:
        """Build what handlers use on this transaction's connection."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self.conn: PoolConnectionProxy = await self.pool.acquire()
        self._tx: Transaction = self.conn.transaction()
        try:
            await self._tx.start()
            self.bind(self.conn)
        except BaseException:
            await self.pool.release(self.conn)
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self.pool.release(self.conn)


class OutboxUnitOfWork(PgUnitOfWork, Generic[R]):
    """A unit of work with the service's repository and the outbox on its transaction's
    connection; a subclass names its `repository` class and its `producer`."""

    repository: Callable[[DbConn], R]
    producer: str
    repo: R
    outbox: Outbox

    def bind(self, conn: DbConn) -> None:
        """Attach the repository and the outbox to the transaction's connection."""
        self.repo = self.repository(conn)
        self.outbox = Outbox(conn, self.producer)
