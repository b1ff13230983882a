"""The routes with their dependencies overridden by fakes (in process, no I/O): status codes,
bodies and cursors as clients see them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from registry.api.deps import get_queries, get_today, get_uow
from registry.app import build_app
from registry.queries import Queries
from shared.auth import Principal, current_principal
from tests.factories import firm_payload, report_payload
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit


@pytest.fixture
async def api(uow: FakeRegistryUoW) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app()
    app.dependency_overrides |= {
        get_uow: lambda: uow, get_queries: lambda: Queries(uow.repo),
        get_today: lambda: TODAY,
        current_principal: lambda: Principal(key_id="k1", role="officer"),
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


async def test_register_replay_and_list(api: httpx.AsyncClient) -> None:
    body = firm_payload(district="jinpu")
    created = await api.post("/v1/firms", json=body)
    assert created.status_code == 201 and created.json()["sequence"] == 1
    replay = await api.post("/v1/firms", json=body)
    assert replay.status_code == 200 and replay.json() == created.json()
    clash = await api.post("/v1/firms", json={**body, "name": "另一家科技公司"})
    assert clash.status_code == 409
    assert clash.json()["conflict"]["existing_firm_id"] == created.json()["id"]
    await api.post("/v1/firms", json=firm_payload(district="jinpu"))
    first = (await api.get("/v1/firms", params={"district": "jinpu", "limit": 1})).json()
    second = (await api.get("/v1/firms", params={"district": "jinpu", "limit": 1,
                                                 "cursor": first["next_cursor"]})).json()
    assert first["items"][0]["id"] == created.json()["id"] and second["next_cursor"] is None
    forged = await api.get("/v1/firms", params={"cursor": "not-a-cursor"})
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "cursor"


async def test_report_put_statuses_and_events(api: httpx.AsyncClient) -> None:
    firm = (await api.post("/v1/firms", json=firm_payload())).json()
    url = f"/v1/firms/{firm['id']}/reports/2021"
    assert (await api.put(url, json=report_payload())).status_code == 201
    same = await api.put(url, json=report_payload())
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"
    restated = await api.put(url, json=report_payload(revenue=1))
    assert restated.status_code == 422  # high_tech_revenue above revenue: refused at the door
    late = await api.put(f"/v1/firms/{firm['id']}/reports/2025", json=report_payload())
    assert late.status_code == 422 and late.json()["errors"][0]["rule"] == "not_future"
    events = (await api.get(f"/v1/firms/{firm['id']}/events", params={"limit": 1})).json()
    assert [e["event_type"] for e in events["items"]] == ["FirmRegistered"]
    rest = (await api.get(f"/v1/firms/{firm['id']}/events",
                          params={"cursor": events["next_cursor"]})).json()
    assert [e["event_type"] for e in rest["items"]] == ["AnnualReportFiled"]
    assert (await api.get(f"/v1/firms/{firm['id']}/reports/2020")).status_code == 404
