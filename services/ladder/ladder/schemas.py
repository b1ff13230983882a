"""What the ladder's HTTP API takes and answers: request bodies and response models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.codes import Tier, UnicornGrade
from shared.paging import Page, Strict

FIRM = "3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b"
DECISION = "9d5e7f1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a"

# ------------------------------------------------------------------ requests


class OverrideIn(Strict):
    """A tier set by hand, or `tier: null` to hand the firm back to the rules."""

    tier: Tier | None = Field(description="The tier to hold; null clears the override",
                              examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(
        default=None, description="Exactly when `tier` is unicorn", examples=[None])
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5,
                                             max_length=1000)] = Field(
        description="Why, for the audit log", examples=["Committee decision 2022-14"])


class SimulationIn(Strict):
    """A what-if run: a stored draft (by id) or threshold overrides of the active rulebook."""

    round_year: int = Field(ge=2000, le=2100, description="The evaluation round",
                            examples=[2022])
    rulebook_id: str | None = Field(default=None, description="A stored draft to try",
                                    examples=["LN-2023-draft"])
    overrides: dict[str, Any] | None = Field(
        default=None, description="Changes to the active rulebook, e.g. "
        '{"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}',
        examples=[{"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}])
    include_traces: bool = Field(default=False, description="Add each move's decision trace",
                                 examples=[False])
    limit: int = Field(default=500, ge=1, le=100_000, description="Most moves listed",
                       examples=[500])


# ------------------------------------------------------------------ standing


class Missing(BaseModel):
    """One criterion the firm fails for the next tier, with its gap in words."""

    key: str = Field(description="The criterion's key in the rulebook",
                     examples=["revenue_cagr_min"])
    label: str = Field(examples=["Revenue CAGR"])
    value: Any = Field(description="The firm's value (null: unknown)", examples=[0.198])
    threshold: Any = Field(description="What the rule asks for", examples=[0.2])
    gap: Any = Field(description="How far the value is from the threshold", examples=[0.002])
    hint: str = Field(description="The gap as a sentence", examples=["Revenue CAGR is 19.8%, "
                                                                     "needs 20%"])


class NextTier(BaseModel):
    """The tier above the evaluated one and what it still needs."""

    tier: Tier = Field(examples=["gazelle"])
    missing: list[Missing] = Field(description="Failing criteria of that tier")


class OverrideHeld(BaseModel):
    """A tier set by hand that holds until cleared."""

    tier: Tier = Field(examples=["gazelle"])
    reason: str | None = Field(examples=["Committee decision 2022-14"])
    by: str | None = Field(description="Who set it", examples=["officer:7c1e"])
    at: datetime | None = Field(description="When it was set (null on a past day)")


class Standing(BaseModel):
    """A firm's standing on a day, with the full trace and what the next tier needs."""

    firm_id: uuid.UUID = Field(examples=[FIRM])
    name: str | None = Field(examples=["Dalian Haiyun Robotics"])
    district: str | None = Field(examples=["jinpu"])
    industry: str | None = Field(examples=["intelligent_manufacturing"])
    as_of: date = Field(description="The day the standing is for", examples=["2022-06-30"])
    tier: Tier = Field(description="The tier held that day", examples=["eaglet"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    at_risk: bool = Field(description="The filing is in its at-risk window", examples=[False])
    filed_on: date | None = Field(description="When the current filing started",
                                  examples=["2022-03-01"])
    expires_on: date | None = Field(description="When the filing lapses", examples=["2025-03-01"])
    evaluated_tier: str | None = Field(description="What the rules alone say",
                                       examples=["eaglet"])
    fiscal_year: int | None = Field(description="The fiscal year evaluated", examples=[2021])
    round_year: int | None = Field(examples=[2022])
    decided_on: date | None = Field(description="The day of the last decision",
                                    examples=["2022-03-01"])
    decision_id: uuid.UUID | None = Field(examples=[DECISION])
    rulebook: str | None = Field(description="The rulebook that decided", examples=["LN-2021"])
    provisional: bool = Field(description="A provisional rule took part", examples=[False])
    override: OverrideHeld | None = Field(description="The tier set by hand, if any")
    criteria: dict[str, Any] = Field(description="Per tier: passed, grade and each criterion")
    next_tier: NextTier | None = Field(description="Null at the top of the ladder")
    near_miss_tier: str | None = Field(description="A tier the firm narrowly misses",
                                       examples=["gazelle"])
    sequence: int = Field(description="The last registry sequence applied for the firm",
                          examples=[5])
    updated_at: datetime | None = Field(description="When the projection last changed")


class StandingItem(BaseModel):
    """One firm's standing in a list."""

    firm_id: uuid.UUID = Field(examples=[FIRM])
    name: str | None = Field(examples=["Dalian Haiyun Robotics"])
    district: str | None = Field(examples=["jinpu"])
    industry: str | None = Field(examples=["intelligent_manufacturing"])
    tier: Tier = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    at_risk: bool = Field(examples=[False])
    filed_on: date | None = Field(examples=["2022-05-01"])
    expires_on: date | None = Field(examples=["2025-05-01"])
    round_year: int | None = Field(examples=[2022])
    overridden: bool = Field(description="The tier is held by hand", examples=[False])
    near_miss_tier: str | None = Field(description="Null for days before today",
                                       examples=[None])
    sequence: int = Field(description="The last registry sequence applied", examples=[5])


class StandingsPage(Page[StandingItem]):
    """Standings on a day, by firm id; pass `next_cursor` back as `cursor`."""

    as_of: date = Field(description="The day listed", examples=["2022-06-30"])


class TierCount(BaseModel):
    """Firms of one district on one tier (and unicorn grade)."""

    district: str | None = Field(examples=["jinpu"])
    tier: Tier = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    firms: int = Field(examples=[12])
    at_risk: int = Field(description="Of which at risk", examples=[1])


class Summary(BaseModel):
    """How many firms stand on each tier on a day."""

    as_of: date = Field(examples=["2022-06-30"])
    totals: dict[str, int] = Field(description="Per tier (`unicorn:<grade>` for unicorns)",
                                   examples=[{"eaglet": 40, "gazelle": 12, "unicorn:seed": 2}])
    by_district: list[TierCount]


class HistoryItem(BaseModel):
    """One decision of the firm's current timeline."""

    id: uuid.UUID = Field(examples=[DECISION])
    at: datetime = Field(description="When it was stored")
    on: date = Field(description="The day it takes effect", examples=["2022-05-01"])
    change: str = Field(description="promoted, demoted, revoked, at_risk, recovered, renewed, "
                        "override or override_cleared", examples=["promoted"])
    from_tier: Tier = Field(examples=["eaglet"])
    to_tier: Tier = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    at_risk: bool = Field(examples=[False])
    filed_on: date | None = Field(examples=["2022-05-01"])
    expires_on: date | None = Field(examples=["2025-05-01"])
    override: bool = Field(description="Set by hand", examples=[False])
    fiscal_year: int | None = Field(examples=[2021])
    round_year: int = Field(examples=[2022])
    rulebook_id: str = Field(examples=["LN-2021"])
    reason: str | None = Field(examples=["passes every gazelle criterion"])
    actor: str = Field(description="`ladder` for the rules, else who set it",
                       examples=["ladder"])
    trigger_event_id: uuid.UUID | None = Field(description="The registry event that caused it")
    supersedes: uuid.UUID | None = Field(description="The decision this one corrects")
    counts_toward: str | None = Field(description="The target it counts toward",
                                      examples=["gazelle"])
    trace: dict[str, Any] | None = Field(description="Every tier's verdict and criteria")
    inputs: dict[str, Any] | None = Field(description="The facts the rules read")


class HistoryPage(Page[HistoryItem]):
    """The firm's timeline, newest first; pass `next_cursor` back as `cursor`."""


class OverrideOut(BaseModel):
    """The standing after an override was set or cleared."""

    firm_id: uuid.UUID = Field(examples=[FIRM])
    tier: Tier = Field(examples=["gazelle"])
    override: bool = Field(description="An override now holds", examples=[True])
    decision_id: uuid.UUID | None = Field(examples=[DECISION])


class ReadinessCheck(BaseModel):
    """One certification criterion."""

    key: str = Field(examples=["rd_intensity"])
    label: str = Field(examples=["R&D intensity"])
    value: Any = Field(examples=[0.04])
    threshold: Any = Field(examples=[0.05])
    comparator: str = Field(examples=[">="])
    status: str = Field(description="pass, fail or unknown", examples=["fail"])
    source: str = Field(examples=["annual report"])
    note: str | None = Field(default=None)


class CertificationReadiness(BaseModel):
    """The verdict for one certification with its checks."""

    kind: str = Field(examples=["tech_sme"])
    status: str = Field(description="pass, fail or unknown", examples=["pass"])
    checks: list[ReadinessCheck]
    score: dict[str, Any] = Field(description="Tech SME score components", examples=[{}])
    fast_track: bool = Field(examples=[False])
    note: str | None = Field(default=None)


class ReadinessOut(BaseModel):
    """Would the firm pass the high-tech-enterprise and tech-SME tests on a day."""

    rulebook: str = Field(examples=["LN-2021"])
    firm_id: str = Field(examples=[FIRM])
    as_of: date = Field(examples=["2022-06-30"])
    report_year: int | None = Field(description="The report the checks read", examples=[2021])
    high_tech_enterprise: CertificationReadiness
    tech_sme: CertificationReadiness


# ------------------------------------------------------------------ rulebooks


class RulebookSummary(BaseModel):
    """A rulebook as lists show it."""

    id: str = Field(examples=["LN-2021"])
    title: str = Field(examples=["Liaoning cultivation rules 2021"])
    status: str = Field(description="active or draft", examples=["active"])
    round_years: list[int] = Field(examples=[[2022, 2023]])
    provisional_tiers: list[str] = Field(description="Tiers with provisional rules",
                                         examples=[["leader"]])


class RulebookListed(RulebookSummary):
    """A stored rulebook and who uploaded it."""

    uploaded_by: str = Field(examples=["shipped"])
    uploaded_at: datetime


class RulebookPage(Page[RulebookListed]):
    """The active rulebook and the drafts, oldest first (a single page)."""


class RulebookOut(BaseModel):
    """One stored rulebook, every rule."""

    id: str = Field(examples=["LN-2021"])
    status: str = Field(examples=["active"])
    document: dict[str, Any] = Field(description="The rulebook as uploaded")


# ------------------------------------------------------------------ targets and candidates


class Breakdown(BaseModel):
    """How the achieved count came about."""

    by_rules: int = Field(examples=[10])
    by_override: int = Field(examples=[1])


class Forecast(BaseModel):
    """Where the count is expected to end the year, with a band."""

    expected: float = Field(examples=[28.5])
    low: float = Field(examples=[24])
    high: float = Field(examples=[33])
    run_rate: float | None = Field(default=None, description="The count at today's pace",
                                   examples=[22.0])
    method: str = Field(description="How it was computed, in words")


class TargetItem(BaseModel):
    """One target of the year: progress, pace and forecast."""

    tier: str = Field(description="The target's key", examples=["gazelle"])
    target: int | None = Field(description="Null when the year has none for this key",
                               examples=[30])
    achieved: int = Field(examples=[11])
    breakdown: Breakdown
    progress: float | None = Field(examples=[0.3667])
    pace: str | None = Field(description="ahead, on_track or behind", examples=["behind"])
    elapsed_share: float = Field(description="Share of the year gone", examples=[0.4959])
    expected_by_now: float | None = Field(examples=[14.88])
    forecast: Forecast | None


class TargetsOut(BaseModel):
    """Target progress, pace and forecast of a round year."""

    year: int = Field(examples=[2022])
    as_of: date = Field(examples=["2022-06-30"])
    targets_set: bool = Field(description="Targets were set for the year", examples=[True])
    items: list[TargetItem]


class TargetsSet(BaseModel):
    """The year's targets as stored."""

    year: int = Field(examples=[2023])
    targets: dict[str, int] = Field(examples=[{"gazelle": 40, "eaglet": 200}])


class Candidate(BaseModel):
    """A firm close to a tier, with what it lacks."""

    firm_id: str = Field(examples=[FIRM])
    name: str | None = Field(examples=["Dalian Haiyun Robotics"])
    district: str | None = Field(examples=["jinpu"])
    industry: str | None = Field(examples=["intelligent_manufacturing"])
    current_tier: str = Field(examples=["eaglet"])
    unicorn_grade: str | None = Field(examples=[None])
    failing_count: int = Field(description="Criteria still failing", examples=[1])
    relative_gap_sum: float = Field(description="Sum of the relative gaps", examples=[0.01])
    conversion_probability: float = Field(examples=[0.62])
    missing: list[str] = Field(description="Each gap as a sentence",
                               examples=[["Revenue CAGR is 19.8%, needs 20%"]])


class CandidatePage(Page[Candidate]):
    """Near misses, closest first; pass `next_cursor` back as `cursor`."""

    tier: str = Field(examples=["gazelle"])
    total: int = Field(description="Near misses in all pages", examples=[14])
    offset: int = Field(description="Position of this page's first item", examples=[0])


# ------------------------------------------------------------------ what-if


class Effect(BaseModel):
    """A count under the active rulebook and under the draft."""

    baseline: int = Field(examples=[12])
    draft: int = Field(examples=[13])
    delta: int = Field(examples=[1])


class TargetEffect(BaseModel):
    """A target and the entries in its year under each rulebook."""

    target: int = Field(examples=[30])
    baseline: int | None = Field(default=None, examples=[12])
    draft: int | None = Field(default=None, examples=[13])
    delta: int | None = Field(default=None, examples=[1])


class Move(BaseModel):
    """A firm whose standing differs under the draft."""

    model_config = ConfigDict(populate_by_name=True)

    firm_id: str = Field(examples=[FIRM])
    name: str | None = Field(examples=["Dalian Haiyun Robotics"])
    from_: str = Field(alias="from", description="Under the active rulebook",
                       examples=["eaglet"])
    to: str = Field(description="Under the draft", examples=["gazelle"])
    direction: str = Field(description="up or down", examples=["up"])
    trace: dict[str, Any] | None = Field(default=None,
                                         description="With include_traces: the draft's verdict")


class SimulationOut(BaseModel):
    """The draft's effect on tiers, entries and targets, and who moves."""

    round_year: int = Field(examples=[2022])
    fiscal_year: int = Field(examples=[2021])
    as_of: date = Field(examples=["2022-06-30"])
    effect_on_tiers: dict[str, Effect]
    entries: dict[str, Effect] = Field(description="Entries dated in the round year, per tier")
    moved_up: int = Field(examples=[1])
    moved_down: int = Field(examples=[0])
    moves: list[Move] = Field(description="At most `limit` moves")
    moves_total: int = Field(examples=[1])
    effect_on_targets: dict[str, TargetEffect]
    baseline_rulebook: str = Field(examples=["LN-2021"])
    draft_rulebook: str = Field(examples=["LN-2021-what-if"])
    firms: int = Field(description="Firms evaluated", examples=[2])
    load_seconds: float = Field(examples=[0.012])
    evaluate_seconds: float = Field(examples=[0.003])


# ------------------------------------------------------------------ dashboard


class Me(BaseModel):
    """Who the token is, and where the page finds the notifier."""

    role: str = Field(examples=["officer"])
    officer_id: uuid.UUID | None = Field(examples=[None])
    notifier_url: str | None = Field(examples=["http://127.0.0.1:8003"])
    today: date = Field(examples=["2022-06-30"])


class TableFilters(BaseModel):
    """What the table was filtered by."""

    year: int = Field(examples=[2022])
    tier: str | None = Field(examples=[None])
    district: str | None = Field(examples=[None])
    industry: str | None = Field(examples=[None])


class TableOut(BaseModel):
    """A dashboard table: columns in order and one object per row."""

    name: str = Field(examples=["funnel"])
    columns: list[str] = Field(examples=[["district", "industry", "tier", "firms",
                                          "share_of_city"]])
    rows: list[dict[str, Any]]
    filters: TableFilters
