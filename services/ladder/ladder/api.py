"""Ladder HTTP routes: parse, call one handler, answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from ladder import handlers, queries, simulation
from ladder import repository as repo
from ladder.domain.rulebook import rulebook_with_overrides
from ladder.rulebook_store import summary
from ladder.schemas import (
    CandidatePage,
    HistoryPage,
    OverrideIn,
    OverrideOut,
    ReadinessOut,
    RulebookOut,
    RulebookPage,
    RulebookSummary,
    SimulationIn,
    SimulationOut,
    Standing,
    StandingsPage,
    Summary,
    TargetsOut,
    TargetsSet,
)
from shared.auth import Admin, Reader, Writer
from shared.codes import District, Industry, TargetKey, Tier
from shared.errors import NotFound, Rejected
from shared.paging import cursor_for, page_of, position_of

router = APIRouter(prefix="/v1")
FirmId = Annotated[uuid.UUID, Path(description="The firm's id (same as the registry's)")]
Year = Annotated[int, Path(ge=2000, le=2100)]
Cursor = Annotated[str | None, Query(max_length=200, description="A `next_cursor` this API "
                                     "gave out; absent for the first page")]
NOT_SEEN: dict[int | str, dict[str, Any]] = {404: {"description": "The ladder has not seen the firm (yet)"}}


def _ctx(request: Request, who: Any) -> handlers.Ctx:
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


def _firm_after(cursor: str | None) -> uuid.UUID | None:
    """The firm id a standings cursor stands for."""
    position = position_of(cursor, str)
    if position is None:
        return None
    try:
        return uuid.UUID(position)
    except ValueError:
        raise Rejected("cursor", "cursor", "cursor is not one this API gave out") from None


@router.get("/firms/{firm_id}/standing", tags=["standing"], summary="Tier, trace and next step",
            response_model=Standing, responses=NOT_SEEN)
async def get_standing(firm_id: FirmId, request: Request, who: Reader,
                       as_of: AsOf = None) -> dict[str, Any]:
    return await queries.standing(request.app.state.pool, request.app.state.rulebooks.active,
                                  firm_id, as_of=_as_of(request, as_of), today=_today(request))


@router.get("/standings", tags=["standing"], response_model=StandingsPage,
            summary="Firms by tier, district, industry or at-risk on a day, cursor-paged")
async def list_standings(
    request: Request, who: Reader, tier: Tier | None = None, district: District | None = None,
    industry: Industry | None = None, at_risk: bool | None = None, cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, as_of: AsOf = None,
) -> StandingsPage:
    day, pool = _as_of(request, as_of), request.app.state.pool
    filters: dict[str, Any] = {"tier": tier, "district": district, "industry": industry,
                               "at_risk": at_risk, "after": _firm_after(cursor),
                               "limit": limit + 1}
    rows = (await repo.list_standings(pool, **filters) if day == _today(request)
            else await repo.list_standings_as_of(pool, day, **filters))
    page = page_of([dict(r) for r in rows], limit, lambda r: str(r["firm_id"]))
    return StandingsPage.model_validate({**page.model_dump(), "as_of": day})


@router.get("/summary", tags=["standing"], response_model=Summary,
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


@router.get("/firms/{firm_id}/history", tags=["standing"], response_model=HistoryPage,
            summary="The firm's timeline of decisions up to a day, newest first",
            responses=NOT_SEEN)
async def get_history(firm_id: FirmId, request: Request, who: Reader,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100, cursor: Cursor = None,
                      as_of: AsOf = None) -> Any:
    rows = await queries.history(request.app.state.pool, firm_id, limit + 1,
                                 _as_of(request, as_of), before=position_of(cursor, int))
    return page_of(rows, limit, lambda r: int(r["position"]))


@router.post("/firms/{firm_id}/override", tags=["standing"], response_model=OverrideOut,
             summary="Set a tier by hand with a reason (officer/admin); audited",
             responses={404: {"description": "The ladder has no such firm"}})
async def post_override(firm_id: FirmId, body: OverrideIn, request: Request,
                        who: Writer) -> dict[str, Any]:
    return await handlers.override(
        request.app.state.pool, _ctx(request, who), firm_id, tier=body.tier,
        unicorn_grade=body.unicorn_grade, reason=body.reason,
        rulebooks=request.app.state.rulebooks, today=_today(request))


@router.get("/firms/{firm_id}/readiness", tags=["standing"], response_model=ReadinessOut,
            summary="Would the firm pass the high-tech-enterprise and tech-SME tests today",
            responses=NOT_SEEN)
async def get_readiness(
    firm_id: FirmId, request: Request, who: Reader, as_of: date | None = None,
    innovation_score: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> dict[str, Any]:
    return await queries.readiness(request.app.state.pool, request.app.state.rulebooks.active,
                                   firm_id, as_of or _today(request), innovation_score)


@router.get("/rulebooks", tags=["rulebooks"], response_model=RulebookPage,
            summary="Rulebooks: the active one and drafts")
async def list_rulebooks(request: Request, who: Reader) -> dict[str, Any]:
    store, pool = request.app.state.rulebooks, request.app.state.pool
    items = []
    for row in await repo.rulebooks(pool):
        items.append({**summary(await store.draft(pool, row["id"]), row["status"]),
                      "uploaded_by": row["uploaded_by"], "uploaded_at": row["uploaded_at"]})
    return {"items": items, "next_cursor": None}


@router.get("/rulebooks/{rulebook_id}", tags=["rulebooks"], response_model=RulebookOut,
            summary="One rulebook, every rule", responses={404: {"description": "No such rulebook"}})
async def get_rulebook(rulebook_id: str, request: Request, who: Reader) -> dict[str, Any]:
    row = await repo.rulebook(request.app.state.pool, rulebook_id)
    if row is None:
        raise NotFound(f"no rulebook {rulebook_id}")
    return {"id": row["id"], "status": row["status"], "document": row["document"]}


@router.post("/rulebooks", status_code=201, tags=["rulebooks"], response_model=RulebookSummary,
             summary="Upload a draft rulebook (admin); validated, never made active here",
             responses={409: {"description": "The id is the active rulebook's"}})
async def post_rulebook(document: dict[str, Any], request: Request, who: Admin) -> dict[str, Any]:
    rb = await request.app.state.rulebooks.upload_draft(request.app.state.pool, document, who.actor)
    return summary(rb, "draft")


@router.get("/targets/{year}", tags=["targets"], response_model=TargetsOut,
            summary="Progress, pace and forecast")
async def get_targets(year: Year, request: Request, who: Reader,
                      as_of: date | None = None) -> dict[str, Any]:
    return await queries.targets(request.app.state.pool, request.app.state.rulebooks.active,
                                 year, as_of or _today(request))


@router.put("/targets/{year}", tags=["targets"], response_model=TargetsSet,
            summary="Set a year's targets (admin)")
async def put_targets(year: Year, body: dict[TargetKey, Annotated[int, Field(ge=0, le=1_000_000)]],
                      request: Request, who: Admin) -> dict[str, Any]:
    await handlers.put_targets(request.app.state.pool, _ctx(request, who), year,
                               {str(k): v for k, v in body.items()})
    return {"year": year, "targets": body}


@router.get("/candidates", tags=["targets"], response_model=CandidatePage,
            summary="Near misses for a tier, closest first")
async def get_candidates(
    request: Request, who: Reader, tier: Literal["eaglet", "gazelle", "unicorn", "leader"],
    district: District | None = None, industry: Industry | None = None,
    sort: Literal["closest", "gap"] = "closest", cursor: Cursor = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000,
                                 description="Where to start when no cursor is given")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    start = position_of(cursor, int)
    found = await queries.candidates(
        request.app.state.pool, request.app.state.rulebooks.active, tier, _today(request),
        district=district, industry=industry, sort=sort,
        offset=offset if start is None else start, limit=limit)
    more = found["offset"] + limit < found["total"]
    return {**found, "next_cursor": cursor_for(found["offset"] + limit) if more else None}


@router.post("/simulations", tags=["what-if"], response_model=SimulationOut,
             summary="Re-evaluate every firm under a draft rulebook; live standings untouched",
             responses={404: {"description": "No such stored rulebook"}})
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
