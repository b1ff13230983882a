"""Apache Kafka as the embedded broker: one KRaft node (broker and controller) as a child
process, its log dirs and cluster id kept in `data_dir`, so data and committed offsets survive
a restart."""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import weakref
from pathlib import Path

from tracker.kafka_jars import class_archive, classpath, java
from tracker.ports import free_port, port_is_free

PENDING_ARCHIVE = "class-archive-pending"
READY_LINE = b"Kafka Server started"  # KafkaRaftServer logs it once the broker is unfenced
LOG4J = """\
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = out
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
"""


def server_properties(*, port: int, controller_port: int, log_dirs: Path, partitions: int) -> str:
    """A single combined node on loopback, sized for one small machine."""
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        # the controller port may change between starts: the voter set is keyed by node id
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(log_dirs),
        "num.partitions": str(partitions),
        "auto.create.topics.enable": "true",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "5",  # 50 by default: slow to create, no use on one node
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "5",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",  # a lone member need not wait for others
        "num.network.threads": "2",
        "num.io.threads": "4",
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _running(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def keep_class_archive(data_dir: Path) -> None:
    """After a clean stop: keep the class-data archive the broker wrote, unless one exists."""
    marker = data_dir / PENDING_ARCHIVE
    if not marker.exists():
        return
    written, archive = Path(marker.read_text()), class_archive()
    if written.exists():
        if archive.exists():
            written.unlink()
        else:
            written.replace(archive)
    marker.unlink()


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, and (as Kafka's own
    Uuid.randomUuid ensures) not starting with "-", which the format command would take for an
    option."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


class KafkaBroker:
    """Apache Kafka on 127.0.0.1:port, data kept in `data_dir` (a temp dir when None)."""

    name = "Apache Kafka"
    lacks = ""

    def __init__(self, port: int, data_dir: Path | None = None, log_file: Path | None = None,
                 *, heap_mb: int = 256, partitions: int = 3):
        self.port, self.heap_mb, self.partitions = port, heap_mb, partitions
        if data_dir is None:  # a broker of the caller's own, for its lifetime (tests)
            data_dir = Path(tempfile.mkdtemp(prefix="ct-kafka-"))
            weakref.finalize(self, shutil.rmtree, data_dir, ignore_errors=True)
        self.data_dir = data_dir
        self.log_file = log_file or self.data_dir / "broker.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers string for clients."""
        return f"127.0.0.1:{self.port}"

    def client_env(self) -> dict[str, str]:
        """Settings the services need on this broker (none: they default to Kafka's)."""
        return {}

    def start(self, timeout_s: float = 90.0) -> str:
        """Format the storage on first use, start the node and wait until it serves clients."""
        binary, why = java()
        if binary is None:
            raise RuntimeError(why)
        self._stop_orphan()
        if not port_is_free(self.port):
            raise RuntimeError(
                f"port {self.port} is in use; set KAFKA_PORT to another port or "
                "KAFKA_BOOTSTRAP_SERVERS to use a running broker")
        jars = classpath()
        config = self._write_config()
        self._format(binary, jars, config)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with open(self.log_file, "ab") as out:
            self.process = subprocess.Popen(
                [binary, *self._jvm_options(), *self._archive_options(), "-cp", jars,
                 "kafka.Kafka", str(config)],
                stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the stack, which stops us in order
            )
        (self.data_dir / "broker.pid").write_text(str(self.process.pid))
        self._wait_ready(offset, timeout_s)
        return self.bootstrap

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop cleanly (SIGTERM: Kafka flushes and closes its logs), SIGKILL if it hangs."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        keep_class_archive(self.data_dir)
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would (the chaos suite's broker scenario)."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def _stop_orphan(self, timeout_s: float = 30.0) -> None:
        """A broker still running on this data dir (its stack was killed: we start it in a
        session of its own, so it outlives its parent) holds the port and the log dirs: stop it."""
        pid_file = self.data_dir / "broker.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text())
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return  # gone
        if str(self.data_dir / "server.properties").encode() not in cmdline:
            return  # the pid is another process's now
        print(f"stopping a broker left running on {self.data_dir} (pid {pid})", flush=True)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def _jvm_options(self) -> list[str]:
        return [
            f"-Xms{min(64, self.heap_mb)}m", f"-Xmx{self.heap_mb}m",
            "-XX:+UseSerialGC",  # one GC thread: the machine has 2 cores for everything
            # C1 only: half the CPU to start (3.5 s instead of 6.6 s measured here), and the
            # peak speed C2 would add is far beyond what this city's event rates need
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
        ]

    def _archive_options(self) -> list[str]:
        """Map the class-data archive, or have this JVM write one when it exits, to a name of
        its own (several brokers may start at once); `keep_class_archive` adopts it."""
        archive = class_archive()
        if archive.exists():
            return [f"-XX:SharedArchiveFile={archive}"]
        pending = archive.with_name(f"{archive.name}.{uuid.uuid4().hex[:8]}")
        (self.data_dir / PENDING_ARCHIVE).write_text(str(pending))
        return [f"-XX:ArchiveClassesAtExit={pending}"]

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.properties").write_text(LOG4J)
        config = self.data_dir / "server.properties"
        config.write_text(server_properties(
            port=self.port, controller_port=free_port(), log_dirs=self.data_dir / "logs",
            partitions=self.partitions))
        return config

    def _format(self, binary: str, jars: str, config: Path) -> None:
        """Format the log dirs once; the cluster id is kept so a half-done format is redone
        with the same id."""
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        id_file = self.data_dir / "cluster-id"
        if not id_file.exists():
            id_file.write_text(new_cluster_id())
        result = subprocess.run(
            [binary, *self._jvm_options(), "-cp", jars, "kafka.tools.StorageTool", "format",
             "--ignore-formatted", "-t", id_file.read_text().strip(), "-c", str(config)],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka's storage failed:\n{result.stdout}{result.stderr}")

    def _wait_ready(self, offset: int, timeout_s: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Kafka exited with code {self.process.returncode}; "
                                   f"see {self.log_file}")
            with open(self.log_file, "rb") as log:
                log.seek(offset)
                if READY_LINE in log.read() and not port_is_free(self.port):
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Kafka was not ready in {timeout_s:.0f} s; see {self.log_file}")
            time.sleep(0.1)
