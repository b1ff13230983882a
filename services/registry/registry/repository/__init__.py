"""Every SQL statement of the registry, and the unit of work that binds them to a transaction."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Any

import asyncpg

from shared import audit
from shared.db import DbConn, record
from shared.outbox import Outbox
from shared.uow import PgUnitOfWork

PRODUCER = "registry"
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
FIRM_COLUMNS = ("id", *PROFILE_FIELDS, "sequence", "created_at", "updated_at")
_FIRM = ", ".join(FIRM_COLUMNS)
Row = dict[str, Any]


def _one(row: asyncpg.Record | None) -> Row:
    assert row is not None  # RETURNING always yields the row
    return dict(row)


def _all(rows: list[asyncpg.Record]) -> list[Row]:
    return [dict(r) for r in rows]


class Repository:
    """The registry's tables on one connection (a transaction's, or the pool for reads)."""

    def __init__(self, db: DbConn | asyncpg.Pool):
        self.db = db

    # ------------------------------------------------------------------ firms

    async def firm(self, firm_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        """One firm; `lock` serialises writers of the same firm for the transaction."""
        suffix = " FOR UPDATE" if lock else ""
        return record(await self.db.fetchrow(
            f"SELECT {_FIRM} FROM firms WHERE id = $1{suffix}", firm_id))

    async def firm_by_uscc(self, uscc: str) -> Row | None:
        """The firm holding this USCC."""
        return record(await self.db.fetchrow(f"SELECT {_FIRM} FROM firms WHERE uscc = $1", uscc))

    async def insert_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        """A new firm (its sequence is set by its first event)."""
        cols = ", ".join(fields)
        marks = ", ".join(f"${i}" for i in range(2, len(fields) + 2))
        return _one(await self.db.fetchrow(
            f"INSERT INTO firms (id, {cols}) VALUES ($1, {marks}) RETURNING {_FIRM}",
            firm_id, *fields.values()))

    async def update_firm(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row:
        """Change profile fields and flags."""
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
        return _one(await self.db.fetchrow(
            f"UPDATE firms SET {sets}, updated_at = now() WHERE id = $1 RETURNING {_FIRM}",
            firm_id, *fields.values()))

    async def set_sequence(self, firm_id: uuid.UUID, sequence: int) -> Row:
        """Record the firm's latest event; the firm as it is now."""
        return _one(await self.db.fetchrow(
            f"UPDATE firms SET sequence = $2, updated_at = now() WHERE id = $1 RETURNING {_FIRM}",
            firm_id, sequence))

    async def list_firms(self, *, district: str | None, industry: str | None, q: str | None,
                         after_row: int, limit: int) -> list[Row]:
        """Firms in registration order after `after_row`, filtered (with their `row_no`)."""
        return _all(await self.db.fetch(
            f"SELECT row_no, {_FIRM} FROM firms"
            " WHERE row_no > $1 AND ($2::text IS NULL OR district = $2)"
            " AND ($3::text IS NULL OR industry = $3)"
            " AND ($4::text IS NULL OR name ILIKE '%' || $4 || '%' OR uscc = upper($4))"
            " ORDER BY row_no LIMIT $5",
            after_row, district, industry, q, limit))

    # ---------------------------------------------------------------- reports

    async def report(self, firm_id: uuid.UUID, fiscal_year: int) -> Row | None:
        """A year's report, current version."""
        return record(await self.db.fetchrow(
            "SELECT * FROM annual_reports WHERE firm_id = $1 AND fiscal_year = $2",
            firm_id, fiscal_year))

    async def reports(self, firm_id: uuid.UUID) -> list[Row]:
        """Every year's report of a firm, by year."""
        return _all(await self.db.fetch(
            "SELECT * FROM annual_reports WHERE firm_id = $1 ORDER BY fiscal_year", firm_id))

    async def earliest_report_year(self, firm_id: uuid.UUID) -> int | None:
        """The first fiscal year the firm reported, if any."""
        year: int | None = await self.db.fetchval(
            "SELECT min(fiscal_year) FROM annual_reports WHERE firm_id = $1", firm_id)
        return year

    async def insert_report(self, firm_id: uuid.UUID, fiscal_year: int,
                            data: dict[str, Any]) -> Row:
        """A year's first report."""
        cols = ", ".join(REPORT_KEEPS)
        marks = ", ".join(f"${i}" for i in range(3, len(REPORT_KEEPS) + 3))
        return _one(await self.db.fetchrow(
            f"INSERT INTO annual_reports (firm_id, fiscal_year, {cols}) VALUES ($1, $2, {marks})"
            " RETURNING *", firm_id, fiscal_year, *(data[f] for f in REPORT_KEEPS)))

    async def replace_report(self, old: Row, data: dict[str, Any]) -> Row:
        """Keep the old version in history, then overwrite it."""
        await self.db.execute(
            "INSERT INTO annual_report_history (firm_id, fiscal_year, version, data)"
            " VALUES ($1, $2, $3, $4)",
            old["firm_id"], old["fiscal_year"], old["version"],
            {**{f: old[f] for f in REPORT_FIELDS}, "filed_on": old["filed_on"].isoformat()})
        sets = ", ".join(f"{f} = ${i}" for i, f in enumerate(REPORT_KEEPS, start=3))
        return _one(await self.db.fetchrow(
            f"UPDATE annual_reports SET {sets}, version = version + 1, updated_at = now()"
            " WHERE firm_id = $1 AND fiscal_year = $2 RETURNING *",
            old["firm_id"], old["fiscal_year"], *(data[f] for f in REPORT_KEEPS)))

    async def report_history(self, firm_id: uuid.UUID, fiscal_year: int) -> list[Row]:
        """The versions restatements replaced, oldest first."""
        return _all(await self.db.fetch(
            "SELECT version, data, replaced_at FROM annual_report_history"
            " WHERE firm_id = $1 AND fiscal_year = $2 ORDER BY version", firm_id, fiscal_year))

    # ------------------------------------------------- funding rounds, certificates

    async def same_funding_round(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        """A round of the firm identical to `fields`, if recorded before."""
        return record(await self.db.fetchrow(
            "SELECT * FROM funding_rounds WHERE firm_id = $1 AND closed_on = $2 AND amount = $3"
            " AND currency = $4 AND post_money_valuation = $5 AND investor_kind = $6",
            firm_id, fields["closed_on"], fields["amount"], fields["currency"],
            fields["post_money_valuation"], fields["investor_kind"]))

    async def insert_funding_round(self, round_id: uuid.UUID, firm_id: uuid.UUID,
                                   fields: dict[str, Any]) -> Row:
        """Record a round."""
        return _one(await self.db.fetchrow(
            "INSERT INTO funding_rounds (id, firm_id, closed_on, amount, currency,"
            " post_money_valuation, investor_kind) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            round_id, firm_id, fields["closed_on"], fields["amount"], fields["currency"],
            fields["post_money_valuation"], fields["investor_kind"]))

    async def funding_rounds(self, firm_id: uuid.UUID) -> list[Row]:
        """The firm's rounds by closing date."""
        return _all(await self.db.fetch(
            "SELECT * FROM funding_rounds WHERE firm_id = $1 ORDER BY closed_on, recorded_at",
            firm_id))

    async def same_certificate(self, firm_id: uuid.UUID, fields: dict[str, Any]) -> Row | None:
        """A standing certificate of the firm identical to `fields`, if granted before."""
        return record(await self.db.fetchrow(
            "SELECT * FROM certificates WHERE firm_id = $1 AND kind = $2 AND issued_on = $3"
            " AND number IS NOT DISTINCT FROM $4 AND revoked_on IS NULL",
            firm_id, fields["kind"], fields["issued_on"], fields["number"]))

    async def insert_certificate(self, cert_id: uuid.UUID, firm_id: uuid.UUID,
                                 fields: dict[str, Any]) -> Row:
        """Record a certificate or award."""
        return _one(await self.db.fetchrow(
            "INSERT INTO certificates (id, firm_id, kind, issued_on, expires_on, number)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            cert_id, firm_id, fields["kind"], fields["issued_on"], fields["expires_on"],
            fields["number"]))

    async def certificate(self, firm_id: uuid.UUID, cert_id: uuid.UUID) -> Row | None:
        """One certificate of the firm."""
        return record(await self.db.fetchrow(
            "SELECT * FROM certificates WHERE firm_id = $1 AND id = $2", firm_id, cert_id))

    async def revoke_certificate(self, cert_id: uuid.UUID, revoked_on: date,
                                 reason: str | None) -> Row:
        """Mark a certificate revoked."""
        return _one(await self.db.fetchrow(
            "UPDATE certificates SET revoked_on = $2, revoke_reason = $3 WHERE id = $1 RETURNING *",
            cert_id, revoked_on, reason))

    async def certificates(self, firm_id: uuid.UUID) -> list[Row]:
        """The firm's certificates by issue date."""
        return _all(await self.db.fetch(
            "SELECT * FROM certificates WHERE firm_id = $1 ORDER BY issued_on, granted_at",
            firm_id))

    # ------------------------------------------------------- events, audit, imports

    async def events(self, subject: str, after_sequence: int, limit: int) -> list[Row]:
        """The subject's outbox rows after a sequence, in order."""
        return _all(await self.db.fetch(
            "SELECT payload, published_at FROM outbox WHERE subject = $1 AND sequence > $2"
            " ORDER BY sequence LIMIT $3", subject, after_sequence, limit))

    async def audit(self, *, actor: str, action: str, subject: str, before: Any = None,
                    after: Any = None, correlation_id: str | None = None) -> None:
        """One audit entry in this transaction."""
        assert not isinstance(self.db, asyncpg.Pool)  # audit entries go with their change
        await audit.record(self.db, actor=actor, action=action, subject=subject, before=before,
                           after=after, correlation_id=correlation_id)

    async def create_import(self, import_id: uuid.UUID, kind: str, total: int,
                            actor: str) -> None:
        """Record an import as running."""
        await self.db.execute(
            "INSERT INTO imports (id, kind, status, total_rows, actor)"
            " VALUES ($1, $2, 'running', $3, $4)", import_id, kind, total, actor)

    async def finish_import(self, import_id: uuid.UUID, *, applied: int, unchanged: int,
                            errors: list[dict[str, Any]], status: str) -> None:
        """Record what an import did."""
        await self.db.execute(
            "UPDATE imports SET status = $2, applied = $3, unchanged = $4, errors = $5,"
            " finished_at = now() WHERE id = $1",
            import_id, status, applied, unchanged, errors)

    async def import_job(self, import_id: uuid.UUID) -> Row | None:
        """An import as recorded."""
        return record(await self.db.fetchrow("SELECT * FROM imports WHERE id = $1", import_id))


class UnitOfWork(PgUnitOfWork):
    """One transaction with the registry's repository and outbox bound to it."""

    repo: Repository
    outbox: Outbox

    def bind(self, conn: DbConn) -> None:
        """Handlers reach the tables and the outbox through this transaction's connection."""
        self.repo = Repository(conn)
        self.outbox = Outbox(conn, PRODUCER)

    def savepoint(self) -> AbstractAsyncContextManager[Any]:
        """A nested transaction: what fails inside it is undone alone."""
        return self.conn.transaction()
