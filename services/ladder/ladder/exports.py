"""A dashboard table as CSV or Excel (.xlsx, written by openpyxl), with its headers in the
reader's language."""

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

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZH = {
    "key": "指标", "target": "目标", "achieved": "已完成", "progress": "完成率", "pace": "进度",
    "expected_by_now": "按时序应完成", "forecast_expected": "预测", "forecast_low": "预测下限",
    "forecast_high": "预测上限", "forecast_method": "预测方法", "district": "区市县",
    "industry": "产业", "tier": "梯度", "firms": "企业数", "share_of_city": "占全市比重",
    "filing_year": "备案年份", "eaglets": "雏鹰企业数", "firm_id": "企业ID", "name": "企业名称",
    "current_tier": "当前梯度", "failing_count": "未达标项数",
    "conversion_probability": "转化概率", "missing": "欠缺条件", "unicorn_grade": "独角兽等级",
    "at_risk": "预警", "filed_on": "备案日期", "expires_on": "到期日期", "round_year": "评价年度",
    "overridden": "人工调整", "near_miss_tier": "临近梯度",
    **{f"gazelle_within_{n}y": f"{n}年内成长为瞪羚" for n in (1, 2, 3)},
    **{f"share_within_{n}y": f"{n}年内转化率" for n in (1, 2, 3)},
    **{f"open_{n}y": f"{n}年期未满" for n in (1, 2, 3)},
}


def headers(table: Table, lang: str) -> list[str]:
    """Column titles: Chinese (default) or the column keys in English."""
    return [ZH.get(c, c) if lang == "zh" else c.replace("_", " ") for c in table.columns]


def _cell(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, date)) or value is None:
        return value
    return str(value)  # uuids


def csv_rows(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV text (no header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue()


async def stream_csv(table: Table, pages: AsyncIterator[list[dict[str, Any]]],
                     lang: str) -> AsyncIterator[bytes]:
    """`to_csv`'s bytes a page at a time: the header (after the byte-order mark) at once."""
    out = io.StringIO()
    csv.writer(out).writerow(headers(table, lang))
    yield out.getvalue().encode("utf-8-sig")
    async for page in pages:
        yield csv_rows(table.columns, page).encode("utf-8")


def to_csv(table: Table, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(table, lang))
    for row in table.rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in table.columns])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, lang: str) -> bytes:
    """One sheet, bold frozen header, columns sized to their content."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.name
    sheet.append(headers(table, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(row.get(c)) for c in table.columns])
    sheet.freeze_panes = "A2"
    for i, title in enumerate(headers(table, lang), start=1):
        longest = max([len(str(title)) * 2] + [len(str(r.get(table.columns[i - 1], "")))
                                               for r in table.rows[:500]])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
