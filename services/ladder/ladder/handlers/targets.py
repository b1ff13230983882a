"""Targets: publish progress, pace changes and milestones; set a year's targets."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ladder.domain.targets import milestones_crossed, pace, progress
from shared.auth import Ctx
from shared.events import (
    FirmRef,
    TargetMilestoneReached,
    TargetMilestoneReachedData,
    TargetProgressChanged,
    TargetProgressChangedData,
)

if TYPE_CHECKING:
    from datetime import date

    from ladder.repository import UnitOfWork


async def publish_progress(uow: UnitOfWork, *, year: int, key: str, firm: FirmRef | None,
                           today: date, correlation_id: str | None,
                           previous: int | None) -> None:
    """TargetProgressChanged when the count (from `previous`) or the pace moved; milestones
    once each, when the count rises past them. `previous` None: only the pace is rechecked."""
    # the target's state row first (locked): with several ladder processes, the count read
    # after it includes what another process committed before letting go of the row
    state = await uow.repo.target_state(year, key)
    target = (await uow.repo.targets(year)).get(key)
    achieved = (await uow.repo.achieved(year)).get(key, 0)
    previous_pace = state["pace"] if state else None
    reached = list(state["milestones"]) if state else []
    now_pace = pace(achieved, target, today, year) if target else "on_track"
    moved = previous is not None and previous != achieved
    if not moved and now_pace == previous_pace:
        return
    subject = str(year)
    if target is not None:
        await uow.outbox.add(
            TargetProgressChanged, subject=subject, correlation_id=correlation_id,
            data=TargetProgressChangedData(
                year=year, key=key, target=target, achieved=achieved,
                progress=progress(achieved, target) or 0, pace=now_pace,
                previous_pace=previous_pace))
    new_marks = []
    if target and previous is not None and achieved > previous:
        # a milestone is a step toward a target: a year without one (or with 0) has none
        crossed = milestones_crossed(previous, achieved, target)
        if key == "unicorn" and previous == 0:
            crossed.append("first_unicorn")
        new_marks = [m for m in crossed if m not in reached]
    for mark in new_marks:
        await uow.outbox.add(
            TargetMilestoneReached, subject=subject, correlation_id=correlation_id,
            data=TargetMilestoneReachedData(year=year, key=key, milestone=mark,
                                            target=target or 0, achieved=achieved, firm=firm))
    await uow.repo.save_target_state(year, key, now_pace, reached + new_marks)


async def put_targets(uow: UnitOfWork, ctx: Ctx, year: int, values: dict[str, int]) -> None:
    """Replace a year's targets (admin); audited."""
    async with uow:
        before = await uow.repo.targets(year)
        await uow.repo.put_targets(year, values, ctx.actor)
        await uow.repo.audit(actor=ctx.actor, action="targets.put", subject=str(year),
                             before=before, after=values, correlation_id=ctx.correlation_id)


async def put_round(uow: UnitOfWork, ctx: Ctx, year: int, body: dict[str, Any]) -> Any:
    """Set a year's round (tiers open and dates); audited."""
    async with uow:
        before = await uow.repo.round(year)
        row = await uow.repo.put_round(year, list(body["tiers"]),
                                       {k: v for k, v in body.items() if k != "tiers"}, ctx.actor)
        await uow.repo.audit(actor=ctx.actor, action="round.put", subject=str(year),
                             before=None if before is None else _plain(dict(before)),
                             after=_plain(body), correlation_id=ctx.correlation_id)
    return row


def _plain(value: dict[str, Any]) -> Any:
    """Dates and lists as JSON holds them."""
    return json.loads(json.dumps(value, default=str))
