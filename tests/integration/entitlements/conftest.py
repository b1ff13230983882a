"""Fixtures for the entitlements service tests: a fresh database, its own topic and group."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from entitlements.app import build_app
from entitlements.config import Settings
from shared.events import EventEnvelope
from tests.conftest import fresh_database
from tests.factories import auth
from tests.integration.conftest import serve, service_settings


@pytest.fixture
async def entitlements_db(pg_server_url: str) -> str:
    """The name of a fresh entitlements database."""
    return await fresh_database(pg_server_url, "entitlements")


@pytest.fixture
def make_settings(pg_server_url: str, entitlements_db: str,
                  kafka_bootstrap: str) -> Callable[..., Settings]:
    """Settings for this test: its own database, topic and group."""
    tag = uuid.uuid4().hex[:10]

    def make(**extra: Any) -> Settings:
        defaults: dict[str, Any] = {"entitlements_events_topic": f"test.firms.{tag}",
                                    "entitlements_consumer_group": f"entitlements-{tag}",
                                    "ladder_url": "https://ladder.test"}
        settings: Settings = service_settings(
            Settings, server_url=pg_server_url, database=entitlements_db,
            bootstrap=kafka_bootstrap, **{**defaults, **extra})
        return settings

    return make


@asynccontextmanager
async def running(settings: Settings, today: date
                  ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app, lifespan and all, on a fixed day, with an admin client."""
    app = build_app(settings, clock=lambda: today)
    async with serve(app) as client:
        client.headers.update(auth())
        yield app, client


async def publish(bootstrap: str, topic: str, events: list[EventEnvelope]) -> None:
    """Put registry events on a topic, keyed by firm, as the registry's relay does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(topic, e.model_dump_json().encode(),
                                         key=e.subject.encode())
    finally:
        await producer.stop()


Until = Callable[[Callable[[], Awaitable[Any]], float, str], Awaitable[Any]]
