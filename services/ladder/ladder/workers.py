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
import ctypes
import ctypes.util
import gc
import logging
import multiprocessing
import os
import signal
import sys
import uuid
from collections.abc import Coroutine
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any, TypeVar

import asyncpg

from ladder.domain.rulebook import Rulebook
from ladder.queries.whatif import KeptShare, Share, fold_share, result_of, warm_share
from ladder.repository import Repository
from shared.db import create_pool

log = logging.getLogger(__name__)
T = TypeVar("T")
PROGRESS_EVERY_S = 0.5  # how often a worker adds its progress to the job's
SHARES = min(os.cpu_count() or 1, 4)  # worker processes folding one what-if: one a core
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
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


async def _warm(dsn: str, baseline: Rulebook, round_year: int, today: date,
                shard: tuple[int, int]) -> int:
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        kept = _KEPT.setdefault(shard, KeptShare(shard))
        return await warm_share(pool, kept, baseline=baseline, round_year=round_year,
                                today=today)
    finally:
        await pool.close()


def _in_worker(work: Coroutine[Any, Any, T]) -> T:
    """Run a worker process's work with the cyclic garbage collector off: a share's facts are
    hundreds of thousands of objects without cycles (reference counting frees them), which
    it would walk again and again for nothing (bench_whatif at 25,000 firms: 0.9 s of 8.3 s;
    the memory the same). After it, one collection, and what is left (the kept share) is
    frozen: the collector walks it never again."""
    gc.disable()
    try:
        return asyncio.run(work)
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()


def fold_share_of_job(dsn: str, job_id: uuid.UUID, baseline: Rulebook, draft: Rulebook,
                      round_year: int, traces: bool, today: date, shard: tuple[int, int]) -> Share:
    """A worker process's entry: bring its kept share of the firms up to date and fold it."""
    return _in_worker(_fold(dsn, job_id, baseline, draft, round_year, traces, today, shard))


def warm_share_of(dsn: str, baseline: Rulebook, round_year: int, today: date,
                  shard: tuple[int, int]) -> int:
    """A worker process's entry between jobs: its kept share up to date and folded under the
    baseline; how many firms were folded."""
    return _in_worker(_warm(dsn, baseline, round_year, today, shard))


def _worker_start(service_pid: int) -> None:
    """A worker process's start: a lower CPU priority, so on a busy machine the service
    answers first and the what-if takes what is left; and on Linux, killed with the service
    (kill -9 of the service leaves no worker holding a share of the city)."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    if sys.platform == "linux":
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != service_pid:  # it died before the line above: go now
            os._exit(1)


class WhatIfWorker:
    """The ladder process's what-if workers: `shares` processes, started on the first job or
    warm-up; each job is split among them, the k-th share always to the k-th process (which
    keeps it)."""

    def __init__(self, dsn: str, shares: int = SHARES):
        self.dsn, self.shares = dsn, shares
        self.pools: list[ProcessPoolExecutor] = []  # one process each
        self.running: set[asyncio.Future[Any]] = set()
        self.round_year: int | None = None  # the last job's, which the next is likely to ask

    def _started(self) -> list[ProcessPoolExecutor]:
        if not self.pools:  # spawn: a clean interpreter, not a fork of a running loop
            spawn = multiprocessing.get_context("spawn")
            self.pools = [ProcessPoolExecutor(1, mp_context=spawn, initializer=_worker_start,
                                              initargs=(os.getpid(),))
                          for _ in range(self.shares)]
        return self.pools

    async def keep_warm(self, baseline: Rulebook, today: date) -> int | None:
        """Between jobs, bring each worker's share up to date and fold it under `baseline`
        for the last job's round year (else today's), so the next job folds only its draft;
        how many firms were folded (None: a job is running, which does it)."""
        if self.running:
            return None
        round_year = self.round_year or today.year
        loop = asyncio.get_running_loop()
        try:
            folded = await asyncio.gather(*(
                loop.run_in_executor(pool, warm_share_of, self.dsn, baseline, round_year,
                                     today, (k, self.shares))
                for k, pool in enumerate(self._started())))
        except BrokenProcessPool:  # a worker died: the next job or warm-up starts anew
            self.close()
            raise
        return sum(folded)

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
            self.round_year = round_year
            loop = asyncio.get_running_loop()
            shares = await asyncio.gather(*(
                loop.run_in_executor(pool, fold_share_of_job, self.dsn, job_id, baseline,
                                     draft, round_year, traces, today, (k, self.shares))
                for k, pool in enumerate(self._started())))
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
