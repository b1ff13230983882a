"""Routes of standings: one firm's, lists, counts, history, readiness, overrides."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ladder import handlers, queries
from ladder.api.deps import AsOf, Rulebooks, Today, Uow
from ladder.schemas import (
    HistoryPage,
    OverrideIn,
    OverrideOut,
    ReadinessOut,
    Standing,
    StandingsPage,
    Summary,
)
from shared.auth import Reader, WriterCtx
from shared.codes import District, Industry, Tier
from shared.deps import PoolDep

router = APIRouter(prefix="/v1", tags=["standing"])
FirmId = Annotated[uuid.UUID, Path(description="The firm's id (same as the registry's)")]
Cursor = Annotated[str | None, Query(max_length=200, description="A `next_cursor` this API "
                                     "gave out; absent for the first page")]
NOT_SEEN: dict[int | str, dict[str, Any]] = {
    404: {"description": "The ladder has not seen the firm (yet)"}}


@router.get("/firms/{firm_id}/standing", summary="Tier, trace and next step",
            response_model=Standing, responses=NOT_SEEN)
async def get_standing(firm_id: FirmId, pool: PoolDep, rulebooks: Rulebooks, day: AsOf,
                       today: Today, who: Reader) -> Standing:
    return await queries.standing(pool, rulebooks.active, firm_id, as_of=day, today=today)


@router.get("/standings", response_model=StandingsPage,
            summary="Firms by tier, district, industry or at-risk on a day, cursor-paged")
async def list_standings(
    pool: PoolDep, day: AsOf, today: Today, who: Reader, tier: Tier | None = None,
    district: District | None = None, industry: Industry | None = None,
    at_risk: bool | None = None, cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> StandingsPage:
    return await queries.standings(pool, day=day, today=today, cursor=cursor, limit=limit,
                                   tier=tier, district=district, industry=industry,
                                   at_risk=at_risk)


@router.get("/summary", response_model=Summary,
            summary="How many firms stand on each tier on a day, by district")
async def summary_counts(pool: PoolDep, day: AsOf, today: Today, who: Reader) -> Summary:
    return await queries.tier_summary(pool, day=day, today=today)


@router.get("/firms/{firm_id}/history", response_model=HistoryPage, responses=NOT_SEEN,
            summary="The firm's timeline of decisions up to a day, newest first")
async def get_history(firm_id: FirmId, pool: PoolDep, day: AsOf, who: Reader,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      cursor: Cursor = None,
                      include_superseded: Annotated[bool, Query(
                          description="Also the decisions superseded or withdrawn since, "
                          "marked with what replaced them and when")] = False) -> HistoryPage:
    return await queries.history(pool, firm_id, limit=limit, as_of=day, cursor=cursor,
                                 include_superseded=include_superseded)


@router.post("/firms/{firm_id}/override", response_model=OverrideOut,
             summary="Set a tier by hand with a reason (officer/admin); audited",
             responses={404: {"description": "The ladder has no such firm"}})
async def post_override(firm_id: FirmId, body: OverrideIn, uow: Uow, rulebooks: Rulebooks,
                        today: Today, ctx: WriterCtx) -> OverrideOut:
    done = await handlers.override(uow, ctx, firm_id, tier=body.tier,
                                   unicorn_grade=body.unicorn_grade, reason=body.reason,
                                   rulebook=rulebooks.active, today=today)
    return OverrideOut.model_validate(done, from_attributes=True)


@router.get("/firms/{firm_id}/readiness", response_model=ReadinessOut, responses=NOT_SEEN,
            summary="Would the firm pass the high-tech-enterprise and tech-SME tests today")
async def get_readiness(
    firm_id: FirmId, pool: PoolDep, rulebooks: Rulebooks, today: Today, who: Reader,
    as_of: date | None = None,
    innovation_score: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> ReadinessOut:
    return await queries.readiness(pool, rulebooks.active, firm_id, as_of or today,
                                   innovation_score)
