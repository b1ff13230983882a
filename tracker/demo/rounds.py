"""The demo city's rounds (申报 → 推荐 → 备案), 2019 to the current year, sent through the
registry's API and the ladder's.

Who qualifies is what the running ladder says of the demo's facts on each round's day (the
loader waits for it to apply them, then reads its standings on that day, as a bureau would),
so the official figures differ from the rules' count the way a bureau sees it: most qualifying firms apply for the highest tier they qualify for, a
few fail the district's check, the city recommends the rest, and the province files most of
them on a December list (a few it refuses, a few left off); now and then the province files
a firm our facts do not carry that far. Past rounds are complete; the current one is live
(applications and steps up to today, no list before its date). Each round's dates are
Dalian's (firms by 10 December, districts by 13, the city by 16).
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ladder.schemas import RoundIn
from registry.schemas import APPLICATION_COLUMNS, StepIn
from tracker.client import ApiProblem, Ladder, Registry
from tracker.client.registry import ImportKind
from tracker.demo.population import DemoFirm

FIRST_ROUND = 2019
ROUND_TIERS = ("eaglet", "gazelle", "unicorn", "leader")
RANK = {"none": 0, "eaglet": 1, "gazelle": 2, "unicorn": 3, "leader": 4}
APPLY_SHARE = 0.85  # most qualifying firms apply
DISTRICT_FAILS = 0.05  # a few fail the district's credit check or visit
PROVINCE_FILES = 0.88  # the province files most of the recommended
REFUSED_WITH_REASON = 0.6  # of those it does not file: a recorded refusal (else left off)
EXTRA_FILINGS = 3  # a round's filings the rules do not give (the province saw more)
DISTRICT_REASONS = ("信用记录异常", "实地走访未达要求", "经营异常名录在列")
REFUSALS = ("专家评审未通过", "研发投入佐证材料不足", "知识产权权属存疑")
LIST_NAMES = {"eaglet": "雏鹰", "gazelle": "瞪羚", "unicorn": "独角兽"}
BY = "demo"


@dataclass
class Plan:
    """Everything one round sends: applications with their steps, and its lists."""

    year: int
    round: RoundIn
    applications: list[tuple[str, str, date, list[StepIn]]] = field(default_factory=list)
    lists: list[dict[str, Any]] = field(default_factory=list)  # filing rows, by list


async def caught_up(registry: Registry, ladder: Ladder, *, stall_s: float = 300,
                    poll_s: float = 1) -> None:
    """Wait until the ladder has applied every registry event of every firm the registry
    holds now. The registry's sequences are read once (the load has written them); only the
    ladder's standings are read again while it catches up, so the wait does not compete with
    the ladder's consumer for the two cores by paging the registry every second. A city of
    any size takes as long as it takes (a few hundred reports a second on two cores): the
    wait gives up only when the ladder applied nothing for `stall_s`."""
    loop = asyncio.get_running_loop()
    wanted = {f.id: f.sequence async for page in registry.firms(limit=500)
              for f in page.items}
    total, applied, moved_at = sum(wanted.values()), -1, loop.time()
    while True:
        seen = {s.firm_id: s.sequence async for page in ladder.standings(limit=500)
                for s in page.items}
        now_applied = sum(min(seen.get(firm_id, 0), seq) for firm_id, seq in wanted.items())
        if now_applied == total:
            return
        if now_applied > applied:
            applied, moved_at = now_applied, loop.time()
        elif loop.time() - moved_at > stall_s:
            behind = sum(1 for firm_id, seq in wanted.items() if seen.get(firm_id, 0) < seq)
            raise TimeoutError(f"the ladder applied nothing for {stall_s:.0f} s: {behind}"
                               " firms still wait for their events")
        await asyncio.sleep(poll_s)


async def rules_tiers(ladder: Ladder, ids: dict[str, str],
                      years: range) -> dict[tuple[str, int], tuple[str, Any]]:
    """(uscc, year) → the tier (and unicorn grade) the ladder gives on the round's day (a
    firm at risk qualifies for nothing new)."""
    uscc_of = {firm_id: uscc for uscc, firm_id in ids.items()}
    out: dict[tuple[str, int], tuple[str, Any]] = {}
    for year in years:
        async for page in ladder.standings(as_of=min(date(year, 11, 25), date.today()),
                                           limit=500):
            for s in page.items:
                uscc = uscc_of.get(str(s.firm_id))
                if uscc is not None:
                    out[(uscc, year)] = ("none" if s.at_risk else s.tier, s.unicorn_grade)
    return out


def dates_of(year: int) -> RoundIn:
    """Dalian's deadlines (2024 notice), the list expected before the year ends."""
    return RoundIn(tiers=list(ROUND_TIERS), firm_deadline=date(year, 12, 10),
                   district_deadline=date(year, 12, 13), city_deadline=date(year, 12, 16),
                   publication_expected=date(year, 12, 27))


def plan_rounds(firms: list[DemoFirm], seed: int, as_of: date,
                tiers: dict[tuple[str, int], tuple[str, Any]]) -> list[Plan]:
    """Every round from 2019 to `as_of`'s year, from the tiers the rules gave on each round's
    day, decided from a stream of its own."""
    rng = random.Random(f"{seed}:rounds")
    years = range(FIRST_ROUND, as_of.year + 1)
    held: dict[str, tuple[str, date]] = {}  # uscc → (filed tier, expires)
    plans = []
    for year in years:
        plan = Plan(year, dates_of(year))
        list_day = date(year, 12, rng.randint(18, 28))
        lists: dict[str, list[dict[str, Any]]] = {}
        qualifying = []
        for firm in firms:
            tier, grade = tiers.get((firm.uscc, year), ("none", None))
            filed = held.get(firm.uscc)
            filed_rank = RANK[filed[0]] if filed and filed[1] > date(year, 11, 25) else 0
            if RANK[tier] > filed_rank:
                qualifying.append((firm, tier, grade))
        idle = []
        for firm, tier, grade in qualifying:
            applied = date(year, 11, rng.randint(15, 30)) + timedelta(days=rng.randint(0, 9))
            if rng.random() >= APPLY_SHARE or applied > as_of:
                idle.append((firm, tier))
                continue
            steps, outcome = _steps(rng, tier, applied, list_day)
            steps = [s for s in steps if s.on <= as_of]
            plan.applications.append((firm.uscc, tier, applied, steps))
            if outcome == "filed" and list_day <= as_of:
                lists.setdefault(tier, []).append(_row(firm, tier, grade, list_day, year))
                held[firm.uscc] = (tier, list_day.replace(year=list_day.year + 3))
        if list_day <= as_of:  # the province sees what our facts lack, now and then
            spare = [f for f, t in idle if t == "eaglet"]
            for firm in rng.sample(spare, min(EXTRA_FILINGS, len(spare))):
                lists.setdefault("gazelle", []).append(
                    _row(firm, "gazelle", None, list_day, year))
                held[firm.uscc] = ("gazelle", list_day.replace(year=list_day.year + 3))
        plan.lists = [r for rows in lists.values() for r in rows]
        plans.append(plan)
    return plans


def _steps(rng: random.Random, tier: str, applied: date,
           list_day: date) -> tuple[list[StepIn], str]:
    checked = applied + timedelta(days=rng.randint(1, 4))
    if rng.random() < DISTRICT_FAILS:
        return [StepIn(step="district_checked", on=checked, passed=False,
                       reason=rng.choice(DISTRICT_REASONS), note="区县核查")], "failed"
    steps = [StepIn(step="district_checked", on=checked, passed=True, note="信用核查通过，已实地走访")]
    if tier != "leader":
        steps.append(StepIn(step="recommended", on=max(checked, date(applied.year, 12, 14)),
                            note="市科技局推荐"))
    if rng.random() < PROVINCE_FILES:
        return steps, "filed"  # the list's import records the `filed` step
    if rng.random() < REFUSED_WITH_REASON:
        steps.append(StepIn(step="not_filed", on=list_day, reason=rng.choice(REFUSALS)))
    return steps, "not_filed"


def _row(firm: DemoFirm, tier: str, grade: Any, listed_on: date, year: int) -> dict[str, Any]:
    name = (f"大连市{year}年领军企业" if tier == "leader"
            else f"辽宁省{year}年{LIST_NAMES[tier]}企业备案名单")
    return {"uscc": firm.uscc, "name": firm.name, "tier": tier,
            "grade": grade if tier == "unicorn" else "", "listed_on": listed_on.isoformat(),
            "list_name": name}


def filings_csv(rows: list[dict[str, Any]]) -> str:
    """A list as the province publishes it (the import's columns)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["uscc", "name", "tier", "grade", "listed_on",
                                             "list_name"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def applications_csv(year: int, apps: list[tuple[str, str, date, list[StepIn]]]) -> str:
    """A round's applications with the dates of their steps (the import's columns)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(APPLICATION_COLUMNS))
    writer.writeheader()
    for uscc, tier, applied, steps in apps:
        row: dict[str, Any] = {"uscc": uscc, "round_year": year, "tier": tier,
                               "applied_on": applied.isoformat(), "note": "省平台申报"}
        for step in steps:
            if step.step == "district_checked":
                row.update(district_checked_on=step.on.isoformat(),
                           district_passed=str(step.passed).lower(),
                           district_reason=step.reason or "")
            elif step.step == "recommended":
                row["recommended_on"] = step.on.isoformat()
            elif step.step == "not_filed":
                row.update(not_filed_on=step.on.isoformat(), not_filed_reason=step.reason or "")
        writer.writerow(row)
    return out.getvalue()


async def load_rounds(registry: Registry, ladder: Ladder, firms: list[DemoFirm],
                      ids: dict[str, str], *, seed: int, as_of: date) -> dict[str, Any]:
    """Send the rounds, year by year: the dates to the ladder, the applications with their
    steps, then the lists (whose import files the applications they answer). The ladder is
    asked who qualified once it has applied the facts. A second load adds nothing: the same
    applications and the same lists are unchanged."""
    counts: Counter[str] = Counter()
    problems: list[str] = []
    await caught_up(registry, ladder)
    tiers = await rules_tiers(ladder, ids, range(FIRST_ROUND, as_of.year + 1))
    for plan in plan_rounds(firms, seed, as_of, tiers):
        try:
            await ladder.set_round(plan.year, plan.round)
            sends: list[tuple[ImportKind, str]] = [
                ("applications", applications_csv(plan.year, plan.applications))]
            if plan.lists:
                sends.append(("filings", filings_csv(plan.lists)))
            for kind, text in sends:
                report = await registry.import_csv(kind, text, filename=f"{kind}-{plan.year}.csv")
                counts[kind] += report.applied
                problems += [f"{kind} {plan.year} row {e.row}: {e.field}: {e.reason}"
                             for e in report.errors]
        except ApiProblem as exc:
            problems.append(f"round {plan.year}: {exc}")
    counts["rejected"] = len(problems)
    return {**counts, "problems": problems[:20]}
