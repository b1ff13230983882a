"""Read models of targets and near misses: progress with forecast, candidates."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.candidates import CANDIDATE_TIERS, judged
from ladder.domain.candidates import candidates as rank_candidates
from ladder.domain.round import ROUND_TIERS, app_pipeline, basis, rates, round_forecast
from ladder.domain.rulebook import Rulebook
from ladder.domain.targets import (
    conversion_probability,
    elapsed_share,
    forecast,
    pace,
    progress,
    target_items,
)
from ladder.domain.timeline import decide
from ladder.repository import Repository
from ladder.schemas import CandidatePage, TargetsOut
from shared.errors import Rejected
from shared.paging import cursor_for


async def live_decisions(repo: Repository, rulebook: Rulebook, on: date, *,
                         district: str | None = None, industry: str | None = None) -> list[Any]:
    """The rules' verdict on `on` for every firm, from its dated facts (nothing is written)."""
    facts = await repo.all_dated(district=district, industry=industry)

    def run() -> list[Any]:
        # a firm founded after `on` did not exist then: no verdict, no candidate
        return [decide(rulebook, f, on)[0] for f in facts.values() if f.firm.founded_on <= on]

    return await asyncio.to_thread(run)  # keep the event loop (heartbeats, API) responsive


async def _judged_on(repo: Repository, rulebook: Rulebook, on: date) -> bool:
    """True when the whole city was judged as candidates on `on` under `rulebook`: the kept
    `candidate_ranks` answer for that day."""
    judgement = await repo.candidate_judgement()
    return judgement is not None and (judgement["judged_on"], judgement["rulebook_id"]) == (
        on, rulebook.id)


async def candidate_odds(repo: Repository, rulebook: Rulebook, on: date, tiers: list[str], *,
                         from_scratch: bool = False) -> dict[str, list[float]]:
    """Per tier, the conversion probability of each of its candidates on `on` (in order):
    from the kept ranks when the city was judged that day under this rulebook (today), else
    judged from every firm's facts."""
    if not tiers:
        return {}
    if not from_scratch and await _judged_on(repo, rulebook, on):
        gaps = await repo.candidate_gaps(tiers)
    else:
        decisions = await live_decisions(repo, rulebook, on)
        gaps = [(tier, c.failing_count, c.relative_gap_sum) for tier in tiers
                for c in rank_candidates(decisions, tier)]
    odds: dict[str, list[float]] = {tier: [] for tier in tiers}
    for tier, failing, gap in gaps:
        odds[tier].append(conversion_probability(failing, gap))
    return {tier: sorted(p) for tier, p in odds.items()}


def candidates_day(year: int | None, today: date) -> date:
    """The day candidates are judged on for a round year: its last day, or today for the
    current year (422 naming `year` for a year still to come)."""
    if year is None or year == today.year:
        return today
    if year > today.year:
        raise Rejected("year", "not_future", f"year {year} is after this year ({today.year})")
    return date(year, 12, 31)


async def candidates(pool: asyncpg.Pool, rulebook: Rulebook, tier: str, on: date, *,
                     district: str | None, industry: str | None, sort: str, offset: int,
                     limit: int, from_scratch: bool = False) -> CandidatePage:
    """Near misses for `tier`, closest first (or by the chosen sort), a page from `offset`.

    When the whole city was judged on `on` under this rulebook (today, kept by the consumer
    and the sweep), a page is read from `candidate_ranks`; another day (a past year's end)
    judges every firm from its dated facts. Both give the same page (tested)."""
    if tier not in CANDIDATE_TIERS:
        raise Rejected("tier", "tier", f"tier must be one of {', '.join(CANDIDATE_TIERS)}")
    repo = Repository(pool)
    if not from_scratch and await _judged_on(repo, rulebook, on):
        total, rows = await repo.candidate_page(tier, district=district, industry=industry,
                                                by_gap=sort == "gap", offset=offset, limit=limit)
        items = [{**dict(r), "firm_id": str(r["firm_id"]),
                  "gaps": [json.loads(g) for g in r["gaps"]],
                  "relative_gap_sum": round(r["relative_gap_sum"], 4),
                  "conversion_probability": conversion_probability(r["failing_count"],
                                                                   r["relative_gap_sum"])}
                 for r in rows]
    else:
        decisions = await live_decisions(repo, rulebook, on, district=district,
                                         industry=industry)
        found = rank_candidates(decisions, tier)
        if sort == "gap":
            found.sort(key=lambda c: (c.relative_gap_sum, c.failing_count))
        names = {str(r["firm_id"]): r for r in await repo.all_standings()}
        total = len(found)
        items = [{
            "firm_id": c.firm_id,
            "name": names[c.firm_id]["name"] if c.firm_id in names else None,
            "district": names[c.firm_id]["district"] if c.firm_id in names else None,
            "industry": names[c.firm_id]["industry"] if c.firm_id in names else None,
            "current_tier": c.current_tier, "unicorn_grade": c.unicorn_grade,
            "failing_count": c.failing_count, "relative_gap_sum": round(c.relative_gap_sum, 4),
            "conversion_probability": conversion_probability(c.failing_count,
                                                             c.relative_gap_sum),
            "missing": [m.sentence for m in c.missing],
            "gaps": [{"kind": m.gap_kind, "params": m.params} for m in c.missing],
        } for c in found[offset:offset + limit]]
    more = offset + limit < total
    return CandidatePage.model_validate({
        "tier": tier, "total": total, "offset": offset,
        "next_cursor": cursor_for(offset + limit) if more else None, "items": items})


async def judge_city(pool: asyncpg.Pool, rulebook: Rulebook, today: date) -> int:
    """Judge every firm as a candidate on `today` and keep the ranks (the sweep, once a day
    or after a rulebook change); returns how many candidate rows it kept."""
    repo = Repository(pool)
    judgement = await repo.candidate_judgement()
    if judgement is not None and (judgement["judged_on"], judgement["rulebook_id"]) == (
            today, rulebook.id):
        return -1  # judged already
    facts = await repo.all_dated()

    def run() -> dict[str, list[Any]]:
        return {firm_id: judged(decide(rulebook, f, today)[0]) if f.firm.founded_on <= today
                else [] for firm_id, f in facts.items()}

    rows = await asyncio.to_thread(run)
    same_rulebook = judgement is not None and judgement["rulebook_id"] == rulebook.id
    await repo.replace_candidates(rows, today, rulebook.id, keep_fresh=same_rulebook)
    return sum(len(v) for v in rows.values())


async def targets(pool: asyncpg.Pool, rulebook: Rulebook, year: int, as_of: date, *,
                  from_scratch: bool = False) -> TargetsOut:
    """Target progress, pace and forecast for a round year: entries dated in `year` up to
    `as_of` (a year without targets shows its counts with `target: null`). An open year's
    forecast reads today's kept candidates (`from_scratch`: judges every firm instead)."""
    repo = Repository(pool)
    configured = await repo.targets(year)
    items = target_items(configured, await repo.achieved_split(year, as_of), as_of, year)
    share = elapsed_share(as_of, year)
    open_year = share < 1.0
    official = await _official(repo, year, as_of)
    odds = await candidate_odds(repo, rulebook, as_of, [
        i["tier"] for i in items if open_year and i["target"] is not None
        and i["tier"] in CANDIDATE_TIERS and i["tier"] not in official.forecast_tiers],
        from_scratch=from_scratch)
    for item in items:
        if official.apply(item, open_year):
            continue
        probabilities = odds.get(item["tier"], [])
        if not open_year:
            item["forecast"] = {"expected": item["achieved"], "low": item["achieved"],
                                "high": item["achieved"],
                                "method": f"{year} is over: the forecast is the final count.",
                                "key": "label.forecastFinal", "params": {"year": year}}
            continue
        if item["target"] is None:
            item["forecast"] = None
            continue
        f = forecast(item["achieved"], probabilities, share)
        item["forecast"] = {"expected": round(f.expected, 2), "low": f.low, "high": f.high,
                            "run_rate": None if f.run_rate is None else round(f.run_rate, 2),
                            "method": f.method, "key": f.key, "params": f.params}
    return TargetsOut.model_validate({"year": year, "as_of": as_of,
                                      "targets_set": bool(configured), "items": items})


class _Official:
    """The round's side of a year's ladder targets: filings, the rules' count, the pipeline."""

    def __init__(self, year: int, as_of: date, filed: dict[str, int], listed: set[str],
                 pipeline: dict[str, dict[str, int]], earlier: dict[str, dict[str, int]]):
        self.year, self.as_of, self.filed, self.listed = year, as_of, filed, listed
        self.pipeline, self.earlier = pipeline, earlier
        # tiers whose forecast comes from the round (something applied or filed)
        self.forecast_tiers = {t for t in ROUND_TIERS
                               if filed.get(t) or sum(pipeline.get(t, {}).values())}

    def apply(self, item: dict[str, Any], open_year: bool) -> bool:
        """Add filed / qualified / pipeline / basis to a ladder item, count `achieved` on its
        basis; True when the forecast was set here too."""
        tier = item["tier"]
        if tier not in ROUND_TIERS:
            item["basis"] = "certificates"
            return False
        waiting = self.pipeline.get(tier, {})
        item.update(filed=self.filed.get(tier, 0), qualified=item["achieved"],
                    pipeline=sum(waiting.values()), basis=basis(tier in self.listed))
        if item["basis"] == "filed":
            item["achieved"] = item["filed"]
            if item["target"] is not None:
                item["progress"] = progress(item["achieved"], item["target"])
                item["pace"] = pace(item["achieved"], item["target"], self.as_of, self.year)
        if tier not in self.forecast_tiers:
            return False
        if not open_year:
            item["forecast"] = {"expected": item["achieved"], "low": item["achieved"],
                                "high": item["achieved"],
                                "method": f"{self.year} is over: the forecast is the final "
                                f"count ({item['basis']}).", "key": "label.forecastFinal",
                                "params": {"year": self.year}}
            return True
        f = round_forecast(tier, self.year, item["filed"], waiting,
                           rates(self.earlier.get(tier, {})))
        item["forecast"] = {"expected": f.expected, "low": f.low, "high": f.high,
                            "run_rate": None, "method": f.method, "key": "label.forecastRound",
                            "params": {"filed": item["filed"], "expected": f.expected,
                                       "low": f.low, "high": f.high}}
        return True


async def _official(repo: Repository, year: int, as_of: date) -> _Official:
    filed = await repo.new_filings(year, as_of)
    listed = {r["tier"] for r in await repo.lists(year) if r["listed_on"] <= as_of}
    groups = await repo.round_stage_groups(year)
    pipeline = app_pipeline([(g["tier"], g["state"], g["district_passed"], g["recommended"],
                              g["n"]) for g in groups], listed)
    earlier = {r["tier"]: dict(r) for r in await repo.earlier_counts(year)}
    return _Official(year, as_of, filed, listed, pipeline, earlier)
