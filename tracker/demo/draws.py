"""The generator's random draws: one `random.Random(seed)`, drawn in a fixed order."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from tracker.demo.profiles import Shape


class Draws:
    """All randomness flows from one `random.Random(seed)`, drawn in a fixed order."""

    def __init__(self, seed: int, as_of: date, shape: Shape):
        self.shape = shape
        self.rng = random.Random(seed)
        self.as_of = as_of
        # Codes and names are unique by construction: the k-th code of a division and the
        # k-th name of an industry are the k-th points of a permutation of the space drawn
        # once (a random affine map), so no draw is ever repeated or rejected.
        self.code_space = Permutations(self.rng, len(ALPHABET) ** CODE_CHARS)
        self.name_spaces = {industry: Permutations(self.rng, *name_space_sizes(industry))
                            for industry in INDUSTRY_WORDS}
        self.issued: Counter[str] = Counter()
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
        """A new valid-looking USCC registered in `district` (never one issued before)."""
        division = DIVISION[district]  # the high-tech zone shares Ganjingzi's code
        k = self.issued[division]
        self.issued[division] += 1
        point = self.code_space.point(0, k)
        chars = []
        for _ in range(CODE_CHARS):
            point, digit = divmod(point, len(ALPHABET))
            chars.append(ALPHABET[digit])
        body = "91" + "2102" + division + "".join(chars)
        return body + check_character(body)

    def name(self, industry: str, kind: str = "independent", *, joint_stock: bool = False) -> str:
        """A new firm name fitting the industry and the kind of company (never one given
        before: two words, then three once an industry's two-word names are used up)."""
        k = self.issued[industry]
        self.issued[industry] += 1
        words, trade = name_words(industry, self.name_spaces[industry].point_of(k))
        stem = "".join(words) + trade
        if kind == "independent":
            suffix = "股份有限公司" if joint_stock else "科技有限公司"
            return f"大连{stem}{suffix}"
        if kind in ("branch", "production_base"):
            return f"{self.rng.choice(PARENT_CITIES)}{stem}{KIND_SUFFIX[kind]}"
        return f"大连{stem}{KIND_SUFFIX[kind]}"

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


CODE_CHARS = 9  # USCC characters 9-17: the organisation code, drawn


class Permutations:
    """Random-looking bijections of [0, size) for consecutive spaces, drawn once from `rng`:
    point(i, k) is the k-th point of space i; point_of(k) walks the spaces in turn."""

    def __init__(self, rng: random.Random, *sizes: int):
        self.sizes = sizes
        self.maps = []
        for size in sizes:
            stride = rng.randrange(1, size)
            while math.gcd(stride, size) != 1:
                stride += 1
            self.maps.append((stride % size or 1, rng.randrange(size)))

    def point(self, space: int, k: int) -> int:
        """The k-th point of space `space` (k < its size)."""
        size = self.sizes[space]
        if k >= size:
            raise ValueError(f"space {space} holds {size} points; asked for point {k}")
        stride, offset = self.maps[space]
        return (offset + k * stride) % size

    def point_of(self, k: int) -> tuple[int, int]:
        """(space, point): the k-th point over all the spaces, the first space first."""
        for space, size in enumerate(self.sizes):
            if k < size:
                return space, self.point(space, k)
            k -= size
        raise ValueError(f"only {sum(self.sizes)} points; asked for one more")


def name_space_sizes(industry: str) -> tuple[int, int]:
    """How many names of two words, and of three, an industry has."""
    n, trades = len(WORDS), len(INDUSTRY_WORDS[industry])
    return n * (n - 1) * trades, n * (n - 1) * (n - 2) * trades


def name_words(industry: str, where: tuple[int, int]) -> tuple[list[str], str]:
    """The words (distinct, in order) and the trade word of a name's point in its space."""
    space, point = where
    trades = INDUSTRY_WORDS[industry]
    point, trade = divmod(point, len(trades))
    pool = list(WORDS)
    words = []
    for _ in range(space + 2):  # two words, or three
        point, i = divmod(point, len(pool))
        words.append(pool.pop(i))
    return words, trades[trade]


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

