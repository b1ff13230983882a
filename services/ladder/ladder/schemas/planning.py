"""What the planning routes answer: rulebooks, targets, candidates and the what-if."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ladder.schemas.examples import FIRM
from shared.paging import Page


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
    key: str | None = Field(default=None, description="The method as a catalogue key",
                            examples=["label.forecastMethod"])
    params: dict[str, Any] | None = Field(default=None, description="Its parameters",
                                          examples=[{"achieved": 18, "conversions": 3.1,
                                                     "daysLeft": 27}])


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
    filed: int | None = Field(default=None, description="Official filings (新备案) listed in the "
                              "year; null for certificates", examples=[27])
    qualified: int | None = Field(default=None, description="Entries by the rules in the year",
                                  examples=[33])
    pipeline: int | None = Field(default=None, description="Applications of the year's round "
                                 "applied or recommended, not yet decided", examples=[4])
    basis: Literal["filed", "qualified", "certificates"] = Field(
        default="qualified", description="What `achieved` counts: `filed` once a list for the "
        "tier and year is recorded, `qualified` (the rules) before; HTE and tech-SME targets "
        "count certificates", examples=["filed"])


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


class Gap(BaseModel):
    """A gap sentence as the catalogue's key and its parameters (the page words it)."""

    kind: str = Field(description="`gap.<kind>` in GET /v1/dashboard/catalogue",
                      examples=["amount"])
    params: dict[str, Any] = Field(description="Criterion key, fiscal year, value, threshold, "
                                   "unit, gap...", examples=[{"key": "revenue_base", "fy": 2021}])


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
    gaps: list[Gap] = Field(default_factory=list, description="Each gap as a catalogue key "
                            "(`gap.<kind>`) and its parameters, in the order of `missing`")


class CandidatePage(Page[Candidate]):
    """Near misses, closest first; pass `next_cursor` back as `cursor`."""

    tier: str = Field(examples=["gazelle"])
    total: int = Field(description="Near misses in all pages", examples=[14])
    offset: int = Field(description="Position of this page's first item", examples=[0])


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


class SimulationJob(BaseModel):
    """A what-if computed in a worker process: its progress, then its result."""

    id: uuid.UUID = Field(examples=["0b6f3c1e-8f4e-4d1a-9a57-2f1f1b0c9e11"])
    status: Literal["queued", "running", "done", "failed"] = Field(examples=["running"])
    progress: float = Field(ge=0, le=1, description="Share of the firms folded so far",
                            examples=[0.4])
    firms_done: int = Field(examples=[20000])
    firms_total: int | None = Field(description="Known once the worker has loaded the firms",
                                    examples=[50000])
    created_at: datetime = Field(examples=["2026-12-05T07:00:00Z"])
    finished_at: datetime | None = Field(default=None, examples=[None])
    result: SimulationOut | None = Field(default=None, description="Once `status` is done")
    problem: str | None = Field(default=None, description="Once `status` is failed: why")
