"""Four years of history imported in one go: the running ladder dates every decision, answers
for any day, and corrects the past when an old report is restated."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

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


def test_history_in_one_go_then_a_restatement_corrects_the_past(stack: RunningStack) -> None:
    stack.start()
    with stack.client("registry") as registry, stack.client("ladder") as ladder:
        payload = firm_payload(founded_on="2016-05-01")
        firm = registry.post("/v1/firms", json=payload).json()
        imported = registry.post("/v1/imports", params={"kind": "reports"}, files={
            "file": ("history.csv", _reports_csv(payload["uscc"]).encode(), "text/csv")}).json()
        assert imported["applied"] == 4, imported
        seq = registry.get(f"/v1/firms/{firm['id']}").json()["sequence"]
        today = caught_up(ladder, firm["id"], seq)

        history = ladder.get(f"/v1/firms/{firm['id']}/history").json()["items"]
        assert [(h["on"], h["change"]) for h in reversed(history)] == [
            ("2022-04-15", "promoted"), ("2023-04-10", "at_risk"), ("2024-04-12", "recovered"),
            ("2025-04-15", "renewed")]
        # the standing at each year's end is what the timeline says
        ends = {}
        for year in (2021, 2022, 2023, 2024, 2025):
            s = ladder.get(f"/v1/firms/{firm['id']}/standing",
                           params={"as_of": f"{year}-12-31"}).json()
            ends[year] = (s["tier"], s["at_risk"], s["expires_on"])
            assert s["sequence"] == seq  # whatever day is asked, the last sequence applied
        assert ends == {2021: ("none", False, None),
                        2022: ("eaglet", False, "2025-04-15"), 2023: ("eaglet", True, "2025-04-15"),
                        2024: ("eaglet", False, "2025-04-15"), 2025: ("eaglet", False, "2028-04-15")}
        assert (today["tier"], today["expires_on"], today["filed_on"]) == (
            "eaglet", "2028-04-15", "2022-04-15")
        listed = ladder.get("/v1/standings", params={"as_of": "2023-12-31"}).json()["items"]
        assert [(i["firm_id"], i["tier"], i["at_risk"]) for i in listed] == [
            (firm["id"], "eaglet", True)]
        targets = {i["tier"]: i for i in ladder.get("/v1/targets/2022").json()["items"]}
        assert (targets["eaglet"]["achieved"], targets["eaglet"]["target"]) == (1, 170)
        assert ladder.get("/v1/targets/2024").json()["items"][0]["target"] is None

        # the FY2021 report restated without IP: it was never an eaglet in 2022
        first_promotion, history_before = history[-1]["id"], history
        seq = registry.put(f"/v1/firms/{firm['id']}/reports/2021",
                           json=report_payload(ip_class1=0, ip_class2=0)).json()["sequence"]
        restated = registry.get(f"/v1/firms/{firm['id']}/events",
                                params={"after_sequence": seq - 1}).json()["items"][0]
        assert restated["event_type"] == "AnnualReportRestated"
        after = caught_up(ladder, firm["id"], seq)
        assert (after["tier"], after["filed_on"]) == ("eaglet", "2024-04-12")
        history = ladder.get(f"/v1/firms/{firm['id']}/history").json()["items"]
        assert [(h["on"], h["change"], h["supersedes"]) for h in history] == [
            ("2024-04-12", "promoted", first_promotion)]
        targets = {i["tier"]: i for i in ladder.get("/v1/targets/2022").json()["items"]}
        assert targets["eaglet"]["achieved"] == 0
        later = ladder.get("/v1/targets/2024").json()  # no targets that year: counts, target null
        assert not later["targets_set"]
        assert {i["tier"]: (i["achieved"], i["target"]) for i in later["items"]}["eaglet"] == (1, None)

    # what the restatement published: the promotion moved to 2024 (naming the one it
    # supersedes) and the 2023 at-risk decision withdrawn (that day the firm stood nowhere)
    corrections = asyncio.run(collect(
        stack.bootstrap, STANDING_EVENTS, count=3, timeout_s=10,
        match=lambda e: e["data"].get("trigger_event_id") == restated["event_id"]))
    assert [(e["event_type"], e["data"]["decided_on"], e["data"]["to_tier"])
            for e in corrections] == [("TierPromoted", "2024-04-12", "eaglet"),
                                      ("TierDemoted", "2023-04-10", "none")]
    assert corrections[0]["data"]["supersedes"] == first_promotion
    assert corrections[1]["data"]["supersedes"] == history_before[-2]["id"]
