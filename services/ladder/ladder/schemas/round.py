"""What the round's routes take and answer: the round's dates, its funnel, the worklist and
the reconciliation of official filings with the rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.codes import FiledTier

FIRM = "6f1c2a52-3b8e-4d0e-9a51-2f4c6b1d7e90"


class RoundIn(BaseModel):
    """A year's round as the bureau sets it: the tiers open and the dates (Dalian 2024: firms
    by 10 December, districts to the city by 13 December, the city within 3 days)."""

    model_config = ConfigDict(extra="forbid")

    tiers: list[FiledTier] = Field(min_length=1, examples=[["eaglet", "gazelle", "unicorn"]])
    firm_deadline: date | None = Field(default=None, examples=["2024-12-10"])
    district_deadline: date | None = Field(default=None, examples=["2024-12-13"])
    city_deadline: date | None = Field(default=None, examples=["2024-12-13"])
    publication_expected: date | None = Field(default=None, examples=["2024-12-27"])

    @model_validator(mode="after")
    def _order(self) -> RoundIn:
        named = [(k, getattr(self, k)) for k in ("firm_deadline", "district_deadline",
                                                  "city_deadline", "publication_expected")]
        given = [(k, d) for k, d in named if d is not None]
        for (a, da), (b, db) in zip(given, given[1:], strict=False):
            if db < da:
                raise ValueError(f"{b} ({db}) cannot be before {a} ({da})")
        if len(set(self.tiers)) != len(self.tiers):
            raise ValueError("a tier is named twice")
        return self


class Round(RoundIn):
    """A year's round as stored."""

    model_config = ConfigDict(extra="ignore")

    year: int = Field(examples=[2024])
    updated_by: str = Field(examples=["admin:admin-token"])
    updated_at: datetime


class Stages(BaseModel):
    """How many reached each stage of the round."""

    qualified: int = Field(description="Firms the rules put into the tier in the year",
                           examples=[40])
    applied: int = Field(examples=[34])
    district_checked: int = Field(examples=[33])
    district_passed: int = Field(examples=[31])
    district_failed: int = Field(examples=[2])
    recommended: int = Field(description="Leaders: passed the district and decided by the city",
                             examples=[31])
    filed: int = Field(examples=[27])
    not_filed: int = Field(description="Refused, or left off the published list",
                           examples=[4])
    left_off: int = Field(description="Recommended, and the list is out without them",
                          examples=[1])
    withdrawn: int = Field(examples=[0])


class DistrictFunnel(Stages):
    """One district's funnel."""

    district: str = Field(examples=["hitech"])


class ListOut(BaseModel):
    """A published list as the filings recorded it."""

    list_name: str = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    listed_on: date = Field(examples=["2022-12-20"])
    firms: int = Field(examples=[27])


class EarlierRate(BaseModel):
    """The province's pass rate (filed / recommended) in an earlier round."""

    year: int = Field(examples=[2021])
    recommended: int = Field(examples=[30])
    filed: int = Field(examples=[26])
    pass_rate: float | None = Field(examples=[0.8667])


class TierFunnel(BaseModel):
    """One tier's funnel in the round, in total and by district."""

    tier: FiledTier = Field(examples=["gazelle"])
    open: bool = Field(description="The round takes applications for this tier", examples=[True])
    city_decides: bool = Field(description="Leader: the city is the last step", examples=[False])
    total: Stages
    districts: list[DistrictFunnel]
    lists: list[ListOut] = Field(description="Lists of the tier published in the year")
    pass_rate: float | None = Field(description="This round's filed / recommended, once a list "
                                    "is out", examples=[0.87])
    earlier: list[EarlierRate] = Field(description="The province's pass rate, round by round")
    earlier_pass_rate: float | None = Field(description="Over the earlier rounds together",
                                            examples=[0.85])


class Deadline(BaseModel):
    """One of the round's dates and the days left to it."""

    name: Literal["firm_deadline", "district_deadline", "city_deadline",
                  "publication_expected"] = Field(examples=["firm_deadline"])
    on: date = Field(examples=["2024-12-10"])
    days_left: int = Field(description="Negative once past", examples=[6])


class RoundOut(BaseModel):
    """A year's round: its dates, and the funnel per tier by district."""

    year: int = Field(examples=[2024])
    as_of: date = Field(examples=["2024-12-04"])
    round: Round | None = Field(description="Null: no round set for the year (the funnel still "
                                "shows what was recorded)")
    deadlines: list[Deadline]
    tiers: list[TierFunnel]


class Evidence(BaseModel):
    """A criterion the firm passes: what its application must show."""

    key: str | None = Field(examples=["gazelle.revenue_cagr"])
    label: str | None = Field(examples=["revenue CAGR ≥ 20%"])
    value: Any = Field(default=None, examples=[0.31])
    threshold: Any = Field(default=None, examples=[0.2])
    unit: str | None = Field(default=None, examples=["ratio"])
    source: str | None = Field(default=None, examples=["辽科创办发〔2021〕2号"])


class FirmLine(BaseModel):
    """A firm on a worklist or among the discrepancies."""

    firm_id: uuid.UUID = Field(examples=[FIRM])
    name: str = Field(examples=["大连星海智造科技有限公司"])
    district: str = Field(examples=["hitech"])
    industry: str = Field(examples=["next_gen_it"])


class NotApplied(FirmLine):
    """A firm the rules put in a tier above its filing that has not applied in the round."""

    tier: FiledTier = Field(description="The highest tier it qualifies for (就高不就低)",
                            examples=["gazelle"])
    unicorn_grade: str | None = Field(examples=[None])
    filed_tier: str | None = Field(description="Its standing filing, if any", examples=["eaglet"])
    evidence: list[Evidence] = Field(description="What the application must show")
    decision_id: uuid.UUID | None = Field(examples=[None])


class AppLine(FirmLine):
    """An application on the worklist."""

    application_id: uuid.UUID = Field(examples=["4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f"])
    tier: FiledTier = Field(examples=["gazelle"])
    state: str = Field(examples=["district_passed"])
    applied_on: date = Field(examples=["2024-12-02"])
    last_on: date = Field(examples=["2024-12-05"])
    waiting_for: str | None = Field(default=None, examples=["recommended"])
    reason: str | None = Field(default=None, description="Why it is listed (stalled) or why "
                               "the province refused it", examples=["no step for 25 days"])
    stall_key: str | None = Field(default=None, description="`reason` as a catalogue key "
                                  "(stall.*)", examples=["stall.idle"])
    stall_params: dict[str, Any] | None = Field(default=None, description="Its parameters",
                                                examples=[{"days": 25,
                                                           "waiting": "recommended"}])


class Worklist(BaseModel):
    """What an officer has to do in the round."""

    year: int = Field(examples=[2024])
    as_of: date = Field(examples=["2024-12-04"])
    not_applied: list[NotApplied] = Field(description="Qualifying, not applied; highest tier "
                                          "first")
    not_applied_more: bool = Field(description="More qualifying firms after this page",
                                   examples=[False])
    stalled: list[AppLine] = Field(description="Open applications past their step's deadline")
    not_filed: list[AppLine] = Field(description="Recommended firms the province did not file")
    offset: int = Field(default=0, description="Where each list's page starts", examples=[0])
    limit: int = Field(default=200, description="Most lines of each list on a page",
                       examples=[200])
    not_applied_total: int = Field(default=0, description="Qualifying firms not applied, "
                                   "every page", examples=[12])
    stalled_total: int = Field(default=0, description="Stalled applications, every page",
                               examples=[3])
    not_filed_total: int = Field(default=0, description="Not filed, every page",
                                 examples=[1])


class Discrepancy(FirmLine):
    """Where the official filing and the rules disagree, with the rules' trace."""

    kind: Literal["filed_above_rules", "qualifying_refused"] = Field(
        examples=["filed_above_rules"])
    explanation: str = Field(examples=["filed gazelle on 2022-12-20 (辽宁省2022年第一批瞪羚企业); "
                                       "the rules give eaglet"])
    explanation_key: str | None = Field(default=None, description="`explanation` as a "
                                        "catalogue key (disc.*)",
                                        examples=["disc.filed_above_rules"])
    explanation_params: dict[str, Any] | None = Field(default=None, examples=[{
        "filed": "gazelle", "day": "2022-12-20", "list": "辽宁省2022年第一批瞪羚企业",
        "rules": "eaglet"}])
    official_tier: str | None = Field(examples=["gazelle"])
    rules_tier: str = Field(examples=["eaglet"])
    round_year: int | None = Field(default=None, examples=[2022])
    filing_id: uuid.UUID | None = Field(default=None, examples=[None])
    application_id: uuid.UUID | None = Field(default=None, examples=[None])
    decision_id: uuid.UUID | None = Field(default=None, examples=[None])
    trace: dict[str, Any] | None = Field(description="The rules' verdict on the tier in question")


class Discrepancies(BaseModel):
    """Official filings reconciled with the rules."""

    year: int = Field(examples=[2022])
    as_of: date = Field(examples=["2022-12-31"])
    items: list[Discrepancy]
