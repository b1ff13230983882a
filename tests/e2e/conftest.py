"""The whole system started as a user starts it: `tracker up`, in its own data dir and ports."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import pytest

from ladder.schemas import Standing
from tests.contracts.published import check_published
from tests.factories import ADMIN_TOKEN
from tracker.client import ApiProblem, Entitlements, Ladder, Notifier, Registry
from tracker.services import SERVICES

T = TypeVar("T")


@dataclass
class RunningStack:
    """A `tracker up` process and how to reach what it started."""

    data_dir: Path
    ports: dict[str, int]
    env: dict[str, str]
    process: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports['kafka']}"

    def registry(self, token: str = ADMIN_TOKEN) -> Registry:
        """The registry's typed client (admin unless another token is given)."""
        return Registry(self.url("registry"), token, timeout=15)

    def ladder(self, token: str = ADMIN_TOKEN) -> Ladder:
        """The ladder's typed client."""
        return Ladder(self.url("ladder"), token, timeout=15)

    def notifier(self, token: str = ADMIN_TOKEN) -> Notifier:
        """The notifier's typed client."""
        return Notifier(self.url("notifier"), token, timeout=15)

    def entitlements(self, token: str = ADMIN_TOKEN) -> Entitlements:
        """The entitlements service's typed client."""
        return Entitlements(self.url("entitlements"), token, timeout=15)

    def start(self, *, demo: bool = False, timeout_s: float = 120) -> None:
        args = [sys.executable, "-m", "tracker.cli", "up"] + ([] if demo else ["--no-demo"])
        self.process = subprocess.Popen(args, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout_s
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if "Ctrl-C stops everything" in line:
                self.read_ports()
                return
            if time.monotonic() > deadline:
                break
        raise AssertionError("tracker up did not come up:\n" + "".join(self.output) + self.logs())

    def read_ports(self) -> None:
        """The ports `tracker up` bound (it was given 0 for each: no race with other tests)."""
        info = self.info()
        self.ports = {name: int(p["url"].rsplit(":", 1)[1])
                      for name, p in info["services"].items()}
        self.ports["kafka"] = int(info["kafka_bootstrap"].rsplit(":", 1)[1])
        self.ports["metrics"] = int(info["metrics_url"].split(":")[2].split("/")[0])

    def info(self) -> dict[str, Any]:
        """The stack file `tracker up` keeps: endpoints, and each process's pid and restarts."""
        return dict(json.loads((self.data_dir / "stack.json").read_text()))

    def ready(self, service: str) -> bool:
        """True when the service's /readyz answers 200."""
        try:
            return httpx.get(f"{self.url(service)}/readyz", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def logs(self) -> str:
        parts = []
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            parts.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def descendants(self) -> list[psutil.Process]:
        assert self.process is not None
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> list[int]:
        """SIGINT like Ctrl-C; returns pids of anything it left running."""
        if self.process is None or self.process.poll() is not None:
            return []
        children = self.descendants()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        finally:
            if self.process.stdout:
                self.output.extend(self.process.stdout.readlines())
        leftovers = [p.pid for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        leftovers += _postgres_on(self.data_dir)
        self.process = None
        return leftovers


def wait_until(check: Callable[[], T | None], timeout: float = 60.0, what: str = "condition") -> T:
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 60.0,
                     what: str = "condition") -> T:
    """Await `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := await check():
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def caught_up(ladder: Ladder, firm_id: uuid.UUID | str, sequence: int,
                    timeout_s: float = 90) -> Standing:
    """The ladder's standing of the firm once it has applied the registry's `sequence`."""
    async def standing() -> Standing | None:
        try:
            now = await ladder.standing(firm_id)
        except ApiProblem as exc:
            if exc.status != 404:  # the ladder has not seen the firm yet
                raise
            return None
        return now if now.sequence >= sequence else None

    return await eventually(standing, timeout_s, f"the ladder to apply sequence {sequence}")


def _postgres_on(data_dir: Path) -> list[int]:
    pids = []
    for proc in psutil.process_iter(attrs=["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if any(str(data_dir) in part for part in cmdline):
            pids.append(proc.pid)
    return pids


def prepared_stack() -> RunningStack:
    """A stack of its own data dir and free ports, not started yet."""
    data_dir = Path("/tmp") / f"ct-e2e-{os.getpid()}-{time.monotonic_ns() % 10**8}"
    # 0 for each: `tracker up` binds free ports itself and says which in stack.json (a port
    # picked here could be taken by another test's stack before it is bound)
    ports = dict.fromkeys((*(s.name for s in SERVICES), "kafka", "metrics"), 0)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env.update({
        "TRACKER_DATA_DIR": str(data_dir), "TRACKER_ADMIN_TOKEN": ADMIN_TOKEN,
        **{s.port_env: str(ports[s.name]) for s in SERVICES}, "KAFKA_PORT": str(ports["kafka"]),
        "TRACKER_METRICS_PORT": str(ports["metrics"]),
    })
    return RunningStack(data_dir=data_dir, ports=ports, env=env)


def finish(running: RunningStack) -> None:
    """Check what was published, stop the stack, remove its data dir, fail on leftovers."""
    try:  # every e2e run is also a contract test: what the services published fits its schema
        if running.process is not None and running.process.poll() is None:
            check_published(running.bootstrap)
    finally:
        leftovers = running.stop()
    import shutil

    shutil.rmtree(running.data_dir, ignore_errors=True)
    assert not leftovers, f"processes left running: {leftovers}"


@pytest.fixture
def stack() -> Iterator[RunningStack]:
    """A fresh stack (not started); stopped and checked for leftovers at the end."""
    running = prepared_stack()
    yield running
    finish(running)
