"""Unmet criteria in alerts are worded by the catalogue in the officer's language: a zh alert
names every criterion in Chinese, an en alert keeps the ladder's English label (issue 19)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ladder.domain.explain import failing_of, next_tier
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from notifier.domain.render import render
from notifier.domain.wording import criterion_name
from shared.events import FailingCriterion, make_event
from tests.unit.ladder.builders import failing_firms
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit

LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z&/-]*(?:\s+[A-Za-z][A-Za-z&/-]*)+")


def _ladder_failing() -> list[dict[str, Any]]:
    """What the ladder really publishes for firms that miss in many ways."""
    out: list[dict[str, Any]] = []
    for f in failing_firms():
        decision = evaluate(default_rulebook(), f, 2021)
        for tier in ("eaglet", "gazelle", "unicorn", "leader"):
            out += failing_of(next_tier(decision, tier))  # type: ignore[arg-type]
    assert out
    return out


def _name_only(c: dict[str, Any]) -> dict[str, Any]:
    # no hint, value or gap: the line is the criterion's name alone
    return {**c, "hint": None, "value": None, "threshold": None, "gap": None}


def test_every_criterion_the_ladder_publishes_has_a_chinese_name() -> None:
    for raw in _ladder_failing():
        c = FailingCriterion(**raw)
        zh = criterion_name("zh", c)
        assert zh != c.label and "{" not in zh and not LATIN_RUN.search(zh), (c.key, zh)
        assert criterion_name("en", c) == c.label


def test_a_year_in_a_label_comes_from_the_hint() -> None:
    c = FailingCriterion(key="revenue_base", label="revenue in base year FY-3",
                         hint="revenue in base year FY2018: 0, must be > 0")
    assert criterion_name("zh", c) == "基期（2018年度）营业收入"
    rising = FailingCriterion(key="revenue_rising", label="revenue in FY (vs FY-1)",
                              hint="revenue in FY2021 (vs FY2020): fell")
    assert criterion_name("zh", rising) == "2021年度营业收入（较2020年度）"


def test_zh_near_miss_names_its_criteria_in_chinese() -> None:
    f = b.firm()
    failing = [_name_only(c) for c in _ladder_failing()[:6]]
    event = make_event("NearMissDetected", producer="ladder", subject=f["id"], sequence=1,
                       data={"firm": f, "tier": "gazelle", "failing": failing})
    zh = render(event, "near_miss", "zh", b.BASE_URL)
    en = render(event, "near_miss", "en", b.BASE_URL)
    for c in failing:
        assert c["label"] not in zh.body_text, c["label"]
        assert c["label"] in en.body_text, c["label"]
    assert not LATIN_RUN.search(zh.body_text.replace(b.BASE_URL, "")), zh.body_text


def test_zh_demotion_names_the_failing_criterion_in_chinese() -> None:
    event = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                             failing=[b.failing(hint=None)])
    zh = render(event, "demotion", "zh", b.BASE_URL)
    en = render(event, "demotion", "en", b.BASE_URL)
    assert "S&T intensity" not in zh.body_text
    assert "科技活动投入占营业收入比例" in zh.body_text
    assert "(S&T intensity ≥ 2.5%)" in en.body_text


def test_without_a_year_the_chinese_name_leaves_the_year_out() -> None:
    assert criterion_name("zh", FailingCriterion(key="revenue_base",
                                                 label="revenue in base year FY-3")) == "基期营业收入"
    assert criterion_name("zh", FailingCriterion(key="revenue_rising",
                                                 label="revenue in FY (vs FY-1)")) == "营业收入"
