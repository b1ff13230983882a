"""Server-sent events of the public topics: one Kafka reader per process fans out to every
subscriber through a bounded queue of its own, so a slow one overflows alone and others never
wait. A reconnect replays from Kafka the positions it missed, then joins the live feed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared import stream_cursor
from shared.kafka import partitions_of
from shared.stream_cursor import Positions
from shared.topics import ALL_TOPICS, FIRM_EVENTS

log = logging.getLogger(__name__)
DistrictSeed = Callable[[], Awaitable[dict[str, str]]]


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One message of a public topic, with what the filters look at."""

    topic: str
    partition: int
    offset: int
    event_type: str
    firm_id: str | None
    district: str | None
    tiers: frozenset[str]
    body: str


@dataclass(frozen=True, slots=True)
class Filter:
    """What a subscriber wants; None means anything."""

    types: frozenset[str] | None = None
    firm_id: str | None = None
    district: str | None = None
    tier: str | None = None

    def matches(self, ev: StreamEvent) -> bool:
        """True when the event passes every filter given."""
        return ((self.types is None or ev.event_type in self.types)
                and (self.firm_id is None or ev.firm_id == self.firm_id)
                and (self.district is None or ev.district == self.district)
                and (self.tier is None or self.tier in ev.tiers))


@dataclass(eq=False)
class Subscriber:
    """One open stream: its filter, where it stands, and its bounded queue of live events."""

    filter: Filter
    cursor: Positions
    live_from: Positions
    queue: asyncio.Queue[StreamEvent]
    overflowed: bool = False

    def take(self, ev: StreamEvent) -> bool:
        """Advance past `ev`; True when it is new and wanted (each position is sent once)."""
        key = (ev.topic, ev.partition)
        if ev.offset < self.cursor.get(key, 0):
            return False
        self.cursor[key] = ev.offset + 1
        return self.filter.matches(ev)

    def event_id(self, ev: StreamEvent) -> str:
        """The SSE id of `ev`: its own position and every partition's next offset."""
        return stream_cursor.encode(ev.topic, ev.partition, ev.offset, self.cursor)


def _firm(data: dict[str, Any]) -> dict[str, Any]:
    held = data.get("entitlement")  # EntitlementComputed/Corrected carry it one level down
    firm = data.get("firm") or (held.get("firm") if isinstance(held, dict) else None)
    return firm if isinstance(firm, dict) else {}


def to_event(topic: str, partition: int, offset: int, value: bytes | None,
             districts: dict[str, str]) -> StreamEvent | None:
    """Parse a record for the filters (None for a message that is not a JSON event)."""
    try:
        body = json.loads(value or b"")
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return None
    data, firm = body["data"], _firm(body["data"])
    firm_id = firm.get("id") or data.get("firm_id") or (
        body.get("subject") if topic == FIRM_EVENTS else None)
    firm_id = str(firm_id) if firm_id else None
    if firm_id and isinstance(firm.get("district"), str):
        districts[firm_id] = firm["district"]
    tiers = frozenset(str(data[k]) for k in ("from_tier", "to_tier", "tier") if data.get(k))
    return StreamEvent(topic=topic, partition=partition, offset=offset,
                       event_type=str(body.get("event_type", "")), firm_id=firm_id,
                       district=districts.get(firm_id) if firm_id else None, tiers=tiers,
                       body=json.dumps(body, ensure_ascii=False, separators=(",", ":")))


class StreamHub:
    """Reads the public topics from their end and hands every event to matching subscribers."""

    def __init__(self, bootstrap: str, *, topics: Iterable[str] = ALL_TOPICS, buffer: int = 1000,
                 fetch_max_wait_ms: int = 5, seed: DistrictSeed | None = None) -> None:
        self.bootstrap, self.topics, self.buffer = bootstrap, tuple(topics), buffer
        self.fetch_max_wait_ms, self.seed = fetch_max_wait_ms, seed
        self.positions: Positions = {}
        self.districts: dict[str, str] = {}
        self.subscribers: set[Subscriber] = set()
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start reading in the background (the API never waits for the broker)."""
        self._task = asyncio.create_task(self._run(), name="stream-hub")

    async def stop(self) -> None:
        """Stop reading."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def subscribe(self, filter: Filter, since: Positions | None = None) -> Subscriber:
        """Register a subscriber atomically against the hub's position (no await in between)."""
        live_from = dict(self.positions)
        cursor = dict(since) if since is not None else dict(live_from)
        sub = Subscriber(filter=filter, cursor=cursor, live_from=live_from,
                         queue=asyncio.Queue(maxsize=self.buffer))
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a subscriber (its stream ended)."""
        self.subscribers.discard(sub)

    def dispatch(self, topic: str, partition: int, offset: int, value: bytes | None) -> None:
        """Hand one record to every subscriber that wants it; a full queue overflows alone."""
        self.positions[(topic, partition)] = offset + 1
        ev = to_event(topic, partition, offset, value, self.districts)
        if ev is None:
            return
        for sub in list(self.subscribers):
            if not sub.filter.matches(ev):
                continue
            try:
                sub.queue.put_nowait(ev)
            except asyncio.QueueFull:
                sub.overflowed = True
                self.subscribers.discard(sub)

    async def replay(self, sub: Subscriber) -> AsyncIterator[StreamEvent]:
        """The events between a resuming subscriber's cursor and where it joined the live feed."""
        todo = {tp: end for tp, end in sub.live_from.items() if sub.cursor.get(tp, 0) < end}
        if not todo:
            return
        consumer = self._consumer()
        await consumer.start()
        try:
            parts = {TopicPartition(t, p): end for (t, p), end in todo.items()}
            consumer.assign(list(parts))
            for tp in parts:
                consumer.seek(tp, sub.cursor.get((tp.topic, tp.partition), 0))
            while parts:
                batch = await consumer.getmany(*parts, timeout_ms=500, max_records=500)
                for tp, records in batch.items():
                    for r in records:
                        if r.offset < parts.get(tp, -1):
                            ev = to_event(tp.topic, tp.partition, r.offset, r.value,
                                          self.districts)
                            if ev is not None:
                                yield ev
                for tp in list(parts):
                    if await consumer.position(tp) >= parts[tp]:
                        del parts[tp]
        finally:
            await consumer.stop()

    def _consumer(self) -> AIOKafkaConsumer:
        # no group: the stream commits nothing and each process reads every partition
        return AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest",
                                fetch_max_wait_ms=self.fetch_max_wait_ms)

    async def _run(self) -> None:
        if self.seed is not None:
            with contextlib.suppress(Exception):  # filters by district improve as events come
                self.districts.update(await self.seed())
        while True:
            consumer = self._consumer()
            try:
                await consumer.start()
                await self._read(consumer)
            except asyncio.CancelledError:
                raise
            except Exception:  # broker away: resume from the same positions
                log.exception("stream reader lost the broker; retrying in 2 s")
                await asyncio.sleep(2)
            finally:
                await consumer.stop()

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        tps = await partitions_of(consumer, self.topics)
        while {tp.topic for tp in tps} != set(self.topics):
            await asyncio.sleep(1)  # the service creates them at start; a broker may be slower
            tps = await partitions_of(consumer, self.topics)
        consumer.assign(tps)
        for tp in tps:
            known = self.positions.get((tp.topic, tp.partition))
            if known is None:
                await consumer.seek_to_end(tp)
                self.positions[(tp.topic, tp.partition)] = await consumer.position(tp)
            else:
                consumer.seek(tp, known)
        self.ready.set()
        while True:
            batch = await consumer.getmany(timeout_ms=1000, max_records=1000)
            for tp, records in batch.items():
                for r in records:
                    self.dispatch(tp.topic, tp.partition, r.offset, r.value)


def frame(sub: Subscriber, ev: StreamEvent) -> str:
    """One SSE message."""
    return f"id: {sub.event_id(ev)}\nevent: {ev.event_type}\ndata: {ev.body}\n\n"


OVERFLOW = ("event: overflow\ndata: {\"reason\": \"this client fell too far behind; reconnect "
            "with Last-Event-ID to catch up from the broker\"}\n\n")


async def sse(hub: StreamHub, filter: Filter, since: Positions | None, *,
              heartbeat_s: float = 15.0) -> AsyncIterator[str]:
    """The frames of one subscriber: replay (if resuming), then live, with heartbeats."""
    yield "retry: 2000\n\n"
    while not hub.ready.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hub.ready.wait(), heartbeat_s)
        if not hub.ready.is_set():
            yield ": waiting for the broker\n\n"
    sub = hub.subscribe(filter, since)
    try:
        yield ": subscribed\n\n"
        async for ev in hub.replay(sub):
            if sub.take(ev):
                yield frame(sub, ev)
        while True:
            if sub.overflowed and sub.queue.empty():
                yield OVERFLOW
                return
            try:
                ev = await asyncio.wait_for(sub.queue.get(), heartbeat_s)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if sub.take(ev):
                yield frame(sub, ev)
    finally:
        hub.unsubscribe(sub)
