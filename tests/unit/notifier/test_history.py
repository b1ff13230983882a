"""Alerts for now, a record for the past: what an event is dated, which events are history,
and what intake does with them (the firm's record, one summary per officer, nothing sent)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from notifier.config import Settings
from notifier.domain.history import (
    SUMMARY_KIND,
    HistoryTally,
    event_date,
    is_history,
    summary_id,
    summary_words,
    today_in_bureau,
)
from notifier.handlers import intake
from tests.unit.notifier import builders as b
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/a"}
TODAY = today_in_bureau(NOW)


@pytest.fixture
def history_settings() -> Settings:
    return Settings(_env_file=None, notifier_webhook_allowlist="hooks.example.com")


def demotion(on: date | None, **extra: object) -> object:
    return b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                            failing=[b.failing()], decided_on=on.isoformat() if on else None,
                            **extra)


def test_the_default_is_30_days(history_settings: Settings) -> None:
    assert history_settings.notifier_history_after_days == 30


def test_each_kind_is_dated_by_what_it_tells_not_when_it_arrived() -> None:
    assert event_date(demotion(date(2017, 5, 30))) == date(2017, 5, 30)  # type: ignore[arg-type]
    assert event_date(demotion(None)) is None  # type: ignore[arg-type]  # older events: now
    assert event_date(b.filing_expiring(days_left=60)) == date(2025, 1, 31) - timedelta(60)
    assert event_date(b.round_reminder()) == date(2024, 12, 10)
    assert event_date(b.list_published()) == date(2024, 12, 20)
    assert event_date(b.milestone()) == date(2024, 12, 31)
    assert event_date(b.progress()) == date(2024, 12, 31)
    assert event_date(b.near_miss()) is None


@pytest.mark.parametrize(("age", "history"), [(0, False), (30, False), (31, True),
                                              (3000, True), (-5, False)])
def test_older_than_the_setting_is_history(age: int, history: bool) -> None:
    event = demotion(TODAY - timedelta(days=age))
    assert is_history(event, NOW, 30) is history  # type: ignore[arg-type]


def test_the_bureau_day_is_china_standard_time() -> None:
    # 2026-12-01 20:00 UTC is 04:00 on 2 December in Dalian
    from datetime import UTC, datetime
    assert today_in_bureau(datetime(2026, 12, 1, 20, 0, tzinfo=UTC)) == date(2026, 12, 2)


async def test_a_recent_demotion_is_a_critical_alert_sent_now(
        repo: FakeRepository, history_settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    queued = await intake.handle_event(FakeNotifierUow(repo), demotion(TODAY - timedelta(days=3)),  # type: ignore[arg-type]
                                       settings=history_settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["critical"] and not alert["history"] and len(queued) == 1
    assert alert["occurred_on"] == TODAY - timedelta(days=3)


async def test_old_decisions_go_to_the_record_and_one_summary_per_officer(
        repo: FakeRepository, history_settings: Settings) -> None:
    officer = await add_officer(repo, channels=[HOOK])
    events = [demotion(date(2016 + i, 5, 30)) for i in range(3)]
    events.append(b.standing_event(decided_on="2019-05-30"))  # a promotion
    queued = await intake.handle_events(FakeNotifierUow(repo), events, settings=history_settings,  # type: ignore[arg-type]
                                        now=NOW)
    assert queued == [[], [], [], []] and repo.deliveries_ == {}  # nothing sent
    records = [a for a in repo.alerts_.values() if a["kind"] != SUMMARY_KIND]
    assert len(records) == 4 and all(a["history"] and not a["critical"] for a in records)
    (summary,) = [a for a in repo.alerts_.values() if a["kind"] == SUMMARY_KIND]
    assert summary["id"] == summary_id(officer) and summary["officer_id"] == officer
    assert not summary["critical"] and not summary["history"] and summary["severity"] == "info"
    assert summary["rendered"]["title"] == "【历史记录】导入的历史：4 家企业，自 2016 年起 3 次降级"
    assert summary["occurred_on"] == date(2016, 5, 30)
    assert summary["rendered"]["key"] == "alert.history_summary"
    assert summary["rendered"]["params"]["demotions"] == 3

    # more history later: the same summary, recounted; a replay adds nothing to it
    await intake.handle_event(FakeNotifierUow(repo), demotion(date(2020, 5, 30)), settings=history_settings,  # type: ignore[arg-type]
                              now=NOW)
    for event in events:
        await intake.handle_event(FakeNotifierUow(repo), event, settings=history_settings, now=NOW)  # type: ignore[arg-type]
    summaries = [a for a in repo.alerts_.values() if a["kind"] == SUMMARY_KIND]
    assert len(summaries) == 1
    assert summaries[0]["rendered"]["title"] == \
        "【历史记录】导入的历史：5 家企业，自 2016 年起 4 次降级"
    assert repo.deliveries_ == {}


async def test_a_correction_of_an_old_decision_is_history_too(
        repo: FakeRepository, history_settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    correction = demotion(date(2021, 5, 30), supersedes=str(uuid.uuid4()))
    assert await intake.handle_event(FakeNotifierUow(repo), correction, settings=history_settings,  # type: ignore[arg-type]
                                     now=NOW) == []
    record = next(a for a in repo.alerts_.values() if a["kind"] == "demotion")
    assert record["history"] and not record["critical"]
    assert record["rendered"]["title"].startswith("【更正·2021-05-30】")


async def test_an_old_round_reminder_is_history_for_each_officer(
        repo: FakeRepository, history_settings: Settings) -> None:
    a = await add_officer(repo, districts=["hitech"], channels=[HOOK])
    c = await add_officer(repo, districts=["jinpu"], channels=[HOOK])
    assert await intake.handle_event(FakeNotifierUow(repo), b.round_reminder(), settings=history_settings,
                                     now=NOW) == []
    records = [x for x in repo.alerts_.values() if x["kind"] == "round_reminder"]
    assert {x["officer_id"] for x in records} == {a, c} and all(x["history"] for x in records)
    assert sorted(x["officer_id"] for x in repo.alerts_.values()
                  if x["kind"] == SUMMARY_KIND) == sorted([a, c])


async def test_undated_news_stays_news(repo: FakeRepository,
                                       history_settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    assert len(await intake.handle_event(FakeNotifierUow(repo), b.near_miss(), settings=history_settings,
                                         now=NOW)) == 1
    assert not any(a["history"] for a in repo.alerts_.values())


def test_the_summary_reads_in_english_too() -> None:
    title, text, body = summary_words("en", HistoryTally(1204, date(2016, 5, 30),
                                                         {"demotion": 282, "promotion": 900}), 30)
    assert title == "Imported history: 1,204 firms, 282 demotions since 2016"
    assert "900 promotions" in text and "30 days" in text and "&" not in title
    assert title in body
