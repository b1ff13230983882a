"""The firm-event handler through a fake unit of work: projection, timeline, events (no I/O)."""

from __future__ import annotations

import random
import uuid
from datetime import date

import pytest

from ladder import handlers
from ladder.domain.rulebook import default_rulebook
from tests.unit.ladder.events import Registry
from tests.unit.ladder.fakes import FakeLadderUnitOfWork

pytestmark = pytest.mark.unit
RB = default_rulebook()
TODAY = date(2022, 6, 30)


async def _apply(uow: FakeLadderUnitOfWork, *events: object) -> list[handlers.Outcome]:
    return [await handlers.on_firm_event(uow, e, rulebook=RB, today=TODAY)  # type: ignore[arg-type]
            for e in events]


async def test_a_report_that_passes_promotes_the_firm_and_publishes_it() -> None:
    uow, reg = FakeLadderUnitOfWork(), Registry()
    uow.repo.targets_by_year[2022] = {"eaglet": 10}
    born = reg.registered()
    firm_id = born.subject
    report = reg.report(firm_id, 2021, "2022-03-01", ip_class1=1)
    outcomes = await _apply(uow, born, report)

    assert [o.changes for o in outcomes] == [(), ("promoted",)]
    assert outcomes[-1].tier == "eaglet" and uow.commits == 2 and uow.rollbacks == 0
    standing = uow.repo.standings[uuid.UUID(firm_id)]
    assert (standing["tier"], standing["filed_on"], standing["expires_on"]) == (
        "eaglet", date(2022, 3, 1), date(2025, 3, 1))
    assert standing["decision_id"] == outcomes[-1].decision_id
    promoted = uow.published("TierPromoted")
    assert len(promoted) == 1 and promoted[0].data.to_tier == "eaglet"
    # the event that caused it is named, and ties it to the report (which had no correlation)
    assert promoted[0].data.trigger_event_id == report.event_id
    assert promoted[0].correlation_id == str(report.event_id)
    progress = uow.published("TargetProgressChanged")
    assert [(e.data.key, e.data.achieved) for e in progress] == [("eaglet", 1)]
    assert [k for k in uow.repo.entries] == [(2022, "eaglet", uuid.UUID(firm_id))]


async def test_replayed_and_reordered_events_store_the_same_timeline_and_publish_nothing() -> None:
    reg = Registry()
    born = reg.registered()
    firm_id = born.subject
    facts = [reg.report(firm_id, fy, filed, ip_class1=ip) for fy, filed, ip in (
        (2021, "2022-03-01", 1), (2020, "2021-04-01", 0), (2019, "2020-05-01", 1))]
    facts.append(reg.flag(firm_id, "dishonest_list", True, "2022-05-01"))
    first = FakeLadderUnitOfWork()
    await _apply(first, born, *facts)
    stored = await first.repo.timeline(uuid.UUID(firm_id))
    assert [d["change"] for d in stored] == ["promoted", "revoked"]
    published = len(first.outbox.events)

    await _apply(first, born, *facts)  # a replay: the same facts, the same fold
    assert await first.repo.timeline(uuid.UUID(firm_id)) == stored
    assert len(first.outbox.events) == published

    other = FakeLadderUnitOfWork()
    shuffled = facts[:]
    random.Random(7).shuffle(shuffled)
    await _apply(other, born, *shuffled)
    again = await other.repo.timeline(uuid.UUID(firm_id))
    strip = [{k: v for k, v in d.items() if k != "id"} for d in stored]
    assert [{k: v for k, v in d.items() if k != "id"} for d in again] == strip


async def test_a_late_fact_supersedes_the_decision_it_changes_and_names_it() -> None:
    uow, reg = FakeLadderUnitOfWork(), Registry()
    born = reg.registered()
    firm_id = born.subject
    await _apply(uow, born, reg.report(firm_id, 2021, "2022-03-01", ip_class1=1))
    first = (await uow.repo.timeline(uuid.UUID(firm_id)))[0]
    # the same filing corrected without IP (a higher sequence wins): the March promotion no
    # longer holds, so it leaves the timeline and the correction names it
    outcome, = await _apply(uow, reg.report(firm_id, 2021, "2022-03-01", ip_class1=0,
                                            ip_class2=0))
    assert outcome.corrections == 1
    assert uow.repo.decisions[first["id"]]["current"] is False
    corrections = [e for e in uow.outbox.events if getattr(e.data, "supersedes", None)]
    assert corrections and corrections[-1].data.supersedes == first["id"]


async def test_an_event_for_a_firm_never_registered_is_refused_and_nothing_is_written() -> None:
    uow, reg = FakeLadderUnitOfWork(), Registry()
    stray = reg.report(str(uuid.uuid4()), 2021, "2022-03-01")
    with pytest.raises(handlers.UnknownFirm):
        await _apply(uow, stray)
    assert uow.rollbacks == 1 and uow.commits == 0
    assert not uow.repo.firms and not uow.outbox.events and not uow.repo.reports


async def test_an_older_profile_event_never_overwrites_a_newer_one() -> None:
    uow, reg = FakeLadderUnitOfWork(), Registry()
    born = reg.registered(name="first name")
    firm_id = born.subject
    renamed = reg.event("FirmProfileChanged", firm_id, {
        "firm": {"id": firm_id, **_profile(born, name="second name")},
        "changed": {"name": {"before": "first name", "after": "second name"}}})
    await _apply(uow, born, renamed, born)
    firm = uow.repo.firms[uuid.UUID(firm_id)]
    assert firm["name"] == "second name" and firm["last_sequence"] == 2


def _profile(event: object, **changes: object) -> dict[str, object]:
    firm = event.data.firm.model_dump()  # type: ignore[attr-defined]
    firm.pop("id")
    return {**firm, **changes}


async def test_a_batch_stores_what_one_at_a_time_stores_with_one_fold_per_firm() -> None:
    reg = Registry()
    firms = [reg.registered() for _ in range(3)]
    events = list(firms)
    for born in firms:
        events += [reg.report(born.subject, fy, f"{fy + 1}-04-30", ip_class1=1)
                   for fy in (2019, 2020, 2021)]
    alone, batched = FakeLadderUnitOfWork(), FakeLadderUnitOfWork()
    await _apply(alone, *events)
    outcomes = await handlers.on_firm_events(batched, events, rulebook=RB, today=TODAY)

    assert batched.commits == 1 and len(outcomes) == len(events)
    for born in firms:
        firm_id = uuid.UUID(born.subject)
        strip = [{k: v for k, v in d.items() if k != "id"}
                 for d in await alone.repo.timeline(firm_id)]
        assert [{k: v for k, v in d.items() if k != "id"}
                for d in await batched.repo.timeline(firm_id)] == strip
        assert batched.repo.standings[firm_id]["tier"] == alone.repo.standings[firm_id]["tier"]
    assert set(batched.repo.entries) == set(alone.repo.entries)
    # each firm folded once with all its facts: nothing stored and then superseded, and the
    # same decisions published (target counts: one move per target and batch, not per firm)
    assert all(d["current"] for d in batched.repo.decisions.values())
    tier_events = [e for e in batched.outbox.events if e.event_type.startswith("Tier")]
    assert len(tier_events) == len([e for e in alone.outbox.events
                                    if e.event_type.startswith("Tier")])
    promoted = batched.published("TierPromoted")
    assert sorted(e.subject for e in promoted) == sorted(b.subject for b in firms)
    # the trigger named is each firm's last event of the batch
    last = {e.subject: e.event_id for e in events}
    assert all(e.data.trigger_event_id == last[e.subject] for e in promoted)


async def test_a_batch_with_an_event_for_an_unknown_firm_writes_nothing() -> None:
    uow, reg = FakeLadderUnitOfWork(), Registry()
    born = reg.registered()
    stray = reg.report(str(uuid.uuid4()), 2021, "2022-03-01")
    with pytest.raises(handlers.UnknownFirm):
        await handlers.on_firm_events(uow, [born, stray], rulebook=RB, today=TODAY)
    assert (uow.commits, uow.rollbacks) == (0, 1)
    assert not uow.repo.firms and not uow.outbox.events
