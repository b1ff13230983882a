"""`tracker backup`'s checks and housekeeping, without a server."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tracker.backup import (
    MANIFEST,
    BackupError,
    _basebackup_problem,
    _os_problem,
    check_dest,
    complete_backups,
    prune,
)
from tracker.restore import check_empty, find_backup

pytestmark = pytest.mark.unit


def test_a_dest_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(BackupError, match="exists and is not a folder"):
        check_dest(tmp_path / "file")
    with pytest.raises(BackupError, match="cannot create"):
        check_dest(tmp_path / "file" / "below")
    check_dest(tmp_path / "new" / "folder")  # made when missing
    assert (tmp_path / "new" / "folder").is_dir() and not any((tmp_path / "new" / "folder").iterdir())


def test_a_full_disk_or_a_refusal_is_said_in_one_line(tmp_path: Path) -> None:
    assert "is full" in _os_problem(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert "not writable" in _os_problem(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    said = ("pg_basebackup: error: could not write to file \"x/base.tar.gz\": "
            "No space left on device\npg_basebackup: removing contents of data directory")
    assert _basebackup_problem(said, tmp_path) == f"the disk holding {tmp_path} is full; nothing was kept"
    said = "pg_basebackup: error: FATAL:  no pg_hba.conf entry for replication connection"
    assert "REPLICATION" in _basebackup_problem(said, tmp_path / "x")
    assert "\n" not in _basebackup_problem("a\rb\nc", tmp_path)


def _backup(dest: Path, name: str, complete: bool = True) -> Path:
    path = dest / f"tracker-backup-{name}"
    path.mkdir(parents=True)
    if complete:
        (path / MANIFEST).write_text("{}")
    return path


def test_keep_n_removes_the_oldest_complete_backups_only(tmp_path: Path) -> None:
    old, mid, new = (_backup(tmp_path, n) for n in ("20261201T000000Z", "20261202T000000Z",
                                                    "20261203T000000Z"))
    half = _backup(tmp_path, "20261130T000000Z", complete=False)  # no manifest: not a backup
    assert complete_backups(tmp_path) == [old, mid, new]
    assert prune(tmp_path, 2) == [old]
    assert not old.exists() and mid.exists() and new.exists() and half.exists()
    assert find_backup(tmp_path) == new and find_backup(mid) == mid


def test_restore_only_into_an_empty_folder(tmp_path: Path) -> None:
    check_empty(tmp_path / "missing")
    check_empty(tmp_path)
    (tmp_path / "stack.json").write_text("{}")
    with pytest.raises(BackupError, match="not empty"):
        check_empty(tmp_path)
    with pytest.raises(BackupError, match="no complete backup"):
        find_backup(tmp_path)
