"""Composition root of the entitlements service: settings, pool, relay, subscriber, sweep,
routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from entitlements import api
from entitlements.config import Settings, get_settings
from entitlements.consumers import build_consumer
from entitlements.handlers.policies import install_shipped
from entitlements.repository import UnitOfWork
from entitlements.workers import ReminderSweep
from shared.consuming import Subscription
from shared.kafka import client_id
from shared.runtime import service_runtime
from shared.web import allow_origins, create_app

BUREAU_TZ = ZoneInfo("Asia/Shanghai")


def today_cst() -> date:
    """Today in China Standard Time: the date every step is recorded on."""
    return datetime.now(BUREAU_TZ).date()


def build_app(settings: Settings | None = None, *,
              clock: Callable[[], date] | None = None) -> FastAPI:
    """The service's ASGI app; `app.state.clock` may be replaced (tests fix the day)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(app, settings) as pool:
            await install_shipped(UnitOfWork(pool))
            today: Callable[[], date] = lambda: app.state.clock()  # noqa: E731 - read late
            broker = KafkaBroker(settings.kafka_bootstrap_servers,
                                 client_id=client_id(settings.service_name))
            app.state.broker = broker  # its subscribers go into /asyncapi.json
            app.state.consumer = build_consumer(broker, pool, settings, today)
            subscription = Subscription(
                broker, bootstrap=settings.kafka_bootstrap_servers,
                topics=[settings.entitlements_events_topic],
                partitions=settings.kafka_partitions, name="entitlements")
            sweep = ReminderSweep(lambda: UnitOfWork(pool), today=today,
                                  after_days=settings.entitlements_remind_after_days,
                                  expire_days=settings.entitlements_expire_after_days,
                                  interval_s=settings.entitlements_sweep_interval_s)
            app.state.sweep = sweep
            if settings.entitlements_subscribe:
                app.state.ready_checks.append(subscription.problem)
                subscription.start()
            sweep.start()
            try:
                yield
            finally:
                await sweep.stop()
                await subscription.stop()

    app = create_app(
        service="entitlements", title="Cultivation tracker — entitlements",
        description="Policies as data (免申即享: the data held decides who is owed what): "
        "filings and certificates from `registry.firm-events` become entitlements with a "
        "trace, which officers offer and firms confirm, finance approves and pays; the year's "
        "budget. Changes are published on `entitlements.entitlement-events`.",
        lifespan=lifespan, max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes, upload_paths=("/v1/imports",),
    )
    app.state.clock = clock or today_cst
    allow_origins(app, [settings.ladder_url, *settings.entitlements_cors_origins.split(",")])
    for router in api.routers:
        app.include_router(router)
    return app


app = build_app()
