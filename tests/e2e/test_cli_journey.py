"""The `tracker` command against a stack started the way `make run` starts it, from other
processes that know only its data dir; and the supervisor restarting a killed service."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.models import FirmIn
from tests.e2e.conftest import RunningStack, finish, prepared_stack, wait_until
from tests.factories import ADMIN_TOKEN, firm_payload, report_payload, wrong_check_uscc
from tracker.client import ApiProblem

pytestmark = pytest.mark.e2e

# what a user's shell may have set that would point the command elsewhere than the stack
POINTERS = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "REGISTRY_URL", "LADDER_URL",
            "NOTIFIER_URL", "TRACKER_TOKEN", "TRACKER_ADMIN_TOKEN")


@pytest.fixture(scope="module")
def running() -> Iterator[RunningStack]:
    """One stack for this module's tests (the supervisor test, which kills a service, is last)."""
    stack = prepared_stack()
    stack.start()
    yield stack
    finish(stack)


def tracker(stack: RunningStack, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`tracker ARGS` in a process of its own that knows only the stack's data dir."""
    clean = {k: v for k, v in os.environ.items() if k not in POINTERS}
    # cwd away from the repo, so no .env there points it anywhere; COLUMNS: tables unwrapped
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", *args], capture_output=True, text=True, cwd=cwd,
        env={**clean, "TRACKER_DATA_DIR": str(stack.data_dir), "COLUMNS": "250", **env},
        timeout=300, check=False)


async def test_a_viewer_key_made_in_another_process_reads_and_cannot_write(
        running: RunningStack, tmp_path: Path) -> None:
    made = tracker(running, "keys", "create", "--role", "viewer", "--label", "dashboard",
                   cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    async with running.registry(token) as viewer:
        await viewer.firms().first()  # reads: any error answer would raise
        with pytest.raises(ApiProblem) as refused:
            await viewer.register_firm(FirmIn.model_validate(firm_payload()))
        assert refused.value.status == 403
    listed = tracker(running, "keys", "list", cwd=tmp_path)
    assert "dashboard" in listed.stdout and token not in listed.stdout
    key_id = made.stdout.split()[1]
    assert tracker(running, "keys", "revoke", key_id, cwd=tmp_path).returncode == 0
    async with running.registry(token) as revoked:
        with pytest.raises(ApiProblem) as refused:
            await revoked.firms().first()
        assert refused.value.status == 401
    migrated = tracker(running, "migrate", cwd=tmp_path)
    assert migrated.returncode == 0 and "registry: 0 migration(s) applied" in migrated.stdout


def test_a_second_stack_on_the_same_data_dir_refuses_to_start(running: RunningStack,
                                                                tmp_path: Path) -> None:
    second = tracker(running, "up", "--no-demo", cwd=tmp_path)
    assert second.returncode == 2 and "already runs" in second.stderr, second.stderr
    assert (running.data_dir / "stack.json").exists()  # the first one's file is left alone


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


async def test_import_reports_each_rejected_row_and_wait_sees_the_ladder_catch_up(
        running: RunningStack, tmp_path: Path) -> None:
    firms = [firm_payload() for _ in range(5)]
    bad_check, bad_district = firm_payload(uscc=wrong_check_uscc()), firm_payload(district="atlantis")
    rows = firms[:2] + [bad_check] + firms[2:4] + [bad_district] + firms[4:]
    path = tmp_path / "firms.csv"
    _write_csv(path, rows)
    # two rows a request: the rejected rows sit in the 2nd and 3rd requests (rows 3 and 6)
    out = tracker(running, "import", "firms", str(path), "--chunk-rows", "2", cwd=tmp_path,
                  TRACKER_TOKEN=ADMIN_TOKEN)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "7 rows: 5 applied, 0 unchanged, 2 rejected" in out.stdout
    assert "rejected rows (2)" in out.stdout
    table = [line for line in out.stdout.splitlines() if "│" in line]
    assert any(bad_check["uscc"] in line and "uscc" in line and "check character" in line
               for line in table), out.stdout
    assert any(bad_district["uscc"] in line and "district" in line for line in table), out.stdout
    with open(tmp_path / "firms.errors.csv", newline="", encoding="utf-8") as written:
        report = list(csv.DictReader(written))
    assert [(r["row"], r["uscc"], r["field"]) for r in report] == [
        ("3", bad_check["uscc"], "uscc"), ("6", bad_district["uscc"], "district")]
    assert "GB 32100-2015" in report[0]["reason"]

    async with running.registry() as admin:
        ids = {}
        for firm in firms + [bad_check, bad_district]:
            items = (await admin.firms(q=firm["uscc"]).first()).items
            if firm in firms:
                assert [i.uscc for i in items] == [firm["uscc"]]
                ids[firm["uscc"]] = items[0].id
            else:
                assert items == []
        reports = [{"uscc": f["uscc"], "fiscal_year": fy, **report_payload()}
                   for f in firms for fy in (2020, 2021)]
        reports[3]["employees"] = -4
        report_path = tmp_path / "reports.csv"
        _write_csv(report_path, reports)
        out = tracker(running, "import", "reports", str(report_path), cwd=tmp_path,
                      TRACKER_TOKEN=ADMIN_TOKEN)
        assert out.returncode == 1 and "10 rows: 9 applied, 0 unchanged, 1 rejected" in out.stdout
        assert (tmp_path / "reports.errors.csv").read_text().splitlines()[1].startswith(
            f"4,{firms[1]['uscc']},2021,employees,")

        waited = tracker(running, "wait", "--timeout", "240", cwd=tmp_path)
        assert waited.returncode == 0, waited.stdout + waited.stderr
        assert "caught up" in waited.stdout
        async with running.ladder() as ladder:  # right away: wait returned only once caught up
            for uscc, firm_id in ids.items():
                registry_seq = (await admin.firm(firm_id)).sequence
                standing = await ladder.standing(firm_id)  # a 404 would raise, naming the firm
                assert standing.sequence == registry_seq, uscc


async def test_a_killed_service_is_restarted_counted_and_listed(running: RunningStack,
                                                          tmp_path: Path) -> None:
    before = running.info()
    old_pid = before["services"]["ladder"]["pid"]
    assert before["services"]["ladder"]["restarts"] == 0
    os.kill(old_pid, signal.SIGKILL)

    def restarted() -> dict[str, Any] | None:
        ladder = running.info()["services"]["ladder"]
        return ladder if ladder["restarts"] == 1 and ladder["pid"] not in (None, old_pid) else None

    ladder = wait_until(restarted, 90, "the ladder restarted")
    assert ladder["last_exit"] == -signal.SIGKILL
    logged = (running.data_dir / "logs" / "supervisor.log").read_text()
    assert f"ladder (pid {old_pid}) died with signal SIGKILL" in logged
    assert f"ladder restarted (pid {ladder['pid']}, restart 1)" in logged
    metrics = httpx.get(before["metrics_url"], timeout=5).text
    assert 'tracker_service_restarts_total{service="ladder"} 1.0' in metrics
    assert 'tracker_service_restarts_total{service="registry"} 0.0' in metrics

    def status_ready() -> subprocess.CompletedProcess[str] | None:
        out = tracker(running, "status", cwd=tmp_path)
        return out if out.returncode == 0 else None

    status = wait_until(status_ready, 90, "tracker status: every service ready")
    row = next(line for line in status.stdout.splitlines() if line.startswith("│ ladder"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[:2] == ["ladder", str(ladder["pid"])] and cells[3] == "1" and cells[5] == "ready"
    assert cells[4] == str(-signal.SIGKILL)
    as_json = tracker(running, "status", "--json", cwd=tmp_path)
    states = json.loads(as_json.stdout)["services"]
    assert as_json.returncode == 0 and states["ladder"]["restarts"] == 1
    assert states["ladder"]["pid"] == ladder["pid"] and states["ladder"]["ready"] is True
    assert states["registry"]["restarts"] == 0 and states["ladder"]["uptime_s"] > 0
    assert "database_url" not in json.loads(as_json.stdout)  # it may carry a password

    # the restarted ladder consumes again: a new firm is applied
    async with running.registry() as admin:
        assert (await admin.register_firm(FirmIn.model_validate(firm_payload()))).created
    waited = tracker(running, "wait", "--timeout", "240", cwd=tmp_path)
    assert waited.returncode == 0, waited.stdout + waited.stderr
