"""The ladder keeps its what-if workers warm from the start and every so often, with the
active rulebook and the service's day; a failed round does not end the rounds after it."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from ladder.app import _keep_whatif_warm
from ladder.domain.rulebook import default_rulebook

DAY = date(2025, 12, 1)


class Workers:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, date]] = []

    async def keep_warm(self, baseline: Any, today: date) -> int:
        self.calls.append((baseline, today))
        if len(self.calls) == 1:
            raise ConnectionError("database away")
        return 7


async def test_warm_rounds_go_on_after_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    rulebook, workers = default_rulebook(), Workers()
    app = SimpleNamespace(state=SimpleNamespace(
        whatif_worker=workers, rulebooks=SimpleNamespace(active=rulebook), clock=lambda: DAY))
    loop = asyncio.create_task(_keep_whatif_warm(app, 0.01))  # type: ignore[arg-type]
    try:
        for _ in range(500):
            if len(workers.calls) >= 3:
                break
            await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert len(workers.calls) >= 3
    assert all(b is rulebook and d == DAY for b, d in workers.calls)
    assert "keeping the what-if workers warm failed" in caplog.text
