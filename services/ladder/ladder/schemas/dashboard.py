"""What the dashboard routes answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class Me(BaseModel):
    """Who the token is, and where the page finds the notifier."""

    role: str = Field(examples=["officer"])
    officer_id: uuid.UUID | None = Field(examples=[None])
    notifier_url: str | None = Field(examples=["http://127.0.0.1:8003"])
    entitlements_url: str | None = Field(
        default=None, examples=["http://127.0.0.1:8005"],
        description="Where the page finds the entitlements service (budget, entitlements)")
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
    more: bool = Field(False, description="rows beyond `limit` were left out (the export "
                       "`/v1/exports/{name}.csv` holds them all)")
    filters: TableFilters


class CatalogueOut(BaseModel):
    """The catalogue of one language: key -> template with `{name}` parameters."""

    lang: str = Field(examples=["zh"])
    words: dict[str, str] = Field(examples=[{"tier.eaglet": "雏鹰",
                                             "gap.amount": "{label}为{value}，要求{cmp}{threshold}："
                                             "再增加{gap}即可达标"}])
