"""A database that is away answers 503 with Retry-After; a bug still answers 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from shared.web import create_app

pytestmark = pytest.mark.unit


def _app() -> httpx.AsyncClient:
    app = create_app(service="t", title="t", description="t")

    @app.get("/away")
    async def away() -> None:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    @app.get("/shutdown")
    async def shutdown() -> None:  # a query cut off by the server's fast shutdown
        raise asyncpg.AdminShutdownError("terminating connection due to administrator command")

    @app.get("/cut")
    async def cut() -> None:  # a transaction's connection the server ended (asyncpg#784)
        raise asyncpg.InternalClientError(
            "cannot switch to state 15; another operation (2) is in progress")

    @app.get("/refused")
    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    @app.get("/bug")
    async def bug() -> None:
        raise KeyError("oops")

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://t")


async def test_database_away_is_503_and_a_bug_is_500() -> None:
    async with _app() as client:
        for path in ("/away", "/shutdown", "/cut", "/refused"):
            r = await client.get(path)
            assert r.status_code == 503, (path, r.text)
            assert r.headers["retry-after"] == "1"
            assert "database is unavailable" in r.json()["detail"]
        assert (await client.get("/bug")).status_code == 500
