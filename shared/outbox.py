"""Transactional outbox: events written with the change, published to Kafka by a relay."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

import asyncpg

from shared.db import DbConn
from shared.events import EventEnvelope, make_event
from shared.kafka import ensure_topics, new_producer, topic_end_offsets
from shared.outbox_in_doubt import mark_sent
from shared.topics import ALL_TOPICS

log = logging.getLogger(__name__)

_RELAY_LOCK = 7_301_002  # one publishing relay per database keeps per-key order
BATCH = 500


async def append(
    conn: DbConn, *, topic: str, event_type: str, producer: str, subject: str,
    data: Any, correlation_id: str | None = None,
) -> EventEnvelope:
    """Write an event into the outbox inside the caller's transaction; returns it."""
    (event,) = await append_many(conn, producer=producer, events=[{
        "topic": topic, "event_type": event_type, "subject": subject, "data": data,
        "correlation_id": correlation_id}])
    return event


async def append_many(conn: DbConn, *, producer: str,
                      events: list[dict[str, Any]]) -> list[EventEnvelope]:
    """Write many events in three statements (sequences, rows, one notify), in order; each
    item has the keyword arguments of `append` but `producer`."""
    if not events:
        return []
    counts = Counter(e["subject"] for e in events)
    rows = await conn.fetch(
        "INSERT INTO subject_sequences (subject, last)"
        " SELECT * FROM unnest($1::text[], $2::bigint[])"
        " ON CONFLICT (subject) DO UPDATE SET last = subject_sequences.last + EXCLUDED.last"
        " RETURNING subject, last", list(counts), list(counts.values()))
    following = {r["subject"]: r["last"] - counts[r["subject"]] + 1 for r in rows}
    made = []
    for e in events:
        sequence = following[e["subject"]]
        following[e["subject"]] += 1
        made.append(make_event(e["event_type"], producer=producer, subject=e["subject"],
                               sequence=sequence, data=e["data"],
                               correlation_id=e.get("correlation_id")))
    await conn.executemany(
        "INSERT INTO outbox (event_id, topic, key, event_type, subject, sequence, payload)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [(m.event_id, e["topic"], m.subject, m.event_type, m.subject, m.sequence,
          m.model_dump_json()) for e, m in zip(events, made, strict=True)])
    await conn.execute("SELECT pg_notify('outbox', '')")
    return made


class Outbox:
    """The outbox as a handler sees it: events appended in the unit of work's transaction."""

    def __init__(self, conn: DbConn, producer: str):
        self.conn, self.producer = conn, producer

    async def append(self, *, topic: str, event_type: str, subject: str, data: Any,
                     correlation_id: str | None = None) -> EventEnvelope:
        """Write one event; it is published once the transaction commits."""
        return await append(self.conn, topic=topic, event_type=event_type,
                            producer=self.producer, subject=subject, data=data,
                            correlation_id=correlation_id)

    async def append_many(self, events: list[dict[str, Any]]) -> list[EventEnvelope]:
        """Write many events (each: topic, event_type, subject, data, correlation_id) in a
        few statements; published once the transaction commits."""
        return await append_many(self.conn, producer=self.producer, events=events)


class OutboxRelay:
    """Publishes unpublished outbox rows in order, retrying through broker outages."""

    def __init__(
        self, pool: asyncpg.Pool, dsn: str, bootstrap: str, *, partitions: int = 3,
        poll_s: float = 1.0, idempotent: bool = True,
    ):
        self.pool, self.dsn, self.bootstrap, self.poll_s = pool, dsn, bootstrap, poll_s
        self.partitions, self.idempotent = partitions, idempotent
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        self.connected = False
        self.standing_by = False  # another process of the service holds the relay lock

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
        """Serve until stopped and drained. A failure while stopping is retried too: giving up
        then left everything unpublished whenever the first attempt failed (a loaded machine, a
        broker still starting), since the old loop ended as soon as `stop()` was asked for."""
        while True:
            try:
                await self._serve()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # broker or database down: wait, then start over
                self.connected = self.standing_by = False
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(0.5 if self._stopping else 2)

    async def _serve(self) -> None:
        # the relay's session state (LISTEN, the advisory lock) lives on a connection of its
        # own, closed with it: pooled connections hold none, so the pool skips its reset query
        listener = await asyncpg.connect(self.dsn)
        await listener.add_listener("outbox", lambda *_: self._wake.set())
        try:
            while not await listener.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK):
                self.standing_by = True
                if self._stopping:
                    return  # another replica relays; it will publish what is pending
                await asyncio.sleep(self.poll_s)  # another replica relays; stand by
            self.standing_by = False
            async with self.pool.acquire() as conn:
                await self._relay(conn)
        finally:
            await listener.close()  # ends the session, and with it the lock

    async def _relay(self, conn: DbConn) -> None:
        producer = new_producer(self.bootstrap, idempotent=self.idempotent)
        try:
            await ensure_topics(self.bootstrap, list(ALL_TOPICS), self.partitions)
            await producer.start()
            self.connected = True
            await self._warn_if_lost(conn)
            await mark_sent(conn, self.bootstrap)  # sent before a crash: not again
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

    async def _warn_if_lost(self, conn: DbConn) -> None:
        """Log loudly when the broker holds fewer records on a topic than this outbox published
        to it: the broker lost data (a wiped data dir, or Tansu's memory-only storage). Nothing
        is republished by itself; `tracker outbox replay` does that on purpose."""
        for r in await conn.fetch(
                "SELECT topic, count(*) AS published FROM outbox"
                " WHERE published_at IS NOT NULL GROUP BY topic"):
            held = await topic_end_offsets(self.bootstrap, r["topic"])
            if held < r["published"]:
                log.error(
                    "BROKER LOST DATA: %s holds %d records, this outbox published %d to it; "
                    "consumers and subscribers miss them until `tracker outbox replay --topic %s`",
                    r["topic"], held, r["published"], r["topic"],
                    extra={"topic": r["topic"], "held": held, "published": r["published"]})
