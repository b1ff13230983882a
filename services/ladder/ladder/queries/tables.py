"""The dashboard's tables, one function each: the page shows them and the exports write them,
so an export always holds what the page showed with the same filters."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.cohorts import HORIZONS, cohorts
from ladder.domain.rulebook import Rulebook
from ladder.queries.targets import candidates, targets
from ladder.repository import Repository


@dataclass(frozen=True)
class Table:
    """Rows with their columns in order."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Filters:
    """What the dashboard filters by; None means all."""

    year: int
    tier: str | None = None
    district: str | None = None
    industry: str | None = None


def tier_key(tier: str, grade: str | None) -> str:
    """`unicorn:seed` etc. for unicorn grades, the tier otherwise."""
    return f"unicorn:{grade}" if tier == "unicorn" and grade else tier


async def target_table(pool: asyncpg.Pool, rulebook: Rulebook, f: Filters,
                       today: date) -> Table:
    """Each target of the year: achieved, target, pace, forecast and its method."""
    data = (await targets(pool, rulebook, f.year, today)).model_dump()
    rows = []
    for i in data["items"]:
        band = i["forecast"] or {}  # none for a key without a target
        rows.append({"key": i["tier"], "target": i["target"], "achieved": i["achieved"],
                     "progress": i["progress"], "pace": i["pace"],
                     "expected_by_now": i["expected_by_now"],
                     "forecast_expected": band.get("expected"), "forecast_low": band.get("low"),
                     "forecast_high": band.get("high"), "forecast_method": band.get("method"),
                     "forecast_key": band.get("key"), "forecast_params": band.get("params")})
    return Table("targets", ("key", "target", "achieved", "progress", "pace", "expected_by_now",
                             "forecast_expected", "forecast_low", "forecast_high",
                             "forecast_method"), rows)


async def funnel(pool: asyncpg.Pool, f: Filters, today: date) -> Table:
    """Firms per tier (unicorn by grade) per district at the year's end (or today), with each
    district's share of the city."""
    day = as_of(f, today)
    # the counts the consumer keeps (a year's end or today), not a scan of the city
    grouped = await Repository(pool).kept_funnel_counts(None if day == today else day.year)
    counts: Counter[tuple[str, str, str]] = Counter()
    city: Counter[str] = Counter()
    for r in grouped:
        if f.industry is not None and r["industry"] != f.industry:
            continue  # the industry filter narrows the city as the listing did
        key = tier_key(r["tier"], r["unicorn_grade"])
        city[key] += r["firms"]
        if r["tier"] != "none":
            counts[(r["district"], r["industry"], key)] += r["firms"]
    rows = [{"district": d, "industry": i, "tier": t, "firms": n,
             "share_of_city": round(n / city[t], 4)}
            for (d, i, t), n in sorted(counts.items())
            if (f.district is None or d == f.district) and (f.tier is None or t.startswith(f.tier))]
    return Table("funnel", ("district", "industry", "tier", "firms", "share_of_city"), rows)


async def cohort_table(pool: asyncpg.Pool, today: date) -> Table:
    """Eaglet cohorts by filing year and their conversion to gazelle."""
    entries = [(r["eaglet_on"], r["gazelle_on"])
               for r in await Repository(pool).first_entries()]
    columns = ("filing_year", "eaglets", *(f"{k}_{n}y" for n in HORIZONS
                                          for k in ("gazelle_within", "share_within", "open")))
    return Table("cohorts", columns, cohorts(entries, today))


async def candidate_table(pool: asyncpg.Pool, rulebook: Rulebook, f: Filters,
                          today: date) -> Table:
    """Near misses for a tier (default gazelle), closest first, with what each lacks."""
    data = (await candidates(pool, rulebook, f.tier or "gazelle", today, district=f.district,
                             industry=f.industry, sort="closest", offset=0,
                             limit=100_000)).model_dump()
    rows = [{**{k: c[k] for k in ("firm_id", "name", "district", "industry", "current_tier",
                                  "failing_count", "conversion_probability")},
             "missing": "; ".join(c["missing"]), "gaps": c["gaps"]} for c in data["items"]]
    return Table("candidates", ("firm_id", "name", "district", "industry", "current_tier",
                                "failing_count", "conversion_probability", "missing"), rows)


def as_of(f: Filters, today: date) -> date:
    """The day a year's standings are read on: its last day, or today while it runs."""
    return min(today, date(f.year, 12, 31))


async def standing_pages(pool: asyncpg.Pool, f: Filters,
                         today: date) -> AsyncIterator[list[dict[str, Any]]]:
    """The standings at the year's end (or today), filtered, 500 firms a page: an export
    streams them as they come, so its first byte does not wait for the whole city."""
    day, repo = as_of(f, today), Repository(pool)
    after = None
    while True:  # page through: one query per 500 firms keeps memory flat
        args: dict[str, Any] = {"tier": f.tier, "district": f.district, "industry": f.industry,
                                "at_risk": None, "after": after, "limit": 500}
        page = (await repo.list_standings(**args) if day == today
                else await repo.list_standings_as_of(day, **args))
        yield [dict(r) for r in page]
        if len(page) < 500:
            return
        after = page[-1]["firm_id"]


async def _standing_rows(pool: asyncpg.Pool, f: Filters, today: date) -> list[dict[str, Any]]:
    return [row async for page in standing_pages(pool, f, today) for row in page]


STANDING_COLUMNS = ("firm_id", "name", "district", "industry", "tier", "unicorn_grade",
                    "at_risk", "filed_on", "expires_on", "round_year", "overridden",
                    "near_miss_tier")


async def standings(pool: asyncpg.Pool, f: Filters, today: date) -> Table:
    """Every firm's standing at the year's end (or today), filtered."""
    return Table("standings", STANDING_COLUMNS, await _standing_rows(pool, f, today))


async def table(name: str, pool: asyncpg.Pool, rulebook: Rulebook, f: Filters,
                today: date) -> Table:
    """The named table with the filters applied."""
    if name == "targets":
        return await target_table(pool, rulebook, f, today)
    if name == "funnel":
        return await funnel(pool, f, today)
    if name == "cohorts":
        return await cohort_table(pool, today)
    if name == "candidates":
        return await candidate_table(pool, rulebook, f, today)
    return await standings(pool, f, today)
