"""The `tracker` command: migrations, keys, contract documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from shared.auth import hash_token
from shared.db import connect
from shared.settings import database_url_for

pytestmark = pytest.mark.integration


def _tracker(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120, check=False)


async def test_migrate_is_idempotent_and_keys_land_in_every_service(pg_server_url: str) -> None:
    env = {"DATABASE_URL": pg_server_url}
    first = _tracker("migrate", env=env)
    assert first.returncode == 0, first.stderr
    again = _tracker("migrate", env=env)
    assert "registry: 0 migration(s) applied" in again.stdout

    made = _tracker("keys", "create", "--role", "viewer", "--label", "wall screen", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("ct_") and token not in first.stdout
    for service in ("registry", "ladder", "notifier", "entitlements"):
        conn = await connect(database_url_for(pg_server_url, f"tracker_{service}"))
        try:
            row = await conn.fetchrow("SELECT role, label FROM api_keys WHERE key_hash = $1",
                                      hash_token(token))
            assert row is not None and row["role"] == "viewer" and row["label"] == "wall screen"
            assert await conn.fetchval("SELECT count(*) FROM api_keys WHERE key_hash = $1", token) == 0
        finally:
            await conn.close()
    officer = _tracker("keys", "create", "--role", "officer", env=env)
    assert officer.returncode == 2 and "--officer" in officer.stderr

    key_id = made.stdout.split()[1]
    listed = _tracker("keys", "list", env=env)
    assert key_id in listed.stdout and "wall screen" in listed.stdout and token not in listed.stdout
    assert _tracker("keys", "revoke", key_id, env=env).returncode == 0
    assert "revoked" in _tracker("keys", "list", env=env).stdout
    assert _tracker("keys", "revoke", key_id, env=env).returncode == 1  # already revoked
    for service in ("registry", "ladder", "notifier", "entitlements"):
        conn = await connect(database_url_for(pg_server_url, f"tracker_{service}"))
        try:
            assert await conn.fetchval("SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = $1::uuid",
                                       key_id)
        finally:
            await conn.close()


def test_contract_documents(tmp_path: Path) -> None:
    out = _tracker("docs", "schemas", str(tmp_path))
    assert out.returncode == 0, out.stderr
    schema = json.loads((tmp_path / "AnnualReportFiled.v1.schema.json").read_text())
    assert schema["properties"]["event_type"]["const"] == "AnnualReportFiled"
    doc = json.loads(_tracker("docs", "asyncapi").stdout)
    assert doc["asyncapi"].startswith("3.")
    assert doc["channels"]["registry_firm_events"]["address"] == "registry.firm-events"
    assert doc["channels"]["registry_firm_events_dlq"]["address"] == "registry.firm-events.dlq"
    assert "TierPromoted" in doc["channels"]["ladder_standing_events"]["messages"]


POINTERS = ("DATABASE_URL", "REGISTRY_URL", "LADDER_URL", "NOTIFIER_URL", "TRACKER_TOKEN",
            "TRACKER_ADMIN_TOKEN")


def _bare(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`tracker ARGS` with no URL set and an empty data dir, away from any .env."""
    env = {k: v for k, v in os.environ.items() if k not in POINTERS}
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True,
                          text=True, cwd=data_dir, timeout=120, check=False,
                          env={**env, "TRACKER_DATA_DIR": str(data_dir)})


@pytest.mark.parametrize("args", [
    ("keys", "create", "--role", "viewer"), ("keys", "list"), ("keys", "revoke", str(uuid4())),
    ("migrate",), ("status",), ("wait",), ("import", "firms", "firms.csv"),
])
def test_with_no_stack_and_no_url_a_command_says_so_in_one_line(
        tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "firms.csv").write_text("uscc,name\n")
    out = _bare(tmp_path, *args)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "no running stack" in out.stderr or "no API token" in out.stderr
    assert str(tmp_path) in out.stderr


def test_a_stack_file_left_by_a_dead_supervisor_is_not_a_running_stack(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "stack.json").write_text(json.dumps({
        "supervisor_pid": dead.pid, "started_at": "2026-12-01T00:00:00Z",
        "data_dir": str(tmp_path), "database_url": "postgresql://postgres@127.0.0.1:1/postgres",
        "kafka_bootstrap": "127.0.0.1:1", "services": {}}))
    out = _bare(tmp_path, "keys", "list")
    assert out.returncode == 2 and "no running stack" in out.stderr, out.stderr


def test_an_unreachable_database_url_is_one_line(tmp_path: Path) -> None:
    from tracker.embedded import free_port

    env = {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"}
    out = _tracker("keys", "list", env=env)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "cannot reach" in out.stderr and "Traceback" not in out.stderr


def test_help_lists_the_environment_each_command_reads() -> None:
    from tracker.stack import StackSettings

    top = _tracker("--help").stdout
    assert "TRACKER_DATA_DIR" in top and "DATABASE_URL" in top and "REGISTRY_URL" in top
    up = _tracker("up", "--help").stdout
    for name in StackSettings.model_fields:
        line = next(line for line in up.splitlines() if line.strip().startswith(name.upper()))
        assert "see README" not in line  # every variable has its meaning written down
    assert "DATABASE_URL" in _tracker("keys", "create", "--help").stdout
    imp = _tracker("import", "--help").stdout
    assert "REGISTRY_URL" in imp and "TRACKER_TOKEN" in imp
