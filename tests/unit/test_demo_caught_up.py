"""The demo's wait for the ladder (`rounds.caught_up`): it waits as long as the ladder keeps
applying events, however long a large city takes, and gives up only once nothing moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from tracker.demo.rounds import caught_up

WANTED = {"a": 5, "b": 3, "c": 4}


class Registry:
    async def firms(self, limit: int) -> AsyncIterator[Any]:
        yield SimpleNamespace(items=[SimpleNamespace(id=k, sequence=v) for k, v in WANTED.items()])


class Ladder:
    """Applies one event per poll (none once `stuck_at` events are applied)."""

    def __init__(self, stuck_at: int | None = None) -> None:
        self.applied, self.stuck_at, self.polls = 0, stuck_at, 0

    async def standings(self, limit: int) -> AsyncIterator[Any]:
        self.polls += 1
        seen, left = {}, self.applied
        for firm_id, seq in WANTED.items():  # the events in log order, firm by firm
            seen[firm_id], left = min(seq, left), max(0, left - seq)
        yield SimpleNamespace(items=[SimpleNamespace(firm_id=k, sequence=v)
                                     for k, v in seen.items() if v])
        limit = sum(WANTED.values()) if self.stuck_at is None else self.stuck_at
        self.applied = min(self.applied + 1, limit)


def test_waits_past_the_stall_time_while_events_are_applied() -> None:
    ladder = Ladder()
    # 12 events at one a poll: far longer than the stall allowance, yet never stalled
    asyncio.run(caught_up(Registry(), ladder, stall_s=0.05, poll_s=0.02))  # type: ignore[arg-type]
    assert ladder.applied == sum(WANTED.values())
    assert ladder.polls * 0.02 > 0.05


def test_gives_up_once_nothing_moves_for_the_stall_time() -> None:
    with pytest.raises(TimeoutError, match="applied nothing .* 2 firms still wait"):
        asyncio.run(caught_up(Registry(), Ladder(stuck_at=7), stall_s=0.1,  # type: ignore[arg-type]
                              poll_s=0.01))
