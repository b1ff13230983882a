"""Routes for officers, firm assignments and settings: parse, call one handler, answer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from notifier.api.deps import NO_OFFICER, Limit, Now, OfficerId, Reads, SettingsDep, Uow
from notifier.handlers import officers, settings
from notifier.queries import officer_view
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
from shared.auth import AdminCtx, Reader, WriterCtx
from shared.paging import Page

router = APIRouter(prefix="/v1")


@router.post("/officers", status_code=201, tags=["officers"], summary="Register a case officer")
async def create_officer(body: OfficerIn, ctx: AdminCtx, uow: Uow, cfg: SettingsDep,
                         now: Now) -> Officer:
    row = await officers.create_officer(uow, ctx, body, settings=cfg, now=now)
    return Officer.model_validate(officer_view(row, reveal=True))


@router.get("/officers", tags=["officers"], summary="List officers (webhook URLs redacted)")
async def list_officers(who: Reader, reads: Reads, cursor: str | None = None,
                        limit: Limit = 100) -> Page[Officer]:
    return await reads.officers(cursor=cursor, limit=limit)


@router.get("/officers/{officer_id}", tags=["officers"], summary="One officer",
            responses=NO_OFFICER)
async def get_officer(officer_id: OfficerId, who: Reader, reads: Reads) -> Officer:
    return await reads.officer(who, officer_id)


@router.patch("/officers/{officer_id}", tags=["officers"], responses=NO_OFFICER,
              summary="Change an officer (an officer: own channels, quiet hours, preferences)")
async def patch_officer(officer_id: OfficerId, body: OfficerPatch, ctx: WriterCtx, uow: Uow,
                        cfg: SettingsDep, now: Now) -> Officer:
    row = await officers.patch_officer(uow, ctx, officer_id, body, settings=cfg, now=now)
    return Officer.model_validate(officer_view(row, reveal=True))


@router.delete("/officers/{officer_id}", status_code=204, tags=["officers"], responses=NO_OFFICER,
               summary="Retire an officer (their alerts are kept)")
async def delete_officer(officer_id: OfficerId, ctx: AdminCtx, uow: Uow) -> Response:
    await officers.delete_officer(uow, ctx, officer_id)
    return Response(status_code=204)


@router.put("/firms/{firm_id}/officer", tags=["officers"],
            summary="Assign a firm to one officer explicitly (null: back to coverage)")
async def assign_firm(firm_id: uuid.UUID, body: AssignmentIn, ctx: AdminCtx,
                      uow: Uow) -> FirmAssignment:
    await officers.assign_firm(uow, ctx, firm_id, body.officer_id)
    return FirmAssignment(firm_id=firm_id, officer_id=body.officer_id)


@router.get("/firms/{firm_id}/officer", tags=["officers"], summary="A firm's explicit officer")
async def get_firm_officer(firm_id: uuid.UUID, who: Reader, reads: Reads) -> FirmOfficer:
    return await reads.firm_officer(firm_id)


@router.get("/settings/webhook-allowlist", tags=["settings"],
            summary="Webhook hosts allowed: environment, admin list, and their union")
async def get_allowlist(ctx: AdminCtx, reads: Reads) -> Allowlist:
    return await reads.allowlist()


@router.put("/settings/webhook-allowlist", tags=["settings"],
            summary="Replace the admin's webhook allowlist")
async def put_allowlist(body: AllowlistIn, ctx: AdminCtx, uow: Uow, cfg: SettingsDep,
                        reads: Reads) -> Allowlist:
    await settings.put_allowlist(uow, ctx, body.hosts, settings=cfg)
    return await reads.allowlist()


@router.get("/settings/fallback-officer", tags=["settings"],
            summary="Who receives alerts no officer covers")
async def get_fallback(ctx: AdminCtx, reads: Reads) -> FallbackOfficer:
    return await reads.fallback()


@router.put("/settings/fallback-officer", tags=["settings"],
            summary="Choose who receives alerts no officer covers")
async def put_fallback(body: FallbackIn, ctx: AdminCtx, uow: Uow, cfg: SettingsDep,
                       reads: Reads) -> FallbackOfficer:
    await settings.put_fallback(uow, ctx, body.officer_id, settings=cfg)
    return await reads.fallback()
