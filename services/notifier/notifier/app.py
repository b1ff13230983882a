"""Composition root of the notifier: settings, pool, relay, subscriber, worker, routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial

import asyncpg
import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from notifier import api
from notifier.channels.senders import send
from notifier.config import Settings, get_settings
from notifier.consumers import build_consumer, build_entitlement_consumer
from notifier.repository import UnitOfWork
from notifier.workers import DeliveryWorker
from shared.consuming import Subscription
from shared.kafka import client_id
from shared.runtime import service_runtime
from shared.topics import ALERT_EVENTS
from shared.web import allow_origins, create_app


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def build_worker(pool: asyncpg.Pool, settings: Settings, clock: Callable[[], datetime],
                 http: httpx.AsyncClient) -> DeliveryWorker:
    """The delivery worker on this pool, sending through this HTTP client."""
    sender = partial(send, http=http, smtp=settings.smtp(),
                     timeout_s=settings.notifier_delivery_timeout_s)
    return DeliveryWorker(uow=lambda: UnitOfWork(pool), settings=settings, clock=clock,
                          send=sender)


def build_app(settings: Settings | None = None, *,
              clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The notifier's ASGI app; `app.state.clock` may be replaced (tests move time)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings) as pool, \
                httpx.AsyncClient(trust_env=False) as http:
            # trust_env=False: an environment proxy must not carry webhook traffic elsewhere.
            now: Callable[[], datetime] = lambda: app.state.clock()  # noqa: E731 - read late
            worker = build_worker(pool, settings, now, http)
            broker = KafkaBroker(settings.kafka_bootstrap_servers,
                                 client_id=client_id(settings.service_name))
            app.state.broker = broker  # its subscribers go into /asyncapi.json
            app.state.worker = worker
            app.state.consumer = build_consumer(broker, pool, settings, now, worker.wake)
            app.state.entitlement_consumer = build_entitlement_consumer(
                broker, pool, settings, now, worker.wake)
            subscription = Subscription(
                broker, bootstrap=settings.kafka_bootstrap_servers,
                topics=[settings.notifier_events_topic, settings.notifier_entitlements_topic,
                        ALERT_EVENTS],
                partitions=settings.kafka_partitions, name="notifier")
            app.state.ready_checks.append(worker.problem)
            if settings.notifier_subscribe:
                app.state.ready_checks.append(subscription.problem)
                subscription.start()
            if settings.notifier_worker_enabled:
                worker.start()
            try:
                yield
            finally:
                await worker.stop()
                await subscription.stop()

    app = create_app(
        service="notifier", title="Cultivation tracker — notifier",
        description="Turns standing and target events (Kafka topic `ladder.standing-events`) "
        "into alerts for case officers: inbox, webhooks, WeCom/DingTalk/Feishu bots and email, "
        "with retries, quiet hours, digests and escalation. Outcomes are published on "
        "`notifier.alert-events`.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes,
    )
    app.state.clock = clock or utc_now
    allow_origins(app, [settings.ladder_url, *settings.notifier_cors_origins.split(",")])
    for router in api.routers:
        app.include_router(router)
    return app


app = build_app()
