"""Four years of history imported in one go: the running ladder dates every decision, answers
for any day, and corrects the past when an old report is restated."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from registry.domain.models import AnnualReportIn, FirmIn
from shared.topics import STANDING_EVENTS
from tests.e2e.conftest import RunningStack, caught_up
from tests.factories import firm_payload, report_payload
from tests.kafka_helpers import collect

pytestmark = pytest.mark.e2e
FILED = {2021: "2022-04-15", 2022: "2023-04-10", 2023: "2024-04-12", 2024: "2025-04-08"}
IP = {2021: 1, 2022: 0, 2023: 1, 2024: 1}  # eaglet, at risk, recovered, renewed


def _reports_csv(uscc: str) -> str:
    out = io.StringIO()
    rows = [{"uscc": uscc, "fiscal_year": fy, "filed_on": FILED[fy],
             **report_payload(ip_class1=IP[fy], ip_class2=0)} for fy in FILED]
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def test_history_in_one_go_then_a_restatement_corrects_the_past(
        stack: RunningStack) -> None:
    stack.start()
    async with stack.registry() as registry, stack.ladder() as ladder:
        payload = firm_payload(founded_on="2016-05-01")
        firm = (await registry.register_firm(FirmIn.model_validate(payload))).item
        imported = await registry.import_csv("reports", _reports_csv(payload["uscc"]),
                                             filename="history.csv")
        assert imported.applied == 4, imported
        seq = (await registry.firm(firm.id)).sequence
        today = await caught_up(ladder, firm.id, seq)

        history = await ladder.history(firm.id).all()
        assert [(h.on.isoformat(), h.change) for h in reversed(history)] == [
            ("2022-04-15", "promoted"), ("2023-04-10", "at_risk"), ("2024-04-12", "recovered"),
            ("2025-04-15", "renewed")]
        # the standing at each year's end is what the timeline says
        ends = {}
        for year in (2021, 2022, 2023, 2024, 2025):
            s = await ladder.standing(firm.id, as_of=date(year, 12, 31))
            ends[year] = (s.tier, s.at_risk, s.expires_on and s.expires_on.isoformat())
            assert s.sequence == seq  # whatever day is asked, the last sequence applied
        assert ends == {2021: ("none", False, None),
                        2022: ("eaglet", False, "2025-04-15"), 2023: ("eaglet", True, "2025-04-15"),
                        2024: ("eaglet", False, "2025-04-15"), 2025: ("eaglet", False, "2028-04-15")}
        assert (today.tier, str(today.expires_on), str(today.filed_on)) == (
            "eaglet", "2028-04-15", "2022-04-15")
        listed = await ladder.standings(as_of=date(2023, 12, 31)).all()
        assert [(i.firm_id, i.tier, i.at_risk) for i in listed] == [(firm.id, "eaglet", True)]
        targets = {i.tier: i for i in (await ladder.targets(2022)).items}
        assert (targets["eaglet"].achieved, targets["eaglet"].target) == (1, 170)
        assert (await ladder.targets(2024)).items[0].target is None

        # the FY2021 report restated without IP: it was never an eaglet in 2022
        first_promotion, history_before = history[-1].id, history
        seq = (await registry.file_report(firm.id, 2021, AnnualReportIn.model_validate(
            report_payload(ip_class1=0, ip_class2=0)))).sequence
        restated = (await registry.events(firm.id, after_sequence=seq - 1).first()).items[0]
        assert restated.event_type == "AnnualReportRestated"
        after = await caught_up(ladder, firm.id, seq)
        assert (after.tier, str(after.filed_on)) == ("eaglet", "2024-04-12")
        history = await ladder.history(firm.id).all()
        assert [(h.on.isoformat(), h.change, h.supersedes) for h in history] == [
            ("2024-04-12", "promoted", first_promotion)]
        targets = {i.tier: i for i in (await ladder.targets(2022)).items}
        assert targets["eaglet"].achieved == 0
        later = await ladder.targets(2024)  # no targets that year: counts, target null
        assert not later.targets_set
        assert {i.tier: (i.achieved, i.target) for i in later.items}["eaglet"] == (1, None)

    # what the restatement published: the promotion moved to 2024 (naming the one it
    # supersedes) and the 2023 at-risk decision withdrawn (that day the firm stood nowhere)
    restated_id = str(restated.event_id)
    corrections = await collect(
        stack.bootstrap, STANDING_EVENTS, count=3, timeout_s=10,
        match=lambda e: e["data"].get("trigger_event_id") == restated_id)
    assert [(e["event_type"], e["data"]["decided_on"], e["data"]["to_tier"])
            for e in corrections] == [("TierPromoted", "2024-04-12", "eaglet"),
                                      ("TierDemoted", "2023-04-10", "none")]
    assert corrections[0]["data"]["supersedes"] == str(first_promotion)
    assert corrections[1]["data"]["supersedes"] == str(history_before[-2].id)
