"""Ladder read models: standing, history, readiness, targets with forecast, candidates."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import asyncpg

from ladder import repository as repo
from ladder.domain.candidates import candidates as rank_candidates
from ladder.domain.candidates import near_miss_tier
from ladder.domain.explain import next_tier
from ladder.domain.readiness import readiness as check_readiness
from ladder.domain.rulebook import Rulebook
from ladder.domain.targets import conversion_probability, elapsed_share, forecast
from ladder.domain.timeline import decide, fold
from ladder.evaluation import failing_of
from ladder.targets_progress import target_items
from shared.errors import NotFound, Rejected

CANDIDATE_TIERS = ("eaglet", "gazelle", "unicorn", "leader")
ORDER = ("none", "eaglet", "gazelle", "unicorn", "leader")


async def standing(pool: asyncpg.Pool, rulebook: Rulebook, firm_id: uuid.UUID, *,
                   as_of: date, today: date) -> dict[str, Any]:
    """A firm's standing on `as_of` with the full trace and what the next tier needs."""
    row = await repo.standing(pool, firm_id)
    if row is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    if as_of != today:
        return await _standing_on(pool, rulebook, row, as_of)
    trace = row["trace"] or {}
    return {
        "firm_id": firm_id, "name": row["name"], "district": row["district"],
        "industry": row["industry"], "as_of": as_of, "tier": row["tier"],
        "unicorn_grade": row["unicorn_grade"],
        "at_risk": row["at_risk"], "filed_on": row["filed_on"], "expires_on": row["expires_on"],
        "evaluated_tier": row["evaluated_tier"], "fiscal_year": row["fiscal_year"],
        "round_year": row["round_year"], "decided_on": row["decided_on"],
        "decision_id": row["decision_id"], "rulebook": row["rulebook_id"],
        "provisional": trace.get("provisional", False),
        "override": None if row["override_tier"] is None else {
            "tier": row["override_tier"], "reason": row["override_reason"],
            "by": row["override_by"], "at": row["override_at"]},
        "criteria": trace.get("tiers", {}),
        "next_tier": _next_tier(row["evaluated_tier"], row["next_tier"]),
        "near_miss_tier": row["near_miss_tier"], "sequence": row["last_sequence"],
        "updated_at": row["updated_at"],
    }


async def _standing_on(pool: asyncpg.Pool, rulebook: Rulebook, row: asyncpg.Record,
                       as_of: date) -> dict[str, Any]:
    """The standing on another day: the same fold, stopped at `as_of`."""
    found = await repo.dated_state(pool, row["firm_id"], lock=False)
    assert found is not None
    timeline = fold(rulebook, found[0], as_of)
    s, last = timeline.standing, timeline.last
    evaluated = last.tier if timeline.evaluated else "none"
    nxt = next_tier(last)
    trace = last.to_dict()
    steps = timeline.steps
    return {
        "firm_id": row["firm_id"], "name": row["name"], "district": row["district"],
        "industry": row["industry"], "as_of": as_of, "tier": s.tier,
        "unicorn_grade": s.unicorn_grade, "at_risk": s.at_risk, "filed_on": s.filed_on,
        "expires_on": s.expires_on, "evaluated_tier": evaluated,
        "fiscal_year": last.fiscal_year if timeline.evaluated else None,
        "round_year": steps[-1].round_year if steps else as_of.year,
        "decided_on": steps[-1].on if steps else None, "decision_id": None,
        "rulebook": rulebook.id, "provisional": trace.get("provisional", False),
        "override": {"tier": s.tier, "reason": s.override_reason, "by": steps[-1].by,
                     "at": None} if s.override and steps else None,
        "criteria": trace["tiers"], "next_tier": _next_tier(evaluated, failing_of(nxt)),
        "near_miss_tier": near_miss_tier(nxt) if timeline.evaluated and s.tier == last.tier
        else None,
        "sequence": row["last_sequence"], "updated_at": row["updated_at"],
    }


def _next_tier(evaluated: str | None, missing: Any) -> dict[str, Any] | None:
    current = evaluated or "none"
    if current == "leader":
        return None
    return {"tier": ORDER[ORDER.index(current) + 1], "missing": missing or []}


async def history(pool: asyncpg.Pool, firm_id: uuid.UUID, limit: int,
                  as_of: date | None = None, *, before: int | None = None) -> list[dict[str, Any]]:
    """The firm's timeline up to `as_of`, newest first (corrections name what they replace),
    from before timeline position `before`."""
    if await repo.firm(pool, firm_id) is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    return [dict(r) for r in await repo.decisions(pool, firm_id, limit, as_of, before=before)]


async def readiness(pool: asyncpg.Pool, rulebook: Rulebook, firm_id: uuid.UUID, as_of: date,
                    innovation_score: float | None) -> dict[str, Any]:
    """Would the firm pass the high-tech-enterprise and tech-SME tests on `as_of`."""
    found = await repo.dated_state(pool, firm_id, lock=False)
    if found is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    facts = found[0].on(as_of)
    if innovation_score is not None:
        facts = replace(facts, innovation_score=innovation_score)
    return {"rulebook": rulebook.id, **check_readiness(rulebook, facts, as_of).to_dict()}


async def live_decisions(pool: asyncpg.Pool, rulebook: Rulebook, on: date, *,
                         district: str | None = None, industry: str | None = None) -> list[Any]:
    """The rules' verdict on `on` for every firm, from its dated facts (nothing is written)."""
    facts = await repo.all_dated(pool, district=district, industry=industry)

    def run() -> list[Any]:
        return [decide(rulebook, f, on)[0] for f in facts.values()]

    return await asyncio.to_thread(run)  # keep the event loop (heartbeats, API) responsive


async def candidates(pool: asyncpg.Pool, rulebook: Rulebook, tier: str, on: date, *,
                     district: str | None, industry: str | None, sort: str, offset: int,
                     limit: int) -> dict[str, Any]:
    """Near misses for `tier`, closest first (or by the chosen sort)."""
    if tier not in CANDIDATE_TIERS:
        raise Rejected("tier", "tier", f"tier must be one of {', '.join(CANDIDATE_TIERS)}")
    decisions = await live_decisions(pool, rulebook, on, district=district, industry=industry)
    found = rank_candidates(decisions, tier)
    if sort == "gap":
        found.sort(key=lambda c: (c.relative_gap_sum, c.failing_count))
    names = {str(r["firm_id"]): r for r in await repo.all_standings(pool)}
    page = found[offset:offset + limit]
    return {
        "tier": tier, "total": len(found), "offset": offset,
        "items": [{
            "firm_id": c.firm_id, "name": names[c.firm_id]["name"] if c.firm_id in names else None,
            "district": names[c.firm_id]["district"] if c.firm_id in names else None,
            "industry": names[c.firm_id]["industry"] if c.firm_id in names else None,
            "current_tier": c.current_tier, "unicorn_grade": c.unicorn_grade,
            "failing_count": c.failing_count, "relative_gap_sum": round(c.relative_gap_sum, 4),
            "conversion_probability": conversion_probability(c.failing_count, c.relative_gap_sum),
            "missing": [m.sentence for m in c.missing],
        } for c in page],
    }


async def targets(pool: asyncpg.Pool, rulebook: Rulebook, year: int, as_of: date) -> dict[str, Any]:
    """Target progress, pace and forecast for a round year: entries dated in `year` up to
    `as_of` (a year without targets shows its counts with `target: null`)."""
    configured = await repo.targets(pool, year)
    items = target_items(configured, await repo.achieved_split(pool, year, as_of), as_of, year)
    share = elapsed_share(as_of, year)
    open_year = share < 1.0
    decisions = await live_decisions(pool, rulebook, as_of) if open_year else []
    for item in items:
        probabilities: list[float] = []
        if open_year and item["tier"] in CANDIDATE_TIERS:
            probabilities = [conversion_probability(c.failing_count, c.relative_gap_sum)
                             for c in rank_candidates(decisions, item["tier"])]
        if not open_year:
            item["forecast"] = {"expected": item["achieved"], "low": item["achieved"],
                                "high": item["achieved"],
                                "method": f"{year} is over: the forecast is the final count."}
            continue
        if item["target"] is None:
            item["forecast"] = None
            continue
        f = forecast(item["achieved"], probabilities, share)
        item["forecast"] = {"expected": round(f.expected, 2), "low": f.low, "high": f.high,
                            "run_rate": None if f.run_rate is None else round(f.run_rate, 2),
                            "method": f.method}
    return {"year": year, "as_of": as_of, "targets_set": bool(configured), "items": items}
