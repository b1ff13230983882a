"""Reading an import's CSV: decode, parse, validate each row. Pure: no I/O."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from registry.domain.models import AnnualReportIn, CertificateIn, FirmIn, FundingRoundIn
from registry.import_spec import skip_comments
from shared.errors import Rejected

ImportKind = Literal["firms", "reports", "filings", "applications", "funding_rounds",
                     "certificates"]
MAX_ROWS = 100_000
REPORT_KEYS = ("firm_id", "uscc", "fiscal_year")  # which report a row is, beside its figures
FACT_KEYS = ("firm_id", "uscc")  # whose funding round or certificate a row is
_RULE_FIELDS = {"valuation_ge_amount": "post_money_valuation",  # a rule across two columns
                "expires_after_issue": "expires_on"}  # names the column it refuses
FACT_MODELS: dict[str, type[FundingRoundIn] | type[CertificateIn]] = {
    "funding_rounds": FundingRoundIn, "certificates": CertificateIn}


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A valid report row: whose report (by id, or by USCC as written), which year, the
    figures."""

    firm_id: uuid.UUID | None
    uscc: str | None
    fiscal_year: int
    body: AnnualReportIn


@dataclass(frozen=True, slots=True)
class FactRow:
    """A valid funding-round or certificate row: whose (by id, or by USCC as written), and
    the fact as a single request would send it."""

    firm_id: uuid.UUID | None
    uscc: str | None
    body: FundingRoundIn | CertificateIn


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was not applied."""

    row: int
    field: str
    reason: str
    line: int | None = None  # the file's line the row starts on, when known


def decode(raw: bytes) -> str:
    """The upload as text; a 422 naming `file` when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected("file", "utf8", "the file is not UTF-8 text") from None


def read(text: str, kind: ImportKind) -> list[dict[str, str]]:
    """The CSV's rows as column → stripped text; a 422 naming `file` when it is not our CSV."""
    return read_lines(text, kind)[0]


def read_lines(text: str, kind: ImportKind) -> tuple[list[dict[str, str]], list[int]]:
    """(rows, the file line each row starts on): comment lines before the header, blank lines
    and quoted multi-line cells counted, so an error names the line an editor shows."""
    if "\x00" in text:
        raise Rejected("file", "no_nul", "the file contains NUL characters; it is not CSV text")
    try:
        return _parse(text, kind)
    except csv.Error as exc:  # the file is not CSV as the csv module reads it
        raise Rejected("file", "csv", f"the file is not valid CSV: {exc}") from None


def _parse(text: str, kind: ImportKind) -> tuple[list[dict[str, str]], list[int]]:
    text, skipped = skip_comments(text)  # a template's rules row
    blank: list[bool] = []  # per line the reader has taken: is it an empty line?

    def taken() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            blank.append(line in ("\n", "\r\n", "\r"))
            yield line

    reader = csv.DictReader(taken())
    if not reader.fieldnames:
        raise Rejected("file", "csv_header", "the CSV file is empty or has no header row")
    if kind in ("filings", "applications"):  # imported here: they import this module
        from registry.domain import application_import, filing_import
        checks = {"filings": filing_import.check_columns,
                  "applications": application_import.check_columns}
        checks[kind]([c.strip() for c in reader.fieldnames])
        allowed: set[str] = {c.strip() for c in reader.fieldnames}
    else:
        allowed = set(FirmIn.model_fields) if kind == "firms" else (
            set(FACT_MODELS[kind].model_fields) | set(FACT_KEYS) if kind in FACT_MODELS
            else set(AnnualReportIn.model_fields) | set(REPORT_KEYS))
    unknown = [c for c in reader.fieldnames if c.strip() not in allowed]
    if unknown:
        raise Rejected("file", "csv_columns", f"unknown columns: {', '.join(unknown)}; "
                       f"allowed: {', '.join(sorted(allowed))}")
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    while True:
        mark = len(blank)
        record = next(reader, None)
        if record is None:
            break
        rows.append({k.strip(): (v or "").strip() for k, v in record.items() if k})
        # a record starts on the first non-empty line it took (empty ones are skipped rows)
        lines.append(skipped + 1 + next(i for i in range(mark, len(blank)) if not blank[i]))
    if len(rows) > MAX_ROWS:
        raise Rejected("file", "max_rows", f"{len(rows)} rows; at most {MAX_ROWS} per import")
    return rows, lines


def validate(number: int, kind: ImportKind, raw: dict[str, str]
             ) -> tuple[FirmIn | ReportRow | FactRow | None, list[RowError]]:
    """(parsed, errors) for row `number`; blanks mean 'not given'."""
    values = {k: v for k, v in raw.items() if v != ""}
    keys: dict[str, str] = {}
    if kind in FACT_MODELS:
        return validate_fact(number, kind, values)
    if kind == "reports":
        keys = {k: values.pop(k) for k in REPORT_KEYS if k in values}
        if "fiscal_year" not in keys or not keys["fiscal_year"].isdigit():
            return None, [RowError(number, "fiscal_year", "required: a year such as 2021")]
        if "firm_id" not in keys and "uscc" not in keys:
            return None, [RowError(number, "firm_id", "give firm_id or uscc")]
    try:
        if kind == "firms":
            return FirmIn.model_validate(values), []
        body = AnnualReportIn.model_validate(values)
    except ValidationError as exc:
        return None, [RowError(number, ".".join(map(str, e["loc"])) or "row", e["msg"])
                      for e in exc.errors()]
    return _report_row(number, keys, body)


def validate_fact(number: int, kind: ImportKind, values: dict[str, str]
                  ) -> tuple[FactRow | None, list[RowError]]:
    """A funding-round or certificate row: whose (firm_id or uscc), then the fact by the
    single request's model, so its errors name the same fields."""
    keys = {k: values.pop(k) for k in FACT_KEYS if k in values}
    if not keys:
        return None, [RowError(number, "firm_id", "give firm_id or uscc")]
    firm_id, bad = _firm_id(number, keys)
    if bad is not None:
        return None, [bad]
    try:
        body = FACT_MODELS[kind].model_validate(values)
    except ValidationError as exc:
        return None, [RowError(number, ".".join(map(str, e["loc"])) or _RULE_FIELDS.get(
            e["type"], "row"), e["msg"]) for e in exc.errors()]
    return FactRow(firm_id, keys.get("uscc"), body), []


def _firm_id(number: int, keys: dict[str, str]) -> tuple[uuid.UUID | None, RowError | None]:
    """The row's firm_id as a UUID (None when the row names its firm by uscc), or the error."""
    if "firm_id" not in keys:
        return None, None
    try:
        return uuid.UUID(keys["firm_id"]), None
    except ValueError:
        return None, RowError(number, "firm_id", "firm_id is not a UUID")


def _report_row(number: int, keys: dict[str, str], body: AnnualReportIn
                ) -> tuple[ReportRow | None, list[RowError]]:
    firm_id, bad = _firm_id(number, keys)
    if bad is not None:
        return None, [bad]
    return ReportRow(firm_id, keys.get("uscc"), int(keys["fiscal_year"]), body), []
