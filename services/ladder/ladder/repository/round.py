"""SQL of the round: filings and applications as registry events bring them, rounds' dates,
and the per-round counts the round's reads answer from (each read scans one round's
applications or one year's entries and filings, never every firm)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from shared.repository import Sql

ORDER = ["eaglet", "gazelle", "unicorn", "leader"]
STATE_AFTER = {"recommended": "recommended", "filed": "filed", "not_filed": "not_filed",
               "withdrawn": "withdrawn"}


@dataclass
class RoundWrites:
    """What a batch of registry events writes of the round."""

    filings: list[tuple[uuid.UUID, dict[str, Any], int]] = field(default_factory=list)
    revocations: list[tuple[uuid.UUID, date]] = field(default_factory=list)
    applications: list[tuple[uuid.UUID, dict[str, Any], int]] = field(default_factory=list)
    steps: list[tuple[dict[str, Any], int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.filings or self.revocations or self.applications or self.steps)


async def write_round(conn: Any, w: RoundWrites) -> None:
    """The batch's round facts; each statement guarded, so a replay rewrites nothing newer."""
    if w.filings:  # recorded or corrected: the higher sequence wins
        await conn.executemany(
            "INSERT INTO filings (filing_id, firm_id, tier, unicorn_grade, listed_on, expires_on,"
            " list_name, application_id, sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (filing_id) DO UPDATE SET tier = EXCLUDED.tier,"
            " unicorn_grade = EXCLUDED.unicorn_grade, listed_on = EXCLUDED.listed_on,"
            " expires_on = EXCLUDED.expires_on, list_name = EXCLUDED.list_name,"
            " application_id = EXCLUDED.application_id, sequence = EXCLUDED.sequence"
            " WHERE filings.sequence < EXCLUDED.sequence",
            [(f["filing_id"], firm_id, f["tier"], f["unicorn_grade"], f["listed_on"],
              f["expires_on"], f["list_name"], f["application_id"], seq)
             for firm_id, f, seq in w.filings])
    if w.revocations:
        await conn.executemany("UPDATE filings SET revoked_on = $2 WHERE filing_id = $1",
                               w.revocations)
    if w.applications:
        await conn.executemany(
            "INSERT INTO applications (application_id, firm_id, round_year, tier, applied_on,"
            " last_on, sequence) VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT DO NOTHING",
            [(a["application_id"], firm_id, a["round_year"], a["tier"], a["applied_on"], seq)
             for firm_id, a, seq in w.applications])
    for s, seq in w.steps:  # in order: each step moves the application from the last
        state = (("district_passed" if s["passed"] else "district_failed")
                 if s["step"] == "district_checked" else STATE_AFTER[s["step"]])
        await conn.execute(
            "UPDATE applications SET state = $3, last_on = $4, sequence = $5,"
            " district_checked_on = CASE WHEN $2 = 'district_checked' THEN $4"
            "  ELSE district_checked_on END,"
            " district_passed = CASE WHEN $2 = 'district_checked' THEN $6 ELSE district_passed END,"
            " recommended_on = CASE WHEN $2 = 'recommended' THEN $4 ELSE recommended_on END,"
            " decided_on = CASE WHEN $2 IN ('filed', 'not_filed') THEN $4 ELSE decided_on END,"
            " filing_id = coalesce($7, filing_id), reason = coalesce($8, reason)"
            " WHERE application_id = $1 AND sequence < $5",
            s["application_id"], s["step"], state, s["on"], seq, s["passed"], s["filing_id"],
            s["reason"])


_APP_COLUMNS = ("a.application_id, a.firm_id, a.round_year, a.tier, a.applied_on, a.state,"
                " a.last_on, a.district_checked_on, a.district_passed, a.recommended_on,"
                " a.decided_on, a.filing_id, a.reason, f.name, f.district, f.industry")


class RoundSql(Sql):
    """Rounds, applications and filings as the round's reads need them."""

    async def round(self, year: int) -> asyncpg.Record | None:
        """A year's round as set."""
        return await self.conn.fetchrow("SELECT * FROM rounds WHERE year = $1", year)

    async def put_round(self, year: int, tiers: list[str], dates: dict[str, date | None],
                        actor: str) -> asyncpg.Record:
        """Set a year's round (tiers open and dates)."""
        row = await self.conn.fetchrow(
            "INSERT INTO rounds (year, tiers, firm_deadline, district_deadline, city_deadline,"
            " publication_expected, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (year) DO UPDATE SET tiers = $2, firm_deadline = $3,"
            " district_deadline = $4, city_deadline = $5, publication_expected = $6,"
            " updated_by = $7, updated_at = now() RETURNING *",
            year, tiers, dates.get("firm_deadline"), dates.get("district_deadline"),
            dates.get("city_deadline"), dates.get("publication_expected"), actor)
        assert row is not None
        return row

    async def rounds_between(self, first: int, last: int) -> list[asyncpg.Record]:
        """Rounds set for years first..last."""
        return await self.conn.fetch(
            "SELECT * FROM rounds WHERE year BETWEEN $1 AND $2 ORDER BY year", first, last)

    async def round_applications(self, year: int, *, district: str | None = None,
                                 tier: str | None = None) -> list[asyncpg.Record]:
        """One round's applications with their firms."""
        return await self.conn.fetch(
            f"SELECT {_APP_COLUMNS} FROM applications a JOIN firms f ON f.id = a.firm_id"
            " WHERE a.round_year = $1 AND ($2::text IS NULL OR f.district = $2)"
            " AND ($3::text IS NULL OR a.tier = $3) ORDER BY a.applied_on, f.name",
            year, district, tier)

    async def worklist_applications(self, year: int, *, district: str | None = None,
                                    tier: str | None = None) -> list[asyncpg.Record]:
        """One round's applications the worklist can name: open ones (they may stall or be
        left off a list) and those not filed; the filed and the withdrawn, most of a round
        once it closes, are not read."""
        return await self.conn.fetch(
            f"SELECT {_APP_COLUMNS} FROM applications a JOIN firms f ON f.id = a.firm_id"
            " WHERE a.round_year = $1"
            " AND a.state IN ('applied', 'district_passed', 'recommended', 'not_filed')"
            " AND ($2::text IS NULL OR f.district = $2)"
            " AND ($3::text IS NULL OR a.tier = $3) ORDER BY a.applied_on, f.name",
            year, district, tier)

    async def round_stage_groups(self, year: int, *, district: str | None = None
                                 ) -> list[asyncpg.Record]:
        """One round's applications counted per tier, district and what the funnel reads of
        each (state, district check, recommended): a few rows however large the round."""
        return await self.conn.fetch(
            "SELECT a.tier, f.district, a.state, a.district_passed,"
            " a.recommended_on IS NOT NULL AS recommended, count(*) AS n"
            " FROM applications a JOIN firms f ON f.id = a.firm_id WHERE a.round_year = $1"
            " AND ($2::text IS NULL OR f.district = $2)"
            " GROUP BY 1, 2, 3, 4, 5", year, district)

    async def earlier_counts(self, year: int) -> list[asyncpg.Record]:
        """Per tier, the rounds before `year`: how many applied, passed the district, were
        recommended and filed (left-off firms count as recommended and not filed)."""
        return await self.conn.fetch(
            "SELECT tier, count(*) AS applied,"
            " count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn,"
            " count(*) FILTER (WHERE district_passed) AS district_passed,"
            " count(*) FILTER (WHERE recommended_on IS NOT NULL"
            "  OR (tier = 'leader' AND district_passed AND state IN ('filed', 'not_filed')))"
            "  AS recommended,"
            " count(*) FILTER (WHERE state = 'filed') AS filed"
            " FROM applications WHERE round_year < $1 GROUP BY tier", year)

    async def earlier_by_year(self, year: int) -> list[asyncpg.Record]:
        """Per earlier round and tier: recommended and filed (the province's pass rate)."""
        return await self.conn.fetch(
            "SELECT round_year, tier,"
            " count(*) FILTER (WHERE recommended_on IS NOT NULL"
            "  OR (tier = 'leader' AND district_passed AND state IN ('filed', 'not_filed')))"
            "  AS recommended, count(*) FILTER (WHERE state = 'filed') AS filed"
            " FROM applications WHERE round_year < $1 AND round_year >= $1 - 6"
            " GROUP BY round_year, tier ORDER BY round_year", year)

    async def qualified_by_district(self, year: int, *, district: str | None = None
                                    ) -> list[asyncpg.Record]:
        """Per tier and district: firms the rules put into the tier in `year` (entries)."""
        return await self.conn.fetch(
            "SELECT e.key AS tier, f.district, count(*) AS n FROM entries e"
            " JOIN firms f ON f.id = e.firm_id WHERE e.year = $1 AND e.key = ANY($2::text[])"
            " AND ($3::text IS NULL OR f.district = $3) GROUP BY e.key, f.district",
            year, ORDER, district)

    async def lists(self, year: int) -> list[asyncpg.Record]:
        """The lists published in `year` (filings not revoked, by tier and list name)."""
        return await self.conn.fetch(
            "SELECT tier, list_name, min(listed_on) AS listed_on, count(*) AS firms"
            " FROM filings WHERE revoked_on IS NULL AND listed_on >= make_date($1, 1, 1)"
            " AND listed_on < make_date($1 + 1, 1, 1) GROUP BY tier, list_name"
            " ORDER BY min(listed_on), tier", year)

    async def new_filings(self, year: int, as_of: date) -> dict[str, int]:
        """Per tier: firms newly filed in `year` up to `as_of` (a list naming a firm whose
        filing of that tier still held the day before is a renewal and does not count)."""
        rows = await self.conn.fetch(
            "SELECT tier, count(DISTINCT firm_id) AS n FROM filings x"
            " WHERE x.revoked_on IS NULL AND x.listed_on >= make_date($1, 1, 1)"
            " AND x.listed_on <= least($2, make_date($1, 12, 31))"
            " AND NOT EXISTS (SELECT 1 FROM filings y WHERE y.firm_id = x.firm_id"
            "  AND y.tier = x.tier AND y.filing_id <> x.filing_id AND y.revoked_on IS NULL"
            "  AND y.listed_on < x.listed_on AND y.expires_on >= x.listed_on)"
            " GROUP BY tier", year, as_of)
        return {r["tier"]: r["n"] for r in rows}

    async def not_applied(self, year: int, tiers: list[str], on: date, *,
                          district: str | None, tier: str | None, limit: int, offset: int = 0
                          ) -> list[asyncpg.Record]:
        """Firms the rules put in a round tier above their standing filing that have not
        applied in the round, highest tier first, with the rules' trace of that tier; each row
        carries `total`, every such firm however many the page holds. The page is chosen on
        narrow columns first and only its rows read their trace: the trace (a large jsonb)
        of every qualifying firm of the city was read and sorted before."""
        return await self.conn.fetch(
            "WITH q AS (SELECT s.firm_id, f.name, f.district, f.industry,"
            " s.evaluated_tier AS tier, s.unicorn_grade, s.decision_id, fl.tier AS filed_tier,"
            " array_position($6::text[], s.evaluated_tier) AS rank,"
            " count(*) OVER () AS total FROM standings s JOIN firms f ON f.id = s.firm_id"
            " LEFT JOIN (SELECT x.firm_id, max(array_position($6::text[], x.tier)) AS rank,"
            "  ($6::text[])[max(array_position($6::text[], x.tier))] AS tier FROM filings x"
            "  WHERE x.revoked_on IS NULL AND x.listed_on <= $3 AND x.expires_on > $3"
            "  GROUP BY x.firm_id) fl ON fl.firm_id = s.firm_id"
            " WHERE s.evaluated_tier = ANY($2::text[])"
            " AND ($4::text IS NULL OR f.district = $4) AND ($5::text IS NULL"
            "  OR s.evaluated_tier = $5)"
            " AND array_position($6::text[], s.evaluated_tier) > coalesce(fl.rank, 0)"
            " AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.firm_id = s.firm_id"
            "  AND a.round_year = $1 AND a.state <> 'withdrawn')"
            " ORDER BY rank DESC, f.name, s.firm_id LIMIT $7 OFFSET $8)"
            " SELECT q.*, s.trace -> 'tiers' -> q.tier AS trace FROM q"
            " JOIN standings s ON s.firm_id = q.firm_id ORDER BY q.rank DESC, q.name, q.firm_id",
            year, tiers, on, district, tier, ORDER, limit, offset)

    async def filed_above_rules(self, year: int, *, district: str | None
                                ) -> list[asyncpg.Record]:
        """Filings listed in `year` above the tier the ladder held for the firm on the list's
        day (its timeline's last decision by then), with that decision's trace of the tier."""
        return await self.conn.fetch(
            "SELECT x.firm_id, f.name, f.district, f.industry, x.filing_id, x.tier AS filed_tier,"
            " x.list_name, x.listed_on, coalesce(d.to_tier, 'none') AS rules_tier,"
            " d.id AS decision_id, d.trace -> 'tiers' -> x.tier AS trace FROM filings x"
            " JOIN firms f ON f.id = x.firm_id"
            " LEFT JOIN LATERAL (SELECT id, to_tier, trace FROM decisions d"
            "  WHERE d.firm_id = x.firm_id AND d.current AND d.on_date <= x.listed_on"
            "  ORDER BY d.position DESC LIMIT 1) d ON true"
            " WHERE x.revoked_on IS NULL AND x.listed_on >= make_date($1, 1, 1)"
            " AND x.listed_on < make_date($1 + 1, 1, 1)"
            " AND array_position($2::text[], x.tier)"
            "  > coalesce(array_position($2::text[], d.to_tier), 0)"
            " AND ($3::text IS NULL OR f.district = $3) ORDER BY x.listed_on DESC, f.name",
            year, ORDER, district)

    async def standings_of(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
        """The rules' tier and trace of these firms."""
        rows = await self.conn.fetch(
            "SELECT firm_id, evaluated_tier, decision_id, trace FROM standings"
            " WHERE firm_id = ANY($1::uuid[])", firm_ids)
        return {r["firm_id"]: r for r in rows}

    async def current_filing(self, firm_id: uuid.UUID, on: date) -> asyncpg.Record | None:
        """The firm's highest filing standing on `on`."""
        return await self.conn.fetchrow(
            "SELECT * FROM filings WHERE firm_id = $1 AND revoked_on IS NULL"
            " AND listed_on <= $2 AND expires_on > $2"
            " ORDER BY array_position($3::text[], tier) DESC, listed_on DESC LIMIT 1",
            firm_id, on, ORDER)

    async def reminder_sent(self, year: int, deadline: str, days: int) -> bool:
        """Record a reminder as sent; False when it was sent before."""
        done = await self.conn.fetchval(
            "INSERT INTO round_reminders (year, deadline, days) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING 1", year, deadline, days)
        return done is not None

    async def lists_to_announce(self, since: date, quiet_s: float) -> list[asyncpg.Record]:
        """Lists dated on or after `since`, not announced yet, whose last filing arrived more
        than `quiet_s` seconds ago."""
        return await self.conn.fetch(
            "SELECT tier, list_name, min(listed_on) AS listed_on FROM filings x"
            " WHERE revoked_on IS NULL AND listed_on >= $1 AND NOT EXISTS (SELECT 1"
            "  FROM list_announcements a WHERE a.tier = x.tier AND a.list_name = x.list_name)"
            " GROUP BY tier, list_name"
            " HAVING max(recorded_at) < now() - make_interval(secs => $2)"
            " ORDER BY min(listed_on)", since, quiet_s)

    async def announce_list(self, tier: str, list_name: str) -> bool:
        """Record a list as announced; False when another process did it first."""
        done = await self.conn.fetchval(
            "INSERT INTO list_announcements (tier, list_name) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING RETURNING 1", tier, list_name)
        return done is not None

    async def list_firms(self, tier: str, list_name: str) -> list[asyncpg.Record]:
        """The firms a list files."""
        return await self.conn.fetch(
            "SELECT f.id AS firm_id, f.name, f.district, f.industry FROM filings x"
            " JOIN firms f ON f.id = x.firm_id WHERE x.tier = $1 AND x.list_name = $2"
            " AND x.revoked_on IS NULL ORDER BY f.name", tier, list_name)
