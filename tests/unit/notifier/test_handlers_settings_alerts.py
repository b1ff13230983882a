"""Settings, acknowledgement and retry handlers through a fake unit of work."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from notifier.access import Forbidden
from notifier.config import Settings
from shared.errors import Conflict, NotFound, Rejected
from tests.unit.notifier import answers as alerts
from tests.unit.notifier import answers as settings_handlers
from tests.unit.notifier.conftest import ADMIN, NOW, add_officer, officer_ctx
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
RENDERED = {"title": "t", "body_text": "t\n\nb", "body_html": "<p>b</p>", "link": None,
            "severity": "critical", "language": "zh"}


async def test_allowlist_is_normalised_deduplicated_and_merged_with_the_environment(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    view = await settings_handlers.put_allowlist(
        uow, ADMIN, ["Bots.Corp.Example.CN", "bots.corp.example.cn", "10.0.0.5"],
        settings=settings)
    assert view.hosts == ["10.0.0.5", "bots.corp.example.cn"]
    assert view.effective == ["10.0.0.5", "bots.corp.example.cn", "hooks.example.com"]
    assert view.environment == ["hooks.example.com"]
    assert repo.audits[0]["after"] == view.hosts and uow.commits == 1


async def test_a_bad_host_is_refused_and_the_old_list_stays(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    repo.settings["webhook_allowlist"] = ["old.example.com"]
    with pytest.raises(Rejected) as refused:
        await settings_handlers.put_allowlist(uow, ADMIN, ["ok.example.com", "é..com"],
                                              settings=settings)
    assert refused.value.extra == {"field": "hosts.1", "rule": "host"}
    assert repo.settings == {"webhook_allowlist": ["old.example.com"]} and repo.audits == []


async def test_fallback_officer_is_set_cleared_and_must_exist(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    officer_id = await add_officer(repo)
    view = await settings_handlers.put_fallback(uow, ADMIN, officer_id, settings=settings)
    assert view.officer_id == view.effective == officer_id
    cleared = await settings_handlers.put_fallback(uow, ADMIN, None, settings=settings)
    assert cleared.officer_id is None and cleared.effective is None and repo.settings == {}
    with pytest.raises(Rejected):
        await settings_handlers.put_fallback(uow, ADMIN, uuid.uuid4(), settings=settings)
    assert len(repo.audits) == 2 and uow.rollbacks == 1


def _alert(repo: FakeRepository, officer_id: uuid.UUID | None) -> uuid.UUID:
    alert_id = uuid.uuid4()
    repo.alerts_[alert_id] = {
        "id": alert_id, "idempotency_key": str(alert_id), "source_event_id": uuid.uuid4(),
        "source_event": {}, "subject": "firm", "officer_id": officer_id, "kind": "demotion",
        "severity": "critical", "critical": True, "firm_id": None, "unrouted": False,
        "routed_via": "coverage", "rendered": RENDERED, "created_at": NOW,
        "acknowledged_at": None, "acknowledged_by": None, "escalation_of": None,
        "escalated_at": None, "escalated_to": None}
    return alert_id


async def test_ack_marks_read_once_and_a_second_ack_changes_nothing(
        uow: FakeNotifierUow, repo: FakeRepository) -> None:
    officer_id = await add_officer(repo)
    alert_id = _alert(repo, officer_id)
    first = await alerts.ack(uow, officer_ctx(officer_id), alert_id, now=NOW)
    assert first.read and first.acknowledged_at == NOW
    assert first.acknowledged_by == "officer:k-officer"
    again = await alerts.ack(uow, ADMIN, alert_id, now=NOW + timedelta(hours=1))
    assert again.acknowledged_at == NOW and again.acknowledged_by == "officer:k-officer"
    assert [a["action"] for a in repo.audits] == ["alert.ack"]


async def test_an_officer_cannot_ack_another_officers_alert(
        uow: FakeNotifierUow, repo: FakeRepository) -> None:
    alert_id = _alert(repo, await add_officer(repo))
    with pytest.raises(Forbidden):
        await alerts.ack(uow, officer_ctx(uuid.uuid4()), alert_id, now=NOW)
    with pytest.raises(NotFound):
        await alerts.ack(uow, ADMIN, uuid.uuid4(), now=NOW)
    assert repo.alerts_[alert_id]["acknowledged_at"] is None and uow.rollbacks == 2


def _delivery(repo: FakeRepository, status: str, **extra: Any) -> uuid.UUID:
    delivery_id = uuid.uuid4()
    repo.deliveries_[delivery_id] = {
        "id": delivery_id, "idempotency_key": str(delivery_id), "alert_id": None,
        "officer_id": uuid.uuid4(), "channel_key": "webhook", "channel": "webhook",
        "kind": "demotion", "status": status, "attempts": 3, "max_attempts": 3,
        "next_attempt_at": NOW - timedelta(hours=1), "lease_until": None, "digest_id": None,
        "rendered": None, "last_status_code": 500, "last_error": "HTTP 500",
        "created_at": NOW - timedelta(hours=2), "updated_at": NOW - timedelta(hours=1),
        "delivered_at": None, **extra}
    return delivery_id


async def test_retry_requeues_a_failed_delivery_with_a_fresh_budget_then_wakes_the_worker(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    delivery_id = _delivery(repo, "failed")
    woken: list[int] = []

    def wake() -> None:
        woken.append(uow.commits)  # what was committed when the worker was told

    out = await alerts.retry_delivery(uow, ADMIN, delivery_id, settings=settings, now=NOW,
                                      wake=wake)
    assert out.status == "pending" and out.max_attempts == 3 + settings.notifier_max_attempts
    assert out.next_attempt_at == NOW and woken == [1]
    assert repo.audits[0]["action"] == "delivery.retry"


@pytest.mark.parametrize("status", ["pending", "delivered", "sending"])
async def test_only_a_failed_delivery_can_be_retried(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings, status: str) -> None:
    delivery_id = _delivery(repo, status)
    with pytest.raises(Conflict) as refused:
        await alerts.retry_delivery(uow, ADMIN, delivery_id, settings=settings, now=NOW,
                                    wake=lambda: pytest.fail("woke the worker"))
    assert refused.value.extra == {"status": status}
    assert repo.deliveries_[delivery_id]["status"] == status and repo.audits == []
