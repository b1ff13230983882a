"""Targets: count entries, publish progress, pace changes and milestones."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from ladder import repository as repo
from ladder.domain.facts import Certificate
from ladder.domain.targets import elapsed_share, milestones_crossed, pace, progress
from shared import outbox
from shared.db import DbConn
from shared.topics import STANDING_EVENTS

PRODUCER = "ladder"
CERTIFICATION_KEYS = ("high_tech_enterprise", "tech_sme")
TARGET_KEYS = ("eaglet", "gazelle", "unicorn", "leader", *CERTIFICATION_KEYS)
RENEWAL_WINDOW = timedelta(days=365)


async def count_entry(conn: DbConn, *, year: int, key: str, firm: dict[str, Any],
                      on: date, decision_id: uuid.UUID | None,
                      correlation_id: str | None) -> bool:
    """Count a firm entering `key` in `year` (once), then publish what that changed."""
    if not await repo.add_entry(conn, year, key, firm["id"], on, decision_id):
        return False
    await publish_progress(conn, year=year, key=key, firm=firm, today=on,
                           correlation_id=correlation_id, entered=True)
    return True


async def count_certificate(conn: DbConn, *, firm: dict[str, Any],
                            granted: dict[str, Any], held: tuple[Certificate, ...],
                            correlation_id: str | None) -> bool:
    """A high-tech-enterprise or tech-SME certificate counts when it is not a renewal."""
    kind, issued = granted["kind"], granted["issued_on"]
    if kind not in CERTIFICATION_KEYS:
        return False
    for cert in held:
        until = cert.valid_until()
        if (cert.kind == kind and cert.issued_on < issued
                and (until is None or until >= issued - RENEWAL_WINDOW)):
            return False  # the firm held one recently: a renewal, not new
    return await count_entry(conn, year=issued.year, key=kind, firm=firm, on=issued,
                             decision_id=None, correlation_id=correlation_id)


async def publish_progress(conn: DbConn, *, year: int, key: str,
                           firm: dict[str, Any] | None, today: date,
                           correlation_id: str | None, entered: bool) -> None:
    """TargetProgressChanged when the count or the pace moved; milestones once each."""
    target = (await repo.targets(conn, year)).get(key)
    achieved = (await repo.achieved(conn, year)).get(key, 0)
    state = await repo.target_state(conn, year, key)
    previous_pace = state["pace"] if state else None
    reached = list(state["milestones"]) if state else []
    now_pace = pace(achieved, target, today, year) if target else "on_track"
    if not entered and now_pace == previous_pace:
        return
    subject = str(year)
    if target is not None:
        await outbox.append(conn, topic=STANDING_EVENTS, event_type="TargetProgressChanged",
                            producer=PRODUCER, subject=subject, correlation_id=correlation_id,
                            data={"year": year, "key": key, "target": target,
                                  "achieved": achieved, "progress": progress(achieved, target) or 0,
                                  "pace": now_pace, "previous_pace": previous_pace})
    new_marks = []
    if entered:
        crossed = milestones_crossed(achieved - 1, achieved, target or 0)
        if key == "unicorn" and achieved == 1:
            crossed.append("first_unicorn")
        new_marks = [m for m in crossed if m not in reached]
    for mark in new_marks:
        await outbox.append(conn, topic=STANDING_EVENTS, event_type="TargetMilestoneReached",
                            producer=PRODUCER, subject=subject, correlation_id=correlation_id,
                            data={"year": year, "key": key, "milestone": mark,
                                  "target": target or 0, "achieved": achieved, "firm": firm})
    await repo.save_target_state(conn, year, key, now_pace, reached + new_marks)


def target_items(targets: dict[str, int], achieved: dict[str, int], as_of: date,
                 year: int) -> list[dict[str, Any]]:
    """Progress and pace per target (forecast added by the caller, which knows candidates)."""
    items = []
    for key in TARGET_KEYS:
        if key not in targets:
            continue
        target, done = targets[key], achieved.get(key, 0)
        items.append({
            "tier": key, "target": target, "achieved": done,
            "progress": progress(done, target), "pace": pace(done, target, as_of, year),
            "elapsed_share": round(elapsed_share(as_of, year), 4),
            "expected_by_now": round(target * elapsed_share(as_of, year), 2),
        })
    return items
