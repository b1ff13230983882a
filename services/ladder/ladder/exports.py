"""A dashboard table as CSV or Excel (.xlsx, written by openpyxl), with its headers in the
reader's language: Chinese (default) headers, codes and gap sentences, numbers rounded."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ladder.queries.tables import Table
from shared import catalogue
from shared.catalogue.render import gap_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# columns whose values are codes: the reader's language names them
_CODES = {"key": "tier", "tier": "tier", "current_tier": "tier", "near_miss_tier": "tier",
          "district": "district", "industry": "industry"}
_RATIOS = {"progress", "share_of_city", "conversion_probability",
           *(f"share_within_{n}y" for n in (1, 2, 3))}


def headers(table: Table, lang: str) -> list[str]:
    """Column titles: Chinese from the catalogue (default), or the column keys in English
    (an English export stays machine-readable: codes and keys as the API gives them)."""
    found = catalogue.words("zh")
    return [found.get(f"col.{c}", c) if lang == "zh" else c.replace("_", " ")
            for c in table.columns]


def value(column: str, row: dict[str, Any], lang: str) -> Any:
    """One cell in the reader's language: codes named, numbers rounded, gaps in words."""
    raw = row.get(column)
    if raw is None:
        return None
    if isinstance(raw, float):
        return catalogue.figure(raw, 4 if column in _RATIOS else 2)
    if lang != "zh":
        return raw
    if column == "missing" and row.get("gaps") is not None:
        return "；".join(gap_text(lang, g) for g in row["gaps"])
    if column == "forecast_method" and row.get("forecast_key"):
        return catalogue.text(lang, row["forecast_key"], **(row.get("forecast_params") or {}))
    if isinstance(raw, bool):
        return catalogue.code(lang, "bool", raw)
    if column in _CODES:
        return catalogue.words(lang).get(f"{_CODES[column]}.{raw}", raw)
    if column == "pace":
        return catalogue.code(lang, "pace", raw)
    if column == "unicorn_grade":
        return catalogue.code(lang, "grade", raw)
    return raw


def _cell(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, date)) or value is None:
        return value
    return str(value)  # uuids


def csv_rows(columns: Sequence[str], rows: Iterable[dict[str, Any]], lang: str) -> str:
    """Rows as CSV text in the reader's language (no header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        cells = [value(c, row, lang) for c in columns]
        writer.writerow(["" if v is None else _cell(v) for v in cells])
    return out.getvalue()


async def stream_csv(table: Table, pages: AsyncIterator[list[dict[str, Any]]],
                     lang: str) -> AsyncIterator[bytes]:
    """`to_csv`'s bytes a page at a time: the header (after the byte-order mark) at once."""
    out = io.StringIO()
    csv.writer(out).writerow(headers(table, lang))
    yield out.getvalue().encode("utf-8-sig")
    async for page in pages:
        yield csv_rows(table.columns, page, lang).encode("utf-8")


def to_csv(table: Table, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(table, lang))
    return (out.getvalue() + csv_rows(table.columns, table.rows, lang)).encode("utf-8-sig")


def to_xlsx(table: Table, lang: str) -> bytes:
    """One sheet, bold frozen header, columns sized to their content."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.name
    sheet.append(headers(table, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(value(c, row, lang)) for c in table.columns])
    sheet.freeze_panes = "A2"
    for i, title in enumerate(headers(table, lang), start=1):
        longest = max([len(str(title)) * 2] + [len(str(r.get(table.columns[i - 1], "")))
                                               for r in table.rows[:500]])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
