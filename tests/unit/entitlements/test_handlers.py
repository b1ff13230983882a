"""The handlers on an in-memory repository: registry events in, one entitlement per trigger
however often they come, corrections and cancellations as events, steps by role, payments
all or nothing, reminders once, a new policy set that leaves approved amounts alone."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from entitlements.domain.payments import Payment
from entitlements.domain.policies import shipped
from entitlements.handlers import intake, policies, reminders, steps
from shared.auth import Ctx, Principal
from shared.errors import Conflict, Rejected
from shared.events import AnyEvent
from tests.unit.entitlements.events import Firms
from tests.unit.entitlements.fakes import FakeEntitlementsUnitOfWork

pytestmark = pytest.mark.unit
TODAY = date(2024, 1, 15)
ADMIN = Ctx(Principal(key_id="k1", role="admin"))
OFFICER = Ctx(Principal(key_id="k2", role="officer"))


async def consume(uow: FakeEntitlementsUnitOfWork, events: list[AnyEvent]) -> list[int]:
    return await intake.apply_events(uow, events, today=TODAY)  # type: ignore[arg-type]


def gazelle_firm() -> tuple[str, list[AnyEvent], str, Firms]:
    firms = Firms()
    fid = str(uuid.uuid4())
    filed, filing_id = firms.filing(fid, "gazelle", "2023-12-20")
    return fid, [firms.registered(fid), firms.report(fid, 2022), filed], filing_id, firms


async def test_replayed_events_give_one_entitlement_and_one_event() -> None:
    uow = FakeEntitlementsUnitOfWork()
    fid, events, _, _ = gazelle_firm()
    assert await consume(uow, events) == [1, 1, 1]
    assert await consume(uow, events) == [0, 0, 0]  # replayed (past the dedupe): no change
    assert await consume(uow, list(reversed(events))) == [0, 0, 0]
    (row,) = uow.repo.rows.values()
    assert (row["state"], row["amount"]) == ("computed", 800_000)
    assert uow.outbox.types() == ["EntitlementComputed"]
    assert uow.outbox.events[0].subject == fid


async def test_a_firm_not_yet_described_waits_for_its_profile() -> None:
    uow = FakeEntitlementsUnitOfWork()
    fid, events, _, _ = gazelle_firm()
    assert await consume(uow, events[1:]) == [0, 0]
    assert uow.repo.rows == {}
    await consume(uow, events[:1])  # the registration arrives late
    assert len(uow.repo.rows) == 1


async def test_revocation_before_payment_cancels_after_payment_flags() -> None:
    uow = FakeEntitlementsUnitOfWork()
    fid, events, filing_id, firms = gazelle_firm()
    await consume(uow, events)
    (eid,) = uow.repo.rows
    await consume(uow, [firms.filing_revoked(fid, filing_id, "gazelle", "2024-01-10")])
    assert uow.repo.rows[eid]["state"] == "cancelled"
    assert uow.outbox.events[-1].event_type == "EntitlementStateChanged"
    assert uow.outbox.events[-1].data.to_state == "cancelled"

    uow = FakeEntitlementsUnitOfWork()
    fid, events, filing_id, firms = gazelle_firm()
    await consume(uow, events)
    (eid,) = uow.repo.rows
    for to, ctx in (("offered", OFFICER), ("confirmed", OFFICER), ("approved", ADMIN),
                    ("paid", ADMIN)):
        await steps.move(uow, eid, to, ctx, on=TODAY)  # type: ignore[arg-type]
    await consume(uow, [firms.filing_revoked(fid, filing_id, "gazelle", "2024-02-10")])
    row = uow.repo.rows[eid]
    assert (row["state"], row["paid_amount"]) == ("paid", 800_000)
    assert "after payment" in row["review"]
    last = uow.outbox.events[-1]
    assert last.event_type == "EntitlementCorrected" and last.data.applied is False


async def test_a_late_restatement_corrects_the_offered_amount_as_one_event() -> None:
    uow = FakeEntitlementsUnitOfWork()
    firms = Firms()
    fid = str(uuid.uuid4())
    filed, _ = firms.filing(fid, "eaglet", "2023-06-01")
    await consume(uow, [firms.registered(fid), firms.report(fid, 2022, rd_expense=1_000_000),
                        filed])
    (eid,) = uow.repo.rows
    await steps.move(uow, eid, "offered", OFFICER, on=TODAY)  # type: ignore[arg-type]
    await consume(uow, [firms.report(fid, 2022, restated=True, rd_expense=2_000_000)])
    row = uow.repo.rows[eid]
    assert (row["state"], row["amount"]) == ("offered", 200_000)
    assert uow.outbox.types() == ["EntitlementComputed", "EntitlementStateChanged",
                                  "EntitlementCorrected"]
    assert uow.outbox.events[-1].data.previous_amount == 100_000


async def test_steps_by_role_and_state_each_audited() -> None:
    uow = FakeEntitlementsUnitOfWork()
    await consume(uow, gazelle_firm()[1])
    (eid,) = uow.repo.rows
    move: Any = steps.move
    with pytest.raises(Conflict):
        await move(uow, eid, "approved", ADMIN, on=TODAY)
    await move(uow, eid, "offered", OFFICER, on=TODAY)
    await move(uow, eid, "confirmed", OFFICER, on=TODAY, option_id="award")
    with pytest.raises(Rejected):
        await move(uow, eid, "approved", OFFICER, on=TODAY)  # finance (admin) approves
    await move(uow, eid, "approved", ADMIN, on=TODAY)
    with pytest.raises(Rejected):
        await move(uow, eid, "paid", ADMIN, on=TODAY, amount=500_001)
    assert uow.repo.rows[eid]["amount"] == 500_000 and uow.rollbacks == 3
    assert [a["action"] for a in uow.repo.audits] == [
        "entitlement.offered", "entitlement.confirmed", "entitlement.approved"]


async def test_a_payment_list_is_applied_whole_or_not_at_all() -> None:
    uow = FakeEntitlementsUnitOfWork()
    await consume(uow, gazelle_firm()[1] + gazelle_firm()[1])
    first, second = uow.repo.rows
    for to, ctx in (("offered", OFFICER), ("confirmed", OFFICER), ("approved", ADMIN)):
        await steps.move(uow, first, to, ctx, on=TODAY)  # type: ignore[arg-type]
    both = [Payment(2, first, 800_000, TODAY), Payment(3, second, 1, TODAY)]
    paid, repeats, errors = await steps.import_payments(uow, both, ADMIN)  # type: ignore[arg-type]
    assert (paid, repeats) == (0, 0) and errors[0]["field"] == "rows[3].entitlement_id"
    assert uow.repo.rows[first]["state"] == "approved"
    one = both[:1]
    assert (await steps.import_payments(uow, one, ADMIN))[:2] == (1, 0)  # type: ignore[arg-type]
    assert (await steps.import_payments(uow, one, ADMIN))[:2] == (0, 1)  # type: ignore[arg-type]


async def test_an_unconfirmed_offer_is_reminded_once() -> None:
    uow = FakeEntitlementsUnitOfWork()
    await consume(uow, gazelle_firm()[1])
    (eid,) = uow.repo.rows
    await steps.move(uow, eid, "offered", OFFICER, on=date(2024, 1, 1))  # type: ignore[arg-type]
    remind: Any = reminders.remind_overdue
    assert await remind(uow, today=date(2024, 1, 10), after_days=14) == 0
    assert await remind(uow, today=date(2024, 1, 20), after_days=14) == 1
    assert await remind(uow, today=date(2024, 1, 21), after_days=14) == 0
    last = uow.outbox.events[-1]
    assert last.event_type == "EntitlementAwaitingConfirmation" and last.data.days_waiting == 19
    expire: Any = reminders.expire_overdue
    assert await expire(uow, today=date(2024, 3, 31), after_days=90) == 0
    assert await expire(uow, today=date(2024, 4, 1), after_days=90) == 1  # offered + 91 days
    assert uow.repo.rows[eid]["state"] == "expired"
    assert uow.outbox.events[-1].data.to_state == "expired"
    assert await expire(uow, today=date(2024, 4, 2), after_days=90) == 0


async def test_a_new_policy_set_corrects_open_entitlements_and_leaves_approved_ones() -> None:
    uow = FakeEntitlementsUnitOfWork()
    body = shipped().model_dump(mode="json")
    await uow.repo.add_set("DL-2023", 1, body, "system")
    await uow.repo.activate("DL-2023", 1)
    await consume(uow, gazelle_firm()[1] + gazelle_firm()[1])
    approved, open_ = uow.repo.rows
    for to, ctx in (("offered", OFFICER), ("confirmed", OFFICER), ("approved", ADMIN)):
        await steps.move(uow, approved, to, ctx, on=TODAY)  # type: ignore[arg-type]
    stricter = shipped().model_copy(update={"version": 2}).model_dump(mode="json")
    for p in stricter["policies"]:
        if p["id"] == "dl.gazelle_unicorn.filed":
            p["cap"] = 400_000
    draft = shipped().model_validate(stricter)
    await policies.upload_draft(uow, draft, ADMIN)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        await policies.upload_draft(uow, draft, ADMIN)  # type: ignore[arg-type]
    changed = await policies.activate(uow, "DL-2023", 2, ADMIN,  # type: ignore[arg-type]
                                      today=TODAY)
    assert changed == 2
    assert uow.repo.rows[open_]["amount"] == 400_000
    assert uow.repo.rows[approved]["amount"] == 800_000 and uow.repo.rows[approved]["review"]
