"""Registry HTTP routes: parse, call one handler or query, answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status

from registry import handlers, import_spec
from registry.api.deps import Reads, Today, Uow
from registry.domain.models import (
    AnnualReportIn,
    CertificateIn,
    CertificateRevokeIn,
    FactCorrectionIn,
    FirmIn,
    FirmPatch,
    FundingRoundIn,
)
from registry.import_spec import ImportKindName
from registry.schemas import (
    CertificateWritten,
    Firm,
    FirmChanges,
    FirmDetail,
    FirmEvent,
    FirmPatched,
    FundingRoundWritten,
    ImportJob,
    ImportReport,
    ProfileFact,
    ReportWithHistory,
    ReportWritten,
)
from shared.auth import ReaderCtx, WriterCtx
from shared.codes import District, Industry
from shared.errors import Rejected
from shared.paging import BIGINT_MAX, Page, position_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/v1")
FirmId = Annotated[uuid.UUID, Path(description="The firm's id")]
FiscalYear = Annotated[int, Path(ge=1949, le=2100, description="Fiscal year, e.g. 2021")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the page before")]
NO_FIRM: dict[int | str, dict[str, Any]] = {404: {"description": "No firm with this id"}}


def _replayed(response: Response, created: bool) -> None:
    """A replay of an earlier identical write answers 200 instead of 201."""
    if not created:
        response.status_code = status.HTTP_200_OK


@router.post("/firms", status_code=201, tags=["firms"], summary="Register a firm",
             response_model=Firm, responses={
                 200: {"model": Firm, "description": "The same firm registered before (replay)"},
                 409: {"description": "Another firm holds this USCC"}})
async def register_firm(body: FirmIn, response: Response, ctx: WriterCtx, uow: Uow) -> Firm:
    firm, created = await handlers.register_firm(uow, ctx, body)
    _replayed(response, created)
    return Firm.model_validate(firm)


@router.get("/firms", tags=["firms"], summary="List firms, filtered and paged")
async def list_firms(
    ctx: ReaderCtx, reads: Reads, district: District | None = None,
    industry: Industry | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name contains, or exact USCC")] = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> Page[Firm]:
    return await reads.firms(district=district, industry=industry, q=q,
                             after_row=position_of(cursor, int), limit=limit)


@router.get("/firms/{firm_id}", tags=["firms"], summary="One firm with its facts",
            responses=NO_FIRM)
async def get_firm(
    firm_id: FirmId, ctx: ReaderCtx, reads: Reads, today: Today,
    as_of: Annotated[date | None, Query(description="The profile and flags as they stood on "
                                        "this day (default: today)")] = None,
) -> FirmDetail:
    return await reads.firm(firm_id, as_of=as_of, today=today)


@router.patch("/firms/{firm_id}", tags=["firms"], response_model=FirmPatched,
              summary="Record profile or compliance-flag values valid from `effective_on`; "
              "each field answers the fact recorded or the same one already valid",
              responses=NO_FIRM)
async def patch_firm(firm_id: FirmId, body: FirmPatch, ctx: WriterCtx, uow: Uow,
                     today: Today) -> FirmPatched:
    return FirmPatched.of(await handlers.patch_firm(uow, ctx, firm_id, body, today=today))


@router.get("/firms/{firm_id}/changes", tags=["firms"], response_model=FirmChanges,
            summary="The firm's profile and flag facts with their valid dates",
            responses=NO_FIRM)
async def firm_changes(firm_id: FirmId, ctx: ReaderCtx, reads: Reads) -> FirmChanges:
    return await reads.changes(firm_id)


@router.post("/firms/{firm_id}/changes/{fact_id}/correct", status_code=201, tags=["firms"],
             summary="Correct a profile or flag fact's valid date (audited; the same date "
             "again answers 200)", response_model=ProfileFact, responses={
                 200: {"model": ProfileFact, "description": "Already valid from that date"},
                 404: {"description": "No such firm, or no such fact of it"},
                 409: {"description": "The fact was corrected before"}})
async def correct_fact(firm_id: FirmId, fact_id: uuid.UUID, body: FactCorrectionIn,
                       response: Response, ctx: WriterCtx, uow: Uow,
                       today: Today) -> ProfileFact:
    fact, created = await handlers.correct_fact(uow, ctx, firm_id, fact_id, body, today=today)
    _replayed(response, created)
    return ProfileFact.model_validate(fact)


@router.put("/firms/{firm_id}/reports/{fiscal_year}", status_code=201, tags=["reports"],
            summary="File (201) or restate (200) a year's annual report; identical is a no-op (200)",
            response_model=ReportWritten, responses={
                200: {"model": ReportWritten, "description": "Restated, or unchanged"}, **NO_FIRM})
async def put_report(firm_id: FirmId, fiscal_year: FiscalYear, body: AnnualReportIn,
                     response: Response, ctx: WriterCtx, uow: Uow, today: Today) -> ReportWritten:
    written = await handlers.file_report(uow, ctx, firm_id, fiscal_year, body, today=today)
    _replayed(response, written.outcome == "filed")
    return ReportWritten.of_report(written)


@router.get("/firms/{firm_id}/reports/{fiscal_year}", tags=["reports"],
            summary="A year's report with its earlier versions",
            responses={404: {"description": "No such firm, or no report for that year"}})
async def get_report(firm_id: FirmId, fiscal_year: FiscalYear, ctx: ReaderCtx,
                     reads: Reads) -> ReportWithHistory:
    return await reads.report(firm_id, fiscal_year)


@router.post("/firms/{firm_id}/funding-rounds", status_code=201, tags=["funding"],
             summary="Record a funding round (an identical replay answers 200)",
             response_model=FundingRoundWritten, responses={
                 200: {"model": FundingRoundWritten, "description": "Recorded before (replay)"},
                 **NO_FIRM})
async def post_round(firm_id: FirmId, body: FundingRoundIn, response: Response, ctx: WriterCtx,
                     uow: Uow) -> FundingRoundWritten:
    stored, created = await handlers.record_funding_round(uow, ctx, firm_id, body)
    _replayed(response, created)
    return FundingRoundWritten.of(stored)


@router.post("/firms/{firm_id}/certificates", status_code=201, tags=["certificates"],
             summary="Record a certificate or award (an identical replay answers 200)",
             response_model=CertificateWritten, responses={
                 200: {"model": CertificateWritten, "description": "Recorded before (replay)"},
                 **NO_FIRM})
async def post_certificate(firm_id: FirmId, body: CertificateIn, response: Response,
                           ctx: WriterCtx, uow: Uow) -> CertificateWritten:
    stored, created = await handlers.grant_certificate(uow, ctx, firm_id, body)
    _replayed(response, created)
    return CertificateWritten.of(stored)


@router.post("/firms/{firm_id}/certificates/{certificate_id}/revoke", tags=["certificates"],
             summary="Revoke a certificate",
             responses={404: {"description": "No such firm, or no such certificate of it"}})
async def revoke_certificate(firm_id: FirmId, certificate_id: uuid.UUID, ctx: WriterCtx,
                             uow: Uow, today: Today,
                             body: CertificateRevokeIn | None = None) -> CertificateWritten:
    return CertificateWritten.of(await handlers.revoke_certificate(
        uow, ctx, firm_id, certificate_id, body or CertificateRevokeIn(), today=today))


@router.get("/firms/{firm_id}/events", tags=["firms"], summary="The firm's event history",
            responses=NO_FIRM)
async def firm_events(
    firm_id: FirmId, ctx: ReaderCtx, reads: Reads,
    after_sequence: Annotated[int, Query(ge=0, le=BIGINT_MAX,
                                         description="Start after this sequence")] = 0,
    cursor: Cursor = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Page[FirmEvent]:
    after = max(after_sequence, position_of(cursor, int) or 0)
    return await reads.events(firm_id, after_sequence=after, limit=limit)


@router.post("/imports", status_code=201, tags=["imports"],
             summary="Bulk import firms, reports, funding rounds, certificates, a round's "
             "applications with their steps (CSV) "
             "or the province's list of filings (CSV or xlsx: uscc, name, tier, grade, "
             "listed_on, list_name); answers a per-row report")
async def post_import(
    ctx: WriterCtx, uow: Uow, today: Today, kind: ImportKindName,
    file: Annotated[UploadFile, File(description="UTF-8 CSV with a header row; filings may "
                                     "be an xlsx workbook")],
) -> ImportReport:
    return ImportReport.of(await handlers.run_import(uow, ctx, kind, await file.read(),
                                                     today=today))


@router.get("/imports/template", tags=["imports"], response_class=Response,
            summary="A template for one import kind: its first row is a comment (#) of every "
            "column's unit, codes and rules, then the header and an example row",
            responses={200: {"content": {"text/csv": {}, XLSX: {}},
                             "description": "The template file"}})
async def import_template(
    ctx: ReaderCtx, kind: ImportKindName,
    format: Annotated[Literal["csv", "xlsx"], Query(
        description="xlsx: for filings, the one kind the import reads as a workbook")] = "csv",
) -> Response:
    if format == "xlsx":
        if kind != "filings":
            raise Rejected("format", "xlsx_filings_only", "only filings are imported from "
                           "xlsx; the other kinds are CSV")
        body, media = import_spec.template_xlsx(kind), XLSX
    else:
        body, media = import_spec.template_csv(kind).encode("utf-8"), "text/csv; charset=utf-8"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{kind}-template.{format}"'})


@router.get("/imports/{import_id}", tags=["imports"], summary="An earlier import's report",
            responses={404: {"description": "No import with this id"}})
async def get_import(import_id: uuid.UUID, ctx: ReaderCtx, reads: Reads) -> ImportJob:
    return await reads.import_job(import_id)
