"""Fair limits on a real service (the registry on PostgreSQL): a viewer's burst is answered
429 with Retry-After while another key and an admin's import go on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from registry.app import build_app
from registry.config import Settings
from shared.auth import create_key
from shared.db import connect
from shared.problems import PROBLEM_JSON
from shared.settings import database_url_for
from tests.factories import auth, firm_payload
from tests.integration.conftest import serve, service_settings

pytestmark = pytest.mark.integration

LIMITS = {"viewer.read": "5/10", "anonymous.read": "2/3", "officer.import": "5/10/1"}


@pytest.fixture
async def client(pg_server_url: str, registry_db: str,
                 kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = service_settings(Settings, server_url=pg_server_url, database=registry_db,
                                bootstrap=kafka_bootstrap, rate_limits=LIMITS)
    async with serve(build_app(settings)) as c:
        c.headers.update(auth())  # the admin token, unless a test sends another
        yield c


async def _keys(pg_server_url: str, registry_db: str, *roles: str) -> list[dict[str, str]]:
    conn = await connect(database_url_for(pg_server_url, registry_db))
    try:
        headers = []
        for role in roles:
            token = f"ct_{role}_{uuid.uuid4().hex}"
            await create_key(conn, key_id=uuid.uuid4(), token=token, role=role,  # type: ignore[arg-type]
                             officer_id=uuid.uuid4() if role == "officer" else None)
            headers.append(auth(token))
        return headers
    finally:
        await conn.close()


def _firms_csv(n: int) -> bytes:
    rows = ["uscc,name,district,industry,founded_on"]
    for _ in range(n):
        f = firm_payload()
        rows.append(f"{f['uscc']},{f['name']},{f['district']},{f['industry']},{f['founded_on']}")
    return ("\n".join(rows) + "\n").encode()


async def test_a_viewer_burst_gets_429s_another_key_does_not(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    flooder, bystander = await _keys(pg_server_url, registry_db, "viewer", "viewer")
    answers = [await client.get("/v1/firms", headers=flooder) for _ in range(20)]
    statuses = [r.status_code for r in answers]
    assert statuses[:10] == [200] * 10, statuses  # the burst
    refused = [r for r in answers if r.status_code == 429]
    assert len(refused) >= 8, statuses  # 5 a second refill: at most a couple more pass
    first = refused[0]
    assert first.headers["content-type"].startswith(PROBLEM_JSON)
    body = first.json()
    assert body["status"] == 429 and body["instance"] == "/v1/firms"
    assert body["limit"]["route_class"] == "read" and body["limit"]["role"] == "viewer"
    assert int(first.headers["retry-after"]) >= 1
    assert first.headers["ratelimit-limit"] == "10" and first.headers["ratelimit-remaining"] == "0"
    assert first.headers["ratelimit-policy"] == "10;w=2"
    assert first.headers["x-request-id"] == body["correlation_id"]

    other = await client.get("/v1/firms", headers=bystander)  # its own bucket, full
    assert other.status_code == 200 and other.headers["ratelimit-remaining"] == "9"

    await asyncio.sleep(float(first.headers["retry-after"]))
    assert (await client.get("/v1/firms", headers=flooder)).status_code == 200  # refilled

    metrics = (await client.get("/metrics")).text  # never limited itself
    counted = [line for line in metrics.splitlines()
               if line.startswith("http_rate_limited_total{") and all(
                   label in line for label in ('role="viewer"', 'route_class="read"',
                                               'service="registry"'))]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= len(refused)
    assert 'status="429"' in metrics  # the HTTP metrics count the 429s too


async def test_calls_without_a_key_are_limited_by_address(client: httpx.AsyncClient) -> None:
    client.headers.pop("Authorization", None)
    statuses = [(await client.get("/v1/firms")).status_code for _ in range(6)]
    assert statuses[:3] == [401] * 3 and 429 in statuses[3:], statuses  # 3 a burst, per address
    assert (await client.get("/healthz")).status_code == 200  # ops routes are never limited


async def test_an_admin_import_is_not_starved_by_a_flood(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    viewer, officer = await _keys(pg_server_url, registry_db, "viewer", "officer")
    stop = asyncio.Event()
    refused: list[int] = []

    async def flood(headers: dict[str, str], method: str, path: str, **kw: object) -> None:
        while not stop.is_set():
            r = await client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
            refused.append(r.status_code)
            await asyncio.sleep(0)

    upload = {"file": ("firms.csv", _firms_csv(1), "text/csv")}
    floods = [asyncio.create_task(flood(viewer, "GET", "/v1/firms")),
              asyncio.create_task(flood(officer, "POST", "/v1/imports?kind=firms", files=upload))]
    try:
        await asyncio.sleep(0.5)
        for _ in range(3):  # the admin's imports, one after another, each answered at once
            r = await client.post("/v1/imports", params={"kind": "firms"},
                                  files={"file": ("firms.csv", _firms_csv(50), "text/csv")})
            assert r.status_code in (200, 201), r.text
            assert r.json()["applied"] == 50
    finally:
        stop.set()
        await asyncio.gather(*floods)
    assert refused.count(429) > 10, "the flood was limited"


async def test_one_import_at_a_time_per_key(
        client: httpx.AsyncClient, pg_server_url: str, registry_db: str) -> None:
    [officer] = await _keys(pg_server_url, registry_db, "officer")
    def upload(rows: int) -> dict[str, tuple[str, bytes, str]]:
        return {"file": ("firms.csv", _firms_csv(rows), "text/csv")}

    # two sent side by side: whichever reaches the service first runs, the other is refused
    both = await asyncio.gather(*(client.post("/v1/imports?kind=firms", headers=officer,
                                              files=upload(500)) for _ in range(2)))
    assert sorted(r.status_code for r in both) == [201, 429], [r.text for r in both]
    refused = next(r for r in both if r.status_code == 429)
    assert "one import at a time" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "1"
    await asyncio.sleep(1)
    assert (await client.post("/v1/imports?kind=firms", headers=officer,
                              files=upload(1))).status_code == 201  # once it is done: welcome
