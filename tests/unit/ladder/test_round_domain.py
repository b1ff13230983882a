"""The round as the ladder reads it (ladder.domain.round): funnel stages, pass rates and the
forecast, what targets count before and after a list, stalls, evidence, reconciliation."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.domain.round import (
    DEFAULT_PASS_RATE,
    AppRow,
    app_pipeline,
    basis,
    discrepancy,
    evidence,
    left_off,
    rates,
    reminders_due,
    round_forecast,
    stage_counts,
    stalled,
)

pytestmark = pytest.mark.unit
D = date(2022, 12, 1)


def test_the_funnel_counts_each_stage_a_firm_passed() -> None:
    apps = [AppRow("gazelle", "filed", D, True, True),
            AppRow("gazelle", "recommended", D, True, True),
            AppRow("gazelle", "district_failed", D, False),
            AppRow("gazelle", "applied", D),
            AppRow("gazelle", "withdrawn", D)]
    before = stage_counts(apps, listed=False)
    assert (before["applied"], before["district_checked"], before["district_passed"],
            before["district_failed"], before["recommended"], before["filed"],
            before["not_filed"], before["withdrawn"]) == (5, 3, 2, 1, 2, 1, 0, 1)
    after = stage_counts(apps, listed=True)  # the list is out without the recommended one
    assert after["not_filed"] == 1 and after["left_off"] == 1


def test_a_leader_is_decided_by_the_city_after_the_district() -> None:
    city = [AppRow("leader", "filed", D, True), AppRow("leader", "district_passed", D, True)]
    c = stage_counts(city, listed=True)
    assert c["recommended"] == 1 and c["filed"] == 1 and c["left_off"] == 1
    assert left_off(AppRow("gazelle", "district_passed", D, True), True) is False


def test_achieved_counts_the_rules_until_a_list_is_recorded_then_the_filings() -> None:
    assert basis(listed=False) == "qualified"
    assert basis(listed=True) == "filed"


def test_the_pipeline_leaves_out_what_the_list_decided() -> None:
    groups = [("gazelle", "recommended", True, True, 1), ("gazelle", "applied", None, False, 3),
              ("eaglet", "recommended", True, True, 2), ("eaglet", "filed", True, True, 5),
              ("gazelle", "applied", None, False, 1)]  # the same stage in two districts
    assert app_pipeline(groups, listed=set()) == {
        "gazelle": {"recommended": 1, "applied": 4}, "eaglet": {"recommended": 2}}
    assert app_pipeline(groups, listed={"eaglet"}) == {
        "gazelle": {"recommended": 1, "applied": 4}}


def test_the_forecast_uses_earlier_pass_rates_and_says_so() -> None:
    r = rates({"applied": 50, "withdrawn": 0, "district_passed": 45, "recommended": 40,
               "filed": 36})
    assert r.learned and r.from_recommended == pytest.approx(0.9)
    f = round_forecast("gazelle", 2024, 10, {"recommended": 10, "applied": 5}, r)
    assert f.expected == pytest.approx(10 + 10 * 0.9 + 5 * 36 / 50)
    assert (f.low, f.high) == (10, 25)
    assert "pass rates of the rounds before 2024" in f.method and "10 recommended" in f.method


def test_without_earlier_rounds_the_forecast_states_its_assumption() -> None:
    r = rates({})
    assert not r.learned and r.from_applied == DEFAULT_PASS_RATE
    assert "assumed pass rate" in round_forecast("eaglet", 2019, 0, {"applied": 2}, r).method


def test_an_application_past_its_deadline_is_stalled() -> None:
    dates = {"district_deadline": date(2022, 12, 13), "city_deadline": date(2022, 12, 16)}
    waiting = AppRow("gazelle", "applied", date(2022, 12, 2))
    assert stalled(waiting, dates, False, date(2022, 12, 13)) is None
    s = stalled(waiting, dates, False, date(2022, 12, 14))
    assert s is not None and s.at == "district_checked" and "2022-12-13" in s.reason
    leader = AppRow("leader", "district_passed", date(2022, 12, 10), True)
    assert stalled(leader, dates, False, date(2022, 12, 20)).at == "filed"  # type: ignore[union-attr]
    # three weeks without a step, whatever the dates
    assert stalled(waiting, {}, False, date(2022, 12, 20)) is None
    assert stalled(waiting, {}, False, date(2022, 12, 24)) is not None
    early = {"district_deadline": date(2023, 1, 31)}
    assert stalled(waiting, early, False, date(2022, 12, 24)).at == "district_checked"  # type: ignore[union-attr]
    assert stalled(AppRow("gazelle", "filed", D), dates, False, date(2023, 1, 1)) is None


def test_reconciliation_finds_both_kinds() -> None:
    assert discrepancy("gazelle", "eaglet", None) == "filed_above_rules"
    assert discrepancy("gazelle", "none", None) == "filed_above_rules"
    assert discrepancy("eaglet", "gazelle", None) is None  # the rules give more: no quarrel
    assert discrepancy(None, "gazelle", "gazelle") == "qualifying_refused"
    assert discrepancy(None, "unicorn", "gazelle") == "qualifying_refused"
    assert discrepancy(None, "eaglet", "gazelle") is None  # refused, and the rules agree


def test_evidence_lists_what_the_application_must_show() -> None:
    trace = {"criteria": [
        {"key": "gazelle.age", "label": "≤ 20 years", "value": 6, "threshold": 20,
         "passed": True, "children": []},
        {"key": "gazelle.path", "label": "one path", "passed": True, "children": [
            {"key": "gazelle.revenue_cagr", "label": "CAGR ≥ 20%", "value": 0.31,
             "threshold": 0.2, "passed": True, "children": []},
            {"key": "gazelle.venture", "label": "VC ≥ 1000万", "passed": False}]},
        {"key": "gazelle.intensity", "label": "≥ 2.5%", "passed": False}]}
    assert [e["key"] for e in evidence(trace)] == [
        "gazelle.age", "gazelle.path", "gazelle.revenue_cagr"]
    assert evidence(None) == []


def test_reminders_fall_due_once_per_lead_time() -> None:
    deadlines = {"firm_deadline": date(2024, 12, 10), "district_deadline": date(2024, 12, 13),
                 "publication_expected": date(2024, 12, 27)}
    assert reminders_due(deadlines, (14, 3), date(2024, 11, 25)) == []
    assert reminders_due(deadlines, (14, 3), date(2024, 11, 26)) == [
        ("firm_deadline", 14, date(2024, 12, 10))]
    assert reminders_due(deadlines, (14, 3), date(2024, 12, 8)) == [
        ("firm_deadline", 3, date(2024, 12, 10)), ("district_deadline", 14, date(2024, 12, 13))]
    assert reminders_due(deadlines, (14, 3), date(2024, 12, 14)) == []


def _item(tier: str, achieved: int, target: int | None = 10) -> dict[str, object]:
    return {"tier": tier, "target": target, "achieved": achieved, "progress": None,
            "pace": None, "forecast": None}


def test_a_target_counts_the_rules_before_a_list_and_the_filings_after() -> None:
    from ladder.queries.targets import _Official

    pipeline = {"eaglet": {"recommended": 4, "applied": 2}}
    earlier = {"eaglet": {"applied": 10, "district_passed": 9, "recommended": 8, "filed": 6}}
    before = _Official(2024, date(2024, 12, 15), {}, set(), pipeline, earlier)
    item = _item("eaglet", 12)
    assert before.apply(item, open_year=True)
    assert (item["basis"], item["achieved"], item["qualified"], item["filed"],
            item["pipeline"]) == ("qualified", 12, 12, 0, 6)
    assert "pass rates of the rounds before 2024" in item["forecast"]["method"]  # type: ignore[index]

    after = _Official(2024, date(2024, 12, 28), {"eaglet": 7}, {"eaglet"}, {}, earlier)
    item = _item("eaglet", 12)
    after.apply(item, open_year=True)
    assert (item["basis"], item["achieved"], item["qualified"], item["filed"],
            item["progress"]) == ("filed", 7, 12, 7, 0.7)

    certificates = _item("high_tech_enterprise", 300, 500)
    assert not after.apply(certificates, open_year=True)
    assert certificates["basis"] == "certificates" and certificates["achieved"] == 300
