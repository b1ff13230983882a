"""Bulk CSV import: validate every row, apply the valid ones in batches, report the rest.

Each batch is one transaction and each row inside it a savepoint, so a row that fails
while being applied (a USCC taken meanwhile) is reported without undoing its batch.
A crash loses at most the batch in flight, whole; running the same file again is safe
because registering an identical firm or filing an identical report is a no-op.
"""

from __future__ import annotations

import uuid
from datetime import date

from registry.domain.csv_import import ImportKind, ReportRow, RowError, decode, read, validate
from registry.domain.models import FirmIn
from registry.handlers.firms import register_in
from registry.handlers.reports import file_report_in
from registry.repository import UnitOfWork
from registry.schemas import ImportReport, ImportRowError, ImportStatus
from shared.auth import Ctx
from shared.errors import DomainError, Rejected

BATCH_ROWS = 200


async def run_import(uow: UnitOfWork, ctx: Ctx, kind: ImportKind, raw: bytes, *,
                     today: date) -> ImportReport:
    """Validate and apply a CSV upload; the answer lists every rejected row."""
    rows = read(decode(raw), kind)
    import_id = uuid.uuid4()
    async with uow:
        await uow.repo.create_import(import_id, kind, len(rows), ctx.actor)
    errors: list[RowError] = []
    valid: list[tuple[int, FirmIn | ReportRow]] = []
    for number, raw_row in enumerate(rows, start=1):
        parsed, problems = validate(number, kind, raw_row)
        errors += problems
        if parsed is not None:
            valid.append((number, parsed))
    counts = {"applied": 0, "unchanged": 0}
    for start in range(0, len(valid), BATCH_ROWS):
        async with uow:
            for number, parsed in valid[start:start + BATCH_ROWS]:
                try:
                    async with uow.savepoint():
                        counts[await _apply(uow, ctx, parsed, today)] += 1
                except DomainError as exc:
                    errors.append(RowError(number, _field_of(exc), exc.message))
    errors.sort(key=lambda e: e.row)
    listed = [ImportRowError(row=e.row, field=e.field, reason=e.reason) for e in errors]
    status: ImportStatus = "completed" if not errors else "completed_with_errors"
    async with uow:
        await uow.repo.finish_import(import_id, applied=counts["applied"],
                                     unchanged=counts["unchanged"], status=status,
                                     errors=[e.model_dump() for e in listed])
    return ImportReport(id=import_id, kind=kind, status=status, total_rows=len(rows),
                        applied=counts["applied"], unchanged=counts["unchanged"],
                        rejected=len({e.row for e in errors}), errors=listed)


def _field_of(exc: DomainError) -> str:
    return str(exc.extra["field"]) if isinstance(exc, Rejected) else "row"


async def _apply(uow: UnitOfWork, ctx: Ctx, parsed: FirmIn | ReportRow, today: date) -> str:
    """Apply one valid row; 'applied' or 'unchanged'."""
    if isinstance(parsed, FirmIn):
        _, created = await register_in(uow, ctx, parsed)
        return "applied" if created else "unchanged"
    firm_id = parsed.firm_id
    if firm_id is None:
        found = await uow.repo.firm_by_uscc(parsed.uscc or "")
        if found is None:
            raise Rejected("uscc", "known_firm", f"no firm with USCC {parsed.uscc}")
        firm_id = found["id"]
    written = await file_report_in(uow, ctx, firm_id, parsed.fiscal_year, parsed.body,
                                   today=today)
    return "unchanged" if written.outcome == "unchanged" else "applied"
