"""What-if as a job (POST /v1/simulation-jobs): 202 with a job at once, progress, then the
result; computed in a worker process so the service keeps answering; bad input is an RFC 9457
problem, never a 500."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date

import pytest

from tests.conftest import fresh_database
from tests.factories import firm_payload
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
