"""The notifier's Kafka subscriber: standing events in, alerts and deliveries out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import asyncpg
from faststream.kafka import KafkaBroker

from notifier.config import Settings
from notifier.handlers import entitlements, intake
from notifier.repository import UnitOfWork
from shared.consuming import Consumer
from shared.db import DbConn
from shared.events import AnyEvent
from shared.topics import ENTITLEMENT_EVENTS, STANDING_EVENTS


def build_consumer(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings,
                   clock: Callable[[], datetime], on_queued: Callable[[], None]) -> Consumer:
    """Subscribe to the standing events; the dedupe rows, alerts and deliveries commit together
    (the consumer owns the transaction; the handlers get a unit of work joined to it).
    A batch is routed at once; one that fails goes message by message (poison isolated)."""

    async def handle(conn: DbConn, event: AnyEvent) -> list[uuid.UUID]:
        return await intake.handle_event(UnitOfWork.joined(conn), event, settings=settings, now=clock())

    async def handle_batch(conn: DbConn, events: list[AnyEvent]) -> list[list[uuid.UUID]]:
        return await intake.handle_events(UnitOfWork.joined(conn), events, settings=settings,
                                          now=clock())

    async def after_commit(event: AnyEvent, queued: list[uuid.UUID]) -> None:
        if queued:
            on_queued()  # the worker sends now instead of at its next poll

    consumer = Consumer(broker=broker, pool=pool, topic=settings.notifier_events_topic,
                        group_id=settings.notifier_consumer_group, handle=handle,
                        handle_batch=handle_batch, after_commit=after_commit,
                        contract=STANDING_EVENTS)
    consumer.subscribe(settings,
                       description="Standing and target events become alerts for case officers.")
    return consumer


def build_entitlement_consumer(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings,
                               clock: Callable[[], datetime],
                               on_queued: Callable[[], None]) -> Consumer:
    """Subscribe to the entitlement events: offers and overdue offers become alerts."""

    async def handle(conn: DbConn, event: AnyEvent) -> list[uuid.UUID]:
        return (await handle_batch(conn, [event]))[0]

    async def handle_batch(conn: DbConn, events: list[AnyEvent]) -> list[list[uuid.UUID]]:
        return await entitlements.handle_events(UnitOfWork.joined(conn), events, settings=settings,
                                                now=clock())

    async def after_commit(event: AnyEvent, queued: list[uuid.UUID]) -> None:
        if queued:
            on_queued()

    consumer = Consumer(broker=broker, pool=pool, topic=settings.notifier_entitlements_topic,
                        group_id=settings.notifier_consumer_group, handle=handle,
                        handle_batch=handle_batch, after_commit=after_commit,
                        contract=ENTITLEMENT_EVENTS)
    consumer.subscribe(settings, description="Entitlements offered, and offers unconfirmed "
                       "after N days, become alerts for the firm's officer.")
    return consumer
