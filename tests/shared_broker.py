"""One embedded broker per test run, shared by the xdist workers.

The first worker that needs it starts it under a lock and writes its address into a folder keyed
by the run; the others read it. The controlling pytest process (or the only one, without xdist)
stops it when the whole run ends, so no worker pulls it from under another.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import time
import uuid
from pathlib import Path

import psutil

RUN_VAR = "CT_TEST_RUN"  # set by the controller, inherited by its workers


def run_id() -> str:
    """This test run's id (made once, in the controlling process)."""
    return os.environ.setdefault(RUN_VAR, uuid.uuid4().hex[:12])


def _folder() -> Path:
    return Path("/tmp") / f"ct-kafka-{run_id()}"


def shared_bootstrap(engine: str) -> str:
    """Bootstrap servers of the run's broker, started here if no worker started it yet."""
    from tracker.embedded import embedded_broker, free_port

    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        address = folder / "bootstrap"
        if address.exists():
            return address.read_text()
        broker = embedded_broker(free_port(), folder / "data", engine=engine)
        bootstrap = broker.start()
        process = getattr(broker, "process", None)
        assert process is not None
        (folder / "pid").write_text(str(process.pid))
        address.write_text(bootstrap)
        return bootstrap


def stop_shared_broker() -> None:
    """Stop the run's broker, if one was started (SIGTERM, SIGKILL after 30 s), and remove it."""
    folder = _folder()
    pid_file = folder / "pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            if not _exits(pid, 30):
                os.kill(pid, signal.SIGKILL)
        from tracker.kafka_broker import keep_class_archive

        keep_class_archive(folder / "data")
    shutil.rmtree(folder, ignore_errors=True)


def _exits(pid: int, timeout_s: float) -> bool:
    """Whether `pid` ends within `timeout_s`; a zombie (its worker has not reaped it) has ended."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False
