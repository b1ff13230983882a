"""A client's journey through the running system, across a restart."""

from __future__ import annotations

import asyncio

import pytest

from shared.topics import FIRM_EVENTS
from tests.e2e.conftest import RunningStack
from tests.factories import firm_payload, report_payload
from tests.kafka_helpers import collect

pytestmark = pytest.mark.e2e


def test_register_file_read_events_restart_and_stop_cleanly(stack: RunningStack) -> None:
    stack.start()
    with stack.client("registry") as api:
        firm = api.post("/v1/firms", json=firm_payload(founded_on="2015-03-01")).json()
        for year in (2018, 2019, 2020, 2021):
            r = api.put(f"/v1/firms/{firm['id']}/reports/{year}",
                        json=report_payload(revenue=20_000_000 + year))
            assert r.status_code == 201, r.text
        round_ = api.post(f"/v1/firms/{firm['id']}/funding-rounds", json={
            "closed_on": "2021-06-30", "amount": 15_000_000, "currency": "CNY",
            "post_money_valuation": 200_000_000, "investor_kind": "vc_pe"})
        assert round_.status_code == 201 and round_.json()["sequence"] == 6

    events = asyncio.run(collect(stack.bootstrap, FIRM_EVENTS, count=6,
                                 match=lambda e: e["subject"] == firm["id"]))
    assert [e["event_type"] for e in events] == [
        "FirmRegistered", *["AnnualReportFiled"] * 4, "FundingRoundRecorded"]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5, 6]
    event_ids = [e["event_id"] for e in events]

    assert stack.stop() == []
    stack.start()
    with stack.client("registry") as api:
        again = api.get(f"/v1/firms/{firm['id']}").json()
        assert [r["fiscal_year"] for r in again["reports"]] == [2018, 2019, 2020, 2021]
        assert len(again["funding_rounds"]) == 1 and again["sequence"] == 6
        history = api.get(f"/v1/firms/{firm['id']}/events").json()["items"]
        assert [e["event_id"] for e in history] == event_ids
    # Apache Kafka kept its log across the restart: the same events are still there
    refilled = asyncio.run(collect(stack.bootstrap, FIRM_EVENTS, count=6,
                                   match=lambda e: e["subject"] == firm["id"]))
    assert [e["event_id"] for e in refilled] == event_ids


def test_health_is_open_and_everything_else_needs_a_token(stack: RunningStack) -> None:
    import httpx

    stack.start()
    for service in ("registry", "ladder", "notifier"):
        base = stack.url(service)
        assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert "http_requests_total" in httpx.get(f"{base}/metrics").text
        assert httpx.get(f"{base}/openapi.json").status_code == 200
    assert httpx.get(f"{stack.url('registry')}/v1/firms").status_code == 401
