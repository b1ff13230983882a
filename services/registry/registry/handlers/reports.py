"""Filing and restating a fiscal year's annual report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.domain.models import AnnualReportIn
from registry.domain.results import ReportOutcome, ReportStored
from registry.domain.rules import report_version
from registry.handlers.common import new_batch, record
from registry.repository import REPORT_KEEPS, EventBatch, Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import NotFound
from shared.events import (
    AnnualReportData,
    AnnualReportFiled,
    AnnualReportFiledData,
    AnnualReportRestated,
    AnnualReportRestatedData,
)


def reported(batch: EventBatch, firm: Row, fiscal_year: int, data: dict[str, Any],
             old: Row | None) -> ReportOutcome:
    """Add a filing's or a restatement's event and audit entry to the batch; which it is."""
    report = AnnualReportData(fiscal_year=fiscal_year, **data)
    before = None if old is None else {f: old[f] for f in REPORT_KEEPS}
    if before is None:
        batch.event(firm, AnnualReportFiled,
                    AnnualReportFiledData(firm_id=firm["id"], report=report))
    else:
        batch.event(firm, AnnualReportRestated, AnnualReportRestatedData(
            firm_id=firm["id"], report=report,
            previous=AnnualReportData(fiscal_year=fiscal_year, **before)))
    outcome: ReportOutcome = "filed" if old is None else "restated"
    batch.audit(f"report.{outcome}", f"{firm['id']}/{fiscal_year}", before=before, after=data)
    return outcome


async def file_report(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, fiscal_year: int,
                      body: AnnualReportIn, *, today: date) -> ReportStored:
    """File or restate a year's report; its `outcome` says which (or `unchanged`)."""
    async with uow:
        firm, old = await uow.repo.firm_and_report(firm_id, fiscal_year)
        if firm is None:
            raise NotFound(f"no firm with id {firm_id}")
        data = report_version(firm["founded_on"], fiscal_year, body.figures(), body.filed_on,
                              old, today)
        if data is None:
            assert old is not None  # only a stored version can be the same
            return ReportStored(old, firm["sequence"], "unchanged")
        saved = await uow.repo.save_reports([(firm_id, fiscal_year, data, old)])
        batch = new_batch(ctx)
        outcome = reported(batch, firm, fiscal_year, data, old)
        firm = await record(uow, batch, firm_id)
    return ReportStored(saved[(firm_id, fiscal_year)], firm["sequence"], outcome)
