"""Keeps the service processes of `tracker up` running: a process that dies is restarted
after a backoff, the death is logged and counted on the supervisor's /metrics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import Counter, Gauge

from shared.lifeline import tied_to_me

RESTARTS = Counter("tracker_service_restarts_total",
                   "Service processes restarted by `tracker up` after they died", ["service"])
EXITS = Counter("tracker_service_exits_total",
                "Unexpected deaths of service processes, by exit code", ["service", "code"])
UP = Gauge("tracker_service_up", "1 while the service's process runs", ["service"])


def backoff_s(failures: int, *, base_s: float = 1.0, cap_s: float = 30.0) -> float:
    """Wait before the restart that follows `failures` quick deaths in a row (1, 2, 4 … cap)."""
    return float(min(cap_s, base_s * 2 ** max(0, failures - 1)))


def describe_exit(code: int) -> str:
    """'code 3' or 'signal SIGKILL' for a Popen return code."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


@dataclass
class Child:
    """One supervised service process and its record."""

    name: str
    argv: list[str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_mono: float = 0.0
    restarts: int = 0
    quick_deaths: int = 0
    last_exit: int | None = None
    restart_at: float | None = None
    backoff_s: float = 0.0
    listen_fd: int | None = None  # its listening socket, bound (and kept) by the supervisor

    def spawn(self, env: dict[str, str]) -> None:
        """Start the process, appending its output to its log."""
        own = {"SERVICE_LISTEN_FD": str(self.listen_fd)} if self.listen_fd is not None else {}
        with open(self.log_path, "ab") as out:  # the child keeps its own copy of the fd
            self.proc = subprocess.Popen(tied_to_me(self.argv), env={**env, **own}, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         pass_fds=() if self.listen_fd is None
                                         else (self.listen_fd,))
        self.started_at, self.started_mono = datetime.now(UTC), time.monotonic()
        self.restart_at = None
        UP.labels(self.name).set(1)

    @property
    def pid(self) -> int | None:
        """The running process's id, None while waiting to be restarted."""
        return self.proc.pid if self.proc is not None and self.restart_at is None else None


@dataclass
class Supervisor:
    """Restarts children that die; calls `on_change` after every death and restart."""

    children: dict[str, Child]
    env: dict[str, str]
    on_change: Callable[[], None] = lambda: None
    log_path: Path | None = None  # deaths and restarts are also appended here
    # a process that ran this long before dying starts the backoff over
    stable_after_s: float = 60.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def log(self, message: str) -> None:
        """A timestamped line on stderr and in the supervisor's log."""
        line = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {message}"
        print(line, file=sys.stderr, flush=True)
        if self.log_path is not None:
            with open(self.log_path, "a", encoding="utf-8") as out:
                out.write(line + "\n")

    def start_all(self) -> None:
        """Start every child."""
        for child in self.children.values():
            RESTARTS.labels(child.name)  # exported as 0 from the start, so a rate() has a base
            child.spawn(self.env)

    def tick(self) -> None:
        """Notice deaths and run due restarts; call it every few hundred milliseconds."""
        now = time.monotonic()
        for child in self.children.values():
            assert child.proc is not None
            if child.restart_at is None and (code := child.proc.poll()) is not None:
                self._died(child, code, now)
            elif child.restart_at is not None and now >= child.restart_at:
                child.spawn(self.env)
                child.restarts += 1
                RESTARTS.labels(child.name).inc()
                self.log(f"{child.name} restarted (pid {child.pid}, restart {child.restarts})")
                self.on_change()

    def _died(self, child: Child, code: int, now: float) -> None:
        lived = now - child.started_mono
        child.quick_deaths = 1 if lived >= self.stable_after_s else child.quick_deaths + 1
        child.last_exit = code
        delay = backoff_s(child.quick_deaths, base_s=self.backoff_base_s, cap_s=self.backoff_cap_s)
        child.restart_at, child.backoff_s = now + delay, delay
        UP.labels(child.name).set(0)
        EXITS.labels(child.name, str(code)).inc()
        self.log(f"{child.name} (pid {child.proc.pid if child.proc else '?'}) died with "
             f"{describe_exit(code)} after {lived:.0f} s; restarting in {delay:.0f} s "
             f"(see {child.log_path})")
        self.on_change()

    def watch_in_background(self, interval_s: float = 0.3) -> None:
        """Tick in a thread of its own, so restarts go on while the caller is busy."""
        def loop() -> None:
            while not self._stop.wait(interval_s):
                self.tick()

        self._thread = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._thread.start()

    def stop_all(self, timeout_s: float = 15.0) -> None:
        """Stop watching; SIGTERM every child's process group, then SIGKILL what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        running = [c.proc for c in self.children.values()
                   if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for child in self.children.values():
            UP.labels(child.name).set(0)
