"""SQL of targets, their entries and state, and rulebooks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import asyncpg

from shared.repository import Sql

Entry = tuple[int, str, date, uuid.UUID | None, bool]  # year, key, day, decision, by override


class TargetSql(Sql):
    """The year's targets, what counts toward them, and what was published about them."""

    async def replace_entries(self, rows: dict[uuid.UUID, list[Entry]],
                              ) -> dict[uuid.UUID, set[tuple[int, str, date, bool]]]:
        """Recount firms' entries; returns each firm's old ones (year, key, day, override)."""
        old = await self.conn.fetch(
            "DELETE FROM entries WHERE firm_id = ANY($1::uuid[])"
            " RETURNING firm_id, year, key, entered_on, by_override", list(rows))
        await self.conn.executemany(
            "INSERT INTO entries (year, key, firm_id, entered_on, decision_id, by_override)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            [(y, k, firm_id, d, dec, o) for firm_id, entries in rows.items()
             for y, k, d, dec, o in entries])
        out: dict[uuid.UUID, set[tuple[int, str, date, bool]]] = {f: set() for f in rows}
        for r in old:
            out[r["firm_id"]].add((r["year"], r["key"], r["entered_on"], r["by_override"]))
        return out

    async def achieved(self, year: int, as_of: date | None = None) -> dict[str, int]:
        """Entries per key dated in `year` (up to `as_of`)."""
        return {k: n for k, (n, _) in (await self.achieved_split(year, as_of)).items()}

    async def achieved_split(self, year: int,
                             as_of: date | None = None) -> dict[str, tuple[int, int]]:
        """(entries, of which by manual override) per key dated in `year` (up to `as_of`)."""
        rows = await self.conn.fetch(
            "SELECT key, count(*) AS n, count(*) FILTER (WHERE by_override) AS o FROM entries"
            " WHERE year = $1 AND ($2::date IS NULL OR entered_on <= $2) GROUP BY key",
            year, as_of)
        return {r["key"]: (r["n"], r["o"]) for r in rows}

    async def targets(self, year: int) -> dict[str, int]:
        """The year's targets by key."""
        rows = await self.conn.fetch("SELECT key, target FROM targets WHERE year = $1", year)
        return {r["key"]: r["target"] for r in rows}

    async def put_targets(self, year: int, values: dict[str, int], actor: str) -> None:
        """Replace the year's targets."""
        await self.conn.execute("DELETE FROM targets WHERE year = $1", year)
        await self.conn.executemany(
            "INSERT INTO targets (year, key, target, updated_by) VALUES ($1, $2, $3, $4)",
            [(year, k, v, actor) for k, v in values.items()])

    async def target_state(self, year: int, key: str) -> asyncpg.Record | None:
        """The pace and milestones last published for a target (locked)."""
        return await self.conn.fetchrow(
            "SELECT pace, milestones FROM target_state WHERE year = $1 AND key = $2"
            " FOR UPDATE", year, key)

    async def save_target_state(self, year: int, key: str, pace: str,
                                milestones: list[str]) -> None:
        """What was published about a target."""
        await self.conn.execute(
            "INSERT INTO target_state (year, key, pace, milestones) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (year, key) DO UPDATE SET pace = $3, milestones = $4",
            year, key, pace, milestones)


class CandidateSql(Sql):
    """Candidates ranked as facts change (`candidate_ranks`), and the day they were judged."""

    @staticmethod
    def _rows(judged: Mapping[Any, Sequence[Any]], on: date) -> list[tuple[Any, ...]]:
        return [(uuid.UUID(str(firm_id)), c.target, c.failing_count, c.relative_gap_sum,
                 c.current_tier, c.unicorn_grade, [m.sentence for m in c.missing],
                 [json.dumps({"kind": m.gap_kind, "params": m.params}, default=str)
                  for m in c.missing], on)
                for firm_id, found in judged.items() for c in found]

    async def save_candidates(self, judged: Mapping[uuid.UUID, Sequence[Any]], on: date) -> None:
        """The recomputed firms' candidacies (none: the firm is no candidate today)."""
        await self.conn.execute("DELETE FROM candidate_ranks WHERE firm_id = ANY($1::uuid[])",
                                list(judged))
        rows = self._rows(judged, on)
        if rows:
            await self.conn.executemany(
                "INSERT INTO candidate_ranks (firm_id, tier, failing_count, relative_gap_sum,"
                " current_tier, unicorn_grade, missing, gaps, judged_on)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", rows)

    async def replace_candidates(self, judged: Mapping[str, Sequence[Any]], on: date,
                                 rulebook_id: str, *, keep_fresh: bool = True) -> None:
        """Every firm judged on `on`, in one transaction. With `keep_fresh` (the rulebook
        did not change), rows the consumer wrote on `on` stay: it judged those firms from
        facts at least as new as the ones read here."""
        async def write(conn: Any) -> None:
            await conn.execute("DELETE FROM candidate_ranks WHERE NOT $2 OR judged_on <> $1",
                               on, keep_fresh)
            fresh = {r["firm_id"] for r in await conn.fetch(
                "SELECT DISTINCT firm_id FROM candidate_ranks WHERE judged_on = $1", on)}
            rows = [r for r in self._rows(judged, on) if r[0] not in fresh]
            await conn.copy_records_to_table(
                "candidate_ranks", records=rows,
                columns=["firm_id", "tier", "failing_count", "relative_gap_sum", "current_tier",
                         "unicorn_grade", "missing", "gaps", "judged_on"])
            await conn.execute(
                "INSERT INTO candidate_judgement (judged_on, rulebook_id) VALUES ($1, $2)"
                " ON CONFLICT (only_row) DO UPDATE SET judged_on = $1, rulebook_id = $2",
                on, rulebook_id)

        if isinstance(self.conn, asyncpg.Pool):
            async with self.conn.acquire() as conn, conn.transaction():
                await write(conn)
        else:
            await write(self.conn)

    async def candidate_judgement(self) -> asyncpg.Record | None:
        """The day and rulebook the whole city was last judged on."""
        return await self.conn.fetchrow("SELECT judged_on, rulebook_id FROM candidate_judgement")

    async def candidate_gaps(self, tiers: list[str]) -> list[tuple[str, int, float]]:
        """Every kept candidate of `tiers`: (tier, failing criteria, relative gap sum)."""
        rows = await self.conn.fetch(
            "SELECT tier, failing_count, relative_gap_sum FROM candidate_ranks"
            " WHERE tier = ANY($1::text[])", tiers)
        return [(r["tier"], r["failing_count"], r["relative_gap_sum"]) for r in rows]

    async def candidate_page(self, tier: str, *, district: str | None, industry: str | None,
                             by_gap: bool, offset: int, limit: int,
                             ) -> tuple[int, list[asyncpg.Record]]:
        """(how many candidates for `tier` in all, one page of them, closest or by gap)."""
        where = ("FROM candidate_ranks c JOIN firms f ON f.id = c.firm_id"
                 " LEFT JOIN standings s ON s.firm_id = c.firm_id WHERE c.tier = $1"
                 " AND ($2::text IS NULL OR f.district = $2)"
                 " AND ($3::text IS NULL OR f.industry = $3)")
        order = ("c.relative_gap_sum, c.failing_count, c.firm_id" if by_gap
                 else "c.failing_count, c.relative_gap_sum, c.firm_id")
        total = await self.conn.fetchval(f"SELECT count(*) {where}", tier, district, industry)
        rows = await self.conn.fetch(
            "SELECT c.firm_id, c.current_tier, c.unicorn_grade, c.failing_count,"
            " c.relative_gap_sum, c.missing, c.gaps,"
            " CASE WHEN s.firm_id IS NULL THEN NULL ELSE f.name END AS name,"
            " CASE WHEN s.firm_id IS NULL THEN NULL ELSE f.district END AS district,"
            " CASE WHEN s.firm_id IS NULL THEN NULL ELSE f.industry END AS industry"
            f" {where} ORDER BY {order} OFFSET $4 LIMIT $5",
            tier, district, industry, offset, limit)
        return int(total), rows


class RulebookSql(Sql):
    """Stored rulebooks (the active one and drafts), and the what-if jobs run with them."""

    async def rulebooks(self) -> list[asyncpg.Record]:
        """Every stored rulebook, oldest first."""
        return await self.conn.fetch(
            "SELECT id, status, uploaded_by, uploaded_at FROM rulebooks ORDER BY uploaded_at")

    async def rulebook(self, rulebook_id: str) -> asyncpg.Record | None:
        """One stored rulebook."""
        return await self.conn.fetchrow("SELECT * FROM rulebooks WHERE id = $1", rulebook_id)

    async def active_rulebook(self) -> dict[str, Any] | None:
        """The active rulebook's document (None before the first start)."""
        document: dict[str, Any] | None = await self.conn.fetchval(
            "SELECT document FROM rulebooks WHERE status = 'active'"
            " ORDER BY uploaded_at DESC LIMIT 1")
        return document

    async def save_rulebook(self, rulebook_id: str, document: dict[str, Any], status: str,
                            actor: str) -> None:
        """Store a rulebook (replacing one of the same id)."""
        await self.conn.execute(
            "INSERT INTO rulebooks (id, document, status, uploaded_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (id) DO UPDATE SET document = $2, status = $3, uploaded_by = $4,"
            " uploaded_at = now()", rulebook_id, document, status, actor)

    async def new_simulation_job(self, job_id: uuid.UUID, request: dict[str, Any],
                                 actor: str) -> None:
        """A what-if job, queued (old finished jobs are dropped: they are a cache)."""
        await self.conn.execute(
            "DELETE FROM simulation_jobs WHERE created_at < now() - interval '7 days'")
        await self.conn.execute(
            "INSERT INTO simulation_jobs (id, request, created_by) VALUES ($1, $2, $3)",
            job_id, request, actor)

    async def simulation_job(self, job_id: uuid.UUID) -> asyncpg.Record | None:
        """One what-if job: status, progress, result or problem."""
        return await self.conn.fetchrow("SELECT * FROM simulation_jobs WHERE id = $1", job_id)

    async def count_simulation(self, job_id: uuid.UUID) -> None:
        """The job will fold every firm the ladder holds now: that many in all."""
        await self.conn.execute(
            "UPDATE simulation_jobs SET firms_done = 0,"
            " firms_total = (SELECT count(*) FROM firms) WHERE id = $1", job_id)

    async def simulation_progress(self, job_id: uuid.UUID, more: int) -> None:
        """A worker's progress: `more` firms folded since its last report (the workers
        folding shares of one job add up)."""
        await self.conn.execute(
            "UPDATE simulation_jobs SET status = 'running',"
            " firms_done = least(firms_done + $2, firms_total)"
            " WHERE id = $1", job_id, more)

    async def firm_names(self, firm_ids: list[str]) -> dict[str, str | None]:
        """The names of these firms, by id."""
        rows = await self.conn.fetch("SELECT id::text, name FROM firms WHERE id = ANY($1::uuid[])",
                                     firm_ids)
        return {r["id"]: r["name"] for r in rows}

    async def finish_simulation(self, job_id: uuid.UUID, *, result: dict[str, Any] | None,
                                problem: str | None, firms: int | None = None) -> None:
        """The job's end: its result and how many firms it folded, or what went wrong."""
        await self.conn.execute(
            "UPDATE simulation_jobs SET status = $2, result = $3, problem = $4,"
            " firms_total = coalesce($5, firms_total), firms_done = coalesce($5, firms_done),"
            " finished_at = now() WHERE id = $1",
            job_id, "done" if problem is None else "failed", result, problem, firms)
