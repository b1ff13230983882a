"""The supervisor with real child processes: a dead child comes back after a growing wait."""

from __future__ import annotations

import os
import signal
import subprocess
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


def test_children_end_when_the_supervisor_is_killed_with_minus_9(tmp_path: Path) -> None:
    """A `tracker up` killed with -9 leaves no service running behind it."""
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from tracker.supervisor import Child, Supervisor\n"
        f"child = Child('orphan-check', {SLEEPER!r}, Path({str(tmp_path / 'o.log')!r}))\n"
        "supervisor = Supervisor({'orphan-check': child}, dict(os.environ))\n"
        "supervisor.start_all()\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              cwd=Path(__file__).parents[2])
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{child_pid}/cmdline").read_bytes().count(b"time.sleep(120)"):
        assert time.monotonic() < deadline, "the child never became the sleeper"
        time.sleep(0.02)  # still in the launcher, before its exec
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(child_pid):
        assert time.monotonic() < deadline, f"child {child_pid} outlived its killed supervisor"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"
