"""A finance department's payment list (xlsx or CSV): one row per entitlement paid.

Columns (header row, any order): `entitlement_id`, `amount` (yuan), `paid_on` (YYYY-MM-DD or
a date cell). Every row is checked; the caller writes nothing unless all rows pass.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

COLUMNS = ("entitlement_id", "amount", "paid_on")
MAX_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Payment:
    """One paid entitlement as finance reports it."""

    row: int
    entitlement_id: uuid.UUID
    amount: int
    paid_on: date


def error(row: int | None, field: str, rule: str, message: str) -> dict[str, str]:
    """One problem with the file, in the problem+json `errors` shape."""
    where = f"row {row}: " if row is not None else ""
    return {"field": f"rows[{row}].{field}" if row is not None else field, "rule": rule,
            "message": where + message}


def table(raw: bytes, filename: str) -> list[list[Any]]:
    """The file's cells, row by row (an xlsx workbook's first sheet, or UTF-8 CSV)."""
    if filename.lower().endswith(".xlsx") or raw[:2] == b"PK":
        try:
            sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ValueError(f"not a readable xlsx workbook: {exc.__class__.__name__}") from None
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("neither an xlsx workbook nor UTF-8 CSV") from None
    return [list(r) for r in csv.reader(io.StringIO(text))]


def payments(cells: list[list[Any]]) -> tuple[list[Payment], list[dict[str, str]]]:
    """The payments the cells list, and every problem found (rows numbered as in the file)."""
    rows = [r for r in cells if any(c not in (None, "") for c in r)]
    if not rows:
        return [], [error(None, "file", "required", "the file has no rows")]
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [error(None, "file", "columns", f"missing column(s): {', '.join(missing)}")]
    if len(rows) - 1 > MAX_ROWS:
        return [], [error(None, "file", "max_rows", f"at most {MAX_ROWS} rows per file")]
    at = {name: header.index(name) for name in COLUMNS}
    out: list[Payment] = []
    errors: list[dict[str, str]] = []
    seen: set[uuid.UUID] = set()
    for number, r in enumerate(rows[1:], start=2):
        cell = {name: (r[i] if i < len(r) else None) for name, i in at.items()}
        found = len(errors)
        eid: uuid.UUID | None = None
        try:
            eid = uuid.UUID(str(cell["entitlement_id"]).strip())
        except ValueError:
            errors.append(error(number, "entitlement_id", "uuid", "not an entitlement id"))
        if eid is not None and eid in seen:
            errors.append(error(number, "entitlement_id", "unique", "listed twice in the file"))
        elif eid is not None:
            seen.add(eid)
        amount = _amount(cell["amount"])
        if amount is None:
            errors.append(error(number, "amount", "yuan", "amount must be whole yuan, ≥ 0"))
        paid_on = _date(cell["paid_on"])
        if paid_on is None:
            errors.append(error(number, "paid_on", "date", "paid_on must be a date YYYY-MM-DD"))
        if len(errors) > found:
            continue
        assert eid is not None and amount is not None and paid_on is not None
        out.append(Payment(number, eid, amount, paid_on))
    return out, errors


def _amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = str(value or "").replace(",", "").strip()
    return int(text) if text.isdigit() else None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
