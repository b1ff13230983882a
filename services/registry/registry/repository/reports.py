"""Annual reports and the versions restatements replaced."""

from __future__ import annotations

import uuid
from typing import Any

from registry.repository.base import (
    FIRM_COLUMNS,
    REPORT_FIELDS,
    REPORT_KEEPS,
    Row,
    Sql,
    rows,
)
from shared.db import record

_INT = ("employees", "st_staff", "ip_class1", "ip_class2")
_CASTS = ", ".join(f"${i}::{'int' if f in _INT else 'date' if f == 'filed_on' else 'bigint'}[]"
                   for i, f in enumerate(REPORT_KEEPS, start=5))
_KEEPS = ", ".join(REPORT_KEEPS)
_FIRM_AND_REPORT = (
    "SELECT " + ", ".join(f"f.{c} AS firm__{c}" for c in FIRM_COLUMNS) + ", r.* FROM firms f"
    " LEFT JOIN annual_reports r ON r.firm_id = f.id AND r.fiscal_year = $2"
    " WHERE f.id = $1 FOR UPDATE OF f")
# one statement for any number of reports: the versions they replace into history, then each
# report inserted or overwritten as its next version
_SAVE = (
    "WITH history AS (INSERT INTO annual_report_history (firm_id, fiscal_year, version, data)"
    " SELECT h.firm_id, h.fiscal_year, h.version, h.data FROM unnest("
    "$1::uuid[], $2::int[], $3::int[], $4::jsonb[]) AS h(firm_id, fiscal_year, version, data)"
    " WHERE h.data IS NOT NULL)"
    f" INSERT INTO annual_reports (firm_id, fiscal_year, {_KEEPS})"
    f" SELECT * FROM unnest($1::uuid[], $2::int[], {_CASTS})"
    " ON CONFLICT (firm_id, fiscal_year) DO UPDATE SET "
    + ", ".join(f"{f} = EXCLUDED.{f}" for f in REPORT_KEEPS)
    + ", version = annual_reports.version + 1, updated_at = now() RETURNING *")


def version_data(old: Row) -> dict[str, Any]:
    """What history keeps of a replaced version."""
    return {**{f: old[f] for f in REPORT_FIELDS}, "filed_on": old["filed_on"].isoformat()}


class ReportSql(Sql):
    """Reading and writing annual reports."""

    async def firm_and_report(self, firm_id: uuid.UUID,
                              fiscal_year: int) -> tuple[Row | None, Row | None]:
        """The firm, locked for this transaction, and its report for the year (one round
        trip for what every report PUT reads)."""
        found = await self.conn.fetchrow(_FIRM_AND_REPORT, firm_id, fiscal_year)
        if found is None:
            return None, None
        firm = {c: found[f"firm__{c}"] for c in FIRM_COLUMNS}
        report = {k: v for k, v in found.items() if not k.startswith("firm__")}
        return firm, report if report["firm_id"] is not None else None

    async def report(self, firm_id: uuid.UUID, fiscal_year: int) -> Row | None:
        """A year's report, current version."""
        return record(await self.conn.fetchrow(
            "SELECT * FROM annual_reports WHERE firm_id = $1 AND fiscal_year = $2",
            firm_id, fiscal_year))

    async def reports_of(self, keys: list[tuple[uuid.UUID, int]]) -> dict[tuple[uuid.UUID, int], Row]:
        """The stored reports among these (firm, fiscal year) pairs."""
        found = await self.conn.fetch(
            "SELECT r.* FROM annual_reports r JOIN unnest($1::uuid[], $2::int[]) AS k(f, y)"
            " ON r.firm_id = k.f AND r.fiscal_year = k.y",
            [f for f, _ in keys], [y for _, y in keys])
        return {(r["firm_id"], r["fiscal_year"]): dict(r) for r in found}

    async def earliest_report_year(self, firm_id: uuid.UUID) -> int | None:
        """The first fiscal year the firm reported, if any."""
        year: int | None = await self.conn.fetchval(
            "SELECT min(fiscal_year) FROM annual_reports WHERE firm_id = $1", firm_id)
        return year

    async def save_reports(self, reports: list[tuple[uuid.UUID, int, dict[str, Any], Row | None]]
                           ) -> dict[tuple[uuid.UUID, int], Row]:
        """File or restate reports, each given as (firm, year, data, the version it replaces
        or None); at most one per (firm, year). The reports as stored now."""
        olds = [old for *_, old in reports]
        saved = await self.conn.fetch(
            _SAVE, [r[0] for r in reports], [r[1] for r in reports],
            [old["version"] if old is not None else None for old in olds],
            [version_data(old) if old is not None else None for old in olds],
            *([data[f] for _, _, data, _ in reports] for f in REPORT_KEEPS))
        return {(r["firm_id"], r["fiscal_year"]): dict(r) for r in saved}

    async def report_history(self, firm_id: uuid.UUID, fiscal_year: int) -> list[Row]:
        """The versions restatements replaced, oldest first."""
        return rows(await self.conn.fetch(
            "SELECT version, data, replaced_at FROM annual_report_history"
            " WHERE firm_id = $1 AND fiscal_year = $2 ORDER BY version", firm_id, fiscal_year))

