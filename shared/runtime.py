"""What every service process holds while it runs: its pool, its relay, its readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from shared.db import create_pool
from shared.kafka import ensure_topics
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings
from shared.topics import ALL_TOPICS

log = logging.getLogger(__name__)


@asynccontextmanager
async def service_runtime(app: FastAPI, settings: ServiceSettings) -> AsyncIterator[asyncpg.Pool]:
    """Open the pool and run the outbox relay for the life of the app."""
    pool = await create_pool(settings.service_database_url, max_size=settings.pool_size)
    relay = OutboxRelay(
        pool, settings.service_database_url, settings.kafka_bootstrap_servers,
        partitions=settings.kafka_partitions, idempotent=settings.kafka_idempotence,
    )
    app.state.pool, app.state.settings, app.state.relay = pool, settings, relay

    async def database_ready() -> str | None:
        try:
            await pool.fetchval("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            return f"database: {exc.__class__.__name__}"
        return None

    async def broker_ready() -> str | None:
        # one process per database relays (an advisory lock); the others stand by, ready to
        # take over, and must not make the service's /readyz (any process answers it) flap
        if relay.connected or relay.standing_by:
            return None
        return "broker: outbox relay not connected"

    app.state.ready_checks += [database_ready, broker_ready]
    try:  # before any consumer subscribes, or the broker may auto-create a 1-partition topic
        await asyncio.wait_for(ensure_topics(settings.kafka_bootstrap_servers, list(ALL_TOPICS),
                                             settings.kafka_partitions), 10)
    except Exception as exc:  # noqa: BLE001 - the relay keeps trying; readiness says so
        log.warning("could not create topics yet: %s", exc)
    relay.start()
    try:
        yield pool
    finally:
        await relay.stop()
        await pool.close()
