"""A firm's contribution to the kept tier counts: the standing at each year's end."""

from __future__ import annotations

from datetime import date

from ladder.domain.tier_moves import contribution, difference


def _at_end(moves: dict, year: int) -> dict:
    out: dict = {}
    for (y, _d, _i, tier, grade), (firms, risky) in moves.items():
        if y <= year:
            was = out.get((tier, grade), (0, 0))
            out[(tier, grade)] = (was[0] + firms, was[1] + risky)
    return {k: v for k, v in out.items() if v != (0, 0)}


def test_each_years_end_holds_the_last_decision_of_that_year_or_before() -> None:
    timeline = [(date(2019, 5, 1), "eaglet", None, False),
                (date(2019, 9, 1), "gazelle", None, False),
                (date(2021, 3, 1), "gazelle", None, True),   # at risk, same tier
                (date(2023, 7, 1), "unicorn", "seed", False)]
    moves = contribution("hitech", "next_gen_it", timeline)
    assert _at_end(moves, 2018) == {("none", ""): (1, 0)}
    assert _at_end(moves, 2019) == _at_end(moves, 2020) == {("gazelle", ""): (1, 0)}
    assert _at_end(moves, 2021) == _at_end(moves, 2022) == {("gazelle", ""): (1, 1)}
    assert _at_end(moves, 2030) == {("unicorn", "seed"): (1, 0)}
    assert all(k[1:3] == ("hitech", "next_gen_it") for k in moves)


def test_a_later_position_dated_earlier_decides_from_its_year_on() -> None:
    # an override dated back: the last position dated by the year's end wins
    timeline = [(date(2022, 5, 1), "eaglet", None, False),
                (date(2021, 6, 1), "leader", None, False)]
    moves = contribution("jinpu", "other", timeline)
    assert _at_end(moves, 2021) == _at_end(moves, 2022) == {("leader", ""): (1, 0)}


def test_the_difference_of_the_same_timeline_is_nothing() -> None:
    timeline = [(date(2020, 1, 1), "eaglet", None, False)]
    a = contribution("hitech", "other", timeline)
    assert difference(a, a) == {}
    moved = difference(a, contribution("jinpu", "other", timeline))
    assert {k[1] for k in moved} == {"hitech", "jinpu"}
    assert sum(f for f, _ in moved.values()) == 0
