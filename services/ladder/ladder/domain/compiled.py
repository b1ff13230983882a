"""A rulebook flattened into plain attributes so the hot path never touches pydantic."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ladder.domain.rulebook import Rulebook

AGE = "age in FY"
DISHONEST = "on the dishonesty list"
HTE = "valid high-tech-enterprise certificate"
VALUATION_USD = "latest post-money valuation (USD)"
FUNDING_USD = "cumulative funding (USD)"


@dataclass(frozen=True, slots=True)
class Spec:
    """The static part of a criterion: what every evaluation copies into its trace."""

    key: str
    label: str
    threshold: Any
    comparator: str
    provisional: bool
    source: str
    unit: str
    num: int = 0  # exact threshold (ratios, 1+rate cubed) as num/den, for integer compares
    den: int = 1


def _frac(value: Decimal | int) -> Fraction:
    return Fraction(str(value)) if isinstance(value, Decimal) else Fraction(value)


def _pair(value: Decimal) -> tuple[int, int]:
    exact = _frac(value)
    return exact.numerator, exact.denominator


_UNSET: Any = object()


def _spec(key: str, label: str, rule: Any, comparator: str, unit: str,
          threshold: Any = _UNSET, *, prov: bool = False) -> Spec:
    # `rule` is any Cited model; rules without a `value` pass an explicit threshold.
    raw = rule.value if threshold is _UNSET else threshold
    num, den, shown = 0, 1, raw
    if isinstance(raw, Decimal) or (isinstance(raw, int) and not isinstance(raw, bool)):
        exact = _frac(raw)
        num, den = exact.numerator, exact.denominator
        shown = float(raw) if isinstance(raw, Decimal) else raw
    return Spec(key, label, shown, comparator, rule.provisional or prov, rule.source, unit,
                num, den)


def _cagr_spec(key: str, label: str, rule: Any, prov: bool) -> Spec:
    # CAGR >= g  <=>  x[FY] >= x[FY-3] * (1+g)**3; keep (1+g)**3 exact so 20% passes exactly.
    cube = (1 + _frac(rule.value)) ** 3
    return Spec(key, label, float(rule.value), "ge", rule.provisional or prov, rule.source,
                "rate", cube.numerator, cube.denominator)


def _group(key: str, label: str, mode: str, count: int, source: str, prov: bool) -> Spec:
    return Spec(key, label, count if mode == "all" else 1, mode, prov, source, "count")


class CompiledRulebook:
    """Plain-attribute view of a Rulebook (one per rulebook object, cached)."""

    def __init__(self, rb: Rulebook) -> None:
        self.rulebook = rb
        self.id = rb.id
        self.fx = {y: _pair(r) for y, r in rb.fx_usd_cny.items()}
        self._eaglet(rb)
        self._gazelle(rb)
        self._unicorn(rb)
        self._leader(rb)

    def fx_for(self, year: int) -> tuple[int, int]:
        """CNY per USD as (num, den); nearest earlier year, else earliest, when absent."""
        rate = self.fx.get(year)
        return rate if rate is not None else _pair(self.rulebook.fx_for(year))

    def _eaglet(self, rb: Rulebook) -> None:
        e, p = rb.tiers.eaglet, rb.tiers.eaglet.provisional
        s = functools.partial(_spec, prov=p)
        self.e_prov = p
        self.e_age = s("age", AGE, e.max_age_years, "le", "years")
        self.e_independent = s("independent", "company kind", e.independent, "eq", "flag",
                               "independent")
        self.e_not_abnormal = s("not_abnormal", "on the abnormal-operation list", e.not_abnormal,
                                "eq", "flag", False)
        self.e_not_dishonest = s("not_dishonest", DISHONEST, e.not_dishonest, "eq", "flag", False)
        self.e_innovation = _group("innovation", "at least one innovation credential", "any", 6,
                                   e.min_ip_class1.source, p)
        self.e_ip1 = s("ip_class1", "valid class-I IP in FY", e.min_ip_class1, "ge", "count")
        self.e_ip2 = s("ip_class2", "valid class-II IP in FY", e.min_ip_class2, "ge", "count")
        self.e_software = s("software_certificates", "valid software certificates",
                            e.software_certificates, "all", "kinds",
                            ("software_enterprise", "software_product"))
        self.e_prize_years = e.contest_prize_window_years.value
        self.e_prize = s("contest_prize", f"contest prizes in the last {self.e_prize_years} years",
                         e.contest_prize_window_years, "ge", "count", 1)
        self.e_hte = s("high_tech_certificate", HTE, e.high_tech_certificate, "eq", "flag", True)
        self.e_award = s("st_award", "national or provincial S&T awards", e.st_award, "ge",
                         "count", 1)

    def _gazelle(self, rb: Rulebook) -> None:
        g, p = rb.tiers.gazelle, rb.tiers.gazelle.provisional
        s = functools.partial(_spec, prov=p)
        self.g_prov = p
        self.g_age = s("age", AGE, g.max_age_years, "le", "years")
        self.g_path = _group("growth_path", "one growth path", "any", 5, g.source, p)
        young, old = g.scale_young_max_age_years, g.scale_old_max_age_years
        self.g_young = _group("scale_young", f"scale path (at most {young.value} years old)",
                              "all", 2, g.scale_young_min_revenue.source, p)
        self.g_young_age = s("scale_young_age", AGE, young, "le", "years")
        self.g_young_rev = s("scale_young_revenue", "revenue in FY", g.scale_young_min_revenue,
                             "ge", "yuan")
        self.g_old = _group("scale_old", f"scale path (at most {old.value} years old)", "all", 2,
                            g.scale_old_min_revenue.source, p)
        self.g_old_age = s("scale_old_age", AGE, old, "le", "years")
        self.g_old_rev = s("scale_old_revenue", "revenue in FY", g.scale_old_min_revenue, "ge",
                           "yuan")
        self.g_rev = _group("revenue_growth", "revenue growth path", "all", 3,
                            g.revenue_cagr_min.source, p)
        self.g_rev_cagr = _cagr_spec("revenue_cagr", "revenue CAGR", g.revenue_cagr_min, p)
        self.g_rev_base = s("revenue_base", "revenue in base year FY-3", g.revenue_base_above,
                            "gt", "yuan")
        self.g_rev_rising = s("revenue_rising", "revenue in FY (vs FY-1)", g.revenue_rising,
                              "gt", "yuan", None)
        self.g_emp = _group("employee_growth", "employee growth path", "all", 3,
                            g.employee_cagr_min.source, p)
        self.g_emp_cagr = _cagr_spec("employee_cagr", "employee CAGR", g.employee_cagr_min, p)
        self.g_emp_base = s("employee_base", "employees in base year FY-3", g.employee_base_above,
                            "gt", "count")
        self.g_emp_rising = s("employees_rising", "employees in FY (vs FY-1)", g.employees_rising,
                              "gt", "count", None)
        self.g_venture_years = g.venture_window_years.value
        self.g_venture = s("venture_round", "largest single VC/PE round (CNY)",
                           g.venture_min_round, "ge", "yuan")
        self.g_st_years = g.st_intensity_years.value
        self.g_st = s("st_intensity", "S&T activity investment / revenue", g.st_intensity_min,
                      "ge", "ratio")
        self.g_not_dishonest = s("not_dishonest", DISHONEST, g.not_dishonest, "eq", "flag", False)

    def _unicorn(self, rb: Rulebook) -> None:
        u, p = rb.tiers.unicorn, rb.tiers.unicorn.provisional
        s = functools.partial(_spec, prov=p)
        self.u_prov = p
        self.u_backed = s("vc_pe_backed", "backed by a VC/PE institution", u.vc_pe_backed, "eq",
                          "flag", True)
        self.u_not_listed = s("not_listed", "listed", u.not_listed, "eq", "flag", False)
        self.u_not_dishonest = s("not_dishonest", DISHONEST, u.not_dishonest, "eq", "flag", False)
        self.u_grade = _group("grade", "at least one grade", "any", 3, u.source, p)
        gu, gp, gs = u.unicorn, u.potential, u.seed
        pu, pp, ps = p or gu.provisional, p or gp.provisional, p or gs.provisional
        self.u_unicorn_prov, self.u_potential_prov, self.u_seed_prov = pu, pp, ps
        su = functools.partial(_spec, prov=pu)
        sp = functools.partial(_spec, prov=pp)
        ss = functools.partial(_spec, prov=ps)
        self.u_unicorn = _group("grade_unicorn", "unicorn grade", "all", 2, gu.source, pu)
        self.u_unicorn_age = su("grade_unicorn_age", AGE, gu.max_age_years, "le", "years")
        self.u_unicorn_val = su("grade_unicorn_valuation", VALUATION_USD, gu.min_valuation_usd,
                                "ge", "usd")
        self.u_potential = _group("grade_potential", "potential grade", "all", 3, gp.source, pp)
        self.u_potential_age = sp("grade_potential_age", AGE, gp.max_age_years, "le", "years")
        self.u_potential_young_years = gp.young_max_age_years.value
        self.u_potential_val_young = sp("grade_potential_valuation", VALUATION_USD,
                                        gp.young_min_valuation_usd, "ge", "usd")
        self.u_potential_fund_young = sp("grade_potential_funding", FUNDING_USD,
                                         gp.young_min_funding_usd, "ge", "usd")
        self.u_potential_val = sp("grade_potential_valuation", VALUATION_USD,
                                  gp.min_valuation_usd, "ge", "usd")
        self.u_potential_fund = sp("grade_potential_funding", FUNDING_USD, gp.min_funding_usd,
                                   "ge", "usd")
        self.u_seed = _group("grade_seed", "seed grade", "all", 3, gs.source, ps)
        self.u_seed_age = ss("grade_seed_age", AGE, gs.max_age_years, "le", "years")
        self.u_seed_val = ss("grade_seed_valuation", "latest post-money valuation (CNY)",
                             gs.min_valuation_cny, "ge", "yuan")
        self.u_seed_fund = ss("grade_seed_funding", "cumulative funding (CNY)",
                              gs.min_funding_cny, "ge", "yuan")

    def _leader(self, rb: Rulebook) -> None:
        ld, p = rb.tiers.leader, rb.tiers.leader.provisional
        s = functools.partial(_spec, prov=p)
        self.l_prov = p
        self.l_revenue = s("revenue", "revenue in FY", ld.min_revenue, "ge", "yuan")
        self.l_rd_years = ld.rd_intensity_years.value
        self.l_rd = s("rd_intensity", "R&D expense / revenue", ld.rd_intensity_min, "ge", "ratio")
        self.l_hte = s("high_tech_certificate", HTE, ld.high_tech_certificate, "eq", "flag", True)
        self.l_not_dishonest = s("not_dishonest", DISHONEST, ld.not_dishonest, "eq", "flag",
                                 False)


_CACHE: dict[int, tuple[Rulebook, CompiledRulebook]] = {}
_CACHE_LIMIT = 64  # what-if drafts come and go; keep memory bounded


def compile_rulebook(rb: Rulebook | CompiledRulebook) -> CompiledRulebook:
    """The compiled form of rb, built once per rulebook object."""
    if isinstance(rb, CompiledRulebook):
        return rb
    hit = _CACHE.get(id(rb))
    # The stored strong reference keeps id(rb) from being reused while cached.
    if hit is not None and hit[0] is rb:
        return hit[1]
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    compiled = CompiledRulebook(rb)
    _CACHE[id(rb)] = (rb, compiled)
    return compiled
