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
from ladder.domain.timeline import fold


def _label(tier: str, grade: str | None) -> str:
    return f"unicorn:{grade}" if tier == "unicorn" and grade else tier


def compare(baseline: Rulebook, draft: Rulebook, facts: dict[str, Any], round_year: int,
            *, traces: bool, names: dict[str, str], today: date | None = None) -> dict[str, Any]:
    """Fold each firm's facts under both rulebooks to the end of the round year (or today)
    and report who stands where, who moves, and the entries dated in the year."""
    fy = round_year - 1
    on = min(date(round_year, 12, 31), today or date.today())
    moves: list[dict[str, Any]] = []
    counts: dict[str, Counter[str]] = {"baseline": Counter(), "draft": Counter()}
    for firm_id, f in facts.items():
        if f.firm.founded_on.year > fy:
            continue  # not yet founded in that fiscal year
        old, new = fold(baseline, f, on), fold(draft, f, on)
        before, after = old.standing, new.standing
        for side, t in (("baseline", old), ("draft", new)):
            counts[side][t.standing.tier] += 1
            if t.standing.unicorn_grade == "unicorn":
                counts[side]["unicorn_grade_unicorn"] += 1
            # a firm entering a tier twice in the year counts once
            for key in {s.counts_toward for s in t.steps
                        if s.counts_toward and s.on.year == round_year}:
                counts[side]["entered:" + key] += 1
        was, now = _label(before.tier, before.unicorn_grade), _label(after.tier, after.unicorn_grade)
        if was == now:
            continue
        up = (TIER_RANK[after.tier], after.unicorn_grade or "") > (
            TIER_RANK[before.tier], before.unicorn_grade or "")
        move: dict[str, Any] = {"firm_id": firm_id, "name": names.get(firm_id), "from": was,
                                "to": now, "direction": "up" if up else "down"}
        if traces:
            move["trace"] = new.last.to_dict()
        moves.append(move)
    keys = ("eaglet", "gazelle", "unicorn", "leader", "unicorn_grade_unicorn")
    effect = {k: {"baseline": counts["baseline"][k], "draft": counts["draft"][k],
                  "delta": counts["draft"][k] - counts["baseline"][k]} for k in keys}
    moves.sort(key=lambda m: (m["direction"], m["from"], m["to"], m["firm_id"]))
    entered = {k: {"baseline": counts["baseline"]["entered:" + k],
                   "draft": counts["draft"]["entered:" + k],
                   "delta": counts["draft"]["entered:" + k] - counts["baseline"]["entered:" + k]}
               for k in ("eaglet", "gazelle", "unicorn", "leader")}
    return {"round_year": round_year, "fiscal_year": fy, "as_of": on, "effect_on_tiers": effect,
            "entries": entered,
            "moved_up": sum(m["direction"] == "up" for m in moves),
            "moved_down": sum(m["direction"] == "down" for m in moves), "moves": moves}


async def simulate(pool: asyncpg.Pool, *, baseline: Rulebook, draft: Rulebook, round_year: int,
                   traces: bool, limit: int, today: date | None = None) -> dict[str, Any]:
    """Run the what-if on every stored firm; reports timings too."""
    started = time.perf_counter()
    facts = await repo.all_dated(pool)
    names = {str(r["firm_id"]): r["name"] for r in await repo.all_standings(pool)}
    loaded = time.perf_counter()
    # in a thread: seconds of evaluation must not stall the consumer's heartbeats or the API
    result = await asyncio.to_thread(compare, baseline, draft, facts, round_year, traces=traces,
                                     names=names, today=today)
    done = time.perf_counter()
    result["moves_total"] = len(result["moves"])
    result["moves"] = result["moves"][:limit]
    target_rows = await repo.targets(pool, round_year)
    result["effect_on_targets"] = {
        k: {"target": t, **result["entries"].get(k, {})}
        for k, t in target_rows.items() if k in ("eaglet", "gazelle", "unicorn", "leader")}
    result.update({"baseline_rulebook": baseline.id, "draft_rulebook": draft.id,
                   "firms": len(facts), "load_seconds": round(loaded - started, 3),
                   "evaluate_seconds": round(done - loaded, 3)})
    return result
