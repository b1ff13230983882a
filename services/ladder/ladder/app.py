"""Composition root of the ladder: pool, relay, rulebooks, the firm-event consumer, the sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from ladder import dashboard, handlers
from ladder.api import router
from ladder.config import Settings, get_settings
from ladder.rulebook_store import RulebookStore
from ladder.stream import build_hub
from ladder.stream import router as stream_router
from shared.consuming import Consumer, Subscription
from shared.runtime import service_runtime
from shared.topics import FIRM_EVENTS, STANDING_EVENTS
from shared.web import create_app

log = logging.getLogger(__name__)


async def _sweep_forever(app: FastAPI, every_s: float) -> None:
    while True:
        try:
            counts = await handlers.sweep(app.state.pool, rulebooks=app.state.rulebooks,
                                          today=app.state.clock())
            if any(counts.values()):
                log.info("sweep: %s", counts)
        except Exception:  # the next sweep tries again
            log.exception("sweep failed")
        await asyncio.sleep(every_s)


def build_app(settings: Settings | None = None, *, clock: Callable[[], date] = date.today) -> FastAPI:
    """The ladder's ASGI app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings) as pool:
            app.state.rulebooks = await RulebookStore.load(pool)
            broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all", logger=log,
                                 log_level=logging.DEBUG)
            app.state.broker = broker  # its subscribers go into /asyncapi.json
            consumer = Consumer(
                broker=broker, pool=pool, topic=FIRM_EVENTS, group_id=settings.consumer_group,
                handle=lambda conn, event: handlers.on_firm_event(
                    conn, event, rulebooks=app.state.rulebooks, today=app.state.clock()),
                max_attempts=settings.consumer_max_attempts)
            consumer.subscribe(settings, description="Firm facts → projection → re-evaluation")
            app.state.consumer = consumer
            subscription = Subscription(
                broker, bootstrap=settings.kafka_bootstrap_servers,
                topics=[FIRM_EVENTS, STANDING_EVENTS], partitions=settings.kafka_partitions,
                name="ladder")
            app.state.ready_checks.append(subscription.problem)
            subscription.start()
            app.state.stream_hub = build_hub(pool, settings)
            app.state.stream_hub.start()
            sweeper = asyncio.create_task(_sweep_forever(app, settings.sweep_interval_s))
            try:
                yield
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
                await app.state.stream_hub.stop()
                await subscription.stop()

    app = create_app(
        service="ladder", title="Cultivation tracker — ladder",
        description="Tier standings with explained decisions, targets, candidates and what-if. "
        "Consumes `registry.firm-events`; publishes `ladder.standing-events`.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes)
    app.state.clock = clock
    app.include_router(router)
    app.include_router(stream_router)
    dashboard.mount(app)
    return app


app = build_app()
