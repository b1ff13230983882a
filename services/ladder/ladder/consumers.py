"""The ladder's subscribers: registry firm events into the projection and the timeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import asyncpg
from faststream.kafka import KafkaBroker

from ladder import handlers
from ladder.config import Settings
from ladder.handlers import Outcome, RulebookStore
from ladder.repository import UnitOfWork
from shared.consuming import Consumer
from shared.db import DbConn
from shared.events import AnyEvent
from shared.topics import FIRM_EVENTS

log = logging.getLogger(__name__)


def firm_events(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings, *,
                rulebooks: Callable[[], RulebookStore],
                clock: Callable[[], date]) -> Consumer:
    """Subscribe to `registry.firm-events`: each batch, deduplicated in the consumer's
    transaction, goes to the handler in a unit of work joined to that transaction."""

    async def handle(conn: DbConn, event: AnyEvent) -> Outcome:
        return await handlers.on_firm_event(UnitOfWork.joined(conn), event,
                                            rulebook=rulebooks().active, today=clock())

    async def handle_batch(conn: DbConn, events: list[AnyEvent]) -> list[Outcome]:
        return await handlers.on_firm_events(UnitOfWork.joined(conn), events,
                                             rulebook=rulebooks().active, today=clock())

    # a batch goes to the handler at once; when it fails, its events go one at a time
    consumer = Consumer(broker=broker, pool=pool, topic=FIRM_EVENTS,
                        group_id=settings.consumer_group, handle=handle,
                        handle_batch=handle_batch, max_attempts=settings.consumer_max_attempts)
    consumer.subscribe(settings, description="Firm facts → projection → re-evaluation")
    return consumer
