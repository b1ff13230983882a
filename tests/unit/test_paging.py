"""One cursor scheme: opaque, round-trips, and a forged one is a 422 naming `cursor`."""

from __future__ import annotations

import pytest

from shared.errors import Rejected
from shared.paging import BIGINT_MAX, cursor_for, page_of, position_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("position", [0, 7, BIGINT_MAX, "3f1c", "2024-01-01|x"])
def test_cursor_round_trips(position: int | str) -> None:
    assert position_of(cursor_for(position), type(position)) == position


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", cursor_for(-1), cursor_for(BIGINT_MAX + 1),
                                    cursor_for("a-string"), cursor_for(True)])
def test_forged_cursor_is_rejected(cursor: str) -> None:
    with pytest.raises(Rejected) as caught:
        position_of(cursor, int)
    assert caught.value.extra == {"field": "cursor", "rule": "cursor"}


def test_page_of_uses_the_extra_row_only_to_say_there_is_more() -> None:
    assert position_of(None, int) is None
    full = page_of([1, 2, 3], 2, lambda n: n)
    assert full.items == [1, 2] and position_of(full.next_cursor, int) == 2
    last = page_of([1, 2], 2, lambda n: n)
    assert last.items == [1, 2] and last.next_cursor is None
