"""Consuming events exactly once in effect: dedupe in the same transaction as the change,
bounded retries, and a dead-letter topic for poison messages (FastStream on Kafka has none)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from prometheus_client import Counter
from pydantic import ValidationError

from shared.db import UNAVAILABLE, DbConn
from shared.events import AnyEvent, events_on, parse_event
from shared.kafka import ensure_topics
from shared.lag import LagMonitor
from shared.settings import ServiceSettings
from shared.topics import dead_letter

log = logging.getLogger(__name__)

Handler = Callable[[DbConn, AnyEvent], Awaitable[Any]]
# a whole batch of new events at once (set-based); returns one result per event, in order
BatchHandler = Callable[[DbConn, list[AnyEvent]], Awaitable[list[Any]]]
AfterCommit = Callable[[AnyEvent, Any], Awaitable[None]]
CONSUMED = Counter("events_consumed_total", "Events consumed", ["group", "topic", "outcome"])
# (group, topic) of the consumers subscribed on each broker: its Subscription measures their lag
_SUBSCRIBED: weakref.WeakKeyDictionary[KafkaBroker, list[tuple[str, str]]] = (
    weakref.WeakKeyDictionary())
# the database being away is not the message's fault: wait for it instead of dead-lettering
TRANSIENT = (*UNAVAILABLE, asyncpg.SerializationError, asyncpg.DeadlockDetectedError)


class Consumer:
    """One consumer group's processing of one topic. Each message is parsed into its declared
    event class by the discriminated union of the `contract` topic's types (the topic read,
    unless it is configured under another name); one that is none of them is dead-lettered."""

    def __init__(
        self, *, broker: KafkaBroker, pool: asyncpg.Pool, topic: str, group_id: str,
        handle: Handler, after_commit: AfterCommit | None = None, max_attempts: int = 5,
        retry_base_s: float = 0.2, handle_batch: BatchHandler | None = None,
        contract: str | None = None,
    ):
        self.broker, self.pool, self.topic, self.group_id = broker, pool, topic, group_id
        self.contract = contract or topic
        if not events_on(self.contract):
            raise ValueError(f"no event types are declared for topic {self.contract}")
        self.handle, self.after_commit, self.handle_batch = handle, after_commit, handle_batch
        self.max_attempts, self.retry_base_s = max_attempts, retry_base_s

    def subscribe(self, settings: ServiceSettings, *, description: str) -> None:
        """Register the FastStream subscriber (batches), tuned by the service's settings."""

        @self.broker.subscriber(
            self.topic, group_id=self.group_id, auto_offset_reset="earliest",
            # NACK_ON_ERROR: an unexpected error rewinds to the batch's first record (dedupe makes
            # the replay safe); FastStream's ACK would commit past it and lose the batch
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            rebalance_timeout_ms=settings.kafka_rebalance_timeout_ms,
            batch=True, max_records=settings.kafka_max_batch,
            title=f"{self.group_id}:{self.topic}", description=description,
        )
        async def on_batch(msg: KafkaMessage) -> None:
            raw = msg.raw_message
            records = list(raw) if isinstance(raw, (tuple, list)) else [raw]
            await self.process_batch(records)

        _SUBSCRIBED.setdefault(self.broker, []).append((self.group_id, self.topic))

    async def process_batch(self, records: list[Any]) -> dict[str, int]:
        """Apply a batch in one transaction, a savepoint per message.

        A message that fails, and every later one with the same key (to keep per-firm order),
        is set aside and then processed alone with bounded retries and the dead-letter path.
        """
        counts = {"applied": 0, "duplicate": 0, "dead_lettered": 0}
        parsed: list[tuple[Any, AnyEvent]] = []
        for r in records:
            try:
                parsed.append((r, parse_event(r.value, topic=self.contract)))
            except ValidationError:
                counts[await self.process(r.value, key=r.key, partition=r.partition,
                                          offset=r.offset)] += 1
        if self.handle_batch is not None and parsed:
            batched = await self._batch_at_once([event for _, event in parsed])
            if batched is not None:
                for outcome, n in batched.items():
                    counts[outcome] += n
                return counts
        attempt = 0
        while True:
            done: list[tuple[AnyEvent, str, Any]] = []
            deferred: list[Any] = []
            blocked: set[Any] = set()
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    for r, event in parsed:
                        if r.key in blocked:
                            deferred.append(r)
                            continue
                        try:
                            async with conn.transaction():  # savepoint
                                outcome, result = await self._apply_in(conn, event)
                        except TRANSIENT:
                            raise
                        except Exception:  # noqa: BLE001 - retried alone below
                            blocked.add(r.key)
                            deferred.append(r)
                            continue
                        done.append((event, outcome, result))
                break
            except TRANSIENT:
                attempt += 1
                log.warning("database unavailable; retrying the batch")
                await asyncio.sleep(min(5.0, self.retry_base_s * 2 ** min(attempt, 5)))
        for event, outcome, result in done:
            counts[outcome] += 1
            CONSUMED.labels(self.group_id, self.topic, outcome).inc()
            if outcome == "applied" and self.after_commit is not None:
                await self.after_commit(event, result)
        for r in deferred:
            counts[await self.process(r.value, key=r.key, partition=r.partition,
                                      offset=r.offset)] += 1
        return counts

    async def _batch_at_once(self, events: list[AnyEvent]) -> dict[str, int] | None:
        """The batch's new events in one transaction, deduplicated in one statement and given
        to `handle_batch` together; None when it failed (nothing kept): the caller then
        applies them one at a time, which sets a poison message aside."""
        attempt = 0
        while True:
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    fresh_ids = {r["event_id"] for r in await conn.fetch(
                        "INSERT INTO processed_events (event_id) SELECT unnest($1::uuid[])"
                        " ON CONFLICT DO NOTHING RETURNING event_id",
                        [e.event_id for e in events])}
                    fresh = []
                    for e in events:  # the first copy of an event the batch holds twice
                        if e.event_id in fresh_ids:
                            fresh_ids.discard(e.event_id)
                            fresh.append(e)
                    assert self.handle_batch is not None
                    results = await self.handle_batch(conn, fresh) if fresh else []
                break
            except TRANSIENT:
                attempt += 1
                log.warning("database unavailable; retrying the batch")
                await asyncio.sleep(min(5.0, self.retry_base_s * 2 ** min(attempt, 5)))
            except Exception:  # one at a time below finds (and dead-letters) the culprit
                log.warning("batch failed as a whole; applying its events one at a time",
                            exc_info=True)
                return None
        for event, result in zip(fresh, results, strict=True):
            CONSUMED.labels(self.group_id, self.topic, "applied").inc()
            if self.after_commit is not None:
                await self.after_commit(event, result)
        duplicates = len(events) - len(fresh)
        if duplicates:
            CONSUMED.labels(self.group_id, self.topic, "duplicate").inc(duplicates)
        return {"applied": len(fresh), "duplicate": duplicates}

    async def process(self, body: bytes, *, key: bytes | None = None,
                      partition: int | None = None, offset: int | None = None) -> str:
        """Apply one message; returns 'applied', 'duplicate' or 'dead_lettered'."""
        where = {"partition": partition, "offset": offset, "key": key}
        try:
            event = parse_event(body, topic=self.contract)
        except ValidationError as exc:
            await self._dead_letter(body, f"not a valid event: {exc.errors()[:3]}", where, None)
            return "dead_lettered"
        attempt = 0
        while True:
            attempt += 1
            try:
                outcome, result = await self._apply(event)
                break
            except TRANSIENT:
                log.warning("database unavailable; retrying", extra={"event_id": event.event_id})
                await asyncio.sleep(min(5.0, self.retry_base_s * 2 ** min(attempt, 5)))
                attempt = 0
            except Exception as exc:  # a poison message must not block the partition
                if attempt >= self.max_attempts:
                    log.exception("giving up on event", extra={"event_id": event.event_id})
                    await self._dead_letter(body, f"{exc.__class__.__name__}: {exc}", where,
                                            str(event.event_id))
                    return "dead_lettered"
                await asyncio.sleep(self.retry_base_s * 2 ** (attempt - 1))
        CONSUMED.labels(self.group_id, self.topic, outcome).inc()
        if outcome == "applied" and self.after_commit is not None:
            await self.after_commit(event, result)
        return outcome

    async def _apply(self, event: AnyEvent) -> tuple[str, Any]:
        async with self.pool.acquire() as conn, conn.transaction():
            return await self._apply_in(conn, event)

    async def _apply_in(self, conn: DbConn, event: AnyEvent) -> tuple[str, Any]:
        first = await conn.fetchval(
            "INSERT INTO processed_events (event_id) VALUES ($1)"
            " ON CONFLICT DO NOTHING RETURNING true", event.event_id,
        )
        if not first:
            return "duplicate", None
        return "applied", await self.handle(conn, event)

    async def _dead_letter(self, body: bytes, error: str, where: dict[str, Any],
                           event_id: str | None) -> None:
        CONSUMED.labels(self.group_id, self.topic, "dead_lettered").inc()
        headers = {"x-error": error[:2000], "x-original-topic": self.topic,
                   "x-original-partition": str(where["partition"]),
                   "x-original-offset": str(where["offset"]), "x-consumer-group": self.group_id}
        await self.broker.publish(body, dead_letter(self.topic), key=where["key"], headers=headers)
        await self.pool.execute(
            'INSERT INTO dead_letters (topic, partition, "offset", event_id, error, payload)'
            " VALUES ($1, $2, $3, $4, $5, $6)",
            self.topic, where["partition"], where["offset"], event_id, error,
            body.decode("utf-8", errors="replace"),
        )


class Subscription:
    """Connects the broker in the background: joining a consumer group takes seconds, and the
    API (and anything else the service does) must not wait for Kafka, or die of its outages."""

    def __init__(self, broker: KafkaBroker, *, bootstrap: str, topics: list[str],
                 partitions: int, name: str) -> None:
        self.broker, self.bootstrap, self.topics = broker, bootstrap, topics
        self.partitions, self.name = partitions, name
        self.running = False
        self._task: asyncio.Task[None] | None = None
        self._lag = LagMonitor(bootstrap, _SUBSCRIBED.get(broker, []))
        self._lag_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start connecting."""
        self._task = asyncio.create_task(self._connect(), name=f"{self.name}-subscriber")

    async def stop(self) -> None:
        """Leave the group; uncommitted offsets are redelivered to the next member."""
        for task in (self._task, self._lag_task):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.broker.stop()

    async def problem(self) -> str | None:
        """Readiness: None once the subscriber runs."""
        return None if self.running else "consumer: not subscribed to the broker yet"

    async def _connect(self) -> None:
        while True:
            try:
                await ensure_topics(self.bootstrap, self.topics, self.partitions)
                await self.broker.start()
                self.running = True
                self._lag_task = asyncio.create_task(self._lag.run(), name=f"{self.name}-lag")
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # broker away: keep serving the API, try again
                log.exception("cannot subscribe to the broker; retrying in 2 s")
                await self.broker.stop()
                await asyncio.sleep(2)
