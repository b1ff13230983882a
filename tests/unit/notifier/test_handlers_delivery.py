"""Delivering the queue through a fake unit of work and a fake sender: claim, send, settle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from notifier.channels.models import DeliveryResult
from notifier.config import Settings
from notifier.handlers import delivery, intake, jobs
from notifier.workers import DeliveryWorker
from tests.unit.notifier import builders as b
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/a"}


class Sender:
    """Answers each send with the next result, and keeps what it was asked."""

    def __init__(self, *results: DeliveryResult) -> None:
        self.results = list(results)
        self.calls: list[Any] = []

    async def __call__(self, channel: Any, rendered: Any, **kwargs: Any) -> DeliveryResult:
        self.calls.append((channel, rendered, kwargs))
        return self.results.pop(0)


async def _queued(repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    await intake.handle_event(FakeNotifierUow(repo), b.near_miss(), settings=settings, now=NOW)


async def test_a_delivered_row_is_settled_recorded_and_published(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    await _queued(repo, settings)
    (row,), allowed = await delivery.claim(uow, settings=settings, now=NOW)
    assert row["status"] == "sending" and row["attempts"] == 1
    assert allowed == ["hooks.example.com"]
    assert await delivery.claim(uow, settings=settings, now=NOW) == ([], [])  # leased
    send = Sender(DeliveryResult(ok=True, status_code=200))
    result = await delivery.attempt(row, allowed, send=send)
    (_, rendered, kwargs), = send.calls
    assert kwargs["idempotency_key"] == row["idempotency_key"]
    assert kwargs["allowlist"] == allowed and rendered.kind == "near_miss"
    assert await delivery.settle(uow, row, result, duration_ms=12, settings=settings,
                                 now=NOW) == "delivered"
    stored = repo.deliveries_[row["id"]]
    assert stored["status"] == "delivered" and stored["delivered_at"] == NOW
    assert repo.attempts_[0]["ok"] and repo.attempts_[0]["duration_ms"] == 12
    (event,) = uow.outbox.events
    assert event.event_type == "AlertDelivered" and event.data.attempts == 1
    assert await delivery.queue_depth(uow) == {}


async def test_a_retryable_failure_backs_off_then_the_last_attempt_fails_and_is_published(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    await _queued(repo, settings)
    now, outcomes = NOW, []
    for _ in range(settings.notifier_max_attempts):
        (row,), allowed = await delivery.claim(uow, settings=settings, now=now)
        failed = DeliveryResult(ok=False, status_code=503, error="HTTP 503", retryable=True)
        outcomes.append(await delivery.settle(uow, row, failed, duration_ms=5,
                                              settings=settings, now=now))
        if outcomes[-1] == "pending":
            assert repo.deliveries_[row["id"]]["next_attempt_at"] > now
            assert await delivery.queue_depth(uow) == {"pending": 1}
            now = repo.deliveries_[row["id"]]["next_attempt_at"]
    assert outcomes == ["pending", "pending", "failed"]
    assert uow.outbox.types() == ["AlertFailed"] and len(repo.attempts_) == 3


async def test_a_row_retaken_by_another_worker_is_not_settled_twice(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    await _queued(repo, settings)
    (slow,), _ = await delivery.claim(uow, settings=settings, now=NOW)
    later = NOW + settings.lease
    (retaken,), _ = await delivery.claim(uow, settings=settings, now=later)
    ok = DeliveryResult(ok=True, status_code=200)
    assert await delivery.settle(uow, retaken, ok, duration_ms=1, settings=settings,
                                 now=later) == "delivered"
    assert await delivery.settle(uow, slow, ok, duration_ms=1, settings=settings,
                                 now=later + timedelta(seconds=1)) is None
    assert uow.outbox.types() == ["AlertDelivered"]


async def test_a_removed_channel_or_officer_fails_without_sending(
        repo: FakeRepository, uow: FakeNotifierUow, settings: Settings) -> None:
    await _queued(repo, settings)
    (row,), allowed = await delivery.claim(uow, settings=settings, now=NOW)
    send = Sender()
    gone = await delivery.attempt({**row, "channels": []}, allowed, send=send)
    assert not gone.ok and "removed" in (gone.error or "")
    retired = await delivery.attempt({**row, "officer_gone": True}, allowed, send=send)
    assert not retired.ok and not retired.retryable and send.calls == []
    assert await delivery.settle(uow, row, retired, duration_ms=0, settings=settings,
                                 now=NOW) == "failed"


async def test_a_digest_outcome_is_told_for_every_alert_it_carried(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    officer_id = await add_officer(repo, channels=[HOOK], preferences={"promotion": "digest"})
    for _ in range(2):
        await intake.handle_event(FakeNotifierUow(repo), b.standing_event(), settings=settings, now=NOW)
    due = max(d["next_attempt_at"] for d in repo.deliveries_.values())
    repo.officers_[officer_id]["next_digest_at"] = due
    await jobs.fold_digests(uow, settings, due)
    (row,), _ = await delivery.claim(uow, settings=settings, now=due)
    assert row["kind"] == "digest" and row["content"]["title"]
    await delivery.settle(uow, row, DeliveryResult(ok=True), duration_ms=3, settings=settings,
                          now=due)
    assert uow.outbox.types() == ["AlertDelivered", "AlertDelivered"]
    assert {d["status"] for d in repo.deliveries_.values()} == {"delivered"}


async def test_a_worker_tick_sends_what_is_due_through_the_same_handlers(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    await _queued(repo, settings)
    send = Sender(DeliveryResult(ok=True, status_code=204))
    worker = DeliveryWorker(uow=lambda: uow, settings=settings, clock=lambda: NOW, send=send)
    assert await worker.tick() is False  # the batch was not full: nothing more waits
    assert len(send.calls) == 1 and uow.outbox.types() == ["AlertDelivered"]
    assert {d["status"] for d in repo.deliveries_.values()} == {"delivered"}
