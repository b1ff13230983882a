"""The API's request and response models (the OpenAPI document is made from them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from entitlements.domain.policies import Policy, PolicySet
from shared.codes import FiledTier
from shared.events import EntitlementState, FirmRef
from shared.paging import Page, Strict

PolicySetIn = PolicySet  # a draft upload: the policy set itself, validated field by field
Move = Literal["offered", "confirmed", "declined", "approved", "paid", "expired", "cancelled"]


class PolicySetSummary(BaseModel):
    """A policy set held: the active one, drafts and retired versions."""

    id: str = Field(examples=["DL-2023"])
    version: int
    status: Literal["draft", "active", "retired"]
    name: str
    source: str
    provisional: bool
    uploaded_by: str
    uploaded_at: datetime
    activated_at: datetime | None = None


class PolicySetOut(PolicySetSummary):
    """A policy set with its policies, each with its trigger, amount rule, scope and source."""

    policies: list[Policy]


class PolicySets(BaseModel):
    """Every policy set held, newest first."""

    items: list[PolicySetSummary]


class Activated(BaseModel):
    """A policy set made active, and how many entitlements the recomputation changed."""

    id: str
    version: int
    changed: int = Field(description="Entitlements computed, corrected or cancelled; approved "
                         "and paid amounts never change")


class OptionOut(BaseModel):
    """One either/or option and its trace: figure, year, band, cap."""

    option_id: str
    name: str
    amount: int = Field(description="Yuan")
    rule: str = Field(examples=["banded"])
    figure: str | None = None
    figure_year: int | None = None
    figure_value: int | None = None
    band: str | None = Field(default=None, description="The band in English")
    band_key: str | None = Field(
        default=None, examples=["band.range"],
        description="The band in the catalogue's words (GET /v1/dashboard/catalogue): "
        "band.share, band.range, band.over, band.up_to, band.any or band.none")
    band_params: dict[str, Any] = Field(
        default={}, examples=[{"figure": "rd_expense", "over": 1000000, "up_to": 5000000}],
        description="The band's parameters: `figure` a figure code, `rate` a ratio, `over` and "
        "`up_to` yuan")
    capped_at: int | None = None
    missing: str | None = Field(default=None, description="The figure not yet reported")
    ceiling: int | None = Field(default=None, description="Most it may come to once reported")
    note: str | None = None


class StepOut(BaseModel):
    """One dated step of an entitlement, by whom."""

    from_state: EntitlementState | None
    to_state: EntitlementState
    on: date
    at: datetime
    by: str
    amount: int
    option_id: str | None = None
    note: str | None = None


class EntitlementOut(BaseModel):
    """What a firm is owed under one policy for one trigger, with the trace of its amount."""

    id: uuid.UUID
    firm: FirmRef
    policy_id: str
    policy_name: str
    policy_set: str
    policy_version: int
    budget_line: str
    provisional: bool
    trigger_key: str
    trigger_kind: str
    trigger_on: date
    year: int
    amount: int = Field(description="Yuan: the chosen option's, else the best option's")
    options: list[OptionOut] = Field(description="Either/or, the better first")
    complete: bool
    ceiling: int | None
    state: EntitlementState
    state_label: str = Field(examples=["已告知"])
    chosen_option: str | None = None
    paid_amount: int | None = None
    paid_on: date | None = None
    offered_on: date | None = None
    review: str | None = Field(default=None, description="A change after approval for "
                               "finance to look at; never applied by itself")
    computed_at: datetime
    updated_at: datetime


class EntitlementDetail(EntitlementOut):
    """An entitlement with every step of its life."""

    steps: list[StepOut]


EntitlementPage = Page[EntitlementOut]


class MoveIn(Strict):
    """A step: offer, confirm (with the option the firm takes), decline, approve, pay, expire
    or cancel."""

    to: Move
    on: date | None = Field(default=None, description="The step's date (default today, CST)")
    option_id: str | None = Field(default=None, description="confirmed: the option taken "
                                  "(default the better)")
    amount: int | None = Field(default=None, ge=0, description="paid: the amount paid, yuan "
                               "(default the approved amount)")
    note: str | None = Field(default=None, max_length=500)


class PaymentsImported(BaseModel):
    """A payment list applied whole."""

    paid: int = Field(description="Entitlements marked paid")
    repeats: int = Field(description="Rows already paid with the same amount and date")


class BudgetLine(BaseModel):
    """One line of the budget, in yuan."""

    key: str = Field(description="Total, a policy id, a district or a month (YYYY-MM)")
    name: str | None = None
    committed: int = Field(description="Approved + paid")
    paid: int
    approved: int
    owed: int = Field(description="Offered + confirmed")
    computed: int = Field(description="Computed, not yet offered")
    expected: int
    expected_low: int
    expected_high: int
    entitlements: int
    pending_figures: int = Field(description="Entitlements still missing a report figure")
    uncapped: int = Field(description="Of those (and of the prospects), how many no cap bounds")
    pipeline: int = Field(default=0, description="The round's open applications: what their "
                          "filings would pay, times their chance")
    prospects: int = Field(default=0, description="Open applications counted in `pipeline`")


class BudgetOut(BaseModel):
    """The year's budget: committed, owed, expected with a band; by policy, district, month."""

    year: int
    unit: Literal["yuan"] = "yuan"
    method: str = Field(description="How `expected` and its band are made")
    total: BudgetLine
    by_policy: list[BudgetLine]
    by_district: list[BudgetLine]
    by_month: list[BudgetLine]


FirmCount = Annotated[int, Field(strict=True, ge=-1_000_000, le=1_000_000)]


class SimulationIn(Strict):
    """The budget year and what to weigh on it: a draft policy set, a draft rulebook's change
    in qualifying firms per tier (from the ladder's what-if), or both."""

    year: int = Field(ge=2000, le=2100)
    policies: PolicySetIn | None = Field(default=None, description="A draft policy set")
    qualified_changes: dict[FiledTier, FirmCount] | None = Field(
        default=None, description="Per tier, the change in firms qualifying under a draft "
        "rulebook: the `delta` of each tier in the ladder's what-if `effect_on_tiers`",
        examples=[{"gazelle": -12}])

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.policies is None and self.qualified_changes is None:
            raise ValueError("give `policies` (a draft policy set), `qualified_changes` "
                             "(the ladder what-if's change per tier) or both")
        return self


class TierSpend(BaseModel):
    """One policy's expected spend change from one tier's change in qualifying firms."""

    tier: FiledTier = Field(examples=["gazelle"])
    policy_id: str = Field(examples=["dl.gazelle_unicorn.filed"])
    policy_name: str
    firms: int = Field(description="Change in firms qualifying", examples=[-12])
    filing_rate: float = Field(description="Share of qualifying firms expected to be filed",
                               examples=[0.5])
    filing_rate_basis: Literal["earlier_rounds", "default"]
    filed: int = Field(description="Earlier rounds: applications filed", examples=[0])
    decided: int = Field(description="Earlier rounds: applications decided", examples=[0])
    per_firm: int | None = Field(description="Expected amount per filed firm, yuan; null when "
                                 "no cap bounds a share", examples=[800000])
    per_firm_basis: Literal["fixed", "mean", "cap", "unpriced"]
    delta: int = Field(description="Expected spend change, yuan", examples=[-4800000])


class PolicyEffect(BaseModel):
    """One policy's expected spend as held and under the draft, in yuan."""

    key: str
    name: str | None = None
    current_expected: int
    draft_expected: int
    delta: int


class SimulationOut(BaseModel):
    """The budget effect of a draft policy set; nothing is written."""

    year: int
    method: str
    current: BudgetLine
    draft: BudgetLine
    delta_expected: int
    by_policy: list[PolicyEffect]
    tier_changes: list[TierSpend] = Field(
        default=[], description="With `qualified_changes`: each tier's change priced per "
        "policy (already inside `draft`, `delta_expected` and `by_policy`)")
    delta_from_tiers: int = Field(default=0, description="The sum of `tier_changes`")
