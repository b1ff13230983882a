"""`tracker outbox replay`: publish a topic again from the outboxes, for a broker that lost its
data. The outbox is the source of truth; consumers dedupe on event_id, so repeats are safe."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from shared.db import connect
from tracker.services import SERVICES


def parse_since(text: str) -> datetime:
    """An ISO date or datetime, UTC unless it says otherwise (argparse reports a ValueError)."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def requeue(dsn: str, topic: str | None, since: datetime | None = None) -> int:
    """Mark the topic's published rows (every topic's for None; written since `since`)
    unpublished in one outbox and wake its relay, which publishes them again in their order;
    returns how many."""
    conn = await connect(dsn)
    try:
        async with conn.transaction():
            status = await conn.execute(
                "UPDATE outbox SET published_at = NULL WHERE ($1::text IS NULL OR topic = $1)"
                " AND published_at IS NOT NULL AND ($2::timestamptz IS NULL OR created_at >= $2)",
                topic, since)
            await conn.execute("SELECT pg_notify('outbox', '')")
        return int(status.split()[-1])
    finally:
        await conn.close()


async def replay(server_url: str, topic: str, since: datetime | None = None) -> dict[str, int]:
    """Requeue `topic` in every service's outbox; rows per service (a missing database: 0)."""
    counts = {}
    for service in SERVICES:
        try:
            counts[service.name] = await requeue(service.database_url(server_url), topic, since)
        except asyncpg.InvalidCatalogNameError:
            counts[service.name] = 0  # that service never ran here
    return counts


def report(topic: str, counts: dict[str, int]) -> tuple[int, str]:
    """Exit code and message for the command."""
    total = sum(counts.values())
    if total == 0:
        return 1, f"no outbox holds published events of {topic!r}: nothing to replay"
    where = ", ".join(f"{name}: {n}" for name, n in counts.items() if n)
    return 0, (f"{total} event(s) of {topic} queued for publishing again ({where}); the running "
               "services' relays publish them (or the next start does)")


async def requeue_all(server_url: str) -> dict[str, tuple[int, int]]:
    """Every event of every service's outbox unpublished (a restore's empty broker gets them
    all again); per service present on the server: (last outbox id, events queued)."""
    found = {}
    for service in SERVICES:
        dsn = service.database_url(server_url)
        try:
            queued = await requeue(dsn, None)
        except asyncpg.InvalidCatalogNameError:
            continue  # that service never ran here
        conn = await connect(dsn)
        try:
            found[service.name] = (int(await conn.fetchval(
                "SELECT coalesce(max(id), 0) FROM outbox")), queued)
        finally:
            await conn.close()
    return found
