"""Entitlement events in (`entitlements.entitlement-events`): an offer, and an offer the firm
has not confirmed after N days, become alerts for the firm's officer, routed, worded and
delivered like standing alerts. Every other entitlement event raises none."""

from __future__ import annotations

import uuid
from datetime import datetime

from notifier.config import Settings
from notifier.handlers import intake
from notifier.repository import UnitOfWork
from shared.events import AnyEvent, EntitlementAwaitingConfirmation, EntitlementStateChanged

ALERTING = (EntitlementStateChanged, EntitlementAwaitingConfirmation)


async def handle_events(uow: UnitOfWork, events: list[AnyEvent], *, settings: Settings,
                        now: datetime) -> list[list[uuid.UUID]]:
    """Alert officers of the offers and overdue offers in a consumed batch; returns, per
    event, the ids of the deliveries queued."""
    if not any(isinstance(e, ALERTING) for e in events):
        return [[] for _ in events]
    return await intake.handle_events(uow, events, settings=settings, now=now)
