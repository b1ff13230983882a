"""Composition root of the ladder: pool, relay, rulebooks, the firm-event consumer, the sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from ladder import api, consumers, handlers, queries
from ladder.config import Settings, get_settings
from ladder.repository import Repository, UnitOfWork
from ladder.workers import WhatIfWorker
from shared.consuming import Subscription
from shared.kafka import client_id
from shared.runtime import service_runtime
from shared.stream import StreamHub
from shared.topics import FIRM_EVENTS, STANDING_EVENTS
from shared.web import create_app

log = logging.getLogger(__name__)
JUDGE_CHECK_S = 60.0  # how often the ladder checks that candidates were judged today


async def _sweep_forever(app: FastAPI, uow: UnitOfWork, settings: Settings) -> None:
    every_s = settings.sweep_interval_s
    while True:
        try:
            counts = await handlers.sweep(uow, rulebook=app.state.rulebooks.active,
                                          today=app.state.clock(),
                                          reminder_days=settings.round_reminder_days,
                                          list_quiet_s=settings.list_quiet_s)
            if any(counts.values()):
                log.info("sweep: %s", counts)
        except Exception:  # the next sweep tries again
            log.exception("sweep failed")
        await asyncio.sleep(every_s)


async def _judge_candidates_daily(app: FastAPI, pool: asyncpg.Pool) -> None:
    """Keep candidate_ranks judged on today: once a day (and after a rulebook change) every
    firm is judged again; in between the consumer keeps the firms it recomputes."""
    while True:
        try:
            kept = await queries.judge_city(pool, app.state.rulebooks.active, app.state.clock())
            if kept >= 0:
                log.info("candidates judged: %s rows", kept)
        except Exception:  # the next minute tries again
            log.exception("judging the candidates failed")
        await asyncio.sleep(JUDGE_CHECK_S)


async def _keep_whatif_warm(app: FastAPI, every_s: float) -> None:
    """From the start and every `every_s`: the what-if workers bring their shares of the city
    up to date and fold them under the active rulebook, so an officer's what-if folds only
    its draft (the first of the day too)."""
    while True:
        try:
            folded = await app.state.whatif_worker.keep_warm(app.state.rulebooks.active,
                                                            app.state.clock())
            if folded:
                log.info("what-if workers folded %s firms ahead of the next job", folded)
        except Exception:  # the next round tries again, with fresh workers if one died
            log.exception("keeping the what-if workers warm failed")
        await asyncio.sleep(every_s)


def _stream_hub(pool: asyncpg.Pool, settings: Settings) -> StreamHub:
    """The process's one stream reader; districts of known firms come from the projection."""

    async def seed() -> dict[str, str]:
        return {str(r["firm_id"]): r["district"]
                for r in await Repository(pool).all_standings()}

    return StreamHub(settings.kafka_bootstrap_servers, buffer=settings.stream_buffer,
                     fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms, seed=seed)


def build_app(settings: Settings | None = None, *, clock: Callable[[], date] = date.today) -> FastAPI:
    """The ladder's ASGI app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings) as pool:
            app.state.rulebooks = await handlers.load_rulebooks(UnitOfWork(pool))
            app.state.whatif_worker = WhatIfWorker(settings.service_database_url)
            broker = KafkaBroker(settings.kafka_bootstrap_servers, acks="all",
                                 client_id=client_id(settings.service_name), logger=log,
                                 log_level=logging.DEBUG)
            app.state.broker = broker  # its subscribers go into /asyncapi.json
            app.state.consumer = consumers.firm_events(
                broker, pool, settings, rulebooks=lambda: app.state.rulebooks,
                clock=app.state.clock)
            subscription = Subscription(
                broker, bootstrap=settings.kafka_bootstrap_servers,
                topics=[FIRM_EVENTS, STANDING_EVENTS], partitions=settings.kafka_partitions,
                name="ladder")
            app.state.ready_checks.append(subscription.problem)
            subscription.start()
            app.state.stream_hub = _stream_hub(pool, settings)
            app.state.stream_hub.start()
            sweeper = asyncio.create_task(
                _sweep_forever(app, UnitOfWork(pool), settings))
            judge = asyncio.create_task(_judge_candidates_daily(app, pool))
            tasks = [sweeper, judge]
            if settings.whatif_keep_warm_s > 0:
                tasks.append(asyncio.create_task(
                    _keep_whatif_warm(app, settings.whatif_keep_warm_s)))
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await app.state.stream_hub.stop()
                await subscription.stop()
                app.state.whatif_worker.close()

    app = create_app(
        service="ladder", title="Cultivation tracker — ladder",
        description="Tier standings with explained decisions, targets, candidates and what-if. "
        "Consumes `registry.firm-events`; publishes `ladder.standing-events`.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes)
    app.state.clock = clock
    api.mount(app)
    return app


app = build_app()
