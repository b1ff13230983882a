"""The what-if read model: every stored firm under the active rulebook and a draft."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.rulebook import Rulebook, rulebook_with_overrides
from ladder.domain.whatif import Tally, report, tally
from ladder.repository import Repository
from ladder.schemas import SimulationJob, SimulationOut
from shared.errors import NotFound, Rejected


def draft_of(base: Rulebook, overrides: dict[str, Any] | None) -> Rulebook:
    """`base` with the overrides applied (422 naming `overrides` when they break a rule)."""
    if not overrides:
        return base
    try:
        return rulebook_with_overrides(base, overrides)
    except ValueError as exc:
        raise Rejected("overrides", "rulebook", str(exc)[:1000]) from None


Share = tuple[Tally, float, float]  # a share's tally, seconds loading, seconds folding


async def fold_share(pool: asyncpg.Pool, *, baseline: Rulebook, draft: Rulebook,
                     round_year: int, traces: bool, today: date | None = None,
                     shard: tuple[int, int] = (0, 1),
                     progress: Callable[[int, int], None] | None = None) -> Share:
    """Load the `shard`'s share of the firms and fold it under both rulebooks (to `progress`,
    the firms folded so far)."""
    started = time.perf_counter()
    facts = await Repository(pool).all_dated(shard=shard)
    loaded = time.perf_counter()
    # in a thread: seconds of evaluation must not stall the loop that reports the progress
    folded = await asyncio.to_thread(tally, baseline, draft, facts, round_year, traces=traces,
                                     today=today, progress=progress)
    return folded, loaded - started, time.perf_counter() - loaded


async def result_of(pool: asyncpg.Pool, shares: list[Share], *, baseline: Rulebook,
                    draft: Rulebook, round_year: int, limit: int,
                    today: date | None = None) -> SimulationOut:
    """The shares added up: the effect, the first `limit` moves with their firms' names,
    the effect on the year's targets, and the slowest share's timings."""
    repo = Repository(pool)
    tallies = [s[0] for s in shares]
    names = await repo.firm_names([m["firm_id"] for t in tallies for m in t.moves])
    result = report(tallies, round_year, names=names, today=today)
    result["moves_total"] = len(result["moves"])
    result["moves"] = result["moves"][:limit]
    target_rows = await repo.targets(round_year)
    result["effect_on_targets"] = {
        k: {"target": t, **result["entries"].get(k, {})}
        for k, t in target_rows.items() if k in ("eaglet", "gazelle", "unicorn", "leader")}
    result.update({"baseline_rulebook": baseline.id, "draft_rulebook": draft.id,
                   "load_seconds": round(max(s[1] for s in shares), 3),
                   "evaluate_seconds": round(max(s[2] for s in shares), 3)})
    return SimulationOut.model_validate(result)


async def simulate(pool: asyncpg.Pool, *, baseline: Rulebook, draft: Rulebook, round_year: int,
                   traces: bool, limit: int, today: date | None = None) -> SimulationOut:
    """Run the what-if on every stored firm in this process; reports timings too."""
    share = await fold_share(pool, baseline=baseline, draft=draft, round_year=round_year,
                             traces=traces, today=today)
    return await result_of(pool, [share], baseline=baseline, draft=draft,
                           round_year=round_year, limit=limit, today=today)


async def draft_for(pool: asyncpg.Pool, active: Rulebook, *, rulebook_id: str | None,
                    overrides: dict[str, Any] | None) -> Rulebook:
    """The draft a what-if runs: a stored draft, or overrides of it (or of the active one);
    404 for an unknown rulebook, 422 naming the field for a draft that is no draft."""
    from ladder.queries.rulebooks import stored  # one read model uses the other

    base = await stored(pool, rulebook_id) if rulebook_id else active
    draft = draft_of(base, overrides)
    if draft is active:
        raise Rejected("rulebook_id", "draft_needed", "give a draft rulebook_id or overrides")
    return draft


async def what_if(pool: asyncpg.Pool, active: Rulebook, *, rulebook_id: str | None,
                  overrides: dict[str, Any] | None, round_year: int, traces: bool, limit: int,
                  today: date) -> SimulationOut:
    """The what-if in this process (benchmarks and tests; the API runs it as a job)."""
    draft = await draft_for(pool, active, rulebook_id=rulebook_id, overrides=overrides)
    return await simulate(pool, baseline=active, draft=draft, round_year=round_year,
                          traces=traces, limit=limit, today=today)


def job_out(row: asyncpg.Record) -> SimulationJob:
    """A stored what-if job as the API shows it."""
    total, done = row["firms_total"], row["firms_done"]
    return SimulationJob(
        id=row["id"], status=row["status"], firms_done=done, firms_total=total,
        progress=1.0 if row["status"] == "done" else round(done / total, 3) if total else 0.0,
        created_at=row["created_at"], finished_at=row["finished_at"],
        result=SimulationOut.model_validate(row["result"]) if row["result"] else None,
        problem=row["problem"])


async def simulation_job(pool: asyncpg.Pool, job_id: uuid.UUID) -> SimulationJob:
    """One what-if job (404 when there is none of that id)."""
    row = await Repository(pool).simulation_job(job_id)
    if row is None:
        raise NotFound(f"no what-if job {job_id}")
    return job_out(row)
