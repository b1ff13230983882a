"""Decision shape, trace serialisation and next-tier explanations."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ladder.domain.compiled import compile_rulebook
from ladder.domain.readiness import readiness
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import default_as_of, evaluate, next_tier
from tests.unit.ladder.builders import FY, cert, facts, founded, reports, vc_round

pytestmark = pytest.mark.unit

RB = default_rulebook()


def test_decision_records_rulebook_round_and_every_tier() -> None:
    d = evaluate(RB, facts(), FY)
    assert (d.rulebook_id, d.fiscal_year, d.round_year) == ("LN-2021", FY, FY + 1)
    assert d.as_of == default_as_of(FY) == date(FY + 1, 1, 1)
    assert set(d.tiers) == {"eaglet", "gazelle", "unicorn", "leader"}
    assert d.tier == "none"
    assert d.unicorn_grade is None


def test_to_dict_is_json_and_has_the_trace() -> None:
    f = facts(reports=reports(ip_class1=1),
              certificates=(cert("software_product", date(2020, 1, 1)),))
    data = json.loads(json.dumps(evaluate(RB, f, FY).to_dict()))
    assert set(data) == {"rulebook_id", "firm_id", "fiscal_year", "round_year", "as_of", "tier",
                         "unicorn_grade", "provisional", "tiers", "inputs"}
    assert data["tier"] == "eaglet"
    eaglet = data["tiers"]["eaglet"]
    assert set(eaglet) == {"tier", "passed", "provisional", "grade", "criteria"}
    first = eaglet["criteria"][0]
    assert set(first) == {"key", "label", "value", "threshold", "comparator", "passed", "gap",
                          "relative_gap", "unit", "provisional", "source", "note", "lever",
                          "children"}
    assert data["inputs"]["reports"][str(FY)]["ip_class1"] == 1
    assert data["inputs"]["certificates"][0]["issued_on"] == "2020-01-01"
    assert data["tiers"]["leader"]["provisional"] is True


def test_evaluate_accepts_a_compiled_rulebook_and_caches_it() -> None:
    compiled = compile_rulebook(RB)
    assert compile_rulebook(RB) is compiled
    f = facts()
    assert evaluate(compiled, f, FY).to_dict() == evaluate(RB, f, FY).to_dict()


def test_next_tier_from_none_names_the_closest_eaglet_credential() -> None:
    step = next_tier(evaluate(RB, facts(), FY))
    assert step.target == "eaglet"
    assert [m.key for m in step.missing] == ["ip_class1"]
    assert step.missing[0].sentence == "valid class-I IP in FY2021 0 vs >= 1: +1 would pass"


def test_next_tier_cagr_sentence_names_the_revenue_needed() -> None:
    revenue = {FY - 3: 12_500_000, FY - 2: 14_000_000, FY - 1: 17_000_000, FY: 20_400_000}
    f = facts(reports=reports(revenue=revenue, ip_class1=1))
    d = evaluate(RB, f, FY)
    assert d.tier == "eaglet"
    step = next_tier(d)
    assert step.target == "gazelle"
    assert [m.key for m in step.missing] == ["revenue_cagr"]
    missing = step.missing[0]
    assert missing.required == 21_600_000
    assert missing.sentence == (
        "revenue CAGR 17.7% vs >= 20.0%: +¥1.2M revenue in FY2021 would pass")


def test_next_tier_at_the_top_is_empty() -> None:
    f = facts(reports=reports(revenue=10**9, rd_expense=40_000_000, st_activity_investment=0),
              certificates=(cert("high_tech_enterprise", date(FY, 1, 1)),))
    step = next_tier(evaluate(RB, f, FY))
    assert step.target is None and step.missing == []


def test_next_tier_for_the_unicorn_grade_only() -> None:
    f = facts(founded_on=founded(FY - 4),
              funding_rounds=(vc_round(date(FY, 1, 1), 5_000_000, 100_000_000, "USD"),))
    d = evaluate(RB, f, FY)
    assert (d.tier, d.unicorn_grade) == ("unicorn", "potential")
    step = next_tier(d, "unicorn", grade="unicorn")
    assert not step.passed
    assert [m.key for m in step.missing] == ["grade_unicorn_valuation"]
    assert step.missing[0].sentence.endswith("+$900M would pass")


def test_flag_sentences_and_unknown_criterion() -> None:
    d = evaluate(RB, facts(dishonest_list=True, reports=reports(ip_class1=1)), FY)
    step = next_tier(d)
    assert step.target == "eaglet"
    assert [m.sentence for m in step.missing] == [
        "on the serious-dishonesty list: disqualifies until taken off it"]
    with pytest.raises(KeyError):
        d.tiers["eaglet"].criterion("nope")


def test_readiness_and_decision_dicts_are_json() -> None:
    f = facts(innovation_score=75.0)
    json.dumps(readiness(RB, f, date(FY + 1, 5, 1)).to_dict())
    json.dumps(evaluate(RB, f, FY).to_dict())
