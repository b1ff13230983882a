"""The entitlements service's Kafka subscriber: registry events in, entitlements out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import asyncpg
from faststream.kafka import KafkaBroker

from entitlements.config import Settings
from entitlements.handlers import intake
from entitlements.repository import UnitOfWork
from shared.consuming import Consumer
from shared.db import DbConn
from shared.events import AnyEvent
from shared.topics import FIRM_EVENTS


def build_consumer(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings,
                   today: Callable[[], date]) -> Consumer:
    """Subscribe to the registry's firm events; the dedupe rows, facts, entitlements and their
    events commit together (the consumer owns the transaction)."""

    async def handle(conn: DbConn, event: AnyEvent) -> int:
        return (await handle_batch(conn, [event]))[0]

    async def handle_batch(conn: DbConn, events: list[AnyEvent]) -> list[int]:
        return await intake.apply_events(UnitOfWork.joined(conn), events, today=today())

    consumer = Consumer(broker=broker, pool=pool, topic=settings.entitlements_events_topic,
                        group_id=settings.entitlements_consumer_group, handle=handle,
                        handle_batch=handle_batch, contract=FIRM_EVENTS)
    consumer.subscribe(settings, description="Filings, certificates and annual reports become "
                       "entitlements under the active policy set.")
    return consumer
