"""Transactional outbox: events written with the change, published to Kafka by a relay."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from shared.db import DbConn
from shared.events import EventEnvelope, make_event
from shared.kafka import ensure_topics, new_producer, topic_message_count
from shared.topics import ALL_TOPICS

log = logging.getLogger(__name__)

_RELAY_LOCK = 7_301_002  # one publishing relay per database keeps per-key order
BATCH = 500


async def next_sequence(conn: DbConn, subject: str) -> int:
    """Allocate the subject's next sequence number (row lock serialises writers of one subject)."""
    value: int = await conn.fetchval(
        "INSERT INTO subject_sequences (subject, last) VALUES ($1, 1) "
        "ON CONFLICT (subject) DO UPDATE SET last = subject_sequences.last + 1 RETURNING last",
        subject,
    )
    return value


async def append(
    conn: DbConn, *, topic: str, event_type: str, producer: str, subject: str,
    data: Any, correlation_id: str | None = None,
) -> EventEnvelope:
    """Write an event into the outbox inside the caller's transaction; returns it."""
    sequence = await next_sequence(conn, subject)
    event = make_event(
        event_type, producer=producer, subject=subject, sequence=sequence, data=data,
        correlation_id=correlation_id,
    )
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence, payload)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        event.event_id, topic, subject, event_type, subject, sequence, event.model_dump_json(),
    )
    await conn.execute("SELECT pg_notify('outbox', '')")
    return event


class OutboxRelay:
    """Publishes unpublished outbox rows in order, retrying through broker outages."""

    def __init__(
        self, pool: asyncpg.Pool, dsn: str, bootstrap: str, *, partitions: int = 3,
        poll_s: float = 1.0,
    ):
        self.pool, self.dsn, self.bootstrap, self.poll_s = pool, dsn, bootstrap, poll_s
        self.partitions = partitions
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        self.connected = False

    def start(self) -> None:
        """Run the relay in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, drain_s: float = 5.0) -> None:
        """Publish what is pending (for up to `drain_s`), then stop; whatever is left stays in
        the outbox for the next start."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), drain_s)
        except TimeoutError:
            log.warning("outbox relay stopped before it could publish everything")
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        listener = await asyncpg.connect(self.dsn)
        await listener.add_listener("outbox", lambda *_: self._wake.set())
        try:
            while not self._stopping:
                try:
                    await self._serve()
                except asyncio.CancelledError:
                    raise
                except Exception:  # broker or database down: wait, then start over
                    self.connected = False
                    log.exception("outbox relay failed; retrying in 2 s")
                    await asyncio.sleep(2)
        finally:
            await listener.close()

    async def _serve(self) -> None:
        async with self.pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK):
                if self._stopping:
                    return  # another replica relays; it will publish what is pending
                await asyncio.sleep(self.poll_s)  # another replica relays; stand by
            producer = new_producer(self.bootstrap)
            try:
                await ensure_topics(self.bootstrap, list(ALL_TOPICS), self.partitions)
                await producer.start()
                self.connected = True
                await self._republish_if_lost(conn)
                while True:
                    sent = await self._publish_batch(conn, producer)
                    if self._stopping:
                        if sent == 0:
                            return  # drained: rows written during the last batch went too
                        continue
                    if sent < BATCH:
                        self._wake.clear()
                        try:
                            await asyncio.wait_for(self._wake.wait(), self.poll_s)
                        except TimeoutError:
                            pass
            finally:
                await producer.stop()
                await conn.execute("SELECT pg_advisory_unlock($1)", _RELAY_LOCK)

    async def _publish_batch(self, conn: DbConn, producer: Any) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, payload FROM outbox WHERE published_at IS NULL"
            " ORDER BY id LIMIT $1", BATCH,
        )
        if not rows:
            return 0
        futures = [
            await producer.send(r["topic"], r["payload"].encode(), key=r["key"].encode())
            for r in rows
        ]
        await asyncio.gather(*futures)
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
            [r["id"] for r in rows],
        )
        self.published += len(rows)
        return len(rows)

    async def _republish_if_lost(self, conn: DbConn) -> None:
        """An empty broker topic (the embedded broker keeps nothing across restarts) is refilled
        from the outbox, the source of truth; consumers dedupe the repeats. Only emptiness
        counts: Tansu's end offsets can lag the records it holds, so counts would mislead."""
        for (topic,) in await conn.fetch(
                "SELECT DISTINCT topic FROM outbox WHERE published_at IS NOT NULL"):
            held = await topic_message_count(self.bootstrap, topic)
            if held == 0:
                log.warning("broker holds nothing on %s: republishing it from the outbox",
                            topic, extra={"topic": topic})
                await conn.execute(
                    "UPDATE outbox SET published_at = NULL WHERE topic = $1", topic
                )
