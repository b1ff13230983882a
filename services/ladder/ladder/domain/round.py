"""The round as the ladder sees it (申报 → 推荐 → 备案): pure arithmetic over applications,
filings and the rules' verdicts. No I/O.

- the funnel: qualified by the rules → applied → district-checked → recommended → filed /
  not filed, where a recommended firm the province's published list leaves out counts as not
  filed (the list is the answer);
- earlier rounds' pass rates, and a forecast of the year's filings from today's pipeline;
- what a target counts: the province's filings once a list for that tier and year is
  recorded, the rules' count before;
- the worklist's stalled applications, and the reconciliation of filings with the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.codes import city_decides

ROUND_TIERS = ("eaglet", "gazelle", "unicorn", "leader")
RANK = {"none": 0, "eaglet": 1, "gazelle": 2, "unicorn": 3, "leader": 4}
OPEN_STATES = ("applied", "district_passed", "recommended")
STAGES = ("applied", "district_checked", "district_passed", "district_failed", "recommended",
          "filed", "not_filed", "left_off", "withdrawn")
DEFAULT_PASS_RATE = 0.8  # no earlier round to learn from: a stated assumption
STALL_DAYS = 21  # without the round's dates, an open application with no step this long
DEADLINES = ("firm_deadline", "district_deadline", "city_deadline", "publication_expected")


@dataclass(frozen=True, slots=True)
class AppRow:
    """An application as the funnel and the worklist read it."""

    tier: str
    state: str
    last_on: date
    district_passed: bool | None = None
    recommended: bool = False


def left_off(app: AppRow, listed: bool) -> bool:
    """Recommended (for leaders: passed the district) and the year's list for its tier is out
    without it: the province did not file it."""
    waiting = app.state == "recommended" or (city_decides(app.tier)
                                             and app.state == "district_passed")
    return waiting and listed


def stage_counts(apps: Iterable[AppRow], listed: bool) -> dict[str, int]:
    """How many applications reached each stage (a firm counts at every stage it passed)."""
    c = dict.fromkeys(STAGES, 0)
    for a in apps:
        c["applied"] += 1
        if a.state == "withdrawn":
            c["withdrawn"] += 1
        if a.district_passed is not None:
            c["district_checked"] += 1
            c["district_passed" if a.district_passed else "district_failed"] += 1
        if a.recommended or (city_decides(a.tier) and a.district_passed
                             and a.state in ("filed", "not_filed")):
            c["recommended"] += 1
        if a.state in ("filed", "not_filed"):
            c[a.state] += 1
        elif left_off(a, listed):
            c["left_off"] += 1
            c["not_filed"] += 1
    return c


def pass_rate(filed: int, recommended: int) -> float | None:
    """The province's pass rate: filed / recommended (None without recommendations)."""
    return round(filed / recommended, 4) if recommended else None


@dataclass(frozen=True, slots=True)
class Rates:
    """Earlier rounds' chances of being filed from each open stage."""

    from_applied: float
    from_district_passed: float
    from_recommended: float
    learned: bool  # False: no earlier round, the default was assumed

    def of(self, state: str) -> float:
        """The chance an application now at `state` ends filed."""
        return {"applied": self.from_applied, "district_passed": self.from_district_passed,
                "recommended": self.from_recommended}.get(state, 0.0)


def rates(earlier: Mapping[str, int]) -> Rates:
    """Chances from the earlier rounds' counts (applied, district_passed, recommended, filed);
    the default where a stage saw nobody."""
    filed = earlier.get("filed", 0)

    def share(stage: str) -> float | None:
        n = earlier.get(stage, 0) - (earlier.get("withdrawn", 0) if stage == "applied" else 0)
        return min(1.0, filed / n) if n > 0 else None

    got = [share("applied"), share("district_passed"), share("recommended")]
    a, d, r = (DEFAULT_PASS_RATE if x is None else x for x in got)
    return Rates(a, d, r, learned=any(x is not None for x in got))


@dataclass(frozen=True, slots=True)
class RoundForecast:
    """The year's filings expected from what is filed and what is in the pipeline."""

    expected: float
    low: int
    high: int
    method: str


def round_forecast(tier: str, year: int, filed: int, pipeline: Mapping[str, int],
                   r: Rates) -> RoundForecast:
    """Filed + each open application × the earlier rounds' chance from its stage."""
    parts = [(s, n, r.of(s)) for s, n in pipeline.items() if n]
    conversions = sum(n * p for _, n, p in parts)
    total = sum(n for _, n, _ in parts)
    how = "; ".join(f"{n} {s} × {p:.0%}" for s, n, p in parts) or "no open application"
    source = (f"pass rates of the rounds before {year}" if r.learned
              else f"an assumed pass rate of {DEFAULT_PASS_RATE:.0%} (no earlier round recorded)")
    method = (f"Official filings: {filed} {tier} filings listed in {year} + the pipeline "
              f"({how}) using {source} = {filed + conversions:.2f}. Low = {filed} (nothing more "
              f"filed); high = {filed + total} (every open application filed).")
    return RoundForecast(round(filed + conversions, 2), filed, filed + total, method)


def app_pipeline(groups: Iterable[tuple[str, str, bool | None, bool, int]], listed: set[str]
                 ) -> dict[str, dict[str, int]]:
    """Per tier, the open applications by state, from applications counted in groups (tier,
    state, district passed, recommended, how many); one the published list left out is
    decided, not in the pipeline."""
    out: dict[str, dict[str, int]] = {}
    for tier, state, passed, recommended, n in groups:
        row = AppRow(tier, state, date.min, passed, recommended)
        if state in OPEN_STATES and not left_off(row, tier in listed):
            by_state = out.setdefault(tier, {})
            by_state[state] = by_state.get(state, 0) + n
    return out


def basis(listed: bool) -> str:
    """What a ladder target counts: `filed` once a list for that tier and year is recorded,
    `qualified` (the rules' entries) before."""
    return "filed" if listed else "qualified"


@dataclass(frozen=True, slots=True)
class Stall:
    """Why an open application counts as stalled."""

    at: str  # the step it waits for
    since: date
    reason: str
    key: str = "stall.deadline"  # the catalogue's sentence, with `params`
    params: dict[str, Any] = field(default_factory=dict)


def stalled(app: AppRow, dates: Mapping[str, date | None], listed: bool,
            today: date) -> Stall | None:
    """An open application past its next step's deadline, or with no step for STALL_DAYS
    days; None when it is moving or closed."""
    if app.state not in OPEN_STATES or left_off(app, listed):
        return None
    waiting, deadline = {
        "applied": ("district_checked", dates.get("district_deadline")),
        "district_passed": (("filed" if city_decides(app.tier) else "recommended"),
                            dates.get("city_deadline")),
        "recommended": ("filed", dates.get("publication_expected")),
    }[app.state]
    if deadline is not None and today > deadline:
        return Stall(waiting, app.last_on, f"waiting for {waiting} since {app.last_on}; the "
                     f"deadline was {deadline}", "stall.deadline",
                     {"waiting": waiting, "since": app.last_on.isoformat(),
                      "deadline": deadline.isoformat()})
    if today - app.last_on > timedelta(days=STALL_DAYS):
        days = (today - app.last_on).days
        return Stall(waiting, app.last_on, f"no step for {days} days (waiting for {waiting})",
                     "stall.idle", {"waiting": waiting, "days": days})
    return None


def evidence(tier_trace: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """What an application for the tier must show: each criterion the firm passes, with the
    value it rests on (a passing alternative's own criteria included)."""
    out: list[dict[str, Any]] = []

    def walk(criteria: Iterable[Mapping[str, Any]], depth: int) -> None:
        for c in criteria:
            if not c.get("passed"):
                continue
            out.append({"key": c.get("key"), "label": c.get("label"), "value": c.get("value"),
                        "threshold": c.get("threshold"), "unit": c.get("unit"),
                        "source": c.get("source")})
            if depth < 2:
                walk(c.get("children") or (), depth + 1)

    walk((tier_trace or {}).get("criteria") or (), 0)
    return out


def discrepancy(filed_tier: str | None, rules_tier: str, refused_tier: str | None) -> str | None:
    """`filed_above_rules` when the official tier is above what the rules give (the province
    saw what our facts lack, or ours are late); `qualifying_refused` when the rules give the
    tier the province refused; None when they agree."""
    if filed_tier is not None and RANK[filed_tier] > RANK.get(rules_tier, 0):
        return "filed_above_rules"
    if refused_tier is not None and RANK.get(rules_tier, 0) >= RANK[refused_tier]:
        return "qualifying_refused"
    return None


def days_left(deadlines: Mapping[str, date | None], today: date) -> dict[str, int | None]:
    """Days from today to each deadline (negative once past)."""
    return {k: (None if d is None else (d - today).days) for k, d in deadlines.items()}


def reminders_due(deadlines: Mapping[str, date | None], lead_days: Iterable[int],
                  today: date) -> list[tuple[str, int, date]]:
    """(deadline, lead, date) of the reminder each coming deadline is due for today: the
    tightest lead time already reached (so a service that was down sends one, not each it
    missed); the caller sends each (deadline, lead) once."""
    due = []
    for name, day in deadlines.items():
        if day is None or name == "publication_expected" or today > day:
            continue
        reached = [lead for lead in lead_days if (day - today).days <= lead]
        if reached:
            due.append((name, min(reached), day))
    return due
