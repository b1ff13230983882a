"""Admin-set values kept in the database, merged with those from the environment."""

from __future__ import annotations

import uuid

import asyncpg

from notifier import repository as repo
from notifier.config import Settings
from shared.db import DbConn

ALLOWLIST_KEY = "webhook_allowlist"
FALLBACK_KEY = "fallback_officer"


async def db_allowlist(conn: DbConn | asyncpg.Pool) -> list[str]:
    """Hosts an admin added through the API."""
    return list(await repo.setting(conn, ALLOWLIST_KEY) or [])


async def allowlist(conn: DbConn | asyncpg.Pool, settings: Settings) -> list[str]:
    """Every allowed webhook host: NOTIFIER_WEBHOOK_ALLOWLIST plus the admin's list."""
    return sorted({*settings.webhook_hosts, *await db_allowlist(conn)})


async def fallback_officer_id(
    conn: DbConn | asyncpg.Pool, settings: Settings
) -> uuid.UUID | None:
    """The officer who takes unrouted alerts: the admin's choice, else the environment's."""
    stored = await repo.setting(conn, FALLBACK_KEY)
    if stored:
        return uuid.UUID(stored)
    return settings.notifier_fallback_officer
