"""The what-if read model: every stored firm under the active rulebook and a draft."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.dated import DatedFacts
from ladder.domain.rulebook import Rulebook, rulebook_with_overrides
from ladder.domain.whatif import BaselineFold, Tally, as_of, fold_baselines, report, tally
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
FULL_LOAD_SHARE = 0.5  # above this share of the firms stale, reload the whole share at once


@dataclass
class KeptShare:
    """One share of the city kept between what-ifs (a worker process keeps its own): each
    firm's dated facts at the version the projection last gave them, and their folds under
    one baseline to one day. A job reloads only the firms whose facts moved since, and folds
    only the draft where the baseline and the day are the same as the last job's."""

    shard: tuple[int, int] = (0, 1)
    versions: dict[str, int] = field(default_factory=dict)
    facts: dict[str, DatedFacts] = field(default_factory=dict)
    baseline_key: tuple[Rulebook, date, int] | None = None
    baselines: dict[str, BaselineFold] = field(default_factory=dict)

    async def refresh(self, pool: asyncpg.Pool) -> int:
        """Bring the kept facts up to the projection's: the firms whose version moved are
        reloaded (their baseline folds dropped), the firms gone are dropped; versions and
        facts are read in one snapshot. Returns how many firms were (re)loaded."""
        async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                             readonly=True):
            repo = Repository(conn)
            versions = await repo.fact_versions(self.shard)
            stale = [k for k, v in versions.items() if self.versions.get(k) != v]
            whole = not self.facts or len(stale) > FULL_LOAD_SHARE * len(versions)
            loaded = await repo.all_dated(shard=self.shard,
                                          firm_ids=None if whole else stale)
        for firm_id in [k for k in self.facts if k not in versions or k in loaded]:
            del self.facts[firm_id]
            self.baselines.pop(firm_id, None)
        self.facts.update(loaded)
        self.versions = {k: v for k, v in versions.items() if k in self.facts}
        return len(loaded)

    def baselines_for(self, baseline: Rulebook, on: date, round_year: int,
                      ) -> dict[str, BaselineFold]:
        """The kept baseline folds, forgotten when the baseline, the day or the year changed."""
        key = (baseline, on, round_year)
        if key != self.baseline_key:
            self.baseline_key, self.baselines = key, {}
        return self.baselines


async def fold_share(pool: asyncpg.Pool, *, baseline: Rulebook, draft: Rulebook,
                     round_year: int, traces: bool, today: date | None = None,
                     shard: tuple[int, int] = (0, 1),
                     progress: Callable[[int, int], None] | None = None,
                     kept: KeptShare | None = None) -> Share:
    """Bring the `shard`'s share of the firms up to date (in `kept`, if given, from what it
    held) and fold it under both rulebooks (to `progress`, the firms folded so far)."""
    share = kept if kept is not None else KeptShare(shard)
    assert share.shard == shard, "a kept share answers for its own shard"
    started = time.perf_counter()
    await share.refresh(pool)
    loaded = time.perf_counter()
    baselines = (None if kept is None  # a one-off fold keeps nothing
                 else share.baselines_for(baseline, as_of(round_year, today), round_year))
    # in a thread: seconds of evaluation must not stall the loop that reports the progress
    folded = await asyncio.to_thread(tally, baseline, draft, share.facts, round_year,
                                     traces=traces, today=today, progress=progress,
                                     baselines=baselines)
    return folded, loaded - started, time.perf_counter() - loaded


async def warm_share(pool: asyncpg.Pool, kept: KeptShare, *, baseline: Rulebook,
                     round_year: int, today: date | None = None) -> int:
    """Between jobs: bring the kept share up to date and fold under the baseline the firms
    it has no fold of, so the next job on that baseline and day folds only its draft; how
    many firms were folded."""
    await kept.refresh(pool)
    baselines = kept.baselines_for(baseline, as_of(round_year, today), round_year)
    return fold_baselines(baseline, kept.facts, round_year, baselines, today=today)


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
