"""Readiness for the high-tech-enterprise and tech-SME certifications."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ladder.domain.readiness import CertificationReadiness, readiness
from ladder.domain.rulebook import default_rulebook
from tests.unit.ladder.builders import FY, YI, cert, facts, report, reports

pytestmark = pytest.mark.unit

RB = default_rulebook()
AS_OF = date(FY + 1, 6, 1)


def hte(as_of: date = AS_OF, **kw: Any) -> CertificationReadiness:
    kw.setdefault("innovation_score", 80.0)
    kw.setdefault("reports", reports(ip_class2=1))
    return readiness(RB, facts(**kw), as_of).high_tech_enterprise


def sme(*, certificates: tuple[Any, ...] = (), **fields: Any) -> CertificationReadiness:
    f = facts(reports={FY: report(FY, **fields)}, certificates=certificates)
    return readiness(RB, f, AS_OF).tech_sme


def check(result: CertificationReadiness, key: str) -> str:
    return next(c.status for c in result.checks if c.key == key)


# --- high-tech enterprise ------------------------------------------------------------

def test_high_tech_defaults_pass_and_read_latest_report() -> None:
    r = readiness(RB, facts(innovation_score=80.0, reports=reports(ip_class2=1)), AS_OF)
    assert r.report_year == FY
    assert r.high_tech_enterprise.status == "pass"
    assert r.to_dict()["as_of"] == AS_OF.isoformat()


def test_unknown_innovation_score_needs_expert() -> None:
    result = hte(innovation_score=None)
    assert result.status == "unknown"
    assert result.note == "needs expert score"
    assert hte(innovation_score=None, reports=reports()).status == "fail"  # no IP: fails anyway


@pytest.mark.parametrize(("score", "status"), [(70.0, "fail"), (70.5, "pass")])
def test_innovation_score_strictly_above_70(score: float, status: str) -> None:
    assert hte(innovation_score=score).status == status


def test_age_at_least_one_year() -> None:
    reps = {FY: report(FY, ip_class2=1)}
    assert check(hte(founded_on=date(FY, 6, 1), reports=reps), "age") == "pass"
    assert check(hte(date(FY + 1, 5, 31), founded_on=date(FY, 6, 1), reports=reps),
                 "age") == "fail"


def test_core_ip_class1_or_class2() -> None:
    assert check(hte(reports=reports(ip_class1=1)), "core_ip") == "pass"
    assert check(hte(reports=reports()), "core_ip") == "fail"


@pytest.mark.parametrize(("st_staff", "status"), [(12, "pass"), (11, "fail")])
def test_st_staff_share_10_percent(st_staff: int, status: str) -> None:
    assert check(hte(reports=reports(ip_class2=1, st_staff=st_staff)), "st_staff_share") == status


@pytest.mark.parametrize(("sales", "rd", "status"), [
    (50_000_000, 2_500_000, "pass"),  # <= 5000万: 5% band, exactly 5%
    (50_000_000, 2_499_999, "fail"),
    (50_000_001, 2_000_001, "pass"),  # above 5000万: 4% band
    (200_000_000, 8_000_000, "pass"),  # exactly 2亿: still the 4% band
    (200_000_000, 7_999_999, "fail"),
    (200_000_001, 6_000_001, "pass"),  # above 2亿: 3% band
    (200_000_001, 6_000_000, "fail"),
])
def test_rd_band_chosen_by_latest_sales(sales: int, rd: int, status: str) -> None:
    reps = reports(ip_class2=1, sales_revenue=sales, revenue=sales, rd_expense=rd,
                   high_tech_revenue=sales)
    assert check(hte(reports=reps), "rd_intensity") == status


def test_rd_ratio_of_sums_over_three_years_with_latest_year_band() -> None:
    # Latest sales 40M picks the 5% band; over FY-2..FY: 7M / 140M = 5%. FY-3 is ignored.
    reps = reports(ip_class2=1,
                   sales_revenue={FY - 3: 1, FY - 2: 50_000_000, FY - 1: 50_000_000,
                                  FY: 40_000_000},
                   rd_expense={FY - 3: 0, FY - 2: 1_000_000, FY - 1: 1_000_000, FY: 5_000_000})
    assert check(hte(reports=reps), "rd_intensity") == "pass"


@pytest.mark.parametrize(("share", "status"), [(30_000_000, "pass"), (29_999_999, "fail")])
def test_high_tech_revenue_share_60_percent(share: int, status: str) -> None:
    reps = reports(ip_class2=1, high_tech_revenue=share)
    assert check(hte(reports=reps), "high_tech_revenue_share") == status


def test_no_report_is_unknown() -> None:
    r = readiness(RB, facts(reports={}), AS_OF)
    assert r.report_year is None
    assert r.high_tech_enterprise.status == "unknown"
    assert r.tech_sme.status == "unknown"


# --- tech SME ------------------------------------------------------------------------

def test_default_firm_scores_and_passes() -> None:
    result = sme()
    assert result.status == "pass"
    assert result.score == {"staff": 16, "rd": 50, "rd_by_sales": 50, "rd_by_total_cost": 0,
                            "rd_basis": "sales", "ip": 0, "total": 66}


@pytest.mark.parametrize(("st_staff", "points"), [
    (30, 20), (29, 16), (25, 16), (24, 12), (20, 12), (19, 8), (15, 8), (14, 4), (10, 4), (9, 0),
])
def test_staff_share_bands(st_staff: int, points: int) -> None:
    assert sme(employees=100, st_staff=st_staff).score["staff"] == points


@pytest.mark.parametrize(("rd", "points"), [
    (6_000_000, 50), (5_999_999, 40), (5_000_000, 40), (4_999_999, 30), (4_000_000, 30),
    (3_000_000, 20), (2_000_000, 10), (1_999_999, 0),
])
def test_rd_sales_bands(rd: int, points: int) -> None:
    result = sme(sales_revenue=100_000_000, rd_expense=rd, total_cost=None)
    assert result.score["rd"] == points


@pytest.mark.parametrize(("rd", "points"), [
    (30_000_000, 50), (29_999_999, 40), (25_000_000, 40), (20_000_000, 30), (15_000_000, 20),
    (10_000_000, 10), (9_999_999, 0),
])
def test_rd_cost_bands_when_better_than_sales(rd: int, points: int) -> None:
    result = sme(sales_revenue=10 * YI, rd_expense=rd, total_cost=100_000_000)
    assert result.score["rd_by_total_cost"] == points
    assert result.score["rd"] == max(points, result.score["rd_by_sales"])


@pytest.mark.parametrize(("ip1", "ip2", "points"), [
    (1, 0, 30), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0), (1, 5, 30),
])
def test_ip_score(ip1: int, ip2: int, points: int) -> None:
    assert sme(ip_class1=ip1, ip_class2=ip2).score["ip"] == points


def test_score_60_passes_59_fails() -> None:
    # staff 20 (30%) + R&D 40 (5% of sales) + IP 0 = 60.
    at = sme(employees=100, st_staff=30, sales_revenue=100_000_000, rd_expense=5_000_000,
             total_cost=None)
    assert at.score["total"] == 60 and at.status == "pass"
    below = sme(employees=100, st_staff=29, sales_revenue=100_000_000, rd_expense=5_000_000,
                total_cost=None)
    assert below.score["total"] == 56 and below.status == "fail"


def test_zero_staff_score_fails_whatever_the_total() -> None:
    result = sme(employees=100, st_staff=9, ip_class1=1)
    assert result.score["total"] == 80
    assert check(result, "staff_score") == "fail"
    assert result.status == "fail"


@pytest.mark.parametrize(("field", "ok", "too_big"), [
    ("employees", 500, 501), ("sales_revenue", 2 * YI, 2 * YI + 1),
    ("total_assets", 2 * YI, 2 * YI + 1),
])
def test_size_limits_inclusive(field: str, ok: int, too_big: int) -> None:
    extra = {"st_staff": 200} if field == "employees" else {}
    if field == "sales_revenue":
        extra = {"rd_expense": 12_000_000}
    fits: dict[str, Any] = {field: ok, **extra}
    too: dict[str, Any] = {field: too_big, **extra}
    assert sme(**fits).status == "pass"
    assert sme(**too).status == "fail"


def test_fast_track_with_valid_high_tech_certificate() -> None:
    certs = (cert("high_tech_enterprise", date(FY, 1, 1)),)
    result = sme(certificates=certs, st_staff=0, rd_expense=0)
    assert result.fast_track and result.status == "pass"
    too_big = sme(certificates=certs, employees=501)
    assert too_big.status == "fail"
