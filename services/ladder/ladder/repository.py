"""Every SQL statement of the ladder."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from ladder.domain.dated import DatedFacts, Override, ProfileChange, ReportVersion
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


async def upsert_firm(conn: Conn, firm: dict[str, Any], sequence: int) -> None:
    """The firm's current profile; an older event (by sequence) never overwrites a newer one."""
    cols = ", ".join(PROFILE)
    marks = ", ".join(f"${i}" for i in range(3, len(PROFILE) + 3))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in PROFILE)
    await conn.execute(
        f"INSERT INTO firms (id, profile_sequence, {cols}) VALUES ($1, $2, {marks})"
        f" ON CONFLICT (id) DO UPDATE SET {sets}, profile_sequence = EXCLUDED.profile_sequence,"
        " updated_at = now() WHERE firms.profile_sequence < EXCLUDED.profile_sequence",
        firm["id"], sequence, *(firm[c] for c in PROFILE),
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


async def add_change(conn: Conn, firm_id: uuid.UUID, sequence: int, effective_on: date,
                     changes: dict[str, Any]) -> None:
    """Profile fields or flags valid from `effective_on` (a replayed sequence is a no-op)."""
    await conn.execute(
        "INSERT INTO profile_changes (firm_id, sequence, effective_on, changes)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        firm_id, sequence, effective_on, changes)


async def upsert_report(conn: Conn, firm_id: uuid.UUID, report: dict[str, Any],
                        filed_on: date, sequence: int) -> None:
    """One report version, valid from `filed_on`; the higher registry sequence wins."""
    await conn.execute(
        "INSERT INTO reports (firm_id, fiscal_year, filed_on, data, sequence)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (firm_id, fiscal_year, filed_on)"
        " DO UPDATE SET data = EXCLUDED.data, sequence = EXCLUDED.sequence"
        " WHERE reports.sequence < EXCLUDED.sequence",
        firm_id, report["fiscal_year"], filed_on, report, sequence)


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


async def revoke_certificate(conn: Conn, firm_id: uuid.UUID, certificate_id: uuid.UUID,
                             revoked_on: date) -> None:
    await conn.execute(
        "INSERT INTO certificate_revocations (certificate_id, firm_id, revoked_on)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", certificate_id, firm_id, revoked_on)
    await conn.execute("UPDATE certificates SET revoked_on = $2 WHERE certificate_id = $1",
                       certificate_id, revoked_on)


def _report(data: dict[str, Any]) -> AnnualReport:
    return AnnualReport(**{k: data.get(k) for k in AnnualReport.__slots__})  # type: ignore[arg-type]


# the profile before any change: the registration (effective from founding) sets it
_NEUTRAL = {"company_kind": "independent", "listed": False, "abnormal_list": False,
            "dishonest_list": False}


def _facts(firm: Any, reports: list[Any], rounds: list[Any], certs: list[Any]) -> FirmFacts:
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


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _dated(firm: Any, reports: list[Any], rounds: list[Any], certs: list[Any],
           changes: list[Any], overrides: list[Any]) -> DatedFacts:
    base = _facts({**dict(firm), **_NEUTRAL}, [], rounds, certs)
    return DatedFacts(
        firm=base,
        reports=tuple(ReportVersion(r["filed_on"], _report(r["data"]), r["sequence"])
                      for r in reports),
        changes=tuple(ProfileChange(c["effective_on"], c["changes"], c["sequence"])
                      for c in changes),
        overrides=tuple(Override(o["set_on"], o["tier"], o["reason"], o["set_by"],
                                 o["unicorn_grade"], o["id"]) for o in overrides),
    )


def _json_rows(raw: str, *dates: str) -> list[dict[str, Any]]:
    return [{**r, **{k: _day(r[k]) for k in dates}} for r in json.loads(raw)]


async def dated_state(conn: Conn, firm_id: uuid.UUID, *, lock: bool = True,
                      ) -> tuple[DatedFacts, asyncpg.Record] | None:
    """Every dated fact of the firm and its standing row in one round trip (the hot path of
    every event); `lock` holds the standing row for the caller's transaction."""
    row = await conn.fetchrow(_STATE + (" FOR UPDATE OF s" if lock else ""), firm_id)
    if row is None:
        return None
    return _dated(row, _json_rows(row["reports_json"], "filed_on"),
                  _json_rows(row["rounds_json"], "closed_on"),
                  _json_rows(row["certs_json"], "issued_on", "expires_on", "revoked_on"),
                  _json_rows(row["changes_json"], "effective_on"),
                  _json_rows(row["overrides_json"], "set_on")), row


async def all_dated(conn: Conn, *, district: str | None = None,
                    industry: str | None = None) -> dict[str, DatedFacts]:
    """Every firm's dated facts in a few queries (what-if, candidates, targets)."""
    firms = await conn.fetch(
        "SELECT * FROM firms WHERE ($1::text IS NULL OR district = $1)"
        " AND ($2::text IS NULL OR industry = $2)", district, industry)
    parts: dict[Any, dict[str, list[Any]]] = defaultdict(
        lambda: {"r": [], "f": [], "c": [], "p": [], "o": []})
    for r in await conn.fetch("SELECT firm_id, fiscal_year, filed_on, data, sequence FROM reports"):
        parts[r["firm_id"]]["r"].append(r)
    for r in await conn.fetch("SELECT * FROM funding_rounds"):
        parts[r["firm_id"]]["f"].append(r)
    for r in await conn.fetch(
            "SELECT c.firm_id, c.kind, c.issued_on, c.expires_on, cr.revoked_on FROM certificates c"
            " LEFT JOIN certificate_revocations cr USING (certificate_id)"):
        parts[r["firm_id"]]["c"].append(r)
    for r in await conn.fetch("SELECT * FROM profile_changes ORDER BY sequence"):
        parts[r["firm_id"]]["p"].append(r)
    for r in await conn.fetch("SELECT * FROM overrides ORDER BY id"):
        parts[r["firm_id"]]["o"].append(r)
    out = {}
    for f in firms:
        p = parts[f["id"]]
        out[str(f["id"])] = _dated(f, p["r"], p["f"], p["c"], p["p"], p["o"])
    return out


async def all_facts(conn: Conn, *, district: str | None = None, industry: str | None = None,
                    on: date | None = None) -> dict[str, FirmFacts]:
    """Every firm's facts as they stood on `on` (default today)."""
    day = on or date.today()
    return {k: v.on(day) for k, v in
            (await all_dated(conn, district=district, industry=industry)).items()}


async def add_override(conn: Conn, firm_id: uuid.UUID, *, set_on: date, tier: str | None,
                       unicorn_grade: str | None, reason: str, by: str) -> None:
    await conn.execute(
        "INSERT INTO overrides (firm_id, set_on, tier, unicorn_grade, reason, set_by)"
        " VALUES ($1, $2, $3, $4, $5, $6)", firm_id, set_on, tier, unicorn_grade, reason, by)


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


async def decisions(conn: Conn, firm_id: uuid.UUID, limit: int, as_of: date | None = None,
                    *, before: int | None = None) -> list[asyncpg.Record]:
    """The stored timeline's decisions dated on or before `as_of` (and before timeline
    position `before`), newest first."""
    return await conn.fetch(
        "SELECT id, position, at, on_date AS on, change, from_tier, to_tier, unicorn_grade, at_risk,"
        " filed_on, expires_on, override, fiscal_year, round_year, rulebook_id, reason, actor,"
        " trigger_event_id, supersedes, counts_toward, trace, inputs"
        " FROM decisions WHERE firm_id = $1 AND current"
        " AND ($3::date IS NULL OR on_date <= $3) AND ($4::int IS NULL OR position < $4)"
        " ORDER BY position DESC LIMIT $2", firm_id, limit, as_of, before)


async def timeline(conn: Conn, firm_id: uuid.UUID) -> list[asyncpg.Record]:
    """The stored timeline's current decisions in order."""
    return await conn.fetch(
        "SELECT id, position, on_date, change, from_tier, to_tier, unicorn_grade, at_risk,"
        " filed_on, expires_on, override FROM decisions WHERE firm_id = $1 AND current"
        " ORDER BY position", firm_id)


async def supersede(conn: Conn, pairs: list[tuple[uuid.UUID, uuid.UUID | None]]) -> None:
    """Take decisions out of the current timeline, naming what replaced each (if anything)."""
    await conn.executemany(
        "UPDATE decisions SET current = false, superseded_by = $2, superseded_at = now()"
        " WHERE id = $1", pairs)


_AS_OF = """
WITH last AS (
    SELECT DISTINCT ON (firm_id) firm_id, to_tier, unicorn_grade, at_risk, filed_on, expires_on,
           round_year, override
    FROM decisions WHERE current AND on_date <= $1 ORDER BY firm_id, position DESC)
"""


async def list_standings_as_of(
    conn: Conn, as_of: date, *, tier: str | None, district: str | None, industry: str | None,
    at_risk: bool | None, after: uuid.UUID | None, limit: int,
) -> list[asyncpg.Record]:
    """The standings on `as_of` from the stored timeline (same fields as list_standings)."""
    return await conn.fetch(
        _AS_OF + "SELECT f.id AS firm_id, f.name, f.district, f.industry,"
        " coalesce(l.to_tier, 'none') AS tier, l.unicorn_grade, coalesce(l.at_risk, false)"
        " AS at_risk, l.filed_on, l.expires_on, l.round_year, coalesce(l.override, false)"
        " AS overridden, NULL::text AS near_miss_tier, f.last_sequence AS sequence"
        " FROM firms f LEFT JOIN last l ON l.firm_id = f.id"
        " WHERE ($2::text IS NULL OR coalesce(l.to_tier, 'none') = $2)"
        " AND ($3::text IS NULL OR f.district = $3) AND ($4::text IS NULL OR f.industry = $4)"
        " AND ($5::boolean IS NULL OR coalesce(l.at_risk, false) = $5)"
        " AND ($6::uuid IS NULL OR f.id > $6) ORDER BY f.id LIMIT $7",
        as_of, tier, district, industry, at_risk, after, limit)


async def tier_counts_as_of(conn: Conn, as_of: date) -> list[asyncpg.Record]:
    return await conn.fetch(
        _AS_OF + "SELECT f.district, coalesce(l.to_tier, 'none') AS tier, l.unicorn_grade,"
        " count(*) AS firms, count(*) FILTER (WHERE l.at_risk) AS at_risk"
        " FROM firms f LEFT JOIN last l ON l.firm_id = f.id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        as_of)


async def expiring(conn: Conn, on_or_before: date) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT firm_id FROM standings WHERE expires_on IS NOT NULL AND expires_on <= $1"
        " AND override_tier IS NULL",
        on_or_before)
    return [r["firm_id"] for r in rows]


async def expiry_notices_due(conn: Conn, horizon: date) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT s.firm_id, s.tier, s.expires_on FROM standings s WHERE s.expires_on IS NOT NULL"
        " AND s.expires_on <= $1 AND s.expiry_notice_for IS DISTINCT FROM s.expires_on", horizon)


# ------------------------------------------------------------------ targets


async def replace_entries(conn: Conn, firm_id: uuid.UUID,
                          rows: list[tuple[int, str, date, uuid.UUID | None, bool]],
                          ) -> set[tuple[int, str, date, bool]]:
    """Recount a firm's entries (year, key, day, decision, by override); returns the old ones."""
    old = await conn.fetch(
        "DELETE FROM entries WHERE firm_id = $1 RETURNING year, key, entered_on, by_override",
        firm_id)
    await conn.executemany(
        "INSERT INTO entries (year, key, firm_id, entered_on, decision_id, by_override)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        [(y, k, firm_id, d, dec, o) for y, k, d, dec, o in rows])
    return {(r["year"], r["key"], r["entered_on"], r["by_override"]) for r in old}


async def achieved(conn: Conn, year: int, as_of: date | None = None) -> dict[str, int]:
    """Entries per key dated in `year` (up to `as_of`)."""
    return {k: n for k, (n, _) in (await achieved_split(conn, year, as_of)).items()}


async def achieved_split(conn: Conn, year: int,
                         as_of: date | None = None) -> dict[str, tuple[int, int]]:
    """(entries, of which by manual override) per key dated in `year` (up to `as_of`)."""
    rows = await conn.fetch(
        "SELECT key, count(*) AS n, count(*) FILTER (WHERE by_override) AS o FROM entries"
        " WHERE year = $1 AND ($2::date IS NULL OR entered_on <= $2) GROUP BY key", year, as_of)
    return {r["key"]: (r["n"], r["o"]) for r in rows}


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
    """Per firm, the valid date of its first eaglet filing and of its first gazelle filing (by
    the rules or by hand), from the current timeline: superseded decisions do not count."""
    return await conn.fetch(
        "SELECT firm_id,"
        " min(on_date) FILTER (WHERE to_tier = 'eaglet') AS eaglet_on,"
        " min(on_date) FILTER (WHERE to_tier = 'gazelle') AS gazelle_on"
        " FROM decisions WHERE current AND change IN ('promoted', 'override') GROUP BY firm_id")
