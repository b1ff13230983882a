"""A client's journey through the running system, across a restart."""

from __future__ import annotations

import httpx
import pytest

from registry.domain.models import AnnualReportIn, FirmIn, FundingRoundIn
from shared.topics import FIRM_EVENTS
from tests.e2e.conftest import RunningStack
from tests.factories import firm_payload, report_payload
from tests.kafka_helpers import collect
from tracker.client import ApiProblem, Registry, ServiceClient

pytestmark = pytest.mark.e2e


async def test_register_file_read_events_restart_and_stop_cleanly(stack: RunningStack) -> None:
    stack.start()
    async with stack.registry() as api:
        firm = (await api.register_firm(
            FirmIn.model_validate(firm_payload(founded_on="2015-03-01")))).item
        for year in (2018, 2019, 2020, 2021):
            r = await api.file_report(firm.id, year, AnnualReportIn.model_validate(
                report_payload(revenue=20_000_000 + year)))
            assert r.outcome == "filed", r  # answered 201
        round_ = await api.record_funding_round(firm.id, FundingRoundIn.model_validate({
            "closed_on": "2021-06-30", "amount": 15_000_000, "currency": "CNY",
            "post_money_valuation": 200_000_000, "investor_kind": "vc_pe"}))
        assert round_.created and round_.item.sequence == 6

    firm_id = str(firm.id)
    events = await collect(stack.bootstrap, FIRM_EVENTS, count=6,
                           match=lambda e: e["subject"] == firm_id)
    assert [e["event_type"] for e in events] == [
        "FirmRegistered", *["AnnualReportFiled"] * 4, "FundingRoundRecorded"]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5, 6]
    event_ids = [e["event_id"] for e in events]

    assert stack.stop() == []
    stack.start()
    async with stack.registry() as api:
        again = await api.firm(firm.id)
        assert [r.fiscal_year for r in again.reports] == [2018, 2019, 2020, 2021]
        assert len(again.funding_rounds) == 1 and again.sequence == 6
        history = await api.events(firm.id).all()
        assert [str(e.event_id) for e in history] == event_ids
    # Apache Kafka kept its log across the restart: the same events are still there
    refilled = await collect(stack.bootstrap, FIRM_EVENTS, count=6,
                             match=lambda e: e["subject"] == firm_id)
    assert [e["event_id"] for e in refilled] == event_ids


async def test_health_is_open_and_everything_else_needs_a_token(stack: RunningStack) -> None:
    stack.start()
    for service in ("registry", "ladder", "notifier"):
        base = stack.url(service)
        async with ServiceClient(base) as anonymous:
            assert (await anonymous.health()).status == "ok"
            assert (await anonymous.ready()).status == "ready"  # a 503 would raise
        assert "http_requests_total" in httpx.get(f"{base}/metrics").text
        assert httpx.get(f"{base}/openapi.json").status_code == 200
    async with Registry(stack.url("registry")) as anonymous:
        with pytest.raises(ApiProblem) as refused:
            await anonymous.firms().first()
    assert refused.value.status == 401
