"""What-if as a job (POST /v1/simulation-jobs): 202 with a job at once, progress, then the
result; computed in a worker process so the service keeps answering; bad input is an RFC 9457
problem, never a 500."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date

import pytest

from ladder import handlers
from ladder.domain.rulebook import default_rulebook, rulebook_with_overrides
from ladder.queries import what_if
from ladder.repository import Repository, UnitOfWork
from ladder.workers import WhatIfWorker
from shared.auth import Ctx, Principal
from shared.db import create_pool
from shared.settings import database_url_for
from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.city import apply_batch, small_city
from tests.integration.ladder.stack import growth_reports, pair

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)
LOWER_CAGR = {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}
JOBS = "/v1/simulation-jobs"


async def test_a_what_if_job_from_queued_to_done(pg_server_url: str, fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        near = {y: dict(body) for y, body in growth_reports(12_500_000).items()}
        near[2021].update(revenue=21_500_000, sales_revenue=21_500_000, high_tech_revenue=10_000_000,
                          st_activity_investment=1_000_000)  # CAGR 19.8%: a near miss
        firm = (await p.registry.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))).json()
        seq = firm["sequence"]
        for year, body in near.items():
            seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}", json=body)).json()["sequence"]
        await p.caught_up(firm["id"], seq)

        started = await p.ladder.post(JOBS, json={"round_year": 2022, "overrides": LOWER_CAGR})
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["status"] in ("queued", "running", "done") and job["result"] is None
        assert started.headers["location"] == f"{JOBS}/{job['id']}"
        # the service answers while the worker process folds
        health = await p.ladder.get("/healthz")
        assert health.status_code == 200

        deadline, seen = time.monotonic() + 60, []
        while True:
            got = await p.ladder.get(started.headers["location"])
            assert got.status_code == 200, got.text
            seen.append(got.json()["status"])
            if got.json()["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        done = got.json()
        assert done["status"] == "done", done
        assert done["progress"] == 1.0 and done["firms_done"] == done["firms_total"] == 1
        assert done["finished_at"] is not None and done["problem"] is None
        result = done["result"]
        assert [(m["firm_id"], m["to"]) for m in result["moves"]] == [(firm["id"], "gazelle")]
        assert result["effect_on_tiers"]["gazelle"]["delta"] == 1

        # the old way still answers with the result (the same job, waited for)
        same = await p.ladder.post("/v1/simulations", json={"round_year": 2022, "overrides": LOWER_CAGR})
        assert same.status_code == 200 and same.json()["moves"] == result["moves"]
        standing = (await p.ladder.get(f"/v1/firms/{firm['id']}/standing")).json()
        assert standing["tier"] == "eaglet"  # live standings untouched


async def test_bad_what_if_input_is_a_problem_naming_the_field(pg_server_url: str,
                                                              fresh_broker: str) -> None:
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        nonsense = await p.ladder.post(JOBS, json={
            "round_year": 2022, "overrides": {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "-1"}}}}})
        assert nonsense.status_code == 422
        assert nonsense.headers["content-type"].startswith("application/problem+json")
        assert nonsense.json()["errors"][0]["field"] == "overrides"
        no_draft = await p.ladder.post(JOBS, json={"round_year": 2022})
        assert no_draft.status_code == 422 and no_draft.json()["errors"][0]["field"] == "rulebook_id"
        unknown = await p.ladder.post(JOBS, json={"round_year": 2022, "rulebook_id": "no-such-book"})
        assert unknown.status_code == 404
        missing = await p.ladder.get(f"{JOBS}/{uuid.uuid4()}")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        not_an_id = await p.ladder.get(f"{JOBS}/not-a-job")
        assert not_an_id.status_code == 422
        assert not_an_id.json()["errors"][0]["field"].endswith("job_id")


async def test_a_job_split_among_the_workers_answers_as_one_process_does(
        pg_server_url: str, fresh_broker: str) -> None:
    """The job's two worker processes each load and fold their share of the firms (by id);
    the shares cover the city once, and the job's answer is the one-process what-if's."""
    dbs = (await fresh_database(pg_server_url, "registry"), await fresh_database(pg_server_url, "ladder"))
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        last: tuple[str, int] = ("", 0)
        for n in range(12):  # CAGRs from 13% to 24%: some move under a 15% threshold, some not
            reports = {y: dict(body) for y, body in growth_reports(12_500_000).items()}
            revenue = int(12_500_000 * (1.13 + n / 100) ** 3)
            reports[2021].update(revenue=revenue, sales_revenue=revenue,
                                 high_tech_revenue=revenue // 2,
                                 st_activity_investment=revenue // 20)
            firm = (await p.registry.post("/v1/firms", json=firm_payload(
                founded_on="2016-03-01"))).json()
            for year, body in reports.items():
                seq = (await p.registry.put(f"/v1/firms/{firm['id']}/reports/{year}",
                                            json=body)).json()["sequence"]
            last = (firm["id"], seq)
        await p.caught_up(*last)

        pool = await create_pool(database_url_for(pg_server_url, dbs[1]))
        try:
            repo = Repository(pool)
            whole = await repo.all_dated()
            shares = [await repo.all_dated(shard=(k, 2)) for k in range(2)]
            assert len(whole) == 12 and all(shares)
            assert set(shares[0]).isdisjoint(shares[1])
            assert {**shares[0], **shares[1]} == whole
            alone = await what_if(pool, default_rulebook(), rulebook_id=None,
                                  overrides=LOWER_CAGR, round_year=2022, traces=False,
                                  limit=100, today=TODAY)
        finally:
            await pool.close()

        started = await p.ladder.post(JOBS, json={"round_year": 2022, "overrides": LOWER_CAGR})
        deadline = time.monotonic() + 60
        while (job := (await p.ladder.get(started.headers["location"])).json())["status"] not in (
                "done", "failed") and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert job["status"] == "done", job
        assert job["firms_done"] == job["firms_total"] == 12
        result = job["result"]
        assert 0 < result["moved_up"] < 12  # the threshold splits the firms
        expected = alone.model_dump(mode="json", by_alias=True)
        for key in ("effect_on_tiers", "entries", "moved_up", "moved_down", "moves",
                    "moves_total", "effect_on_targets", "firms"):
            assert result[key] == expected[key], key
        assert all(m["name"] for m in result["moves"])


async def test_a_worker_killed_under_a_job_fails_that_job_and_the_next_one_runs(
        pg_server_url: str) -> None:
    """kill -9 of a worker process: the job it was folding ends `failed` saying so (not
    `running` for ever), and the next job gets fresh workers and finishes."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn)
    worker = WhatIfWorker(dsn)
    rulebook = default_rulebook()
    draft = rulebook_with_overrides(rulebook, LOWER_CAGR)
    job = {"baseline": rulebook, "draft": draft, "round_year": 2022, "traces": False,
           "limit": 10, "today": TODAY}
    try:
        repo = Repository(pool)
        killed, fresh = uuid.uuid4(), uuid.uuid4()
        await repo.new_simulation_job(killed, {}, "test")
        running = worker.submit(pool, killed, **job)
        while not worker.pools or not all(p._processes for p in worker.pools):  # on the first job
            await asyncio.sleep(0.01)
        for process in [p for pool in worker.pools for p in pool._processes.values()]:
            process.kill()
        assert await asyncio.wait_for(running, 60) == "failed"
        row = await repo.simulation_job(killed)
        assert row is not None and row["status"] == "failed"
        assert "the worker stopped" in row["problem"]

        await repo.new_simulation_job(fresh, {}, "test")
        assert await asyncio.wait_for(worker.submit(pool, fresh, **job), 60) == "done"
        row = await repo.simulation_job(fresh)
        assert row is not None and row["status"] == "done" and row["result"]["firms"] == 0
    finally:
        worker.close()
        await pool.close()


async def test_warm_workers_fold_ahead_only_what_changed_and_a_job_answers_the_same(
        pg_server_url: str) -> None:
    """Between jobs the workers fold their kept shares under the baseline: everything the
    first time, nothing when nothing changed, one firm after its override; a job after it
    answers as the what-if in one process does."""
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn)
    worker = WhatIfWorker(dsn)
    rulebook = default_rulebook()
    today = date(2025, 12, 1)
    try:
        batches, late, ids = small_city(3)
        for batch in [*batches, late]:
            await apply_batch(pool, batch, today)
        assert await worker.keep_warm(rulebook, today) == len(ids)  # all founded by 2024
        assert await worker.keep_warm(rulebook, today) == 0
        await handlers.override(UnitOfWork(pool), Ctx(Principal(key_id="k1", role="officer")),
                                uuid.UUID(ids[4]), tier="gazelle", unicorn_grade=None,
                                reason="by hand", rulebook=rulebook, today=today)
        assert await worker.keep_warm(rulebook, today) == 1
        assert worker.round_year is None  # no job yet: today's year was warmed

        job_id = uuid.uuid4()
        await Repository(pool).new_simulation_job(job_id, {}, "test")
        draft = rulebook_with_overrides(rulebook, LOWER_CAGR)
        assert await asyncio.wait_for(worker.submit(
            pool, job_id, baseline=rulebook, draft=draft, round_year=2025, traces=False,
            limit=100, today=today), 60) == "done"
        row = await Repository(pool).simulation_job(job_id)
        assert row is not None and worker.round_year == 2025
        alone = await what_if(pool, rulebook, rulebook_id=None, overrides=LOWER_CAGR,
                              round_year=2025, traces=False, limit=100, today=today)
        expected = alone.model_dump(mode="json", by_alias=True)
        for key in ("effect_on_tiers", "entries", "moved_up", "moved_down", "moves", "firms"):
            assert row["result"][key] == expected[key], key
        assert row["result"]["effect_on_tiers"]["gazelle"]["baseline"] >= 1
    finally:
        worker.close()
        await pool.close()


WORKERS_OF_A_SERVICE = """
import asyncio, sys
from datetime import date
from ladder.domain.rulebook import default_rulebook
from ladder.workers import WhatIfWorker

async def main():
    worker = WhatIfWorker(sys.argv[1])
    await worker.keep_warm(default_rulebook(), date(2025, 12, 1))
    print(*[p for pool in worker.pools for p in pool._processes], flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"  # a zombie is gone but for its parent
    except FileNotFoundError:
        return False


async def test_the_workers_die_with_the_service(pg_server_url: str) -> None:
    """kill -9 of the service: its what-if workers (each holding a share of the city) go too,
    not left behind waiting for work that never comes."""
    import os
    import signal
    import subprocess
    import sys

    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    service = subprocess.Popen([sys.executable, "-c", WORKERS_OF_A_SERVICE, dsn],
                               stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        line = await asyncio.wait_for(asyncio.to_thread(service.stdout.readline), 60)
        workers = [int(p) for p in line.split()]
        assert len(workers) >= 1 and all(_alive(p) for p in workers)
        service.send_signal(signal.SIGKILL)
        service.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not any(_alive(p) for p in workers)
    finally:
        service.kill()
