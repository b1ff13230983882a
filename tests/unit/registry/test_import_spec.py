"""The import files' documented columns are the columns the import reads; the templates
import as they are (their rules and example are comment rows)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from registry.domain import application_import, csv_import, filing_import
from registry.domain.models import AnnualReportIn, CertificateIn, FirmIn, FundingRoundIn
from registry.import_spec import (
    FORMATS,
    KINDS,
    SPEC,
    Column,
    example_row,
    help_text,
    rules_line,
    skip_comments,
    template_csv,
    template_xlsx,
)
from shared.codes import DISTRICTS, INDUSTRIES
from shared.errors import Rejected

pytestmark = pytest.mark.unit


def names(kind: str) -> set[str]:
    return {c.name for c in SPEC[kind]}  # type: ignore[index]


def test_the_documented_columns_are_the_columns_the_import_reads() -> None:
    assert names("firms") == set(FirmIn.model_fields)
    assert names("reports") == set(AnnualReportIn.model_fields) | set(csv_import.REPORT_KEYS)
    assert [c.name for c in SPEC["filings"]] == list(filing_import.FILING_COLUMNS)
    assert [c.name for c in SPEC["applications"]] == list(application_import.APPLICATION_COLUMNS)


def test_codes_are_the_shared_code_lists() -> None:
    firms = {c.name: c for c in SPEC["firms"]}
    assert firms["district"].codes == DISTRICTS and firms["industry"].codes == INDUSTRIES


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_is_described_with_its_unit(kind: str) -> None:
    text = help_text(kind)  # type: ignore[arg-type]
    for column in SPEC[kind]:  # type: ignore[index]
        assert f"{column.name} ({'required' if column.required else 'optional'}, " \
               f"{column.kind})" in text
    assert rules_line(kind).startswith("# ")  # type: ignore[arg-type]
    assert "\n" not in rules_line(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS)
def test_the_csv_template_reads_as_an_empty_import(kind: str) -> None:
    text = template_csv(kind)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0].startswith("# ") and lines[1].startswith("# example: ")
    assert lines[2].split(",") == [c.name for c in SPEC[kind]]  # type: ignore[index]
    assert csv_import.read(text, kind) == []  # type: ignore[arg-type]


def test_the_examples_are_valid_rows() -> None:
    for kind in ("firms", "reports"):
        header = [c.name for c in SPEC[kind]]  # type: ignore[index]
        row = dict(zip(header, example_row(kind), strict=True))  # type: ignore[arg-type]
        parsed, errors = csv_import.validate(1, kind, row)  # type: ignore[arg-type]
        assert errors == [] and parsed is not None, errors
    header = [c.name for c in SPEC["filings"]]
    filing, errors = filing_import.validate_filing(1, dict(zip(header, example_row("filings"),
                                                                 strict=True)))
    assert errors == [] and filing is not None
    header = [c.name for c in SPEC["applications"]]
    application, errors = application_import.validate_application(
        1, dict(zip(header, example_row("applications"), strict=True)))
    assert errors == [] and application is not None


def test_the_xlsx_template_of_filings_reads_as_an_empty_list() -> None:
    assert filing_import.read_xlsx(template_xlsx("filings")) == []


def test_a_comment_after_the_header_is_data_not_skipped() -> None:
    assert skip_comments("# rules\n\"# quoted by a spreadsheet\"\nuscc\n# x\n") == (
        "uscc\n# x\n", 2)
    with contextlib.suppress(Rejected):
        assert csv_import.read("# rules\nuscc,name\n", "firms") == []


def test_import_help_lists_every_kind_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import parser

    with pytest.raises(SystemExit):
        parser().parse_args(["import", "--help"])
    out = capsys.readouterr().out
    for kind in KINDS:
        assert f"{kind} (" in out
        for column in SPEC[kind]:
            assert f"  {column.name} (" in out, column.name
    assert "万元" in out and "YYYY-MM-DD" in out


def test_import_template_writes_the_template(capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import main

    assert main(["import", "template", "reports"]) == 0
    assert capsys.readouterr().out == template_csv("reports")
    assert main(["import", "template", "firms", "--xlsx", "-o", "x.xlsx"]) == 2


def test_each_row_knows_the_line_it_starts_on() -> None:
    text = template_csv("firms") + "a,x\n\nb,\"two\nlines\"\r\nc,y\n"
    rows, lines = csv_import.read_lines(text, "firms")
    assert [r["uscc"] for r in rows] == ["a", "b", "c"]
    assert lines == [4, 6, 8]  # 1-2: comments, 3: header, 5: empty, 6-7: one record


def readme_row(column: Column) -> str:
    codes = f"; one of {', '.join(f'`{c}`' for c in column.codes)}" if column.codes else ""
    need = "required" if column.required else "optional"
    return f"| `{column.name}` | {need} | {column.kind} | {column.rule}{codes} |"


@pytest.mark.parametrize("kind", KINDS)
def test_the_readme_lists_every_kind_as_the_spec_does(kind: str) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"*{kind}* ({FORMATS[kind]}):", 1)  # type: ignore[index]
    assert len(section) == 2, f"README has no *{kind}* table"
    table = section[1].split("\n\n", 2)[1]
    assert table.splitlines()[2:] == [readme_row(c) for c in SPEC[kind]]  # type: ignore[index]


def test_the_fact_kinds_read_the_single_requests_fields() -> None:
    assert names("funding_rounds") == set(FundingRoundIn.model_fields) | set(
        csv_import.FACT_KEYS)
    assert names("certificates") == set(CertificateIn.model_fields) | set(csv_import.FACT_KEYS)
    for kind in ("funding_rounds", "certificates"):
        header = [c.name for c in SPEC[kind]]  # type: ignore[index]
        row = dict(zip(header, example_row(kind), strict=True))  # type: ignore[arg-type]
        parsed, errors = csv_import.validate(1, kind, row)  # type: ignore[arg-type]
        assert errors == [] and isinstance(parsed, csv_import.FactRow), errors
