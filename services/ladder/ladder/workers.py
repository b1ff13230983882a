"""What-if jobs in worker processes, so seconds of folding never block the service's event loop.

The job lives in `simulation_jobs` (any process of the ladder answers for it). The city is
split by firm into `SHARES` shares, each folded by its own worker process, which keeps its
share between jobs (`KeptShare`: the facts, and their folds under the baseline): a job
reloads only the firms whose facts changed since and folds only the draft when the baseline
and the day are the last job's. Each worker adds its progress to the job's every so often;
the service's process adds the shares' tallies up and writes the result. The workers run at
a lower CPU priority: on a busy machine the service, its consumer and PostgreSQL take the
CPU first and the what-if what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.rulebook import Rulebook
from ladder.queries.whatif import KeptShare, Share, fold_share, result_of
from ladder.repository import Repository
from shared.db import create_pool

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5  # how often a worker adds its progress to the job's
SHARES = min(os.cpu_count() or 1, 4)  # worker processes folding one what-if: one a core
WORKER_NICENESS = 10  # the what-if yields the CPU to the service, its consumer and PostgreSQL
_KEPT: dict[tuple[int, int], KeptShare] = {}  # in a worker process: its share, between jobs


async def _fold(dsn: str, job_id: uuid.UUID, baseline: Rulebook, draft: Rulebook,
                round_year: int, traces: bool, today: date, shard: tuple[int, int]) -> Share:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    repo = Repository(pool)
    folded, told = [0], [0]

    def heard(done: int, total: int) -> None:
        folded[0] = done

    async def tell() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            if folded[0] > told[0]:
                more, told[0] = folded[0] - told[0], folded[0]
                await repo.simulation_progress(job_id, more)

    await repo.simulation_progress(job_id, 0)  # running from now
    ticker = asyncio.create_task(tell())
    try:
        kept = _KEPT.setdefault(shard, KeptShare(shard))
        return await fold_share(pool, baseline=baseline, draft=draft, round_year=round_year,
                                traces=traces, today=today, shard=shard, progress=heard,
                                kept=kept)
    finally:
        ticker.cancel()
        await pool.close()


def fold_share_of_job(dsn: str, job_id: uuid.UUID, baseline: Rulebook, draft: Rulebook,
                      round_year: int, traces: bool, today: date, shard: tuple[int, int]) -> Share:
    """A worker process's entry: bring its kept share of the firms up to date and fold it.
    The cyclic garbage collector is off meanwhile: a share's facts are hundreds of thousands
    of objects without cycles (reference counting frees them), which it would walk again and
    again for nothing (bench_whatif at 25,000 firms: 0.9 s of 8.3 s; the job's memory the
    same). After the job, one collection, and what is left (the kept share) is frozen: the
    collector walks it never again."""
    gc.disable()
    try:
        return asyncio.run(_fold(dsn, job_id, baseline, draft, round_year, traces, today, shard))
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()


def _lower_priority() -> None:
    """A worker process's start: a lower CPU priority, so on a busy machine the service
    answers first and the what-if takes what is left."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


class WhatIfWorker:
    """The ladder process's what-if workers: `shares` processes, started on the first job;
    each job is split among them, the k-th share always to the k-th process (which keeps it)."""

    def __init__(self, dsn: str, shares: int = SHARES):
        self.dsn, self.shares = dsn, shares
        self.pools: list[ProcessPoolExecutor] = []  # one process each
        self.running: set[asyncio.Future[Any]] = set()

    def submit(self, db: asyncpg.Pool, job_id: uuid.UUID, **job: Any) -> asyncio.Future[str]:
        """Run a stored job in the worker processes; the future ends with its status
        ("done" or "failed", the job's row saying why)."""
        task = asyncio.ensure_future(self._run(db, job_id, **job))
        self.keep(task)
        return task

    async def _run(self, db: asyncpg.Pool, job_id: uuid.UUID, *, baseline: Rulebook,
                   draft: Rulebook, round_year: int, traces: bool, limit: int,
                   today: date) -> str:
        repo = Repository(db)
        try:
            await repo.count_simulation(job_id)
            if not self.pools:  # spawn: a clean interpreter, not a fork of a running loop
                spawn = multiprocessing.get_context("spawn")
                self.pools = [ProcessPoolExecutor(1, mp_context=spawn,
                                                  initializer=_lower_priority)
                              for _ in range(self.shares)]
            loop = asyncio.get_running_loop()
            shares = await asyncio.gather(*(
                loop.run_in_executor(pool, fold_share_of_job, self.dsn, job_id, baseline,
                                     draft, round_year, traces, today, (k, self.shares))
                for k, pool in enumerate(self.pools)))
            out = await result_of(db, list(shares), baseline=baseline, draft=draft,
                                  round_year=round_year, limit=limit, today=today)
            await repo.finish_simulation(job_id, result=out.model_dump(mode="json", by_alias=True),
                                         problem=None, firms=out.firms)
            return "done"
        except Exception as exc:
            log.exception("what-if job %s failed", job_id)
            problem = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, BrokenProcessPool):  # a worker died: the next job starts anew
                problem = f"the worker stopped: {exc!r}"
                self.close()
            await repo.finish_simulation(job_id, result=None, problem=problem[:1000])
            return "failed"

    def keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a reference to a task until it ends."""
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    def close(self) -> None:
        """Stop the workers (a job in flight is abandoned; its row stays `running`)."""
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=True)
        self.pools = []
