"""Bulk CSV import: validate every row, apply the valid ones set-based in batches, report the
rest.

Each batch is one transaction of a few statements whatever its size: the firms it names read
(and locked) at once, each row decided in Python by the same rules as a single request, then
every new firm or report version written in one statement and every event and audit entry in
another. A row the rules refuse is reported and writes nothing. A crash loses at most the
batch in flight, whole; running the same file again is safe because registering an identical
firm or filing an identical report is a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from registry.domain.application_import import ApplicationRow, validate_application
from registry.domain.csv_import import (
    FACT_MODELS,
    FactRow,
    ImportKind,
    ReportRow,
    RowError,
    decode,
    read_lines,
    validate,
)
from registry.domain.filing_import import FilingRow, is_xlsx, read_xlsx, validate_filing
from registry.domain.models import FirmIn
from registry.domain.results import ImportDone, ImportStatus
from registry.domain.rules import registration, report_version
from registry.handlers.common import new_batch
from registry.handlers.facts import (
    certificate_granted,
    check_certificate,
    check_round,
    round_recorded,
)
from registry.handlers.firms import registered
from registry.handlers.reports import reported
from registry.handlers.round import file_one, filing_fields, step_one, submit
from registry.repository import EventBatch, Row, UnitOfWork
from registry.repository.facts import CERTIFICATE_SAME, ROUND_SAME
from shared.auth import Ctx
from shared.errors import DomainError, Rejected

BATCH_ROWS = 500
T = TypeVar("T")


class _Tally:
    """What the batches did, row by row."""

    def __init__(self) -> None:
        self.applied = 0
        self.unchanged = 0
        self.errors: list[RowError] = []

    def refused(self, number: int, exc: DomainError) -> None:
        field = str(exc.extra["field"]) if isinstance(exc, Rejected) else "row"
        self.errors.append(RowError(number, field, exc.message))


async def run_import(uow: UnitOfWork, ctx: Ctx, kind: ImportKind, raw: bytes, *,
                     today: date) -> ImportDone:
    """Validate and apply a CSV upload (a list of filings may be an xlsx workbook); the answer
    lists every rejected row."""
    if kind == "filings" and is_xlsx(raw):
        rows, lines = read_xlsx(raw), None
    else:
        rows, lines = read_lines(decode(raw), kind)
    import_id = uuid.uuid4()
    async with uow:
        await uow.repo.create_import(import_id, kind, len(rows), ctx.actor)
    tally = _Tally()
    valid: list[tuple[int, Any]] = []
    for number, raw_row in enumerate(rows, start=1):
        parsed, problems = (validate_filing(number, raw_row) if kind == "filings"
                            else validate_application(number, raw_row)
                            if kind == "applications" else validate(number, kind, raw_row))
        tally.errors += problems
        if parsed is not None:
            valid.append((number, parsed))
    for start in range(0, len(valid), BATCH_ROWS):
        chunk = valid[start:start + BATCH_ROWS]
        async with uow:
            batch = new_batch(ctx)
            if kind == "firms":
                await _firms(uow, batch, chunk, tally)
            elif kind == "filings":
                await _filings(uow, batch, chunk, tally, today)
            elif kind == "applications":
                await _applications(uow, batch, chunk, tally, today)
            elif kind in FACT_MODELS:
                await _facts(uow, batch, kind, chunk, tally)
            else:
                await _reports(uow, batch, chunk, tally, today)
            await uow.repo.record(batch)
    return await _finish(uow, import_id, kind, len(rows), tally, lines)


async def _finish(uow: UnitOfWork, import_id: uuid.UUID, kind: ImportKind, total: int,
                  tally: _Tally, lines: list[int] | None = None) -> ImportDone:
    errors = [replace(e, line=lines[e.row - 1]) if lines and 0 < e.row <= len(lines) else e
              for e in sorted(tally.errors, key=lambda e: e.row)]
    status: ImportStatus = "completed" if not errors else "completed_with_errors"
    async with uow:
        await uow.repo.finish_import(import_id, applied=tally.applied, unchanged=tally.unchanged,
                                     status=status,
                                     errors=[{"row": e.row, "field": e.field, "reason": e.reason,
                                              "line": e.line} for e in errors])
    return ImportDone(id=import_id, kind=kind, status=status, total_rows=total,
                      applied=tally.applied, unchanged=tally.unchanged,
                      rejected=len({e.row for e in errors}), errors=errors)


def _waves(items: list[T], key: Callable[[T], Hashable]) -> Iterator[list[T]]:
    """Consecutive runs in which no key repeats: a row that names what an earlier row of its
    batch wrote is decided after that write, as it would be one request at a time."""
    wave: list[T] = []
    seen: set[Hashable] = set()
    for item in items:
        if key(item) in seen:
            yield wave
            wave, seen = [], set()
        wave.append(item)
        seen.add(key(item))
    if wave:
        yield wave


async def _firms(uow: UnitOfWork, batch: EventBatch, chunk: list[tuple[int, FirmIn]],
                 tally: _Tally) -> None:
    for wave in _waves(chunk, lambda r: r[1].uscc):
        existing = await uow.repo.firms_by_uscc([body.uscc for _, body in wave])
        new: list[tuple[int, uuid.UUID, dict[str, Any]]] = []
        for number, body in wave:
            fields = body.model_dump()
            try:
                if registration(existing.get(body.uscc), fields):
                    new.append((number, uuid.uuid4(), fields))
                else:
                    tally.unchanged += 1
            except DomainError as exc:
                tally.refused(number, exc)
        if not new:
            continue
        inserted = {r["id"]: r for r in await uow.repo.insert_firms([(i, f) for _, i, f in new])}
        taken = [(number, fields) for number, firm_id, fields in new if firm_id not in inserted]
        meanwhile = await uow.repo.firms_by_uscc([f["uscc"] for _, f in taken]) if taken else {}
        for number, firm_id, fields in new:
            if firm_id in inserted:
                registered(batch, inserted[firm_id], fields)
                tally.applied += 1
                continue
            try:  # registered by someone else since the read: as a request after theirs
                registration(meanwhile[fields["uscc"]], fields)
                tally.unchanged += 1
            except DomainError as exc:
                tally.refused(number, exc)


async def _reports(uow: UnitOfWork, batch: EventBatch, chunk: list[tuple[int, ReportRow]],
                   tally: _Tally, today: date) -> None:
    named = [r.uscc.upper() for _, r in chunk if r.firm_id is None and r.uscc is not None]
    by_uscc = await uow.repo.firms_by_uscc(named) if named else {}
    resolved: list[tuple[int, uuid.UUID, ReportRow]] = []
    for number, row in chunk:
        found = by_uscc.get((row.uscc or "").upper())
        firm_id = row.firm_id or (found["id"] if found is not None else None)
        if firm_id is None:
            tally.errors.append(RowError(number, "uscc", f"no firm with USCC {row.uscc}"))
        else:
            resolved.append((number, firm_id, row))
    firms = await uow.repo.lock_firms(sorted({firm_id for _, firm_id, _ in resolved}))
    for wave in _waves(resolved, lambda r: (r[1], r[2].fiscal_year)):
        stored = await uow.repo.reports_of([(f, r.fiscal_year) for _, f, r in wave if f in firms])
        saves: list[tuple[uuid.UUID, int, dict[str, Any], Row | None]] = []
        for number, firm_id, row in wave:
            if firm_id not in firms:
                tally.errors.append(RowError(number, "row", f"no firm with id {firm_id}"))
                continue
            old = stored.get((firm_id, row.fiscal_year))
            try:
                data = report_version(firms[firm_id]["founded_on"], row.fiscal_year,
                                      row.body.figures(), row.body.filed_on, old, today)
            except DomainError as exc:
                tally.refused(number, exc)
                continue
            if data is None:
                tally.unchanged += 1
                continue
            saves.append((firm_id, row.fiscal_year, data, old))
            reported(batch, firms[firm_id], row.fiscal_year, data, old)
            tally.applied += 1
        if saves:
            await uow.repo.save_reports(saves)


async def _owners(uow: UnitOfWork, chunk: list[tuple[int, FactRow]], tally: _Tally
                  ) -> tuple[dict[uuid.UUID, Row], list[tuple[int, Row, FactRow]]]:
    """The firms the rows name (by USCC or id), locked; each row with its firm. A row naming
    no firm is reported (field `uscc` or `firm_id`, as the row named it)."""
    named = [r.uscc.upper() for _, r in chunk if r.firm_id is None and r.uscc is not None]
    by_uscc = await uow.repo.firms_by_uscc(named) if named else {}
    wanted = {row.firm_id or (by_uscc[row.uscc.upper()]["id"]
                              if row.uscc is not None and row.uscc.upper() in by_uscc else None)
              for _, row in chunk}
    firms = await uow.repo.lock_firms(sorted(i for i in wanted if i is not None))
    known: list[tuple[int, Row, FactRow]] = []
    for number, row in chunk:
        if row.firm_id is not None:
            if row.firm_id in firms:
                known.append((number, firms[row.firm_id], row))
            else:
                tally.errors.append(RowError(number, "firm_id", f"no firm with id {row.firm_id}"))
            continue
        found = by_uscc.get((row.uscc or "").upper())
        if found is None or found["id"] not in firms:
            tally.errors.append(RowError(number, "uscc", f"no firm with USCC {row.uscc}"))
        else:
            known.append((number, firms[found["id"]], row))
    return firms, known


async def _facts(uow: UnitOfWork, batch: EventBatch, kind: str,
                 chunk: list[tuple[int, FactRow]], tally: _Tally) -> None:
    """Funding rounds or certificates, each row as `record_funding_round` or
    `grant_certificate` would take it: not before the firm's founding, a fact identical to
    one stored (or to an earlier row) unchanged; the new ones inserted in one statement."""
    rounds = kind == "funding_rounds"
    same, check, recorded = ((ROUND_SAME, check_round, round_recorded) if rounds
                             else (CERTIFICATE_SAME, check_certificate, certificate_granted))
    firms, known = await _owners(uow, chunk, tally)
    ids = list(firms)
    stored = await (uow.repo.funding_rounds_of(ids) if rounds
                    else uow.repo.standing_certificates_of(ids))
    seen = {(r["firm_id"], *(r[c] for c in same)) for r in stored}
    new: list[tuple[uuid.UUID, uuid.UUID, dict[str, Any]]] = []
    for number, firm, row in known:
        fields = row.body.model_dump()
        try:
            check(firm, fields)
        except DomainError as exc:
            tally.refused(number, exc)
            continue
        key = (firm["id"], *(fields[c] for c in same))
        if key in seen:
            tally.unchanged += 1
            continue
        seen.add(key)
        fact_id = uuid.uuid4()
        new.append((fact_id, firm["id"], fields))
        recorded(batch, firm, fact_id, fields)
        tally.applied += 1
    if new:
        await (uow.repo.insert_funding_rounds(new) if rounds
               else uow.repo.insert_certificates(new))


async def _filings(uow: UnitOfWork, batch: EventBatch, chunk: list[tuple[int, FilingRow]],
                   tally: _Tally, today: date) -> None:
    """The province's list: each row a filing of the firm its USCC names (a USCC we do not hold
    is reported with the name the list prints); a row the list already gave is unchanged."""
    by_uscc = await uow.repo.firms_by_uscc([r.uscc for _, r in chunk])
    firms = await uow.repo.lock_firms(sorted({f["id"] for f in by_uscc.values()}))
    known: list[tuple[int, uuid.UUID, FilingRow]] = []
    for number, row in chunk:
        found = by_uscc.get(row.uscc)
        if found is None or found["id"] not in firms:
            tally.errors.append(RowError(number, "uscc", f"no firm with USCC {row.uscc} "
                                         f"({row.name or 'unnamed'}): register it, then import "
                                         "the row again"))
        else:
            known.append((number, found["id"], row))
    stored = await uow.repo.standing_filings(
        [(f, r.body.tier, r.body.list_name) for _, f, r in known])
    seen: set[tuple[uuid.UUID, str, str]] = set()
    for number, firm_id, row in known:
        key = (firm_id, row.body.tier, row.body.list_name)
        if key in stored or key in seen:
            tally.unchanged += 1
            continue
        try:
            fields = filing_fields(row.body, source="import")
            await file_one(uow, batch, firms[firm_id], fields, today=today)
        except DomainError as exc:
            tally.refused(number, exc)
            continue
        seen.add(key)
        tally.applied += 1


async def _applications(uow: UnitOfWork, batch: EventBatch,
                        chunk: list[tuple[int, ApplicationRow]], tally: _Tally,
                        today: date) -> None:
    """A round's applications with their steps, each row as the single requests would record
    it (refused whole if any step may not follow); the same application again (same round,
    tier and date) is unchanged, so a file imported twice adds nothing."""
    by_uscc = await uow.repo.firms_by_uscc([r.uscc for _, r in chunk])
    firms = await uow.repo.lock_firms(sorted({f["id"] for f in by_uscc.values()}))
    for number, row in chunk:
        found = by_uscc.get(row.uscc)
        if found is None or found["id"] not in firms:
            tally.errors.append(RowError(number, "uscc", f"no firm with USCC {row.uscc}"))
            continue
        firm = firms[found["id"]]
        earlier = await uow.repo.applications_of(firm["id"], row.body.round_year, row.body.tier)
        if any(a["applied_on"] == row.body.applied_on for a in earlier):
            tally.unchanged += 1
            continue
        marks = (len(batch.events), len(batch.audits), dict(batch.sequences))
        try:
            async with uow.conn.transaction():  # a savepoint: a refused row writes nothing
                app = await submit(uow, batch, firm, row.body, earlier, today=today)
                for step in row.steps:
                    app = await step_one(uow, batch, firm, app, step, today=today)
        except DomainError as exc:  # the row writes nothing: its events go too
            del batch.events[marks[0]:], batch.audits[marks[1]:]
            batch.sequences.clear()
            batch.sequences.update(marks[2])
            tally.refused(number, exc)
            continue
        tally.applied += 1
