"""Facts filed through the registry move a firm up the ladder in the running system."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.domain.models import AnnualReportIn, FirmIn
from shared.topics import STANDING_EVENTS
from tests.e2e.conftest import RunningStack, caught_up
from tests.factories import firm_payload, gazelle_reports, report_payload
from tests.kafka_helpers import collect

pytestmark = pytest.mark.e2e


async def test_filing_facts_promotes_and_counts_toward_targets(stack: RunningStack) -> None:
    stack.start()
    year = date.today().year  # the services judge "today"; the latest FY is last year
    fy = year - 1
    # filed the day before the rest: one decision per day, so facts of one day are one step
    first_filed = max(date(year, 1, 1), date.today() - timedelta(days=1)).isoformat()
    async with stack.registry() as registry, stack.ladder() as ladder:
        assert (await ladder.set_targets(year, {"eaglet": 4, "gazelle": 2})).year == year
        firm = (await registry.register_firm(
            FirmIn.model_validate(firm_payload(founded_on=f"{fy - 5}-01-15")))).item
        seq = (await registry.file_report(firm.id, fy, AnnualReportIn.model_validate(
            report_payload(ip_class1=1, filed_on=first_filed)))).sequence
        standing = await caught_up(ladder, firm.id, seq)
        assert standing.tier == "eaglet" and standing.round_year == year

        for year_filed, body in gazelle_reports(fy, date.today().isoformat()):
            seq = (await registry.file_report(
                firm.id, year_filed, AnnualReportIn.model_validate(body))).sequence
        standing = await caught_up(ladder, firm.id, seq)
        assert standing.tier == "gazelle"
        assert standing.criteria["gazelle"]["passed"] is True

        history = await ladder.history(firm.id).all()
        assert [h.to_tier for h in history] == ["gazelle", "eaglet"]
        targets = {i.tier: i for i in (await ladder.targets(year)).items}
        assert targets["eaglet"].achieved == 1 and targets["gazelle"].achieved == 1
        assert targets["gazelle"].progress == 0.5

    firm_id = str(firm.id)
    events = await collect(stack.bootstrap, STANDING_EVENTS, count=2,
                           match=lambda e: e["subject"] == firm_id
                           and e["event_type"] == "TierPromoted")
    assert [e["data"]["to_tier"] for e in events] == ["eaglet", "gazelle"]
    assert all(e["data"]["decision_id"] for e in events)
    milestones = await collect(stack.bootstrap, STANDING_EVENTS, count=2,
                               match=lambda e: e["event_type"] == "TargetMilestoneReached"
                               and e["subject"] == str(year))
    assert {m["data"]["key"] for m in milestones} == {"eaglet", "gazelle"}
