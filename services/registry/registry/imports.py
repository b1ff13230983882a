"""Bulk CSV import: validate every row, apply the valid ones in batches, report the rest.

Each batch is one transaction and each row inside it a savepoint, so a row that fails
while being applied (a USCC taken meanwhile) is reported without undoing its batch.
A crash loses at most the batch in flight, whole; running the same file again is safe
because registering an identical firm or filing an identical report is a no-op.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
from pydantic import ValidationError

from registry import handlers
from registry import repository as repo
from registry.domain.models import AnnualReportIn, FirmIn
from shared.db import DbConn
from shared.errors import DomainError, Rejected

ImportKind = Literal["firms", "reports"]
BATCH_ROWS = 200
MAX_ROWS = 100_000
REPORT_KEYS = ("firm_id", "uscc", "fiscal_year")


@dataclass
class ImportResult:
    """What happened to every row."""

    id: uuid.UUID
    kind: str
    total_rows: int = 0
    applied: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "completed" if not self.errors else "completed_with_errors"


def _error(row: int, field_name: str, reason: str) -> dict[str, Any]:
    return {"row": row, "field": field_name, "reason": reason}


def _read(text: str, kind: ImportKind) -> list[dict[str, str]]:
    if "\x00" in text:
        raise Rejected("file", "no_nul", "the file contains NUL characters; it is not CSV text")
    try:
        return _parse(text, kind)
    except csv.Error as exc:  # the file is not CSV as the csv module reads it
        raise Rejected("file", "csv", f"the file is not valid CSV: {exc}") from None


def _parse(text: str, kind: ImportKind) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise Rejected("file", "csv_header", "the CSV file is empty or has no header row")
    allowed = set(FirmIn.model_fields) if kind == "firms" else (
        set(AnnualReportIn.model_fields) | set(REPORT_KEYS))
    unknown = [c for c in reader.fieldnames if c.strip() not in allowed]
    if unknown:
        raise Rejected("file", "csv_columns", f"unknown columns: {', '.join(unknown)}; "
                       f"allowed: {', '.join(sorted(allowed))}")
    rows = [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in reader]
    if len(rows) > MAX_ROWS:
        raise Rejected("file", "max_rows", f"{len(rows)} rows; at most {MAX_ROWS} per import")
    return rows


def _validate(kind: ImportKind, raw: dict[str, str]) -> tuple[Any, list[tuple[str, str]]]:
    """(parsed, problems) for one row; blanks mean 'not given'."""
    values = {k: v for k, v in raw.items() if v != ""}
    keys: dict[str, Any] = {}
    if kind == "reports":
        keys = {k: values.pop(k) for k in REPORT_KEYS if k in values}
        if "fiscal_year" not in keys or not str(keys["fiscal_year"]).isdigit():
            return None, [("fiscal_year", "required: a year such as 2021")]
        if "firm_id" not in keys and "uscc" not in keys:
            return None, [("firm_id", "give firm_id or uscc")]
    model = FirmIn if kind == "firms" else AnnualReportIn
    try:
        return (keys, model.model_validate(values)), []
    except ValidationError as exc:
        return None, [(".".join(map(str, e["loc"])) or "row", e["msg"]) for e in exc.errors()]


async def _apply_row(conn: DbConn, ctx: handlers.Ctx, kind: ImportKind,
                     parsed: Any) -> str:
    keys, body = parsed
    if kind == "firms":
        _, created = await handlers.register_firm_in(conn, ctx, body)
        return "applied" if created else "unchanged"
    firm_id = keys.get("firm_id")
    if firm_id is None:
        found = await repo.firm_by_uscc(conn, keys["uscc"].upper())
        if found is None:
            raise Rejected("uscc", "known_firm", f"no firm with USCC {keys['uscc']}")
        firm_id = found["id"]
    try:
        firm_uuid = uuid.UUID(str(firm_id))
    except ValueError:
        raise Rejected("firm_id", "uuid", "firm_id is not a UUID") from None
    _, status = await handlers.file_report_in(conn, ctx, firm_uuid, int(keys["fiscal_year"]), body)
    return "unchanged" if status == "unchanged" else "applied"


async def run_import(pool: asyncpg.Pool, ctx: handlers.Ctx, kind: ImportKind, text: str) -> ImportResult:
    """Validate and apply a CSV; the result lists every rejected row."""
    rows = _read(text, kind)
    result = ImportResult(id=uuid.uuid4(), kind=kind, total_rows=len(rows))
    await repo.create_import(pool, result.id, kind, len(rows), ctx.actor)
    valid: list[tuple[int, Any]] = []
    for number, raw in enumerate(rows, start=1):
        parsed, problems = _validate(kind, raw)
        result.errors += [_error(number, f, r) for f, r in problems]
        if parsed is not None:
            valid.append((number, parsed))
    for start in range(0, len(valid), BATCH_ROWS):
        async with pool.acquire() as conn, conn.transaction():
            for number, parsed in valid[start:start + BATCH_ROWS]:
                try:
                    async with conn.transaction():  # savepoint per row
                        outcome = await _apply_row(conn, ctx, kind, parsed)
                except DomainError as exc:
                    detail = exc.detail()
                    field_name = detail[0]["field"] if isinstance(detail, list) else "row"
                    result.errors.append(_error(number, field_name, exc.message))
                    continue
                setattr(result, outcome, getattr(result, outcome) + 1)
    result.errors.sort(key=lambda e: e["row"])
    await repo.finish_import(pool, result.id, applied=result.applied, unchanged=result.unchanged,
                             errors=result.errors, status=result.status)
    return result
