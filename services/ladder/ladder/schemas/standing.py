"""What the standing routes answer: a firm's standing, lists, counts, history, readiness."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ladder.schemas.examples import DECISION, FIRM
from shared.codes import Tier, UnicornGrade
from shared.paging import Page


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
    gap_kind: str | None = Field(default=None, description="The catalogue key of the gap "
                                 "sentence (`gap.<kind>`)", examples=["lever"])
    params: dict[str, Any] | None = Field(default=None, description="The gap sentence's "
                                          "parameters", examples=[{"key": "revenue_cagr"}])


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


class FilingHeld(BaseModel):
    """The official filing (备案) standing that day: the province's list (the city's for
    leaders), beside the tier the rules give."""

    filing_id: uuid.UUID = Field(examples=["2b7c9d1e-3f4a-4b5c-8d6e-7f8a9b0c1d2e"])
    tier: str = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    list_name: str = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    listed_on: date = Field(examples=["2022-12-20"])
    expires_on: date = Field(examples=["2025-12-20"])


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
    filing: FilingHeld | None = Field(
        default=None, description="The official filing standing that day (null: none); `tier` "
        "stays what the rules give")


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
    """One decision of the firm's timeline (a superseded one only when asked for)."""

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
    current: bool = Field(default=True, description="In the current timeline; false for a "
                          "decision superseded or withdrawn since (`include_superseded`)")
    superseded_by: uuid.UUID | None = Field(
        default=None, description="The decision that replaced it (none: withdrawn)")
    superseded_at: datetime | None = Field(default=None,
                                           description="When it was taken out of the timeline")


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
