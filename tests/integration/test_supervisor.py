"""The supervisor with real child processes: a dead child comes back after a growing wait."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from tracker.supervisor import Child, Supervisor

pytestmark = pytest.mark.integration

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def _restarts(name: str) -> float:
    return REGISTRY.get_sample_value("tracker_service_restarts_total", {"service": name}) or 0.0


def _tick_until(supervisor: Supervisor, done: object, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the supervisor did not get there in time"
        supervisor.tick()
        time.sleep(0.02)


def test_a_killed_child_is_restarted_and_counted(tmp_path: Path) -> None:
    name = f"sleeper-{os.getpid()}"
    changes: list[int] = []
    child = Child(name, SLEEPER, tmp_path / "sleeper.log")
    supervisor = Supervisor({name: child}, dict(os.environ), on_change=lambda: changes.append(1),
                            backoff_base_s=0.1)
    supervisor.start_all()
    try:
        first = child.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        _tick_until(supervisor, lambda: child.restarts == 1)
        assert child.pid not in (None, first) and child.last_exit == -signal.SIGKILL
        assert child.proc is not None and child.proc.poll() is None
        assert _restarts(name) == 1 and len(changes) == 2  # the death, then the restart
    finally:
        supervisor.stop_all(timeout_s=5)
    assert child.proc.poll() is not None


def test_a_child_that_keeps_dying_waits_longer_each_time(tmp_path: Path) -> None:
    name = f"crasher-{os.getpid()}"
    child = Child(name, CRASHER, tmp_path / "crasher.log")
    supervisor = Supervisor({name: child}, dict(os.environ), backoff_base_s=0.1)
    supervisor.start_all()
    waits: list[float] = []
    try:
        for deaths in (1, 2, 3):
            _tick_until(supervisor, lambda: child.restart_at is not None)
            assert child.quick_deaths == deaths and child.last_exit == 3
            waits.append(child.backoff_s)
            _tick_until(supervisor, lambda: child.restart_at is None)
    finally:
        supervisor.stop_all(timeout_s=5)
    assert waits == pytest.approx([0.1, 0.2, 0.4])
    assert child.restarts == 3
