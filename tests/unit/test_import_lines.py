"""`tracker import`'s error file: `line` is the line of the file the rejected row starts on,
whatever comes before it (a template's comment rows, blank lines, a quoted multi-line cell)
and however the file was cut into requests."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from registry.import_spec import template_csv
from tracker.importer import import_file, read_lines, write_errors

pytestmark = pytest.mark.unit


class RefusingRegistry:
    """Answers each chunk like the registry: every row whose name starts with BAD is refused."""

    def __init__(self) -> None:
        self.chunks: list[str] = []

    async def import_csv(self, kind: str, text: bytes, *, filename: str) -> Any:
        decoded = text.decode()
        self.chunks.append(decoded)
        rows = list(csv.DictReader(decoded.splitlines()))
        errors = [SimpleNamespace(row=n, field="name", reason="bad")
                  for n, r in enumerate(rows, start=1) if r["name"].startswith("BAD")]
        return SimpleNamespace(id=uuid.uuid4(), applied=len(rows) - len(errors), unchanged=0,
                               errors=errors)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_count_comments_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "# rules\n# example: a,b\nuscc,name\n"
                 "1,one\n\n2,\"two\nlines\"\n3,three\n")
    header, rows, lines = read_lines(path)
    assert header == ["uscc", "name"] and [r[0] for r in rows] == ["1", "2", "3"]
    assert lines == [4, 6, 8]


async def test_the_error_file_names_the_files_lines(tmp_path: Path) -> None:
    body = "".join(f"{n},{'BAD' if n in (2, 5) else 'ok'}{n}\n" for n in range(1, 7))
    text = template_csv("firms").split("\n", 2)
    path = write(tmp_path / "firms.csv", f"{text[0]}\n{text[1]}\nuscc,name\n\n{body}")
    registry = RefusingRegistry()
    report = await import_file(registry, "firms", path, chunk_rows=2)  # type: ignore[arg-type]
    assert [(e["row"], e["line"]) for e in report.errors] == [(2, 6), (5, 9)]
    file_lines = path.read_text(encoding="utf-8").splitlines()
    for err in report.errors:
        assert file_lines[err["line"] - 1].split(",")[1].startswith("BAD")
    assert all(not c.startswith("#") for c in registry.chunks)  # comments stay home
    with open(write_errors(path, report), newline="", encoding="utf-8") as out:
        written = list(csv.DictReader(out))
    assert [(r["row"], r["line"]) for r in written] == [("2", "6"), ("5", "9")]
