"""Facts filed through the registry move a firm up the ladder in the running system."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from shared.topics import STANDING_EVENTS
from tests.e2e.conftest import RunningStack, caught_up
from tests.factories import firm_payload, report_payload
from tests.kafka_helpers import collect

pytestmark = pytest.mark.e2e


def test_filing_facts_promotes_and_counts_toward_targets(stack: RunningStack) -> None:
    stack.start()
    year = date.today().year  # the services judge "today"; the latest FY is last year
    fy = year - 1
    # filed the day before the rest: one decision per day, so facts of one day are one step
    first_filed = max(date(year, 1, 1), date.today() - timedelta(days=1)).isoformat()
    with stack.client("registry") as registry, stack.client("ladder") as ladder:
        assert ladder.put(f"/v1/targets/{year}", json={"eaglet": 4, "gazelle": 2}).status_code == 200
        firm = registry.post("/v1/firms", json=firm_payload(founded_on=f"{fy - 5}-01-15")).json()
        seq = registry.put(f"/v1/firms/{firm['id']}/reports/{fy}",
                           json=report_payload(ip_class1=1, filed_on=first_filed)).json()["sequence"]
        standing = caught_up(ladder, firm["id"], seq)
        assert standing["tier"] == "eaglet" and standing["round_year"] == year

        base = 20_000_000
        for offset, factor in ((3, 4), (2, 5), (1, 6), (0, 8)):  # revenue CAGR 26%
            revenue = base * factor // 4
            seq = registry.put(f"/v1/firms/{firm['id']}/reports/{fy - offset}", json=report_payload(
                revenue=revenue, sales_revenue=revenue, high_tech_revenue=revenue // 2,
                st_activity_investment=revenue // 25, ip_class1=1,
                filed_on=date.today().isoformat())).json()["sequence"]
        standing = caught_up(ladder, firm["id"], seq)
        assert standing["tier"] == "gazelle"
        assert standing["criteria"]["gazelle"]["passed"] is True

        history = ladder.get(f"/v1/firms/{firm['id']}/history").json()["items"]
        assert [h["to_tier"] for h in history] == ["gazelle", "eaglet"]
        targets = {i["tier"]: i for i in ladder.get(f"/v1/targets/{year}").json()["items"]}
        assert targets["eaglet"]["achieved"] == 1 and targets["gazelle"]["achieved"] == 1
        assert targets["gazelle"]["progress"] == 0.5

    events = asyncio.run(collect(stack.bootstrap, STANDING_EVENTS, count=2,
                                 match=lambda e: e["subject"] == firm["id"]
                                 and e["event_type"] == "TierPromoted"))
    assert [e["data"]["to_tier"] for e in events] == ["eaglet", "gazelle"]
    assert all(e["data"]["decision_id"] for e in events)
    milestones = asyncio.run(collect(stack.bootstrap, STANDING_EVENTS, count=2,
                                     match=lambda e: e["event_type"] == "TargetMilestoneReached"
                                     and e["subject"] == str(year)))
    assert {m["data"]["key"] for m in milestones} == {"eaglet", "gazelle"}
