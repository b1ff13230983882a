"""What every part of the repository is bound to."""

from __future__ import annotations

import asyncpg

from shared.db import DbConn

Conn = DbConn | asyncpg.Pool


class Bound:
    """SQL run on one connection (a unit of work's) or on the pool (read models)."""

    def __init__(self, conn: Conn):
        self.conn = conn
