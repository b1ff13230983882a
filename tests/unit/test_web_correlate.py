"""The shared HTTP frame's correlation ids and request metrics (pure ASGI middleware)."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest
from fastapi import Request
from prometheus_client import REGISTRY

from shared.errors import NotFound
from shared.web import create_app

pytestmark = pytest.mark.unit


def _app(service: str) -> httpx.AsyncClient:
    app = create_app(service=service, title="t", description="d")

    @app.get("/v1/things/{thing_id}")
    async def thing(thing_id: str, request: Request) -> dict[str, str]:
        if thing_id == "missing":
            raise NotFound("no such thing")
        if thing_id == "broken":
            raise RuntimeError("boom")
        if thing_id == "away":
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        return {"correlation_id": request.state.correlation_id}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _count(service: str, route: str, status: str, method: str = "GET") -> float:
    value = REGISTRY.get_sample_value("http_requests_total", {
        "service": service, "method": method, "route": route, "status": status})
    return value or 0.0


async def test_a_given_request_id_reaches_the_handler_and_comes_back() -> None:
    async with _app(f"svc-{uuid.uuid4().hex[:6]}") as client:
        r = await client.get("/v1/things/a", headers={"x-request-id": "req-42"})
    assert r.status_code == 200
    assert r.json() == {"correlation_id": "req-42"}
    assert r.headers["x-request-id"] == "req-42"


async def test_without_one_each_request_gets_a_new_id() -> None:
    async with _app(f"svc-{uuid.uuid4().hex[:6]}") as client:
        first, second = await client.get("/v1/things/a"), await client.get("/v1/things/a")
    ids = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2 and all(uuid.UUID(i) for i in ids)
    assert first.json()["correlation_id"] == first.headers["x-request-id"]


async def test_requests_are_counted_by_route_template_and_status() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    route = "/v1/things/{thing_id}"
    async with _app(service) as client:
        await client.get("/v1/things/a")
        await client.get("/v1/things/b")
        missing = await client.get("/v1/things/missing")
        await client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["x-request-id"]
    assert _count(service, route, "200") == 2
    assert _count(service, route, "404") == 1
    assert _count(service, "unmatched", "404") == 1
    latency = REGISTRY.get_sample_value("http_request_seconds_count",
                                        {"service": service, "route": route})
    assert latency == 3


async def test_an_unexpected_error_is_a_500_naming_the_correlation_id_and_counted() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    async with _app(service) as client:
        r = await client.get("/v1/things/broken", headers={"x-request-id": "req-500"})
    assert r.status_code == 500
    assert r.json()["correlation_id"] == "req-500"
    assert _count(service, "/v1/things/{thing_id}", "500") == 1


async def test_a_database_away_is_counted_as_the_503_it_answers() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    async with _app(service) as client:
        r = await client.get("/v1/things/away")
    assert r.status_code == 503
    assert _count(service, "/v1/things/{thing_id}", "503") == 1
    assert _count(service, "/v1/things/{thing_id}", "500") == 0
