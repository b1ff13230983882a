"""The application's state machine and a filing's dates (registry.domain.round), no I/O."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from registry.domain.filing_import import validate_filing
from registry.domain.round import (
    Application,
    StepIn,
    allowed_steps,
    check_application,
    check_grade,
    filing_expiry,
    next_state,
    second_application,
)
from shared.errors import Rejected

pytestmark = pytest.mark.unit
TODAY = date(2022, 12, 31)
D = date(2022, 12, 1)
FILING = uuid.uuid4()


def app(state: str = "applied", tier: str = "gazelle", last_on: date = D) -> Application:
    return Application(tier=tier, state=state, last_on=last_on)


def refused(a: Application, step: StepIn) -> Rejected:
    with pytest.raises(Rejected) as caught:
        next_state(a, step, today=TODAY)
    return caught.value


@pytest.mark.parametrize(("state", "tier", "step", "after"), [
    ("applied", "gazelle", StepIn("district_checked", D, passed=True), "district_passed"),
    ("applied", "eaglet", StepIn("district_checked", D, passed=False, reason="信用记录"),
     "district_failed"),
    ("applied", "gazelle", StepIn("withdrawn", D), "withdrawn"),
    ("district_passed", "gazelle", StepIn("recommended", D), "recommended"),
    ("district_passed", "gazelle", StepIn("withdrawn", D), "withdrawn"),
    ("recommended", "gazelle", StepIn("filed", D, filing_id=FILING), "filed"),
    ("recommended", "unicorn", StepIn("not_filed", D, reason="专家评审未通过"), "not_filed"),
    ("recommended", "eaglet", StepIn("withdrawn", D), "withdrawn"),
    # the Leader tier is the city's own: after the district check the city decides
    ("district_passed", "leader", StepIn("filed", D, filing_id=FILING), "filed"),
    ("district_passed", "leader", StepIn("not_filed", D, reason="city declined"), "not_filed"),
])
def test_every_step_leads_where_it_should(state: str, tier: str, step: StepIn,
                                          after: str) -> None:
    assert next_state(app(state, tier), step, today=TODAY) == after


def test_a_whole_round_from_applied_to_filed() -> None:
    a = app("applied", "gazelle", date(2022, 12, 5))
    for step in (StepIn("district_checked", date(2022, 12, 12), passed=True),
                 StepIn("recommended", date(2022, 12, 14)),
                 StepIn("filed", date(2022, 12, 20), filing_id=FILING)):
        a = Application(a.tier, next_state(a, step, today=TODAY), step.on)
    assert a.state == "filed" and allowed_steps(a) == ()


@pytest.mark.parametrize(("state", "step"), [
    ("applied", "recommended"), ("applied", "filed"), ("applied", "not_filed"),
    ("district_passed", "district_checked"), ("district_passed", "filed"),
    ("recommended", "recommended"), ("recommended", "district_checked"),
])
def test_a_step_out_of_order_is_refused_naming_what_may_follow(state: str, step: str) -> None:
    e = refused(app(state), StepIn(step, D, filing_id=FILING if step == "filed" else None,
                                   reason="r", passed=True if step == "district_checked" else None))
    assert e.extra == {"field": "step", "rule": "step_order"}
    assert f"{step} cannot follow {state}" in e.message and "next may be" in e.message


@pytest.mark.parametrize("state", ["district_failed", "filed", "not_filed", "withdrawn"])
def test_nothing_follows_a_closed_application(state: str) -> None:
    e = refused(app(state), StepIn("withdrawn", D))
    assert e.extra["rule"] == "application_open" and state in e.message


def test_a_leader_is_not_recommended_to_the_province() -> None:
    e = refused(app("district_passed", "leader"), StepIn("recommended", D))
    assert e.extra["rule"] == "step_order" and "city's own decision" in e.message


def test_a_date_before_the_previous_step_is_refused() -> None:
    e = refused(app("applied", last_on=date(2022, 12, 10)),
                StepIn("district_checked", date(2022, 12, 9), passed=True))
    assert e.extra == {"field": "on", "rule": "after_previous_step"}
    assert "2022-12-10" in e.message


def test_a_step_in_the_future_is_refused() -> None:
    e = refused(app(), StepIn("withdrawn", date(2023, 1, 2)))
    assert e.extra == {"field": "on", "rule": "not_future"}


@pytest.mark.parametrize(("state", "step", "field"), [
    ("applied", StepIn("district_checked", D), "passed"),
    ("applied", StepIn("district_checked", D, passed=False), "reason"),
    ("recommended", StepIn("filed", D), "filing_id"),
    ("recommended", StepIn("not_filed", D), "reason"),
    ("recommended", StepIn("withdrawn", D, passed=True), "passed"),
    ("district_passed", StepIn("recommended", D, filing_id=FILING), "filing_id"),
])
def test_a_step_missing_what_it_carries_is_refused(state: str, step: StepIn,
                                                   field: str) -> None:
    assert refused(app(state), step).extra["field"] == field


def test_a_second_application_for_the_round_and_tier_is_refused() -> None:
    with pytest.raises(Rejected) as caught:
        second_application(["recommended"], 2022, "gazelle")
    assert caught.value.extra == {"field": "tier", "rule": "one_application_per_round"}
    second_application([], 2022, "gazelle")
    second_application(["withdrawn"], 2022, "gazelle")  # after a withdrawal it may apply again


@pytest.mark.parametrize(("applied_on", "rule"), [
    (date(2020, 12, 1), "in_round_year"), (date(2023, 1, 1), "not_future"),
    (date(2009, 1, 1), "after_founding"),
])
def test_an_application_outside_its_round_is_refused(applied_on: date, rule: str) -> None:
    with pytest.raises(Rejected) as caught:
        check_application(2022, applied_on, date(2010, 1, 1), today=TODAY)
    assert caught.value.extra["rule"] == rule
    check_application(2022, date(2021, 12, 20), date(2010, 1, 1), today=TODAY)


def test_a_filing_lasts_three_years_unless_told() -> None:
    assert filing_expiry(date(2021, 12, 20), None) == date(2024, 12, 20)
    assert filing_expiry(date(2020, 2, 29), None) == date(2023, 2, 28)
    assert filing_expiry(date(2021, 12, 20), date(2023, 1, 1)) == date(2023, 1, 1)
    with pytest.raises(Rejected):
        filing_expiry(date(2021, 12, 20), date(2021, 12, 20))


def test_a_unicorn_filing_names_its_grade() -> None:
    check_grade("unicorn", "seed")
    check_grade("gazelle", None)
    for tier, grade in (("unicorn", None), ("gazelle", "seed")):
        with pytest.raises(Rejected):
            check_grade(tier, grade)


def test_a_list_row_reads_chinese_tier_words_and_reports_bad_rows() -> None:
    row, errors = validate_filing(1, {"uscc": "91350100m000100y43", "name": "星海", "tier": "瞪羚",
                                      "grade": "", "listed_on": "2022-12-20",
                                      "list_name": "辽宁省2022年第一批瞪羚企业"})
    assert not errors and row is not None
    assert row.body.tier == "gazelle" and row.uscc == "91350100M000100Y43"
    _, errors = validate_filing(2, {"uscc": "X", "tier": "tiger", "listed_on": "someday",
                                    "list_name": "L1"})
    assert {e.field for e in errors} == {"tier", "listed_on"}
    _, errors = validate_filing(3, {"name": "无名", "tier": "eaglet"})
    assert errors[0].field == "uscc" and "无名" in errors[0].reason


def test_an_application_row_carries_its_steps_in_order() -> None:
    from registry.domain.application_import import validate_application

    row, errors = validate_application(1, {
        "uscc": "91350100m000100y43", "round_year": "2024", "tier": "瞪羚",
        "applied_on": "2024-12-02", "district_checked_on": "2024-12-05", "district_passed": "是",
        "recommended_on": "2024-12-14", "not_filed_on": "", "note": "省平台申报"})
    assert not errors and row is not None
    assert row.body.tier == "gazelle" and row.uscc == "91350100M000100Y43"
    assert [(s.step, s.passed) for s in row.steps] == [("district_checked", True),
                                                       ("recommended", None)]
    _, errors = validate_application(2, {"uscc": "X", "round_year": "2024", "tier": "eaglet",
                                         "applied_on": "2024-12-02",
                                         "district_checked_on": "2024-12-05"})
    assert errors[0].field == "district_passed"
    _, errors = validate_application(3, {"uscc": "X", "round_year": "2024", "tier": "eaglet",
                                         "applied_on": "2024-12-02",
                                         "recommended_on": "soon"})
    assert errors[0].field == "row" and "soon" in errors[0].reason
