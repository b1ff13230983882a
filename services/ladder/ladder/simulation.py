"""What-if: re-evaluate every firm under a draft rulebook without touching live standings."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from typing import Any

import asyncpg

from ladder import repository as repo
from ladder.domain.decision import TIER_RANK
from ladder.domain.rulebook import Rulebook
from ladder.domain.rules import evaluate


def _label(tier: str, grade: str | None) -> str:
    return f"unicorn:{grade}" if tier == "unicorn" and grade else tier


def compare(baseline: Rulebook, draft: Rulebook, facts: dict[str, Any], round_year: int,
            *, traces: bool, names: dict[str, str]) -> dict[str, Any]:
    """Evaluate each firm-year under both rulebooks and report who moves and the tier counts."""
    fy, on = round_year - 1, date(round_year, 1, 1)
    moves: list[dict[str, Any]] = []
    counts: dict[str, Counter[str]] = {"baseline": Counter(), "draft": Counter()}
    for firm_id, f in facts.items():
        if f.founded_on.year > fy:
            continue  # not yet founded in that fiscal year
        before = evaluate(baseline, f, fy, as_of=on)
        after = evaluate(draft, f, fy, as_of=on)
        counts["baseline"][before.tier] += 1
        counts["draft"][after.tier] += 1
        if before.unicorn_grade == "unicorn":
            counts["baseline"]["unicorn_grade_unicorn"] += 1
        if after.unicorn_grade == "unicorn":
            counts["draft"]["unicorn_grade_unicorn"] += 1
        was, now = _label(before.tier, before.unicorn_grade), _label(after.tier, after.unicorn_grade)
        if was == now:
            continue
        up = (TIER_RANK[after.tier], after.unicorn_grade or "") > (
            TIER_RANK[before.tier], before.unicorn_grade or "")
        move: dict[str, Any] = {"firm_id": firm_id, "name": names.get(firm_id), "from": was,
                                "to": now, "direction": "up" if up else "down"}
        if traces:
            move["trace"] = after.to_dict()
        moves.append(move)
    keys = ("eaglet", "gazelle", "unicorn", "leader", "unicorn_grade_unicorn")
    effect = {k: {"baseline": counts["baseline"][k], "draft": counts["draft"][k],
                  "delta": counts["draft"][k] - counts["baseline"][k]} for k in keys}
    moves.sort(key=lambda m: (m["direction"], m["from"], m["to"], m["firm_id"]))
    return {"round_year": round_year, "fiscal_year": fy, "effect_on_tiers": effect,
            "moved_up": sum(m["direction"] == "up" for m in moves),
            "moved_down": sum(m["direction"] == "down" for m in moves), "moves": moves}


async def simulate(pool: asyncpg.Pool, *, baseline: Rulebook, draft: Rulebook, round_year: int,
                   traces: bool, limit: int) -> dict[str, Any]:
    """Run the what-if on every stored firm; reports timings too."""
    started = time.perf_counter()
    facts = await repo.all_facts(pool)
    names = {str(r["firm_id"]): r["name"] for r in await repo.all_standings(pool)}
    loaded = time.perf_counter()
    # in a thread: seconds of evaluation must not stall the consumer's heartbeats or the API
    result = await asyncio.to_thread(compare, baseline, draft, facts, round_year, traces=traces,
                                     names=names)
    done = time.perf_counter()
    result["moves_total"] = len(result["moves"])
    result["moves"] = result["moves"][:limit]
    target_rows = await repo.targets(pool, round_year)
    result["effect_on_targets"] = {
        k: {"target": t, **result["effect_on_tiers"].get(
            "unicorn_grade_unicorn" if k == "unicorn" else k, {})}
        for k, t in target_rows.items() if k in ("eaglet", "gazelle", "unicorn", "leader")}
    result.update({"baseline_rulebook": baseline.id, "draft_rulebook": draft.id,
                   "firms": len(facts), "load_seconds": round(loaded - started, 3),
                   "evaluate_seconds": round(done - loaded, 3)})
    return result
