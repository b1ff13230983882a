"""SQL of the projection: each firm's dated facts, as registry events bring them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.dated import DatedFacts
from ladder.domain.facts import FirmFacts
from ladder.repository.base import Bound
from ladder.repository.rows import dated, json_rows

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
       (SELECT coalesce(json_agg(pc ORDER BY pc.sequence), '[]') FROM profile_changes pc
        WHERE pc.firm_id = f.id) AS changes_json,
       (SELECT coalesce(json_agg(o ORDER BY o.id), '[]') FROM overrides o
        WHERE o.firm_id = f.id) AS overrides_json
FROM firms f JOIN standings s ON s.firm_id = f.id WHERE f.id = $1
"""


class FactsSql(Bound):
    """The firm facts the ladder keeps from `registry.firm-events`."""

    async def last_sequence(self, firm_id: uuid.UUID) -> int | None:
        """The last registry sequence applied (None: never registered); locks the firm."""
        value: int | None = await self.conn.fetchval(
            "SELECT last_sequence FROM firms WHERE id = $1 FOR UPDATE", firm_id)
        return value

    async def upsert_firm(self, firm: dict[str, Any], sequence: int) -> None:
        """The firm's current profile; an older event (by sequence) never overwrites a newer."""
        cols = ", ".join(PROFILE)
        marks = ", ".join(f"${i}" for i in range(3, len(PROFILE) + 3))
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in PROFILE)
        await self.conn.execute(
            f"INSERT INTO firms (id, profile_sequence, {cols}) VALUES ($1, $2, {marks})"
            f" ON CONFLICT (id) DO UPDATE SET {sets}, profile_sequence = EXCLUDED.profile_sequence,"
            " updated_at = now() WHERE firms.profile_sequence < EXCLUDED.profile_sequence",
            firm["id"], sequence, *(firm[c] for c in PROFILE),
        )
        await self.conn.execute(
            "INSERT INTO standings (firm_id) VALUES ($1) ON CONFLICT DO NOTHING", firm["id"])

    async def set_flag(self, firm_id: uuid.UUID, flag: str, value: bool) -> None:
        """A compliance flag's current value."""
        assert flag in ("listed", "abnormal_list", "dishonest_list")
        await self.conn.execute(f"UPDATE firms SET {flag} = $2, updated_at = now() WHERE id = $1",
                                firm_id, value)

    async def set_last_sequence(self, firm_id: uuid.UUID, sequence: int) -> None:
        """Raise the firm's last applied sequence (never lower it)."""
        await self.conn.execute(
            "UPDATE firms SET last_sequence = greatest(last_sequence, $2) WHERE id = $1",
            firm_id, sequence)

    async def add_change(self, firm_id: uuid.UUID, sequence: int, effective_on: date,
                         changes: dict[str, Any]) -> None:
        """Profile fields or flags valid from `effective_on` (a replayed sequence is a no-op)."""
        await self.conn.execute(
            "INSERT INTO profile_changes (firm_id, sequence, effective_on, changes)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            firm_id, sequence, effective_on, changes)

    async def upsert_report(self, firm_id: uuid.UUID, report: dict[str, Any],
                            filed_on: date, sequence: int) -> None:
        """One report version, valid from `filed_on`; the higher registry sequence wins."""
        await self.conn.execute(
            "INSERT INTO reports (firm_id, fiscal_year, filed_on, data, sequence)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (firm_id, fiscal_year, filed_on)"
            " DO UPDATE SET data = EXCLUDED.data, sequence = EXCLUDED.sequence"
            " WHERE reports.sequence < EXCLUDED.sequence",
            firm_id, report["fiscal_year"], filed_on, report, sequence)

    async def insert_round(self, data: dict[str, Any]) -> None:
        """A funding round (a replay is a no-op)."""
        await self.conn.execute(
            "INSERT INTO funding_rounds (round_id, firm_id, closed_on, amount, currency,"
            " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT DO NOTHING",
            data["round_id"], data["firm_id"], data["closed_on"], data["amount"],
            data["currency"], data["post_money_valuation"], data["investor_kind"])

    async def insert_certificate(self, data: dict[str, Any]) -> None:
        """A granted certificate (a replay is a no-op)."""
        await self.conn.execute(
            "INSERT INTO certificates (certificate_id, firm_id, kind, issued_on, expires_on)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            data["certificate_id"], data["firm_id"], data["kind"], data["issued_on"],
            data["expires_on"])

    async def revoke_certificate(self, firm_id: uuid.UUID, certificate_id: uuid.UUID,
                                 revoked_on: date) -> None:
        """A revocation, kept apart so it may arrive before its grant."""
        await self.conn.execute(
            "INSERT INTO certificate_revocations (certificate_id, firm_id, revoked_on)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", certificate_id, firm_id, revoked_on)
        await self.conn.execute(
            "UPDATE certificates SET revoked_on = $2 WHERE certificate_id = $1",
            certificate_id, revoked_on)

    async def add_override(self, firm_id: uuid.UUID, *, set_on: date, tier: str | None,
                           unicorn_grade: str | None, reason: str, by: str) -> None:
        """A tier set by hand (or lifted, tier None), dated."""
        await self.conn.execute(
            "INSERT INTO overrides (firm_id, set_on, tier, unicorn_grade, reason, set_by)"
            " VALUES ($1, $2, $3, $4, $5, $6)", firm_id, set_on, tier, unicorn_grade, reason, by)

    async def firm(self, firm_id: uuid.UUID) -> asyncpg.Record | None:
        """The firm's current profile row."""
        return await self.conn.fetchrow("SELECT * FROM firms WHERE id = $1", firm_id)

    async def dated_state(self, firm_id: uuid.UUID, *, lock: bool = True,
                          ) -> tuple[DatedFacts, asyncpg.Record] | None:
        """Every dated fact of the firm and its standing row in one round trip (the hot path
        of every event); `lock` holds the standing row for the caller's transaction."""
        row = await self.conn.fetchrow(_STATE + (" FOR UPDATE OF s" if lock else ""), firm_id)
        if row is None:
            return None
        return dated(row, json_rows(row["reports_json"], "filed_on"),
                     json_rows(row["rounds_json"], "closed_on"),
                     json_rows(row["certs_json"], "issued_on", "expires_on", "revoked_on"),
                     json_rows(row["changes_json"], "effective_on"),
                     json_rows(row["overrides_json"], "set_on")), row

    async def all_dated(self, *, district: str | None = None,
                        industry: str | None = None) -> dict[str, DatedFacts]:
        """Every firm's dated facts in a few queries (what-if, candidates, targets)."""
        firms = await self.conn.fetch(
            "SELECT * FROM firms WHERE ($1::text IS NULL OR district = $1)"
            " AND ($2::text IS NULL OR industry = $2)", district, industry)
        parts: dict[Any, dict[str, list[Any]]] = defaultdict(
            lambda: {"r": [], "f": [], "c": [], "p": [], "o": []})
        for r in await self.conn.fetch(
                "SELECT firm_id, fiscal_year, filed_on, data, sequence FROM reports"):
            parts[r["firm_id"]]["r"].append(r)
        for r in await self.conn.fetch("SELECT * FROM funding_rounds"):
            parts[r["firm_id"]]["f"].append(r)
        for r in await self.conn.fetch(
                "SELECT c.firm_id, c.kind, c.issued_on, c.expires_on, cr.revoked_on"
                " FROM certificates c LEFT JOIN certificate_revocations cr USING (certificate_id)"):
            parts[r["firm_id"]]["c"].append(r)
        for r in await self.conn.fetch("SELECT * FROM profile_changes ORDER BY sequence"):
            parts[r["firm_id"]]["p"].append(r)
        for r in await self.conn.fetch("SELECT * FROM overrides ORDER BY id"):
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
