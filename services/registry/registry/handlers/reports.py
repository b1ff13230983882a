"""Filing and restating a fiscal year's annual report."""

from __future__ import annotations

import uuid
from datetime import date

from registry.domain import rules
from registry.domain.models import AnnualReportIn
from registry.handlers.common import emit, locked_firm
from registry.repository import REPORT_KEEPS, UnitOfWork
from registry.schemas import ReportOutcome, ReportWritten
from shared.auth import Ctx


async def file_report(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, fiscal_year: int,
                      body: AnnualReportIn, *, today: date) -> ReportWritten:
    """File or restate a year's report; its `outcome` says which (or `unchanged`)."""
    async with uow:
        return await file_report_in(uow, ctx, firm_id, fiscal_year, body, today=today)


async def file_report_in(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, fiscal_year: int,
                         body: AnnualReportIn, *, today: date) -> ReportWritten:
    """`file_report` inside the caller's open unit of work."""
    firm = await locked_firm(uow, firm_id)
    rules.check_fiscal_year(firm["founded_on"], fiscal_year, today)
    old = await uow.repo.report(firm_id, fiscal_year)
    stored_on = old["filed_on"] if old is not None else None
    data = {**body.figures(),
            "filed_on": rules.filed_on(fiscal_year, body.filed_on, stored_on, today)}
    if old is not None and all(old[f] == data[f] for f in REPORT_KEEPS):
        return ReportWritten(**old, sequence=firm["sequence"], outcome="unchanged")
    payload = {"fiscal_year": fiscal_year, **data}
    outcome: ReportOutcome
    if old is None:
        new = await uow.repo.insert_report(firm_id, fiscal_year, data)
        firm = await emit(uow, ctx, firm_id, "AnnualReportFiled",
                          {"firm_id": firm_id, "report": payload})
        outcome, before = "filed", None
    else:
        new = await uow.repo.replace_report(old, data)
        before = {f: old[f] for f in REPORT_KEEPS}
        firm = await emit(uow, ctx, firm_id, "AnnualReportRestated", {
            "firm_id": firm_id, "report": payload,
            "previous": {"fiscal_year": fiscal_year, **before}})
        outcome = "restated"
    await uow.repo.audit(actor=ctx.actor, action=f"report.{outcome}",
                         subject=f"{firm_id}/{fiscal_year}", before=before, after=data,
                         correlation_id=ctx.correlation_id)
    return ReportWritten(**new, sequence=firm["sequence"], outcome=outcome)
