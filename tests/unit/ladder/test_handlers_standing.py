"""Overrides and the daily sweep through a fake unit of work (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from ladder import handlers
from ladder.domain.rulebook import default_rulebook
from shared.auth import Ctx, Principal
from shared.errors import NotFound, Rejected
from tests.unit.ladder.events import Registry
from tests.unit.ladder.fakes import FakeLadderUnitOfWork

pytestmark = pytest.mark.unit
RB = default_rulebook()
TODAY = date(2022, 6, 30)
OFFICER = Ctx(Principal(key_id="k1", role="officer"), correlation_id="req-1")


async def _eaglet(uow: FakeLadderUnitOfWork, filed_on: str = "2022-03-01") -> uuid.UUID:
    reg = Registry()
    born = reg.registered()
    for event in (born, reg.report(born.subject, 2021, filed_on, ip_class1=1)):
        await handlers.on_firm_event(uow, event, rulebook=RB, today=TODAY)
    return uuid.UUID(born.subject)


async def test_an_override_holds_a_tier_is_audited_and_published_then_clears() -> None:
    uow = FakeLadderUnitOfWork()
    firm_id = await _eaglet(uow)
    before = len(uow.outbox.events)
    out = await handlers.override(uow, OFFICER, firm_id, tier="gazelle", unicorn_grade=None,
                                  reason="committee decision", rulebook=RB, today=TODAY)
    assert (out.tier, out.override) == ("gazelle", True)
    standing = uow.repo.standings[firm_id]
    assert (standing["tier"], standing["override_by"]) == ("gazelle", "officer:k1")
    assert [e.event_type for e in uow.outbox.events[before:]][0] == "TierOverridden"
    overridden = uow.published("TierOverridden")[0]
    assert (overridden.data.direction, overridden.correlation_id) == ("up", "req-1")
    assert uow.repo.audit_log[-1]["action"] == "override"
    assert uow.repo.audit_log[-1]["after"] == {"tier": "gazelle", "override": True,
                                               "reason": "committee decision"}

    cleared = await handlers.override(uow, OFFICER, firm_id, tier=None, unicorn_grade=None,
                                      reason="back to the rules", rulebook=RB, today=TODAY)
    # lifted, the firm is the rules' again; its hand-made gazelle filing is still valid, so
    # a firm that does not qualify holds it at risk (docs/interpretations.md: overrides)
    assert (cleared.tier, cleared.override) == ("gazelle", False)
    standing = uow.repo.standings[firm_id]
    assert (standing["override_by"], standing["at_risk"]) == (None, True)
    timeline = await uow.repo.timeline(firm_id)
    assert [d["change"] for d in timeline] == ["promoted", "override", "override_cleared",
                                               "at_risk"]
    assert uow.repo.audit_log[-1]["action"] == "override_cleared"


@pytest.mark.parametrize(("tier", "grade", "field"), [
    (None, None, "tier"),  # nothing to clear
    ("unicorn", None, "unicorn_grade"),  # a unicorn needs its grade
    ("gazelle", "seed", "unicorn_grade"),  # and only a unicorn has one
])
async def test_a_refused_override_writes_nothing(tier: str | None, grade: str | None,
                                                 field: str) -> None:
    uow = FakeLadderUnitOfWork()
    firm_id = await _eaglet(uow)
    commits, events, audit = uow.commits, len(uow.outbox.events), len(uow.repo.audit_log)
    with pytest.raises(Rejected) as refused:
        await handlers.override(uow, OFFICER, firm_id, tier=tier, unicorn_grade=grade,
                                reason="some reason", rulebook=RB, today=TODAY)
    assert refused.value.extra["field"] == field
    assert (uow.commits, uow.rollbacks) == (commits, 1)
    assert (len(uow.outbox.events), len(uow.repo.audit_log)) == (events, audit)
    assert not uow.repo.overrides and uow.repo.standings[firm_id]["tier"] == "eaglet"


async def test_an_override_of_an_unknown_firm_is_not_found() -> None:
    uow = FakeLadderUnitOfWork()
    with pytest.raises(NotFound):
        await handlers.override(uow, OFFICER, uuid.uuid4(), tier="eaglet", unicorn_grade=None,
                                reason="some reason", rulebook=RB, today=TODAY)
    assert (uow.commits, uow.rollbacks) == (0, 1)


async def test_the_sweep_sends_each_expiry_notice_once_then_applies_the_expiry() -> None:
    uow = FakeLadderUnitOfWork()
    firm_id = await _eaglet(uow)  # filed 2022-03-01, valid until 2025-03-01
    notice_day = date(2024, 12, 15)
    counts = await handlers.sweep(uow, rulebook=RB, today=notice_day)
    assert counts == {"expired": 0, "notices": 1, "reminders": 0, "lists": 0}
    expiring, = uow.published("FilingExpiring")
    assert (expiring.data.days_left, expiring.subject) == (76, str(firm_id))
    assert (await handlers.sweep(uow, rulebook=RB, today=notice_day))["notices"] == 0

    lapsed = await handlers.sweep(uow, rulebook=RB, today=date(2025, 3, 1))
    assert lapsed["expired"] == 1
    assert uow.repo.standings[firm_id]["tier"] == "none"
    assert uow.published("TierDemoted") or uow.published("TierRevoked")


async def test_two_sweeps_that_listed_the_same_notice_send_it_once() -> None:
    """Several ladder processes each sweep: one whose list predates the other's notice finds
    it sent when it holds the firm's row, and sends nothing."""
    uow = FakeLadderUnitOfWork()
    await _eaglet(uow)
    notice_day = date(2024, 12, 15)
    stale = await uow.repo.expiry_notices_due(notice_day + timedelta(days=90))
    assert (await handlers.sweep(uow, rulebook=RB, today=notice_day))["notices"] == 1

    async def listed_before_the_first_sweep(horizon: date) -> list[dict[str, Any]]:
        return stale

    uow.repo.expiry_notices_due = listed_before_the_first_sweep  # type: ignore[method-assign]
    assert (await handlers.sweep(uow, rulebook=RB, today=notice_day))["notices"] == 0
    assert len(uow.published("FilingExpiring")) == 1


async def test_the_sweep_publishes_a_pace_change_once() -> None:
    uow = FakeLadderUnitOfWork()
    uow.repo.targets_by_year[2022] = {"gazelle": 30}
    await handlers.sweep(uow, rulebook=RB, today=TODAY)
    paces = uow.published("TargetProgressChanged")
    assert [(e.data.key, e.data.pace) for e in paces] == [("gazelle", "behind")]
    await handlers.sweep(uow, rulebook=RB, today=TODAY)
    assert len(uow.published("TargetProgressChanged")) == 1
