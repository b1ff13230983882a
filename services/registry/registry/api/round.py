"""The round's routes: filings (备案) and applications (申报) with their steps."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from registry import handlers
from registry.api.deps import Today, Uow
from registry.domain.models import ApplicationIn, FilingIn, FilingPatch, FilingRevokeIn, StepIn
from registry.schemas import ApplicationWritten, FilingWritten
from shared.auth import WriterCtx

router = APIRouter(prefix="/v1")
FirmId = Annotated[uuid.UUID, Path(description="The firm's id")]
FilingId = Annotated[uuid.UUID, Path(description="The filing's id")]
ApplicationId = Annotated[uuid.UUID, Path(description="The application's id")]
NO_FILING: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such firm, or no such filing of it"}}
NO_APPLICATION: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such firm, or no such application of it"},
    422: {"description": "The step may not follow (order, date, or what it must carry), said "
          "why"}}


@router.post("/firms/{firm_id}/filings", status_code=201, tags=["round"],
             summary="Record an official filing (备案); the list naming the firm again answers 200",
             response_model=FilingWritten, responses={
                 200: {"model": FilingWritten, "description": "Recorded before (replay)"},
                 **NO_FILING})
async def post_filing(firm_id: FirmId, body: FilingIn, response: Response, ctx: WriterCtx,
                      uow: Uow, today: Today) -> FilingWritten:
    stored, created = await handlers.record_filing(uow, ctx, firm_id, body, today=today)
    if not created:
        response.status_code = status.HTTP_200_OK
    return FilingWritten.of(stored)


@router.patch("/firms/{firm_id}/filings/{filing_id}", tags=["round"],
              summary="Correct a filing as recorded", responses=NO_FILING)
async def patch_filing(firm_id: FirmId, filing_id: FilingId, body: FilingPatch, ctx: WriterCtx,
                       uow: Uow) -> FilingWritten:
    return FilingWritten.of(await handlers.correct_filing(uow, ctx, firm_id, filing_id, body))


@router.post("/firms/{firm_id}/filings/{filing_id}/revoke", tags=["round"],
             summary="Revoke a filing", responses=NO_FILING)
async def revoke_filing(firm_id: FirmId, filing_id: FilingId, ctx: WriterCtx, uow: Uow,
                        today: Today, body: FilingRevokeIn | None = None) -> FilingWritten:
    return FilingWritten.of(await handlers.revoke_filing(
        uow, ctx, firm_id, filing_id, body or FilingRevokeIn(), today=today))


@router.post("/firms/{firm_id}/applications", status_code=201, tags=["round"],
             summary="Record an application (申报) in a year's round",
             response_model=ApplicationWritten, responses={
                 404: {"description": "No firm with this id"},
                 422: {"description": "A second application for the round and tier, or dates "
                       "outside the round"}})
async def post_application(firm_id: FirmId, body: ApplicationIn, ctx: WriterCtx, uow: Uow,
                           today: Today) -> ApplicationWritten:
    return ApplicationWritten.of_application(
        await handlers.submit_application(uow, ctx, firm_id, body, today=today))


@router.post("/firms/{firm_id}/applications/{application_id}/steps", status_code=201,
             tags=["round"], summary="Record an application's next step",
             response_model=ApplicationWritten, responses=NO_APPLICATION)
async def post_step(firm_id: FirmId, application_id: ApplicationId, body: StepIn,
                    ctx: WriterCtx, uow: Uow, today: Today) -> ApplicationWritten:
    return ApplicationWritten.of_application(
        await handlers.record_step(uow, ctx, firm_id, application_id, body, today=today))
