"""Row type and statement builders of the repository; its parts build on `shared.repository.Sql`."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.repository import Conn, Sql

Row = asyncpg.Record
__all__ = ["Conn", "Row", "Sql"]


def insert_rows_sql(table: str, columns: dict[str, str]) -> str:
    """One INSERT of many rows passed as a JSON array ($1) of objects with these columns (name
    → SQL type), skipping rows whose idempotency key exists; returns the inserted rows' ids."""
    names = ", ".join(columns)
    types = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return (f"INSERT INTO {table} ({names}) SELECT {names} FROM jsonb_to_recordset($1::jsonb)"
            f" AS r({types}) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")


def insert_sql(table: str, fields: dict[str, Any]) -> str:
    """An INSERT of `fields` that skips a row whose idempotency key exists; returns true if not."""
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    return (f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING true")
