"""Demo data: a deterministic, synthetic Dalian population, loaded through the registry API.

`generate(seed, firms, as_of=...)` is a pure function: the same arguments give the same
firms, reports, funding rounds and certificates, byte for byte. The core series
(FY2018-FY2022) is fixed by (seed, firms); `as_of` dates the rest: the reports of later
fiscal years up to the last one filed by then (each report carries its filing date, a
spring day of FY+1), and the certificate renewals due by then. Some growth firms also
reported FY2015-FY2017, so the ladder, which dates every decision, credits their
promotions to the years they happened, not all to one year. `load_demo(url, token)` sends them to a running registry over
HTTP (CSV imports for firms and reports, JSON calls for funding rounds and
certificates). Loading twice changes nothing: the registry treats identical firms,
reports, rounds and certificates as no-ops.

Sizes follow RULEBOOK.md's scale reference (city-wide roughly 1,850 eaglets and 360
gazelles; 46% of eaglets and 27.3% of gazelles in the high-tech zone; nine
unicorn-type firms, none of them yet a unicorn). Everything here is invented: the
names are word-list combinations, the codes are valid-looking but random.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from registry.domain.uscc import ALPHABET, check_character
from shared.codes import DISTRICTS, INDUSTRIES

log = logging.getLogger(__name__)

FIRST_FY, LAST_FY = 2018, 2022
REFERENCE_DAY = date(LAST_FY + 1, 1, 1)  # when FY2022 data is evaluated (round 2023)
CSV_CHUNK_ROWS = 2000
MIN_FIRMS = 100
FIRM_COLUMNS = ("uscc", "name", "district", "industry", "founded_on", "company_kind", "listed",
                "abnormal_list")
REPORT_COLUMNS = ("uscc", "fiscal_year", "filed_on", "revenue", "sales_revenue", "total_assets", "employees",
                  "st_staff", "rd_expense", "st_activity_investment", "high_tech_revenue",
                  "ip_class1", "ip_class2")
WAN = 10_000
YI = 100_000_000

# Profiles: what each synthetic firm is meant to look like to the ladder (FY2022 data).
EAGLET = "eaglet"                    # young, independent, class-I/II IP
EAGLET_SOFTWARE = "eaglet_software"  # young, little IP, software-enterprise + -product certs
EAGLET_PRIZE = "eaglet_prize"        # young, little IP, an innovation-contest prize
GAZELLE = "gazelle"                  # revenue CAGR >= 20% on a base > 1000万, intensity >= 2.5%
GAZELLE_EMPLOYEES = "gazelle_employees"  # employee CAGR >= 30% on a base > 100
GAZELLE_VENTURE = "gazelle_venture"  # a VC/PE round >= 1000万 in FY-2..FY
NEAR_MISS_GROWTH = "near_miss_growth"        # revenue CAGR 17-19.9%, intensity fine
NEAR_MISS_INTENSITY = "near_miss_intensity"  # growth fine, S&T intensity 2.2-2.49%
SEED = "seed"                        # seed-grade unicorn type (CNY rounds)
POTENTIAL = "potential"              # potential-grade unicorn type (USD rounds)
UNICORN_CANDIDATE = "unicorn_candidate"  # post-money just under US$1B: the "first unicorn" watch
LEADER = "leader"                    # revenue >= 10亿, R&D >= 3%, high-tech certificate
NOT_INDEPENDENT = "not_independent"  # branch / production base / sales / trading company
ABNORMAL = "abnormal"                # eaglet-like but on the abnormal-operation list
PLAIN = "plain"                      # too old or no IP: on no tier
PROFILES = (EAGLET, EAGLET_SOFTWARE, EAGLET_PRIZE, GAZELLE, GAZELLE_EMPLOYEES, GAZELLE_VENTURE,
            NEAR_MISS_GROWTH, NEAR_MISS_INTENSITY, SEED, POTENTIAL, UNICORN_CANDIDATE, LEADER,
            NOT_INDEPENDENT, ABNORMAL, PLAIN)

# Dalian county-level division codes (GB/T 2260) for USCC characters 3-8. The high-tech
# zone has no county code of its own; its firms mostly register in Ganjingzi (210211).
DIVISION = {
    "zhongshan": "02", "xigang": "03", "shahekou": "04", "ganjingzi": "11", "lvshunkou": "12",
    "jinpu": "13", "pulandian": "14", "changhai": "24", "wafangdian": "81", "zhuanghe": "83",
    "hitech": "11",
}
# Share per district: eaglets 46% in the high-tech zone, gazelles 27.3% (scale reference).
EAGLET_DISTRICTS = {
    "hitech": 46, "ganjingzi": 12, "jinpu": 11, "shahekou": 8, "zhongshan": 6, "xigang": 5,
    "lvshunkou": 4, "pulandian": 2, "wafangdian": 2, "zhuanghe": 2, "changhai": 2,
}
GAZELLE_DISTRICTS = {
    "hitech": 27.3, "jinpu": 19, "ganjingzi": 15, "shahekou": 8, "zhongshan": 7, "xigang": 5,
    "lvshunkou": 5, "pulandian": 4, "wafangdian": 4, "zhuanghe": 4, "changhai": 1.7,
}
OTHER_DISTRICTS = {
    "hitech": 25, "ganjingzi": 15, "jinpu": 15, "shahekou": 9, "zhongshan": 9, "xigang": 8,
    "lvshunkou": 5, "pulandian": 4, "wafangdian": 4, "zhuanghe": 4, "changhai": 2,
}
INDUSTRY_WEIGHTS = {
    "next_gen_it": 32, "intelligent_manufacturing": 22, "life_health": 14, "clean_energy": 12,
    "fine_chemicals": 10, "other": 10,
}
assert set(DIVISION) == set(DISTRICTS) == set(EAGLET_DISTRICTS) == set(GAZELLE_DISTRICTS)
assert set(INDUSTRY_WEIGHTS) == set(INDUSTRIES)

WORDS = (
    "星海", "启航", "瀚宇", "蓝湾", "金沙", "海韵", "新港", "云帆", "银杏", "长兴", "北辰", "鲲鹏",
    "海纳", "博远", "睿思", "智云", "天元", "辰光", "旭日", "青云", "明德", "华卓", "恒信", "泰和",
    "汇通", "聚能", "安捷", "德润", "晟达", "嘉禾", "锦程", "远帆", "凌霄", "同舟", "滨城", "槐香",
    "东港", "棒棰", "老虎滩", "星火", "拓维", "凯旋", "鼎盛", "宏图", "信诚", "润泽", "朗润",
    "澄明",
)
INDUSTRY_WORDS = {
    "next_gen_it": ("信息", "软件", "数据", "智能", "网络", "云计算"),
    "intelligent_manufacturing": ("智造", "精密", "机器人", "装备", "自动化", "数控"),
    "clean_energy": ("新能源", "氢能", "储能", "光伏", "节能", "环保"),
    "fine_chemicals": ("化工", "新材料", "催化", "精细化学", "涂料", "高分子"),
    "life_health": ("生物", "医疗", "医药", "基因", "健康", "海洋生物"),
    "other": ("创新", "技术服务", "检测", "文化科技", "设计", "咨询"),
}
PARENT_CITIES = ("沈阳", "北京", "上海", "深圳", "杭州", "天津")
KIND_SUFFIX = {
    "branch": "科技有限公司大连分公司", "production_base": "科技有限公司大连生产基地",
    "sales": "销售有限公司", "trading": "贸易有限公司",
}


@dataclass
class DemoFirm:
    """One synthetic firm with every fact the loader sends for it."""

    profile: str
    uscc: str
    name: str
    district: str
    industry: str
    founded_on: date
    company_kind: str = "independent"
    listed: bool = False
    abnormal_list: bool = False
    reports: dict[int, dict[str, int]] = field(default_factory=dict)
    filed: dict[int, date] = field(default_factory=dict)  # fiscal year -> filing date
    funding_rounds: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)

    def firm_row(self) -> dict[str, Any]:
        """The firm as a POST /v1/firms body (and a firms-CSV row)."""
        return {"uscc": self.uscc, "name": self.name, "district": self.district,
                "industry": self.industry, "founded_on": self.founded_on.isoformat(),
                "company_kind": self.company_kind, "listed": self.listed,
                "abnormal_list": self.abnormal_list}


@dataclass
class DemoData:
    """The whole population."""

    seed: int
    as_of: date
    firms: list[DemoFirm]

    @property
    def report_count(self) -> int:
        return sum(len(f.reports) for f in self.firms)

    @property
    def funding_round_count(self) -> int:
        return sum(len(f.funding_rounds) for f in self.firms)

    @property
    def certificate_count(self) -> int:
        return sum(len(f.certificates) for f in self.firms)

    def profiles(self) -> Counter[str]:
        """How many firms of each profile."""
        return Counter(f.profile for f in self.firms)

    def firms_csv(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[str]:
        """Firms as CSV texts of at most `chunk_rows` rows each."""
        rows = [f.firm_row() for f in self.firms]
        return [_csv(FIRM_COLUMNS, part) for part in _chunks(rows, chunk_rows)]

    def report_chunks(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[list[dict[str, Any]]]:
        """Report rows (firms keyed by USCC, oldest year first) in chunks of at most
        `chunk_rows` rows; a firm's reports are never split between chunks."""
        chunks: list[list[dict[str, Any]]] = [[]]
        for f in self.firms:
            rows = [{"uscc": f.uscc, "fiscal_year": fy, "filed_on": f.filed[fy].isoformat(), **r}
                    for fy, r in sorted(f.reports.items())]
            if len(chunks[-1]) + len(rows) > chunk_rows:
                chunks.append([])
            chunks[-1].extend(rows)
        return [c for c in chunks if c]

    def reports_csv(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[str]:
        """Reports as CSV texts of at most `chunk_rows` rows each."""
        return [_csv(REPORT_COLUMNS, part) for part in self.report_chunks(chunk_rows)]


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: str(v).lower() if isinstance(v, bool) else v
                         for k, v in row.items()})
    return out.getvalue()


# ---------------------------------------------------------------- the generator

class _Gen:
    """All randomness flows from one `random.Random(seed)`, drawn in a fixed order."""

    def __init__(self, seed: int, as_of: date):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.created: list[DemoFirm] = []

    # -- small draws
    def pick(self, weights: Mapping[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def log_uniform(self, low: float, high: float) -> float:
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def day_in(self, year: int, first_month: int = 1, last_month: int = 12) -> date:
        return _day_in(self.rng, year, first_month, last_month)

    def uscc(self, district: str) -> str:
        while True:
            body = ("91" + "2102" + DIVISION[district]
                    + "".join(self.rng.choice(ALPHABET) for _ in range(9)))
            code = body + check_character(body)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def name(self, industry: str, kind: str = "independent", *, joint_stock: bool = False) -> str:
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
        return [y for y in range(FIRST_FY, LAST_FY + 1) if y >= firm.founded_on.year]

    def round_(self, firm: DemoFirm, year: int, amount: int, valuation: int, *,
               currency: str = "CNY", investor_kind: str = "vc_pe",
               months: tuple[int, int] = (1, 12)) -> None:
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
                cert["expires_on"] = (_add_years(issued, valid_years)
                                      - timedelta(days=1)).isoformat()
            elif calendar_year:
                cert["expires_on"] = date(issued.year, 12, 31).isoformat()
            firm.certificates.append(cert)
            k += 1
            if renew_every is None:
                return
            issued = _add_years(first, renew_every * k)
            if issued > self.as_of:
                return


def _day_in(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> date:
    """A day in months first_month..last_month of `year`."""
    start = date(year, first_month, 1)
    end = (date(year, 12, 31) if last_month == 12
           else date(year, last_month + 1, 1) - timedelta(days=1))
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _mix(firms: int) -> dict[str, int]:
    """How many firms of each profile for a population of `firms`."""
    def share(fraction: float, minimum: int = 1) -> int:
        return max(minimum, round(firms * fraction))

    mix = {
        SEED: share(4 / 2400), POTENTIAL: share(4 / 2400), UNICORN_CANDIDATE: 1,
        LEADER: share(0.005, 2),
        GAZELLE: share(0.105), GAZELLE_EMPLOYEES: share(0.012), GAZELLE_VENTURE: share(0.012),
        NEAR_MISS_GROWTH: share(0.015, 2), NEAR_MISS_INTENSITY: share(0.015, 2),
        EAGLET_SOFTWARE: share(0.02), EAGLET_PRIZE: share(0.01),
        NOT_INDEPENDENT: share(0.03, 2), ABNORMAL: share(1 / 1200, 2), PLAIN: share(0.1, 2),
    }
    mix[EAGLET] = firms - sum(mix.values())
    return mix


# One builder per profile; each draws from `g.rng` only, so the population is a pure
# function of the seed. "FY2022 evaluation" below means the ladder's round 2023, as of
# 2023-01-01: certificates and rounds are dated so that they count then.
ALL_YEARS = tuple(range(FIRST_FY, LAST_FY + 1))


def _eaglet_like(g: _Gen, profile: str, districts: Mapping[str, float], last_year: int = LAST_FY,
                 *, ip: bool = True, **kw: Any) -> DemoFirm:
    """Young (founded 2013+), small (base-year revenue < 1000万), research-heavy."""
    rng = g.rng
    f = g.firm(profile, districts, (2013, last_year), **kw)
    years = g.years_of(f)
    if not ip:
        ip1, ip2 = 0, rng.randint(0, 1)
    elif rng.random() < 0.6:
        ip1, ip2 = rng.randint(1, 6), rng.randint(0, 12)
    else:
        ip1, ip2 = 0, rng.randint(2, 15)
    g.reports(f, g.walk(g.log_uniform(30 * WAN, 600 * WAN), years, (0.95, 1.3)),
              g.walk(rng.randint(8, 90), years, (0.95, 1.2)), st_ratio=(0.04, 0.16),
              ip1=ip1, ip2=ip2)
    return f


def _eaglet(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS)
    r = rng.random()
    if f.founded_on.year == LAST_FY:  # certificates and rounds come later in a firm's life
        return
    last = f.reports[LAST_FY]
    since = f.founded_on.year + 1
    if r < 0.06 and last["st_staff"] * 10 >= last["employees"]:
        g.certificate(f, "high_tech_enterprise", rng.randint(max(2020, since), LAST_FY),
                      months=(10, 12), valid_years=3, renew_every=3)
    elif r < 0.11:
        g.certificate(f, "tech_sme", LAST_FY, months=(3, 9), calendar_year=True)
    elif r < 0.13:  # an angel round, well below the gazelle's 1000万 venture path
        g.round_(f, rng.randint(max(2019, since), LAST_FY), rng.randint(100, 800) * WAN,
                 rng.randint(2000, 8000) * WAN, investor_kind=rng.choice(("vc_pe", "other")))


def _eaglet_software(g: _Gen, profile: str) -> None:
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS, LAST_FY - 1, ip=False)
    year = g.rng.randint(max(2021, f.founded_on.year + 1), LAST_FY)  # valid on 2023-01-01
    g.certificate(f, "software_enterprise", year, valid_years=3, renew_every=3)
    g.certificate(f, "software_product", year, valid_years=5, renew_every=5)


def _eaglet_prize(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS, LAST_FY - 1, ip=False)
    # prizes count for 3 years: this firm wins again every 3 years
    g.certificate(f, rng.choice(("contest_prize_national", "contest_prize_provincial")),
                  rng.randint(max(2020, f.founded_on.year + 1), LAST_FY), months=(9, 12),
                  renew_every=3)


def _not_independent(g: _Gen, profile: str) -> None:
    kind = g.rng.choice(("branch", "production_base", "sales", "trading"))
    _eaglet_like(g, profile, OTHER_DISTRICTS, company_kind=kind)


def _abnormal(g: _Gen, profile: str) -> None:
    _eaglet_like(g, profile, OTHER_DISTRICTS, abnormal_list=True)


def _plain(g: _Gen, profile: str) -> None:
    rng = g.rng
    if rng.random() < 0.5:  # too old for eaglet even on FY2018 data, not growing
        f = g.firm(profile, OTHER_DISTRICTS, (2005, 2008))
        ip1, ip2 = rng.randint(0, 3), rng.randint(0, 6)
    else:  # young but without qualifying IP
        f = g.firm(profile, OTHER_DISTRICTS, (2014, LAST_FY))
        ip1, ip2 = 0, rng.randint(0, 1)
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(50 * WAN, 3000 * WAN), years, (0.85, 1.12)),
              g.walk(rng.randint(5, 80), years, (0.9, 1.1)), st_ratio=(0.0, 0.02),
              ip1=ip1, ip2=ip2, staff_share=(0.02, 0.2), high_tech_share=(0.0, 0.4))


def _growth(g: _Gen, profile: str) -> None:
    """Revenue-path gazelles and the two kinds of near miss (founded 2005-2017)."""
    rng = g.rng
    f = g.firm(profile, GAZELLE_DISTRICTS, (2005, 2017))
    base = g.log_uniform(1200 * WAN, 1.5 * YI)  # FY2018; stays below the leader's 10亿
    employees = g.walk(rng.randint(30, 400), ALL_YEARS, (1.0, 1.15))
    ip1, ip2 = rng.randint(2, 30), rng.randint(5, 60)
    if profile == GAZELLE:
        # +-0.5% jitter keeps every 3-year CAGR above 20.6% and revenue rising
        revenue = g.geometric(base, rng.uniform(0.215, 0.5), ALL_YEARS, jitter=0.005)
        g.reports(f, revenue, employees, st_ratio=(0.028, 0.08), ip1=ip1, ip2=ip2)
        if rng.random() < 0.2:
            g.certificate(f, "high_tech_enterprise", rng.randint(2020, LAST_FY),
                          months=(10, 12), valid_years=3, renew_every=3)
    elif profile == NEAR_MISS_GROWTH:  # CAGR 17-19.8%, intensity fine
        revenue = g.geometric(base, rng.uniform(0.17, 0.198), ALL_YEARS)
        g.reports(f, revenue, employees, st_ratio=(0.028, 0.06), ip1=ip1, ip2=ip2)
    else:  # growth fine, S&T intensity 2.21-2.49% every year
        revenue = g.geometric(base, rng.uniform(0.22, 0.4), ALL_YEARS, jitter=0.005)
        g.reports(f, revenue, employees, st_ratio=(0.0, 0.0),
                  exact_st=rng.uniform(0.0221, 0.0249), ip1=ip1, ip2=ip2)


def _gazelle_employees(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, GAZELLE_DISTRICTS, (2008, 2017))
    g.reports(f, g.walk(g.log_uniform(2000 * WAN, 2 * YI), ALL_YEARS, (0.97, 1.1)),
              g.geometric(rng.randint(120, 400), rng.uniform(0.33, 0.5), ALL_YEARS),
              st_ratio=(0.03, 0.07), ip1=rng.randint(1, 15), ip2=rng.randint(2, 30))


def _gazelle_venture(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, GAZELLE_DISTRICTS, (2010, 2016))  # too old for the seed grade
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(800 * WAN, 1 * YI), years, (0.97, 1.12)),
              g.walk(rng.randint(40, 200), years, (1.0, 1.12)),
              st_ratio=(0.04, 0.12), ip1=rng.randint(1, 10), ip2=rng.randint(2, 20))
    amount = rng.randint(1000, 5000) * WAN  # one VC/PE round >= 1000万 in FY2020-FY2022
    g.round_(f, 2021, amount, amount * rng.randint(5, 12))


def _seed(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, {"hitech": 1}, (2018, 2020))  # at most 5 years old in FY2022
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(200 * WAN, 3000 * WAN), years, (1.2, 1.8)),
              g.walk(rng.randint(15, 60), years, (1.1, 1.5)),
              st_ratio=(0.08, 0.25), ip1=rng.randint(1, 8), ip2=rng.randint(2, 20))
    # valuation 3.2亿-5.8亿 CNY, at most 2,900万 CNY raised: seed grade, below the
    # potential grade's US$100M valuation and US$5M funding
    g.round_(f, f.founded_on.year + 1, rng.randint(200, 500) * WAN,
             rng.randint(4000, 12000) * WAN, investor_kind="other")
    g.round_(f, LAST_FY, rng.randint(1000, 2400) * WAN, rng.randint(32000, 58000) * WAN,
             months=(9, 12))


def _potential(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, {"hitech": 1}, (2015, 2020))
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(1000 * WAN, 1 * YI), years, (1.15, 1.7)),
              g.walk(rng.randint(40, 150), years, (1.1, 1.4)),
              st_ratio=(0.08, 0.2), ip1=rng.randint(3, 25), ip2=rng.randint(5, 40))
    usd = 1_000_000
    g.round_(f, 2021, rng.randint(8, 15) * usd, rng.randint(40, 90) * usd, currency="USD")
    if f.founded_on.year >= LAST_FY - 4:  # at most 5 years old: US$100M / US$5M
        g.round_(f, LAST_FY, rng.randint(15, 40) * usd, rng.randint(120, 400) * usd,
                 currency="USD")
    else:  # older: US$500M / US$25M
        g.round_(f, LAST_FY, rng.randint(30, 80) * usd, rng.randint(520, 850) * usd,
                 currency="USD")


def _unicorn_candidate(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, {"hitech": 1}, (2016, 2016))
    years = g.years_of(f)
    g.reports(f, g.geometric(g.log_uniform(5000 * WAN, 1.4 * YI), 0.6, years, jitter=0.02),
              g.geometric(rng.randint(150, 260), 0.25, years),
              st_ratio=(0.12, 0.2), ip1=rng.randint(30, 60), ip2=rng.randint(40, 90))
    g.round_(f, 2019, 50_000_000, 300_000_000, currency="USD")
    g.round_(f, 2021, 120_000_000, 650_000_000, currency="USD")
    # just under US$1 billion: the city's first unicorn (零的突破) is one round away
    g.round_(f, LAST_FY, 150_000_000, 980_000_000, currency="USD")
    g.certificate(f, "high_tech_enterprise", 2020, months=(10, 12), valid_years=3,
                  renew_every=3)


def _leader(g: _Gen, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, OTHER_DISTRICTS, (2005, 2012), joint_stock=True,
               listed=rng.random() < 0.5)
    last = g.log_uniform(10.5 * YI, 60 * YI)
    rate = rng.uniform(0.03, 0.15)
    revenue = {fy: int(last / (1 + rate) ** (LAST_FY - fy)) for fy in ALL_YEARS}
    g.reports(f, revenue, g.walk(rng.randint(1500, 9000), ALL_YEARS, (0.98, 1.08)),
              st_ratio=(0.04, 0.08), rd_share=(0.85, 0.95), ip1=rng.randint(80, 600),
              ip2=rng.randint(100, 900), staff_share=(0.12, 0.35), high_tech_share=(0.6, 0.9))
    g.certificate(f, "high_tech_enterprise", 2021, months=(10, 12), valid_years=3,
                  renew_every=3)
    if rng.random() < 0.3:
        g.certificate(f, "st_award", rng.randint(2019, LAST_FY), months=(4, 12))


BUILDERS: dict[str, Callable[[_Gen, str], None]] = {
    EAGLET: _eaglet, EAGLET_SOFTWARE: _eaglet_software, EAGLET_PRIZE: _eaglet_prize,
    GAZELLE: _growth, NEAR_MISS_GROWTH: _growth, NEAR_MISS_INTENSITY: _growth,
    GAZELLE_EMPLOYEES: _gazelle_employees, GAZELLE_VENTURE: _gazelle_venture,
    SEED: _seed, POTENTIAL: _potential, UNICORN_CANDIDATE: _unicorn_candidate, LEADER: _leader,
    NOT_INDEPENDENT: _not_independent, ABNORMAL: _abnormal, PLAIN: _plain,
}
assert set(BUILDERS) == set(PROFILES)


# ---------------------------------------------------------------- dating the history

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


def _date_history(firm: DemoFirm, seed: int, as_of: date) -> None:
    """Earlier and later fiscal years and every report's filing date, from a stream of the
    firm's own, so the core series stays what (seed, firms) made it."""
    rng = random.Random(f"{seed}:{firm.uscc}")
    (rev, emp) = LATER_GROWTH.get(firm.profile, DEFAULT_GROWTH)
    first = min(firm.reports)
    if firm.profile in GROWTH_PROFILES and rng.random() >= LATE_JOINERS:
        for fy in range(first - 1, max(BACKFILL_FY, firm.founded_on.year) - 1, -1):
            firm.reports[fy] = _scaled(firm.reports[fy + 1], 1 / rng.uniform(*rev),
                                       1 / rng.uniform(*emp), -rng.randint(0, 1))
        if firm.profile == GAZELLE_VENTURE:  # an earlier VC/PE round: a gazelle before 2022
            closed = _day_in(rng, rng.randint(max(2017, firm.founded_on.year + 1), 2019))
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
        filed = _day_in(rng, fy + 1, *FILING_SEASON)
        if filed > as_of:
            if fy > LAST_FY:  # not filed yet: the current year's progress is still live
                del firm.reports[fy]
                continue
            filed = max(date(fy + 1, 1, 1), as_of)
        firm.filed[fy] = filed


def generate(seed: int = 2022, firms: int = 2400, *, as_of: date = REFERENCE_DAY) -> DemoData:
    """A deterministic synthetic population of `firms` Dalian firms (a pure function).

    The core series (FY2018-FY2022 reports, rounds and first certificates) is fixed by
    (seed, firms). `as_of` dates the rest: reports of later fiscal years filed by then,
    every report's filing date, and the certificate renewals and later contest prizes
    falling due by then.
    """
    if firms < MIN_FIRMS:
        raise ValueError(f"firms must be at least {MIN_FIRMS}, got {firms}")
    if as_of < REFERENCE_DAY:
        raise ValueError(f"as_of must be {REFERENCE_DAY} or later, got {as_of}")
    g = _Gen(seed, as_of)
    mix = _mix(firms)
    for profile in PROFILES:
        for _ in range(mix[profile]):
            BUILDERS[profile](g, profile)
    population = list(g.created)
    g.rng.shuffle(population)  # interleave the profiles, as a real register would
    for firm in population:
        _date_history(firm, seed, as_of)
    return DemoData(seed=seed, as_of=as_of, firms=population)


# ---------------------------------------------------------------- the loader

class DemoLoadError(RuntimeError):
    """The registry refused the demo as a whole (bad token, server error, unreachable)."""


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code in (401, 403) or response.status_code >= 500:
        raise DemoLoadError(f"{what}: HTTP {response.status_code}: {response.text[:500]}")


async def _import(client: httpx.AsyncClient, kind: str, text: str, keys: list[str],
                  problems: list[str]) -> tuple[int, int]:
    """One CSV import; (applied, unchanged). Rejected rows go to `problems`."""
    response = await client.post("/v1/imports", params={"kind": kind},
                                 files={"file": (f"demo-{kind}.csv", text.encode(), "text/csv")})
    _check(response, f"import of {kind}")
    if response.status_code != 201:
        raise DemoLoadError(f"import of {kind}: HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    for err in body["errors"]:
        problems.append(f"{kind} row {keys[err['row'] - 1]}: {err['field']}: {err['reason']}")
    return int(body["applied"]), int(body["unchanged"])


async def _firm_ids(client: httpx.AsyncClient, wanted: set[str]) -> dict[str, str]:
    """USCC -> firm id for the wanted USCCs, paging the firm list once."""
    ids: dict[str, str] = {}
    cursor: str | None = None
    while len(ids) < len(wanted):
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/firms", params=params)
        _check(response, "listing firms")
        response.raise_for_status()
        page = response.json()
        ids.update({f["uscc"]: f["id"] for f in page["items"] if f["uscc"] in wanted})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return ids


async def _facts(client: httpx.AsyncClient, firm: DemoFirm, firm_id: str,
                 limit: asyncio.Semaphore, created: Counter[str], kept: Counter[str],
                 problems: list[str]) -> None:
    """One firm's funding rounds (oldest first), then its certificates."""
    calls = [("funding_rounds", "funding-rounds", body)
             for body in sorted(firm.funding_rounds, key=lambda r: r["closed_on"])]
    calls += [("certificates", "certificates", body) for body in firm.certificates]
    async with limit:
        for what, path, body in calls:
            response = await client.post(f"/v1/firms/{firm_id}/{path}", json=body)
            _check(response, f"{what} of {firm.uscc}")
            if response.status_code == 201:
                created[what] += 1
                kept[what] += 1
            elif response.status_code == 200:
                kept[what] += 1
            else:
                problems.append(f"{what} of {firm.uscc}: HTTP {response.status_code}: "
                                f"{response.text[:300]}")


# The current year's targets, seeded when the bureau has set none (the 2022 figures).
CURRENT_TARGETS = {"eaglet": 170, "gazelle": 30, "unicorn": 1, "high_tech_enterprise": 500,
                   "tech_sme": 1000}


async def seed_targets(ladder_url: str, token: str, year: int) -> bool:
    """PUT `year`'s targets on the ladder unless some are set already; True when seeded."""
    async with httpx.AsyncClient(base_url=ladder_url.rstrip("/"), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        current = await client.get(f"/v1/targets/{year}", params={"as_of": f"{year}-01-01"})
        _check(current, f"targets of {year}")
        if current.json().get("targets_set"):
            return False
        _check(await client.put(f"/v1/targets/{year}", json=CURRENT_TARGETS), "seeding targets")
        return True


async def load_demo(registry_url: str, token: str, *, firms: int = 2400, seed: int = 2022,
                    as_of: date | None = None, concurrency: int = 8, import_concurrency: int = 1,
                    timeout_s: float = 300.0, ladder_url: str | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Generate the demo population and load it through the registry's HTTP API.

    Returns how many firms, reports, funding rounds and certificates the registry now
    holds from the demo (`created` says how many of them this call added), the rows it
    rejected (`rejected`, with up to 20 `problems`) and the time taken. Running it again
    with the same seed adds nothing (a later day may add the certificate renewals that
    fell due meanwhile; see `generate`). `as_of` defaults to today. With `ladder_url`, the
    current year's targets are seeded there too, unless the bureau set some. `progress` is
    called as (stage, done, total) for the stages "firms", "reports" and "facts" as rows
    are sent.
    """
    started = time.perf_counter()
    data = generate(seed, firms, as_of=as_of or max(date.today(), REFERENCE_DAY))
    seeded = await seed_targets(ladder_url, token, data.as_of.year) if ladder_url else False
    created: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    done: Counter[str] = Counter()
    totals = {"firms": len(data.firms), "reports": data.report_count,
              "facts": data.funding_round_count + data.certificate_count}

    def tick(stage: str, rows: int) -> None:
        done[stage] += rows
        if progress is not None:
            progress(stage, done[stage], totals[stage])

    async with httpx.AsyncClient(base_url=registry_url.rstrip("/"), headers=headers,
                                 timeout=timeout_s) as client:
        usccs = [f.uscc for f in data.firms]
        tick("firms", 0)  # each bar starts when its stage does, so its rate counts from there
        for i, text in enumerate(data.firms_csv()):
            keys = usccs[i * CSV_CHUNK_ROWS:(i + 1) * CSV_CHUNK_ROWS]
            applied, unchanged = await _import(client, "firms", text, keys, problems)
            created["firms"] += applied
            kept["firms"] += applied + unchanged
            tick("firms", len(keys))

        with_facts = [f for f in data.firms if f.funding_rounds or f.certificates]
        ids = await _firm_ids(client, {f.uscc for f in with_facts})
        limit = asyncio.Semaphore(concurrency)

        async def reports(chunk: list[dict[str, Any]]) -> None:
            keys = [f"{r['uscc']}/FY{r['fiscal_year']}" for r in chunk]
            async with imports:
                applied, unchanged = await _import(
                    client, "reports", _csv(REPORT_COLUMNS, chunk), keys, problems)
            created["reports"] += applied
            kept["reports"] += applied + unchanged
            tick("reports", len(chunk))

        async def facts(firm: DemoFirm, firm_id: str) -> None:
            await _facts(client, firm, firm_id, limit, created, kept, problems)
            tick("facts", len(firm.funding_rounds) + len(firm.certificates))

        # A firm's reports stay in one chunk, so chunks may run side by side.
        imports = asyncio.Semaphore(import_concurrency)
        tasks = [reports(chunk) for chunk in data.report_chunks()]
        for firm in with_facts:
            if firm.uscc in ids:
                tasks.append(facts(firm, ids[firm.uscc]))
            else:
                problems.append(f"firm {firm.uscc} not found in the registry after its import")
        tick("reports", 0)
        tick("facts", 0)
        await asyncio.gather(*tasks)

    for problem in problems[:20]:
        log.warning("demo data rejected: %s", problem)
    return {
        "firms": kept["firms"], "reports": kept["reports"],
        "funding_rounds": kept["funding_rounds"], "certificates": kept["certificates"],
        "created": {k: created[k] for k in ("firms", "reports", "funding_rounds", "certificates")},
        "rejected": len(problems), "problems": problems[:20], "targets_seeded": seeded,
        "seconds": round(time.perf_counter() - started, 2),
    }
