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
from ladder.domain.readiness import readiness as check_readiness
from ladder.domain.rulebook import Rulebook
from ladder.domain.rules import evaluate
from ladder.domain.targets import conversion_probability, elapsed_share, forecast
from ladder.evaluation import latest_fiscal_year
from ladder.targets_progress import target_items
from shared.errors import NotFound, Rejected

CANDIDATE_TIERS = ("eaglet", "gazelle", "unicorn", "leader")


async def standing(pool: asyncpg.Pool, firm_id: uuid.UUID) -> dict[str, Any]:
    """A firm's standing with the full trace and what the next tier needs."""
    row = await repo.standing(pool, firm_id)
    if row is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    trace = row["trace"] or {}
    return {
        "firm_id": firm_id, "name": row["name"], "district": row["district"],
        "industry": row["industry"], "tier": row["tier"], "unicorn_grade": row["unicorn_grade"],
        "at_risk": row["at_risk"], "filed_on": row["filed_on"], "expires_on": row["expires_on"],
        "evaluated_tier": row["evaluated_tier"], "fiscal_year": row["fiscal_year"],
        "round_year": row["round_year"], "rulebook": row["rulebook_id"],
        "provisional": trace.get("provisional", False),
        "override": None if row["override_tier"] is None else {
            "tier": row["override_tier"], "reason": row["override_reason"],
            "by": row["override_by"], "at": row["override_at"]},
        "criteria": trace.get("tiers", {}), "next_tier": _next_tier(row),
        "near_miss_tier": row["near_miss_tier"], "sequence": row["last_sequence"],
        "updated_at": row["updated_at"],
    }


def _next_tier(row: asyncpg.Record) -> dict[str, Any] | None:
    order = ("none", "eaglet", "gazelle", "unicorn", "leader")
    current = row["evaluated_tier"] or "none"
    if current == "leader":
        return None
    return {"tier": order[order.index(current) + 1], "missing": row["next_tier"] or []}


async def history(pool: asyncpg.Pool, firm_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    """Every decision, newest first."""
    if await repo.firm(pool, firm_id) is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    return [dict(r) for r in await repo.decisions(pool, firm_id, limit)]


async def readiness(pool: asyncpg.Pool, rulebook: Rulebook, firm_id: uuid.UUID, as_of: date,
                    innovation_score: float | None) -> dict[str, Any]:
    """Would the firm pass the high-tech-enterprise and tech-SME tests on `as_of`."""
    found = await repo.state(pool, firm_id, lock=False)
    if found is None:
        raise NotFound(f"the ladder has not seen firm {firm_id} (yet)")
    facts = found[0]
    if innovation_score is not None:
        facts = replace(facts, innovation_score=innovation_score)
    return {"rulebook": rulebook.id, **check_readiness(rulebook, facts, as_of).to_dict()}


async def live_decisions(pool: asyncpg.Pool, rulebook: Rulebook, on: date, *,
                         district: str | None = None, industry: str | None = None) -> list[Any]:
    """Fresh decisions for every firm from the stored facts (nothing is written)."""
    facts = await repo.all_facts(pool, district=district, industry=industry)

    def run() -> list[Any]:
        return [evaluate(rulebook, f, latest_fiscal_year(f, on), as_of=on) for f in facts.values()]

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
    """Target progress, pace and forecast for a round year."""
    configured = await repo.targets(pool, year)
    if not configured:
        raise NotFound(f"no targets set for {year}; admins can PUT /v1/targets/{year}")
    items = target_items(configured, await repo.achieved(pool, year), as_of, year)
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
        f = forecast(item["achieved"], probabilities, share)
        item["forecast"] = {"expected": round(f.expected, 2), "low": f.low, "high": f.high,
                            "run_rate": None if f.run_rate is None else round(f.run_rate, 2),
                            "method": f.method}
    return {"year": year, "as_of": as_of, "items": items}
