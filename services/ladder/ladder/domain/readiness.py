"""Readiness for the two national certifications: would this firm pass today?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ladder.domain.facts import AnnualReport, FirmFacts
from ladder.domain.rule_types import ScoreTable
from ladder.domain.rulebook import HighTechRules, Rulebook, TechSmeRules

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(slots=True)
class Check:
    """One readiness criterion; status is "pass", "fail" or "unknown"."""

    key: str
    label: str
    value: Any
    threshold: Any
    comparator: str
    status: str
    source: str
    note: str | None = None


@dataclass(slots=True)
class CertificationReadiness:
    """Verdict for one certification with its checks (and score, for tech SME)."""

    kind: str
    status: str
    checks: list[Check]
    score: dict[str, Any] = field(default_factory=dict)  # tech SME score components
    fast_track: bool = False
    note: str | None = None


@dataclass(slots=True)
class Readiness:
    """Readiness of one firm on one date, from its latest report before that year."""

    firm_id: str
    as_of: date
    report_year: int | None
    high_tech_enterprise: CertificationReadiness
    tech_sme: CertificationReadiness

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data


def _status(ok: bool | None) -> str:
    return UNKNOWN if ok is None else PASS if ok else FAIL


def _overall(checks: list[Check]) -> str:
    statuses = {c.status for c in checks}
    return FAIL if FAIL in statuses else UNKNOWN if UNKNOWN in statuses else PASS


def _ratio(num: int, den: int) -> Fraction | None:
    return Fraction(num, den) if den > 0 else None


def _at_least(x: Fraction | None, threshold: Decimal) -> bool | None:
    return None if x is None else x >= Fraction(str(threshold))


def band_points(table: ScoreTable, x: Fraction | int | None) -> int:
    """Points of the first band whose (inclusive) minimum x reaches; 0 below every band."""
    if x is None:
        return 0
    for band in table.bands:
        if x >= Fraction(str(band.min)):
            return band.points
    return 0


def _full_years(start: date, on: date) -> int:
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def _high_tech(r: HighTechRules, facts: FirmFacts, latest: AnnualReport | None,
               window: list[AnnualReport], as_of: date) -> CertificationReadiness:
    age = _full_years(facts.founded_on, as_of)
    checks = [Check("age", "full years since founding", age, r.min_age_years.value, "ge",
                    _status(age >= r.min_age_years.value), r.min_age_years.source)]
    if latest is None:
        checks.append(Check("annual_report", "annual report before this year", None, 1, "ge",
                            UNKNOWN, r.source, "no annual report to judge from"))
        return CertificationReadiness("high_tech_enterprise", _overall(checks), checks)
    ip1, ip2 = latest.ip_class1, latest.ip_class2
    core = ip1 >= r.core_ip_class1.value or ip2 >= r.core_ip_class2.value
    checks.append(Check("core_ip", "valid class-I / class-II IP", [ip1, ip2],
                        [r.core_ip_class1.value, r.core_ip_class2.value], "any", _status(core),
                        r.core_ip_class1.source))
    staff = _ratio(latest.st_staff, latest.employees)
    checks.append(Check("st_staff_share", "S&T staff / employees",
                        float(staff) if staff is not None else None,
                        float(r.st_staff_share_min.value), "ge",
                        _status(_at_least(staff, r.st_staff_share_min.value)),
                        r.st_staff_share_min.source))
    # The band is chosen by the latest year's sales; the ratio is of sums over the window.
    band = next(b for b in r.rd_intensity.bands
                if b.max_sales is None or latest.sales_revenue <= b.max_sales)
    rd = _ratio(sum(x.rd_expense for x in window), sum(x.sales_revenue for x in window))
    checks.append(Check("rd_intensity", "R&D expense / sales, last up to 3 years",
                        float(rd) if rd is not None else None, float(band.min_ratio), "ge",
                        _status(_at_least(rd, band.min_ratio)), r.rd_intensity.source,
                        f"FY{window[0].fiscal_year}-FY{latest.fiscal_year}; latest-year sales "
                        f"{latest.sales_revenue} yuan selects the >= {band.min_ratio} band"))
    share = _ratio(latest.high_tech_revenue, latest.revenue)
    checks.append(Check("high_tech_revenue_share", "high-tech product revenue / revenue",
                        float(share) if share is not None else None,
                        float(r.high_tech_revenue_share_min.value), "ge",
                        _status(_at_least(share, r.high_tech_revenue_share_min.value)),
                        r.high_tech_revenue_share_min.source))
    score = facts.innovation_score
    threshold = float(r.innovation_score_above.value)
    checks.append(Check("innovation_score", "expert innovation score", score, threshold, "gt",
                        _status(None if score is None else score > threshold),
                        r.innovation_score_above.source,
                        "needs expert score" if score is None else None))
    status = _overall(checks)
    note = "needs expert score" if status == UNKNOWN and score is None else None
    return CertificationReadiness("high_tech_enterprise", status, checks, note=note)


def _tech_sme(r: TechSmeRules, facts: FirmFacts, latest: AnnualReport | None,
              as_of: date) -> CertificationReadiness:
    if latest is None:
        check = Check("annual_report", "annual report before this year", None, 1, "ge", UNKNOWN,
                      r.source, "no annual report to judge from")
        return CertificationReadiness("tech_sme", UNKNOWN, [check])
    checks = [
        Check("employees", "employees", latest.employees, r.max_employees.value, "le",
              _status(latest.employees <= r.max_employees.value), r.max_employees.source),
        Check("sales", "sales revenue", latest.sales_revenue, r.max_sales.value, "le",
              _status(latest.sales_revenue <= r.max_sales.value), r.max_sales.source),
        Check("total_assets", "total assets", latest.total_assets, r.max_total_assets.value, "le",
              _status(latest.total_assets <= r.max_total_assets.value),
              r.max_total_assets.source),
    ]
    rd_sales = _ratio(latest.rd_expense, latest.sales_revenue)
    rd_cost = _ratio(latest.rd_expense, latest.total_cost) if latest.total_cost else None
    by_sales, by_cost = band_points(r.rd_sales, rd_sales), band_points(r.rd_cost, rd_cost)
    staff = band_points(r.staff_share, _ratio(latest.st_staff, latest.employees))
    ip = max(band_points(r.ip_class1, latest.ip_class1), band_points(r.ip_class2, latest.ip_class2))
    rd = max(by_sales, by_cost)
    total = staff + rd + ip
    score = {"staff": staff, "rd": rd, "rd_by_sales": by_sales, "rd_by_total_cost": by_cost,
             "rd_basis": "total_cost" if by_cost > by_sales else "sales", "ip": ip,
             "total": total}
    fast = any(c.kind == "high_tech_enterprise" and c.is_valid_on(as_of)
               for c in facts.certificates)
    if fast:
        # A valid high-tech-enterprise certificate replaces scoring; size limits still apply.
        checks.append(Check("fast_track", "valid high-tech-enterprise certificate", True, True,
                            "eq", PASS, r.fast_track_high_tech.source, "score not required"))
    else:
        min_score = float(r.min_score.value)
        checks.append(Check("score", "evaluation score", total, min_score, "ge",
                            _status(total >= min_score), r.min_score.source))
        checks.append(Check("staff_score", "S&T staff score", staff, 0, "gt",
                            _status(staff > 0), r.min_score.source))
    return CertificationReadiness("tech_sme", _overall(checks), checks, score, fast)


def readiness(rulebook: Rulebook, facts: FirmFacts, as_of: date) -> Readiness:
    """Would the firm pass each certification on as_of, judged on its latest report?"""
    # Applications are judged on completed fiscal years: the latest report before as_of's year.
    years = sorted(y for y in facts.reports if y < as_of.year)
    latest = facts.reports[years[-1]] if years else None
    certs = rulebook.certifications
    window: list[AnnualReport] = []
    if latest is not None:
        first = latest.fiscal_year - certs.high_tech_enterprise.rd_years.value + 1
        window = [facts.reports[y] for y in years if y >= first]
    return Readiness(
        facts.firm_id, as_of, latest.fiscal_year if latest is not None else None,
        _high_tech(certs.high_tech_enterprise, facts, latest, window, as_of),
        _tech_sme(certs.tech_sme, facts, latest, as_of),
    )
