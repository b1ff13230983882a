"""A what-if worker process folds its share with the cyclic garbage collector off, and turns
it back on when the share is done or fails (the worker lives on for the next job), freezing
what it keeps, so the collector walks the kept share never again."""

from __future__ import annotations

import gc
import uuid
from datetime import date
from typing import Any

import pytest

from ladder import workers
from ladder.domain.rulebook import default_rulebook


def _run_share(monkeypatch: pytest.MonkeyPatch, fold: Any) -> Any:
    monkeypatch.setattr(workers, "_fold", fold)
    rb = default_rulebook()
    return workers.fold_share_of_job("postgresql://unused", uuid.uuid4(), rb, rb, 2022, False,
                                     date(2022, 12, 31), (0, 2))


def test_the_collector_is_off_while_a_share_folds_and_on_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    async def fold(*args: Any) -> str:
        seen.append(gc.isenabled())
        return "share"

    assert gc.isenabled()
    gc.unfreeze()
    try:
        assert _run_share(monkeypatch, fold) == "share"
        assert seen == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_collector_is_on_again_after_a_share_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fold(*args: Any) -> str:
        raise ConnectionError("database away")

    try:
        with pytest.raises(ConnectionError):
            _run_share(monkeypatch, fold)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
