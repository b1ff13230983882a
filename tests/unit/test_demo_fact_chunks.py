"""The demo's funding rounds and certificates as the imports' CSV chunks: every fact once, a
firm's rows in one chunk, each row valid as the import reads it."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.csv_import import FactRow, read, validate
from tracker.demo import generate
from tracker.demo.population import FACT_COLUMNS, csv_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("kind", sorted(FACT_COLUMNS))
def test_fact_chunks_keep_a_firms_rows_together_and_import_as_they_are(kind: str) -> None:
    data = generate(7, 400, as_of=date(2024, 6, 1), shape="dalian")
    chunks = data.fact_chunks(kind, chunk_rows=50)
    want = data.funding_round_count if kind == "funding_rounds" else data.certificate_count
    assert want > 0 and sum(len(c) for c in chunks) == want
    assert all(len(c) <= 50 for c in chunks if len({r["uscc"] for r in c}) > 1)
    owners = [{r["uscc"] for r in c} for c in chunks]
    assert all(not (a & b) for i, a in enumerate(owners) for b in owners[i + 1:])
    rows = read(csv_text(FACT_COLUMNS[kind], chunks[0]), kind)  # type: ignore[arg-type]
    for number, row in enumerate(rows, start=1):
        parsed, errors = validate(number, kind, row)  # type: ignore[arg-type]
        assert errors == [] and isinstance(parsed, FactRow)
    if kind == "funding_rounds":
        for firm in data.firms:
            mine = [r["closed_on"] for c in chunks for r in c if r["uscc"] == firm.uscc]
            assert mine == sorted(mine)  # oldest first, as the single calls were sent
