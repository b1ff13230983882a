"""Entitlement events become alerts: an offer and an overdue offer alert the firm's officer,
in 万元; the other entitlement events raise none (fake repository)."""

from __future__ import annotations

import pytest

from notifier.config import Settings
from notifier.domain.alerts import alert_kind_for, severity_of
from notifier.handlers import entitlements
from shared.event_examples import example
from tests.unit.notifier.conftest import NOW, add_officer
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/a"}


async def test_an_offer_and_an_overdue_offer_alert_the_covering_officer(
        repo: FakeRepository, settings: Settings) -> None:
    officer = await add_officer(repo, districts=["hitech"], channels=[HOOK])
    offered = example("EntitlementStateChanged")
    overdue = example("EntitlementAwaitingConfirmation",
                      event_id="22222222-2222-4333-8444-555555555555")
    computed = example("EntitlementComputed", event_id="33333333-2222-4333-8444-555555555555")
    queued = await entitlements.handle_events(FakeNotifierUow(repo), [offered, overdue, computed],
                                              settings=settings, now=NOW)
    assert [len(q) for q in queued] == [1, 1, 0]
    alerts = sorted(repo.alerts_.values(), key=lambda a: a["kind"])
    assert [(a["kind"], a["officer_id"]) for a in alerts] == [
        ("entitlement_offered", officer), ("entitlement_overdue", officer)]
    title = alerts[0]["rendered"]["title"]
    assert "80 万元" in title and "免申即享" in title
    assert alerts[0]["rendered"]["link"].endswith(
        f"/dashboard#entitlement={offered.data.entitlement_id}")
    assert "14 天" in alerts[1]["rendered"]["title"]


async def test_a_batch_without_offers_writes_nothing(
        repo: FakeRepository, settings: Settings) -> None:
    await add_officer(repo, channels=[HOOK])
    assert await entitlements.handle_events(FakeNotifierUow(repo), [example("EntitlementComputed")],
                                             settings=settings, now=NOW) == [[]]
    assert repo.alerts_ == {}


def test_only_offers_and_overdue_offers_raise_alerts() -> None:
    paid = example("EntitlementStateChanged", data={
        **example("EntitlementStateChanged").data.model_dump(), "to_state": "paid"})
    assert alert_kind_for(paid) is None
    assert alert_kind_for(example("EntitlementCorrected")) is None
    assert severity_of("entitlement_overdue") == "warning"
    assert severity_of("entitlement_offered") == "info"
