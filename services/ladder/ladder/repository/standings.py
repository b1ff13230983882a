"""SQL of standings and the stored timeline of decisions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.cohorts import HORIZONS
from shared.repository import Sql

_AS_OF = """
WITH last AS (
    SELECT DISTINCT ON (firm_id) firm_id, to_tier, unicorn_grade, at_risk, filed_on, expires_on,
           round_year, override
    FROM decisions WHERE current AND on_date <= $1 ORDER BY firm_id, position DESC)
"""


class StandingSql(Sql):
    """Each firm's standing today, and the decisions that led to it."""

    async def standing(self, firm_id: uuid.UUID, *, lock: bool = False,
                       ) -> asyncpg.Record | None:
        """The firm's standing row with its name, district, industry and last sequence."""
        suffix = " FOR UPDATE" if lock else ""
        return await self.conn.fetchrow(
            "SELECT s.*, f.last_sequence, f.name, f.district, f.industry FROM standings s"
            f" JOIN firms f ON f.id = s.firm_id WHERE s.firm_id = $1{suffix}", firm_id)

    async def all_standings(self) -> list[asyncpg.Record]:
        """Every firm's tier, with its name, district and industry."""
        return await self.conn.fetch(
            "SELECT s.firm_id, s.tier, s.unicorn_grade, s.at_risk, f.name, f.district,"
            " f.industry FROM standings s JOIN firms f ON f.id = s.firm_id")

    async def list_standings(
        self, *, tier: str | None, district: str | None, industry: str | None,
        at_risk: bool | None, after: uuid.UUID | None, limit: int,
    ) -> list[asyncpg.Record]:
        """Today's standings by firm id, after `after`."""
        return await self.conn.fetch(
            "SELECT s.firm_id, f.name, f.district, f.industry, s.tier, s.unicorn_grade,"
            " s.at_risk, s.filed_on, s.expires_on, s.round_year,"
            " s.override_tier IS NOT NULL AS overridden,"
            " s.near_miss_tier, f.last_sequence AS sequence"
            " FROM standings s JOIN firms f ON f.id = s.firm_id"
            " WHERE ($1::text IS NULL OR s.tier = $1) AND ($2::text IS NULL OR f.district = $2)"
            " AND ($3::text IS NULL OR f.industry = $3)"
            " AND ($4::boolean IS NULL OR s.at_risk = $4)"
            " AND ($5::uuid IS NULL OR s.firm_id > $5) ORDER BY s.firm_id LIMIT $6",
            tier, district, industry, at_risk, after, limit)

    async def list_standings_as_of(
        self, as_of: date, *, tier: str | None, district: str | None, industry: str | None,
        at_risk: bool | None, after: uuid.UUID | None, limit: int,
    ) -> list[asyncpg.Record]:
        """The standings on `as_of` from the stored timeline (same fields as list_standings)."""
        # one index probe per firm of the page (decisions_timeline), not a scan of every
        # decision per page: paging through the city stays linear, a page stays flat
        return await self.conn.fetch(
            "SELECT f.id AS firm_id, f.name, f.district, f.industry,"
            " coalesce(l.to_tier, 'none') AS tier, l.unicorn_grade, coalesce(l.at_risk, false)"
            " AS at_risk, l.filed_on, l.expires_on, l.round_year, coalesce(l.override, false)"
            " AS overridden, NULL::text AS near_miss_tier, f.last_sequence AS sequence"
            " FROM firms f LEFT JOIN LATERAL (SELECT to_tier, unicorn_grade, at_risk, filed_on,"
            "  expires_on, round_year, override FROM decisions d WHERE d.firm_id = f.id"
            "  AND d.current AND d.on_date <= $1 ORDER BY d.position DESC LIMIT 1) l ON true"
            " WHERE ($2::text IS NULL OR coalesce(l.to_tier, 'none') = $2)"
            " AND ($3::text IS NULL OR f.district = $3) AND ($4::text IS NULL OR f.industry = $4)"
            " AND ($5::boolean IS NULL OR coalesce(l.at_risk, false) = $5)"
            " AND ($6::uuid IS NULL OR f.id > $6) ORDER BY f.id LIMIT $7",
            as_of, tier, district, industry, at_risk, after, limit)

    async def tier_counts(self) -> list[asyncpg.Record]:
        """Firms per district, tier and unicorn grade today."""
        return await self.conn.fetch(
            "SELECT f.district, s.tier, s.unicorn_grade, count(*) AS firms,"
            " count(*) FILTER (WHERE s.at_risk) AS at_risk"
            " FROM standings s JOIN firms f ON f.id = s.firm_id GROUP BY 1, 2, 3"
            " ORDER BY 1, 2, 3")

    async def funnel_counts(self, as_of: date | None) -> list[asyncpg.Record]:
        """Firms per district, industry, tier and unicorn grade today (None) or on `as_of`:
        one aggregate in the database, not every standing through Python."""
        if as_of is None:
            return await self.conn.fetch(
                "SELECT f.district, f.industry, s.tier, s.unicorn_grade, count(*) AS firms"
                " FROM standings s JOIN firms f ON f.id = s.firm_id GROUP BY 1, 2, 3, 4")
        return await self.conn.fetch(
            _AS_OF + "SELECT f.district, f.industry, coalesce(l.to_tier, 'none') AS tier,"
            " l.unicorn_grade, count(*) AS firms"
            " FROM firms f LEFT JOIN last l ON l.firm_id = f.id GROUP BY 1, 2, 3, 4", as_of)

    async def move_tier_counts(self, moves: Mapping[tuple[int, str, str, str, str],
                                                     tuple[int, int]]) -> None:
        """Add to the kept tier counts (`tier_moves`), rows in key order: concurrent batches
        lock them in the same order and never deadlock."""
        rows = [(*key, firms, at_risk) for key, (firms, at_risk) in sorted(moves.items())
                if (firms, at_risk) != (0, 0)]
        if rows:
            await self.conn.executemany(
                "INSERT INTO tier_moves (year, district, industry, tier, unicorn_grade, firms,"
                " at_risk) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT (year, district, industry, tier, unicorn_grade) DO UPDATE"
                " SET firms = tier_moves.firms + EXCLUDED.firms,"
                " at_risk = tier_moves.at_risk + EXCLUDED.at_risk", rows)

    async def kept_funnel_counts(self, year: int | None) -> list[asyncpg.Record]:
        """`funnel_counts` from the kept tier counts: today (None) or at the end of `year`."""
        return await self.conn.fetch(
            "SELECT district, industry, tier, nullif(unicorn_grade, '') AS unicorn_grade,"
            " sum(firms)::int AS firms FROM tier_moves WHERE ($1::int IS NULL OR year <= $1)"
            " GROUP BY 1, 2, 3, 4 HAVING sum(firms) > 0", year)

    async def kept_tier_counts(self, year: int | None) -> list[asyncpg.Record]:
        """`tier_counts` (None: today) or `tier_counts_as_of` the end of `year`, from the kept
        tier counts."""
        return await self.conn.fetch(
            "SELECT district, tier, nullif(unicorn_grade, '') AS unicorn_grade,"
            " sum(firms)::int AS firms, sum(at_risk)::int AS at_risk FROM tier_moves"
            " WHERE ($1::int IS NULL OR year <= $1) GROUP BY district, tier, unicorn_grade"
            " HAVING sum(firms) > 0 ORDER BY 1, 2, 3", year)

    async def tier_counts_as_of(self, as_of: date) -> list[asyncpg.Record]:
        """Firms per district, tier and unicorn grade on `as_of`."""
        return await self.conn.fetch(
            _AS_OF + "SELECT f.district, coalesce(l.to_tier, 'none') AS tier, l.unicorn_grade,"
            " count(*) AS firms, count(*) FILTER (WHERE l.at_risk) AS at_risk"
            " FROM firms f LEFT JOIN last l ON l.firm_id = f.id GROUP BY 1, 2, 3"
            " ORDER BY 1, 2, 3", as_of)

    async def save_standing(self, firm_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Set some columns of the firm's standing."""
        sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(values, start=2))
        await self.conn.execute(
            f"UPDATE standings SET {sets}, updated_at = now() WHERE firm_id = $1",
            firm_id, *values.values())

    async def save_standings(self, values: dict[uuid.UUID, dict[str, Any]]) -> None:
        """Set columns of many firms' standings (one statement per set of columns)."""
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for firm_id, v in values.items():
            by_columns.setdefault(tuple(v), []).append((firm_id, *v.values()))
        for columns, rows in by_columns.items():
            sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(columns, start=2))
            await self.conn.executemany(
                f"UPDATE standings SET {sets}, updated_at = now() WHERE firm_id = $1", rows)

    async def insert_decisions(self, decisions: list[dict[str, Any]]) -> None:
        """Decisions of timelines (every one with the same columns)."""
        if not decisions:
            return
        cols = ", ".join(decisions[0])
        marks = ", ".join(f"${i}" for i in range(1, len(decisions[0]) + 1))
        await self.conn.executemany(f"INSERT INTO decisions ({cols}) VALUES ({marks})",
                                    [tuple(d.values()) for d in decisions])

    async def decisions(self, firm_id: uuid.UUID, limit: int, as_of: date | None = None,
                        *, before: int | None = None) -> list[asyncpg.Record]:
        """The stored timeline's decisions dated on or before `as_of` (and before timeline
        position `before`), newest first."""
        return await self.conn.fetch(
            "SELECT id, position, at, on_date AS on, change, from_tier, to_tier, unicorn_grade,"
            " at_risk, filed_on, expires_on, override, fiscal_year, round_year, rulebook_id,"
            " reason, actor, trigger_event_id, supersedes, counts_toward, trace, inputs"
            " FROM decisions WHERE firm_id = $1 AND current"
            " AND ($3::date IS NULL OR on_date <= $3) AND ($4::int IS NULL OR position < $4)"
            " ORDER BY position DESC LIMIT $2", firm_id, limit, as_of, before)

    async def superseded_decisions(self, firm_id: uuid.UUID, as_of: date | None, *,
                                   low: int | None, high: int | None) -> list[asyncpg.Record]:
        """Decisions taken out of the timeline (superseded or withdrawn) dated on or before
        `as_of`, at timeline positions in [low, high), newest position first."""
        return await self.conn.fetch(
            "SELECT id, position, at, on_date AS on, change, from_tier, to_tier, unicorn_grade,"
            " at_risk, filed_on, expires_on, override, fiscal_year, round_year, rulebook_id,"
            " reason, actor, trigger_event_id, supersedes, counts_toward, trace, inputs,"
            " current, superseded_by, superseded_at"
            " FROM decisions WHERE firm_id = $1 AND NOT current"
            " AND ($2::date IS NULL OR on_date <= $2) AND ($3::int IS NULL OR position >= $3)"
            " AND ($4::int IS NULL OR position < $4)"
            " ORDER BY position DESC, superseded_at DESC, at DESC", firm_id, as_of, low, high)

    async def timelines(self, firm_ids: list[uuid.UUID],
                        ) -> dict[uuid.UUID, list[asyncpg.Record]]:
        """The stored timelines' current decisions in order, per firm (every firm asked)."""
        rows = await self.conn.fetch(
            "SELECT firm_id, id, position, on_date, change, from_tier, to_tier, unicorn_grade,"
            " at_risk, filed_on, expires_on, override FROM decisions"
            " WHERE firm_id = ANY($1::uuid[]) AND current ORDER BY firm_id, position", firm_ids)
        out: dict[uuid.UUID, list[asyncpg.Record]] = {f: [] for f in firm_ids}
        for r in rows:
            out[r["firm_id"]].append(r)
        return out

    async def supersede(self, pairs: list[tuple[uuid.UUID, uuid.UUID | None]]) -> None:
        """Take decisions out of the current timeline, naming what replaced each (if any)."""
        if not pairs:
            return
        await self.conn.executemany(
            "UPDATE decisions SET current = false, superseded_by = $2, superseded_at = now()"
            " WHERE id = $1", pairs)

    async def expiring(self, on_or_before: date) -> list[uuid.UUID]:
        """Firms whose filing lapses by `on_or_before` (overrides hold)."""
        rows = await self.conn.fetch(
            "SELECT firm_id FROM standings WHERE expires_on IS NOT NULL AND expires_on <= $1"
            " AND override_tier IS NULL", on_or_before)
        return [r["firm_id"] for r in rows]

    async def expiry_notices_due(self, horizon: date) -> list[asyncpg.Record]:
        """Filings lapsing by `horizon` whose notice was not sent yet."""
        return await self.conn.fetch(
            "SELECT s.firm_id, s.tier, s.expires_on FROM standings s"
            " WHERE s.expires_on IS NOT NULL AND s.expires_on <= $1"
            " AND s.expiry_notice_for IS DISTINCT FROM s.expires_on", horizon)

    async def cohort_counts(self) -> list[tuple[int, int, tuple[int, ...]]]:
        """Per year of a first eaglet filing: the eaglets, and how many became gazelles within
        one, two and three years (`domain.cohorts.count_cohorts` of the first entries the
        consumer keeps on the standings), counted in the database over a partial index of
        the eaglet-filed firms. `date + interval` ends a year on 28 February for 29 February,
        as the domain does."""
        within = ", ".join(
            f"count(*) FILTER (WHERE first_gazelle_on BETWEEN first_eaglet_on"
            f" AND first_eaglet_on + interval '{n} years') AS within_{n}" for n in HORIZONS)
        rows = await self.conn.fetch(
            "SELECT extract(year FROM first_eaglet_on)::int AS year, count(*) AS eaglets,"
            f" {within} FROM standings WHERE first_eaglet_on IS NOT NULL GROUP BY 1 ORDER BY 1")
        return [(r["year"], r["eaglets"], tuple(r[f"within_{n}"] for n in HORIZONS))
                for r in rows]

    async def first_entries(self) -> list[asyncpg.Record]:
        """Per firm, the valid date of its first eaglet filing and of its first gazelle filing
        (by the rules or by hand), from the current timeline: superseded ones do not count
        (from scratch: the reference the kept ones are tested against)."""
        return await self.conn.fetch(
            "SELECT firm_id,"
            " min(on_date) FILTER (WHERE to_tier = 'eaglet') AS eaglet_on,"
            " min(on_date) FILTER (WHERE to_tier = 'gazelle') AS gazelle_on"
            " FROM decisions WHERE current AND change IN ('promoted', 'override')"
            " GROUP BY firm_id")
