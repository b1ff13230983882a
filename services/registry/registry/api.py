"""Registry HTTP routes: parse, call one handler, answer."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile, status

from registry import handlers, imports
from registry import repository as repo
from registry.domain.models import (
    AnnualReportIn,
    CertificateIn,
    CertificateRevokeIn,
    FirmIn,
    FirmPatch,
    FundingRoundIn,
)
from registry.schemas import (
    CertificateWritten,
    Firm,
    FirmDetail,
    FirmEvent,
    FundingRoundWritten,
    ImportJob,
    ImportReport,
    ReportWithHistory,
    ReportWritten,
)
from shared.auth import ANY_ROLE, WRITER, Principal
from shared.codes import District, Industry
from shared.errors import NotFound, Rejected
from shared.paging import BIGINT_MAX, Page, page_of, position_of

router = APIRouter(prefix="/v1")
Reader = Annotated[Principal, Depends(ANY_ROLE)]
Writer = Annotated[Principal, Depends(WRITER)]
FirmId = Annotated[uuid.UUID, Path(description="The firm's id")]
FiscalYear = Annotated[int, Path(ge=1949, le=2100, description="Fiscal year, e.g. 2021")]


def _ctx(request: Request, who: Principal) -> handlers.Ctx:
    return handlers.Ctx(actor=who.actor, correlation_id=request.state.correlation_id)


NO_FIRM: dict[int | str, dict[str, Any]] = {404: {"description": "No firm with this id"}}


@router.post("/firms", status_code=201, tags=["firms"], summary="Register a firm",
             response_model=Firm, responses={
                 200: {"model": Firm, "description": "The same firm registered before (replay)"},
                 409: {"description": "Another firm holds this USCC"}})
async def register_firm(body: FirmIn, request: Request, response: Response, who: Writer) -> dict[str, Any]:
    firm, created = await handlers.register_firm(request.app.state.pool, _ctx(request, who), body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return firm


@router.get("/firms", tags=["firms"], summary="List firms, filtered and paged")
async def list_firms(
    request: Request, who: Reader,
    district: District | None = None, industry: Industry | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name contains, or exact USCC")] = None,
    cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[Firm]:
    rows = await repo.list_firms(request.app.state.pool, district=district, industry=industry,
                                 q=q, after_row=position_of(cursor, int) or 0, limit=limit + 1)
    page = page_of(rows, limit, lambda r: r["row_no"])
    return Page[Firm](items=[Firm.model_validate(dict(r)) for r in page.items],
                      next_cursor=page.next_cursor)


@router.get("/firms/{firm_id}", tags=["firms"], summary="One firm with its facts",
            response_model=FirmDetail, responses=NO_FIRM)
async def get_firm(firm_id: FirmId, request: Request, who: Reader) -> dict[str, Any]:
    return await handlers.get_firm(request.app.state.pool, firm_id)


@router.patch("/firms/{firm_id}", tags=["firms"], summary="Change profile or compliance flags",
              response_model=Firm, responses=NO_FIRM)
async def patch_firm(firm_id: FirmId, body: FirmPatch, request: Request, who: Writer) -> dict[str, Any]:
    return await handlers.patch_firm(request.app.state.pool, _ctx(request, who), firm_id, body)


@router.put("/firms/{firm_id}/reports/{fiscal_year}", status_code=201, tags=["reports"],
            summary="File (201) or restate (200) a year's annual report; identical is a no-op (200)",
            response_model=ReportWritten, responses={
                200: {"model": ReportWritten, "description": "Restated, or unchanged"}, **NO_FIRM})
async def put_report(firm_id: FirmId, fiscal_year: FiscalYear, body: AnnualReportIn,
                     request: Request, response: Response, who: Writer) -> dict[str, Any]:
    report, outcome = await handlers.file_report(
        request.app.state.pool, _ctx(request, who), firm_id, fiscal_year, body)
    if outcome != "filed":
        response.status_code = status.HTTP_200_OK
    return {**report, "outcome": outcome}


@router.get("/firms/{firm_id}/reports/{fiscal_year}", tags=["reports"],
            summary="A year's report with its earlier versions", response_model=ReportWithHistory,
            responses={404: {"description": "No such firm, or no report for that year"}})
async def get_report(firm_id: FirmId, fiscal_year: FiscalYear, request: Request,
                     who: Reader) -> dict[str, Any]:
    pool = request.app.state.pool
    row = await repo.report(pool, firm_id, fiscal_year)
    if row is None:
        raise NotFound(f"firm {firm_id} has no report for fiscal year {fiscal_year}")
    history = await repo.report_history(pool, firm_id, fiscal_year)
    return {**dict(row), "history": [dict(h) for h in history]}


@router.post("/firms/{firm_id}/funding-rounds", status_code=201, tags=["funding"],
             summary="Record a funding round (an identical replay answers 200)",
             response_model=FundingRoundWritten, responses={
                 200: {"model": FundingRoundWritten, "description": "Recorded before (replay)"},
                 **NO_FIRM})
async def post_round(firm_id: FirmId, body: FundingRoundIn, request: Request,
                     response: Response, who: Writer) -> dict[str, Any]:
    stored, created = await handlers.record_funding_round(
        request.app.state.pool, _ctx(request, who), firm_id, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return stored


@router.post("/firms/{firm_id}/certificates", status_code=201, tags=["certificates"],
             summary="Record a certificate or award (an identical replay answers 200)",
             response_model=CertificateWritten, responses={
                 200: {"model": CertificateWritten, "description": "Recorded before (replay)"},
                 **NO_FIRM})
async def post_certificate(firm_id: FirmId, body: CertificateIn, request: Request,
                           response: Response, who: Writer) -> dict[str, Any]:
    stored, created = await handlers.grant_certificate(
        request.app.state.pool, _ctx(request, who), firm_id, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return stored


@router.post("/firms/{firm_id}/certificates/{certificate_id}/revoke", tags=["certificates"],
             summary="Revoke a certificate", response_model=CertificateWritten,
             responses={404: {"description": "No such firm, or no such certificate of it"}})
async def revoke_certificate(firm_id: FirmId, certificate_id: uuid.UUID, request: Request,
                             who: Writer, body: CertificateRevokeIn | None = None) -> dict[str, Any]:
    return await handlers.revoke_certificate(
        request.app.state.pool, _ctx(request, who), firm_id, certificate_id,
        body or CertificateRevokeIn())


@router.get("/firms/{firm_id}/events", tags=["firms"], summary="The firm's event history",
            responses=NO_FIRM)
async def firm_events(
    firm_id: FirmId, request: Request, who: Reader,
    after_sequence: Annotated[int, Query(ge=0, le=BIGINT_MAX,
                                         description="Start after this sequence")] = 0,
    cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Page[FirmEvent]:
    pool = request.app.state.pool
    if await repo.firm(pool, firm_id) is None:
        raise NotFound(f"no firm with id {firm_id}")
    after = max(after_sequence, position_of(cursor, int) or 0)
    rows = await repo.events(pool, str(firm_id), after, limit + 1)
    events = [FirmEvent.model_validate({**json.loads(r["payload"]),
                                        "published": r["published_at"] is not None})
              for r in rows]
    return page_of(events, limit, lambda e: e.sequence)


@router.post("/imports", status_code=201, tags=["imports"],
             summary="Bulk import a CSV of firms or of reports; answers a per-row error report",
             response_model=ImportReport)
async def post_import(
    request: Request, who: Writer, kind: Literal["firms", "reports"],
    file: Annotated[UploadFile, File(description="UTF-8 CSV with a header row")],
) -> dict[str, Any]:
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected("file", "utf8", "the file is not UTF-8 text") from None
    result = await imports.run_import(request.app.state.pool, _ctx(request, who), kind, text)
    return {"id": result.id, "kind": result.kind, "status": result.status,
            "total_rows": result.total_rows, "applied": result.applied,
            "unchanged": result.unchanged, "rejected": len({e["row"] for e in result.errors}),
            "errors": result.errors}


@router.get("/imports/{import_id}", tags=["imports"], summary="An earlier import's report",
            response_model=ImportJob, responses={404: {"description": "No import with this id"}})
async def get_import(import_id: uuid.UUID, request: Request, who: Reader) -> dict[str, Any]:
    row = await repo.import_job(request.app.state.pool, import_id)
    if row is None:
        raise NotFound(f"no import with id {import_id}")
    return dict(row)
