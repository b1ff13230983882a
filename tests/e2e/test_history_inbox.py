"""The demo city loaded on the running system floods no inbox: its history (decisions since
2016) reaches the firms' records and at most one summary per officer, never immediate or
critical alerts; and Apache Kafka's own tools list the stack's consumer groups, each member
named by its service."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.factories import ADMIN_TOKEN, auth
from tracker.demo import load_demo
from tracker.demo.officers import register_officers

pytestmark = pytest.mark.e2e
FIRMS = 240
HISTORY_AFTER_DAYS = 30  # the default of NOTIFIER_HISTORY_AFTER_DAYS


def tracker(stack: RunningStack, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600, check=False,
                          env={**env, "TRACKER_DATA_DIR": str(stack.data_dir),
                               "TRACKER_TOKEN": ADMIN_TOKEN, "COLUMNS": "250"})


async def _all(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = await client.get(path, params={**params, "limit": 500,
                                           **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


async def test_the_demo_history_reaches_records_and_one_summary_not_inboxes(
        stack: RunningStack, tmp_path: Path) -> None:
    stack.start()
    officers = await register_officers(stack.url("notifier"), ADMIN_TOKEN)
    loaded = await load_demo(stack.url("registry"), ADMIN_TOKEN, firms=FIRMS,
                             ladder_url=stack.url("ladder"), timeout_s=600)
    assert loaded["rejected"] == 0, loaded["problems"]
    waited = tracker(stack, "wait", "--timeout", "400", cwd=tmp_path)
    assert waited.returncode == 0, waited.stdout + waited.stderr

    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    summaries_seen = 0
    async with httpx.AsyncClient(base_url=stack.url("notifier"), headers=auth(),
                                 timeout=30) as client:
        for officer in officers:
            inbox = await _all(client, f"/v1/officers/{officer.id}/inbox")
            summaries = [a for a in inbox if a["kind"] == "history_summary"]
            assert len(summaries) <= 1, summaries
            old = [a for a in inbox if a["kind"] != "history_summary" and a["on"]
                   and (today - date.fromisoformat(a["on"])).days > HISTORY_AFTER_DAYS]
            assert not old, f"{officer.name} has {len(old)} alerts about the past: {old[:3]}"
            if summaries:
                summaries_seen += 1
                records = await _all(client, "/v1/alerts", officer_id=str(officer.id),
                                     history="true")
                assert records and not any(r["critical"] for r in records)
                demotions = sum(r["kind"] == "demotion" for r in records)
                assert f"{demotions:,} 次降级" in summaries[0]["title"] or \
                    f"{demotions:,} demotions" in summaries[0]["title"], summaries[0]["title"]
        assert summaries_seen > 0  # the demo's history is there, on the records
        sent = await _all(client, "/v1/deliveries")
        history_ids = {a["id"] for a in await _all(client, "/v1/alerts", history="true")}
        assert not [d for d in sent if d["alert_id"] in history_ids]

    groups = tracker(stack, "kafka", "groups", cwd=tmp_path)
    assert groups.returncode == 0, groups.stderr
    assert {"ladder", "notifier", "entitlements"} <= set(groups.stdout.split()), groups.stdout
    described = tracker(stack, "kafka", "describe", "notifier", "--members", cwd=tmp_path)
    assert described.returncode == 0, described.stderr
    assert "notifier-" in described.stdout and "faststream-" not in described.stdout, \
        described.stdout
