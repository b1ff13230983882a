"""What-if: fold every firm under the active rulebook and a draft, and compare (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from ladder.domain.decision import TIER_RANK
from ladder.domain.rulebook import Rulebook
from ladder.domain.timeline import fold

PROGRESS_EVERY = 500  # firms between two progress reports


def _label(tier: str, grade: str | None) -> str:
    return f"unicorn:{grade}" if tier == "unicorn" and grade else tier


def compare(baseline: Rulebook, draft: Rulebook, facts: dict[str, Any], round_year: int,
            *, traces: bool, names: dict[str, str], today: date | None = None,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Fold each firm's facts under both rulebooks to the end of the round year (or today)
    and report who stands where, who moves, and the entries dated in the year. `progress`
    hears (firms done, firms in all) every so many firms."""
    fy = round_year - 1
    on = min(date(round_year, 12, 31), today or date.today())
    moves: list[dict[str, Any]] = []
    counts: dict[str, Counter[str]] = {"baseline": Counter(), "draft": Counter()}
    for n, (firm_id, f) in enumerate(facts.items()):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n, len(facts))
        if f.firm.founded_on.year > fy:
            continue  # not yet founded in that fiscal year
        # each day's facts built once for both folds; the draft re-evaluates only the tiers
        # it changes on the days the baseline evaluated
        by_day: dict[date, Any] = {}
        verdicts: dict[tuple[date, int | None], Any] = {}
        old = fold(baseline, f, on, facts_by_day=by_day, verdicts=verdicts)
        new = fold(draft, f, on, facts_by_day=by_day, verdicts=verdicts)
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
