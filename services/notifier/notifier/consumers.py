"""The notifier's Kafka subscriber: standing events in, alerts and deliveries out."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

import asyncpg
from faststream.kafka import KafkaBroker

from notifier import intake
from notifier.config import Settings
from shared.consuming import Consumer
from shared.db import DbConn
from shared.events import EventEnvelope
from shared.kafka import ensure_topics
from shared.topics import ALERT_EVENTS

log = logging.getLogger(__name__)


def build_consumer(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings,
                   clock: Callable[[], datetime], on_queued: Callable[[], None]) -> Consumer:
    """Subscribe to the standing events; the dedupe row, alerts and deliveries commit together."""

    async def handle(conn: DbConn, event: EventEnvelope) -> list[uuid.UUID]:
        return await intake.handle_event(conn, event, settings=settings, now=clock())

    async def after_commit(event: EventEnvelope, queued: list[uuid.UUID]) -> None:
        if queued:
            on_queued()  # the worker sends now instead of at its next poll

    consumer = Consumer(broker=broker, pool=pool, topic=settings.notifier_events_topic,
                        group_id=settings.notifier_consumer_group, handle=handle,
                        after_commit=after_commit)
    consumer.subscribe(settings,
                       description="Standing and target events become alerts for case officers.")
    return consumer


class Subscription:
    """Connects the broker in the background: joining a consumer group takes seconds, and
    the API, the inbox and the delivery queue must not wait for Kafka (or its outages)."""

    def __init__(self, broker: KafkaBroker, settings: Settings) -> None:
        self.broker, self.settings = broker, settings
        self.running = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start connecting."""
        self._task = asyncio.create_task(self._connect(), name="notifier-subscriber")

    async def stop(self) -> None:
        """Leave the group; uncommitted offsets are redelivered to the next member."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.broker.stop()

    async def problem(self) -> str | None:
        """Readiness: None once the subscriber runs."""
        return None if self.running else "consumer: not subscribed to the broker yet"

    async def _connect(self) -> None:
        s = self.settings
        while True:
            try:
                await ensure_topics(s.kafka_bootstrap_servers,
                                    [s.notifier_events_topic, ALERT_EVENTS], s.kafka_partitions)
                await self.broker.start()
                self.running = True
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # broker away: keep serving the API, try again
                log.exception("cannot subscribe to the broker; retrying in 2 s")
                await self.broker.stop()
                await asyncio.sleep(2)
