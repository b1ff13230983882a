"""Nothing lost when the disk is: back up a running stack while writes go on, lose the data
folder, restore it, and find the same standings, histories, targets and deliveries, with
no alert delivered twice."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from notifier.schemas import AllowlistIn, OfficerIn
from registry.domain.models import AnnualReportIn, FirmIn
from tests.chaos.receiver import DedupingReceiver
from tests.e2e.conftest import RunningStack, caught_up, eventually
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.e2e

SETTLED = "2022-04-15"  # phase one's reports: decisions dated 2022, counted in 2022's targets
COVERED, UNCOVERED = "zhongshan", "xigang"


def tracker(stack: RunningStack, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=stack.env,
                          capture_output=True, text=True, timeout=timeout)


async def _firm(stack: RunningStack, district: str, n: int, filed_on: str | None,
                fiscal_year: int) -> tuple[str, int]:
    """Register a firm and file one report; (firm id, its last sequence)."""
    async with stack.registry() as registry:
        firm = (await registry.register_firm(FirmIn.model_validate(
            firm_payload(district=district, founded_on="2015-03-01")))).item
        body = report_payload(ip_class1=1 if n % 2 == 0 else 0, ip_class2=0,
                              **({"filed_on": filed_on} if filed_on else {}))
        done = await registry.file_report(firm.id, fiscal_year, AnnualReportIn.model_validate(body))
        return str(firm.id), done.sequence


async def _state(stack: RunningStack, firms: list[str]) -> dict[str, Any]:
    """What must come back: each firm's standing and history, 2022's targets, deliveries."""
    async with stack.ladder() as ladder, stack.notifier() as notifier:
        standings = {f: (await ladder.standing(f)).model_dump(mode="json") for f in firms}
        histories = {f: [h.model_dump(mode="json") for h in await ladder.history(f).all()]
                     for f in firms}
        targets = (await ladder.targets(2022)).model_dump(mode="json")
        deliveries = sorted((d.model_dump(mode="json") for d in await notifier.deliveries().all()),
                            key=lambda d: str(d["id"]))
    return {"standings": standings, "histories": histories, "targets": targets,
            "deliveries": deliveries}


async def _all_delivered(stack: RunningStack, expected: int) -> bool:
    async with stack.notifier() as notifier:
        found = await notifier.deliveries().all()
    return len(found) >= expected and all(d.status == "delivered" for d in found)


async def test_back_up_while_writing_lose_the_folder_restore_and_find_it_all(
        stack: RunningStack, tmp_path: Path) -> None:
    receiver = DedupingReceiver()
    await receiver.start()
    try:
        await _journey(stack, tmp_path / "backups", receiver)
    finally:
        await receiver.stop()


async def _journey(stack: RunningStack, dest: Path, receiver: DedupingReceiver) -> None:
    # the firms' decisions are dated 2022: alerts (not the record of history) for this journey
    # about deliveries surviving a restore, whatever today's date
    stack.env["NOTIFIER_HISTORY_AFTER_DAYS"] = "36500"
    stack.start()
    async with stack.notifier() as notifier, stack.ladder() as ladder:
        await notifier.set_webhook_allowlist(AllowlistIn(hosts=["127.0.0.1"]))
        await notifier.register_officer(OfficerIn.model_validate({
            "name": "备份测试", "email": "backup@kjj.dl.gov.cn", "districts": [COVERED],
            "industries": [], "channels": [{"kind": "webhook", "url": receiver.hook}]}))
        await ladder.set_targets(2022, {"eaglet": 7})

    # phase one: firms whose alerts reach the officer, all settled before the backup
    settled = await asyncio.gather(*(_firm(stack, COVERED, n, SETTLED, 2021) for n in range(12)))
    async with stack.ladder() as ladder:
        for firm, sequence in settled:
            await caught_up(ladder, firm, sequence)
    await eventually(lambda: _all_delivered(stack, 6), 120, "phase one's alerts delivered")

    # phase two: writes go on while the backup runs (firms nobody covers: unrouted alerts)
    writing, written = asyncio.Event(), []

    async def keep_writing() -> None:
        n = 0
        while not writing.is_set():
            written.append(await _firm(stack, UNCOVERED, n, None, date.today().year - 1))
            n += 1

    writer = asyncio.create_task(keep_writing())
    await eventually(lambda: asyncio.sleep(0, len(written) >= 3), 60, "writes under way")
    before_backup = len(written)
    backup = await asyncio.to_thread(tracker, stack, "backup", str(dest))
    assert backup.returncode == 0, backup.stdout + backup.stderr
    await asyncio.sleep(1.0)  # writes after the backup's end: not in it
    writing.set()
    await writer
    assert len(written) > before_backup + 1, "the writes went on while the backup ran"

    not_a_folder = dest.parent / "a-file"
    not_a_folder.write_text("x")
    refused = await asyncio.to_thread(tracker, stack, "backup", str(not_a_folder))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert "exists and is not a folder" in refused.stderr

    [folder] = [p for p in dest.iterdir()]  # no partial folder left beside it
    assert folder.name.startswith("tracker-backup-") and (folder / "manifest.json").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["services"]) >= {"registry", "ladder", "notifier"}
    assert all(s["present"] for s in manifest["services"].values())
    assert set(manifest["checksums"]) >= {"postgres/base.tar.gz", "postgres/pg_wal.tar.gz",
                                          "postgres/backup_manifest"}

    async with stack.ladder() as ladder:
        for firm, sequence in written:
            await caught_up(ladder, firm, sequence)
    await eventually(lambda: _all_delivered(stack, 6), 120, "every delivery settled")
    phase_one = [firm for firm, _ in settled]
    source = await _state(stack, phase_one)
    calls = sum(receiver.seen.values())
    assert calls == len(receiver.taken) >= 6

    # the disk is lost
    assert not stack.stop()
    shutil.rmtree(stack.data_dir)
    restored = await asyncio.to_thread(tracker, stack, "restore", str(dest))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "event(s) to publish again" in restored.stdout
    again = await asyncio.to_thread(tracker, stack, "restore", str(dest))
    assert again.returncode == 2 and "is not empty" in again.stderr  # never over a stack

    stack.start()
    settled_again = await asyncio.to_thread(tracker, stack, "wait", "--timeout", "180")
    assert settled_again.returncode == 0, settled_again.stdout + settled_again.stderr
    # the writes up to the backup's start are all back, and each is applied by the ladder
    async with stack.registry() as registry, stack.ladder() as ladder:
        back = 0
        for i, (firm, _) in enumerate(written):
            try:
                kept = await registry.firm(firm)
            except Exception:  # noqa: BLE001 - written after the backup's end
                assert i >= before_backup, f"firm {i} written before the backup is missing"
                continue
            back += 1
            assert (await caught_up(ladder, firm, kept.sequence)).sequence == kept.sequence
        assert before_backup <= back <= len(written)
    await asyncio.sleep(3)  # a delivery sent twice would reach the receiver by now
    assert await _state(stack, phase_one) == source
    assert sum(receiver.seen.values()) == calls, "an alert was delivered again after restore"
    assert all(n == 1 for n in receiver.seen.values())
