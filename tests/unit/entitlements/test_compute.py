"""Entitlements from facts: each amount rule at its band edges and caps, either/or, revoked
triggers, and replays or reordered facts giving the same entitlements."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from entitlements.domain.compute import compute, entitlement_id
from entitlements.domain.facts import FirmFacts, fold
from entitlements.domain.policies import PolicySet, shipped
from shared.events import EventEnvelope
from tests.unit.entitlements.events import Firms

pytestmark = pytest.mark.unit


def facts_of(firm_id: str, events: list[EventEnvelope]) -> FirmFacts:
    facts = FirmFacts(firm_id=firm_id)
    for e in events:
        facts = fold(facts, e)
    return facts


def amounts(firm_id: str, events: list[EventEnvelope],
            policies: PolicySet | None = None) -> dict[str, list[tuple[str, int]]]:
    out = compute(policies or shipped(), facts_of(firm_id, events))
    return {c.policy_id: [(o.option_id, o.amount) for o in c.options] for c in out}


def firm_with(rd: int | None, *more: EventEnvelope) -> tuple[str, list[EventEnvelope], Firms]:
    firms = Firms()
    fid = str(uuid.uuid4())
    events = [firms.registered(fid)]
    if rd is not None:
        events.append(firms.report(fid, 2022, rd_expense=rd))
    return fid, events, firms


def test_shipped_policies_are_provisional_and_sourced() -> None:
    policies = shipped()
    assert policies.provisional and policies.id == "DL-2023"
    assert all(p.provisional and p.source for p in policies.policies)
    assert {p.id for p in policies.policies} == {
        "dl.tech_sme.first", "dl.hte.first", "dl.hte.again", "dl.eaglet.filed",
        "dl.gazelle_unicorn.filed"}


@pytest.mark.parametrize(("rd", "expected"), [
    (0, 0), (9, 0), (1_000, 100), (2_999_990, 299_999), (3_000_000, 300_000), (3_000_010, 300_000),
    (50_000_000, 300_000)])
def test_eaglet_share_is_capped(rd: int, expected: int) -> None:
    fid, events, firms = firm_with(rd)
    events.append(firms.filing(fid, "eaglet", "2023-06-01")[0])
    assert amounts(fid, events)["dl.eaglet.filed"] == [("award", expected)]


@pytest.mark.parametrize(("rd", "expected"), [(0, 0), (1, 20_000), (5_000_000, 20_000)])
def test_tech_sme_band_edge_at_zero(rd: int, expected: int) -> None:
    fid, events, firms = firm_with(rd)
    events.append(firms.certificate(fid, "tech_sme", "2023-05-10")[0])
    assert amounts(fid, events)["dl.tech_sme.first"] == [("award", expected)]


@pytest.mark.parametrize(("rd", "expected"), [
    (1_000_000, 100_000),       # the band's upper edge is inclusive: still the fixed amount
    (1_000_001, 100_000),       # over it: 10% of 1,000,001 rounded down
    (1_000_010, 100_001),
    (10_000_000, 1_000_000),    # 10% reaches the cap exactly
    (10_000_010, 1_000_000)])   # over the cap: capped
def test_hte_recertification_bands_and_cap(rd: int, expected: int) -> None:
    fid, events, firms = firm_with(rd)
    events.append(firms.certificate(fid, "high_tech_enterprise", "2020-11-01")[0])
    events.append(firms.certificate(fid, "high_tech_enterprise", "2023-11-01")[0])
    got = amounts(fid, events)
    assert got["dl.hte.again"] == [("award", expected)]
    assert "dl.hte.first" not in got  # the first certificate, in 2020, predates the policy


def test_first_certificate_pays_fixed_and_only_once() -> None:
    fid, events, firms = firm_with(2_000_000)
    events.append(firms.certificate(fid, "high_tech_enterprise", "2023-03-01")[0])
    assert amounts(fid, events)["dl.hte.first"] == [("award", 200_000)]
    assert "dl.hte.again" not in amounts(fid, events)


def test_gazelle_either_or_better_first_and_policy_cap() -> None:
    fid, events, firms = firm_with(2_000_000)
    events.append(firms.filing(fid, "gazelle", "2023-12-20")[0])
    assert amounts(fid, events)["dl.gazelle_unicorn.filed"] == [
        ("loan_interest", 800_000), ("award", 500_000)]
    capped = _with_policy_cap(600_000)
    assert amounts(fid, events, capped)["dl.gazelle_unicorn.filed"] == [
        ("loan_interest", 600_000), ("award", 500_000)]
    lower = _with_policy_cap(400_000)
    assert amounts(fid, events, lower)["dl.gazelle_unicorn.filed"] == [
        ("award", 400_000), ("loan_interest", 400_000)]  # tie: the policy's order


def _with_policy_cap(cap: int) -> PolicySet:
    data: dict[str, Any] = shipped().model_dump(mode="json")
    for p in data["policies"]:
        if p["id"] == "dl.gazelle_unicorn.filed":
            p["cap"] = cap
    return PolicySet.model_validate(data)


def test_only_the_first_filing_in_a_tier_is_new() -> None:
    fid, events, firms = firm_with(2_000_000)
    events.append(firms.filing(fid, "gazelle", "2022-12-20")[0])
    events.append(firms.filing(fid, "gazelle", "2025-12-20")[0])  # a renewal
    out = [c for c in compute(shipped(), facts_of(fid, events))
           if c.policy_id == "dl.gazelle_unicorn.filed"]
    assert [c.trigger.on for c in out] == [date(2022, 12, 20)]


def test_missing_prior_year_report_is_named_and_a_late_report_fills_it() -> None:
    fid, events, firms = firm_with(None)
    events.append(firms.filing(fid, "eaglet", "2023-06-01")[0])
    (c,) = compute(shipped(), facts_of(fid, events))
    assert c.amount == 0 and not c.complete and c.ceiling == 300_000
    assert c.options[0].missing == "FY2022 研发费用 not reported"
    events.append(firms.report(fid, 2022, rd_expense=1_500_000))
    (late,) = compute(shipped(), facts_of(fid, events))
    assert late.amount == 150_000 and late.complete
    assert late.entitlement_id == c.entitlement_id


def test_revoked_trigger_gives_no_entitlement_in_any_order() -> None:
    fid, events, firms = firm_with(2_000_000)
    filed, filing_id = firms.filing(fid, "gazelle", "2023-12-20")
    revoked = firms.filing_revoked(fid, filing_id, "gazelle", "2024-02-01")
    assert amounts(fid, [*events, filed]) != {}
    assert amounts(fid, [*events, filed, revoked]) == {}
    assert amounts(fid, [*events, revoked, filed]) == {}


def test_corrected_filing_keeps_one_entitlement_with_the_corrected_date() -> None:
    fid, events, firms = firm_with(2_000_000)
    filed, filing_id = firms.filing(fid, "eaglet", "2023-06-01")
    corrected, _ = firms.filing(fid, "eaglet", "2023-07-01", filing_id=filing_id,
                               corrected_from={"listed_on": "2023-06-01"})
    out = compute(shipped(), facts_of(fid, [*events, filed, corrected]))
    assert len(out) == 1 and out[0].trigger.on == date(2023, 7, 1)
    assert out[0].entitlement_id == entitlement_id(fid, "dl.eaglet.filed", f"filing:{filing_id}")


def test_replayed_and_shuffled_facts_give_the_same_entitlements() -> None:
    fid, events, firms = firm_with(2_000_000)
    events += [firms.report(fid, 2022, restated=True, rd_expense=2_500_000),
               firms.filing(fid, "gazelle", "2023-12-20")[0],
               firms.certificate(fid, "tech_sme", "2023-04-01")[0],
               firms.certificate(fid, "high_tech_enterprise", "2023-11-01")[0]]
    expected = compute(shipped(), facts_of(fid, events))
    rng = random.Random(7)
    for _ in range(20):
        replay = events + rng.sample(events, k=3)
        rng.shuffle(replay)
        assert compute(shipped(), facts_of(fid, replay)) == expected
    assert len({c.entitlement_id for c in expected}) == len(expected) == 3


def test_district_scope_pays_only_firms_in_the_district() -> None:
    data: dict[str, Any] = shipped().model_dump(mode="json")
    jinpu = {**data["policies"][1], "id": "jinpu.hte.first", "name": "金普新区高企奖励",
             "scope": {"level": "district", "district": "jinpu"}}
    policies = PolicySet.model_validate({**data, "policies": [*data["policies"], jinpu]})
    firms = Firms()
    inside, outside = str(uuid.uuid4()), str(uuid.uuid4())
    got = {}
    for fid, district in ((inside, "jinpu"), (outside, "hitech")):
        events = [firms.registered(fid, district=district),
                  firms.certificate(fid, "high_tech_enterprise", "2023-11-01")[0]]
        got[district] = set(amounts(fid, events, policies))
    assert got == {"jinpu": {"dl.hte.first", "jinpu.hte.first"}, "hitech": {"dl.hte.first"}}


@pytest.mark.parametrize(("path", "value", "message"), [
    (("policies", 0, "options", 0, "rule", "bands", 1, "over"), 5, "follow each other"),
    (("policies", 0, "scope"), {"level": "district"}, "district"),
    (("policies", 4, "options", 1, "id"), "award", "option ids repeat"),
    (("policies", 0, "valid_to"), "2021-01-01", "valid_to"),
])
def test_drafts_are_checked_field_by_field(path: tuple[Any, ...], value: Any,
                                           message: str) -> None:
    data: dict[str, Any] = shipped().model_dump(mode="json")
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValidationError) as err:
        PolicySet.model_validate(data)
    assert message in str(err.value)
