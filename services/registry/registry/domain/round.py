"""The round's facts (申报 → 推荐 → 备案): an application's state machine and a filing's dates.

Pure: a step is judged against the application as it stands and answers the state it
leads to, or a `Rejected` saying why not. The province files eaglets, gazelles and
unicorn-type firms after the city recommends them; the city's own Leader tier ends with the
city (a passed district check goes straight to filed / not filed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.codes import city_decides
from shared.errors import Rejected

FILING_YEARS = 3  # a filing is valid 3 years (辽科创办发〔2021〕2号)
# state → the steps that may follow it
OPEN_STATES = ("applied", "district_passed", "recommended")
FINAL_STATES = ("district_failed", "filed", "not_filed", "withdrawn")
NEXT_STEPS: dict[tuple[str, bool], tuple[str, ...]] = {
    # (state, city is the last step) → allowed steps
    ("applied", False): ("district_checked", "withdrawn"),
    ("applied", True): ("district_checked", "withdrawn"),
    ("district_passed", False): ("recommended", "withdrawn"),
    ("district_passed", True): ("filed", "not_filed", "withdrawn"),
    ("recommended", False): ("filed", "not_filed", "withdrawn"),
}


@dataclass(frozen=True, slots=True)
class Application:
    """What the state machine needs of an application: its tier, state and last step's date."""

    tier: str
    state: str
    last_on: date  # applied_on, or the date of the last step


@dataclass(frozen=True, slots=True)
class StepIn:
    """A step as asked: which, when, and what it carries."""

    step: str
    on: date
    passed: bool | None = None
    reason: str | None = None
    filing_id: object | None = None


def allowed_steps(app: Application) -> tuple[str, ...]:
    """The steps that may follow the application's state."""
    return NEXT_STEPS.get((app.state, city_decides(app.tier)), ())


def next_state(app: Application, step: StepIn, *, today: date) -> str:
    """The state `step` leads to; a `Rejected` naming the field and the rule when it may not
    follow."""
    if app.state in FINAL_STATES:
        raise Rejected("step", "application_open",
                       f"the application is closed ({app.state}): no step may follow")
    allowed = allowed_steps(app)
    if step.step not in allowed:
        why = ""
        if step.step == "recommended" and city_decides(app.tier):
            why = " (the Leader tier is the city's own decision: after the district check the " \
                  "city files it or not, there is no recommendation to the province)"
        raise Rejected("step", "step_order",
                       f"{step.step} cannot follow {app.state}; next may be: "
                       f"{', '.join(allowed)}{why}")
    if step.on < app.last_on:
        raise Rejected("on", "after_previous_step",
                       f"the step's date {step.on} is before the previous step's "
                       f"({app.last_on})")
    if step.on > today:
        raise Rejected("on", "not_future", "a step cannot be dated in the future")
    return _state_after(step)


def _state_after(step: StepIn) -> str:
    if step.step == "district_checked":
        if step.passed is None:
            raise Rejected("passed", "required", "district_checked needs passed: true or false")
        if not step.passed and not step.reason:
            raise Rejected("reason", "required", "a failed district check needs its reason")
        return "district_passed" if step.passed else "district_failed"
    if step.passed is not None:
        raise Rejected("passed", "district_only", "passed belongs to district_checked only")
    if step.step == "filed":
        if step.filing_id is None:
            raise Rejected("filing_id", "required", "filed needs the filing it made (filing_id)")
        return "filed"
    if step.filing_id is not None:
        raise Rejected("filing_id", "filed_only", "filing_id belongs to the filed step only")
    if step.step == "not_filed" and not step.reason:
        raise Rejected("reason", "required", "not_filed needs its reason")
    return step.step  # recommended, not_filed, withdrawn


def second_application(existing_states: list[str], round_year: int, tier: str) -> None:
    """Refuse a second application for the same round and tier (a withdrawn one may be
    followed by a new one)."""
    live = [s for s in existing_states if s != "withdrawn"]
    if live:
        raise Rejected("tier", "one_application_per_round",
                       f"the firm already applied for {tier} in the {round_year} round "
                       f"(that application is {live[0]}); record its steps instead")


def check_application(round_year: int, applied_on: date, founded_on: date, *,
                      today: date) -> None:
    """An application belongs to a round of its year or the year before (a December round may
    be recorded in January), after the founding, not in the future."""
    if applied_on > today:
        raise Rejected("applied_on", "not_future", "applied_on cannot be in the future")
    if applied_on < founded_on:
        raise Rejected("applied_on", "after_founding", "a firm cannot apply before it was founded")
    if applied_on.year not in (round_year, round_year - 1):
        raise Rejected("applied_on", "in_round_year",
                       f"applied_on {applied_on} does not fall in the {round_year} round "
                       f"(the year {round_year} or the December before)")


def filing_expiry(listed_on: date, expires_on: date | None) -> date:
    """The end of a filing's validity: as given, else 3 years after the list's date."""
    if expires_on is not None:
        if expires_on <= listed_on:
            raise Rejected("expires_on", "after_listed", "expires_on must be after listed_on")
        return expires_on
    try:
        return listed_on.replace(year=listed_on.year + FILING_YEARS)
    except ValueError:  # 29 February
        return listed_on.replace(year=listed_on.year + FILING_YEARS, day=28)


def check_grade(tier: str, grade: str | None) -> None:
    """A unicorn-type filing names its grade; other tiers have none."""
    if (tier == "unicorn") != (grade is not None):
        raise Rejected("unicorn_grade", "grade_with_unicorn",
                       "give unicorn_grade (seed, potential, unicorn) exactly when tier is unicorn")
