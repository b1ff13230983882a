"""Routes of the round: its dates, funnel, worklist and the reconciliation with the rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ladder import handlers, queries
from ladder.api.deps import Today, Uow
from ladder.schemas import Discrepancies, Round, RoundIn, RoundOut, Worklist
from shared.auth import AdminCtx, Reader
from shared.codes import District, FiledTier
from shared.deps import PoolDep

router = APIRouter(prefix="/v1")
Year = Annotated[int, Path(ge=2000, le=2100, description="The round's year")]


@router.put("/rounds/{year}", tags=["round"], response_model=Round,
            summary="Set a year's round: the tiers open and the dates (admin)")
async def put_round(year: Year, body: RoundIn, uow: Uow, ctx: AdminCtx) -> Round:
    row = await handlers.put_round(uow, ctx, year, body.model_dump())
    return Round.model_validate(dict(row))


@router.get("/rounds/{year}", tags=["round"], response_model=RoundOut,
            summary="A year's round: deadlines with days left, the funnel per tier by district "
            "(qualified → applied → district-checked → recommended → filed / not filed) with "
            "earlier rounds' pass rates; `round: null` when the year has none")
async def get_round(year: Year, pool: PoolDep, today: Today, who: Reader,
                    district: District | None = None) -> RoundOut:
    return await queries.round_out(pool, year, today, district=district)


@router.get("/rounds/{year}/worklist", tags=["round"], response_model=Worklist,
            summary="The officer's worklist: qualifying firms not applied (highest tier first, "
            "with the evidence), stalled applications, recommended firms not filed")
async def get_worklist(
    year: Year, pool: PoolDep, today: Today, who: Reader, district: District | None = None,
    tier: FiledTier | None = None,
    limit: Annotated[int, Query(ge=1, le=2000, description="Most lines of each list on a "
                                "page")] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many lines of "
                                 "each list (`*_total` counts every page)")] = 0,
) -> Worklist:
    return await queries.worklist(pool, year, today, district=district, tier=tier, limit=limit,
                                  offset=offset)


@router.get("/rounds/{year}/discrepancies", tags=["round"], response_model=Discrepancies,
            summary="Official filings reconciled with the rules: filed above what the rules "
            "give, and qualifying firms the province refused, each with the rules' trace")
async def get_discrepancies(year: Year, pool: PoolDep, today: Today, who: Reader,
                            district: District | None = None) -> Discrepancies:
    return await queries.discrepancies(pool, year, today, district=district)
