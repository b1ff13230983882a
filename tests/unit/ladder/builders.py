"""Shared builders for ladder unit tests: facts with sensible defaults."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from ladder.domain.dated import DatedFacts, ProfileChange, ReportVersion
from ladder.domain.facts import AnnualReport, Certificate, FirmFacts, FundingRound
from tracker.demo import DemoFirm

FY = 2021
WAN = 10_000
YI = 100_000_000

REPORT_DEFAULTS: dict[str, int | None] = {
    "revenue": 50_000_000,
    "sales_revenue": 50_000_000,
    "total_assets": 80_000_000,
    "employees": 120,
    "st_staff": 30,
    "rd_expense": 3_000_000,
    "st_activity_investment": 2_000_000,
    "high_tech_revenue": 35_000_000,
    "ip_class1": 0,
    "ip_class2": 0,
    "total_cost": 40_000_000,
}


def report(fiscal_year: int = FY, **fields: Any) -> AnnualReport:
    """One annual report; unspecified fields take REPORT_DEFAULTS."""
    return AnnualReport(fiscal_year=fiscal_year, **{**REPORT_DEFAULTS, **fields})


def reports(first: int = FY - 3, last: int = FY, **series: Any) -> dict[int, AnnualReport]:
    """Reports for first..last; a series value is a constant or a {year: value} mapping."""
    out = {}
    for year in range(first, last + 1):
        fields = {}
        for name, value in series.items():
            if isinstance(value, Mapping):
                if year in value:
                    fields[name] = value[year]
            else:
                fields[name] = value
        out[year] = report(year, **fields)
    return out


def facts(**overrides: Any) -> FirmFacts:
    """A clean independent firm founded mid-2015 with FY2018-FY2021 default reports."""
    base: dict[str, Any] = {
        "firm_id": f"firm-{uuid.uuid4().hex[:8]}",
        "founded_on": date(2015, 6, 1),
        "company_kind": "independent",
        "listed": False,
        "abnormal_list": False,
        "dishonest_list": False,
        "district": "high-tech zone",
        "industry": "software",
        "reports": reports(),
        "funding_rounds": (),
        "certificates": (),
        "innovation_score": None,
    }
    base.update(overrides)
    return FirmFacts(**base)


def founded(year: int) -> date:
    """A founding date inside `year`."""
    return date(year, 6, 1)


def cert(kind: str, issued_on: date, **kw: Any) -> Certificate:
    """A certificate of kind issued on issued_on."""
    return Certificate(kind, issued_on, **kw)


def vc_round(closed_on: date, amount: int, valuation: int, currency: str = "CNY",
             investor_kind: str = "vc_pe") -> FundingRound:
    """A funding round, from a VC/PE institution unless told otherwise."""
    return FundingRound(closed_on, amount, currency, valuation, investor_kind)


def failing_firms() -> list[FirmFacts]:
    """Firms that fail in every way the rules know: ages, flags, kinds, amounts, missing
    data, not yet founded (for tests that word every criterion and gap)."""
    return [
        facts(),
        facts(founded_on=date(1990, 1, 1), company_kind="branch",
              abnormal_list=True, dishonest_list=True, listed=True),
        facts(reports=reports(revenue={2018: 0, 2019: 5_000_000, 2020: 6_000_000,
                                       2021: 7_000_000})),
        facts(reports={}),
        facts(founded_on=date(2030, 1, 1)),
    ]


def demo_facts(f: DemoFirm) -> FirmFacts:
    """A demo firm's facts as the ladder holds them (the profile as registered)."""
    return FirmFacts(
        firm_id=f.uscc, founded_on=f.founded_on, company_kind=f.company_kind, listed=f.listed,
        abnormal_list=f.abnormal_list, dishonest_list=False, district=f.district,
        industry=f.industry,
        reports={fy: AnnualReport(fiscal_year=fy, **r) for fy, r in f.reports.items()},
        funding_rounds=tuple(
            FundingRound(closed_on=date.fromisoformat(r["closed_on"]), amount=r["amount"],
                         currency=r["currency"], post_money_valuation=r["post_money_valuation"],
                         investor_kind=r["investor_kind"]) for r in f.funding_rounds),
        certificates=tuple(
            Certificate(kind=c["kind"], issued_on=date.fromisoformat(c["issued_on"]),
                        expires_on=(date.fromisoformat(c["expires_on"])
                                    if "expires_on" in c else None))
            for c in f.certificates),
    )


def demo_dated(f: DemoFirm) -> DatedFacts:
    """A demo firm as the ladder's projection holds it: each report dated by its filing day,
    the profile flags from the founding day."""
    firm = demo_facts(f)
    return DatedFacts(
        firm=firm,
        reports=tuple(ReportVersion(f.filed[fy], r) for fy, r in firm.reports.items()),
        changes=(ProfileChange(f.founded_on, {"company_kind": f.company_kind,
                                              "listed": f.listed,
                                              "abnormal_list": f.abnormal_list}),))
