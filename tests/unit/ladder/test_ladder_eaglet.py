"""Eaglet criteria at their boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.domain.decision import TierResult
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from tests.unit.ladder.builders import FY, cert, facts, founded, report, reports

pytestmark = pytest.mark.unit

RB = default_rulebook()


def eaglet(**kw: object) -> TierResult:
    return evaluate(RB, facts(**kw), FY).tiers["eaglet"]


def with_ip1(**kw: object) -> dict[str, object]:
    return {"reports": reports(ip_class1=1), **kw}


@pytest.mark.parametrize(("year", "passed"), [(FY - 9, True), (FY - 10, False), (FY, True)])
def test_age_at_most_10_years_means_founded_in_fy_minus_9_or_later(year: int, passed: bool) -> None:
    result = eaglet(**with_ip1(founded_on=founded(year)))
    assert result.criterion("age").passed is passed
    assert result.passed is passed


def test_age_boundary_uses_founding_year_not_date() -> None:
    assert eaglet(**with_ip1(founded_on=date(FY - 9, 1, 1))).passed
    assert not eaglet(**with_ip1(founded_on=date(FY - 10, 12, 31))).passed


@pytest.mark.parametrize("kind", ["branch", "production_base", "sales", "trading"])
def test_dependent_company_kinds_fail(kind: str) -> None:
    result = eaglet(**with_ip1(company_kind=kind))
    assert not result.criterion("independent").passed
    assert not result.passed


def test_abnormal_and_dishonest_lists_fail() -> None:
    assert not eaglet(**with_ip1(abnormal_list=True)).passed
    result = eaglet(**with_ip1(dishonest_list=True))
    assert not result.criterion("not_dishonest").passed
    assert not result.passed


def test_no_credential_fails() -> None:
    result = eaglet()
    assert not result.criterion("innovation").passed
    assert not result.passed


@pytest.mark.parametrize(("ip1", "ip2", "passed"),
                         [(1, 0, True), (0, 2, True), (0, 1, False), (0, 0, False)])
def test_ip_at_least_one_class1_or_two_class2(ip1: int, ip2: int, passed: bool) -> None:
    assert eaglet(reports=reports(ip_class1=ip1, ip_class2=ip2)).passed is passed


def test_ip_is_read_from_fy_report() -> None:
    reps = reports(ip_class1={FY - 1: 3, FY: 0})
    assert not eaglet(reports=reps).passed
    missing = {FY - 1: report(FY - 1, ip_class1=3)}
    result = eaglet(reports=missing)
    assert result.criterion("ip_class1").note == "missing report FY"


def test_software_needs_both_certificates() -> None:
    one = (cert("software_enterprise", date(2020, 1, 1)),)
    both = one + (cert("software_product", date(2020, 1, 1)),)
    assert not eaglet(certificates=one).passed
    assert eaglet(certificates=both).passed


@pytest.mark.parametrize(("issued", "passed"), [
    (date(FY - 2, 1, 1), True),  # as_of 2022-01-01 minus 3 years = 2019-01-01, inclusive
    (date(FY - 3, 12, 31), False),
    (date(FY, 12, 31), True),
    (date(FY + 1, 1, 2), False),  # after the evaluation date
])
def test_contest_prize_counts_within_three_year_window(issued: date, passed: bool) -> None:
    for kind in ("contest_prize_national", "contest_prize_provincial"):
        assert eaglet(certificates=(cert(kind, issued),)).passed is passed


def test_high_tech_certificate_valid_three_years() -> None:
    valid = (cert("high_tech_enterprise", date(2019, 1, 2)),)  # last valid day 2022-01-01
    expired = (cert("high_tech_enterprise", date(2019, 1, 1)),)
    revoked = (cert("high_tech_enterprise", date(2020, 1, 1), revoked_on=date(2021, 6, 1)),)
    assert eaglet(certificates=valid).passed
    assert not eaglet(certificates=expired).passed
    assert not eaglet(certificates=revoked).passed


def test_st_award_counts() -> None:
    assert eaglet(certificates=(cert("st_award", date(2010, 1, 1)),)).passed


def test_eaglet_sources_flag_unverified_conditions() -> None:
    result = eaglet()
    assert "source not fully verified" in result.criterion("independent").source
    assert "注册时间不超过10年" in result.criterion("age").source
