"""The whole system started as a user starts it: `tracker up`, in its own data dir and ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from tests.contracts.published import check_published
from tests.factories import ADMIN_TOKEN
from tracker.embedded import free_port


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

    def client(self, service: str) -> httpx.Client:
        return httpx.Client(base_url=self.url(service), timeout=15,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def start(self, *, demo: bool = False, timeout_s: float = 120) -> None:
        args = [sys.executable, "-m", "tracker.cli", "up"] + ([] if demo else ["--no-demo"])
        self.process = subprocess.Popen(args, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout_s
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if "Ctrl-C stops everything" in line:
                return
            if time.monotonic() > deadline:
                break
        raise AssertionError("tracker up did not come up:\n" + "".join(self.output) + self.logs())

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


def _postgres_on(data_dir: Path) -> list[int]:
    pids = []
    for proc in psutil.process_iter(attrs=["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if any(str(data_dir) in part for part in cmdline):
            pids.append(proc.pid)
    return pids


@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A fresh stack (not started); stopped and checked for leftovers at the end."""
    data_dir = Path("/tmp") / f"ct-e2e-{os.getpid()}-{time.monotonic_ns() % 10**8}"
    ports = {"registry": free_port(), "ladder": free_port(), "notifier": free_port(),
             "kafka": free_port()}
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env.update({
        "TRACKER_DATA_DIR": str(data_dir), "TRACKER_ADMIN_TOKEN": ADMIN_TOKEN,
        "REGISTRY_PORT": str(ports["registry"]), "LADDER_PORT": str(ports["ladder"]),
        "NOTIFIER_PORT": str(ports["notifier"]), "KAFKA_PORT": str(ports["kafka"]),
    })
    running = RunningStack(data_dir=data_dir, ports=ports, env=env)
    yield running
    try:  # every e2e run is also a contract test: what the services published fits its schema
        if running.process is not None and running.process.poll() is None:
            check_published(running.bootstrap)
    finally:
        leftovers = running.stop()
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)
    assert not leftovers, f"processes left running: {leftovers}"
