"""Gazelle criteria at their boundaries (2022 condition table, FY2021 data)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ladder.domain.decision import TierResult
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from tests.unit.ladder.builders import FY, YI, facts, founded, reports, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()


def gazelle(**kw: Any) -> TierResult:
    return evaluate(RB, facts(**kw), FY).tiers["gazelle"]


def path(result: TierResult, key: str) -> bool:
    return result.criterion(key).passed


def revenue_series(base: int, prev: int, now: int) -> dict[int, int]:
    return {FY - 3: base, FY - 2: base, FY - 1: prev, FY: now}


# --- revenue growth path -------------------------------------------------------------

def test_revenue_cagr_exactly_20_percent_passes() -> None:
    # 12.5M * 1.2**3 = 21.6M exactly; float arithmetic alone would land a hair below.
    result = gazelle(reports=reports(revenue=revenue_series(12_500_000, 18_000_000, 21_600_000)))
    assert path(result, "revenue_cagr")
    assert path(result, "revenue_growth")
    assert result.passed


def test_revenue_cagr_one_yuan_short_fails_with_required_revenue() -> None:
    result = gazelle(reports=reports(revenue=revenue_series(12_500_000, 18_000_000, 21_599_999)))
    cagr = result.criterion("revenue_cagr")
    assert not cagr.passed
    assert cagr.lever == (21_599_999, 21_600_000)
    assert cagr.gap is not None and 0 < cagr.gap < 1e-6
    assert not result.passed


def test_base_year_revenue_exactly_10_million_fails_strict() -> None:
    result = gazelle(reports=reports(revenue=revenue_series(10_000_000, 15_000_000, 17_280_000)))
    assert path(result, "revenue_cagr")
    assert not path(result, "revenue_base")
    assert result.criterion("revenue_base").gap == 1
    assert not result.passed


def test_base_year_revenue_just_above_10_million_passes() -> None:
    result = gazelle(reports=reports(revenue=revenue_series(10_000_001, 15_000_000, 17_280_002)))
    assert path(result, "revenue_base")
    assert result.passed


def test_revenue_equal_to_previous_year_fails() -> None:
    result = gazelle(reports=reports(revenue=revenue_series(12_500_000, 21_600_000, 21_600_000)))
    rising = result.criterion("revenue_rising")
    assert not rising.passed
    assert rising.threshold == 21_600_000
    assert rising.gap == 1
    assert not result.passed


def test_missing_base_year_report_fails_with_reason() -> None:
    reps = reports(first=FY - 2, revenue={FY - 2: 20_000_000, FY - 1: 25_000_000, FY: 40_000_000})
    cagr = gazelle(reports=reps).criterion("revenue_cagr")
    assert not cagr.passed
    assert cagr.note == "missing report FY-3"
    assert cagr.gap is None


def test_zero_base_year_fails() -> None:
    cagr = gazelle(reports=reports(revenue=revenue_series(0, 1, 50_000_000))).criterion("revenue_cagr")
    assert not cagr.passed


# --- employee growth path ------------------------------------------------------------

def emp_series(base: int, prev: int, now: int) -> dict[int, int]:
    return {FY - 3: base, FY - 2: base, FY - 1: prev, FY: now}


def test_employee_cagr_exactly_30_percent_passes() -> None:
    result = gazelle(reports=reports(employees=emp_series(1000, 2000, 2197), st_staff=100))
    assert path(result, "employee_growth")
    assert result.passed


def test_employee_cagr_just_below_30_percent_fails() -> None:
    result = gazelle(reports=reports(employees=emp_series(1000, 2000, 2196), st_staff=100))
    assert not path(result, "employee_cagr")
    assert result.criterion("employee_cagr").lever == (2196, 2197)


def test_base_employees_exactly_100_fails_strict() -> None:
    result = gazelle(reports=reports(employees=emp_series(100, 200, 230)))
    assert path(result, "employee_cagr")
    assert not path(result, "employee_base")
    assert not result.passed
    ok = gazelle(reports=reports(employees=emp_series(101, 200, 230)))
    assert ok.passed


def test_employees_equal_to_previous_year_fails() -> None:
    result = gazelle(reports=reports(employees=emp_series(101, 230, 230)))
    assert not path(result, "employees_rising")
    assert not result.passed


# --- scale path ----------------------------------------------------------------------

def scale(founded_year: int, revenue: int) -> Any:
    return gazelle(founded_on=founded(founded_year),
                   reports=reports(revenue=revenue, st_activity_investment=revenue // 20))


def test_scale_young_boundaries() -> None:
    assert path(scale(FY - 4, 5 * YI), "scale_young")  # 5 years old, exactly 5亿
    assert not path(scale(FY - 4, 5 * YI - 1), "scale_young")
    assert not path(scale(FY - 5, 5 * YI), "scale_young")  # 6 years old
    assert scale(FY - 4, 5 * YI).passed
    assert not scale(FY - 5, 5 * YI).passed


def test_scale_old_boundaries() -> None:
    assert path(scale(FY - 9, 10 * YI), "scale_old")  # 10 years old, exactly 10亿
    assert not path(scale(FY - 9, 10 * YI - 1), "scale_old")
    assert not path(scale(FY - 10, 10 * YI), "scale_old")  # 11 years old
    assert scale(FY - 9, 10 * YI).passed


# --- venture path --------------------------------------------------------------------

def venture(*rounds: Any) -> Any:
    return gazelle(funding_rounds=rounds)


@pytest.mark.parametrize(("closed", "amount", "passed"), [
    (date(FY - 2, 1, 1), 10_000_000, True),
    (date(FY, 12, 31), 10_000_000, True),
    (date(FY - 1, 6, 1), 9_999_999, False),
    (date(FY - 3, 12, 31), 10_000_000, False),
    (date(FY + 1, 1, 1), 10_000_000, False),
])
def test_single_vc_pe_round_of_10_million_in_window(closed: date, amount: int,
                                                    passed: bool) -> None:
    result = venture(vc_round(closed, amount, 100_000_000))
    assert path(result, "venture_round") is passed
    assert result.passed is passed


def test_rounds_are_not_summed_and_other_investors_do_not_count() -> None:
    split = venture(vc_round(date(FY, 1, 1), 6_000_000, 1), vc_round(date(FY, 2, 1), 6_000_000, 1))
    assert not split.passed
    other = venture(vc_round(date(FY, 1, 1), 50_000_000, 1, investor_kind="other"))
    assert not other.passed


def test_usd_round_converts_at_rate_of_its_year() -> None:
    # 2021 rate 6.45: 1,550,388 USD = 10,000,002.6 CNY; 1,550,387 USD = 9,999,996.15 CNY.
    assert venture(vc_round(date(FY, 3, 1), 1_550_388, 1, "USD")).passed
    assert not venture(vc_round(date(FY, 3, 1), 1_550_387, 1, "USD")).passed
    # The same dollars in 2019 (rate 6.90) are worth more yuan.
    assert venture(vc_round(date(FY - 2, 3, 1), 1_449_276, 1, "USD")).passed
    assert not venture(vc_round(date(FY, 3, 1), 1_449_276, 1, "USD")).passed


# --- age, intensity, compliance ------------------------------------------------------

def passing_venture() -> tuple[Any, ...]:
    return (vc_round(date(FY, 3, 1), 20_000_000, 200_000_000),)


@pytest.mark.parametrize(("year", "passed"), [(FY - 19, True), (FY - 20, False)])
def test_age_at_most_20(year: int, passed: bool) -> None:
    result = gazelle(founded_on=founded(year), funding_rounds=passing_venture())
    assert path(result, "age") is passed
    assert result.passed is passed


def test_st_intensity_exactly_2_5_percent_passes() -> None:
    reps = reports(revenue=40_000_000, st_activity_investment=1_000_000)
    assert gazelle(reports=reps, funding_rounds=passing_venture()).passed


def test_st_intensity_just_below_2_5_percent_fails_with_required_spend() -> None:
    reps = reports(revenue=40_000_000,
                   st_activity_investment={FY - 3: 1_000_000, FY - 2: 1_000_000,
                                           FY - 1: 1_000_000, FY: 999_999})
    result = gazelle(reports=reps, funding_rounds=passing_venture())
    st = result.criterion("st_intensity")
    assert not st.passed
    assert st.lever == (3_999_999, 4_000_000)
    assert not result.passed


def test_st_intensity_is_ratio_of_sums_over_at_most_4_years() -> None:
    # FY-4 would lift the ratio, but only 4 years count; FY alone is 1% of revenue.
    reps = reports(first=FY - 4, revenue=40_000_000,
                   st_activity_investment={FY - 4: 40_000_000, FY - 3: 400_000,
                                           FY - 2: 400_000, FY - 1: 400_000, FY: 400_000})
    st = gazelle(reports=reps, funding_rounds=passing_venture()).criterion("st_intensity")
    assert not st.passed
    assert st.value == pytest.approx(0.01)
    # Ratio of sums, not mean of ratios: 3.9M / 160M = 2.4375% (mean of ratios would be 5.6%).
    reps = reports(revenue={FY - 3: 10_000_000, FY - 2: 10_000_000, FY - 1: 10_000_000,
                            FY: 130_000_000},
                   st_activity_investment={FY - 3: 1_000_000, FY - 2: 1_000_000,
                                           FY - 1: 1_000_000, FY: 900_000})
    assert not gazelle(reports=reps, funding_rounds=passing_venture()).passed


def test_st_intensity_uses_the_years_available() -> None:
    reps = reports(first=FY - 1, revenue=40_000_000, st_activity_investment=1_000_000)
    st = gazelle(reports=reps, funding_rounds=passing_venture()).criterion("st_intensity")
    assert st.passed
    assert st.note == f"FY{FY - 1}-FY{FY}"


def test_dishonest_firm_fails_gazelle() -> None:
    result = gazelle(funding_rounds=passing_venture(), dishonest_list=True)
    assert not path(result, "not_dishonest")
    assert not result.passed
