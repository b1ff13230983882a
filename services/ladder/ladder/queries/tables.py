"""The dashboard's tables, one function each: the page shows them and the exports write them,
so an export always holds what the page showed with the same filters."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.cohorts import HORIZONS, cohort_rows
from ladder.domain.rulebook import Rulebook
from ladder.queries.targets import candidates, targets
from ladder.repository import Repository


@dataclass(frozen=True)
class Table:
    """Rows with their columns in order."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    more: bool = False  # rows beyond the limit asked for were left out


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
    columns = ("filing_year", "eaglets", *(f"{k}_{n}y" for n in HORIZONS
                                          for k in ("gazelle_within", "share_within", "open")))
    return Table("cohorts", columns,
                 cohort_rows(await Repository(pool).cohort_counts(), today))


async def candidate_table(pool: asyncpg.Pool, rulebook: Rulebook, f: Filters,
                          today: date, limit: int | None = None) -> Table:
    """Near misses for a tier (default gazelle), closest first, with what each lacks (the
    first `limit`, or all)."""
    data = (await candidates(pool, rulebook, f.tier or "gazelle", today, district=f.district,
                             industry=f.industry, sort="closest", offset=0,
                             limit=limit or 1_000_000)).model_dump()
    rows = [{**{k: c[k] for k in ("firm_id", "name", "district", "industry", "current_tier",
                                  "failing_count", "conversion_probability")},
             "missing": "; ".join(c["missing"]), "gaps": c["gaps"]} for c in data["items"]]
    return Table("candidates", ("firm_id", "name", "district", "industry", "current_tier",
                                "failing_count", "conversion_probability", "missing"), rows,
                 more=data["total"] > len(rows))


def as_of(f: Filters, today: date) -> date:
    """The day a year's standings are read on: its last day, or today while it runs."""
    return min(today, date(f.year, 12, 31))


async def standing_pages(pool: asyncpg.Pool, f: Filters, today: date, *,
                         page: int = 500) -> AsyncIterator[list[dict[str, Any]]]:
    """The standings at the year's end (or today), filtered, `page` firms a page: an export
    streams them as they come, so its first byte does not wait for the whole city."""
    day, repo = as_of(f, today), Repository(pool)
    after = None
    while True:  # page through: one query a page keeps memory flat
        args: dict[str, Any] = {"tier": f.tier, "district": f.district, "industry": f.industry,
                                "at_risk": None, "after": after, "limit": page}
        rows = (await repo.list_standings(**args) if day == today
                else await repo.list_standings_as_of(day, **args))
        yield [dict(r) for r in rows]
        if len(rows) < page:
            return
        after = rows[-1]["firm_id"]


STANDING_COLUMNS = ("firm_id", "name", "district", "industry", "tier", "unicorn_grade",
                    "at_risk", "filed_on", "expires_on", "round_year", "overridden",
                    "near_miss_tier")


async def standings(pool: asyncpg.Pool, f: Filters, today: date,
                    limit: int | None = None) -> Table:
    """Every firm's standing at the year's end (or today), filtered (the first `limit`)."""
    rows: list[dict[str, Any]] = []
    size = 500 if limit is None else min(500, limit + 1)  # one row past the limit tells `more`
    async for page in standing_pages(pool, f, today, page=size):
        rows += page
        if limit is not None and len(rows) > limit:
            break
    return _first(Table("standings", STANDING_COLUMNS, rows), limit)


def _first(found: Table, limit: int | None) -> Table:
    if limit is None or len(found.rows) <= limit:
        return found
    return Table(found.name, found.columns, found.rows[:limit], more=True)


async def table(name: str, pool: asyncpg.Pool, rulebook: Rulebook, f: Filters,
                today: date, limit: int | None = None) -> Table:
    """The named table with the filters applied: its first `limit` rows (`more` says whether
    rows were left out), or all of them (the exports)."""
    if name == "targets":
        return _first(await target_table(pool, rulebook, f, today), limit)
    if name == "funnel":
        return _first(await funnel(pool, f, today), limit)
    if name == "cohorts":
        return _first(await cohort_table(pool, today), limit)
    if name == "candidates":
        return await candidate_table(pool, rulebook, f, today, limit)
    return await standings(pool, f, today, limit)
