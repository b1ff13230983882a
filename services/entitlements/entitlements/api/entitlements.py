"""Routes of entitlements: the list with its export, one with its steps, a step, payments."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from entitlements import queries
from entitlements.api.deps import NO_ENTITLEMENT, EntitlementId, Limit, Reads, Today, Uow
from entitlements.domain.payments import payments, table
from entitlements.handlers import steps
from entitlements.schemas import EntitlementDetail, EntitlementPage, MoveIn, PaymentsImported
from shared.auth import AdminCtx, Reader, WriterCtx
from shared.codes import District
from shared.events import EntitlementState
from shared.problems import invalid

router = APIRouter(prefix="/v1", tags=["entitlements"])
YearQ = Annotated[int | None, Query(ge=2000, le=2100, description="Budget year")]
StateQ = Annotated[EntitlementState | None, Query()]


@router.get("/entitlements", response_model=EntitlementPage,
            summary="Entitlements, newest trigger first")
async def list_entitlements(
    repo: Reads, who: Reader, year: YearQ = None, state: StateQ = None,
    district: District | None = None, policy_id: Annotated[str | None, Query(
        max_length=60)] = None, firm_id: uuid.UUID | None = None,
    cursor: str | None = None, limit: Limit = 50,
) -> EntitlementPage:
    return await queries.entitlements(repo, year=year, state=state, district=district,
                                      policy_id=policy_id, firm_id=firm_id, cursor=cursor,
                                      limit=limit)


@router.get("/entitlements/{entitlement_id}", response_model=EntitlementDetail,
            responses=NO_ENTITLEMENT, summary="One entitlement, its trace and its steps")
async def get_entitlement(entitlement_id: EntitlementId, repo: Reads,
                          who: Reader) -> EntitlementDetail:
    return await queries.entitlement(repo, entitlement_id)


@router.post("/entitlements/{entitlement_id}/steps", response_model=EntitlementDetail,
             responses={**NO_ENTITLEMENT, 409: {"description": "Not in a state it can move "
                                                "from, or figures missing"}},
             summary="Move an entitlement a step (officers offer and confirm; admins approve "
             "and pay)")
async def move(entitlement_id: EntitlementId, body: MoveIn, uow: Uow, ctx: WriterCtx,
               today: Today, repo: Reads) -> EntitlementDetail:
    await steps.move(uow, entitlement_id, body.to, ctx, on=body.on or today,
                     option_id=body.option_id, amount=body.amount, note=body.note)
    return await queries.entitlement(repo, entitlement_id)


@router.post("/imports/payments", response_model=PaymentsImported,
             summary="Finance's payment list (xlsx or CSV: entitlement_id, amount, paid_on), "
             "applied whole or not at all")
async def import_payments(
    request: Request, uow: Uow, ctx: AdminCtx,
    file: Annotated[UploadFile, File(description="xlsx workbook (first sheet) or UTF-8 CSV")],
) -> PaymentsImported | JSONResponse:
    where = {"instance": request.url.path}
    try:
        cells = table(await file.read(), file.filename or "")
    except ValueError as exc:
        return invalid([{"field": "file", "rule": "format", "message": str(exc)}], **where)
    found, errors = payments(cells)
    if errors:
        return invalid(errors, **where)
    paid, repeats, refused = await steps.import_payments(uow, found, ctx)
    if refused:  # nothing was written
        return invalid(refused, **where)
    return PaymentsImported(paid=paid, repeats=repeats)


@router.get("/exports/entitlements.csv", response_class=Response,
            responses={200: {"description": "Every entitlement matching, as CSV",
                             "content": {"text/csv": {"schema": {"type": "string"}}}}},
            summary="Export entitlements (CSV, UTF-8 with BOM for Excel)")
async def export(repo: Reads, who: Reader, year: YearQ = None,
                 state: StateQ = None, lang: Literal["zh", "en"] = "en") -> Response:
    body = await queries.export_csv(repo, year=year, state=state, lang=lang)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="entitlements-{year or "all"}.csv"'})
