"""What-if jobs in a worker process, so seconds of folding never block the service's event loop.

The job lives in `simulation_jobs` (any process of the ladder answers for it); the worker
loads every firm itself, folds them, writes its progress every so often and the result at
the end. One worker per ladder process, at a lower CPU priority: what-ifs queue behind each other
rather than take both cores from the consumer and the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

from ladder.domain.rulebook import Rulebook
from ladder.queries.whatif import simulate
from ladder.repository import Repository
from shared.db import create_pool

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5  # how often the worker writes its progress


async def _run(dsn: str, job_id: uuid.UUID, baseline: Rulebook, draft: Rulebook,
               round_year: int, traces: bool, limit: int, today: date) -> str:
    pool = await create_pool(dsn, min_size=2, max_size=2)
    repo = Repository(pool)
    seen = [0, 0]

    def heard(done: int, total: int) -> None:
        seen[:] = [done, total]

    async def report() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            if seen[1]:
                await repo.simulation_progress(job_id, seen[0], seen[1])

    ticker = asyncio.create_task(report())
    try:
        out = await simulate(pool, baseline=baseline, draft=draft, round_year=round_year,
                             traces=traces, limit=limit, today=today, progress=heard)
        ticker.cancel()
        await repo.finish_simulation(job_id, result=out.model_dump(mode="json", by_alias=True),
                                     problem=None, firms=out.firms)
        return "done"
    except Exception as exc:
        ticker.cancel()
        log.exception("what-if job %s failed", job_id)
        await repo.finish_simulation(job_id, result=None,
                                     problem=f"{type(exc).__name__}: {exc}"[:1000])
        return "failed"
    finally:
        await pool.close()


WORKER_NICENESS = 10  # the what-if yields the CPU to the service, its consumer and PostgreSQL


def _lower_priority() -> None:
    """The worker process's start: a lower CPU priority, so on a busy machine the service
    answers first and the what-if takes what is left."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


def run_job(dsn: str, job_id: uuid.UUID, baseline: Rulebook, draft: Rulebook, round_year: int,
            traces: bool, limit: int, today: date) -> str:
    """The worker process's entry: one what-if job, start to finish ("done" or "failed")."""
    return asyncio.run(_run(dsn, job_id, baseline, draft, round_year, traces, limit, today))


class WhatIfWorker:
    """The ladder process's what-if worker: a one-process pool, started on the first job."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.pool: ProcessPoolExecutor | None = None
        self.running: set[asyncio.Future[Any]] = set()

    def submit(self, job_id: uuid.UUID, **job: Any) -> asyncio.Future[str]:
        """Run a stored job in the worker process; the future ends with its status."""
        if self.pool is None:  # spawn: a clean interpreter, not a fork of a running loop
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_lower_priority)
        future = asyncio.get_running_loop().run_in_executor(
            self.pool, run_job, self.dsn, job_id, job["baseline"], job["draft"],
            job["round_year"], job["traces"], job["limit"], job["today"])
        self.running.add(future)
        future.add_done_callback(self.running.discard)
        return future

    def keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a reference to a follow-up task until it ends."""
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    def close(self) -> None:
        """Stop the worker (a job in flight is abandoned; its row stays `running`)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
