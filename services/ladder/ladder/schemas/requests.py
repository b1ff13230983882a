"""The bodies the ladder's routes take."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from shared.codes import Tier, UnicornGrade
from shared.paging import Strict


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
