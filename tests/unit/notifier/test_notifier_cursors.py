"""The notifier's list cursors: the last row's place in the list's order, opaque, checked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from notifier.queries import _ALERT_KEY, _AT_ID
from shared.errors import Rejected
from shared.paging import cursor_for, joined, page_of, parts_of

pytestmark = pytest.mark.unit

AT = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)


def test_a_cursor_gives_back_the_typed_position_of_the_last_row() -> None:
    last = uuid.uuid4()
    rows = [{"read": False, "at": AT, "id": uuid.uuid4()}, {"read": True, "at": AT, "id": last},
            {"read": True, "at": AT, "id": uuid.uuid4()}]
    page = page_of(rows, 2, lambda r: joined(r["read"], r["at"], r["id"]))
    assert page.items == rows[:2]
    assert parts_of(page.next_cursor, *_ALERT_KEY) == (True, AT, last)
    assert parts_of(None, *_AT_ID) is None


@pytest.mark.parametrize("position", [
    "12", "True|2026-12-02T01:02:03+00:00",
    "yes|2026-12-02T01:02:03+00:00|d3ff6242-0389-4947-a7d8-eb519d3166da",  # fixed ids: xdist
    "True|not-a-time|fd6275f5-b59e-462b-9362-be431189b9e5",  # workers collect the same tests
    "False|2026-12-02T01:02:03+00:00|not-a-uuid",
])
def test_a_forged_cursor_is_a_422_naming_the_cursor(position: str) -> None:
    with pytest.raises(Rejected) as caught:
        parts_of(cursor_for(position), *_ALERT_KEY)
    assert caught.value.extra == {"field": "cursor", "rule": "cursor"}
    with pytest.raises(Rejected):
        parts_of(cursor_for(7), *_AT_ID)  # a number is some other list's cursor, not ours
