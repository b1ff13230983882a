"""What every part of the repository shares: the connection it works on."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.db import DbConn

Conn = DbConn | asyncpg.Pool
Row = asyncpg.Record


class Sql:
    """A part of the repository: statements on one connection (or the pool)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn


def insert_sql(table: str, fields: dict[str, Any]) -> str:
    """An INSERT of `fields` that skips a row whose idempotency key exists; returns true if not."""
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    return (f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING true")
