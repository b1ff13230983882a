"""The demo loader against a real registry (real PostgreSQL, real broker) over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
import uvicorn

from registry.app import build_app
from registry.config import Settings
from tests.factories import ADMIN_TOKEN, auth
from tests.integration.conftest import service_settings
from tracker import demo
from tracker.demo import generate, load_demo
from tracker.embedded import free_port

pytestmark = pytest.mark.integration

FIRMS = 150
SEED = 515


@pytest.fixture
async def registry_url(pg_server_url: str, registry_db: str,
                       kafka_bootstrap: str) -> AsyncIterator[str]:
    """The registry app served by uvicorn on a free local port, in this event loop."""
    settings = service_settings(Settings, server_url=pg_server_url, database=registry_db,
                                bootstrap=kafka_bootstrap)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(settings), host="127.0.0.1", port=port,
                                           log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(300):
        if server.started or task.done():
            break
        await asyncio.sleep(0.05)
    if not server.started:
        server.should_exit = True
        await task
        raise RuntimeError("the registry did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 30)


async def _firms(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Every firm by USCC, paging the list."""
    out: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/firms", params=params)).json()
        out.update({f["uscc"]: f for f in page["items"]})
        cursor = page["next_cursor"]
        if cursor is None:
            return out


async def test_demo_loads_through_the_api_and_a_second_load_changes_nothing(
    registry_url: str,
) -> None:
    as_of = max(date.today(), demo.REFERENCE_DAY)  # what load_demo uses by default
    data = generate(SEED, FIRMS, as_of=as_of)
    expected = {"firms": FIRMS, "reports": data.report_count,
                "funding_rounds": data.funding_round_count,
                "certificates": data.certificate_count}

    seen: dict[str, list[tuple[int, int]]] = {}
    first = await load_demo(registry_url, ADMIN_TOKEN, firms=FIRMS, seed=SEED,
                            progress=lambda stage, done, total: seen.setdefault(stage, []).append(
                                (done, total)))
    assert first["rejected"] == 0, first["problems"]
    facts = data.funding_round_count + data.certificate_count
    assert {stage: calls[-1] for stage, calls in seen.items()} == {
        "firms": (FIRMS, FIRMS), "reports": (data.report_count, data.report_count),
        "facts": (facts, facts)}
    assert all([d for d, _ in calls] == sorted(d for d, _ in calls) for calls in seen.values())
    assert {k: first[k] for k in expected} == expected
    assert first["created"] == expected
    assert first["seconds"] > 0

    async with httpx.AsyncClient(base_url=registry_url, headers=auth(), timeout=30) as client:
        firms = await _firms(client)
        assert set(firms) == {f.uscc for f in data.firms}
        # one event per firm, report, round and certificate: the sequences add up
        assert sum(f["sequence"] for f in firms.values()) == sum(expected.values())

        by_profile = {f.profile: f for f in data.firms}
        candidate = by_profile[demo.UNICORN_CANDIDATE]
        got = (await client.get(f"/v1/firms/{firms[candidate.uscc]['id']}")).json()
        assert got["name"] == candidate.name and got["district"] == "hitech"
        assert sorted(r["fiscal_year"] for r in got["reports"]) == sorted(candidate.reports)
        assert sorted(r["post_money_valuation"] for r in got["funding_rounds"]) == sorted(
            r["post_money_valuation"] for r in candidate.funding_rounds)
        assert sorted((c["kind"], c["issued_on"]) for c in got["certificates"]) == sorted(
            (c["kind"], c["issued_on"]) for c in candidate.certificates)
        assert [f["uscc"] for f in firms.values() if f["abnormal_list"]] == [
            f.uscc for f in data.firms if f.abnormal_list]
        events = (await client.get(f"/v1/firms/{firms[candidate.uscc]['id']}/events")).json()
        assert [e["event_type"] for e in events["items"]][:1] == ["FirmRegistered"]

        second = await load_demo(registry_url, ADMIN_TOKEN, firms=FIRMS, seed=SEED, as_of=as_of)
        assert second["rejected"] == 0, second["problems"]
        assert {k: second[k] for k in expected} == expected
        assert second["created"] == dict.fromkeys(expected, 0)
        assert await _firms(client) == firms  # same ids, sequences, timestamps: no new events


async def test_a_wrong_token_stops_the_load(registry_url: str) -> None:
    with pytest.raises(demo.DemoLoadError, match="401"):
        await load_demo(registry_url, "ct_not_a_token", firms=demo.MIN_FIRMS)
