"""A clean stop of the embedded PostgreSQL leaves nothing for the wheel's atexit hook to trip on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SCRIPT = """
import sys
from pathlib import Path
from tracker.embedded import EmbeddedPostgres

server = EmbeddedPostgres(Path(sys.argv[1]))
print(server.start())
server.stop()
print("stopped")
"""


def test_start_then_stop_exits_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "postgres")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("stopped"), done.stdout
    # before: `Exception ignored in atexit callback … KeyError: PosixPath('…/postgres')`
    assert "Traceback" not in done.stderr and "KeyError" not in done.stderr, done.stderr
