"""Cohorts: of the eaglets filed in year Y, how many became gazelles within 1, 2, 3 years."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ladder.domain.timeline import Step

HORIZONS = (1, 2, 3)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def first_entries(steps: Iterable[Step]) -> tuple[date | None, date | None]:
    """A firm's first eaglet and first gazelle filing (by the rules or by hand) on its timeline
    (steps in date order): what the cohorts count it by."""
    first: dict[str, date] = {}
    for step in steps:
        if step.change in ("promoted", "override") and step.standing.tier in ("eaglet", "gazelle"):
            first.setdefault(step.standing.tier, step.on)
    return first.get("eaglet"), first.get("gazelle")


# a filing year's cohort counted: (year, eaglets, gazelles within each of HORIZONS)
Counted = tuple[int, int, tuple[int, ...]]


def count_cohorts(entries: Iterable[tuple[date | None, date | None]]) -> list[Counted]:
    """Each filing year's eaglets and how many became gazelles within each horizon, from the
    firms' first entries (what the database counts in `cohort_counts`; the tests' reference)."""
    years: dict[int, list[tuple[date, date | None]]] = {}
    for eaglet_on, gazelle_on in entries:
        if eaglet_on is not None:
            years.setdefault(eaglet_on.year, []).append((eaglet_on, gazelle_on))
    return [(year, len(members), tuple(
        sum(1 for e, g in members if g is not None and e <= g <= _years_later(e, n))
        for n in HORIZONS)) for year, members in sorted(years.items())]


def cohort_rows(counted: Iterable[Counted], today: date) -> list[dict[str, Any]]:
    """One row per filing year: eaglets filed, and gazelles within each horizon. A horizon that
    has not fully passed for the whole cohort is marked `open` (its count can still grow)."""
    rows = []
    for year, eaglets, within in sorted(counted):
        row: dict[str, Any] = {"filing_year": year, "eaglets": eaglets}
        for n, became in zip(HORIZONS, within, strict=True):
            row[f"gazelle_within_{n}y"] = became
            row[f"share_within_{n}y"] = round(became / eaglets, 4)
            row[f"open_{n}y"] = _years_later(date(year, 12, 31), n) > today
        rows.append(row)
    return rows

