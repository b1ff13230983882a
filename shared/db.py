"""PostgreSQL helpers: databases, pools and file-based migrations."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.settings import database_url_for

# a connection as handlers see it: a plain one or one lent by a pool
DbConn = asyncpg.Connection | PoolConnectionProxy

log = logging.getLogger(__name__)

# the database is away (stopped, restarting, out of connections): nobody's input is at fault,
# and the same request later will do
# (asyncpg's InternalClientError "cannot switch to state N; another operation (2) is in
# progress" is what a connection the server ended mid-transaction raises: MagicStack/asyncpg#784)
UNAVAILABLE = (OSError, ConnectionError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
               asyncpg.InternalClientError, asyncpg.TooManyConnectionsError,
               asyncpg.OperatorInterventionError)

COMMON_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_301_001  # advisory lock id: one migrator at a time per database


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb in and out as Python objects, so no caller handles JSON text by hand
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: json.dumps(v, ensure_ascii=False, default=str),
        decoder=json.loads, schema="pg_catalog",
    )


class PooledConnection(asyncpg.Connection):
    """A pooled connection keeps no session state between uses: nothing here runs SET, LISTEN
    or a session advisory lock on one (the relay and the migrator hold theirs on connections
    of their own). So a release sends no reset query, a round trip on every request; asyncpg
    still rolls back a transaction left open."""

    def get_reset_query(self) -> str:
        return ""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A connection pool with the project's type codecs."""
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection,
        command_timeout=60, connection_class=PooledConnection,
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection with the project's type codecs."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def ensure_database(server_url: str, dbname: str) -> None:
    """Create the database on the server if it does not exist yet."""
    conn = await asyncpg.connect(database_url_for(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{dbname}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another process created it first
    finally:
        await conn.close()


def migration_files(*folders: Path) -> list[tuple[str, str]]:
    """(name, sql) of every `NNN_*.sql` file, common ones first, each folder in order."""
    files: list[tuple[str, str]] = []
    for folder in (COMMON_MIGRATIONS, *folders):
        prefix = "common" if folder == COMMON_MIGRATIONS else "service"
        for path in sorted(folder.glob("*.sql")):
            files.append((f"{prefix}/{path.name}", path.read_text(encoding="utf-8")))
    return files


async def migrate(dsn: str, files: list[tuple[str, str]]) -> list[str]:
    """Apply the files not yet applied, each in its own transaction; returns their names."""
    conn = await asyncpg.connect(dsn)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in files:
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
            log.info("migration applied: %s", name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
        await conn.close()
    return applied


async def prepare_database(server_url: str, dbname: str, folder: Path) -> list[str]:
    """Create the service database if needed and bring its schema up to date."""
    await ensure_database(server_url, dbname)
    return await migrate(database_url_for(server_url, dbname), migration_files(folder))


def record(row: asyncpg.Record | None) -> dict[str, Any] | None:
    """A row as a plain dict (None stays None)."""
    return dict(row) if row is not None else None
