"""Every SQL statement of the registry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg

from shared.db import DbConn

PROFILE_FIELDS = (
    "uscc", "name", "district", "industry", "founded_on", "company_kind",
    "listed", "abnormal_list", "dishonest_list",
)
REPORT_FIELDS = (
    "revenue", "sales_revenue", "total_assets", "employees", "st_staff", "rd_expense",
    "st_activity_investment", "high_tech_revenue", "ip_class1", "ip_class2", "total_cost",
)
# what a report version holds: its figures and its valid date
REPORT_KEEPS = (*REPORT_FIELDS, "filed_on")
_FIRM_COLUMNS = "id, " + ", ".join(PROFILE_FIELDS) + ", sequence, created_at, updated_at"


async def insert_firm(conn: DbConn, firm_id: uuid.UUID, fields: dict[str, Any]) -> None:
    cols = ", ".join(fields)
    marks = ", ".join(f"${i}" for i in range(2, len(fields) + 2))
    await conn.execute(
        f"INSERT INTO firms (id, {cols}) VALUES ($1, {marks})", firm_id, *fields.values()
    )


async def firm_by_uscc(conn: DbConn | asyncpg.Pool, uscc: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_FIRM_COLUMNS} FROM firms WHERE uscc = $1", uscc)


async def firm(
    conn: DbConn | asyncpg.Pool, firm_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record | None:
    """One firm; `lock` serialises writers of the same firm for the transaction."""
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(f"SELECT {_FIRM_COLUMNS} FROM firms WHERE id = $1{suffix}", firm_id)


async def list_firms(
    pool: asyncpg.Pool, *, district: str | None, industry: str | None, q: str | None,
    after_row: int, limit: int,
) -> list[asyncpg.Record]:
    return await pool.fetch(
        f"SELECT row_no, {_FIRM_COLUMNS} FROM firms"
        " WHERE row_no > $1 AND ($2::text IS NULL OR district = $2)"
        " AND ($3::text IS NULL OR industry = $3)"
        " AND ($4::text IS NULL OR name ILIKE '%' || $4 || '%' OR uscc = upper($4))"
        " ORDER BY row_no LIMIT $5",
        after_row, district, industry, q, limit,
    )


async def update_firm(conn: DbConn, firm_id: uuid.UUID, fields: dict[str, Any]) -> None:
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    await conn.execute(
        f"UPDATE firms SET {sets}, updated_at = now() WHERE id = $1", firm_id, *fields.values()
    )


async def set_sequence(conn: DbConn, firm_id: uuid.UUID, sequence: int) -> None:
    await conn.execute(
        "UPDATE firms SET sequence = $2, updated_at = now() WHERE id = $1", firm_id, sequence
    )


async def report(
    conn: DbConn | asyncpg.Pool, firm_id: uuid.UUID, fiscal_year: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM annual_reports WHERE firm_id = $1 AND fiscal_year = $2", firm_id, fiscal_year
    )


async def reports(pool: asyncpg.Pool, firm_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT * FROM annual_reports WHERE firm_id = $1 ORDER BY fiscal_year", firm_id
    )


async def earliest_report_year(conn: DbConn, firm_id: uuid.UUID) -> int | None:
    year: int | None = await conn.fetchval(
        "SELECT min(fiscal_year) FROM annual_reports WHERE firm_id = $1", firm_id
    )
    return year


async def insert_report(
    conn: DbConn, firm_id: uuid.UUID, fiscal_year: int, data: dict[str, Any]
) -> None:
    cols = ", ".join(REPORT_KEEPS)
    marks = ", ".join(f"${i}" for i in range(3, len(REPORT_KEEPS) + 3))
    await conn.execute(
        f"INSERT INTO annual_reports (firm_id, fiscal_year, {cols}) VALUES ($1, $2, {marks})",
        firm_id, fiscal_year, *(data[f] for f in REPORT_KEEPS),
    )


async def replace_report(
    conn: DbConn, old: asyncpg.Record, data: dict[str, Any]
) -> None:
    """Keep the old version in history, then overwrite."""
    await conn.execute(
        "INSERT INTO annual_report_history (firm_id, fiscal_year, version, data)"
        " VALUES ($1, $2, $3, $4)",
        old["firm_id"], old["fiscal_year"], old["version"],
        {**{f: old[f] for f in REPORT_FIELDS}, "filed_on": old["filed_on"].isoformat()},
    )
    sets = ", ".join(f"{f} = ${i}" for i, f in enumerate(REPORT_KEEPS, start=3))
    await conn.execute(
        f"UPDATE annual_reports SET {sets}, version = version + 1, updated_at = now()"
        " WHERE firm_id = $1 AND fiscal_year = $2",
        old["firm_id"], old["fiscal_year"], *(data[f] for f in REPORT_KEEPS),
    )


async def report_history(
    pool: asyncpg.Pool, firm_id: uuid.UUID, fiscal_year: int
) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT version, data, replaced_at FROM annual_report_history"
        " WHERE firm_id = $1 AND fiscal_year = $2 ORDER BY version",
        firm_id, fiscal_year,
    )


async def same_funding_round(
    conn: DbConn, firm_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM funding_rounds WHERE firm_id = $1 AND closed_on = $2 AND amount = $3"
        " AND currency = $4 AND post_money_valuation = $5 AND investor_kind = $6",
        firm_id, fields["closed_on"], fields["amount"], fields["currency"],
        fields["post_money_valuation"], fields["investor_kind"],
    )


async def insert_funding_round(
    conn: DbConn, round_id: uuid.UUID, firm_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "INSERT INTO funding_rounds (id, firm_id, closed_on, amount, currency,"
        " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        round_id, firm_id, fields["closed_on"], fields["amount"], fields["currency"],
        fields["post_money_valuation"], fields["investor_kind"],
    )
    assert row is not None  # RETURNING always yields the row
    return row


async def funding_rounds(pool: asyncpg.Pool, firm_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT * FROM funding_rounds WHERE firm_id = $1 ORDER BY closed_on, recorded_at", firm_id
    )


async def same_certificate(
    conn: DbConn, firm_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM certificates WHERE firm_id = $1 AND kind = $2 AND issued_on = $3"
        " AND number IS NOT DISTINCT FROM $4 AND revoked_on IS NULL",
        firm_id, fields["kind"], fields["issued_on"], fields["number"],
    )


async def insert_certificate(
    conn: DbConn, cert_id: uuid.UUID, firm_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "INSERT INTO certificates (id, firm_id, kind, issued_on, expires_on, number)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        cert_id, firm_id, fields["kind"], fields["issued_on"], fields["expires_on"],
        fields["number"],
    )
    assert row is not None  # RETURNING always yields the row
    return row


async def certificate(
    conn: DbConn, firm_id: uuid.UUID, cert_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM certificates WHERE firm_id = $1 AND id = $2", firm_id, cert_id
    )


async def revoke_certificate(
    conn: DbConn, cert_id: uuid.UUID, revoked_on: date, reason: str | None
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE certificates SET revoked_on = $2, revoke_reason = $3 WHERE id = $1 RETURNING *",
        cert_id, revoked_on, reason,
    )
    assert row is not None  # RETURNING always yields the row
    return row


async def certificates(pool: asyncpg.Pool, firm_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT * FROM certificates WHERE firm_id = $1 ORDER BY issued_on, granted_at", firm_id
    )


async def events(
    pool: asyncpg.Pool, subject: str, after_sequence: int, limit: int
) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT payload, published_at FROM outbox WHERE subject = $1 AND sequence > $2"
        " ORDER BY sequence LIMIT $3",
        subject, after_sequence, limit,
    )


async def create_import(
    conn: DbConn | asyncpg.Pool, import_id: uuid.UUID, kind: str, total: int, actor: str
) -> None:
    await conn.execute(
        "INSERT INTO imports (id, kind, status, total_rows, actor) VALUES ($1, $2, 'running', $3, $4)",
        import_id, kind, total, actor,
    )


async def finish_import(
    pool: asyncpg.Pool, import_id: uuid.UUID, *, applied: int, unchanged: int,
    errors: list[dict[str, Any]], status: str,
) -> None:
    await pool.execute(
        "UPDATE imports SET status = $2, applied = $3, unchanged = $4, errors = $5,"
        " finished_at = now() WHERE id = $1",
        import_id, status, applied, unchanged, errors,
    )


async def import_job(pool: asyncpg.Pool, import_id: uuid.UUID) -> asyncpg.Record | None:
    return await pool.fetchrow("SELECT * FROM imports WHERE id = $1", import_id)
