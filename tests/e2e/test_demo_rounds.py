"""The demo city's rounds on the running system: past rounds complete with their lists, so
2022's official figures differ believably from the rules' count; the current one live."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import RunningStack, eventually
from tests.factories import ADMIN_TOKEN
from tracker.demo import load_demo, seed_targets
from tracker.demo.loader import CURRENT_TARGETS, targets_for

pytestmark = pytest.mark.e2e
FIRMS = 480


async def test_the_demo_rounds_from_2019_to_now(stack: RunningStack) -> None:
    stack.start()
    today = date.today()
    first = await load_demo(stack.url("registry"), ADMIN_TOKEN, firms=FIRMS,
                            ladder_url=stack.url("ladder"), timeout_s=600)
    assert first["rejected"] == 0, first["problems"]
    assert first["rounds"]["applications"] > 0 and first["rounds"]["filings"] > 0
    async with stack.ladder() as ladder:
        async def settled() -> bool:  # the last round's applications are the last events sent
            past = {t.tier: t for t in (await ladder.round(today.year - 1)).tiers}["eaglet"]
            now = {t.tier: t for t in (await ladder.round(today.year)).tiers}["eaglet"]
            return past.total.filed > 0 and now.total.applied > 0
        await eventually(settled, 300, "the ladder to apply the demo's rounds")
        past = await ladder.round(2022)
        assert past.round is not None and [d.name for d in past.deadlines][0] == "firm_deadline"
        eaglet = {t.tier: t for t in past.tiers}["eaglet"]
        assert eaglet.total.applied <= eaglet.total.qualified + eaglet.total.applied
        assert 0 < eaglet.total.filed < eaglet.total.applied
        assert eaglet.total.district_failed >= 0 and eaglet.pass_rate is not None
        assert eaglet.lists and eaglet.lists[0].listed_on.month == 12
        assert {t.tier: t for t in (await ladder.round(2023)).tiers}["eaglet"].earlier

        targets = {i.tier: i for i in (await ladder.targets(2022)).items}
        assert targets["eaglet"].basis == "filed"
        assert targets["eaglet"].achieved == targets["eaglet"].filed
        assert targets["eaglet"].filed != targets["eaglet"].qualified

        now = await ladder.round(today.year)
        assert now.round is not None
        live = {t.tier: t for t in now.tiers}["eaglet"]
        assert live.total.applied > 0
        if today < date(today.year, 12, 18):  # no list yet: a live pipeline
            assert live.total.filed == 0
            assert {i.tier: i for i in (await ladder.targets(today.year)).items}[
                "eaglet"].pipeline
        assert (await ladder.discrepancies(2022)).items

    second = await load_demo(stack.url("registry"), ADMIN_TOKEN, firms=FIRMS,
                             ladder_url=stack.url("ladder"), timeout_s=600)
    assert second["rejected"] == 0, second["problems"]
    assert second["rounds"].get("applications", 0) == 0
    assert second["rounds"].get("filings", 0) == 0


async def test_a_smaller_dalian_city_is_measured_against_its_scaled_targets(
        stack: RunningStack) -> None:
    """The ladder ships Dalian's 2022 targets; a demo city of a third the size replaces them
    with its own scale, but never replaces targets the bureau set."""
    stack.start()
    scaled = targets_for(2000, "dalian")
    assert scaled != CURRENT_TARGETS
    async with stack.ladder() as ladder:
        assert {i.tier: i.target for i in (await ladder.targets(2022)).items
                if i.target} == CURRENT_TARGETS
        await ladder.set_targets(2023, {"eaglet": 99})
    assert await seed_targets(stack.url("ladder"), ADMIN_TOKEN, 2022, scaled)
    assert not await seed_targets(stack.url("ladder"), ADMIN_TOKEN, 2022, scaled)
    assert not await seed_targets(stack.url("ladder"), ADMIN_TOKEN, 2023, scaled)
    async with stack.ladder() as ladder:
        assert {i.tier: i.target for i in (await ladder.targets(2022)).items
                if i.target} == scaled
        assert {i.tier: i.target for i in (await ladder.targets(2023)).items
                if i.target} == {"eaglet": 99}
