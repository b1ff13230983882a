"""Offers the firm has not confirmed after N days: one reminder event each, which the notifier
turns into an alert for the firm's officer; past the deadline (M days) the offer expires."""

from __future__ import annotations

from datetime import date, timedelta

from entitlements.handlers.reconcile import SYSTEM, state_changed
from entitlements.repository import UnitOfWork
from shared.events import (
    EntitlementAwaitingConfirmation,
    EntitlementAwaitingConfirmationData,
    EntitlementStateChanged,
)


async def remind_overdue(uow: UnitOfWork, *, today: date, after_days: int,
                         limit: int = 200) -> int:
    """Publish EntitlementAwaitingConfirmation for offers waiting longer than `after_days`."""
    async with uow:
        rows = await uow.repo.overdue_offers(today - timedelta(days=after_days), limit)
        for row in rows:
            await uow.repo.mark_reminded(row["id"])
            await uow.outbox.add(
                EntitlementAwaitingConfirmation, subject=str(row["firm_id"]),
                data=EntitlementAwaitingConfirmationData.model_validate({
                    "entitlement_id": row["id"], "firm": row["firm"],
                    "policy_name": row["policy_name"], "amount": row["amount"],
                    "offered_on": row["offered_on"],
                    "days_waiting": (today - row["offered_on"]).days}))
        return len(rows)



async def expire_overdue(uow: UnitOfWork, *, today: date, after_days: int,
                         limit: int = 200) -> int:
    """Expire offers unconfirmed for longer than `after_days` (the deadline), by the system."""
    async with uow:
        rows = await uow.repo.stale_offers(today - timedelta(days=after_days), limit)
        reason = f"not confirmed within {after_days} days of the offer"
        for row in rows:
            await uow.repo.update(row["id"], {"state": "expired"})
            await uow.repo.add_step(row["id"], from_state="offered", to_state="expired",
                                    on=today, by=SYSTEM, amount=row["amount"], note=reason)
            await uow.outbox.add(EntitlementStateChanged, subject=str(row["firm_id"]),
                                 data=state_changed(row, to="expired", on=today, by=SYSTEM,
                                                    amount=row["amount"], reason=reason))
        return len(rows)
