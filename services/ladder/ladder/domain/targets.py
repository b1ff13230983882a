"""Target arithmetic: progress, pace, forecast and milestones (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ladder.domain.entries import CERTIFICATION_KEYS

# Pace counts as on track within +/-10% of the expected count at this point of the year.
PACE_TOLERANCE = 0.10
# Used when only a candidate count is known (no per-candidate probabilities).
FLAT_PROBABILITY = 0.2
MILESTONES = (25, 50, 75, 100)
# A candidate's chance is for a whole round of evaluation; a conversion needs facts and a
# decision, which take time: with less than this share of the year left, the chance shrinks
# in proportion to the time left (none on the last day).
FULL_CHANCE_SHARE_LEFT = 0.5
BAND_SPREAD = 3.0  # the band spans the expected conversions +/- 3 standard deviations
TARGET_KEYS = ("eaglet", "gazelle", "unicorn", "leader", *CERTIFICATION_KEYS)


def elapsed_share(as_of: date, year: int) -> float:
    """Share of calendar year `year` elapsed by the end of as_of (0 before, 1 after)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return (as_of.toordinal() - start.toordinal() + 1) / (end.toordinal() - start.toordinal() + 1)


def progress(achieved: int, target: int) -> float | None:
    """achieved / target, or None when there is no positive target."""
    return achieved / target if target > 0 else None


def pace(achieved: int, target: int, as_of: date, year: int,
         tolerance: float = PACE_TOLERANCE) -> str:
    """"ahead" | "on_track" | "behind" versus target x elapsed share of the year."""
    expected = target * elapsed_share(as_of, year)
    band = tolerance * expected
    if achieved > expected + band:
        return "ahead"
    if achieved < expected - band:
        return "behind"
    return "on_track"


def conversion_probability(failing_count: int, relative_gap_sum: float) -> float:
    """House heuristic (not calibrated): the closer a candidate, the likelier it converts."""
    if failing_count <= 0:
        return 1.0
    if failing_count == 1:
        if relative_gap_sum <= 0.10:
            return 0.5
        return 0.3 if relative_gap_sum <= 0.25 else 0.15
    return 0.1 if failing_count == 2 else 0.02


@dataclass(frozen=True, slots=True)
class Forecast:
    """Expected year-end count with bounds, a run-rate and the method in words."""

    expected: float
    low: int
    high: int
    run_rate: float | None
    method: str
    key: str = "label.forecastMethod"  # the method in the catalogue's words, with `params`
    params: dict[str, Any] = field(default_factory=dict)


def time_factor(elapsed_share: float) -> float:
    """How much of a candidate's chance the days left still allow (1 up to mid-year)."""
    left = max(0.0, 1.0 - elapsed_share)
    return min(1.0, left / FULL_CHANCE_SHARE_LEFT)


def band(achieved: int, probabilities: Sequence[float], slack: float = 1.0) -> tuple[int, int]:
    """What is still possible: at least `achieved`, at most achieved + every candidate, and
    within the expected conversions +/- BAND_SPREAD standard deviations (plus `slack` firms,
    one while the time left allows every chance, less as the year runs out)."""
    mean = sum(probabilities)
    sd = math.sqrt(sum(p * (1 - p) for p in probabilities))
    count = sum(1 for p in probabilities if p > 0)
    high = min(count, math.ceil(mean + BAND_SPREAD * sd + slack))
    low = min(high, max(0, math.floor(mean - BAND_SPREAD * sd)))
    return achieved + low, achieved + high


def forecast(achieved: int, candidates: int | Sequence[float],
             elapsed_share: float) -> Forecast:
    """Forecast = achieved + expected conversions of current candidates; method spelled out."""
    if isinstance(candidates, int):
        count = candidates
        probabilities = [FLAT_PROBABILITY] * count
        how = f"a flat {FLAT_PROBABILITY:.0%} conversion chance per candidate (no detail known)"
    else:
        probabilities = list(candidates)
        count = len(probabilities)
        if any(not 0.0 <= p <= 1.0 for p in probabilities):
            raise ValueError("candidate probabilities must lie in [0, 1]")
        how = ("per-candidate conversion chances from how close each is "
               "(1 failing criterion within 10% -> 50%, within 25% -> 30%, else 15%; "
               "2 failing -> 10%; 3 or more -> 2%)")
    factor = time_factor(elapsed_share)
    scaled = [p * factor for p in probabilities]
    conversions = sum(scaled)
    expected = achieved + conversions
    low, high = band(achieved, scaled, factor)
    run_rate = achieved / elapsed_share if elapsed_share > 0 else None
    rate_text = (f"Run-rate extrapolation: {achieved} / {elapsed_share:.2f} of the year elapsed "
                 f"= {run_rate:.1f}." if run_rate is not None
                 else "Run-rate extrapolation: not available before the year starts.")
    days_left = round(365 * max(0.0, 1.0 - elapsed_share))
    timing = ("" if factor >= 1.0 else
              f" With about {days_left} days left, each chance is scaled by {factor:.2f} (a "
              f"conversion needs facts and a decision).")
    method = (
        f"Expected = {achieved} achieved + {conversions:.2f} expected conversions from "
        f"{count} current candidates, using {how} = {expected:.2f}.{timing} "
        f"Low = {low}, high = {high}: what is still possible (never below what is achieved, "
        f"never above every candidate converting), within {BAND_SPREAD:g} standard deviations "
        f"of the expected conversions. {rate_text}"
    )
    return Forecast(expected, low, high, run_rate, method, "label.forecastMethod",
                    {"achieved": achieved, "conversions": round(conversions, 1),
                     "daysLeft": days_left})


def milestones_crossed(prev_achieved: int, new_achieved: int, target: int) -> list[str]:
    """Milestones passed going from prev to new: "first", then "25%".."100%" of target."""
    crossed = ["first"] if prev_achieved <= 0 < new_achieved else []
    if target > 0:
        # Integer comparison so 50% of an odd target is hit exactly, not via floats.
        crossed += [f"{m}%" for m in MILESTONES
                    if prev_achieved * 100 < m * target <= new_achieved * 100]
    return crossed


def target_items(targets: dict[str, int], achieved: dict[str, tuple[int, int]], as_of: date,
                 year: int) -> list[dict[str, Any]]:
    """Progress and pace per key (forecast added by the caller, which knows candidates); a key
    without a target still shows its count, with `target: null`."""
    items = []
    share = elapsed_share(as_of, year)
    for key in TARGET_KEYS:
        target = targets.get(key)
        done, by_override = achieved.get(key, (0, 0))
        if target is None and not done and targets:
            continue  # a year with targets lists only its own keys (and any counted)
        items.append({
            "tier": key, "target": target, "achieved": done,
            "breakdown": {"by_rules": done - by_override, "by_override": by_override},
            "progress": progress(done, target) if target is not None else None,
            "pace": pace(done, target, as_of, year) if target is not None else None,
            "elapsed_share": round(share, 4),
            # a count of firms: whole, like the target it is a share of
            "expected_by_now": round(target * share) if target is not None else None,
        })
    return items
