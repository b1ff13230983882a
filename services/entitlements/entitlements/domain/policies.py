"""Policies as versioned data: trigger, amount rule, scope, budget line, source, provisional.

Bands follow the rulebook's boundary semantics: `over` is strict (超过), `up_to` inclusive
(不超过). Amounts are whole yuan; a share is rounded down to the yuan.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.codes import CertificateKind, District, FiledTier

SHIPPED_FILE = Path(__file__).resolve().parent.parent / "policies" / "dl-2023.yaml"
Figure = Literal["rd_expense", "revenue", "sales_revenue", "high_tech_revenue",
                 "st_activity_investment"]
FIGURE_LABELS: dict[str, str] = {
    "rd_expense": "研发费用", "revenue": "营业收入", "sales_revenue": "销售收入",
    "high_tech_revenue": "高新技术产品收入", "st_activity_investment": "科技活动投入"}


class Model(BaseModel):
    """Policy data: unknown fields refused, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FilingTrigger(Model):
    """An official filing (备案) entered for one of these tiers."""

    kind: Literal["filing_recorded"]
    tiers: list[FiledTier] = Field(min_length=1)
    first_only: bool = Field(default=True, description="Only the firm's first filing in the "
                             "tier (newly filed; a renewal is not a new filing)")


class CertificateTrigger(Model):
    """A certificate granted: the firm's first of this kind, a later one, or any."""

    kind: Literal["certificate_granted"]
    certificate: CertificateKind
    occasion: Literal["first", "again", "any"] = "any"


Trigger = Annotated[FilingTrigger | CertificateTrigger, Field(discriminator="kind")]


class Fixed(Model):
    """A fixed amount."""

    kind: Literal["fixed"]
    amount: int = Field(ge=0, description="Yuan")


class Share(Model):
    """A share of a report figure of the year before the trigger (or `year_offset`)."""

    kind: Literal["share"]
    figure: Figure
    rate: Decimal = Field(gt=0, le=1)
    year_offset: int = Field(default=-1, ge=-3, le=0)
    cap: int | None = Field(default=None, ge=0, description="Yuan; the most it pays")


class Band(Model):
    """One band of a figure: figure > over (strict) and figure ≤ up_to (inclusive)."""

    over: int | None = Field(default=None, ge=0, description="Yuan, strict lower bound")
    up_to: int | None = Field(default=None, ge=0, description="Yuan, inclusive upper bound")
    amount: int | None = Field(default=None, ge=0, description="A fixed amount for the band")
    rate: Decimal | None = Field(default=None, gt=0, le=1, description="A share of the figure")

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("a band pays either `amount` or `rate`, exactly one")
        if self.over is not None and self.up_to is not None and self.up_to <= self.over:
            raise ValueError("`up_to` must be above `over`")
        return self


class Banded(Model):
    """Bands of a report figure, each a fixed amount or a share; capped."""

    kind: Literal["banded"]
    figure: Figure
    year_offset: int = Field(default=-1, ge=-3, le=0)
    bands: list[Band] = Field(min_length=1)
    cap: int | None = Field(default=None, ge=0, description="Yuan; the most it pays")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for lower, upper in zip(self.bands, self.bands[1:], strict=False):
            if lower.up_to is None or upper.over != lower.up_to:
                raise ValueError("bands must follow each other: each band's `over` is the "
                                 "previous band's `up_to`")
        return self


AmountRule = Annotated[Fixed | Share | Banded, Field(discriminator="kind")]


class Option(Model):
    """One way of being paid; options of a policy are either/or."""

    id: str = Field(pattern=r"^[a-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1, max_length=80)
    rule: AmountRule
    note: str | None = None


class Scope(Model):
    """Who pays: the city, or one district for firms in it."""

    level: Literal["city", "district"]
    district: District | None = None

    @model_validator(mode="after")
    def _district(self) -> Self:
        if (self.level == "district") != (self.district is not None):
            raise ValueError("`district` is given exactly when `level` is district")
        return self


class Policy(Model):
    """One policy: what triggers it, what it pays, who pays, from which budget line."""

    id: str = Field(pattern=r"^[a-z0-9_.-]{1,60}$", description="Stable across versions")
    name: str = Field(min_length=1, max_length=120)
    trigger: Trigger
    options: list[Option] = Field(min_length=1, description="Either/or: the firm takes one")
    cap: int | None = Field(default=None, ge=0, description="Yuan; caps every option")
    scope: Scope
    budget_line: str = Field(min_length=1, max_length=120)
    valid_from: date = Field(description="First trigger date it pays on")
    valid_to: date = Field(description="Last trigger date it pays on")
    source: str = Field(min_length=1)
    provisional: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_to < self.valid_from:
            raise ValueError("`valid_to` is before `valid_from`")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids repeat")
        return self


class PolicySet(Model):
    """A versioned set of policies, uploaded as a draft and then made active."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=120)
    source: str = Field(min_length=1)
    provisional: bool = True
    policies: list[Policy] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [p.id for p in self.policies]
        if len(set(ids)) != len(ids):
            raise ValueError("policy ids repeat")
        return self

    def policy(self, policy_id: str) -> Policy | None:
        """The policy with this id, if the set holds it."""
        return next((p for p in self.policies if p.id == policy_id), None)


def parse(text: str) -> PolicySet:
    """A policy set from YAML (or JSON) text; raises pydantic.ValidationError."""
    return PolicySet.model_validate(yaml.safe_load(text))


@functools.cache
def shipped() -> PolicySet:
    """The policy set shipped with the service."""
    return parse(SHIPPED_FILE.read_text(encoding="utf-8"))


def parse_body(body: dict[str, Any]) -> PolicySet:
    """A policy set from its stored data."""
    return PolicySet.model_validate(body)
