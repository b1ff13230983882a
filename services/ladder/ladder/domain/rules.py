"""The rules engine: a pure function of (rulebook, facts, fiscal year) -> Decision."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from ladder.domain import checks as ck
from ladder.domain.checks import Rational
from ladder.domain.compiled import CompiledRulebook, Spec, compile_rulebook
from ladder.domain.decision import Criterion, Decision, TierResult
from ladder.domain.explain import NextStep, next_tier
from ladder.domain.facts import AnnualReport, FirmFacts, add_years
from ladder.domain.rulebook import Rulebook

__all__ = ["NextStep", "Verdict", "default_as_of", "evaluate", "next_tier", "verdict"]

# (high-tech certificate valid, software-enterprise held, software-product held, prizes, awards)
_NO_CERTS = (False, 0, 0, 0, 0)
# (valuation USD, cumulative funding USD, valuation CNY, cumulative funding CNY)
_Money = tuple[Rational | None, Rational | None, Rational | None, Rational | None]
_NO_MONEY: _Money = (None, None, None, None)


def default_as_of(fiscal_year: int) -> date:
    """Evaluation date when none is given: Jan 1 of the round year (just after FY ends)."""
    return date(fiscal_year + 1, 1, 1)


def _certs(c: CompiledRulebook, facts: FirmFacts, on: date) -> tuple[bool, int, int, int, int]:
    if not facts.certificates:
        return _NO_CERTS
    hte, sw_ent, sw_prod, prizes, awards = False, 0, 0, 0, 0
    prize_from = add_years(on, -c.e_prize_years)
    for cert in facts.certificates:
        if not cert.is_valid_on(on):
            continue
        kind = cert.kind
        if kind == "high_tech_enterprise":
            hte = True
        elif kind == "software_enterprise":
            sw_ent = 1
        elif kind == "software_product":
            sw_prod = 1
        elif kind.startswith("contest_prize"):
            # A prize counts for a fixed window after its award (rulebook threshold).
            if cert.issued_on >= prize_from:
                prizes += 1
        elif kind == "st_award":
            awards += 1
    return hte, sw_ent, sw_prod, prizes, awards


def _eaglet(c: CompiledRulebook, facts: FirmFacts, age: int, r0: AnnualReport | None,
            certs: tuple[bool, int, int, int, int]) -> TierResult:
    hte, sw_ent, sw_prod, prizes, awards = certs
    kind = facts.company_kind
    top = (
        ck.le(c.e_age, age),
        ck.flag(c.e_independent, kind, kind == "independent"),
        ck.flag(c.e_not_abnormal, facts.abnormal_list, not facts.abnormal_list),
        ck.flag(c.e_not_dishonest, facts.dishonest_list, not facts.dishonest_list),
    )
    held = ("software_enterprise",) * sw_ent + ("software_product",) * sw_prod
    lacking = 2 - len(held)
    credentials = (
        ck.ge(c.e_ip1, r0.ip_class1 if r0 is not None else None),
        ck.ge(c.e_ip2, r0.ip_class2 if r0 is not None else None),
        ck.crit(c.e_software, held, lacking == 0, lacking, lacking / 2),
        ck.ge(c.e_prize, prizes),
        ck.flag(c.e_hte, hte, hte),
        ck.ge(c.e_award, awards),
    )
    innovation = ck.group(c.e_innovation, credentials)
    passed = top[0].passed and top[1].passed and top[2].passed and top[3].passed
    return TierResult("eaglet", passed and innovation.passed, c.e_prov, top + (innovation,))


def _largest_round(c: CompiledRulebook, facts: FirmFacts, fy: int) -> tuple[Rational, int]:
    """The largest VC/PE round (CNY, exact) closed in the venture window up to `fy`, and the
    window's first year."""
    first = fy - c.g_venture_years + 1
    best: Rational = (0, 1)
    for r in facts.funding_rounds:
        year = r.closed_on.year
        if r.investor_kind != "vc_pe" or not first <= year <= fy:
            continue
        if r.currency == "CNY":
            amount: Rational = (r.amount, 1)
        else:
            # USD rounds convert at the rulebook rate of the round's own year.
            fx_num, fx_den = c.fx_for(year)
            amount = (r.amount * fx_num, fx_den)
        if amount[0] * best[1] > best[0] * amount[1]:
            best = amount
    return best, first


def _venture(c: CompiledRulebook, facts: FirmFacts, fy: int) -> Criterion:
    best, first = _largest_round(c, facts, fy)
    note = None if best[0] else f"no VC/PE round closed in FY{first}-FY{fy}"
    return ck.money(c.g_venture, best, note)


def _gazelle(c: CompiledRulebook, facts: FirmFacts, fy: int, age: int) -> TierResult:
    reps = facts.reports
    r0, r1, r3 = reps.get(fy), reps.get(fy - 1), reps.get(fy - 3)
    rev0 = r0.revenue if r0 is not None else None
    rev1 = r1.revenue if r1 is not None else None
    rev3 = r3.revenue if r3 is not None else None
    emp0 = r0.employees if r0 is not None else None
    emp1 = r1.employees if r1 is not None else None
    emp3 = r3.employees if r3 is not None else None
    paths = (
        ck.group(c.g_young, (ck.le(c.g_young_age, age), ck.ge(c.g_young_rev, rev0))),
        ck.group(c.g_old, (ck.le(c.g_old_age, age), ck.ge(c.g_old_rev, rev0))),
        ck.group(c.g_rev, (ck.cagr(c.g_rev_cagr, rev0, rev3), ck.gt(c.g_rev_base, rev3),
                           ck.rising(c.g_rev_rising, rev0, rev1))),
        ck.group(c.g_emp, (ck.cagr(c.g_emp_cagr, emp0, emp3), ck.gt(c.g_emp_base, emp3),
                           ck.rising(c.g_emp_rising, emp0, emp1))),
        _venture(c, facts, fy),
    )
    top = (
        ck.le(c.g_age, age),
        ck.group(c.g_path, paths),
        ck.intensity(c.g_st, reps, fy, c.g_st_years, "st_activity_investment"),
        ck.flag(c.g_not_dishonest, facts.dishonest_list, not facts.dishonest_list),
    )
    passed = top[0].passed and top[1].passed and top[2].passed and top[3].passed
    return TierResult("gazelle", passed, c.g_prov, top)


def _add(a: Rational, n: int, d: int) -> Rational:
    return (a[0] * d + n * a[1], a[1] * d) if a[1] != d else (a[0] + n, d)


def _funding(c: CompiledRulebook, facts: FirmFacts, on: date) -> tuple[bool, _Money]:
    """VC/PE backing and (valuation, funding) in USD and CNY, from rounds closed by `on`."""
    backed, latest = False, None
    fund_usd: Rational = (0, 1)
    fund_cny: Rational = (0, 1)
    for r in facts.funding_rounds:
        if r.closed_on > on:
            continue
        backed = backed or r.investor_kind == "vc_pe"
        # Each round converts at the rulebook rate (CNY per USD = num/den) of its closing year.
        fx_num, fx_den = c.fx_for(r.closed_on.year)
        if r.currency == "USD":
            fund_usd = _add(fund_usd, r.amount, 1)
            fund_cny = _add(fund_cny, r.amount * fx_num, fx_den)
        else:
            fund_usd = _add(fund_usd, r.amount * fx_den, fx_num)
            fund_cny = _add(fund_cny, r.amount, 1)
        # ">=" so that, on equal close dates, the later-listed round is the latest.
        if latest is None or r.closed_on >= latest.closed_on:
            latest = r
    if latest is None:
        return False, _NO_MONEY
    fx_num, fx_den = c.fx_for(latest.closed_on.year)
    val = latest.post_money_valuation
    if latest.currency == "USD":
        return backed, ((val, 1), fund_usd, (val * fx_num, fx_den), fund_cny)
    return backed, ((val * fx_den, fx_num), fund_usd, (val, 1), fund_cny)


def _unicorn(c: CompiledRulebook, facts: FirmFacts, age: int, on: date) -> TierResult:
    backed, (val_usd, fund_usd, val_cny, fund_cny) = (
        _funding(c, facts, on) if facts.funding_rounds else (False, _NO_MONEY)
    )
    top = (
        ck.flag(c.u_backed, backed, backed),
        ck.flag(c.u_not_listed, facts.listed, not facts.listed),
        ck.flag(c.u_not_dishonest, facts.dishonest_list, not facts.dishonest_list),
    )
    young = age <= c.u_potential_young_years
    band = None
    if val_usd is not None:
        band = f"age band <= {c.u_potential_young_years} years" if young else "older age band"
    grades = (
        ck.group(c.u_unicorn, (ck.le(c.u_unicorn_age, age), ck.money(c.u_unicorn_val, val_usd))),
        ck.group(c.u_potential, (
            ck.le(c.u_potential_age, age),
            ck.money(c.u_potential_val_young if young else c.u_potential_val, val_usd, band),
            ck.money(c.u_potential_fund_young if young else c.u_potential_fund, fund_usd, band),
        )),
        ck.group(c.u_seed, (ck.le(c.u_seed_age, age), ck.money(c.u_seed_val, val_cny),
                            ck.money(c.u_seed_fund, fund_cny))),
    )
    grade_c = ck.group(c.u_grade, grades)
    passed = top[0].passed and top[1].passed and top[2].passed and grade_c.passed
    grade = None
    provisional = c.u_prov
    if passed:
        if grades[0].passed:
            grade, provisional = "unicorn", c.u_unicorn_prov
        elif grades[1].passed:
            grade, provisional = "potential", c.u_potential_prov
        else:
            grade, provisional = "seed", c.u_seed_prov
    return TierResult("unicorn", passed, provisional, top + (grade_c,), grade)


def _leader(c: CompiledRulebook, facts: FirmFacts, fy: int, r0: AnnualReport | None,
            hte: bool) -> TierResult:
    top = (
        ck.ge(c.l_revenue, r0.revenue if r0 is not None else None),
        ck.intensity(c.l_rd, facts.reports, fy, c.l_rd_years, "rd_expense"),
        ck.flag(c.l_hte, hte, hte),
        ck.flag(c.l_not_dishonest, facts.dishonest_list, not facts.dishonest_list),
    )
    passed = top[0].passed and top[1].passed and top[2].passed and top[3].passed
    return TierResult("leader", passed, c.l_prov, top)


NOT_FOUNDED = "not founded yet"


def _not_founded(founded_on: date) -> Criterion:
    return Criterion("founded", "founding date", None, founded_on.isoformat(), "le", False, None,
                     None, False, "A firm exists from its founding day", NOT_FOUNDED, "date")


# Each tier's verdict reads only the compiled parameters named with its prefix, and the
# exchange rates (`fx_for`).
_TIER_PREFIXES = {"eaglet": "e_", "gazelle": "g_", "unicorn": "u_", "leader": "l_"}
_SAME: dict[tuple[int, int], tuple[CompiledRulebook, CompiledRulebook, frozenset[str]]] = {}


def same_tiers(a: CompiledRulebook, b: CompiledRulebook) -> frozenset[str]:
    """The tiers whose verdict is the same under `a` and `b` whatever the facts: those whose
    parameters are all equal (and the exchange rates too)."""
    key = (id(a), id(b))
    known = _SAME.get(key)
    if known is not None and known[0] is a and known[1] is b:
        return known[2]
    same: frozenset[str] = frozenset()
    if a.fx == b.fx and dict(a.rulebook.fx_usd_cny) == dict(b.rulebook.fx_usd_cny):
        va, vb = vars(a), vars(b)
        same = frozenset(
            tier for tier, prefix in _TIER_PREFIXES.items()
            if {k: v for k, v in va.items() if k.startswith(prefix)}
            == {k: v for k, v in vb.items() if k.startswith(prefix)})
    if len(_SAME) > 64:
        _SAME.clear()
    _SAME[key] = (a, b, same)
    return same


def evaluate(rulebook: Rulebook | CompiledRulebook, facts: FirmFacts, fiscal_year: int,
             as_of: date | None = None, *, age_year: int | None = None) -> Decision:
    """Evaluate one firm for round year fiscal_year+1 using reports up to fiscal_year;
    `age_year` is the fiscal year the age is judged for (default: fiscal_year)."""
    c = compile_rulebook(rulebook)
    on = as_of if as_of is not None else default_as_of(fiscal_year)
    # "At most N years old in FY" <=> founding year >= FY-N+1 <=> FY-founding+1 <= N.
    age = (age_year if age_year is not None else fiscal_year) - facts.founded_on.year + 1
    r0 = facts.reports.get(fiscal_year)
    certs = _certs(c, facts, on)
    eaglet = _eaglet(c, facts, age, r0, certs)
    gazelle = _gazelle(c, facts, fiscal_year, age)
    unicorn = _unicorn(c, facts, age, on)
    leader = _leader(c, facts, fiscal_year, r0, certs[0])
    if on < facts.founded_on:
        # before its founding a firm does not exist: no tier passes, whatever the age says
        gate = _not_founded(facts.founded_on)
        eaglet, gazelle, unicorn, leader = (
            TierResult(r.tier, False, r.provisional, (gate, *r.criteria), None)
            for r in (eaglet, gazelle, unicorn, leader))
    if leader.passed:
        tier = "leader"
    elif unicorn.passed:
        tier = "unicorn"
    elif gazelle.passed:
        tier = "gazelle"
    elif eaglet.passed:
        tier = "eaglet"
    else:
        tier = "none"
    return Decision(
        c.id, facts.firm_id, fiscal_year, fiscal_year + 1, on, tier, unicorn.grade,
        {"eaglet": eaglet, "gazelle": gazelle, "unicorn": unicorn, "leader": leader}, facts,
    )


# The verdict without the trace. Most days a firm's facts change, its standing does not: the
# fold asks `verdict` first and builds the trace (`evaluate`) only for the days that move the
# standing. Each function below is the `.passed` of its criterion builder above, read from
# the same compiled parameters (tests/unit/ladder/test_ladder_verdict.py holds them equal).


class Verdict(NamedTuple):
    """Which tiers pass on a day, without the trace (a `standing.Judgement`)."""

    eaglet: bool
    gazelle: bool
    unicorn_grade: str | None  # the grade when the unicorn tier passes, else None
    leader: bool
    dishonest: bool
    listed: bool

    @property
    def tier(self) -> str:
        """The highest passing tier, as `evaluate` ranks them."""
        if self.leader:
            return "leader"
        if self.unicorn_grade is not None:
            return "unicorn"
        if self.gazelle:
            return "gazelle"
        return "eaglet" if self.eaglet else "none"


def _at_least(s: Spec, value: int | None) -> bool:
    return value is not None and value >= s.threshold


def _money_passes(s: Spec, value: Rational | None) -> bool:
    return value is not None and value[0] >= s.threshold * value[1]


def _growth_passes(cagr: Spec, base: Spec, now: int | None, before: int | None,
                   then: int | None) -> bool:
    """A growth path: CAGR from FY-3 (exact), FY-3 above the base, FY above FY-1."""
    return (now is not None and then is not None and then > 0 and before is not None
            and now * cagr.den >= then * cagr.num and then > base.threshold and now > before)


def _eaglet_passes(c: CompiledRulebook, facts: FirmFacts, age: int, r0: AnnualReport | None,
                   certs: tuple[bool, int, int, int, int]) -> bool:
    if (age > c.e_age.threshold or facts.company_kind != "independent" or facts.abnormal_list
            or facts.dishonest_list):
        return False
    hte, sw_ent, sw_prod, prizes, awards = certs
    return (hte or (sw_ent + sw_prod == 2) or prizes >= c.e_prize.threshold
            or awards >= c.e_award.threshold
            or (r0 is not None and (r0.ip_class1 >= c.e_ip1.threshold
                                    or r0.ip_class2 >= c.e_ip2.threshold)))


def _gazelle_passes(c: CompiledRulebook, facts: FirmFacts, fy: int, age: int) -> bool:
    reps = facts.reports
    if (facts.dishonest_list or age > c.g_age.threshold
            or not ck.intensity_passes(c.g_st, reps, fy, c.g_st_years, "st_activity_investment")):
        return False
    r0, r1, r3 = reps.get(fy), reps.get(fy - 1), reps.get(fy - 3)
    rev0 = r0.revenue if r0 is not None else None
    return ((age <= c.g_young_age.threshold and _at_least(c.g_young_rev, rev0))
            or (age <= c.g_old_age.threshold and _at_least(c.g_old_rev, rev0))
            or _growth_passes(c.g_rev_cagr, c.g_rev_base, rev0,
                              r1.revenue if r1 is not None else None,
                              r3.revenue if r3 is not None else None)
            or _growth_passes(c.g_emp_cagr, c.g_emp_base,
                              r0.employees if r0 is not None else None,
                              r1.employees if r1 is not None else None,
                              r3.employees if r3 is not None else None)
            or _money_passes(c.g_venture, _largest_round(c, facts, fy)[0]))


def _unicorn_grade(c: CompiledRulebook, facts: FirmFacts, age: int, on: date) -> str | None:
    if facts.listed or facts.dishonest_list or not facts.funding_rounds:
        return None
    backed, (val_usd, fund_usd, val_cny, fund_cny) = _funding(c, facts, on)
    if not backed:
        return None
    if age <= c.u_unicorn_age.threshold and _money_passes(c.u_unicorn_val, val_usd):
        return "unicorn"
    young = age <= c.u_potential_young_years
    if (age <= c.u_potential_age.threshold
            and _money_passes(c.u_potential_val_young if young else c.u_potential_val, val_usd)
            and _money_passes(c.u_potential_fund_young if young else c.u_potential_fund,
                              fund_usd)):
        return "potential"
    if (age <= c.u_seed_age.threshold and _money_passes(c.u_seed_val, val_cny)
            and _money_passes(c.u_seed_fund, fund_cny)):
        return "seed"
    return None


def _leader_passes(c: CompiledRulebook, facts: FirmFacts, fy: int, r0: AnnualReport | None,
                   hte: bool) -> bool:
    return (hte and not facts.dishonest_list
            and _at_least(c.l_revenue, r0.revenue if r0 is not None else None)
            and ck.intensity_passes(c.l_rd, facts.reports, fy, c.l_rd_years, "rd_expense"))


def verdict(rulebook: Rulebook | CompiledRulebook, facts: FirmFacts, fiscal_year: int,
            as_of: date, *, age_year: int,
            like: tuple[CompiledRulebook, Verdict] | None = None) -> Verdict:
    """`evaluate`'s tiers and grade, without the trace.

    `like`: the verdict under another rulebook from the same facts and arguments (a what-if's
    baseline): the tiers both rulebooks judge alike (`same_tiers`) are taken from it."""
    c = compile_rulebook(rulebook)
    if as_of < facts.founded_on:
        return Verdict(False, False, None, False, facts.dishonest_list, facts.listed)
    age = age_year - facts.founded_on.year + 1
    r0 = facts.reports.get(fiscal_year)
    same = same_tiers(c, like[0]) if like is not None else frozenset()
    prior = like[1] if like is not None else None
    certs = _certs(c, facts, as_of) if not {"eaglet", "leader"} <= same else _NO_CERTS
    return Verdict(
        prior.eaglet if prior and "eaglet" in same else _eaglet_passes(c, facts, age, r0, certs),
        prior.gazelle if prior and "gazelle" in same
        else _gazelle_passes(c, facts, fiscal_year, age),
        prior.unicorn_grade if prior and "unicorn" in same
        else _unicorn_grade(c, facts, age, as_of),
        prior.leader if prior and "leader" in same
        else _leader_passes(c, facts, fiscal_year, r0, certs[0]),
        facts.dishonest_list, facts.listed)
