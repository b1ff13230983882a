"""SQL of the projection: each firm's dated facts, as registry events bring them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.dated import DatedFacts
from ladder.domain.facts import FirmFacts
from ladder.repository.round import RoundWrites, write_round
from ladder.repository.rows import dated, json_rows
from shared.repository import Sql

PROFILE = ("name", "district", "industry", "founded_on", "company_kind", "listed",
           "abnormal_list", "dishonest_list")

_STATE = """
SELECT f.id, f.name, f.district, f.industry, f.founded_on, f.company_kind, f.listed,
       f.abnormal_list, f.dishonest_list, f.last_sequence, s.*,
       (SELECT coalesce(json_agg(json_build_object('fiscal_year', r.fiscal_year, 'data', r.data,
                                                   'filed_on', r.filed_on, 'sequence', r.sequence)),
                        '[]') FROM reports r WHERE r.firm_id = f.id) AS reports_json,
       (SELECT coalesce(json_agg(fr), '[]') FROM funding_rounds fr WHERE fr.firm_id = f.id)
           AS rounds_json,
       (SELECT coalesce(json_agg(json_build_object(
            'kind', c.kind, 'issued_on', c.issued_on, 'expires_on', c.expires_on,
            'revoked_on', cr.revoked_on)), '[]')
        FROM certificates c LEFT JOIN certificate_revocations cr USING (certificate_id)
        WHERE c.firm_id = f.id) AS certs_json,
       (SELECT coalesce(json_agg(json_build_object(
            'sequence', pc.sequence, 'effective_on', pc.effective_on,
            'changes', pc.changes - coalesce((SELECT array_agg(pr.field) FROM profile_retractions pr
                WHERE pr.firm_id = pc.firm_id AND pr.sequence = pc.sequence), '{}'))
            ORDER BY pc.sequence), '[]') FROM profile_changes pc
        WHERE pc.firm_id = f.id) AS changes_json,
       (SELECT coalesce(json_agg(o ORDER BY o.id), '[]') FROM overrides o
        WHERE o.firm_id = f.id) AS overrides_json
FROM firms f JOIN standings s ON s.firm_id = f.id
"""
FLAGS = ("listed", "abnormal_list", "dishonest_list")


@dataclass
class FactWrites:
    """What a batch of registry events writes to the projection, statement by statement; each
    list keeps the events' order, and each statement keeps its guard (sequences, ON CONFLICT),
    so a replayed or reordered batch rewrites nothing newer."""

    firms: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    flags: list[tuple[uuid.UUID, str, bool]] = field(default_factory=list)
    changes: list[tuple[uuid.UUID, int, date, dict[str, Any]]] = field(default_factory=list)
    retractions: list[tuple[uuid.UUID, int, str]] = field(default_factory=list)
    reports: list[tuple[uuid.UUID, dict[str, Any], date, int]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    revocations: list[tuple[uuid.UUID, uuid.UUID, date]] = field(default_factory=list)
    last_sequences: dict[uuid.UUID, int] = field(default_factory=dict)
    round: RoundWrites = field(default_factory=RoundWrites)


def _mine(column: str, shard: tuple[int, int], ids_at: int | None = None) -> str:
    """The rows of the k-th of n shares of the firms, split by the last byte of the firm's id
    (random in a uuid4); with `ids_at`, only the firms in the uuid[] parameter of that number."""
    k, n = shard
    where = f"get_byte(uuid_send({column}), 15) % {int(n)} = {int(k)}"
    return where if ids_at is None else where + f" AND {column} = ANY(${ids_at}::uuid[])"


def _dated_of(row: asyncpg.Record) -> DatedFacts:
    return dated(row, json_rows(row["reports_json"], "filed_on"),
                 json_rows(row["rounds_json"], "closed_on"),
                 json_rows(row["certs_json"], "issued_on", "expires_on", "revoked_on"),
                 json_rows(row["changes_json"], "effective_on"),
                 json_rows(row["overrides_json"], "set_on"))


class FactsSql(Sql):
    """The firm facts the ladder keeps from `registry.firm-events`."""

    async def known_firms(self, firm_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of the firms the ladder has seen registered; locks them (in id order, so
        two consumers never wait on each other in a circle)."""
        rows = await self.conn.fetch(
            "SELECT id FROM firms WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", firm_ids)
        return {r["id"] for r in rows}

    async def write_facts(self, w: FactWrites) -> None:
        """A batch's facts, one statement per table (executemany pipelines the rows)."""
        cols = ", ".join(PROFILE)
        marks = ", ".join(f"${i}" for i in range(3, len(PROFILE) + 3))
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in PROFILE)
        if w.firms:  # the current profile: an older event never overwrites a newer one
            await self.conn.executemany(
                f"INSERT INTO firms (id, profile_sequence, {cols}) VALUES ($1, $2, {marks})"
                f" ON CONFLICT (id) DO UPDATE SET {sets},"
                " profile_sequence = EXCLUDED.profile_sequence, updated_at = now()"
                " WHERE firms.profile_sequence < EXCLUDED.profile_sequence",
                [(f["id"], seq, *(f[c] for c in PROFILE)) for f, seq in w.firms])
            await self.conn.execute(
                "INSERT INTO standings (firm_id) SELECT unnest($1::uuid[])"
                " ON CONFLICT DO NOTHING", list({f["id"] for f, _ in w.firms}))
        for flag in FLAGS:
            values = [(firm_id, value) for firm_id, name, value in w.flags if name == flag]
            if values:
                await self.conn.executemany(
                    f"UPDATE firms SET {flag} = $2, updated_at = now() WHERE id = $1", values)
        if w.changes:  # profile fields or flags valid from a day (a replay is a no-op)
            await self.conn.executemany(
                "INSERT INTO profile_changes (firm_id, sequence, effective_on, changes)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", w.changes)
        if w.retractions:  # a corrected fact's field no longer counts from its old event
            await self.conn.executemany(
                "INSERT INTO profile_retractions (firm_id, sequence, field) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING", w.retractions)
        if w.reports:  # report versions valid from their filing day; the higher sequence wins
            await self.conn.executemany(
                "INSERT INTO reports (firm_id, fiscal_year, filed_on, data, sequence)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (firm_id, fiscal_year, filed_on)"
                " DO UPDATE SET data = EXCLUDED.data, sequence = EXCLUDED.sequence"
                " WHERE reports.sequence < EXCLUDED.sequence",
                [(f, r["fiscal_year"], day, r, seq) for f, r, day, seq in w.reports])
        if w.rounds:
            await self.conn.executemany(
                "INSERT INTO funding_rounds (round_id, firm_id, closed_on, amount, currency,"
                " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                [(d["round_id"], d["firm_id"], d["closed_on"], d["amount"], d["currency"],
                  d["post_money_valuation"], d["investor_kind"]) for d in w.rounds])
        if w.certificates:
            await self.conn.executemany(
                "INSERT INTO certificates (certificate_id, firm_id, kind, issued_on, expires_on)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                [(d["certificate_id"], d["firm_id"], d["kind"], d["issued_on"],
                  d["expires_on"]) for d in w.certificates])
        if w.revocations:  # kept apart, so a revocation may arrive before its grant
            await self.conn.executemany(
                "INSERT INTO certificate_revocations (certificate_id, firm_id, revoked_on)"
                " VALUES ($2, $1, $3) ON CONFLICT DO NOTHING", w.revocations)
            await self.conn.executemany(
                "UPDATE certificates SET revoked_on = $2 WHERE certificate_id = $1",
                [(cert, day) for _, cert, day in w.revocations])
        if w.round:
            await write_round(self.conn, w.round)
        if w.last_sequences:  # raised, never lowered; every event's firm has new facts
            await self.conn.executemany(
                "UPDATE firms SET last_sequence = greatest(last_sequence, $2),"
                " facts_version = facts_version + 1 WHERE id = $1",
                list(w.last_sequences.items()))

    async def add_override(self, firm_id: uuid.UUID, *, set_on: date, tier: str | None,
                           unicorn_grade: str | None, reason: str, by: str) -> None:
        """A tier set by hand (or lifted, tier None), dated."""
        await self.conn.execute(
            "INSERT INTO overrides (firm_id, set_on, tier, unicorn_grade, reason, set_by)"
            " VALUES ($1, $2, $3, $4, $5, $6)", firm_id, set_on, tier, unicorn_grade, reason, by)
        await self.conn.execute(
            "UPDATE firms SET facts_version = facts_version + 1 WHERE id = $1", firm_id)

    async def firm(self, firm_id: uuid.UUID) -> asyncpg.Record | None:
        """The firm's current profile row."""
        return await self.conn.fetchrow("SELECT * FROM firms WHERE id = $1", firm_id)

    async def dated_state(self, firm_id: uuid.UUID, *, lock: bool = True,
                          ) -> tuple[DatedFacts, asyncpg.Record] | None:
        """Every dated fact of the firm and its standing row in one round trip (the hot path
        of every event); `lock` holds the standing row for the caller's transaction."""
        row = await self.conn.fetchrow(
            _STATE + " WHERE f.id = $1" + (" FOR UPDATE OF s" if lock else ""), firm_id)
        return None if row is None else (_dated_of(row), row)

    async def dated_states(self, firm_ids: list[uuid.UUID],
                           ) -> dict[uuid.UUID, tuple[DatedFacts, asyncpg.Record]]:
        """`dated_state` of many firms in one round trip, their standing rows locked (in id
        order)."""
        rows = await self.conn.fetch(
            _STATE + " WHERE f.id = ANY($1::uuid[]) ORDER BY f.id FOR UPDATE OF s", firm_ids)
        return {r["id"]: (_dated_of(r), r) for r in rows}

    async def fact_versions(self, shard: tuple[int, int] = (0, 1)) -> dict[str, int]:
        """Each firm's facts version (raised whenever its facts change) in the `shard`'s share."""
        rows = await self.conn.fetch(
            "SELECT id, facts_version FROM firms WHERE " + _mine("id", shard))
        return {str(r["id"]): r["facts_version"] for r in rows}

    async def all_dated(self, *, district: str | None = None, industry: str | None = None,
                        shard: tuple[int, int] = (0, 1),
                        firm_ids: list[str] | None = None) -> dict[str, DatedFacts]:
        """Every firm's dated facts in a few queries (what-if, candidates, targets).
        `shard` (k, n): only the k-th of n shares of the firms, split by id (a what-if's
        worker processes each load and fold their own share); `firm_ids`: only these."""
        args = [] if firm_ids is None else [[uuid.UUID(f) for f in firm_ids]]

        def mine(column: str, ids_at: int = 1) -> str:
            return _mine(column, shard, ids_at if firm_ids is not None else None)

        firms = await self.conn.fetch(
            "SELECT * FROM firms WHERE ($1::text IS NULL OR district = $1)"
            " AND ($2::text IS NULL OR industry = $2) AND " + mine("id", 3),
            district, industry, *args)
        parts: dict[Any, dict[str, list[Any]]] = defaultdict(
            lambda: {"r": [], "f": [], "c": [], "p": [], "o": []})
        for r in await self.conn.fetch(
                "SELECT firm_id, fiscal_year, filed_on, data, sequence FROM reports"
                " WHERE " + mine("firm_id"), *args):
            parts[r["firm_id"]]["r"].append(r)
        for r in await self.conn.fetch(
                "SELECT * FROM funding_rounds WHERE " + mine("firm_id"), *args):
            parts[r["firm_id"]]["f"].append(r)
        for r in await self.conn.fetch(
                "SELECT c.firm_id, c.kind, c.issued_on, c.expires_on, cr.revoked_on"
                " FROM certificates c LEFT JOIN certificate_revocations cr USING (certificate_id)"
                " WHERE " + mine("c.firm_id"), *args):
            parts[r["firm_id"]]["c"].append(r)
        for r in await self.conn.fetch(
                "SELECT pc.firm_id, pc.sequence, pc.effective_on, pc.changes - coalesce("
                " (SELECT array_agg(pr.field) FROM profile_retractions pr"
                "  WHERE pr.firm_id = pc.firm_id AND pr.sequence = pc.sequence), '{}') AS changes"
                " FROM profile_changes pc WHERE " + mine("pc.firm_id")
                + " ORDER BY pc.sequence", *args):
            parts[r["firm_id"]]["p"].append(r)
        for r in await self.conn.fetch(
                "SELECT * FROM overrides WHERE " + mine("firm_id") + " ORDER BY id", *args):
            parts[r["firm_id"]]["o"].append(r)
        out = {}
        for f in firms:
            p = parts[f["id"]]
            out[str(f["id"])] = dated(f, p["r"], p["f"], p["c"], p["p"], p["o"])
        return out

    async def all_facts(self, *, district: str | None = None, industry: str | None = None,
                        on: date | None = None) -> dict[str, FirmFacts]:
        """Every firm's facts as they stood on `on` (default today)."""
        day = on or date.today()
        return {k: v.on(day) for k, v in
                (await self.all_dated(district=district, industry=industry)).items()}
