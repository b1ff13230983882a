"""Intake: a standing event becomes inbox entries and queued deliveries (fake repository)."""

from __future__ import annotations

import copy

import pytest

from notifier.config import Settings
from notifier.handlers import intake
from tests.unit.notifier import builders as b
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/a"}
MAIL = {"kind": "email", "to": None}


async def test_an_event_alerts_the_covering_officer_once_per_channel(
        repo: FakeRepository, settings: Settings) -> None:
    hitech = await add_officer(repo, districts=["hitech"], channels=[HOOK, MAIL, HOOK])
    await add_officer(repo, districts=["jinpu"], channels=[HOOK])  # covers elsewhere
    event = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet")
    queued = await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["officer_id"] == hitech and alert["kind"] == "demotion" and alert["critical"]
    assert alert["routed_via"] == "coverage" and alert["source_event_id"] == event.event_id
    assert alert["rendered"]["link"].startswith(settings.link_base)
    rows = [repo.deliveries_[i] for i in queued]
    assert [r["channel_key"] for r in rows] == ["webhook", "email", "webhook#2"]
    assert {r["status"] for r in rows} == {"pending"} and {r["alert_id"] for r in rows} == {
        alert["id"]}


async def test_a_replayed_event_writes_nothing_more(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    event = b.near_miss()
    assert len(await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)) == 1
    assert await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW) == []
    assert len(repo.alerts_) == 1 and len(repo.deliveries_) == 1


async def test_nobody_covering_flags_the_alert_unrouted_and_queues_nothing(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, districts=["jinpu"], channels=[HOOK])
    assert await intake.handle_event(FakeNotifierUow(repo), b.near_miss(), settings=settings, now=NOW) == []
    (alert,) = repo.alerts_.values()
    assert alert["officer_id"] is None and alert["unrouted"] and alert["routed_via"] == "none"


async def test_the_fallback_officer_takes_what_nobody_covers(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, districts=["jinpu"])
    fallback = await add_officer(repo, districts=["jinpu"], channels=[MAIL])
    repo.settings["fallback_officer"] = str(fallback)
    queued = await intake.handle_event(FakeNotifierUow(repo), b.near_miss(), settings=settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["officer_id"] == fallback and alert["unrouted"]
    assert alert["routed_via"] == "fallback" and len(queued) == 1


async def test_an_explicit_assignment_wins_over_coverage(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])  # covers every firm
    assigned = await add_officer(repo, districts=["jinpu"], channels=[HOOK])
    event = b.near_miss()
    await repo.assign_firm(event.data.firm.id, assigned)  # type: ignore[attr-defined]
    await intake.handle_event(FakeNotifierUow(repo), event, settings=settings, now=NOW)
    (alert,) = repo.alerts_.values()
    assert alert["officer_id"] == assigned and alert["routed_via"] == "explicit"


async def test_preferences_decide_digest_or_nothing_but_the_inbox_keeps_the_alert(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK], preferences={"near_miss": "off",
                                                          "promotion": "digest"})
    assert await intake.handle_event(FakeNotifierUow(repo), b.near_miss(), settings=settings, now=NOW) == []
    (queued,) = await intake.handle_event(FakeNotifierUow(repo), b.standing_event(), settings=settings, now=NOW)
    assert repo.deliveries_[queued]["status"] == "digest" and len(repo.alerts_) == 2


async def test_an_event_that_raises_no_alert_writes_nothing(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    staying_behind = b.progress(pace="behind", previous_pace="behind")
    assert await intake.handle_event(FakeNotifierUow(repo), staying_behind, settings=settings, now=NOW) == []
    assert repo.alerts_ == {}


async def test_a_batch_is_routed_with_one_read_and_one_insert_per_table(
        repo: FakeRepository, settings: Settings) -> None:
    hitech = await add_officer(repo, districts=["hitech"], channels=[HOOK, MAIL])
    everywhere = await add_officer(repo, channels=[HOOK])
    fallback = await add_officer(repo, districts=["jinpu"], channels=[MAIL])
    repo.settings["fallback_officer"] = str(fallback)
    await repo.delete_officer(everywhere)
    ours, elsewhere = b.near_miss(), b.standing_event(firm=b.firm(district="xigang"))
    silent = b.progress(pace="behind", previous_pace="behind")
    repo.calls.clear()
    queued = await intake.handle_events(FakeNotifierUow(repo), [ours, silent, elsewhere, ours],
                                        settings=settings, now=NOW)
    assert dict(repo.calls) == {"officers": 1, "firm_officers": 1, "insert_alerts": 1,
                                "insert_deliveries": 1}
    assert [len(q) for q in queued] == [2, 0, 1, 0]  # the repeat found its alert written
    by_event = {a["source_event_id"]: a for a in repo.alerts_.values()}
    assert by_event[ours.event_id]["officer_id"] == hitech
    assert by_event[elsewhere.event_id]["officer_id"] == fallback
    assert by_event[elsewhere.event_id]["routed_via"] == "fallback" and len(repo.alerts_) == 2


async def test_a_batch_gives_what_one_event_at_a_time_gives(
        repo: FakeRepository, settings: Settings) -> None:
    events = [b.near_miss(), b.standing_event(firm=b.firm(district="jinpu")), b.progress(),
              b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet")]
    await add_officer(repo, districts=["hitech"], channels=[HOOK])
    await add_officer(repo, receives_targets=True, districts=["jinpu"], channels=[MAIL],
                      preferences={"promotion": "digest"})
    one_by_one = copy.deepcopy(repo)
    await intake.handle_events(FakeNotifierUow(repo), events, settings=settings, now=NOW)
    for event in events:
        await intake.handle_event(FakeNotifierUow(one_by_one), event, settings=settings, now=NOW)
    assert repo.alerts_ == one_by_one.alerts_ and len(repo.alerts_) == 4
    assert repo.deliveries_ == one_by_one.deliveries_
    assert {d["status"] for d in repo.deliveries_.values()} == {"pending", "digest"}
