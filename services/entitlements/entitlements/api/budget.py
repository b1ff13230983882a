"""The year's budget."""

from __future__ import annotations

from fastapi import APIRouter

from entitlements import queries
from entitlements.api.deps import Reads, Year
from entitlements.schemas import BudgetOut, SimulationIn, SimulationOut
from shared.auth import Reader

router = APIRouter(prefix="/v1", tags=["budget"])


@router.get("/budget/{year}", response_model=BudgetOut,
            summary="Committed, owed and expected spend of a year, by policy, district, month")
async def year_budget(year: Year, repo: Reads, who: Reader) -> BudgetOut:
    return await queries.year_budget(repo, year)


@router.post("/simulations", response_model=SimulationOut, tags=["what-if"],
             summary="The budget effect of a draft policy set and/or of a draft rulebook's "
             "change in qualifying firms per tier (nothing is written)")
async def simulate(body: SimulationIn, repo: Reads, who: Reader) -> SimulationOut:
    return await queries.what_if(repo, body.policies, body.year, body.qualified_changes)
