"""What-if: fold every firm under the active rulebook and a draft, and compare (pure).

The work splits by firm: `tally` folds any share of the city (a worker process folds its
half), `report` adds the shares' tallies up into the answer. `compare` is both on one share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ladder.domain.decision import TIER_RANK
from ladder.domain.rulebook import Rulebook
from ladder.domain.timeline import Timeline, fold

PROGRESS_EVERY = 500  # firms between two progress reports
TIERS = ("eaglet", "gazelle", "unicorn", "leader")
SIDES = ("baseline", "draft")


@dataclass
class Tally:
    """What folding a share of the city found: tier counts and entries per side, the moves
    (without names: `report` adds them), and how many firms the share held."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {side: Counter() for side in SIDES})
    moves: list[dict[str, Any]] = field(default_factory=list)
    firms: int = 0


def as_of(round_year: int, today: date | None = None) -> date:
    """The day a what-if judges on: the round year's last day, or today if that is earlier."""
    return min(date(round_year, 12, 31), today or date.today())


def _label(tier: str, grade: str | None) -> str:
    return f"unicorn:{grade}" if tier == "unicorn" and grade else tier


@dataclass(slots=True)
class BaselineFold:
    """One firm's fold under the baseline, kept for the drafts that follow (a what-if worker
    keeps them between jobs): the timeline, and the facts and verdicts of each day it
    evaluated, from which a draft re-evaluates only the tiers it changes."""

    timeline: Timeline
    facts_by_day: dict[date, Any]
    verdicts: dict[tuple[date, int | None], Any]


def fold_baseline(baseline: Rulebook, f: Any, on: date) -> BaselineFold:
    """A firm's baseline fold to `on`, with the memos its drafts read."""
    by_day: dict[date, Any] = {}
    verdicts: dict[tuple[date, int | None], Any] = {}
    timeline = fold(baseline, f, on, facts_by_day=by_day, verdicts=verdicts, traces=False)
    return BaselineFold(timeline, by_day, verdicts)


def _judged(f: Any, fiscal_year: int) -> bool:
    """A firm founded by the fiscal year is judged in its round (a younger one is not yet)."""
    return bool(f.firm.founded_on.year <= fiscal_year)


def fold_baselines(baseline: Rulebook, facts: dict[str, Any], round_year: int,
                   baselines: dict[str, BaselineFold], *, today: date | None = None) -> int:
    """Fold under the baseline each firm judged in the round that `baselines` lacks (ahead of
    a what-if, which then folds only its draft); how many were folded."""
    fy, on = round_year - 1, as_of(round_year, today)
    folded = 0
    for firm_id, f in facts.items():
        if firm_id not in baselines and _judged(f, fy):
            baselines[firm_id] = fold_baseline(baseline, f, on)
            folded += 1
    return folded


def tally(baseline: Rulebook, draft: Rulebook, facts: dict[str, Any], round_year: int,
          *, traces: bool, today: date | None = None,
          progress: Callable[[int, int], None] | None = None,
          baselines: dict[str, BaselineFold] | None = None) -> Tally:
    """Fold each firm's facts under both rulebooks to `as_of(round_year, today)`: who stands
    where, who moves, and the entries dated in the year. `progress` hears (firms done, firms
    in all) every so many firms. `baselines` keeps each firm's baseline fold: a firm found
    there is not folded under the baseline again, one not found is added (the caller keeps
    it only for these facts, this baseline and this day)."""
    fy, on = round_year - 1, as_of(round_year, today)
    out = Tally(firms=len(facts))
    for n, (firm_id, f) in enumerate(facts.items()):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n, len(facts))
        if not _judged(f, fy):
            continue
        # each day's facts built once for both folds; the draft re-evaluates only the tiers
        # it changes on the days the baseline evaluated
        b = baselines.get(firm_id) if baselines is not None else None
        if b is None:
            b = fold_baseline(baseline, f, on)
            if baselines is not None:
                baselines[firm_id] = b
        old = b.timeline
        new = fold(draft, f, on, facts_by_day=b.facts_by_day, verdicts=b.verdicts,
                   traces=False)
        before, after = old.standing, new.standing
        for side, t in (("baseline", old), ("draft", new)):
            out.counts[side][t.standing.tier] += 1
            if t.standing.unicorn_grade == "unicorn":
                out.counts[side]["unicorn_grade_unicorn"] += 1
            # a firm entering a tier twice in the year counts once
            for key in {s.counts_toward for s in t.steps
                        if s.counts_toward and s.on.year == round_year}:
                out.counts[side]["entered:" + key] += 1
        was, now = _label(before.tier, before.unicorn_grade), _label(after.tier, after.unicorn_grade)
        if was == now:
            continue
        up = (TIER_RANK[after.tier], after.unicorn_grade or "") > (
            TIER_RANK[before.tier], before.unicorn_grade or "")
        move: dict[str, Any] = {"firm_id": firm_id, "from": was, "to": now,
                                "direction": "up" if up else "down"}
        if traces:
            move["trace"] = new.last.to_dict()
        out.moves.append(move)
    return out


def _effect(counts: dict[str, Counter[str]], key: str) -> dict[str, int]:
    return {"baseline": counts["baseline"][key], "draft": counts["draft"][key],
            "delta": counts["draft"][key] - counts["baseline"][key]}


def report(tallies: Iterable[Tally], round_year: int, *, names: dict[str, str | None],
           today: date | None = None) -> dict[str, Any]:
    """The shares' tallies added up: the effect on tiers and entries, the moves in a stable
    order (with the firms' names from `names`), how many firms were folded."""
    counts: dict[str, Counter[str]] = {side: Counter() for side in SIDES}
    moves: list[dict[str, Any]] = []
    firms = 0
    for t in tallies:
        for side in SIDES:
            counts[side].update(t.counts[side])
        moves += t.moves
        firms += t.firms
    moves = [{**m, "name": names.get(m["firm_id"])} for m in moves]
    moves.sort(key=lambda m: (m["direction"], m["from"], m["to"], m["firm_id"]))
    return {"round_year": round_year, "fiscal_year": round_year - 1,
            "as_of": as_of(round_year, today),
            "effect_on_tiers": {k: _effect(counts, k) for k in (*TIERS, "unicorn_grade_unicorn")},
            "entries": {k: _effect(counts, "entered:" + k) for k in TIERS},
            "moved_up": sum(m["direction"] == "up" for m in moves),
            "moved_down": sum(m["direction"] == "down" for m in moves), "moves": moves,
            "firms": firms}


def compare(baseline: Rulebook, draft: Rulebook, facts: dict[str, Any], round_year: int,
            *, traces: bool, names: dict[str, str | None], today: date | None = None,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """`tally` and `report` in one: the what-if over `facts` in this process."""
    return report([tally(baseline, draft, facts, round_year, traces=traces, today=today,
                         progress=progress)], round_year, names=names, today=today)
