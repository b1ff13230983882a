"""Registering firms and changing them, through a fake unit of work (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from registry.domain.models import AnnualReportIn, FirmIn, FirmPatch
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import Conflict, NotFound, Rejected
from tests.factories import firm_payload, report_payload
from tests.unit.registry.answers import file_report, patch_firm, register_firm
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit


async def test_register_writes_firm_event_and_audit(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    body = FirmIn.model_validate(firm_payload(district="jinpu"))
    firm, created = await register_firm(uow, ctx, body)
    assert created and firm.sequence == 1 and firm.district == "jinpu"
    assert uow.outbox.types() == ["FirmRegistered"]
    event = uow.outbox.events[0]
    assert event.subject == str(firm.id) and event.correlation_id == "req-1"
    assert event.data.firm.uscc == body.uscc
    assert [(a["action"], a["actor"]) for a in uow.tables.audit] == [
        ("firm.register", "officer:k1")]
    assert uow.commits == 1


async def test_identical_registration_is_a_replay(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    body = FirmIn.model_validate(firm_payload())
    first, _ = await register_firm(uow, ctx, body)
    again, created = await register_firm(uow, ctx, body)
    assert not created and again == first
    assert uow.outbox.types() == ["FirmRegistered"] and len(uow.tables.audit) == 1


async def test_same_uscc_other_data_conflicts_and_writes_nothing(
        uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    clash = FirmIn.model_validate(firm_payload(uscc=firm.uscc, name="另一家科技公司"))
    with pytest.raises(Conflict) as exc:
        await register_firm(uow, ctx, clash)
    assert exc.value.extra == {"existing_firm_id": str(firm.id), "existing_name": firm.name}
    assert len(uow.tables.firms) == 1 and uow.outbox.types() == ["FirmRegistered"]
    assert uow.rollbacks == 1


async def test_patch_emits_one_event_per_kind_of_change(
        uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    body = FirmPatch.model_validate({"name": "新名字科技", "listed": True, "dishonest_list": True})
    changed = await patch_firm(uow, ctx, firm.id, body, today=TODAY)
    assert changed.name == "新名字科技" and changed.listed and changed.sequence == 4
    assert uow.outbox.types() == ["FirmRegistered", "FirmProfileChanged",
                                  "ComplianceFlagChanged", "ComplianceFlagChanged"]
    profile, *flags = uow.outbox.events[1:]
    assert profile.data.changed == {"name": {"before": firm.name, "after": "新名字科技"}}
    assert [(f.data.flag, f.data.effective_on) for f in flags] == [
        ("dishonest_list", TODAY), ("listed", TODAY)]
    audit = uow.tables.audit[-1]
    assert audit["before"] == {"name": firm.name, "listed": False, "dishonest_list": False}
    assert audit["after"]["effective_on"] == TODAY


async def test_patch_to_what_is_stored_is_a_no_op(
        uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    # the registration's value, valid from the same date (docs/rulebook.md "Time": a no-op only
    # when the same value is already valid from the same date; a new date is a new fact)
    body = FirmPatch.model_validate({"listed": False, "effective_on": firm.founded_on})
    same = await patch_firm(uow, ctx, firm.id, body, today=TODAY)
    assert Firm.model_validate(same.model_dump()) == firm
    assert uow.outbox.types() == ["FirmRegistered"]
    assert [(f.field, f.outcome, f.fact.source, f.event_sequence) for f in same.facts] == [
        ("listed", "unchanged", "registered", None)]


async def test_patch_refusals_write_nothing(uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    await file_report(uow, ctx, firm.id, 2019, AnnualReportIn.model_validate(report_payload()),
                      today=TODAY)
    before = len(uow.outbox.events)
    cases = [({"founded_on": "2020-01-01"}, "founded_on", "before_reports"),
             ({"listed": True, "effective_on": "2015-01-01"}, "effective_on", "after_founding")]
    for body, field, rule in cases:
        with pytest.raises(Rejected) as exc:
            await patch_firm(uow, ctx, firm.id, FirmPatch.model_validate(body), today=TODAY)
        assert (exc.value.extra["field"], exc.value.extra["rule"]) == (field, rule)
    assert len(uow.outbox.events) == before and uow.rollbacks == 2
    assert uow.tables.firms[firm.id]["listed"] is False


async def test_patch_of_an_unknown_firm_is_404(uow: FakeRegistryUoW, ctx: Ctx) -> None:
    with pytest.raises(NotFound):
        await patch_firm(uow, ctx, uuid.uuid4(), FirmPatch.model_validate({"listed": True}),
                         today=date(2024, 1, 1))
    assert uow.rollbacks == 1 and uow.commits == 0
