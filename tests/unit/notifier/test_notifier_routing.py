"""Routing: explicit assignment, district/industry coverage, targets, fallback, supervisors."""

import uuid
from collections.abc import Iterable

import pytest

from notifier.domain.routing import OfficerRoute, route, route_event, supervisor_of
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit


def officer(districts: Iterable[str] = (), industries: Iterable[str] = (), *,
            active: bool = True, receives_targets: bool = False,
            supervisor_id: uuid.UUID | None = None) -> OfficerRoute:
    return OfficerRoute(uuid.uuid4(), frozenset(districts), frozenset(industries), active=active,
                        receives_targets=receives_targets, supervisor_id=supervisor_id)


def test_explicit_active_officer_wins_alone() -> None:
    mine, covering = officer(), officer({"hitech"})
    r = route("hitech", "next_gen_it", mine.officer_id, [covering, mine])
    assert r.officer_ids == [mine.officer_id] and not r.unrouted and r.via == "explicit"


@pytest.mark.parametrize("explicit", ["inactive", "unknown"])
def test_stale_explicit_assignment_falls_back_to_coverage(explicit: str) -> None:
    gone = officer(active=False)
    covering = officer({"hitech"}, {"next_gen_it"})
    explicit_id = gone.officer_id if explicit == "inactive" else uuid.uuid4()
    r = route("hitech", "next_gen_it", explicit_id, [gone, covering])
    assert r.officer_ids == [covering.officer_id] and r.via == "coverage"


def test_coverage_needs_both_district_and_industry() -> None:
    both = officer({"hitech"}, {"next_gen_it"})
    district_only = officer({"hitech"}, {"fine_chemicals"})
    industry_only = officer({"jinpu"}, {"next_gen_it"})
    r = route("hitech", "next_gen_it", None, [both, district_only, industry_only])
    assert r.officer_ids == [both.officer_id]


def test_empty_sets_cover_everything_and_order_is_kept() -> None:
    citywide = officer()
    district_desk = officer({"hitech"})
    industry_desk = officer(set(), {"next_gen_it"})
    asleep = officer(active=False)
    r = route("hitech", "next_gen_it", None, [citywide, asleep, district_desk, industry_desk])
    assert r.officer_ids == [citywide.officer_id, district_desk.officer_id,
                             industry_desk.officer_id]


def test_nobody_covering_is_unrouted() -> None:
    r = route("changhai", "other", None, [officer({"hitech"}), officer(active=False)])
    assert r.officer_ids == [] and r.unrouted and r.via == "none"
    assert route("hitech", "other", None, []).unrouted


def test_target_events_go_to_target_receivers() -> None:
    boss = officer({"hitech"}, receives_targets=True)
    desk = officer()
    retired = officer(receives_targets=True, active=False)
    r = route(None, None, None, [boss, desk, retired])
    assert r.officer_ids == [boss.officer_id] and r.via == "targets"
    assert route(None, None, None, [desk]).unrouted


def test_route_event_uses_the_events_firm_or_targets() -> None:
    boss = officer({"jinpu"}, receives_targets=True)
    desk = officer({"hitech"})
    assert route_event(b.near_miss(), "near_miss", [boss, desk]).officer_ids == [desk.officer_id]
    # A first-unicorn milestone names a firm but is still bureau-level target news.
    milestone = b.milestone("first_unicorn", with_firm=True)
    assert route_event(milestone, "target_milestone", [boss, desk]).officer_ids == [boss.officer_id]
    assert route_event(b.progress(), "pace_behind", [boss, desk]).officer_ids == [boss.officer_id]


def test_supervisor_must_be_known_and_active() -> None:
    sup = officer()
    me = officer(supervisor_id=sup.officer_id)
    orphan = officer(supervisor_id=uuid.uuid4())
    assert supervisor_of(me.officer_id, [me, sup]) == sup.officer_id
    assert supervisor_of(orphan.officer_id, [orphan]) is None
    assert supervisor_of(sup.officer_id, [me, sup]) is None
    inactive_sup = OfficerRoute(sup.officer_id, active=False)
    assert supervisor_of(me.officer_id, [me, inactive_sup]) is None
