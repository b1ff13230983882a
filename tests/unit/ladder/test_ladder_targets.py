"""Targets: progress, pace, forecast and milestones."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.domain.targets import (
    conversion_probability,
    elapsed_share,
    forecast,
    milestones_crossed,
    pace,
    progress,
)

pytestmark = pytest.mark.unit


def test_elapsed_share_of_year() -> None:
    assert elapsed_share(date(2021, 12, 31), 2022) == 0.0
    assert elapsed_share(date(2022, 1, 1), 2022) == pytest.approx(1 / 365)
    assert elapsed_share(date(2022, 7, 2), 2022) == pytest.approx(183 / 365)
    assert elapsed_share(date(2022, 12, 31), 2022) == 1.0


def test_progress() -> None:
    assert progress(85, 170) == 0.5
    assert progress(3, 0) is None


@pytest.mark.parametrize(("achieved", "expected"), [
    (100, "ahead"), (94, "ahead"), (93, "on_track"), (77, "on_track"), (76, "behind"), (0, "behind"),
])
def test_pace_within_ten_percent_of_expected_is_on_track(achieved: int, expected: str) -> None:
    # 170 x 183/365 = 85.23 expected by 2 July; on track within +/-8.52.
    assert pace(achieved, 170, date(2022, 7, 2), 2022) == expected


def test_pace_before_the_year_starts() -> None:
    assert pace(0, 170, date(2021, 12, 1), 2022) == "on_track"
    assert pace(1, 170, date(2021, 12, 1), 2022) == "ahead"


def test_forecast_with_probabilities_spells_out_the_method() -> None:
    f = forecast(40, [0.5, 0.3, 0.1], 0.5)
    assert f.expected == pytest.approx(40.9)
    assert (f.low, f.high) == (40, 43)
    assert f.run_rate == pytest.approx(80.0)
    assert "40 achieved + 0.90 expected conversions from 3 current candidates" in f.method
    assert "Run-rate extrapolation: 40 / 0.50" in f.method


def test_forecast_with_a_count_uses_a_flat_probability() -> None:
    f = forecast(10, 5, 0.0)
    assert f.expected == pytest.approx(11.0)
    assert (f.low, f.high, f.run_rate) == (10, 15, None)
    assert "flat 20%" in f.method and "not available" in f.method


def test_forecast_rejects_bad_probabilities() -> None:
    with pytest.raises(ValueError):
        forecast(1, [1.5], 0.5)


def test_conversion_probability_heuristic() -> None:
    assert conversion_probability(1, 0.05) == 0.5
    assert conversion_probability(1, 0.2) == 0.3
    assert conversion_probability(1, 0.9) == 0.15
    assert conversion_probability(2, 0.1) == 0.1
    assert conversion_probability(4, 0.1) == 0.02


def test_milestones_crossed() -> None:
    assert milestones_crossed(0, 1, 1) == ["first", "25%", "50%", "75%", "100%"]
    assert milestones_crossed(0, 1, 170) == ["first"]
    assert milestones_crossed(42, 43, 170) == ["25%"]  # 42.5 reached at 43
    assert milestones_crossed(84, 85, 170) == ["50%"]
    assert milestones_crossed(85, 86, 170) == []
    assert milestones_crossed(169, 171, 170) == ["100%"]
    assert milestones_crossed(3, 5, 0) == []
