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
from ladder.repository import JoinedUnitOfWork
from shared.consuming import Consumer
from shared.db import DbConn
from shared.events import EventEnvelope
from shared.topics import FIRM_EVENTS

log = logging.getLogger(__name__)


def firm_events(broker: KafkaBroker, pool: asyncpg.Pool, settings: Settings, *,
                rulebooks: Callable[[], RulebookStore],
                clock: Callable[[], date]) -> Consumer:
    """Subscribe to `registry.firm-events`: each event, deduplicated in the consumer's
    transaction, goes to the handler in a unit of work joined to that transaction."""

    async def handle(conn: DbConn, event: EventEnvelope) -> Outcome:
        return await handlers.on_firm_event(JoinedUnitOfWork(conn), event,
                                            rulebook=rulebooks().active, today=clock())

    consumer = Consumer(broker=broker, pool=pool, topic=FIRM_EVENTS,
                        group_id=settings.consumer_group, handle=handle,
                        max_attempts=settings.consumer_max_attempts)
    consumer.subscribe(settings, description="Firm facts → projection → re-evaluation")
    return consumer
