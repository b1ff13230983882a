"""Notifier HTTP routes for officers, firm assignments and settings: parse, call, answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from notifier import handlers, queries
from notifier.schemas import (
    Allowlist,
    AllowlistIn,
    AssignmentIn,
    FallbackIn,
    FallbackOfficer,
    FirmAssignment,
    FirmOfficer,
    Officer,
    OfficerIn,
    OfficerPatch,
)
from shared.auth import ADMIN, ANY_ROLE, WRITER, Principal
from shared.paging import Page

router = APIRouter(prefix="/v1")
Reader = Annotated[Principal, Depends(ANY_ROLE)]
Writer = Annotated[Principal, Depends(WRITER)]
Admin = Annotated[Principal, Depends(ADMIN)]
OfficerId = Annotated[uuid.UUID, Path(description="The officer's id")]
Limit = Annotated[int, Query(ge=1, le=500)]
NO_OFFICER: dict[int | str, dict[str, Any]] = {404: {"description": "No live officer with this id"}}


def ctx(request: Request, who: Principal) -> handlers.Ctx:
    """The caller, the app's clock reading and the request's correlation id."""
    return handlers.Ctx(principal=who, now=request.app.state.clock(),
                        correlation_id=request.state.correlation_id)


@router.post("/officers", status_code=201, tags=["officers"], summary="Register a case officer")
async def create_officer(body: OfficerIn, request: Request, who: Admin) -> Officer:
    return await handlers.create_officer(request.app.state.pool, ctx(request, who),
                                         request.app.state.settings, body)


@router.get("/officers", tags=["officers"], summary="List officers (webhook URLs redacted)")
async def list_officers(request: Request, who: Reader, cursor: str | None = None,
                        limit: Limit = 100) -> Page[Officer]:
    return await queries.list_officers(request.app.state.pool, cursor=cursor, limit=limit)


@router.get("/officers/{officer_id}", tags=["officers"], summary="One officer",
            responses=NO_OFFICER)
async def get_officer(officer_id: OfficerId, request: Request, who: Reader) -> Officer:
    return await handlers.get_officer(request.app.state.pool, who, officer_id)


@router.patch("/officers/{officer_id}", tags=["officers"], responses=NO_OFFICER,
              summary="Change an officer (an officer: own channels, quiet hours, preferences)")
async def patch_officer(officer_id: OfficerId, body: OfficerPatch, request: Request,
                        who: Writer) -> Officer:
    return await handlers.patch_officer(request.app.state.pool, ctx(request, who),
                                        request.app.state.settings, officer_id, body)


@router.delete("/officers/{officer_id}", status_code=204, tags=["officers"], responses=NO_OFFICER,
               summary="Retire an officer (their alerts are kept)")
async def delete_officer(officer_id: OfficerId, request: Request, who: Admin) -> Response:
    await handlers.delete_officer(request.app.state.pool, ctx(request, who), officer_id)
    return Response(status_code=204)


@router.put("/firms/{firm_id}/officer", tags=["officers"],
            summary="Assign a firm to one officer explicitly (null: back to coverage)")
async def assign_firm(firm_id: uuid.UUID, body: AssignmentIn, request: Request,
                      who: Admin) -> FirmAssignment:
    return await handlers.assign_firm(request.app.state.pool, ctx(request, who), firm_id,
                                      body.officer_id)


@router.get("/firms/{firm_id}/officer", tags=["officers"], summary="A firm's explicit officer")
async def get_firm_officer(firm_id: uuid.UUID, request: Request, who: Reader) -> FirmOfficer:
    return await queries.firm_officer(request.app.state.pool, firm_id)


@router.get("/settings/webhook-allowlist", tags=["settings"],
            summary="Webhook hosts allowed: environment, admin list, and their union")
async def get_allowlist(request: Request, who: Admin) -> Allowlist:
    return await handlers.allowlist_view(request.app.state.pool, request.app.state.settings)


@router.put("/settings/webhook-allowlist", tags=["settings"],
            summary="Replace the admin's webhook allowlist")
async def put_allowlist(body: AllowlistIn, request: Request, who: Admin) -> Allowlist:
    return await handlers.put_allowlist(request.app.state.pool, ctx(request, who),
                                        request.app.state.settings, body.hosts)


@router.get("/settings/fallback-officer", tags=["settings"],
            summary="Who receives alerts no officer covers")
async def get_fallback(request: Request, who: Admin) -> FallbackOfficer:
    return await handlers.fallback_view(request.app.state.pool, request.app.state.settings)


@router.put("/settings/fallback-officer", tags=["settings"],
            summary="Choose who receives alerts no officer covers")
async def put_fallback(body: FallbackIn, request: Request, who: Admin) -> FallbackOfficer:
    return await handlers.put_fallback(request.app.state.pool, ctx(request, who),
                                       request.app.state.settings, body.officer_id)
