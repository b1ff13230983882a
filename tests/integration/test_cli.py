"""The `tracker` command: migrations, keys, contract documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    for service in ("registry", "ladder", "notifier"):
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
    for service in ("registry", "ladder", "notifier"):
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
