"""Use cases that change standings: a registry event, an override by hand, the daily sweep."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from ladder.domain.targets import TARGET_KEYS
from ladder.handlers.projection import project
from ladder.handlers.round import round_notices
from ladder.handlers.targets import publish_progress
from ladder.handlers.timeline import Outcome, Trigger, firm_ref, recompute, recompute_many
from shared.auth import Ctx
from shared.errors import NotFound, Rejected
from shared.events import AnyEvent, FilingExpiring, FilingExpiringData

if TYPE_CHECKING:
    from ladder.domain.rulebook import Rulebook
    from ladder.repository import UnitOfWork

EXPIRY_NOTICE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Overridden:
    """The standing after an override was set or cleared."""

    firm_id: uuid.UUID
    tier: str
    override: bool  # an override now holds
    decision_id: uuid.UUID | None


async def on_firm_event(uow: UnitOfWork, event: AnyEvent, *, rulebook: Rulebook,
                        today: date) -> Outcome:
    """Project a registry event and recompute the firm's timeline up to today."""
    return (await on_firm_events(uow, [event], rulebook=rulebook, today=today))[0]


async def on_firm_events(uow: UnitOfWork, events: list[AnyEvent], *, rulebook: Rulebook,
                         today: date) -> list[Outcome]:
    """Project a batch of registry events, then recompute each firm they touch once, with
    all its new facts (the fold does not depend on their order); the outcome per event."""
    async with uow:
        firm_ids = await project(uow.repo, events)
        last = {uuid.UUID(e.subject): e for e in events}  # the trigger: each firm's last event
        done = await recompute_many(uow, {f: Trigger(
            last[f].event_id, last[f].correlation_id or str(last[f].event_id))
            for f in firm_ids}, rulebook=rulebook, today=today)
    return [done[uuid.UUID(e.subject)] for e in events]


async def override(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID, *, tier: str | None,
                   unicorn_grade: str | None, reason: str, rulebook: Rulebook,
                   today: date) -> Overridden:
    """Set a tier by hand (or clear the override with tier=None), dated today; audited and
    published through the firm's timeline."""
    async with uow:
        row = await uow.repo.standing(firm_id, lock=True)
        if row is None:
            raise NotFound(f"the ladder has no firm {firm_id}")
        if tier is None and row["override_tier"] is None:
            raise Rejected("tier", "override_present", "there is no override to clear")
        if tier is not None and (tier == "unicorn") != (unicorn_grade is not None):
            raise Rejected("unicorn_grade", "grade_with_unicorn",
                           "give unicorn_grade exactly when tier is unicorn")
        await uow.repo.add_override(firm_id, set_on=today, tier=tier,
                                    unicorn_grade=unicorn_grade, reason=reason, by=ctx.actor)
        outcome = await recompute(uow, firm_id, rulebook=rulebook, today=today,
                                  correlation_id=ctx.correlation_id)
        if tier is not None:
            await uow.repo.save_standing(firm_id, {"override_by": ctx.actor,
                                                   "override_at": datetime.now(UTC)})
        change = "override" if tier is not None else "override_cleared"
        await uow.repo.audit(
            actor=ctx.actor, action=change, subject=str(firm_id),
            before={"tier": row["tier"], "override": row["override_tier"] is not None},
            after={"tier": outcome.tier, "override": tier is not None, "reason": reason},
            correlation_id=ctx.correlation_id)
    return Overridden(firm_id=firm_id, tier=outcome.tier, override=tier is not None,
                      decision_id=outcome.decision_id)


async def sweep(uow: UnitOfWork, *, rulebook: Rulebook, today: date,
                reminder_days: Sequence[int] = (14, 3),
                list_quiet_s: float = 120.0) -> dict[str, int]:
    """Daily: apply the filing expiries the timeline holds, send expiry notices, recheck
    paces, send the round's reminders and announce published lists; one transaction per
    firm, so one firm's failure keeps the others' work."""
    counts = {"expired": 0, "notices": 0}
    async with uow:
        expiring = await uow.repo.expiring(today)
    for firm_id in expiring:
        async with uow:
            await recompute(uow, firm_id, rulebook=rulebook, today=today)
            counts["expired"] += 1
    horizon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    async with uow:
        due_list = await uow.repo.expiry_notices_due(horizon)
    for due in due_list:
        async with uow:
            row = await uow.repo.standing(due["firm_id"], lock=True)
            if (row is None or row["expires_on"] != due["expires_on"] or row["expires_on"] <= today
                    or row["expiry_notice_for"] == row["expires_on"]):
                continue  # changed, or noticed already (by another process's sweep)
            await uow.outbox.add(
                FilingExpiring, subject=str(due["firm_id"]), data=FilingExpiringData(
                    firm=firm_ref(row), tier=row["tier"], expires_on=row["expires_on"],
                    days_left=(row["expires_on"] - today).days))
            await uow.repo.save_standing(due["firm_id"], {"expiry_notice_for": row["expires_on"]})
            counts["notices"] += 1
    async with uow:
        for key in TARGET_KEYS:
            await publish_progress(uow, year=today.year, key=key, firm=None, today=today,
                                   correlation_id=None, previous=None)
    counts.update(await round_notices(uow, today=today, reminder_days=reminder_days,
                                      list_quiet_s=list_quiet_s))
    return counts
