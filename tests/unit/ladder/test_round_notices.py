"""The round's notices from the sweep: a reminder per deadline and lead time, once; a
published list announced once with the firms it filed and those it left out."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ladder.handlers.round import round_notices
from tests.unit.ladder.fakes import FakeLadderUnitOfWork

pytestmark = pytest.mark.unit
ROUND = {"year": 2024, "tiers": ["eaglet", "gazelle"], "firm_deadline": date(2024, 12, 10),
         "district_deadline": date(2024, 12, 13), "city_deadline": date(2024, 12, 16),
         "publication_expected": date(2024, 12, 27)}


def firm(name: str, district: str = "hitech") -> dict[str, Any]:
    return {"firm_id": uuid.uuid4(), "name": name, "district": district,
            "industry": "next_gen_it"}


def app(f: dict[str, Any], state: str, tier: str = "gazelle", **more: Any) -> dict[str, Any]:
    return {**f, "application_id": uuid.uuid4(), "round_year": 2024, "tier": tier,
            "state": state, "applied_on": date(2024, 12, 2), "last_on": date(2024, 12, 2),
            "district_passed": more.get("passed"), "recommended_on": more.get("recommended_on"),
            "reason": more.get("reason")}


async def notices(uow: FakeLadderUnitOfWork, today: date) -> dict[str, int]:
    return await round_notices(uow, today=today, reminder_days=(14, 3), list_quiet_s=0)


async def test_a_reminder_names_the_firms_not_applied_once_per_lead_time() -> None:
    uow = FakeLadderUnitOfWork()
    uow.repo.round_rows[2024] = ROUND
    waiting, applied = firm("星海科技"), firm("金普智造", "jinpu")
    uow.repo.qualifying = [{**waiting, "tier": "gazelle"}, {**applied, "tier": "eaglet"}]
    uow.repo.round_apps = [app(applied, "applied", "eaglet")]
    assert (await notices(uow, date(2024, 11, 25)))["reminders"] == 0
    assert (await notices(uow, date(2024, 11, 26)))["reminders"] == 1
    assert (await notices(uow, date(2024, 11, 27)))["reminders"] == 0  # sent once
    (event,) = uow.outbox.events
    assert event.event_type == "RoundReminderDue" and event.data.days_left == 14
    assert [(i.firm.name, i.kind, i.tier) for i in event.data.items] == [
        ("星海科技", "not_applied", "gazelle")]
    # three days before the firms' deadline: its 3-day reminder, and the district's and the
    # city's 14-day ones (the district's names the application waiting for its check)
    assert (await notices(uow, date(2024, 12, 7)))["reminders"] == 3
    assert (await notices(uow, date(2024, 12, 10)))["reminders"] == 1  # the district's 3-day
    kinds = {e.data.deadline: [(i.firm.name, i.kind) for i in e.data.items]
             for e in uow.outbox.events[1:]}
    assert kinds["district_deadline"] == [("金普智造", "stalled")]


async def test_a_published_list_is_announced_with_the_firms_left_out() -> None:
    uow = FakeLadderUnitOfWork()
    filed, left = firm("星海科技"), firm("旅顺海洋", "lvshunkou")
    uow.repo.round_apps = [app(filed, "filed", passed=True, recommended_on=date(2024, 12, 14)),
                           app(left, "recommended", passed=True,
                               recommended_on=date(2024, 12, 14))]
    uow.repo.published = [{"tier": "gazelle", "list_name": "辽宁省2024年瞪羚企业",
                           "listed_on": date(2024, 12, 20), "firms": [filed]}]
    assert (await notices(uow, date(2024, 12, 22)))["lists"] == 1
    assert (await notices(uow, date(2024, 12, 23)))["lists"] == 0
    (event,) = uow.outbox.events
    assert event.event_type == "FilingListPublished"
    assert [(i.firm.name, i.kind) for i in event.data.items] == [
        ("星海科技", "filed"), ("旅顺海洋", "not_filed")]
