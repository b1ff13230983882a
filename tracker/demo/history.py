"""Dating the history: earlier and later fiscal years around the core series, and filing dates."""

from __future__ import annotations

import random
from datetime import date

from tracker.demo.city import WAN
from tracker.demo.draws import day_in
from tracker.demo.population import LAST_FY, DemoFirm
from tracker.demo.profiles import (
    GAZELLE,
    GAZELLE_EMPLOYEES,
    GAZELLE_VENTURE,
    LEADER,
    NEAR_MISS_GROWTH,
    NEAR_MISS_INTENSITY,
    PLAIN,
    POTENTIAL,
    SEED,
    UNICORN_CANDIDATE,
)

BACKFILL_FY = 2015  # growth firms that reported before FY2018 start here (or at founding)
LATE_JOINERS = 0.06  # share of growth firms whose history starts only in FY2018
GROWTH_PROFILES = frozenset({GAZELLE, GAZELLE_EMPLOYEES, GAZELLE_VENTURE, NEAR_MISS_GROWTH,
                             NEAR_MISS_INTENSITY})
# (revenue factor, employee factor) ranges per year beyond the core series
LATER_GROWTH: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    GAZELLE: ((1.215, 1.4), (1.0, 1.12)), NEAR_MISS_GROWTH: ((1.17, 1.198), (1.0, 1.1)),
    NEAR_MISS_INTENSITY: ((1.22, 1.35), (1.0, 1.1)),
    GAZELLE_EMPLOYEES: ((0.98, 1.1), (1.33, 1.45)), GAZELLE_VENTURE: ((0.97, 1.12), (1.0, 1.1)),
    SEED: ((1.2, 1.6), (1.1, 1.4)), POTENTIAL: ((1.15, 1.5), (1.1, 1.3)),
    UNICORN_CANDIDATE: ((1.3, 1.5), (1.1, 1.25)), LEADER: ((1.03, 1.12), (0.99, 1.05)),
}
DEFAULT_GROWTH = ((0.95, 1.25), (0.95, 1.15))
BREAKOUT_PROFILES = frozenset({PLAIN, NEAR_MISS_GROWTH, NEAR_MISS_INTENSITY})
BREAKOUT_SHARE = 0.6  # of those, how many break out in a year after FY2022
BREAKOUT_GROWTH = (1.3, 1.45)  # a near miss's revenue growth once it breaks out
BREAKOUT_INTENSITY = 0.04  # a near miss's S&T intensity once it breaks out
FILING_SEASON = (3, 5)  # reports are filed in spring (March-May) of FY+1
MONEY = ("revenue", "sales_revenue", "total_assets", "rd_expense", "st_activity_investment",
         "high_tech_revenue")


def _scaled(report: dict[str, int], revenue: float, employees: float,
            ip_step: int) -> dict[str, int]:
    """A neighbouring year's report: money by `revenue`, staff by `employees`, IP moved."""
    out = {k: max(1, int(report[k] * revenue)) if k in MONEY else v for k, v in report.items()}
    out["employees"] = max(1, round(report["employees"] * employees))
    out["st_staff"] = min(out["employees"], max(1, round(report["st_staff"] * employees)))
    out["ip_class1"] = max(0, report["ip_class1"] + ip_step)
    out["ip_class2"] = max(0, report["ip_class2"] + ip_step)
    out["sales_revenue"] = min(out["sales_revenue"], out["revenue"])
    out["high_tech_revenue"] = min(out["high_tech_revenue"], out["revenue"])
    out["rd_expense"] = min(out["rd_expense"], out["st_activity_investment"])
    return out


def date_history(firm: DemoFirm, seed: int, as_of: date,
                 late_joiners: float = LATE_JOINERS) -> None:
    """Earlier and later fiscal years and every report's filing date, from a stream of the
    firm's own, so the core series stays what (seed, firms) made it."""
    rng = random.Random(f"{seed}:{firm.uscc}")
    (rev, emp) = LATER_GROWTH.get(firm.profile, DEFAULT_GROWTH)
    first = min(firm.reports)
    if firm.profile in GROWTH_PROFILES and rng.random() >= late_joiners:
        for fy in range(first - 1, max(BACKFILL_FY, firm.founded_on.year) - 1, -1):
            firm.reports[fy] = _scaled(firm.reports[fy + 1], 1 / rng.uniform(*rev),
                                       1 / rng.uniform(*emp), -rng.randint(0, 1))
        if firm.profile == GAZELLE_VENTURE:  # an earlier VC/PE round: a gazelle before 2022
            closed = day_in(rng, rng.randint(max(2017, firm.founded_on.year + 1), 2019))
            amount = rng.randint(1000, 3000) * WAN
            firm.funding_rounds.insert(0, {
                "closed_on": closed.isoformat(), "amount": amount, "currency": "CNY",
                "post_money_valuation": amount * rng.randint(4, 8), "investor_kind": "vc_pe"})
    later = range(LAST_FY + 1, as_of.year)
    # some firms break out in a later year, so every year (the current one too) has news
    breakout = (rng.choice(later) if later and firm.profile in BREAKOUT_PROFILES
                and rng.random() < BREAKOUT_SHARE else None)
    for fy in later:
        up = breakout is not None and fy >= breakout
        growth = BREAKOUT_GROWTH if up and firm.profile == NEAR_MISS_GROWTH else rev
        gains_ip = fy == breakout and firm.profile == PLAIN
        report = _scaled(firm.reports[fy - 1], rng.uniform(*growth), rng.uniform(*emp),
                         1 if gains_ip else 0)
        if up and firm.profile == NEAR_MISS_INTENSITY:  # research spending steps up
            report["st_activity_investment"] = int(report["revenue"] * BREAKOUT_INTENSITY)
        firm.reports[fy] = report
    for fy in sorted(firm.reports):
        filed = day_in(rng, fy + 1, *FILING_SEASON)
        if filed > as_of:
            if fy > LAST_FY:  # not filed yet: the current year's progress is still live
                del firm.reports[fy]
                continue
            filed = max(date(fy + 1, 1, 1), as_of)
        firm.filed[fy] = filed

