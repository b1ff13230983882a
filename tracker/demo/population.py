"""The demo population's shape: its firms, their facts, and the CSV texts the loader sends."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

FIRST_FY, LAST_FY = 2018, 2022
REFERENCE_DAY = date(LAST_FY + 1, 1, 1)  # when FY2022 data is evaluated (round 2023)
CSV_CHUNK_ROWS = 2000
FIRM_COLUMNS = ("uscc", "name", "district", "industry", "founded_on", "company_kind", "listed",
                "abnormal_list")
REPORT_COLUMNS = ("uscc", "fiscal_year", "filed_on", "revenue", "sales_revenue", "total_assets", "employees",
                  "st_staff", "rd_expense", "st_activity_investment", "high_tech_revenue",
                  "ip_class1", "ip_class2")
# the funding_rounds and certificates imports' columns the demo fills
FACT_COLUMNS = {
    "funding_rounds": ("uscc", "closed_on", "amount", "currency", "post_money_valuation",
                       "investor_kind"),
    "certificates": ("uscc", "kind", "issued_on", "expires_on", "number"),
}


@dataclass
class DemoFirm:
    """One synthetic firm with every fact the loader sends for it."""

    profile: str
    uscc: str
    name: str
    district: str
    industry: str
    founded_on: date
    company_kind: str = "independent"
    listed: bool = False
    abnormal_list: bool = False
    reports: dict[int, dict[str, int]] = field(default_factory=dict)
    filed: dict[int, date] = field(default_factory=dict)  # fiscal year -> filing date
    funding_rounds: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)

    def firm_row(self) -> dict[str, Any]:
        """The firm as a POST /v1/firms body (and a firms-CSV row)."""
        return {"uscc": self.uscc, "name": self.name, "district": self.district,
                "industry": self.industry, "founded_on": self.founded_on.isoformat(),
                "company_kind": self.company_kind, "listed": self.listed,
                "abnormal_list": self.abnormal_list}


@dataclass
class DemoData:
    """The whole population."""

    seed: int
    as_of: date
    firms: list[DemoFirm]

    @property
    def report_count(self) -> int:
        return sum(len(f.reports) for f in self.firms)

    @property
    def funding_round_count(self) -> int:
        return sum(len(f.funding_rounds) for f in self.firms)

    @property
    def certificate_count(self) -> int:
        return sum(len(f.certificates) for f in self.firms)

    def profiles(self) -> Counter[str]:
        """How many firms of each profile."""
        return Counter(f.profile for f in self.firms)

    def firms_csv(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[str]:
        """Firms as CSV texts of at most `chunk_rows` rows each."""
        rows = [f.firm_row() for f in self.firms]
        return [csv_text(FIRM_COLUMNS, part) for part in _chunks(rows, chunk_rows)]

    def report_chunks(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[list[dict[str, Any]]]:
        """Report rows (firms keyed by USCC, oldest year first) in chunks of at most
        `chunk_rows` rows; a firm's reports are never split between chunks."""
        chunks: list[list[dict[str, Any]]] = [[]]
        for f in self.firms:
            rows = [{"uscc": f.uscc, "fiscal_year": fy, "filed_on": f.filed[fy].isoformat(), **r}
                    for fy, r in sorted(f.reports.items())]
            if len(chunks[-1]) + len(rows) > chunk_rows:
                chunks.append([])
            chunks[-1].extend(rows)
        return [c for c in chunks if c]

    def fact_chunks(self, kind: str, chunk_rows: int = CSV_CHUNK_ROWS
                    ) -> list[list[dict[str, Any]]]:
        """A kind's rows ("funding_rounds", oldest first, or "certificates"; firms keyed by
        USCC) in chunks of at most `chunk_rows` rows; a firm's rows never split between
        chunks."""
        chunks: list[list[dict[str, Any]]] = [[]]
        for f in self.firms:
            facts = (sorted(f.funding_rounds, key=lambda r: r["closed_on"])
                     if kind == "funding_rounds" else f.certificates)
            rows = [{"uscc": f.uscc, **fact} for fact in facts]
            if len(chunks[-1]) + len(rows) > chunk_rows:
                chunks.append([])
            chunks[-1].extend(rows)
        return [c for c in chunks if c]

    def reports_csv(self, chunk_rows: int = CSV_CHUNK_ROWS) -> list[str]:
        """Reports as CSV texts of at most `chunk_rows` rows each."""
        return [csv_text(REPORT_COLUMNS, part) for part in self.report_chunks(chunk_rows)]


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def csv_text(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """Rows as a CSV text with a header (booleans as `true`/`false`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: str(v).lower() if isinstance(v, bool) else v
                         for k, v in row.items()})
    return out.getvalue()

