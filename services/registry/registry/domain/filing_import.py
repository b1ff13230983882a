"""Reading the province's published list: a CSV or xlsx of `uscc, name, tier, grade,
listed_on, list_name`, one row per filed firm. Pure: bytes in, rows out, no I/O."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from registry.domain.csv_import import MAX_ROWS, RowError
from registry.domain.models import FilingIn
from registry.import_spec import is_comment
from shared.errors import Rejected

FILING_COLUMNS = ("uscc", "name", "tier", "grade", "listed_on", "list_name", "expires_on")
# the lists are published in Chinese: either word is understood
TIER_WORDS = {"雏鹰": "eaglet", "瞪羚": "gazelle", "独角兽": "unicorn", "领军": "leader"}
GRADE_WORDS = {"种子": "seed", "潜在": "potential", "独角兽": "unicorn"}


@dataclass(frozen=True, slots=True)
class FilingRow:
    """A valid list row: whose (USCC, and the name as the list prints it) and the filing."""

    uscc: str
    name: str
    body: FilingIn


def is_xlsx(raw: bytes) -> bool:
    """An xlsx workbook is a zip archive."""
    return raw[:4] == b"PK\x03\x04"


def read_xlsx(raw: bytes) -> list[dict[str, str]]:
    """The first sheet's rows as column → text, the first row naming the columns."""
    import openpyxl  # only imports of lists need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Rejected("file", "xlsx", f"the file is not a readable xlsx workbook: {exc}") from None
    sheet = book.worksheets[0]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    while cells and isinstance(cells[0][0] if cells[0] else None, str) and \
            is_comment(str(cells[0][0])):
        cells = cells[1:]  # a template's rules row
    if not cells or not any(c is not None for c in cells[0]):
        raise Rejected("file", "header", "the sheet is empty or has no header row")
    header = [str(c).strip() if c is not None else "" for c in cells[0]]
    check_columns(header)
    body = [r for r in cells[1:] if any(c not in (None, "") for c in r)]
    if len(body) > MAX_ROWS:
        raise Rejected("file", "max_rows", f"{len(body)} rows; at most {MAX_ROWS} per import")
    return [{h: _text(v) for h, v in zip(header, r, strict=False) if h} for r in body]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_columns(header: list[str]) -> None:
    """Refuse a list whose columns we do not know (a typo would drop a field silently)."""
    unknown = [c for c in header if c and c not in FILING_COLUMNS]
    if unknown:
        raise Rejected("file", "columns", f"unknown columns: {', '.join(unknown)}; "
                       f"allowed: {', '.join(FILING_COLUMNS)}")
    missing = [c for c in ("uscc", "tier", "listed_on", "list_name") if c not in header]
    if missing:
        raise Rejected("file", "columns", f"missing columns: {', '.join(missing)}")


def validate_filing(number: int, raw: dict[str, str]) -> tuple[FilingRow | None, list[RowError]]:
    """(parsed, errors) for list row `number`; blanks mean 'not given'."""
    values = {k: v for k, v in raw.items() if v != ""}
    uscc = values.pop("uscc", "").upper()
    name = values.pop("name", "")
    if not uscc:
        return None, [RowError(number, "uscc", f"required (row names {name or 'no firm'})")]
    tier = values.get("tier")
    if tier is not None:
        values["tier"] = TIER_WORDS.get(tier, tier)
    grade = values.pop("grade", None)
    if grade is not None:
        values["unicorn_grade"] = GRADE_WORDS.get(grade, grade)
    try:
        return FilingRow(uscc, name, FilingIn.model_validate(values)), []
    except ValidationError as exc:
        return None, [RowError(number, ".".join(map(str, e["loc"])) or "row", e["msg"])
                      for e in exc.errors()]
