"""Routes of planning: rulebooks, targets, candidates and the what-if."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from ladder import handlers, queries
from ladder.api.deps import Rulebooks, Today, Uow, Worker
from ladder.api.standing import Cursor
from ladder.handlers import RulebookStore
from ladder.schemas import (
    CandidatePage,
    RulebookOut,
    RulebookPage,
    RulebookSummary,
    SimulationIn,
    SimulationJob,
    SimulationOut,
    TargetsOut,
    TargetsSet,
)
from ladder.workers import WhatIfWorker
from shared.auth import AdminCtx, Reader
from shared.codes import District, Industry, TargetKey
from shared.deps import PoolDep
from shared.paging import position_of

router = APIRouter(prefix="/v1")
Year = Annotated[int, Path(ge=2000, le=2100)]
TargetValue = Annotated[int, Field(ge=0, le=1_000_000)]


@router.get("/rulebooks", tags=["rulebooks"], response_model=RulebookPage,
            summary="Rulebooks: the active one and drafts")
async def list_rulebooks(pool: PoolDep, who: Reader) -> RulebookPage:
    return await queries.rulebooks(pool)


@router.get("/rulebooks/{rulebook_id}", tags=["rulebooks"], response_model=RulebookOut,
            summary="One rulebook, every rule", responses={404: {"description": "No such rulebook"}})
async def get_rulebook(rulebook_id: str, pool: PoolDep,
                       who: Reader) -> RulebookOut:
    return await queries.rulebook(pool, rulebook_id)


@router.post("/rulebooks", status_code=201, tags=["rulebooks"], response_model=RulebookSummary,
             summary="Upload a draft rulebook (admin); validated, never made active here",
             responses={409: {"description": "The id is the active rulebook's"}})
async def post_rulebook(document: dict[str, Any], uow: Uow, rulebooks: Rulebooks,
                        ctx: AdminCtx) -> RulebookSummary:
    rulebook = await handlers.upload_draft(uow, rulebooks, document, ctx.actor)
    return queries.summary(rulebook, "draft")


@router.get("/targets/{year}", tags=["targets"], response_model=TargetsOut,
            summary="Progress, pace and forecast")
async def get_targets(year: Year, pool: PoolDep, rulebooks: Rulebooks, today: Today,
                      who: Reader, as_of: date | None = None) -> TargetsOut:
    return await queries.targets(pool, rulebooks.active, year, as_of or today)


@router.put("/targets/{year}", tags=["targets"], response_model=TargetsSet,
            summary="Set a year's targets (admin)")
async def put_targets(year: Year, body: dict[TargetKey, TargetValue], uow: Uow,
                      ctx: AdminCtx) -> TargetsSet:
    values = {str(k): v for k, v in body.items()}
    await handlers.put_targets(uow, ctx, year, values)
    return TargetsSet(year=year, targets=values)


@router.get("/candidates", tags=["targets"], response_model=CandidatePage,
            summary="Near misses for a tier, closest first")
async def get_candidates(
    pool: PoolDep, rulebooks: Rulebooks, today: Today, who: Reader,
    tier: Literal["eaglet", "gazelle", "unicorn", "leader"],
    district: District | None = None, industry: Industry | None = None,
    sort: Literal["closest", "gap"] = "closest", cursor: Cursor = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000,
                                 description="Where to start when no cursor is given")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    year: Annotated[int | None, Query(
        ge=2000, le=2100, description="The round year to judge in: as of its last day, or "
        "today for the current year (default); not a future year")] = None,
) -> CandidatePage:
    start = position_of(cursor, int)
    on = queries.candidates_day(year, today)
    return await queries.candidates(pool, rulebooks.active, tier, on, district=district,
                                    industry=industry, sort=sort,
                                    offset=offset if start is None else start, limit=limit)


@router.post("/simulations", tags=["what-if"], response_model=SimulationOut,
             summary="Re-evaluate every firm under a draft rulebook; live standings untouched",
             description="Computed in a worker process, never on the service's event loop; "
             "the call waits for the result. `POST /v1/simulation-jobs` answers at once with "
             "a job to follow instead.",
             responses={404: {"description": "No such stored rulebook"}})
async def post_simulation(body: SimulationIn, pool: PoolDep, rulebooks: Rulebooks,
                          today: Today, who: Reader, worker: Worker) -> SimulationOut:
    job_id, done = await _start(body, pool, rulebooks, today, who.actor, worker)
    await asyncio.shield(done)  # a client that leaves does not cancel the job
    job = await queries.simulation_job(pool, job_id)
    if job.result is None:
        raise handlers.WhatIfFailed(job.problem or "the what-if did not finish", job=str(job_id))
    return job.result


@router.post("/simulation-jobs", status_code=202, tags=["what-if"], response_model=SimulationJob,
             summary="Start a what-if; follow the job for its progress and result",
             description="The same what-if as `POST /v1/simulations`, answered at once with "
             "the queued job (its URL in `Location`): GET it for the progress, then the "
             "result.", responses={404: {"description": "No such stored rulebook"}})
async def post_simulation_job(body: SimulationIn, pool: PoolDep, rulebooks: Rulebooks,
                              today: Today, who: Reader, worker: Worker,
                              response: Response) -> SimulationJob:
    job_id, _ = await _start(body, pool, rulebooks, today, who.actor, worker)
    response.headers["Location"] = f"/v1/simulation-jobs/{job_id}"
    return await queries.simulation_job(pool, job_id)


async def _start(body: SimulationIn, pool: asyncpg.Pool, rulebooks: RulebookStore, today: date,
                 actor: str, worker: WhatIfWorker) -> tuple[uuid.UUID, asyncio.Future[str]]:
    return await handlers.start_what_if(
        pool, worker, rulebooks.active, rulebook_id=body.rulebook_id, overrides=body.overrides,
        round_year=body.round_year, traces=body.include_traces, limit=body.limit, today=today,
        actor=actor)


@router.get("/simulation-jobs/{job_id}", tags=["what-if"], response_model=SimulationJob,
            summary="A what-if job: its progress, then its result",
            responses={404: {"description": "No such job"}})
async def get_simulation_job(job_id: uuid.UUID, pool: PoolDep, who: Reader) -> SimulationJob:
    return await queries.simulation_job(pool, job_id)
