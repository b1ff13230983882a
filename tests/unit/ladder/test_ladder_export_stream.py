"""The standings export streams a page at a time and gives the same bytes as the whole table."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from ladder.exports import stream_csv, to_csv
from ladder.queries.tables import STANDING_COLUMNS, Table

pytestmark = pytest.mark.unit


def _row(i: int) -> dict[str, Any]:
    return {"firm_id": uuid.UUID(int=i), "name": f"大连星海{i}科技有限公司", "district": "hitech",
            "industry": "other", "tier": "eaglet", "unicorn_grade": None, "at_risk": i % 2 == 0,
            "filed_on": date(2022, 3, 1), "expires_on": None, "round_year": 2022,
            "overridden": False, "near_miss_tier": "gazelle" if i % 3 else None,
            "sequence": i}  # a column the table does not show


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_streamed_csv_equals_the_whole_table(lang: str) -> None:
    rows = [_row(i) for i in range(1, 1201)]

    async def pages() -> AsyncIterator[list[dict[str, Any]]]:
        for start in range(0, len(rows), 500):
            yield rows[start:start + 500]

    async def collect() -> list[bytes]:
        header = Table("standings", STANDING_COLUMNS, [])
        return [chunk async for chunk in stream_csv(header, pages(), lang)]

    chunks = asyncio.run(collect())
    assert len(chunks) == 4  # the header first, on its own, then one chunk a page
    assert chunks[0].startswith(b"\xef\xbb\xbf") and chunks[0].count(b"\n") == 1
    assert b"".join(chunks) == to_csv(Table("standings", STANDING_COLUMNS, rows), lang)
