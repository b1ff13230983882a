"""Server-sent events from a service's own outbox: a live feed for dashboards.

Reads the outbox (the source of truth) rather than Kafka, so a dashboard that reconnects
with `Last-Event-ID` resumes exactly where it stopped, even across broker restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg

KEEPALIVE_S = 15.0
BATCH = 200


async def outbox_events(
    pool: asyncpg.Pool, *, after_id: int, event_types: set[str] | None, poll_s: float = 0.5,
    subject: str | None = None,
) -> AsyncIterator[str]:
    """SSE frames for outbox rows after `after_id`, forever; comment frames keep it alive."""
    last, idle = after_id, 0.0
    while True:
        rows = await pool.fetch(
            "SELECT id, event_type, payload FROM outbox WHERE id > $1"
            " AND ($2::text[] IS NULL OR event_type = ANY($2))"
            " AND ($3::text IS NULL OR subject = $3) ORDER BY id LIMIT $4",
            last, sorted(event_types) if event_types else None, subject, BATCH,
        )
        for row in rows:
            last = row["id"]
            yield f"id: {row['id']}\nevent: {row['event_type']}\ndata: {row['payload']}\n\n"
        if len(rows) == BATCH:
            continue
        await asyncio.sleep(poll_s)
        idle += poll_s
        if idle >= KEEPALIVE_S:
            idle = 0.0
            yield ": keep-alive\n\n"


async def latest_id(pool: asyncpg.Pool) -> int:
    """The newest outbox id (a new subscriber starts from now unless it asks for history)."""
    value = await pool.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    return int(value)
