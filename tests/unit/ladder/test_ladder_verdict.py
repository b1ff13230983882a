"""`rules.verdict` (the tiers without the trace, what the fold asks every day) judges as
`rules.evaluate` does, tier by tier, under the shipped rulebook and drafts that move every
tier, on random firms and on the demo city's profiles (each tier, near misses); a draft's
verdict that takes the baseline's alike tiers (`like`) is the verdict judged afresh."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from ladder.domain.compiled import compile_rulebook
from ladder.domain.facts import FirmFacts
from ladder.domain.rulebook import rulebook_with_overrides
from ladder.domain.rules import evaluate, verdict
from tests.unit.ladder.builders import demo_facts
from tests.unit.ladder.test_ladder_fold_fast import DRAFTS, RB, random_dated
from tracker.demo import generate

pytestmark = pytest.mark.unit

# besides the fold tests' drafts: the scale paths, the intensities, the leader, the unicorn
RULEBOOKS = (RB, *DRAFTS,
             rulebook_with_overrides(RB, {"tiers": {"gazelle": {
                 "scale_young_min_revenue": {"value": 5 * 10**7},
                 "st_intensity_min": {"value": "0.08"}}}}),
             rulebook_with_overrides(RB, {"tiers": {"leader": {
                 "min_revenue": {"value": 10**8}, "rd_intensity_min": {"value": "0.01"}}}}),
             rulebook_with_overrides(RB, {"tiers": {"unicorn": {"potential": {
                 "min_valuation_usd": {"value": 10**8}}}}}))


def _judge(rulebook: Any, facts: FirmFacts, fy: int, day: date, seen: Counter[str]) -> None:
    c = compile_rulebook(rulebook)
    full = evaluate(c, facts, fy, as_of=day, age_year=day.year - 1)
    fast = verdict(c, facts, fy, day, age_year=day.year - 1)
    got = {"eaglet": fast.eaglet, "gazelle": fast.gazelle,
           "unicorn": fast.unicorn_grade is not None, "leader": fast.leader}
    want = {tier: result.passed for tier, result in full.tiers.items()}
    assert got == want, (rulebook.id, facts.firm_id, fy, day)
    assert (fast.tier, fast.unicorn_grade) == (full.tier, full.unicorn_grade)
    assert (fast.dishonest, fast.listed) == (full.dishonest, full.listed)
    if rulebook is not RB:  # the draft taking the baseline's alike tiers
        base = compile_rulebook(RB)
        like = (base, verdict(base, facts, fy, day, age_year=day.year - 1))
        assert verdict(c, facts, fy, day, age_year=day.year - 1, like=like) == fast
    seen.update(tier for tier, passed in want.items() if passed)
    seen["judged"] += 1


def test_the_verdict_is_the_evaluation_on_random_firms() -> None:
    rng = random.Random(33)
    seen: Counter[str] = Counter()
    for _ in range(150):
        dated = random_dated(rng)
        days = sorted(set(dated.dates()) | {d + timedelta(days=1) for d in dated.dates()})
        for day in days:
            facts = dated.on(day)
            for rulebook in RULEBOOKS:
                _judge(rulebook, facts, day.year - 1, day, seen)
    assert seen["judged"] > 10_000
    assert seen["eaglet"] > 100 and seen["gazelle"] > 100 and seen["unicorn"] > 100


def test_the_verdict_is_the_evaluation_on_the_demo_city() -> None:
    seen: Counter[str] = Counter()
    for f in generate(2022, 600).firms:
        facts = demo_facts(f)
        for fy in range(2019, 2024):
            for rulebook in RULEBOOKS:
                _judge(rulebook, facts, fy, date(fy + 1, 6, 30), seen)
    for tier in ("eaglet", "gazelle", "unicorn", "leader"):
        assert seen[tier] > 20, seen
