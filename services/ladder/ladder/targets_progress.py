"""Targets: publish progress, pace changes and milestones; the items the API shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from ladder import repository as repo
from ladder.domain.entries import CERTIFICATION_KEYS
from ladder.domain.targets import elapsed_share, milestones_crossed, pace, progress
from shared import outbox
from shared.db import DbConn
from shared.topics import STANDING_EVENTS

PRODUCER = "ladder"
TARGET_KEYS = ("eaglet", "gazelle", "unicorn", "leader", *CERTIFICATION_KEYS)


async def publish_progress(conn: DbConn, *, year: int, key: str,
                           firm: dict[str, Any] | None, today: date,
                           correlation_id: str | None, previous: int | None) -> None:
    """TargetProgressChanged when the count (from `previous`) or the pace moved; milestones
    once each, when the count rises past them. `previous` None: only the pace is rechecked."""
    target = (await repo.targets(conn, year)).get(key)
    achieved = (await repo.achieved(conn, year)).get(key, 0)
    state = await repo.target_state(conn, year, key)
    previous_pace = state["pace"] if state else None
    reached = list(state["milestones"]) if state else []
    now_pace = pace(achieved, target, today, year) if target else "on_track"
    moved = previous is not None and previous != achieved
    if not moved and now_pace == previous_pace:
        return
    subject = str(year)
    if target is not None:
        await outbox.append(conn, topic=STANDING_EVENTS, event_type="TargetProgressChanged",
                            producer=PRODUCER, subject=subject, correlation_id=correlation_id,
                            data={"year": year, "key": key, "target": target,
                                  "achieved": achieved, "progress": progress(achieved, target) or 0,
                                  "pace": now_pace, "previous_pace": previous_pace})
    new_marks = []
    if previous is not None and achieved > previous:
        crossed = milestones_crossed(previous, achieved, target or 0)
        if key == "unicorn" and previous == 0:
            crossed.append("first_unicorn")
        new_marks = [m for m in crossed if m not in reached]
    for mark in new_marks:
        await outbox.append(conn, topic=STANDING_EVENTS, event_type="TargetMilestoneReached",
                            producer=PRODUCER, subject=subject, correlation_id=correlation_id,
                            data={"year": year, "key": key, "milestone": mark,
                                  "target": target or 0, "achieved": achieved, "firm": firm})
    await repo.save_target_state(conn, year, key, now_pace, reached + new_marks)


def target_items(targets: dict[str, int], achieved: dict[str, tuple[int, int]], as_of: date,
                 year: int) -> list[dict[str, Any]]:
    """Progress and pace per key (forecast added by the caller, which knows candidates); a key
    without a target still shows its count, with `target: null`."""
    items = []
    share = elapsed_share(as_of, year)
    for key in TARGET_KEYS:
        target = targets.get(key)
        done, by_override = achieved.get(key, (0, 0))
        if target is None and not done and targets:
            continue  # a year with targets lists only its own keys (and any counted)
        items.append({
            "tier": key, "target": target, "achieved": done,
            "breakdown": {"by_rules": done - by_override, "by_override": by_override},
            "progress": progress(done, target) if target is not None else None,
            "pace": pace(done, target, as_of, year) if target is not None else None,
            "elapsed_share": round(share, 4),
            "expected_by_now": round(target * share, 2) if target is not None else None,
        })
    return items
