"""A draft rulebook's budget effect: the ladder's change in qualifying firms per tier, times the
filing rate, times what a filing pays per firm, within the policy's cap."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from entitlements import queries
from entitlements.domain.facts import FirmFacts, fold
from entitlements.domain.policies import PolicySet, shipped
from entitlements.domain.tierchange import (
    DEFAULT_FILING_RATE,
    FilingRate,
    filing_rates,
    per_firm,
    spend_changes,
)
from entitlements.schemas import SimulationIn
from tests.unit.entitlements.events import Firms

pytestmark = pytest.mark.unit


def _with(policy_id: str, **changes: Any) -> PolicySet:
    body = shipped().model_dump(mode="json")
    for p in body["policies"]:
        if p["id"] == policy_id:
            p.update(changes)
    return PolicySet.model_validate(body)


def test_fewer_gazelles_cost_less_at_the_default_rate() -> None:
    (gazelle,) = spend_changes(shipped(), {"gazelle": -12}, 2026, rates={}, amounts={})
    assert (gazelle.policy_id, gazelle.per_firm.amount, gazelle.per_firm.basis) == (
        "dl.gazelle_unicorn.filed", 800_000, "fixed")  # the better option, within the cap
    assert gazelle.filing_rate == FilingRate(rate=DEFAULT_FILING_RATE, basis="default")
    assert gazelle.delta == -12 * 0.5 * 800_000 == -4_800_000


def test_the_policy_cap_bounds_the_best_option() -> None:
    capped = _with("dl.gazelle_unicorn.filed", cap=600_000)
    (g,) = spend_changes(capped, {"gazelle": 3}, 2026, rates={}, amounts={})
    assert (g.per_firm.amount, g.delta) == (600_000, 900_000)


def test_a_share_is_priced_at_the_years_mean_else_its_cap() -> None:
    eaglet = shipped().policy("dl.eaglet.filed")
    assert eaglet is not None
    assert per_firm(eaglet, [100_000, 200_001]) == per_firm(eaglet, [150_000, 150_001])
    assert (per_firm(eaglet, [100_000, 200_001]).amount,
            per_firm(eaglet, [100_000, 200_001]).basis) == (150_000, "mean")
    assert (per_firm(eaglet, []).amount, per_firm(eaglet, []).basis) == (300_000, "cap")
    uncapped = _with("dl.eaglet.filed", options=[{"id": "award", "name": "奖励", "rule": {
        "kind": "share", "figure": "rd_expense", "rate": "0.10"}}]).policy("dl.eaglet.filed")
    assert uncapped is not None
    assert (per_firm(uncapped, []).amount, per_firm(uncapped, []).basis) == (None, "unpriced")
    (e,) = spend_changes(shipped(), {"eaglet": 4}, 2026, rates={},
                         amounts={"dl.eaglet.filed": [100_000, 200_000]})
    assert e.delta == round(4 * 0.5 * 150_000)


def test_district_out_of_date_and_unchanged_are_not_priced() -> None:
    district = _with("dl.gazelle_unicorn.filed", scope={"level": "district",
                                                        "district": "jinpu"})
    assert spend_changes(district, {"gazelle": -5}, 2026, rates={}, amounts={}) == []
    assert spend_changes(shipped(), {"gazelle": -5}, 2030, rates={}, amounts={}) == []
    assert spend_changes(shipped(), {"leader": 5}, 2026, rates={}, amounts={}) == []
    assert spend_changes(shipped(), {"unicorn": 0}, 2026, rates={}, amounts={}) == []


def test_the_earlier_rounds_filing_rate_counts_decided_applications_only() -> None:
    firms = Firms()
    facts = []
    for outcome in ("filed", "filed", "not_filed", "withdrawn", "open", "failed", "this_year"):
        fid = str(uuid.uuid4())
        year = 2026 if outcome == "this_year" else 2025
        applied, app_id = firms.applied(fid, "gazelle", year)
        events = [firms.registered(fid), applied]
        if outcome in ("filed", "not_filed", "withdrawn", "this_year"):
            step = "filed" if outcome == "this_year" else outcome
            events.append(firms.step(fid, app_id, "gazelle", year, step))
        if outcome == "failed":
            events.append(firms.step(fid, app_id, "gazelle", year, "district_checked",
                                     passed=False))
        f = FirmFacts(firm_id=fid)
        for e in events:
            f = fold(f, e)
        facts.append(f)
    rates = filing_rates(facts, 2026)
    assert rates == {"gazelle": FilingRate(rate=2 / 5, basis="earlier_rounds", filed=2,
                                           decided=5)}
    (g,) = spend_changes(shipped(), {"gazelle": -10}, 2026, rates=rates, amounts={})
    assert g.delta == -10 * 2 / 5 * 800_000 == -3_200_000


@pytest.mark.parametrize(("body", "field"), [
    ({"year": 2026, "qualified_changes": {"dragon": 3}}, "dragon"),
    ({"year": 2026, "qualified_changes": {"gazelle": 1.5}}, "gazelle"),
    ({"year": 2026, "qualified_changes": {"gazelle": "3"}}, "gazelle"),
    ({"year": 2026}, None),
])
def test_bad_changes_are_refused_by_field(body: dict[str, Any], field: str | None) -> None:
    with pytest.raises(ValidationError) as err:
        SimulationIn.model_validate(body)
    loc = err.value.errors()[0]["loc"]
    if field is not None:
        assert "qualified_changes" in loc and field in loc


def test_a_tier_change_alone_is_a_valid_what_if() -> None:
    body = SimulationIn.model_validate({"year": 2026, "qualified_changes": {"gazelle": -12}})
    assert body.policies is None and body.qualified_changes == {"gazelle": -12}


class _Held:
    """Just what the what-if reads: two gazelle entitlements owed this year, no applications."""

    def __init__(self, year: int) -> None:
        self.rows = [{"id": uuid.uuid4(), "policy_id": "dl.gazelle_unicorn.filed",
                      "policy_name": "瞪羚", "district": "jinpu", "trigger_on": date(year, 3, 1),
                      "state": "offered", "amount": 800_000, "paid_amount": None,
                      "complete": True, "ceiling": 800_000, "cancel_reason": None}
                     for _ in range(2)]

    async def of_year(self, year: int) -> list[dict[str, Any]]:
        return self.rows

    async def active_body(self) -> None:
        return None

    async def facts_with_applications(self) -> list[dict[str, Any]]:
        return []

    async def all_facts(self) -> list[dict[str, Any]]:
        return []


async def test_the_what_if_adds_the_tier_change_to_the_draft_side() -> None:
    out = await queries.what_if(_Held(2026), None, 2026,  # type: ignore[arg-type]
                                {"gazelle": -3, "unicorn": 0})
    assert out.current.expected == 1_600_000
    assert out.delta_from_tiers == out.delta_expected == -1_200_000
    assert out.draft.expected == 400_000 and out.draft.pipeline == -1_200_000
    assert [(p.key, p.current_expected, p.draft_expected) for p in out.by_policy] == [
        ("dl.gazelle_unicorn.filed", 1_600_000, 400_000)]
    assert [t.tier for t in out.tier_changes] == ["gazelle"] and "filing rate" in out.method
    plain = await queries.what_if(_Held(2026), None, 2026, {})  # type: ignore[arg-type]
    assert (plain.delta_expected, plain.tier_changes) == (0, [])
