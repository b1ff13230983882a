"""Unicorn grades and the provisional Leader tier at their boundaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ladder.domain.decision import Decision, TierResult
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from tests.unit.ladder.builders import FY, YI, cert, facts, founded, reports, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()
CLOSED = date(FY, 6, 1)


def decide(**kw: Any) -> Decision:
    return evaluate(RB, facts(**kw), FY)


def unicorn(**kw: Any) -> TierResult:
    return decide(**kw).tiers["unicorn"]


# --- unicorn grade -------------------------------------------------------------------

def test_valuation_exactly_one_billion_usd_passes() -> None:
    d = decide(funding_rounds=(vc_round(CLOSED, 100_000_000, 1_000_000_000, "USD"),))
    assert d.tier == "unicorn"
    assert d.unicorn_grade == "unicorn"
    assert not d.tiers["unicorn"].provisional


def test_valuation_one_dollar_short_is_not_unicorn_grade() -> None:
    result = unicorn(funding_rounds=(vc_round(CLOSED, 100_000_000, 999_999_999, "USD"),))
    valuation = result.criterion("grade_unicorn_valuation")
    assert not valuation.passed
    assert valuation.gap == 1
    assert result.grade == "potential"


def test_cny_valuation_converts_at_rate_of_round_year() -> None:
    # 2021 rate 6.45 CNY per USD: 6.45e9 CNY is exactly US$1B.
    assert unicorn(funding_rounds=(vc_round(CLOSED, 10**9, 6_450_000_000),)).grade == "unicorn"
    assert unicorn(funding_rounds=(vc_round(CLOSED, 10**9, 6_449_999_999),)).grade != "unicorn"


@pytest.mark.parametrize(("year", "grade"), [(FY - 9, "unicorn"), (FY - 10, None)])
def test_unicorn_at_most_10_years_old(year: int, grade: str | None) -> None:
    result = unicorn(founded_on=founded(year),
                     funding_rounds=(vc_round(CLOSED, 10**8, 2 * 10**9, "USD"),))
    assert result.grade == grade


def test_requires_vc_pe_backing() -> None:
    result = unicorn(funding_rounds=(vc_round(CLOSED, 10**8, 2 * 10**9, "USD", "other"),))
    assert not result.criterion("vc_pe_backed").passed
    assert not result.passed
    assert result.grade is None


def test_listed_firm_is_excluded() -> None:
    d = decide(listed=True, funding_rounds=(vc_round(CLOSED, 10**8, 2 * 10**9, "USD"),))
    assert not d.tiers["unicorn"].passed
    assert d.unicorn_grade is None
    assert d.tier != "unicorn"


def test_dishonest_firm_is_excluded() -> None:
    assert not unicorn(dishonest_list=True,
                       funding_rounds=(vc_round(CLOSED, 10**8, 2 * 10**9, "USD"),)).passed


def test_latest_round_sets_valuation_and_later_rounds_are_ignored() -> None:
    rounds = (vc_round(date(FY - 1, 1, 1), 10**8, 2 * 10**9, "USD"),
              vc_round(date(FY, 1, 1), 10**7, 4 * 10**8, "USD"),
              vc_round(date(FY + 1, 3, 1), 10**8, 9 * 10**9, "USD"))
    result = unicorn(founded_on=founded(FY - 6), funding_rounds=rounds)
    assert result.criterion("grade_unicorn_valuation").value == 400_000_000
    assert result.grade is None  # age 7: potential needs US$500M


# --- potential grade (provisional) ---------------------------------------------------

def potential(year: int, funding: int, valuation: int, *more: Any) -> Any:
    return unicorn(founded_on=founded(year),
                   funding_rounds=(vc_round(CLOSED, funding, valuation, "USD"), *more))


def test_potential_young_band_boundaries() -> None:
    result = potential(FY - 4, 5_000_000, 100_000_000)
    assert result.grade == "potential"
    assert result.provisional
    assert potential(FY - 4, 4_999_999, 100_000_000).grade == "seed"
    assert potential(FY - 4, 5_000_000, 99_999_999).grade == "seed"


def test_potential_cumulative_funding_sums_rounds() -> None:
    early = vc_round(date(FY - 1, 1, 1), 2_000_000, 20_000_000, "USD")
    assert potential(FY - 4, 3_000_000, 100_000_000, early).grade == "potential"


def test_potential_older_band_boundaries() -> None:
    assert potential(FY - 5, 25_000_000, 500_000_000).grade == "potential"  # 6 years old
    assert potential(FY - 5, 25_000_000, 499_999_999).grade is None
    assert potential(FY - 5, 24_999_999, 500_000_000).grade is None
    assert potential(FY - 8, 25_000_000, 500_000_000).grade == "potential"  # 9 years old
    assert potential(FY - 9, 25_000_000, 500_000_000).grade is None  # 10 years old


# --- seed grade (provisional) --------------------------------------------------------

def seed(year: int, funding: int, valuation: int) -> Any:
    return unicorn(founded_on=founded(year), funding_rounds=(vc_round(CLOSED, funding, valuation),))


def test_seed_boundaries() -> None:
    result = seed(FY - 4, 10_000_000, 3 * YI)
    assert result.grade == "seed"
    assert result.provisional
    assert seed(FY - 4, 9_999_999, 3 * YI).grade is None
    assert seed(FY - 4, 10_000_000, 3 * YI - 1).grade is None
    assert seed(FY - 5, 10_000_000, 3 * YI).grade is None  # 6 years old


def test_highest_passing_grade_wins() -> None:
    # 5 years old, US$1B: passes unicorn, potential and seed grades.
    assert potential(FY - 4, 10**8, 10**9).grade == "unicorn"


# --- leader (provisional) ------------------------------------------------------------

HTE = (cert("high_tech_enterprise", date(FY - 1, 3, 1)),)


def leader(revenue: int = 10 * YI, rd: int = 30_000_000, certs: tuple[Any, ...] = HTE,
           as_of: date | None = None, **kw: Any) -> Any:
    f = facts(reports=reports(revenue=revenue, rd_expense=rd, st_activity_investment=0),
              certificates=certs, **kw)
    return evaluate(RB, f, FY, as_of)


def test_leader_boundaries() -> None:
    d = leader()
    assert d.tier == "leader"
    assert d.tiers["leader"].provisional
    assert d.provisional
    assert leader(revenue=10 * YI - 1).tier != "leader"


def test_leader_rd_intensity_exactly_3_percent_over_3_years() -> None:
    reps = reports(revenue=10 * YI, rd_expense={FY - 3: 0, FY - 2: 30_000_000,
                                                FY - 1: 30_000_000, FY: 30_000_000},
                   st_activity_investment=0)
    assert evaluate(RB, facts(reports=reps, certificates=HTE), FY).tier == "leader"
    assert leader(rd=29_999_999).tier != "leader"


def test_leader_needs_certificate_valid_on_evaluation_date() -> None:
    issued = (cert("high_tech_enterprise", date(FY - 2, 1, 1)),)  # valid through FY-end
    assert leader(certs=issued).tier != "leader"  # default as_of = Jan 1 of FY+1
    assert leader(certs=issued, as_of=date(FY, 12, 31)).tier == "leader"
    assert leader(certs=()).tier != "leader"


def test_listed_firm_can_be_leader_and_leader_outranks_unicorn() -> None:
    assert leader(listed=True).tier == "leader"
    d = leader(funding_rounds=(vc_round(CLOSED, 10**8, 2 * 10**9, "USD"),))
    assert d.tier == "leader"
    assert d.unicorn_grade == "unicorn"  # the unicorn tier's grade is still reported


def test_dishonest_firm_is_not_leader() -> None:
    assert leader(dishonest_list=True).tier == "none"
