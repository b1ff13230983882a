"""Helpers for notifier integration tests: a movable clock, a running app, waiting, events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from notifier.app import build_app
from notifier.config import Settings
from shared.events import EventEnvelope
from tests.factories import auth
from tests.integration.conftest import serve

BUREAU = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def bureau_time(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware datetime in bureau time (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=BUREAU)


@asynccontextmanager
async def running(settings: Settings, clock: Callable[[], datetime] | None = None,
                  ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The notifier app, lifespan and all, with an admin client."""
    app = build_app(settings, clock=clock)
    async with serve(app) as client:
        client.headers.update(auth())
        yield app, client


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 5.0,
                what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def consume(app: FastAPI, event: EventEnvelope) -> str:
    """Hand one event to the app's consumer, as the subscriber does."""
    outcome: str = await app.state.consumer.process(event.model_dump_json().encode())
    return outcome


async def create_officer(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """POST /v1/officers with sensible defaults; returns the created officer."""
    body = {"name": "王敏", "email": "wangmin@kjj.dl.gov.cn", **fields}
    r = await client.post("/v1/officers", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def deliveries(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """GET /v1/deliveries items."""
    r = await client.get("/v1/deliveries", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def inbox(client: httpx.AsyncClient, officer_id: str, **params: Any) -> dict[str, Any]:
    """GET an officer's inbox page."""
    r = await client.get(f"/v1/officers/{officer_id}/inbox", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]
