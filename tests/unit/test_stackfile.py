"""The stack file: written whole, read back, and a stale one is not a running stack."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker import stackfile
from tracker.stackfile import ProcessInfo, StackInfo

pytestmark = pytest.mark.unit


def _info(pid: int) -> StackInfo:
    now = datetime.now(UTC)
    return StackInfo(supervisor_pid=pid, started_at=now, data_dir="/d",
                     database_url="postgresql://postgres:secret@/postgres?host=/d/postgres",
                     kafka_bootstrap="127.0.0.1:9", metrics_url="http://127.0.0.1:8/metrics",
                     services={"ladder": ProcessInfo(url="http://127.0.0.1:7", pid=42,
                                                     started_at=now, restarts=2, last_exit=-9)})


def test_what_is_written_is_read_back_and_only_the_owner_may_read_it(tmp_path: Path) -> None:
    info = _info(os.getpid())
    stackfile.write(tmp_path, info)
    assert stackfile.read(tmp_path) == info
    mode = stat.S_IMODE(stackfile.path_in(tmp_path).stat().st_mode)
    assert mode == 0o600  # the database URL may carry a password
    assert [p.name for p in tmp_path.iterdir()] == ["stack.json"]  # no scratch file left
    stackfile.remove(tmp_path)
    assert stackfile.read(tmp_path) is None
    stackfile.remove(tmp_path)  # removing twice is fine


def test_a_file_of_a_dead_supervisor_or_a_garbled_one_means_no_stack(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stackfile.write(tmp_path, _info(dead.pid))
    assert stackfile.read(tmp_path) is None
    stackfile.path_in(tmp_path).write_text('{"supervisor_pid": ')
    assert stackfile.read(tmp_path) is None
