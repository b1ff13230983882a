"""Every error, whatever raised it, answers RFC 9457 problem details."""

from __future__ import annotations

import httpx
import pytest
from fastapi import HTTPException
from pydantic import BaseModel

from shared.errors import Conflict, NotFound, Rejected
from shared.web import create_app

pytestmark = pytest.mark.unit


class _Body(BaseModel):
    revenue: int


def _client() -> httpx.AsyncClient:
    app = create_app(service="t", title="t", description="t", max_body_bytes=100)

    @app.post("/things")
    async def things(body: _Body) -> dict[str, int]:
        return {"revenue": body.revenue}

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("no thing 7")

    @app.get("/clash")
    async def clash() -> None:
        raise Conflict("USCC taken", existing_firm_id="f-1")

    @app.get("/rule")
    async def rule() -> None:
        raise Rejected("cursor", "cursor", "cursor is not one this API gave out")

    @app.get("/denied")
    async def denied() -> None:
        raise HTTPException(403, "role 'viewer' may not do this")

    @app.get("/bug")
    async def bug() -> None:
        raise KeyError("oops")

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://t", headers={"x-request-id": "req-1"})


async def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


async def test_each_kind_of_error_is_a_problem() -> None:
    async with _client() as client:
        bad = await _problem(await client.post("/things", json={"revenue": "lots"}), 422)
        assert bad["errors"] == [{"field": "revenue", "rule": "int_parsing",
                                  "message": bad["errors"][0]["message"]}]
        assert bad["instance"] == "/things" and bad["correlation_id"] == "req-1"
        malformed = await _problem(await client.post(
            "/things", content=b"{", headers={"content-type": "application/json"}), 422)
        assert "malformed JSON" in malformed["errors"][0]["message"]
        assert (await _problem(await client.get("/missing"), 404))["detail"] == "no thing 7"
        clash = await _problem(await client.get("/clash"), 409)
        assert clash["conflict"] == {"existing_firm_id": "f-1"}
        rule = await _problem(await client.get("/rule"), 422)
        assert rule["errors"][0]["field"] == "cursor"
        assert "viewer" in (await _problem(await client.get("/denied"), 403))["detail"]
        assert (await _problem(await client.get("/nowhere"), 404))["instance"] == "/nowhere"
        assert "logged" in (await _problem(await client.get("/bug"), 500))["detail"]
        huge = await _problem(await client.post("/things", content=b"x" * 500), 413)
        assert "limit" in huge["detail"]
        nul = await _problem(await client.post("/things", json={"revenue": "\x00"}), 422)
        assert nul["errors"][0]["rule"] == "no_nul"
