"""Candidates one step below a target tier, closest first."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ladder.domain.candidates import candidates
from ladder.domain.decision import Decision
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from tests.unit.ladder.builders import FY, facts, founded, reports, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()


def decide(firm_id: str, **kw: Any) -> Decision:
    return evaluate(RB, facts(firm_id=firm_id, **kw), FY)


def eaglet_with_revenue(firm_id: str, now: int, st: int = 2_000_000, **kw: Any) -> Decision:
    revenue = {FY - 3: 12_500_000, FY - 2: 14_000_000, FY - 1: 17_000_000, FY: now}
    return decide(firm_id, reports=reports(revenue=revenue, ip_class1=1,
                                           st_activity_investment=st), **kw)


def test_gazelle_candidates_are_eaglets_ranked_by_closeness() -> None:
    near = eaglet_with_revenue("near", 21_000_000)  # one failing criterion, 2.6% short
    far = eaglet_with_revenue("far", 18_000_000)  # one failing criterion, further
    two = eaglet_with_revenue("two", 21_000_000, st=100_000)  # CAGR and intensity fail
    not_eaglet = decide("plain")
    gazelle = decide("gz", funding_rounds=(vc_round(date(FY, 1, 1), 20_000_000, 10**8),),
                     reports=reports(ip_class1=1))
    found = candidates([two, far, not_eaglet, gazelle, near], "gazelle")
    assert [c.firm_id for c in found] == ["near", "far", "two"]
    assert found[0].failing_count == 1
    assert found[0].sentences[0].startswith("revenue CAGR")
    assert found[2].failing_count == 2
    assert found[0].relative_gap_sum < found[1].relative_gap_sum


def test_eaglet_candidates_are_firms_with_no_tier() -> None:
    found = candidates([decide("a"), decide("b", reports=reports(ip_class1=1))], "eaglet")
    assert [c.firm_id for c in found] == ["a"]
    assert found[0].current_tier == "none"


def test_unicorn_candidates_include_seed_and_potential_grades() -> None:
    seed = decide("seed", founded_on=founded(FY - 4),
                  funding_rounds=(vc_round(date(FY, 1, 1), 10_000_000, 300_000_000),))
    potential = decide("potential", founded_on=founded(FY - 4),
                       funding_rounds=(vc_round(date(FY, 1, 1), 5_000_000, 900_000_000, "USD"),))
    unicorn = decide("unicorn", funding_rounds=(vc_round(date(FY, 1, 1), 10**8, 10**9, "USD"),))
    gazelle = decide("gazelle", funding_rounds=(vc_round(date(FY, 1, 1), 20_000_000, 10**8),))
    assert (seed.unicorn_grade, potential.unicorn_grade) == ("seed", "potential")
    found = candidates([seed, potential, unicorn, gazelle], "unicorn")
    assert [c.firm_id for c in found] == ["potential", "seed", "gazelle"]
    assert all(c.missing[-1].key == "grade_unicorn_valuation" for c in found)
    assert "gazelle" in {c.current_tier for c in found}


def test_unknown_target_is_rejected() -> None:
    with pytest.raises(ValueError):
        candidates([], "dragon")


def _step(failing: list[float | None], passed: bool = False, target: str | None = "gazelle"):  # type: ignore[no-untyped-def]
    from ladder.domain.explain import Missing, NextStep

    missing = [Missing(f"k{i}", "l", 1, 2, "ge", 1, rel, "yuan", False, None, "s")
               for i, rel in enumerate(failing)]
    return NextStep("f", "eaglet", target, None, passed, missing)


@pytest.mark.parametrize(
    ("failing", "expected"),
    [([0.25], "gazelle"), ([0.2501], None), ([0.01, 0.01], None), ([None], None), ([], None)],
)
def test_near_miss_needs_one_small_gap(failing: list[float | None], expected: str | None) -> None:
    from ladder.domain.candidates import near_miss_tier

    assert near_miss_tier(_step(failing, passed=not failing)) == expected


def test_no_near_miss_at_the_top() -> None:
    from ladder.domain.candidates import near_miss_tier

    assert near_miss_tier(_step([0.1], target=None)) is None
