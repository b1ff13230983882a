"""The generator's random draws: one `random.Random(seed)`, drawn in a fixed order."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from shared.uscc import ALPHABET, check_character
from tracker.demo.city import (
    DIVISION,
    INDUSTRY_WEIGHTS,
    INDUSTRY_WORDS,
    KIND_SUFFIX,
    PARENT_CITIES,
    WAN,
    WORDS,
)
from tracker.demo.population import FIRST_FY, LAST_FY, DemoFirm


class Draws:
    """All randomness flows from one `random.Random(seed)`, drawn in a fixed order."""

    def __init__(self, seed: int, as_of: date):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.created: list[DemoFirm] = []

    # -- small draws
    def pick(self, weights: Mapping[str, float]) -> str:
        """One key, drawn by its weight."""
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def log_uniform(self, low: float, high: float) -> float:
        """A value between `low` and `high`, uniform on a log scale."""
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def day_in(self, year: int, first_month: int = 1, last_month: int = 12) -> date:
        """A day in months first_month..last_month of `year`."""
        return day_in(self.rng, year, first_month, last_month)

    def uscc(self, district: str) -> str:
        """A new valid-looking USCC registered in `district`."""
        while True:
            body = ("91" + "2102" + DIVISION[district]
                    + "".join(self.rng.choice(ALPHABET) for _ in range(9)))
            code = body + check_character(body)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def name(self, industry: str, kind: str = "independent", *, joint_stock: bool = False) -> str:
        """A new firm name fitting the industry and the kind of company."""
        while True:
            w1, w2 = self.rng.sample(WORDS, 2)
            trade = self.rng.choice(INDUSTRY_WORDS[industry])
            if kind == "independent":
                suffix = "股份有限公司" if joint_stock else "科技有限公司"
                name = f"大连{w1}{w2}{trade}{suffix}"
            elif kind in ("branch", "production_base"):
                name = f"{self.rng.choice(PARENT_CITIES)}{w1}{w2}{trade}{KIND_SUFFIX[kind]}"
            else:
                name = f"大连{w1}{w2}{trade}{KIND_SUFFIX[kind]}"
            if name not in self.names:
                self.names.add(name)
                return name

    def firm(self, profile: str, districts: Mapping[str, float], founded: tuple[int, int],
             **kw: Any) -> DemoFirm:
        """A new firm of `profile` in a district drawn from `districts`, founded in `founded`."""
        district = self.pick(districts)
        industry = self.pick(INDUSTRY_WEIGHTS)
        kind = kw.pop("company_kind", "independent")
        joint_stock = kw.pop("joint_stock", False)
        firm = DemoFirm(
            profile=profile, uscc=self.uscc(district),
            name=self.name(industry, kind, joint_stock=joint_stock),
            district=district, industry=industry,
            founded_on=self.day_in(self.rng.randint(*founded)), company_kind=kind, **kw)
        self.created.append(firm)
        return firm

    # -- reports
    def reports(self, firm: DemoFirm, revenue: dict[int, int], employees: dict[int, int], *,
                st_ratio: tuple[float, float], rd_share: tuple[float, float] = (0.75, 0.92),
                ip1: int, ip2: int, exact_st: float | None = None,
                staff_share: tuple[float, float] = (0.15, 0.55),
                high_tech_share: tuple[float, float] = (0.55, 0.95)) -> None:
        """Fill `firm.reports` for every year it existed, FY2018-FY2022.

        `st_ratio` bounds S&T activity investment / revenue per year (`exact_st` fixes it);
        R&D is a share of that; IP counts grow towards (ip1, ip2) in the last year.
        """
        years = self.years_of(firm)
        for i, fy in enumerate(years):
            rev = revenue[fy]
            ratio = exact_st if exact_st is not None else self.rng.uniform(*st_ratio)
            st = int(rev * ratio)
            emp = employees[fy]
            ramp = (i + 1) / len(years)
            firm.reports[fy] = {
                "revenue": rev,
                "sales_revenue": int(rev * self.rng.uniform(0.86, 1.0)),
                "total_assets": int(rev * self.rng.uniform(0.7, 2.4)) + 500 * WAN,
                "employees": emp,
                "st_staff": min(emp, max(1, round(emp * self.rng.uniform(*staff_share)))),
                "rd_expense": int(st * self.rng.uniform(*rd_share)),
                "st_activity_investment": st,
                "high_tech_revenue": int(rev * self.rng.uniform(*high_tech_share)),
                "ip_class1": math.floor(ip1 * ramp) if i < len(years) - 1 else ip1,
                "ip_class2": math.floor(ip2 * ramp) if i < len(years) - 1 else ip2,
            }

    def walk(self, start: float, years: Sequence[int],
             growth: tuple[float, float]) -> dict[int, int]:
        """A series from `start` in the first year, multiplied by a random factor each year."""
        out, value = {}, start
        for i, fy in enumerate(years):
            if i:
                value *= self.rng.uniform(*growth)
            out[fy] = max(1, int(value))
        return out

    def geometric(self, base: float, rate: float, years: Sequence[int],
                  jitter: float = 0.0) -> dict[int, int]:
        """base * (1+rate)^t over the years, each point within +-jitter."""
        return {fy: int(base * (1 + rate) ** (fy - years[0])
                        * (1 + self.rng.uniform(-jitter, jitter))) for fy in years}

    def years_of(self, firm: DemoFirm) -> list[int]:
        """The core fiscal years the firm existed in."""
        return [y for y in range(FIRST_FY, LAST_FY + 1) if y >= firm.founded_on.year]

    def round_(self, firm: DemoFirm, year: int, amount: int, valuation: int, *,
               currency: str = "CNY", investor_kind: str = "vc_pe",
               months: tuple[int, int] = (1, 12)) -> None:
        """A funding round closed in `year` (after the firm's founding)."""
        closed = self.day_in(year, *months)
        if closed <= firm.founded_on:
            closed = firm.founded_on + timedelta(days=self.rng.randint(60, 200))
        firm.funding_rounds.append({
            "closed_on": closed.isoformat(), "amount": amount, "currency": currency,
            "post_money_valuation": valuation, "investor_kind": investor_kind})

    def certificate(self, firm: DemoFirm, kind: str, year: int, *,
                    months: tuple[int, int] = (1, 12), valid_years: int | None = None,
                    calendar_year: bool = False, renew_every: int | None = None) -> None:
        """A certificate issued in `year`; with `renew_every`, also its renewals (or, for a
        prize, the next win) every so many years, up to `as_of`. Renewals draw nothing
        from the random stream, so a later `as_of` only adds certificates."""
        first = self.day_in(year, *months)
        if first <= firm.founded_on:
            first = firm.founded_on + timedelta(days=self.rng.randint(30, 120))
        issued, k = first, 0
        while True:
            cert: dict[str, Any] = {"kind": kind, "issued_on": issued.isoformat()}
            if valid_years is not None:
                cert["expires_on"] = (add_years(issued, valid_years)
                                      - timedelta(days=1)).isoformat()
            elif calendar_year:
                cert["expires_on"] = date(issued.year, 12, 31).isoformat()
            firm.certificates.append(cert)
            k += 1
            if renew_every is None:
                return
            issued = add_years(first, renew_every * k)
            if issued > self.as_of:
                return


def day_in(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> date:
    """A day in months first_month..last_month of `year`."""
    start = date(year, first_month, 1)
    end = (date(year, 12, 31) if last_month == 12
           else date(year, last_month + 1, 1) - timedelta(days=1))
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def add_years(d: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)

