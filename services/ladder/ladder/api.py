"""Ladder HTTP routes: parse, call one handler, answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ladder import handlers, queries, simulation
from ladder import repository as repo
from ladder.domain.rulebook import rulebook_with_overrides
from ladder.rulebook_store import summary
from shared.auth import ADMIN, ANY_ROLE, WRITER, Principal
from shared.codes import District, Industry, TargetKey, Tier, UnicornGrade
from shared.errors import NotFound, Rejected

router = APIRouter(prefix="/v1")
Reader = Annotated[Principal, Depends(ANY_ROLE)]
Writer = Annotated[Principal, Depends(WRITER)]
Admin = Annotated[Principal, Depends(ADMIN)]
FirmId = Annotated[uuid.UUID, Path(description="The firm's id (same as the registry's)")]
Year = Annotated[int, Path(ge=2000, le=2100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverrideIn(Strict):
    """A tier set by hand, or `tier: null` to hand the firm back to the rules."""

    tier: Tier | None = Field(description="The tier to hold; null clears the override")
    unicorn_grade: UnicornGrade | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)]


class SimulationIn(Strict):
    """A what-if run: a stored draft (by id) or threshold overrides of the active rulebook."""

    round_year: int = Field(ge=2000, le=2100, examples=[2022])
    rulebook_id: str | None = Field(default=None, description="A stored draft to try")
    overrides: dict[str, Any] | None = Field(
        default=None, description="Changes to the active rulebook, e.g. "
        '{"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}',
        examples=[{"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}])
    include_traces: bool = False
    limit: int = Field(default=500, ge=1, le=100_000, description="Most moves listed")


def _ctx(request: Request, who: Principal) -> handlers.Ctx:
    return handlers.Ctx(actor=who.actor, correlation_id=request.state.correlation_id)


def _today(request: Request) -> date:
    today: date = request.app.state.clock()
    return today


AsOf = Annotated[date | None, Query(description="The day to answer for (default today); "
                                    "not in the future")]


def _as_of(request: Request, as_of: date | None) -> date:
    """The asked day; the ladder knows decisions up to today, not beyond."""
    today = _today(request)
    if as_of is not None and as_of > today:
        raise Rejected("as_of", "not_future", f"as_of {as_of} is after today ({today})")
    return as_of or today


@router.get("/firms/{firm_id}/standing", tags=["standing"], summary="Tier, trace and next step")
async def get_standing(firm_id: FirmId, request: Request, who: Reader,
                       as_of: AsOf = None) -> dict[str, Any]:
    return await queries.standing(request.app.state.pool, request.app.state.rulebooks.active,
                                  firm_id, as_of=_as_of(request, as_of), today=_today(request))


@router.get("/standings", tags=["standing"],
            summary="Firms by tier, district, industry or at-risk on a day, cursor-paged")
async def list_standings(
    request: Request, who: Reader, tier: Tier | None = None, district: District | None = None,
    industry: Industry | None = None, at_risk: bool | None = None,
    cursor: uuid.UUID | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
    as_of: AsOf = None,
) -> dict[str, Any]:
    day, pool = _as_of(request, as_of), request.app.state.pool
    filters: dict[str, Any] = {"tier": tier, "district": district, "industry": industry, "at_risk": at_risk,
               "after": cursor, "limit": limit + 1}
    rows = (await repo.list_standings(pool, **filters) if day == _today(request)
            else await repo.list_standings_as_of(pool, day, **filters))
    page = [dict(r) for r in rows[:limit]]
    return {"as_of": day, "items": page,
            "next_cursor": page[-1]["firm_id"] if len(rows) > limit else None}


@router.get("/summary", tags=["standing"],
            summary="How many firms stand on each tier on a day, by district")
async def summary_counts(request: Request, who: Reader, as_of: AsOf = None) -> dict[str, Any]:
    day, pool = _as_of(request, as_of), request.app.state.pool
    rows = (await repo.tier_counts(pool) if day == _today(request)
            else await repo.tier_counts_as_of(pool, day))
    totals: dict[str, int] = {}
    for r in rows:
        key = f"unicorn:{r['unicorn_grade']}" if r["tier"] == "unicorn" else r["tier"]
        totals[key] = totals.get(key, 0) + r["firms"]
    return {"as_of": day, "totals": totals, "by_district": [dict(r) for r in rows]}


@router.get("/firms/{firm_id}/history", tags=["standing"],
            summary="The firm's timeline of decisions up to a day, newest first")
async def get_history(firm_id: FirmId, request: Request, who: Reader,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      as_of: AsOf = None) -> dict[str, Any]:
    return {"items": await queries.history(request.app.state.pool, firm_id, limit,
                                           _as_of(request, as_of))}


@router.post("/firms/{firm_id}/override", tags=["standing"],
             summary="Set a tier by hand with a reason (officer/admin); audited")
async def post_override(firm_id: FirmId, body: OverrideIn, request: Request,
                        who: Writer) -> dict[str, Any]:
    return await handlers.override(
        request.app.state.pool, _ctx(request, who), firm_id, tier=body.tier,
        unicorn_grade=body.unicorn_grade, reason=body.reason,
        rulebooks=request.app.state.rulebooks, today=_today(request))


@router.get("/firms/{firm_id}/readiness", tags=["standing"],
            summary="Would the firm pass the high-tech-enterprise and tech-SME tests today")
async def get_readiness(
    firm_id: FirmId, request: Request, who: Reader, as_of: date | None = None,
    innovation_score: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> dict[str, Any]:
    return await queries.readiness(request.app.state.pool, request.app.state.rulebooks.active,
                                   firm_id, as_of or _today(request), innovation_score)


@router.get("/rulebooks", tags=["rulebooks"], summary="Rulebooks: the active one and drafts")
async def list_rulebooks(request: Request, who: Reader) -> dict[str, Any]:
    store, pool = request.app.state.rulebooks, request.app.state.pool
    items = []
    for row in await repo.rulebooks(pool):
        items.append({**summary(await store.draft(pool, row["id"]), row["status"]),
                      "uploaded_by": row["uploaded_by"], "uploaded_at": row["uploaded_at"]})
    return {"items": items}


@router.get("/rulebooks/{rulebook_id}", tags=["rulebooks"], summary="One rulebook, every rule")
async def get_rulebook(rulebook_id: str, request: Request, who: Reader) -> dict[str, Any]:
    row = await repo.rulebook(request.app.state.pool, rulebook_id)
    if row is None:
        raise NotFound(f"no rulebook {rulebook_id}")
    return {"id": row["id"], "status": row["status"], "document": row["document"]}


@router.post("/rulebooks", status_code=201, tags=["rulebooks"],
             summary="Upload a draft rulebook (admin); validated, never made active here")
async def post_rulebook(document: dict[str, Any], request: Request, who: Admin) -> dict[str, Any]:
    rb = await request.app.state.rulebooks.upload_draft(request.app.state.pool, document, who.actor)
    return summary(rb, "draft")


@router.get("/targets/{year}", tags=["targets"], summary="Progress, pace and forecast")
async def get_targets(year: Year, request: Request, who: Reader,
                      as_of: date | None = None) -> dict[str, Any]:
    return await queries.targets(request.app.state.pool, request.app.state.rulebooks.active,
                                 year, as_of or _today(request))


@router.put("/targets/{year}", tags=["targets"], summary="Set a year's targets (admin)")
async def put_targets(year: Year, body: dict[TargetKey, Annotated[int, Field(ge=0, le=1_000_000)]],
                      request: Request, who: Admin) -> dict[str, Any]:
    await handlers.put_targets(request.app.state.pool, _ctx(request, who), year,
                               {str(k): v for k, v in body.items()})
    return {"year": year, "targets": body}


@router.get("/candidates", tags=["targets"], summary="Near misses for a tier, closest first")
async def get_candidates(
    request: Request, who: Reader, tier: Literal["eaglet", "gazelle", "unicorn", "leader"],
    district: District | None = None, industry: Industry | None = None,
    sort: Literal["closest", "gap"] = "closest",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    return await queries.candidates(
        request.app.state.pool, request.app.state.rulebooks.active, tier, _today(request),
        district=district, industry=industry, sort=sort, offset=offset, limit=limit)


@router.post("/simulations", tags=["what-if"],
             summary="Re-evaluate every firm under a draft rulebook; live standings untouched")
async def post_simulation(body: SimulationIn, request: Request, who: Reader) -> dict[str, Any]:
    store, pool = request.app.state.rulebooks, request.app.state.pool
    base = await store.draft(pool, body.rulebook_id) if body.rulebook_id else store.active
    draft = base
    if body.overrides:
        try:
            draft = rulebook_with_overrides(base, body.overrides)
        except ValueError as exc:
            raise Rejected("overrides", "rulebook", str(exc)[:1000]) from None
    if draft is store.active:
        raise Rejected("rulebook_id", "draft_needed", "give a draft rulebook_id or overrides")
    return await simulation.simulate(pool, baseline=store.active, draft=draft,
                                     round_year=body.round_year, traces=body.include_traces,
                                     limit=body.limit, today=_today(request))
