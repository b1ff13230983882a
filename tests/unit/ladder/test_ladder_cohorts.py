"""Eaglet cohorts: conversion to gazelle within 1, 2, 3 years, and horizons still open."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.domain.cohorts import cohort_rows, count_cohorts

pytestmark = pytest.mark.unit


def cohorts(entries: list[tuple[date | None, date | None]], today: date) -> list[dict]:
    """The dashboard's rows of these first entries, counted as the database counts them."""
    return cohort_rows(count_cohorts(entries), today)


def test_cohorts_count_gazelles_within_each_horizon() -> None:
    rows = cohorts([
        (date(2022, 3, 1), date(2022, 11, 1)),   # within 1 year
        (date(2022, 3, 1), date(2024, 2, 28)),   # within 2
        (date(2022, 6, 1), date(2025, 6, 1)),    # exactly 3 years: counts
        (date(2022, 6, 1), date(2025, 6, 2)),    # a day late
        (date(2022, 6, 1), None),
        (date(2023, 2, 28), None),
        (None, date(2023, 1, 1)),                # a gazelle that was never an eaglet
    ], today=date(2025, 12, 31))
    assert [(r["filing_year"], r["eaglets"]) for r in rows] == [(2022, 5), (2023, 1)]
    first = rows[0]
    assert (first["gazelle_within_1y"], first["gazelle_within_2y"], first["gazelle_within_3y"]) == (1, 2, 3)
    assert first["share_within_3y"] == 0.6
    assert (first["open_1y"], first["open_3y"]) == (False, False)
    assert rows[1]["open_2y"] is False and rows[1]["open_3y"] is True  # 2023 + 3 > 2025


def test_a_leap_day_filing_has_its_anniversary_on_28_february() -> None:
    rows = cohorts([(date(2024, 2, 29), date(2025, 2, 28))], today=date(2030, 1, 1))
    assert rows[0]["gazelle_within_1y"] == 1
