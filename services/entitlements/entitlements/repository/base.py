"""The row type of the repository; its parts build on `shared.repository.Sql`."""

from __future__ import annotations

import asyncpg

from shared.repository import Conn, Sql

Row = asyncpg.Record
__all__ = ["Conn", "Row", "Sql"]
