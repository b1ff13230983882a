"""The contract check itself: it refuses events that break their exported schema."""

from __future__ import annotations

import pytest

from shared.event_examples import example
from tests.contracts.published import problems_of

pytestmark = pytest.mark.unit


def test_the_check_refuses_what_breaks_a_schema() -> None:
    """The contract check can fail: a wrong type, a missing field, an unknown event."""
    good = example("TierPromoted").model_dump_json().encode()
    assert problems_of(good) == ("TierPromoted", [])
    bad = good.replace(b'"to_tier":"eaglet"', b'"to_tier":"dragon"')
    assert problems_of(bad)[1] and "to_tier" in problems_of(bad)[1][0]
    missing = good.replace(b'"round_year":2022,', b"")
    assert any("round_year" in p for p in problems_of(missing)[1])
    assert problems_of(b'{"event_type": "FirmExploded", "schema_version": 1}')[1]
    assert problems_of(b"not json")[1]
