"""Delivering the queue: claim due rows, make one attempt, settle it and tell the outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from notifier.channels.models import ChannelConfig, DeliveryResult
from notifier.config import Settings
from notifier.domain.officers import Row, channels_of
from notifier.domain.render import RenderedAlert
from notifier.domain.schedule import backoff, should_retry
from notifier.queries import allowlist
from notifier.repository import UnitOfWork
from shared.events import AlertDelivered, AlertFailed, AlertOutcomeData, EventEnvelope

# channels.senders.send with the process's HTTP client, SMTP settings and timeout bound
Send = Callable[..., Awaitable[DeliveryResult]]


async def claim(uow: UnitOfWork, *, settings: Settings,
                now: datetime) -> tuple[list[Row], list[str]]:
    """Take a batch of due rows for this worker, with the webhook allowlist to send them by."""
    async with uow:
        rows = await uow.repo.claim_due(now, now + settings.lease, settings.notifier_worker_batch)
        allowed = await allowlist(uow.repo, settings) if rows else []
    return rows, allowed


async def attempt(row: Row, allowed: list[str], *, send: Send) -> DeliveryResult:
    """Send one claimed row to its channel (unless the officer or the channel is gone)."""
    if row["officer_gone"]:
        return DeliveryResult(ok=False, error="the officer was deleted")
    channel: ChannelConfig | None = channels_of(row).get(row["channel_key"])
    if channel is None or channel.kind != row["channel"]:
        return DeliveryResult(ok=False, error=f"channel {row['channel_key']} was removed")
    return await send(
        channel, RenderedAlert.model_validate(row["content"]), allowlist=allowed,
        idempotency_key=row["idempotency_key"], alert_id=str(row["alert_id"] or row["id"]),
        officer_email=row["email"])


def outcome(row: Row, result: DeliveryResult, *, settings: Settings,
            now: datetime) -> tuple[str, datetime]:
    """The row's next status and when it is next due: delivered, retried later, or failed."""
    if result.ok:
        return "delivered", now
    if should_retry(row["attempts"], result.retryable, row["max_attempts"]):
        wait = backoff(row["attempts"], settings.notifier_backoff_base_s,
                       settings.notifier_backoff_cap_s)
        return "pending", now + timedelta(seconds=wait)
    return "failed", now


@dataclass(frozen=True, slots=True)
class Attempted:
    """One claimed row after its send: what the channel answered and how long it took."""

    row: Row
    result: DeliveryResult
    duration_ms: int


async def settle(uow: UnitOfWork, row: Row, result: DeliveryResult, *, duration_ms: int,
                 settings: Settings, now: datetime) -> str | None:
    """Settle one attempt (see `settle_all`)."""
    (status,) = await settle_all(uow, [Attempted(row, result, duration_ms)],
                                 settings=settings, now=now)
    return status


async def settle_all(uow: UnitOfWork, done: list[Attempted], *, settings: Settings,
                     now: datetime) -> list[str | None]:
    """Record a batch of attempts and their rows' new statuses in one transaction, and
    publish AlertDelivered/AlertFailed for each that is final; per attempt its status, or
    None when another worker retook the row (its lease ran out)."""
    if not done:
        return []
    planned = [outcome(a.row, a.result, settings=settings, now=now) for a in done]
    async with uow:
        await uow.repo.record_attempts([
            (a.row["id"], a.row["attempts"], now, a.result.ok, a.result.status_code,
             a.result.error, a.duration_ms) for a in done])
        settled = await uow.repo.finish_attempts([
            (a.row["id"], a.row["attempts"], status, due, a.result.status_code, a.result.error)
            for a, (status, due) in zip(done, planned, strict=True)], now)
        statuses: list[str | None] = []
        for a, (status, _) in zip(done, planned, strict=True):
            if a.row["id"] not in settled:
                statuses.append(None)
                continue
            if status in ("delivered", "failed"):
                await _publish(uow, a.row, status, a.result.error, now)
            statuses.append(status)
    return statuses


async def _publish(uow: UnitOfWork, row: Row, status: str, error: str | None,
                   now: datetime) -> None:
    """AlertDelivered / AlertFailed for the alert, or for every alert a digest carried."""
    if row["alert_id"] is not None:
        outcomes: list[Any] = [row]
    else:
        outcomes = await uow.repo.settle_digest_members(row["id"], status, error, now)
    event: type[EventEnvelope[AlertOutcomeData]] = (
        AlertDelivered if status == "delivered" else AlertFailed)
    for o in outcomes:
        await uow.outbox.add(event, subject=o["subject"], data=AlertOutcomeData(
            alert_id=o["alert_id"], officer_id=o["officer_id"], channel=o["channel"],
            alert_kind=o["kind"], source_event_id=o["source_event_id"],
            attempts=row["attempts"], error=error))


async def queue_depth(uow: UnitOfWork) -> dict[str, int]:
    """How many deliveries wait, by status."""
    async with uow:
        return await uow.repo.queue_depth()
