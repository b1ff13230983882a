"""The embedded stack under test (`tracker up`'s own Stack, supervisor included), with hands to
hurt it: kill -9 a service (the supervisor restarts it) or the broker, stop PostgreSQL."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.factories import ADMIN_TOKEN
from tracker.embedded import free_port
from tracker.services import SERVICES
from tracker.stack import Stack, StackSettings


async def until(check: Callable[[], Any], what: str, *, timeout_s: float,
                explain: Callable[[], str] = lambda: "") -> Any:
    """Poll `check` (plain or async) until it returns something true; fail naming what never
    happened, with `explain()` to say why."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}\n"
                                 + explain())
        await asyncio.sleep(0.2)


@contextmanager
def _environ(extra: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ChaosStack:
    """PostgreSQL, the broker and the service processes, in a data dir of its own."""

    def __init__(self, data_dir: Path, knobs: dict[str, str]):
        self.data_dir, self.knobs = data_dir, knobs
        self.settings = StackSettings(
            tracker_data_dir=data_dir, database_url=None, kafka_bootstrap_servers=None,
            # the services' ports bound by the stack (0: the OS picks, nothing can take them
            # first); the broker's chosen here, to restart it on the same one
            kafka_port=free_port(), registry_port=0, ladder_port=0, notifier_port=0,
            entitlements_port=0, tracker_metrics_port=0,
            tracker_admin_token=ADMIN_TOKEN)
        self.stack = Stack(self.settings)
        self.env: dict[str, str] = {}
        self.kills: dict[str, int] = {}

    # ------------------------------------------------------------------ start and stop
    def start(self) -> None:
        """Everything up and ready."""
        with _environ(self.knobs):
            self.env = self.stack.start(demo=False)

    def stop(self) -> None:
        """A clean stop of everything."""
        self.stack.stop()

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports()[service]}"

    @property
    def bootstrap(self) -> str:
        return self.env["KAFKA_BOOTSTRAP_SERVERS"]

    def client(self, service: str) -> httpx.Client:
        return httpx.Client(base_url=self.url(service), timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def database_url(self, service: str) -> str:
        return next(s for s in SERVICES if s.name == service).database_url(
            self.env["DATABASE_URL"])

    async def fetch(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Read a service's own database (checks only; the services never do this)."""
        conn = await asyncpg.connect(self.database_url(service))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    # ------------------------------------------------------------------ faults
    def _child(self, service: str) -> Any:
        assert self.stack.supervisor is not None
        return self.stack.supervisor.children[service]

    def kill(self, service: str) -> None:
        """kill -9 one service (its whole process group); `tracker up`'s supervisor notices."""
        child = self._child(service)
        os.killpg(child.proc.pid, signal.SIGKILL)
        child.proc.wait(30)
        self.kills[service] = self.kills.get(service, 0) + 1

    def wait_restarted(self, service: str, *, timeout_s: float = 90) -> None:
        """Block until the supervisor has started the killed service again and it is ready."""
        child, deadline = self._child(service), time.monotonic() + timeout_s
        while child.restarts < self.kills[service] or child.pid is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the supervisor did not restart {service}\n"
                                     + self.log_tail())
            time.sleep(0.1)
        self.stack.wait_ready()

    def kill_broker(self) -> None:
        """kill -9 the embedded broker."""
        broker = self.stack.broker
        assert broker is not None and broker.process is not None
        broker.process.kill()
        broker.process.wait(30)

    def restart_broker(self) -> None:
        """Start the embedded broker again on its port."""
        broker = self.stack.broker
        assert broker is not None
        broker.start()

    def stop_postgres(self) -> None:
        """Stop PostgreSQL (fast shutdown: sessions are cut, as in a crash of the server)."""
        assert self.stack.postgres is not None
        self.stack.postgres.stop()

    def start_postgres(self) -> None:
        """Start PostgreSQL again on the same data dir and socket."""
        assert self.stack.postgres is not None
        assert self.stack.postgres.start() == self.env["DATABASE_URL"]

    def log_tail(self, chars: int = 3000) -> str:
        """The end of each service's log, for failure messages."""
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-chars:]
                         for p in sorted((self.data_dir / "logs").glob("*.log")))

    def unhandled_errors(self) -> str:
        """The services' log lines of errors answered 500, with their tracebacks."""
        return "\n".join(line for p in sorted((self.data_dir / "logs").glob("*.log"))
                         for line in p.read_text(errors="replace").splitlines()
                         if "unhandled error" in line)

    def metric(self, service: str, name: str, **labels: str) -> float:
        """Sum of a Prometheus counter's samples on a service's /metrics (this process only)."""
        text = httpx.get(f"{self.url(service)}/metrics", timeout=10).text
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total


def every_alert_officer(stack: ChaosStack, hook: str) -> str:
    """An officer covering every district, every alert kind immediately, at `hook`; its id."""
    from notifier.domain.alerts import ALERT_KINDS

    with stack.client("notifier") as notifier:
        r = notifier.put("/v1/settings/webhook-allowlist", json={"hosts": ["127.0.0.1"]})
        assert r.status_code == 200, r.text
        r = notifier.post("/v1/officers", json={
            "name": "混沌测试", "email": "chaos@kjj.dl.gov.cn", "districts": [], "industries": [],
            "channels": [{"kind": "webhook", "url": hook}],
            "preferences": {k: "immediate" for k in ALERT_KINDS}})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])
