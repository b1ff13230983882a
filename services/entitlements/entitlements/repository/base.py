"""What every part of the repository shares: the connection it works on."""

from __future__ import annotations

import asyncpg

from shared.db import DbConn

Conn = DbConn | asyncpg.Pool
Row = asyncpg.Record


class Sql:
    """A part of the repository: statements on one connection (or the pool, for reads)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
