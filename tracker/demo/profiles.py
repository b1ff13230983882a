"""The profiles: what each synthetic firm is meant to look like to the ladder, and how many."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.demo.city import EAGLET_DISTRICTS, GAZELLE_DISTRICTS, OTHER_DISTRICTS, WAN, YI
from tracker.demo.draws import Draws
from tracker.demo.population import FIRST_FY, LAST_FY, DemoFirm

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


@dataclass(frozen=True)
class Shape:
    """How a demo city is made: each profile's share of the firms (the `rest` profile takes
    what is left), and the few knobs that make its years look like one city's."""

    name: str
    shares: Mapping[str, float]  # profile -> fraction of the firms
    minimums: Mapping[str, int]  # profile -> at least this many
    rest: str  # the profile that takes the remainder
    late_joiners: float = 0.06  # growth firms whose history starts only in FY2018
    old_plain: float = 0.5  # plain firms too old for eaglet (founded 2005-2008)
    plain_hte: float = 0.0  # of the old plain firms: a high-tech-enterprise certificate
    plain_tech_sme: float = 0.0  # of the young plain firms: a tech-SME certificate
    eaglet_hte: float = 0.06  # of the eaglets: a high-tech-enterprise certificate
    big_rounds: int = LAST_FY  # the year seed and potential firms raise their grade's round
    fixed: Mapping[str, int] = field(default_factory=dict)  # profile -> exactly this many

    def mix(self, firms: int) -> dict[str, int]:
        """How many firms of each profile for a population of `firms`."""
        mix = {p: n for p, n in self.fixed.items()}
        for profile, fraction in self.shares.items():
            mix[profile] = max(self.minimums.get(profile, 1), round(firms * fraction))
        mix[self.rest] = firms - sum(mix.values())
        return {p: mix[p] for p in PROFILES}


# The rulebook's scale reference (docs/rulebook.md "Figures to calibrate against"): roughly
# 1,850 eaglets and 360 gazelles city-wide, nine unicorn-type firms. The library default.
RULEBOOK = Shape(
    name="rulebook",
    shares={SEED: 4 / 2400, POTENTIAL: 4 / 2400, LEADER: 0.005,
            GAZELLE: 0.105, GAZELLE_EMPLOYEES: 0.012, GAZELLE_VENTURE: 0.012,
            NEAR_MISS_GROWTH: 0.015, NEAR_MISS_INTENSITY: 0.015,
            EAGLET_SOFTWARE: 0.02, EAGLET_PRIZE: 0.01,
            NOT_INDEPENDENT: 0.03, ABNORMAL: 1 / 1200, PLAIN: 0.1},
    minimums={LEADER: 2, NEAR_MISS_GROWTH: 2, NEAR_MISS_INTENSITY: 2, NOT_INDEPENDENT: 2,
              ABNORMAL: 2, PLAIN: 2},
    rest=EAGLET, fixed={UNICORN_CANDIDATE: 1})

# Dalian as the press reports it (README "The demo city"): early 2022 903 eaglets, 127
# gazelles, 4 seed + 2 potential unicorns and no full one; about 4,000 high-tech enterprises
# and a cultivation pool of tech SMEs; 2022 beats the gazelle target (30) by far. Shares of
# DALIAN_FIRMS; another size scales every share.
DALIAN_FIRMS = 6000
DALIAN = Shape(
    name="dalian",
    shares={SEED: 3 / DALIAN_FIRMS, POTENTIAL: 1 / DALIAN_FIRMS, LEADER: 30 / DALIAN_FIRMS,
            GAZELLE: 138 / DALIAN_FIRMS, GAZELLE_EMPLOYEES: 12 / DALIAN_FIRMS,
            GAZELLE_VENTURE: 12 / DALIAN_FIRMS,
            NEAR_MISS_GROWTH: 45 / DALIAN_FIRMS, NEAR_MISS_INTENSITY: 45 / DALIAN_FIRMS,
            EAGLET: 1000 / DALIAN_FIRMS,
            EAGLET_SOFTWARE: 70 / DALIAN_FIRMS, EAGLET_PRIZE: 35 / DALIAN_FIRMS,
            NOT_INDEPENDENT: 150 / DALIAN_FIRMS, ABNORMAL: 5 / DALIAN_FIRMS},
    minimums={LEADER: 2, NEAR_MISS_GROWTH: 2, NEAR_MISS_INTENSITY: 2, NOT_INDEPENDENT: 2,
              ABNORMAL: 2},
    rest=PLAIN, fixed={UNICORN_CANDIDATE: 1}, late_joiners=0.35, old_plain=0.8,
    plain_hte=1.0, plain_tech_sme=0.6, eaglet_hte=0.25, big_rounds=LAST_FY - 1)
SHAPES = {s.name: s for s in (RULEBOOK, DALIAN)}
# What `make run` loads on a first start: Dalian's shape at a third of its size, so the
# load and the ladder's settling take about a minute here (README "The demo city");
# `tracker demo --firms 6000` loads the city at full size.
DEMO_FIRMS = 2000


def mix_of(firms: int, shape: Shape = RULEBOOK) -> dict[str, int]:
    """How many firms of each profile for a population of `firms`."""
    return shape.mix(firms)


# One builder per profile; each draws from `g.rng` only, so the population is a pure
# function of the seed. "FY2022 evaluation" below means the ladder's round 2023, as of
# 2023-01-01: certificates and rounds are dated so that they count then.
ALL_YEARS = tuple(range(FIRST_FY, LAST_FY + 1))


def _eaglet_like(g: Draws, profile: str, districts: Mapping[str, float], last_year: int = LAST_FY,
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


def _eaglet(g: Draws, profile: str) -> None:
    rng = g.rng
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS)
    r = rng.random()
    if f.founded_on.year == LAST_FY:  # certificates and rounds come later in a firm's life
        return
    last = f.reports[LAST_FY]
    since = f.founded_on.year + 1
    hte = g.shape.eaglet_hte
    if r < hte and last["st_staff"] * 10 >= last["employees"]:
        g.certificate(f, "high_tech_enterprise", rng.randint(max(2020, since), LAST_FY),
                      months=(10, 12), valid_years=3, renew_every=3)
    elif r < hte + 0.05:
        g.certificate(f, "tech_sme", LAST_FY, months=(3, 9), calendar_year=True)
    elif r < hte + 0.07:  # an angel round, well below the gazelle's 1000万 venture path
        g.round_(f, rng.randint(max(2019, since), LAST_FY), rng.randint(100, 800) * WAN,
                 rng.randint(2000, 8000) * WAN, investor_kind=rng.choice(("vc_pe", "other")))


def _eaglet_software(g: Draws, profile: str) -> None:
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS, LAST_FY - 1, ip=False)
    year = g.rng.randint(max(2021, f.founded_on.year + 1), LAST_FY)  # valid on 2023-01-01
    g.certificate(f, "software_enterprise", year, valid_years=3, renew_every=3)
    g.certificate(f, "software_product", year, valid_years=5, renew_every=5)


def _eaglet_prize(g: Draws, profile: str) -> None:
    rng = g.rng
    f = _eaglet_like(g, profile, EAGLET_DISTRICTS, LAST_FY - 1, ip=False)
    # prizes count for 3 years: this firm wins again every 3 years
    g.certificate(f, rng.choice(("contest_prize_national", "contest_prize_provincial")),
                  rng.randint(max(2020, f.founded_on.year + 1), LAST_FY), months=(9, 12),
                  renew_every=3)


def _not_independent(g: Draws, profile: str) -> None:
    kind = g.rng.choice(("branch", "production_base", "sales", "trading"))
    _eaglet_like(g, profile, OTHER_DISTRICTS, company_kind=kind)


def _abnormal(g: Draws, profile: str) -> None:
    _eaglet_like(g, profile, OTHER_DISTRICTS, abnormal_list=True)


def _plain(g: Draws, profile: str) -> None:
    rng, shape = g.rng, g.shape
    old = rng.random() < shape.old_plain
    if old:  # too old for eaglet even on FY2018 data, not growing
        f = g.firm(profile, OTHER_DISTRICTS, (2005, 2008))
        ip1, ip2 = rng.randint(0, 3), rng.randint(0, 6)
    else:  # young but without qualifying IP
        f = g.firm(profile, OTHER_DISTRICTS, (2014, LAST_FY))
        ip1, ip2 = 0, rng.randint(0, 1)
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(50 * WAN, 3000 * WAN), years, (0.85, 1.12)),
              g.walk(rng.randint(5, 80), years, (0.9, 1.1)), st_ratio=(0.0, 0.02),
              ip1=ip1, ip2=ip2, staff_share=(0.02, 0.2), high_tech_share=(0.0, 0.4))
    # A city's many certified firms that are on no tier: high-tech enterprises too old for
    # eaglet, and tech SMEs without qualifying IP (neither certificate makes a tier here).
    if old and shape.plain_hte and rng.random() < shape.plain_hte:
        g.certificate(f, "high_tech_enterprise", rng.randint(2019, LAST_FY), months=(10, 12),
                      valid_years=3, renew_every=3)
    elif not old and shape.plain_tech_sme and f.founded_on.year < LAST_FY \
            and rng.random() < shape.plain_tech_sme:
        g.certificate(f, "tech_sme", rng.randint(max(2020, f.founded_on.year + 1), LAST_FY),
                      months=(3, 9), calendar_year=True)


def _growth(g: Draws, profile: str) -> None:
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


def _gazelle_employees(g: Draws, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, GAZELLE_DISTRICTS, (2008, 2017))
    g.reports(f, g.walk(g.log_uniform(2000 * WAN, 2 * YI), ALL_YEARS, (0.97, 1.1)),
              g.geometric(rng.randint(120, 400), rng.uniform(0.33, 0.5), ALL_YEARS),
              st_ratio=(0.03, 0.07), ip1=rng.randint(1, 15), ip2=rng.randint(2, 30))


def _gazelle_venture(g: Draws, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, GAZELLE_DISTRICTS, (2010, 2016))  # too old for the seed grade
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(800 * WAN, 1 * YI), years, (0.97, 1.12)),
              g.walk(rng.randint(40, 200), years, (1.0, 1.12)),
              st_ratio=(0.04, 0.12), ip1=rng.randint(1, 10), ip2=rng.randint(2, 20))
    amount = rng.randint(1000, 5000) * WAN  # one VC/PE round >= 1000万 in FY2020-FY2022
    g.round_(f, 2021, amount, amount * rng.randint(5, 12))


def _seed(g: Draws, profile: str) -> None:
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
    g.round_(f, g.shape.big_rounds, rng.randint(1000, 2400) * WAN,
             rng.randint(32000, 58000) * WAN, months=(9, 12))


def _potential(g: Draws, profile: str) -> None:
    rng = g.rng
    f = g.firm(profile, {"hitech": 1}, (2015, 2020))
    years = g.years_of(f)
    g.reports(f, g.walk(g.log_uniform(1000 * WAN, 1 * YI), years, (1.15, 1.7)),
              g.walk(rng.randint(40, 150), years, (1.1, 1.4)),
              st_ratio=(0.08, 0.2), ip1=rng.randint(3, 25), ip2=rng.randint(5, 40))
    usd, big = 1_000_000, g.shape.big_rounds
    g.round_(f, big - 1, rng.randint(8, 15) * usd, rng.randint(40, 90) * usd, currency="USD")
    if f.founded_on.year >= big - 4:  # at most 5 years old: US$100M / US$5M
        g.round_(f, big, rng.randint(15, 40) * usd, rng.randint(120, 400) * usd,
                 currency="USD")
    else:  # older: US$500M / US$25M
        g.round_(f, big, rng.randint(30, 80) * usd, rng.randint(520, 850) * usd,
                 currency="USD")


def _unicorn_candidate(g: Draws, profile: str) -> None:
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


def _leader(g: Draws, profile: str) -> None:
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


BUILDERS: dict[str, Callable[[Draws, str], None]] = {
    EAGLET: _eaglet, EAGLET_SOFTWARE: _eaglet_software, EAGLET_PRIZE: _eaglet_prize,
    GAZELLE: _growth, NEAR_MISS_GROWTH: _growth, NEAR_MISS_INTENSITY: _growth,
    GAZELLE_EMPLOYEES: _gazelle_employees, GAZELLE_VENTURE: _gazelle_venture,
    SEED: _seed, POTENTIAL: _potential, UNICORN_CANDIDATE: _unicorn_candidate, LEADER: _leader,
    NOT_INDEPENDENT: _not_independent, ABNORMAL: _abnormal, PLAIN: _plain,
}
assert set(BUILDERS) == set(PROFILES)

