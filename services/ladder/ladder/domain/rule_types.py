"""Building blocks of a rulebook: cited thresholds, conditions and score tables."""

from __future__ import annotations

import itertools
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Model(BaseModel):
    # Frozen so a compiled copy can be cached safely; extra="forbid" so a typo in a
    # what-if override is an error naming the field instead of being ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(Model):
    """Where a rule comes from and whether it is provisional."""

    source: str = Field(min_length=1)
    provisional: bool = False


class Condition(Cited):
    """A yes/no rule (e.g. not on the dishonesty list)."""


class MoneyRule(Cited):
    """A threshold in integer yuan (or US dollars when the name says usd)."""

    value: int = Field(ge=0)


class CountRule(Cited):
    """A threshold on a count (IP items, headcount)."""

    value: int = Field(ge=0)


class YearsRule(Cited):
    """A threshold in whole years."""

    value: int = Field(ge=1, le=100)


class RatioRule(Cited):
    """A share or intensity between 0 and 1 (0.025 = 2.5%)."""

    value: Decimal = Field(ge=0, le=1)


class RateRule(Cited):
    """A compound annual growth rate (0.20 = 20%)."""

    value: Decimal = Field(ge=0, le=10)


class ScoreRule(Cited):
    """A threshold on a 0-100 score."""

    value: Decimal = Field(ge=0, le=100)


class ScoreBand(Model):
    """Award `points` when the measured value is at least `min`."""

    min: Decimal = Field(ge=0)
    points: int = Field(ge=0, le=100)


class ScoreTable(Cited):
    """Bands from best to worst; the first band whose `min` is reached scores."""

    bands: list[ScoreBand] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _descending(cls, bands: list[ScoreBand]) -> list[ScoreBand]:
        for upper, lower in itertools.pairwise(bands):
            if not (upper.min > lower.min and upper.points >= lower.points):
                raise ValueError("bands must be ordered by strictly decreasing min")
        return bands


class SalesBand(Model):
    """R&D intensity required when latest-year sales are at most `max_sales` (None = above)."""

    max_sales: int | None = Field(default=None, ge=0)
    min_ratio: Decimal = Field(ge=0, le=1)


class SalesBandRule(Cited):
    """R&D intensity bands chosen by latest-year sales."""

    bands: list[SalesBand] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _ascending(cls, bands: list[SalesBand]) -> list[SalesBand]:
        caps = [b.max_sales for b in bands]
        if caps[-1] is not None or any(c is None for c in caps[:-1]):
            raise ValueError("only the last band may (and must) have max_sales: null")
        finite = [c for c in caps if c is not None]
        if finite != sorted(set(finite)):
            raise ValueError("max_sales must be strictly increasing")
        return bands
