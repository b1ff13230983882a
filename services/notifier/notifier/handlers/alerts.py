"""An officer's answers to alerts, and an admin's to failed deliveries: ack, retry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from notifier.access import Forbidden, may_see
from notifier.config import Settings
from notifier.domain.officers import Row
from notifier.repository import UnitOfWork
from shared.auth import Ctx
from shared.errors import Conflict, NotFound


async def ack(uow: UnitOfWork, ctx: Ctx, alert_id: uuid.UUID, *, now: datetime) -> Row:
    """Acknowledge an alert (idempotent); stops its escalation. The alert as stored."""
    async with uow:
        row = await uow.repo.alert(alert_id, lock=True)
        if row is None:
            raise NotFound(f"no alert with id {alert_id}")
        if not may_see(ctx.principal, row["officer_id"]):
            raise Forbidden("an officer may acknowledge only their own alerts")
        if row["acknowledged_at"] is None:
            await uow.repo.ack_alert(alert_id, now, ctx.actor)
            await uow.repo.audit(actor=ctx.actor, action="alert.ack", subject=str(alert_id),
                                 correlation_id=ctx.correlation_id)
            row = await uow.repo.alert(alert_id)
    return row


async def retry_delivery(uow: UnitOfWork, ctx: Ctx, delivery_id: uuid.UUID, *,
                         settings: Settings, now: datetime,
                         wake: Callable[[], None]) -> Row:
    """Put a failed delivery back in the queue with a fresh budget of attempts; the delivery
    as stored."""
    async with uow:
        row = await uow.repo.delivery(delivery_id, lock=True)
        if row is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        if row["status"] != "failed":
            raise Conflict(f"only a failed delivery can be retried; this one is {row['status']}",
                           status=row["status"])
        await uow.repo.requeue(delivery_id, now, settings.notifier_max_attempts)
        await uow.repo.audit(actor=ctx.actor, action="delivery.retry", subject=str(delivery_id),
                             correlation_id=ctx.correlation_id)
        after = await uow.repo.delivery(delivery_id)
    assert after is not None  # locked by this transaction since it was read: it is there
    wake()  # after the commit: the worker must see the row pending
    return after
