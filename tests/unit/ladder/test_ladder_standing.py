"""Standing transitions: promotion, at-risk, revocation, renewal, demotion, override."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ladder.domain.decision import Decision
from ladder.domain.facts import add_years
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from ladder.domain.standing import (
    Standing,
    apply_decision,
    clear_override,
    set_override,
)
from tests.unit.ladder.builders import FY, YI, cert, facts, founded, reports, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()
ON = date(FY + 1, 3, 1)


def decision(kind: str, **kw: Any) -> Decision:
    shapes: dict[str, dict[str, Any]] = {
        "none": {},
        "eaglet": {"reports": reports(ip_class1=1)},
        "gazelle": {"funding_rounds": (vc_round(date(FY, 3, 1), 20_000_000, 10**8),)},
        "seed": {"founded_on": founded(FY - 4),
                 "funding_rounds": (vc_round(date(FY, 3, 1), 10_000_000, 3 * YI),)},
        "unicorn": {"funding_rounds": (vc_round(date(FY, 3, 1), 10**8, 10**9, "USD"),)},
        "leader": {"reports": reports(revenue=10 * YI, rd_expense=40_000_000,
                                      st_activity_investment=0),
                   "certificates": (cert("high_tech_enterprise", date(FY, 1, 1)),)},
    }
    return evaluate(RB, facts(**{**shapes[kind], **kw}), FY)


def filed(tier: str, on: date = date(FY, 3, 1), **kw: Any) -> Standing:
    return Standing(tier=tier, filed_on=on, expires_on=add_years(on, 3), **kw)


def test_promotion_is_immediate_and_opens_a_filing() -> None:
    t = apply_decision(Standing(), decision("eaglet"), ON)
    assert t.kind == "promoted"
    assert t.new_standing == Standing("eaglet", None, False, ON, date(FY + 4, 3, 1))
    up = apply_decision(t.new_standing, decision("gazelle"), ON)
    assert up.kind == "promoted" and up.new_standing.tier == "gazelle"


def test_stopping_to_qualify_during_validity_is_at_risk_not_demotion() -> None:
    start = filed("gazelle")
    t = apply_decision(start, decision("eaglet"), ON)
    assert t.kind == "at_risk"
    assert t.new_standing.tier == "gazelle" and t.new_standing.at_risk
    again = apply_decision(t.new_standing, decision("none"), ON)
    assert again.kind == "unchanged" and again.new_standing.at_risk
    back = apply_decision(again.new_standing, decision("gazelle"), ON)
    assert back.kind == "recovered"
    assert back.new_standing == start


def test_dishonesty_revokes_at_once_even_during_validity() -> None:
    t = apply_decision(filed("gazelle"), decision("gazelle", dishonest_list=True), ON)
    assert t.kind == "revoked"
    assert t.new_standing == Standing()
    assert apply_decision(Standing(), decision("none", dishonest_list=True), ON).kind == "unchanged"


def test_renewal_at_expiry_is_not_a_new_filing() -> None:
    start = filed("eaglet", at_risk=True)
    expiry = start.expires_on
    assert expiry is not None
    t = apply_decision(start, decision("eaglet"), expiry)
    assert t.kind == "renewed"
    assert t.new_standing.filed_on == start.filed_on
    assert t.new_standing.renewed_on == expiry
    assert t.new_standing.expires_on == add_years(expiry, 3)
    assert not t.new_standing.at_risk


def test_day_before_expiry_is_still_at_risk() -> None:
    start = filed("gazelle")
    assert start.expires_on is not None
    day_before = date.fromordinal(start.expires_on.toordinal() - 1)
    assert apply_decision(start, decision("eaglet"), day_before).kind == "at_risk"


def test_demotion_at_expiry_to_highest_tier_still_qualifying() -> None:
    start = filed("gazelle")
    assert start.expires_on is not None
    t = apply_decision(start, decision("eaglet"), start.expires_on)
    assert t.kind == "demoted"
    assert t.new_standing.tier == "eaglet"
    assert t.new_standing.filed_on == start.expires_on
    gone = apply_decision(start, decision("none"), start.expires_on)
    assert gone.kind == "demoted" and gone.new_standing == Standing()


def test_unicorn_has_no_expiry_and_listing_leaves_the_tier() -> None:
    t = apply_decision(Standing(), decision("unicorn"), ON)
    assert t.kind == "promoted"
    assert t.new_standing.unicorn_grade == "unicorn" and t.new_standing.expires_on is None
    ipo = apply_decision(t.new_standing, decision("unicorn", listed=True), ON)
    assert ipo.kind == "demoted"
    assert "listed (IPO)" in ipo.reason
    # Its US$100M round still passes the gazelle venture path: it drops there.
    assert ipo.new_standing.tier == "gazelle"
    assert ipo.new_standing.expires_on == add_years(ON, 3)


def test_listed_unicorn_may_become_leader() -> None:
    unicorn = Standing("unicorn", "unicorn", filed_on=ON)
    t = apply_decision(unicorn, decision("leader", listed=True), ON)
    assert t.kind == "promoted" and t.new_standing.tier == "leader"


def test_unicorn_grade_moves_promote_and_demote() -> None:
    seed = apply_decision(Standing(), decision("seed"), ON).new_standing
    assert (seed.tier, seed.unicorn_grade) == ("unicorn", "seed")
    up = apply_decision(seed, decision("unicorn"), ON)
    assert up.kind == "promoted" and up.new_standing.unicorn_grade == "unicorn"
    down = apply_decision(up.new_standing, decision("seed"), ON)
    assert down.kind == "demoted" and down.new_standing.unicorn_grade == "seed"


def test_override_holds_until_cleared_and_carries_the_decision() -> None:
    held = set_override(Standing(), "gazelle", "officer: appeal pending", ON)
    d = decision("none")
    t = apply_decision(held, d, ON)
    assert t.kind == "unchanged" and t.new_standing == held and t.decision is d
    cleared = clear_override(held)
    assert not cleared.override
    assert apply_decision(cleared, d, ON).kind == "at_risk"


def test_unchanged_when_still_qualifying() -> None:
    t = apply_decision(filed("eaglet"), decision("eaglet"), ON)
    assert t.kind == "unchanged" and not t.changed
