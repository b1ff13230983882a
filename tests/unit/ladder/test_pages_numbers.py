"""Issue 19: believable numbers, a firm before its founding, milestones only with a target,
a what-if draft that never names the baseline."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ladder.domain.explain import gap_of, next_tier
from ladder.domain.rulebook import default_rulebook, rulebook_with_overrides
from ladder.domain.rules import evaluate
from ladder.domain.targets import conversion_probability, forecast, target_items
from ladder.handlers.targets import publish_progress
from tests.unit.ladder.builders import facts, reports
from tests.unit.ladder.fakes import FakeLadderUnitOfWork

# the case: 18 eaglets, 861 candidates, mostly far away
CANDIDATES = [conversion_probability(1, 0.05)] * 20 + [conversion_probability(3, 2.0)] * 841


@pytest.mark.parametrize("share", [0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.93, 0.99, 0.999])
def test_the_band_never_leaves_what_is_possible(share: float) -> None:
    f = forecast(18, CANDIDATES, share)
    assert 18 <= f.low <= f.expected <= f.high <= 18 + len(CANDIDATES)


def test_the_band_narrows_as_the_year_passes() -> None:
    widths = [forecast(18, CANDIDATES, s).high - forecast(18, CANDIDATES, s).low
              for s in (0.5, 0.6, 0.75, 0.9, 0.93, 0.99)]
    assert widths == sorted(widths, reverse=True)
    late = forecast(18, CANDIDATES, 0.93)
    assert late.high < 60, late  # not 18-861 with 7% of the year left
    assert late.params["daysLeft"] == 26 and late.key == "label.forecastMethod"
    assert forecast(18, CANDIDATES, 0.9999).high <= 19  # the last day: hardly anything moves


def test_expected_by_now_is_a_whole_number() -> None:
    items = target_items({"eaglet": 170}, {"eaglet": (150, 0)}, date(2026, 12, 4), 2026)
    assert items[0]["expected_by_now"] == 157 and isinstance(items[0]["expected_by_now"], int)


def test_before_its_founding_a_firm_has_no_tier_and_the_age_rule_does_not_pass_it() -> None:
    firm = facts(founded_on=date(2030, 3, 1), reports=reports(ip_class1=1))
    decision = evaluate(default_rulebook(), firm, 2021, as_of=date(2022, 1, 1))
    assert decision.tier == "none"
    for result in decision.tiers.values():
        assert not result.passed
        assert result.criteria[0].key == "founded" and not result.criteria[0].passed
    step = next_tier(decision, "eaglet")
    founded = [m for m in step.missing if m.key == "founded"]
    assert founded and founded[0].gap_kind == "not_founded"
    assert founded[0].params["founded"] == "2030-03-01"
    # the same firm on a day after its founding is evaluated as usual
    later = evaluate(default_rulebook(), facts(founded_on=date(2015, 6, 1),
                                               reports=reports(ip_class1=1)), 2021)
    assert later.tier == "eaglet"
    assert gap_of(later.tiers["eaglet"].criteria[0], 2021)["kind"] in {"too_old", "compare"}


async def _progress(targets: dict[str, int], entries: int) -> FakeLadderUnitOfWork:
    uow = FakeLadderUnitOfWork()
    if targets:
        uow.repo.targets_by_year[2026] = targets
    for _ in range(entries):
        uow.repo.entries[(2026, "eaglet", uuid.uuid4())] = {
            "entered_on": date(2026, 3, 1), "decision_id": None, "by_override": 0}
    await publish_progress(uow, year=2026, key="eaglet", firm=None, today=date(2026, 3, 1),
                           correlation_id=None, previous=0)
    return uow


async def test_no_milestone_for_a_year_without_a_target() -> None:
    assert (await _progress({}, 1)).published("TargetMilestoneReached") == []
    assert (await _progress({"eaglet": 0}, 1)).published("TargetMilestoneReached") == []
    marks = (await _progress({"eaglet": 4}, 1)).published("TargetMilestoneReached")
    assert [m.data.milestone for m in marks] == ["first", "25%"]
    assert {m.data.target for m in marks} == {4}


def test_a_what_if_draft_never_carries_the_baseline_id() -> None:
    base = default_rulebook()
    draft = rulebook_with_overrides(base, {"tiers": {"eaglet": {"max_age_years": {"value": 8}}}})
    assert draft.id != base.id and draft.id.startswith(base.id)
    named = rulebook_with_overrides(base, {"id": "LN-2026-draft"})
    assert named.id == "LN-2026-draft"
