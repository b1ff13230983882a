"""`tracker up`: the whole system on one machine, and a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka import ensure_topics
from shared.topics import ALL_TOPICS
from tracker.embedded import Broker, EmbeddedPostgres, embedded_broker
from tracker.services import SERVICES, migrate_all


class StackSettings(BaseSettings):
    """What `tracker up` reads from the environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    tracker_data_dir: Path = Path(".tracker")
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    kafka_port: int = 9092
    kafka_partitions: int = 3
    tracker_broker: str = Field(default="auto", description="auto, kafka or tansu")
    registry_port: int = 8001
    ladder_port: int = 8002
    notifier_port: int = 8003
    tracker_admin_token: SecretStr | None = None
    ready_timeout_s: float = Field(default=90.0)


def admin_token(settings: StackSettings) -> str:
    """TRACKER_ADMIN_TOKEN, else one made on the first start and kept in the data dir."""
    if settings.tracker_admin_token:
        return settings.tracker_admin_token.get_secret_value()
    path = settings.tracker_data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip()
    token = "ct_admin_" + secrets.token_urlsafe(24)
    settings.tracker_data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token)
    return token


DEMO_OFFICERS = (
    {"name": "王磊", "email": "wang.lei@example.org", "districts": ["hitech"], "industries": [],
     "language": "zh", "channels": [], "receives_targets": True},
    {"name": "李娜", "email": "li.na@example.org", "districts": ["jinpu", "ganjingzi"],
     "industries": [], "language": "zh", "channels": []},
)


class Stack:
    """Owns the embedded parts and the service processes it starts."""

    def __init__(self, settings: StackSettings):
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.broker: Broker | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def ports(self) -> dict[str, int]:
        s = self.settings
        return {"registry": s.registry_port, "ladder": s.ladder_port, "notifier": s.notifier_port}

    def start(self, *, demo: bool) -> dict[str, str]:
        """Start everything; returns the environment the services got."""
        s = self.settings
        data = s.tracker_data_dir.resolve()
        data.mkdir(parents=True, exist_ok=True)
        database_url = s.database_url
        if not database_url:
            self.postgres = EmbeddedPostgres(data / "postgres")
            database_url = self.postgres.start()
        bootstrap = s.kafka_bootstrap_servers
        broker_env: dict[str, str] = {}
        if not bootstrap:
            (data / "logs").mkdir(exist_ok=True)
            self.broker = embedded_broker(s.kafka_port, data / "kafka", engine=s.tracker_broker,
                                          log_file=data / "logs" / "broker.log")
            print(f"starting {self.broker.name}...", flush=True)
            bootstrap = self.broker.start()
            broker_env = self.broker.client_env()
        asyncio.run(migrate_all(database_url))
        asyncio.run(ensure_topics(bootstrap, list(ALL_TOPICS), s.kafka_partitions))
        token = admin_token(s)
        ports = self.ports()
        env = {
            **os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TRACKER_ADMIN_TOKEN": token, "PYTHONUNBUFFERED": "1",
            "REGISTRY_PORT": str(ports["registry"]), "LADDER_PORT": str(ports["ladder"]),
            "NOTIFIER_PORT": str(ports["notifier"]),
            "REGISTRY_URL": f"http://127.0.0.1:{ports['registry']}",
            "LADDER_URL": f"http://127.0.0.1:{ports['ladder']}",
            "NOTIFIER_URL": f"http://127.0.0.1:{ports['notifier']}", **broker_env,
        }
        logs = data / "logs"
        logs.mkdir(exist_ok=True)
        for service in SERVICES:
            out = open(logs / f"{service.name}.log", "ab")  # noqa: SIM115 - lives with the child
            self.processes[service.name] = subprocess.Popen(
                [sys.executable, "-m", service.name], env=env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.wait_ready()
        if demo and not (data / "demo-loaded").exists():
            self.load_demo(token)
            (data / "demo-loaded").touch()
        return env

    def load_demo(self, token: str) -> None:
        """The demo city through the registry API (dated reports up to the last fiscal year,
        so the ladder credits each promotion to the day it happened), the current year's
        targets, and officers."""
        from tracker.demo import load_demo

        ports = self.ports()
        print("loading demo data (first start only)...", flush=True)
        notifier = httpx.Client(base_url=f"http://127.0.0.1:{ports['notifier']}", timeout=30,
                                headers={"Authorization": f"Bearer {token}"})
        with notifier:
            for officer in DEMO_OFFICERS:  # inbox-only case officers, so alerts have owners
                notifier.post("/v1/officers", json=officer).raise_for_status()
        summary = asyncio.run(load_demo(f"http://127.0.0.1:{ports['registry']}", token,
                                        ladder_url=f"http://127.0.0.1:{ports['ladder']}"))
        print(f"demo: {summary['firms']} firms, {summary['reports']} reports, "
              f"{summary['funding_rounds']} funding rounds, {summary['certificates']} certificates "
              f"in {summary['seconds']:.0f} s; the ladder is evaluating them now "
              "(see /v1/targets/2022 and /v1/candidates?tier=unicorn)", flush=True)

    def wait_ready(self) -> None:
        """Block until every service's /readyz answers 200."""
        deadline = time.monotonic() + self.settings.ready_timeout_s
        pending = dict(self.ports())
        while pending:
            for name, port in list(pending.items()):
                proc = self.processes[name]
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with code {proc.returncode}; see "
                        f"{self.settings.tracker_data_dir}/logs/{name}.log")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready in time: {', '.join(pending)}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop services (SIGTERM, then SIGKILL), then the broker, then PostgreSQL."""
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()
        if self.broker:
            self.broker.stop()
        if self.postgres:
            self.postgres.stop()

    def watch(self) -> int:
        """Wait for a signal or a service dying; returns the exit code."""
        stop = {"signal": None}

        def on_signal(signum: int, _frame: object) -> None:
            stop["signal"] = signum  # type: ignore[assignment]

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while stop["signal"] is None:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    print(f"{name} stopped unexpectedly (code {proc.returncode}); shutting down",
                          file=sys.stderr)
                    return 1
            time.sleep(0.3)
        return 0


def up(*, demo: bool) -> int:
    """Run the whole system until Ctrl-C."""
    settings = StackSettings()
    stack = Stack(settings)
    try:
        stack.start(demo=demo)
        token = admin_token(settings)
        print("cultivation tracker is up")
        for name, port in stack.ports().items():
            print(f"  {name:<9} http://127.0.0.1:{port}   (API docs: /docs)")
        print(f"  admin token: {token}")
        print("  try: curl -H 'Authorization: Bearer <token>' "
              f"http://127.0.0.1:{settings.registry_port}/v1/firms")
        print("Ctrl-C stops everything.", flush=True)
        return stack.watch()
    finally:
        print("stopping...", flush=True)
        stack.stop()
        print("stopped.", flush=True)
