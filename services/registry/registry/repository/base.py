"""What every part of the repository shares: column lists, row helpers, the `Sql` base."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.repository import Sql

PRODUCER = "registry"
PROFILE_FIELDS = (
    "uscc", "name", "district", "industry", "founded_on", "company_kind",
    "listed", "abnormal_list", "dishonest_list",
)
REPORT_FIELDS = (
    "revenue", "sales_revenue", "total_assets", "employees", "st_staff", "rd_expense",
    "st_activity_investment", "high_tech_revenue", "ip_class1", "ip_class2", "total_cost",
)
# what a report version holds: its figures and its valid date
REPORT_KEEPS = (*REPORT_FIELDS, "filed_on")
FIRM_COLUMNS = ("id", *PROFILE_FIELDS, "sequence", "created_at", "updated_at")
FIRM = ", ".join(FIRM_COLUMNS)
Row = dict[str, Any]
__all__ = ["FIRM", "FIRM_COLUMNS", "PRODUCER", "PROFILE_FIELDS", "REPORT_FIELDS", "REPORT_KEEPS",
           "Row", "Sql", "one", "rows"]


def one(row: asyncpg.Record | None) -> Row:
    """A row a statement always yields (RETURNING, an aggregate)."""
    assert row is not None
    return dict(row)


def rows(records: list[asyncpg.Record]) -> list[Row]:
    """Rows as plain dicts, so the fake repository answers the same types."""
    return [dict(r) for r in records]
