"""`tracker import KIND FILE.csv`: the file through the
registry's POST /v1/imports, in chunks so progress shows, and the per-row error report as a
table and as CSV (`line`: the line of the file the row starts on). `tracker import template
KIND`: the registry's template for a kind."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from registry.import_spec import skip_comments
from tracker.client import ApiProblem, Registry
from tracker.client.registry import ImportKind
from tracker.progress import OnProgress

# row: the data row (1 = the first after the header); line: the file's line it starts on
ERROR_COLUMNS = ("row", "uscc", "fiscal_year", "field", "reason", "line")


class ImportRefused(Exception):
    """The file as a whole cannot be imported (not UTF-8, not CSV, refused by the registry)."""


@dataclass
class ImportReport:
    """What happened to every row of one file; `row` numbers count data rows from 1."""

    total_rows: int = 0
    applied: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    import_ids: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """How many rows had at least one error."""
        return len({e["row"] for e in self.errors})


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, data rows) of a UTF-8 CSV file."""
    header, rows, _ = read_lines(path)
    return header, rows


def read_lines(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """(header, data rows, the file line each data row starts on) of a UTF-8 CSV file; a
    template's comment lines (#) before the header are skipped, blank lines too."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"{path} is not UTF-8 text") from None
    if "\x00" in text:
        raise ImportRefused(f"{path} contains NUL characters; it is not CSV text")
    text, skipped = skip_comments(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        done = 0  # lines read so far: a record starts on the line after the last one's end
        for record in reader:
            if record:  # csv.DictReader skips blank lines too
                records.append((skipped + done + 1, record))
            done = reader.line_num
    except csv.Error as exc:
        raise ImportRefused(f"{path} is not valid CSV: {exc}") from None
    if not records:
        raise ImportRefused(f"{path} is empty; it needs a header row")
    return records[0][1], [r for _, r in records[1:]], [line for line, _ in records[1:]]


def _csv_text(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _refusal(problem: ApiProblem) -> str:
    if problem.errors:
        return "; ".join(f"{e.field}: {e.message}" for e in problem.errors)
    return f"HTTP {problem.status}: {problem.detail}"


async def import_file(registry: Registry, kind: ImportKind, path: Path, *,
                      chunk_rows: int = 1000, progress: OnProgress | None = None) -> ImportReport:
    """Send the file in chunks of `chunk_rows` rows, one import each, in file order."""
    header, rows, lines = read_lines(path)
    names = [h.strip() for h in header]
    report = ImportReport(total_rows=len(rows))
    for start in range(0, max(len(rows), 1), chunk_rows):
        chunk = rows[start:start + chunk_rows]
        try:
            answer = await registry.import_csv(kind, _csv_text(header, chunk), filename=path.name)
        except ApiProblem as exc:
            raise ImportRefused(f"the registry refused {path}: {_refusal(exc)}") from None
        report.import_ids.append(str(answer.id))
        report.applied += answer.applied
        report.unchanged += answer.unchanged
        for err in answer.errors:
            values = dict(zip(names, chunk[err.row - 1], strict=False))
            report.errors.append({"row": start + err.row, "uscc": values.get("uscc", ""),
                                  "fiscal_year": values.get("fiscal_year", ""),
                                  "field": err.field, "reason": err.reason,
                                  "line": lines[start + err.row - 1]})
        if progress is not None:
            progress(f"{kind}", start + len(chunk), len(rows))
    return report


def errors_path(path: Path) -> Path:
    """Where the error report of `path` goes: beside it, `<name>.errors.csv`."""
    return path.with_name(f"{path.stem}.errors.csv")


def write_errors(path: Path, report: ImportReport) -> Path:
    """Write the error report beside the input (a header only when every row passed)."""
    target = errors_path(path)
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=ERROR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.errors)
    return target


def error_table(report: ImportReport, *, limit: int = 50) -> Table:
    """The first `limit` errors as a table."""
    table = Table(title=f"rejected rows ({report.rejected})", title_justify="left")
    for column in ERROR_COLUMNS:
        table.add_column(column, overflow="fold", justify="right" if column == "row" else "left")
    for err in report.errors[:limit]:
        table.add_row(*(str(err[c]) for c in ERROR_COLUMNS))
    if len(report.errors) > limit:
        table.caption = f"… and {len(report.errors) - limit} more in the CSV report"
    return table


def run_import(registry_url: str, token: str, kind: ImportKind, path: Path, *,
               chunk_rows: int = 1000, console: Console | None = None) -> int:
    """The `tracker import` command: 0 when every row passed, 1 when some were rejected."""
    from tracker.progress import staged_progress

    out = console or Console()
    if not path.is_file():
        out.print(f"tracker: no file {path}", style="red")
        return 2

    async def send(progress: OnProgress) -> ImportReport:
        async with Registry(registry_url, token, timeout=300) as registry:
            return await import_file(registry, kind, path, chunk_rows=chunk_rows,
                                     progress=progress)

    try:
        with staged_progress(out) as progress:
            report = asyncio.run(send(progress))
    except ImportRefused as exc:
        out.print(f"tracker: {exc}", style="red")
        return 2
    written = write_errors(path, report)
    if report.errors:
        out.print(error_table(report))
    out.print(f"{report.total_rows} rows: {report.applied} applied, {report.unchanged} unchanged, "
              f"{report.rejected} rejected; error report: {written}")
    return 1 if report.errors else 0
