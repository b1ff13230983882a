"""Every SQL statement of the ladder."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.facts import AnnualReport, Certificate, FirmFacts, FundingRound
from shared.db import DbConn

Conn = DbConn | asyncpg.Pool
PROFILE = ("name", "district", "industry", "founded_on", "company_kind", "listed",
           "abnormal_list", "dishonest_list")

# ------------------------------------------------------------------ projection


async def last_sequence(conn: Conn, firm_id: uuid.UUID) -> int | None:
    value: int | None = await conn.fetchval(
        "SELECT last_sequence FROM firms WHERE id = $1 FOR UPDATE", firm_id)
    return value


async def upsert_firm(conn: Conn, firm: dict[str, Any]) -> None:
    cols = ", ".join(PROFILE)
    marks = ", ".join(f"${i}" for i in range(2, len(PROFILE) + 2))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in PROFILE)
    await conn.execute(
        f"INSERT INTO firms (id, {cols}) VALUES ($1, {marks})"
        f" ON CONFLICT (id) DO UPDATE SET {sets}, updated_at = now()",
        firm["id"], *(firm[c] for c in PROFILE),
    )
    await conn.execute(
        "INSERT INTO standings (firm_id) VALUES ($1) ON CONFLICT DO NOTHING", firm["id"])


async def set_flag(conn: Conn, firm_id: uuid.UUID, flag: str, value: bool) -> None:
    assert flag in ("listed", "abnormal_list", "dishonest_list")
    await conn.execute(f"UPDATE firms SET {flag} = $2, updated_at = now() WHERE id = $1",
                       firm_id, value)


async def set_last_sequence(conn: Conn, firm_id: uuid.UUID, sequence: int) -> None:
    await conn.execute(
        "UPDATE firms SET last_sequence = greatest(last_sequence, $2) WHERE id = $1",
        firm_id, sequence)


async def upsert_report(conn: Conn, firm_id: uuid.UUID, report: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO reports (firm_id, fiscal_year, data) VALUES ($1, $2, $3)"
        " ON CONFLICT (firm_id, fiscal_year) DO UPDATE SET data = EXCLUDED.data",
        firm_id, report["fiscal_year"], report)


async def insert_round(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO funding_rounds (round_id, firm_id, closed_on, amount, currency,"
        " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        data["round_id"], data["firm_id"], data["closed_on"], data["amount"], data["currency"],
        data["post_money_valuation"], data["investor_kind"])


async def insert_certificate(conn: Conn, data: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO certificates (certificate_id, firm_id, kind, issued_on, expires_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        data["certificate_id"], data["firm_id"], data["kind"], data["issued_on"],
        data["expires_on"])


async def revoke_certificate(conn: Conn, certificate_id: uuid.UUID, revoked_on: date) -> None:
    await conn.execute("UPDATE certificates SET revoked_on = $2 WHERE certificate_id = $1",
                       certificate_id, revoked_on)


def _report(data: dict[str, Any]) -> AnnualReport:
    return AnnualReport(**{k: data.get(k) for k in AnnualReport.__slots__})  # type: ignore[arg-type]


def _facts(firm: asyncpg.Record, reports: list[Any], rounds: list[Any], certs: list[Any]) -> FirmFacts:
    return FirmFacts(
        firm_id=str(firm["id"]), founded_on=firm["founded_on"],
        company_kind=firm["company_kind"], listed=firm["listed"],
        abnormal_list=firm["abnormal_list"], dishonest_list=firm["dishonest_list"],
        district=firm["district"], industry=firm["industry"],
        reports={r["fiscal_year"]: _report(r["data"]) for r in reports},
        funding_rounds=tuple(FundingRound(r["closed_on"], r["amount"], r["currency"],
                                          r["post_money_valuation"], r["investor_kind"])
                             for r in sorted(rounds, key=lambda r: r["closed_on"])),
        certificates=tuple(Certificate(c["kind"], c["issued_on"], c["expires_on"],
                                       c["revoked_on"]) for c in certs),
    )


async def firm(conn: Conn, firm_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM firms WHERE id = $1", firm_id)


_STATE = """
SELECT f.id, f.name, f.district, f.industry, f.founded_on, f.company_kind, f.listed,
       f.abnormal_list, f.dishonest_list, f.last_sequence, s.*,
       (SELECT coalesce(json_agg(json_build_object('fiscal_year', r.fiscal_year, 'data', r.data)),
                        '[]') FROM reports r WHERE r.firm_id = f.id) AS reports_json,
       (SELECT coalesce(json_agg(fr), '[]') FROM funding_rounds fr WHERE fr.firm_id = f.id)
           AS rounds_json,
       (SELECT coalesce(json_agg(c), '[]') FROM certificates c WHERE c.firm_id = f.id)
           AS certs_json
FROM firms f JOIN standings s ON s.firm_id = f.id WHERE f.id = $1
"""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def state(conn: Conn, firm_id: uuid.UUID, *, lock: bool = True,
                ) -> tuple[FirmFacts, asyncpg.Record] | None:
    """Facts and the standing row in one round trip (the hot path of every event); `lock`
    holds the standing row for the caller's transaction."""
    row = await conn.fetchrow(_STATE + (" FOR UPDATE OF s" if lock else ""), firm_id)
    if row is None:
        return None
    rounds = [{**r, "closed_on": _day(r["closed_on"])} for r in json.loads(row["rounds_json"])]
    certs = [{**c, "issued_on": _day(c["issued_on"]), "expires_on": _day(c["expires_on"]),
              "revoked_on": _day(c["revoked_on"])} for c in json.loads(row["certs_json"])]
    return _facts(row, json.loads(row["reports_json"]), rounds, certs), row


async def all_facts(conn: Conn, *, district: str | None = None,
                    industry: str | None = None) -> dict[str, FirmFacts]:
    """Every firm's facts in four queries (what-if, candidates)."""
    firms = await conn.fetch(
        "SELECT * FROM firms WHERE ($1::text IS NULL OR district = $1)"
        " AND ($2::text IS NULL OR industry = $2)", district, industry)
    by_firm: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: {"r": [], "f": [], "c": []})
    for r in await conn.fetch("SELECT firm_id, fiscal_year, data FROM reports"):
        by_firm[r["firm_id"]]["r"].append(r)
    for r in await conn.fetch("SELECT * FROM funding_rounds"):
        by_firm[r["firm_id"]]["f"].append(r)
    for r in await conn.fetch("SELECT * FROM certificates"):
        by_firm[r["firm_id"]]["c"].append(r)
    out = {}
    for f in firms:
        parts = by_firm.get(f["id"], {"r": [], "f": [], "c": []})
        out[str(f["id"])] = _facts(f, parts["r"], parts["f"], parts["c"])
    return out


# ------------------------------------------------------------------ standings and decisions


async def standing(conn: Conn, firm_id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(
        "SELECT s.*, f.last_sequence, f.name, f.district, f.industry FROM standings s"
        f" JOIN firms f ON f.id = s.firm_id WHERE s.firm_id = $1{suffix}", firm_id)


async def all_standings(conn: Conn) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT s.firm_id, s.tier, s.unicorn_grade, s.at_risk, f.name, f.district, f.industry"
        " FROM standings s JOIN firms f ON f.id = s.firm_id")


async def list_standings(
    conn: Conn, *, tier: str | None, district: str | None, industry: str | None,
    at_risk: bool | None, after: uuid.UUID | None, limit: int,
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT s.firm_id, f.name, f.district, f.industry, s.tier, s.unicorn_grade, s.at_risk,"
        " s.filed_on, s.expires_on, s.round_year, s.override_tier IS NOT NULL AS overridden,"
        " s.near_miss_tier, f.last_sequence AS sequence"
        " FROM standings s JOIN firms f ON f.id = s.firm_id"
        " WHERE ($1::text IS NULL OR s.tier = $1) AND ($2::text IS NULL OR f.district = $2)"
        " AND ($3::text IS NULL OR f.industry = $3) AND ($4::boolean IS NULL OR s.at_risk = $4)"
        " AND ($5::uuid IS NULL OR s.firm_id > $5) ORDER BY s.firm_id LIMIT $6",
        tier, district, industry, at_risk, after, limit)


async def tier_counts(conn: Conn) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT f.district, s.tier, s.unicorn_grade, count(*) AS firms,"
        " count(*) FILTER (WHERE s.at_risk) AS at_risk"
        " FROM standings s JOIN firms f ON f.id = s.firm_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")


async def save_standing(conn: Conn, firm_id: uuid.UUID, values: dict[str, Any]) -> None:
    sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(values, start=2))
    await conn.execute(f"UPDATE standings SET {sets}, updated_at = now() WHERE firm_id = $1",
                       firm_id, *values.values())


async def insert_decision(conn: Conn, values: dict[str, Any]) -> None:
    cols = ", ".join(values)
    marks = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO decisions ({cols}) VALUES ({marks})", *values.values())


async def decisions(conn: Conn, firm_id: uuid.UUID, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, at, change, from_tier, to_tier, unicorn_grade, at_risk, fiscal_year,"
        " round_year, rulebook_id, reason, actor, trigger_event_id, trace, inputs"
        " FROM decisions WHERE firm_id = $1 ORDER BY at DESC, id LIMIT $2", firm_id, limit)


async def expiring(conn: Conn, on_or_before: date) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT firm_id FROM standings WHERE expires_on IS NOT NULL AND expires_on <= $1",
        on_or_before)
    return [r["firm_id"] for r in rows]


async def expiry_notices_due(conn: Conn, horizon: date) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT s.firm_id, s.tier, s.expires_on FROM standings s WHERE s.expires_on IS NOT NULL"
        " AND s.expires_on <= $1 AND s.expiry_notice_for IS DISTINCT FROM s.expires_on", horizon)


# ------------------------------------------------------------------ targets


async def add_entry(conn: Conn, year: int, key: str, firm_id: uuid.UUID, on: date,
                    decision_id: uuid.UUID | None) -> bool:
    """Count a firm entering `key` in `year`; False when it was already counted."""
    added = await conn.fetchval(
        "INSERT INTO entries (year, key, firm_id, entered_on, decision_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
        year, key, firm_id, on, decision_id)
    return bool(added)


async def achieved(conn: Conn, year: int) -> dict[str, int]:
    rows = await conn.fetch("SELECT key, count(*) AS n FROM entries WHERE year = $1 GROUP BY key",
                            year)
    return {r["key"]: r["n"] for r in rows}


async def targets(conn: Conn, year: int) -> dict[str, int]:
    rows = await conn.fetch("SELECT key, target FROM targets WHERE year = $1", year)
    return {r["key"]: r["target"] for r in rows}


async def put_targets(conn: Conn, year: int, values: dict[str, int], actor: str) -> None:
    await conn.execute("DELETE FROM targets WHERE year = $1", year)
    await conn.executemany(
        "INSERT INTO targets (year, key, target, updated_by) VALUES ($1, $2, $3, $4)",
        [(year, k, v, actor) for k, v in values.items()])


async def target_state(conn: Conn, year: int, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT pace, milestones FROM target_state WHERE year = $1 AND key = $2 FOR UPDATE",
        year, key)


async def save_target_state(conn: Conn, year: int, key: str, pace: str,
                            milestones: list[str]) -> None:
    await conn.execute(
        "INSERT INTO target_state (year, key, pace, milestones) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (year, key) DO UPDATE SET pace = $3, milestones = $4",
        year, key, pace, milestones)


# ------------------------------------------------------------------ rulebooks


async def rulebooks(conn: Conn) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, status, uploaded_by, uploaded_at FROM rulebooks ORDER BY uploaded_at")


async def rulebook(conn: Conn, rulebook_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM rulebooks WHERE id = $1", rulebook_id)


async def save_rulebook(conn: Conn, rulebook_id: str, document: dict[str, Any], status: str,
                        actor: str) -> None:
    await conn.execute(
        "INSERT INTO rulebooks (id, document, status, uploaded_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (id) DO UPDATE SET document = $2, status = $3, uploaded_by = $4,"
        " uploaded_at = now()", rulebook_id, document, status, actor)


# ------------------------------------------------------------------ dashboard cohorts


async def first_entries(conn: Conn) -> list[asyncpg.Record]:
    """Per firm, the day of its first eaglet filing and of its first gazelle filing, from the
    decision history (the one place cohorts read, so it follows when decisions get dated)."""
    return await conn.fetch(
        "SELECT firm_id,"
        " (min(at) FILTER (WHERE to_tier = 'eaglet' AND change = 'promoted'))::date AS eaglet_on,"
        " (min(at) FILTER (WHERE to_tier = 'gazelle' AND change = 'promoted'))::date AS gazelle_on"
        " FROM decisions GROUP BY firm_id")
