"""`tracker up`: the whole system on one machine, and a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server
from pydantic import Field, SecretStr, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka import ensure_topics
from shared.topics import ALL_TOPICS
from tracker import stackfile
from tracker.embedded import Broker, EmbeddedPostgres, embedded_broker, free_port
from tracker.services import SERVICES, migrate_all
from tracker.status import readiness
from tracker.supervisor import Child, Supervisor

# `<SERVICE>_PORT` and `<SERVICE>_PROCESSES` for every service of the one list (SERVICES)
_PerService = create_model(  # type: ignore[call-overload]  # fields made from SERVICES
    "_PerService", __base__=BaseSettings,
    **{field: spec for service in SERVICES for field, spec in (
        (f"{service.name}_port", (int, Field(default=service.default_port,
                                               description=f"Port of the {service.name}."))),
        (f"{service.name}_processes", (int, Field(default=1, ge=1, le=32,
                                                    description="Processes per service."))))})


class StackSettings(_PerService):  # fields per service come from SERVICES
    """What `tracker up` reads from the environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    tracker_data_dir: Path = Path(".tracker")
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    kafka_port: int = 9092
    kafka_partitions: int = 3
    tracker_broker: str = Field(default="auto", description="auto, kafka or tansu")
    tracker_metrics_port: int = Field(default=8004, description="The supervisor's /metrics.")
    tracker_admin_token: SecretStr | None = None
    ready_timeout_s: float = Field(default=90.0)
    bind_host: str = Field(default="127.0.0.1", description="Interface the services listen on.")


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


class Stack:
    """Owns the embedded parts and the service processes it starts."""

    def __init__(self, settings: StackSettings):
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.broker: Broker | None = None
        self.supervisor: Supervisor | None = None
        self.metrics: WSGIServer | None = None
        self.started_at = datetime.now(UTC)
        self.endpoints: dict[str, str] = {}
        self.sockets: dict[str, socket.socket] = {}  # each service's, bound here

    def ports(self) -> dict[str, int]:
        """Each service's port: the one bound (a port of 0 asks the OS for a free one)."""
        asked = {s.name: int(getattr(self.settings, f"{s.name}_port")) for s in SERVICES}
        return {name: self.sockets[name].getsockname()[1] if name in self.sockets else port
                for name, port in asked.items()}

    def bind(self) -> None:
        """Listen on every service's port here, before any service starts: no other process
        can take a port between its choice and its use, and a restarted service gets the
        same socket (the services serve the one they inherit, SERVICE_LISTEN_FD)."""
        host = self.settings.bind_host
        for name, port in self.ports().items():
            try:
                sock = socket.create_server((host, port), backlog=2048)
            except OSError as exc:
                raise RuntimeError(f"{name} cannot listen on {host}:{port} ({exc.strerror}); "
                                   f"set {name.upper()}_PORT to a free port, or 0 for any") from None
            sock.set_inheritable(True)
            self.sockets[name] = sock

    @property
    def metrics_port(self) -> int:
        """The supervisor's /metrics port (the one bound when TRACKER_METRICS_PORT is 0)."""
        return self.metrics.server_port if self.metrics else self.settings.tracker_metrics_port

    def start_broker(self, data: Path) -> str:
        """The embedded broker on KAFKA_PORT; on 0 a free port, chosen again should another
        process take it before the broker binds it."""
        s = self.settings
        attempts = 3 if s.kafka_port == 0 else 1
        for attempt in range(1, attempts + 1):
            self.broker = embedded_broker(s.kafka_port or free_port(), data / "kafka",
                                          engine=s.tracker_broker,
                                          log_file=data / "logs" / "broker.log")
            print(f"starting {self.broker.name}...", flush=True)
            try:
                return self.broker.start()
            except RuntimeError:
                self.broker.stop()
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def processes(self) -> dict[str, int]:
        """How many processes serve each service (`<SERVICE>_PROCESSES`)."""
        return {s.name: int(getattr(self.settings, f"{s.name}_processes")) for s in SERVICES}

    def urls(self) -> dict[str, str]:
        """Each service's base URL."""
        return {name: f"http://127.0.0.1:{port}" for name, port in self.ports().items()}

    def start(self, *, demo: bool) -> dict[str, str]:
        """Start everything; returns the environment the services got."""
        s = self.settings
        data = s.tracker_data_dir.resolve()
        data.mkdir(parents=True, exist_ok=True)
        self.start_metrics()
        database_url = s.database_url
        if not database_url:
            self.postgres = EmbeddedPostgres(data / "postgres")
            database_url = self.postgres.start()
        bootstrap = s.kafka_bootstrap_servers
        broker_env: dict[str, str] = {}
        if not bootstrap:
            (data / "logs").mkdir(exist_ok=True)
            bootstrap = self.start_broker(data)
            assert self.broker is not None
            broker_env = self.broker.client_env()
        asyncio.run(migrate_all(database_url))
        asyncio.run(ensure_topics(bootstrap, list(ALL_TOPICS), s.kafka_partitions))
        token = admin_token(s)
        self.bind()
        ports = self.ports()
        env = {
            **os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TRACKER_ADMIN_TOKEN": token, "PYTHONUNBUFFERED": "1",
            **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
            **{f"{name.upper()}_PROCESSES": str(n) for name, n in self.processes().items()},
            **{f"{name.upper()}_URL": url for name, url in self.urls().items()}, **broker_env,
        }
        logs = data / "logs"
        logs.mkdir(exist_ok=True)
        children = {service.name: Child(service.name, [sys.executable, "-m", service.name],
                                        logs / f"{service.name}.log",
                                        listen_fd=self.sockets[service.name].fileno())
                    for service in SERVICES}
        self.endpoints = {"database_url": database_url, "kafka_bootstrap": bootstrap}
        self.supervisor = Supervisor(children, env, on_change=self.write_stack_file,
                                     log_path=logs / "supervisor.log")
        self.supervisor.start_all()
        self.write_stack_file()
        self.wait_ready()  # before supervising: a service that cannot start at all fails fast
        self.supervisor.watch_in_background()
        if demo and not (data / "demo-loaded").exists():
            self.load_demo(token)
            (data / "demo-loaded").touch()
        return env

    def load_demo(self, token: str) -> None:
        """The demo city through the registry API (dated reports up to the last fiscal year,
        so the ladder credits each promotion to the day it happened), the current year's
        targets, and officers."""
        from tracker.demo import DALIAN, DEMO_FIRMS, load_demo
        from tracker.demo.officers import register_officers
        from tracker.progress import staged_progress

        ports = self.ports()
        print("loading demo data (first start only)...", flush=True)
        asyncio.run(register_officers(f"http://127.0.0.1:{ports['notifier']}", token))
        with staged_progress() as progress:
            summary = asyncio.run(load_demo(f"http://127.0.0.1:{ports['registry']}", token,
                                            firms=DEMO_FIRMS, shape=DALIAN.name,
                                            ladder_url=f"http://127.0.0.1:{ports['ladder']}",
                                            progress=progress))
        rounds = summary.get("rounds") or {}
        print(f"demo: {summary['firms']} firms, {summary['reports']} reports, "
              f"{summary['funding_rounds']} funding rounds, {summary['certificates']} certificates, "
              f"{rounds.get('applications', 0)} applications and {rounds.get('filings', 0)} "
              f"filings in the rounds since 2019, in {summary['seconds']:.0f} s "
              "(see /v1/targets/2022, /v1/rounds/2022 and /v1/candidates?tier=unicorn)",
              flush=True)

    def wait_ready(self) -> None:
        """Block until every service's /readyz answers 200."""
        deadline = time.monotonic() + self.settings.ready_timeout_s
        pending = dict(self.ports())
        while pending:
            for name, port in list(pending.items()):
                assert self.supervisor is not None
                proc = self.supervisor.children[name].proc
                assert proc is not None
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with code {proc.returncode}; see "
                        f"{self.settings.tracker_data_dir}/logs/{name}.log")
                if readiness(f"http://127.0.0.1:{port}", timeout_s=2)[0]:
                    del pending[name]
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready in time: {', '.join(pending)}")
            time.sleep(0.2)

    def start_metrics(self) -> None:
        """Serve the supervisor's /metrics (restarts per service) on TRACKER_METRICS_PORT."""
        port = self.settings.tracker_metrics_port
        try:
            self.metrics, _ = start_http_server(port, addr="127.0.0.1")
        except OSError as exc:
            raise RuntimeError(f"cannot serve the supervisor's /metrics on port {port} ({exc}); "
                               "set TRACKER_METRICS_PORT to a free port") from None

    def write_stack_file(self) -> None:
        """Tell other `tracker` commands where everything is and how the processes fare."""
        assert self.supervisor is not None
        urls = self.urls()
        services = {name: stackfile.ProcessInfo(
            url=urls[name], pid=child.pid, processes=self.processes()[name],
            started_at=child.started_at,
            restarts=child.restarts, last_exit=child.last_exit)
            for name, child in self.supervisor.children.items()}
        stackfile.write(self.settings.tracker_data_dir.resolve(), stackfile.StackInfo(
            supervisor_pid=os.getpid(), started_at=self.started_at,
            data_dir=str(self.settings.tracker_data_dir.resolve()),
            metrics_url=f"http://127.0.0.1:{self.metrics_port}/metrics",
            broker=self.broker.name if self.broker else None, services=services,
            **self.endpoints))

    def stop(self) -> None:
        """Stop services (SIGTERM, then SIGKILL), then the broker, then PostgreSQL."""
        stackfile.remove(self.settings.tracker_data_dir.resolve())
        if self.supervisor:
            self.supervisor.stop_all()
            self.supervisor = None
        for sock in self.sockets.values():
            sock.close()
        self.sockets = {}
        if self.metrics:
            self.metrics.shutdown()
            self.metrics = None
        if self.broker:
            self.broker.stop()
        if self.postgres:
            self.postgres.stop()

    def watch(self) -> int:
        """Supervise the services until SIGINT or SIGTERM; returns the exit code."""
        stop: list[int] = []
        signal.signal(signal.SIGINT, lambda signum, _frame: stop.append(signum))
        signal.signal(signal.SIGTERM, lambda signum, _frame: stop.append(signum))
        while not stop:
            time.sleep(0.3)
        return 0


def up(*, demo: bool) -> int:
    """Run the whole system until Ctrl-C."""
    settings = StackSettings()
    running = stackfile.read(settings.tracker_data_dir.resolve())
    if running is not None:
        print(f"a stack already runs from {running.data_dir} (pid {running.supervisor_pid}); "
              "`tracker status` shows it", file=sys.stderr)
        return 2
    stack = Stack(settings)
    try:
        stack.start(demo=demo)
        token = admin_token(settings)
        print("cultivation tracker is up")
        ports = stack.ports()
        for name, port in ports.items():
            print(f"  {name:<9} http://127.0.0.1:{port}   (API docs: /docs)")
        print(f"  supervisor http://127.0.0.1:{stack.metrics_port}/metrics"
              "   (restarts; `tracker status` lists the processes)")
        print(f"  admin token: {token}")
        urls = stack.urls()
        print(f"  try: curl -H 'Authorization: Bearer <token>' {urls['registry']}/v1/firms")
        print(f"  dashboard {urls['ladder']}/dashboard   (a read-only key "
              "for it: tracker keys create --role viewer)")
        print("Ctrl-C stops everything.", flush=True)
        return stack.watch()
    finally:
        print("stopping...", flush=True)
        stack.stop()
        print("stopped.", flush=True)
