"""The round's notices, from the sweep: reminders before each deadline, and the published
lists. Each is sent once (a row records it), so several ladder processes, restarts and
replays send nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ladder.domain.round import (
    DEADLINES,
    ROUND_TIERS,
    left_off,
    reminders_due,
    stalled,
)
from ladder.queries.round import app_row
from shared.codes import city_decides
from shared.events import (
    FilingListPublished,
    FilingListPublishedData,
    RoundItem,
    RoundReminderDue,
    RoundReminderDueData,
)

if TYPE_CHECKING:
    from ladder.repository import UnitOfWork

MAX_ITEMS = 5000  # one message; beyond it the dashboard's worklist has the rest
# which open applications a deadline's reminder names: those that must move by it
WAITING = {"firm_deadline": (), "district_deadline": ("applied",),
           "city_deadline": ("district_passed",)}
ANNOUNCE_DAYS = 60  # lists older than this (history, the demo's past rounds) are not news


def _ref(r: Any) -> dict[str, Any]:
    return {"id": r["firm_id"], "name": r["name"], "district": r["district"],
            "industry": r["industry"]}


async def round_notices(uow: UnitOfWork, *, today: date, reminder_days: Sequence[int],
                        list_quiet_s: float) -> dict[str, int]:
    """Publish the reminders due today and the lists newly complete; counts of each."""
    counts = {"reminders": 0, "lists": 0}
    async with uow:
        row = await uow.repo.round(today.year)
        due = reminders_due({k: row[k] for k in DEADLINES}, reminder_days, today) if row else []
        for name, lead, day in due:
            if not await uow.repo.reminder_sent(today.year, name, lead):
                continue
            items = await _reminder_items(uow, row, name, today)
            await uow.outbox.add(
                RoundReminderDue, subject=str(today.year), data=RoundReminderDueData(
                    year=today.year, deadline=name, on=day, days_left=(day - today).days,
                    items=[RoundItem.model_validate(i) for i in items[:MAX_ITEMS]]))
            counts["reminders"] += 1
    async with uow:
        for lst in await uow.repo.lists_to_announce(today - timedelta(days=ANNOUNCE_DAYS),
                                                    list_quiet_s):
            if not await uow.repo.announce_list(lst["tier"], lst["list_name"]):
                continue
            await uow.outbox.add(
                FilingListPublished, subject=str(lst["listed_on"].year),
                data=FilingListPublishedData.model_validate(await _list_items(uow, lst)))
            counts["lists"] += 1
    return counts


async def _reminder_items(uow: UnitOfWork, row: Any, deadline: str,
                          today: date) -> list[dict[str, Any]]:
    year = today.year
    tiers = list(row["tiers"])
    items: list[dict[str, Any]] = []
    if deadline == "firm_deadline":
        for r in await uow.repo.not_applied(year, tiers, today, district=None, tier=None,
                                            limit=MAX_ITEMS):
            items.append({"firm": _ref(r), "kind": "not_applied", "tier": r["tier"],
                          "reason": "qualifies by the rules, has not applied"})
    dates = {k: row[k] for k in DEADLINES}
    listed = {r["tier"] for r in await uow.repo.lists(year)}
    for a in await uow.repo.round_applications(year):
        app = app_row(a)
        stall = stalled(app, dates, a["tier"] in listed, today)
        if stall is not None or a["state"] in WAITING[deadline]:
            items.append({"firm": _ref(a), "kind": "stalled", "tier": a["tier"],
                          "state": a["state"],
                          "reason": stall.reason if stall else f"waiting at {a['state']}"})
    return items


async def _list_items(uow: UnitOfWork, lst: Any) -> dict[str, Any]:
    year, tier = lst["listed_on"].year, lst["tier"]
    filed = await uow.repo.list_firms(tier, lst["list_name"])
    items = [{"firm": _ref(r), "kind": "filed", "tier": tier} for r in filed]
    on_list = {r["firm_id"] for r in filed}
    for a in await uow.repo.round_applications(year, tier=tier):
        if a["firm_id"] in on_list:
            continue
        if a["state"] == "not_filed" or left_off(app_row(a), True):
            why = a["reason"] or ("the city did not file it" if city_decides(tier)
                                  else "left off the list")
            items.append({"firm": _ref(a), "kind": "not_filed", "tier": tier,
                          "state": a["state"], "reason": why})
    assert tier in ROUND_TIERS
    return {"year": year, "tier": tier, "list_name": lst["list_name"],
            "listed_on": lst["listed_on"], "items": items}
