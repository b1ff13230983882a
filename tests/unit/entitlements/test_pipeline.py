"""The round's pipeline in money: open applications weighed by how far they got, gone once
they fail, are withdrawn or are filed; in the budget's expected and its band."""

from __future__ import annotations

import uuid

import pytest

from entitlements.domain.budget import budget
from entitlements.domain.facts import FirmFacts, fold
from entitlements.domain.pipeline import prospects
from entitlements.domain.policies import shipped
from shared.events import AnyEvent
from tests.unit.entitlements.events import Firms

pytestmark = pytest.mark.unit


def facts_of(fid: str, events: list[AnyEvent]) -> FirmFacts:
    facts = FirmFacts(firm_id=fid)
    for e in events:
        facts = fold(facts, e)
    return facts


def applicant(tier: str = "gazelle") -> tuple[str, Firms, list[AnyEvent], str]:
    firms = Firms()
    fid = str(uuid.uuid4())
    applied, app_id = firms.applied(fid, tier, 2023)
    return fid, firms, [firms.registered(fid), firms.report(fid, 2022, rd_expense=2_000_000),
                        applied], app_id


def test_an_open_application_is_weighed_by_its_step_in_any_order() -> None:
    fid, firms, events, app_id = applicant()
    (p,) = prospects(shipped(), facts_of(fid, events))
    assert (p.policy_id, p.amount, p.chance, p.year) == ("dl.gazelle_unicorn.filed", 800_000,
                                                         0.5, 2023)
    checked = firms.step(fid, app_id, "gazelle", 2023, "district_checked", passed=True)
    recommended = firms.step(fid, app_id, "gazelle", 2023, "recommended")
    for order in ([checked, recommended], [recommended, checked]):
        (p,) = prospects(shipped(), facts_of(fid, events + order))
        assert p.chance == 0.9
    (p,) = prospects(shipped(), facts_of(fid, [recommended, *reversed(events)]))
    assert p.chance == 0.9


@pytest.mark.parametrize(("step", "passed"), [
    ("district_checked", False), ("not_filed", None), ("withdrawn", None), ("filed", None)])
def test_a_closed_application_weighs_nothing(step: str, passed: bool | None) -> None:
    fid, firms, events, app_id = applicant()
    events.append(firms.step(fid, app_id, "gazelle", 2023, step, passed=passed))
    assert prospects(shipped(), facts_of(fid, events)) == []


def test_a_filing_already_recorded_counts_instead() -> None:
    fid, firms, events, _ = applicant()
    events.append(firms.filing(fid, "gazelle", "2023-12-20")[0])
    assert prospects(shipped(), facts_of(fid, events)) == []


def test_the_pipeline_is_in_expected_and_the_band() -> None:
    fid, firms, events, _ = applicant("eaglet")  # 10% of 2M: 200,000, capped at 300,000
    (p,) = prospects(shipped(), facts_of(fid, events))
    assert (p.amount, p.ceiling) == (200_000, 200_000)
    total = budget(2023, [], [p]).total.view()
    assert (total["pipeline"], total["prospects"]) == (100_000, 1)
    assert (total["expected_low"], total["expected"], total["expected_high"]) == (
        0, 100_000, 200_000)
    assert budget(2024, [], [p]).total.view()["expected"] == 0
