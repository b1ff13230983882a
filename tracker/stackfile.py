"""`<data dir>/stack.json`: where a running `tracker up` listens, and how its processes fare.

`tracker up` writes it once its parts are started, rewrites it whenever a process is
restarted, and removes it when it stops. Every other `tracker` command reads it to find
the stack. A file left behind by a supervisor that was killed is recognised by its pid.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

FILE_NAME = "stack.json"


class ProcessInfo(BaseModel):
    """One service process as the supervisor last saw it."""

    url: str = Field(description="Where the service answers HTTP.")
    pid: int | None = Field(description="Its process id; null while it waits to be restarted.")
    processes: int = Field(default=1, description="Processes serving it; more than one are "
                                                  "this process's workers, stopped with it.")
    started_at: datetime = Field(description="When the current process was started (UTC).")
    restarts: int = Field(default=0, description="How often the supervisor restarted it.")
    last_exit: int | None = Field(default=None, description="Exit code of its last death.")


class StackInfo(BaseModel):
    """What a running `tracker up` tells the other `tracker` commands."""

    supervisor_pid: int
    started_at: datetime
    data_dir: str
    database_url: str
    kafka_bootstrap: str
    broker: str | None = Field(default=None, description="The embedded broker's engine, if any.")
    metrics_url: str | None = Field(default=None, description="The supervisor's /metrics.")
    services: dict[str, ProcessInfo]


def path_in(data_dir: Path) -> Path:
    """Where the stack file of `data_dir` lives."""
    return data_dir / FILE_NAME


def write(data_dir: Path, info: StackInfo) -> None:
    """Replace the stack file atomically, so a reader never sees half of it."""
    target = path_in(data_dir)
    scratch = target.with_name(f".{FILE_NAME}.{os.getpid()}")
    # 0600: the database URL may carry a password
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(info.model_dump_json(indent=2))
    os.replace(scratch, target)


def remove(data_dir: Path) -> None:
    """Remove the stack file, if there is one."""
    with contextlib.suppress(FileNotFoundError):
        path_in(data_dir).unlink()


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (zombies included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it is just not ours
        return True
    return True


def read(data_dir: Path) -> StackInfo | None:
    """The running stack of `data_dir`, or None when none runs (no file, or a stale one)."""
    try:
        info = StackInfo.model_validate_json(path_in(data_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValidationError):
        return None
    return info if pid_alive(info.supervisor_pid) else None
