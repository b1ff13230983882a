"""A firm's contribution to the kept tier counts (`tier_moves`), from its timeline (pure).

The firms on each tier (unicorn by grade) at the end of year Y are the sum of the moves of
the years up to Y: a firm adds one to (year 0, 'none') and, for each year whose end finds it
on another standing than the year before, takes one from the old standing and adds one to the
new. A recomputation subtracts the old contribution and adds the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

# (year, district, industry, tier, unicorn grade or '') -> (firms, at risk)
MoveKey = tuple[int, str, str, str, str]
Moves = dict[MoveKey, tuple[int, int]]
Point = tuple[date, str, str | None, bool]  # a decision: on, to tier, unicorn grade, at risk


def contribution(district: str, industry: str, timeline: Iterable[Point]) -> Moves:
    """The moves a firm counted in `district` and `industry` adds for its timeline (its
    current decisions in position order): the standing at a year's end is the last decision,
    by position, dated in that year or before."""
    points = list(timeline)
    last_in: dict[int, int] = {}  # year -> the last position dated in it
    for i, (on, *_) in enumerate(points):
        last_in[on.year] = i
    out: Moves = {}
    add(out, (0, district, industry, "none", ""), 1, False)
    state, best = ("none", "", False), -1
    for year in sorted(last_in):
        best = max(best, last_in[year])  # the last position dated in `year` or before
        _, tier, grade, at_risk = points[best]
        now = (tier, grade or "", at_risk)
        if now != state:
            add(out, (year, district, industry, state[0], state[1]), -1, state[2])
            add(out, (year, district, industry, now[0], now[1]), 1, now[2])
            state = now
    return out


def add(moves: Moves, key: MoveKey, sign: int, at_risk: bool) -> None:
    """Add `sign` firms (at risk or not) to `key`."""
    firms, risky = moves.get(key, (0, 0))
    moves[key] = (firms + sign, risky + (sign if at_risk else 0))


def difference(before: Moves, after: Moves) -> Moves:
    """`after` minus `before`, without the keys that did not move."""
    out: Moves = {}
    for key in before.keys() | after.keys():
        f1, r1 = after.get(key, (0, 0))
        f0, r0 = before.get(key, (0, 0))
        if (f1 - f0, r1 - r0) != (0, 0):
            out[key] = (f1 - f0, r1 - r0)
    return out
