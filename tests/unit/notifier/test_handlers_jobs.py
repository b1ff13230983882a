"""The worker's timed jobs through a fake unit of work: daily digests and escalation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from notifier.config import Settings
from notifier.handlers import intake, jobs
from tests.unit.notifier import builders as b
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/a"}
MAIL = {"kind": "email", "to": None}


async def test_due_digest_alerts_fold_into_one_message_per_channel_once(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    officer_id = await add_officer(repo, channels=[HOOK, MAIL],
                                   preferences={"promotion": "digest"})
    for _ in range(3):
        await intake.handle_event(FakeNotifierUow(repo), b.standing_event(), settings=settings, now=NOW)
    members = [d for d in repo.deliveries_.values() if d["status"] == "digest"]
    due = max(d["next_attempt_at"] for d in members)
    repo.officers_[officer_id]["next_digest_at"] = due
    assert await jobs.fold_digests(uow, settings, due) == 2
    digests = [d for d in repo.deliveries_.values() if d["kind"] == "digest"]
    assert sorted(d["channel_key"] for d in digests) == ["email", "webhook"]
    assert {d["status"] for d in digests} == {"pending"} and all(d["rendered"] for d in digests)
    by_key = {d["channel_key"]: d["id"] for d in digests}
    assert all(m["digest_id"] == by_key[m["channel_key"]] for m in members)
    assert repo.officers_[officer_id]["next_digest_at"] > due
    assert await jobs.fold_digests(uow, settings, due) == 0  # nothing due any more
    assert len(repo.deliveries_) == 8 and uow.commits == 2


async def _critical_alert(repo: FakeRepository, settings: Settings, **officer: object) -> uuid.UUID:
    officer_id = await add_officer(repo, channels=[HOOK], **officer)
    event = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet")
    await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)
    (alert_id,) = [a["id"] for a in repo.alerts_.values() if a["officer_id"] == officer_id]
    return alert_id


async def test_an_unacknowledged_critical_alert_escalates_once_to_the_supervisor(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    boss = await add_officer(repo, districts=["jinpu"], channels=[MAIL],
                             preferences={"demotion": "digest"})
    alert_id = await _critical_alert(repo, settings, districts=["hitech"], supervisor_id=boss)
    early = NOW + settings.notifier_escalation_after - timedelta(minutes=1)
    assert await jobs.escalate(uow, settings, early) == 0
    later = NOW + settings.notifier_escalation_after
    assert await jobs.escalate(uow, settings, later) == 1
    original = repo.alerts_[alert_id]
    assert original["escalated_at"] == later and original["escalated_to"] == boss
    (up,) = [a for a in repo.alerts_.values() if a["escalation_of"] == alert_id]
    assert up["officer_id"] == boss and up["routed_via"] == "escalation"
    assert up["rendered"]["title"].startswith("【升级】")
    (sent,) = [d for d in repo.deliveries_.values() if d["alert_id"] == up["id"]]
    assert sent["status"] == "pending"  # urgent: the supervisor's digest preference is moot
    assert await jobs.escalate(uow, settings, later + timedelta(days=1)) == 0


async def test_without_a_supervisor_the_alert_is_marked_so_it_is_not_retried(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    alert_id = await _critical_alert(repo, settings)
    later = NOW + settings.notifier_escalation_after
    assert await jobs.escalate(uow, settings, later) == 0
    assert repo.alerts_[alert_id]["escalated_at"] == later
    assert repo.alerts_[alert_id]["escalated_to"] is None and len(repo.alerts_) == 1


async def test_an_acknowledged_alert_does_not_escalate(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    boss = await add_officer(repo, districts=["jinpu"])
    alert_id = await _critical_alert(repo, settings, supervisor_id=boss)
    await repo.ack_alert(alert_id, NOW, "officer:me")
    assert await jobs.escalate(uow, settings, NOW + timedelta(days=3)) == 0
    assert repo.alerts_[alert_id]["escalated_at"] is None
