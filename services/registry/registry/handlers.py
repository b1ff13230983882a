"""Registry use cases: each change and its event in one transaction (transactional outbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from registry import repository as repo
from registry.domain.models import (
    AnnualReportIn,
    CertificateIn,
    CertificateRevokeIn,
    FirmIn,
    FirmPatch,
    FundingRoundIn,
)
from shared import audit, outbox
from shared.db import DbConn
from shared.errors import Conflict, NotFound, Rejected
from shared.events import FirmProfile
from shared.topics import FIRM_EVENTS

PRODUCER = "registry"
FLAGS = ("abnormal_list", "dishonest_list", "listed")


@dataclass(frozen=True, slots=True)
class Ctx:
    """Who asks, and the id that ties the resulting events to the request."""

    actor: str
    correlation_id: str | None = None


def firm_view(row: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    """A firm as the API shows it."""
    keys = ("id", *repo.PROFILE_FIELDS, "sequence", "created_at", "updated_at")
    return {k: row[k] for k in keys}


def _profile(row: asyncpg.Record | dict[str, Any]) -> FirmProfile:
    return FirmProfile(id=row["id"], **{k: row[k] for k in repo.PROFILE_FIELDS})


async def _emit(conn: DbConn, ctx: Ctx, firm_id: uuid.UUID, event_type: str,
                data: Any) -> int:
    event = await outbox.append(
        conn, topic=FIRM_EVENTS, event_type=event_type, producer=PRODUCER,
        subject=str(firm_id), data=data, correlation_id=ctx.correlation_id,
    )
    await repo.set_sequence(conn, firm_id, event.sequence)
    return event.sequence


async def _locked_firm(conn: DbConn, firm_id: uuid.UUID) -> asyncpg.Record:
    row = await repo.firm(conn, firm_id, lock=True)
    if row is None:
        raise NotFound(f"no firm with id {firm_id}")
    return row


async def register_firm(pool: asyncpg.Pool, ctx: Ctx, body: FirmIn) -> tuple[dict[str, Any], bool]:
    """Register a firm; (firm, created). The same USCC with identical data is a no-op replay."""
    async with pool.acquire() as conn, conn.transaction():
        return await register_firm_in(conn, ctx, body)


async def register_firm_in(
    conn: DbConn, ctx: Ctx, body: FirmIn
) -> tuple[dict[str, Any], bool]:
    """`register_firm` inside the caller's transaction."""
    fields = body.model_dump()
    existing = await repo.firm_by_uscc(conn, body.uscc)
    if existing is not None:
        if all(existing[k] == v for k, v in fields.items()):
            return firm_view(existing), False
        raise Conflict(
            f"a firm with USCC {body.uscc} is already registered",
            existing_firm_id=str(existing["id"]), existing_name=existing["name"],
        )
    firm_id = uuid.uuid4()
    await repo.insert_firm(conn, firm_id, fields)
    await _emit(conn, ctx, firm_id, "FirmRegistered", {"firm": {"id": firm_id, **fields}})
    await audit.record(conn, actor=ctx.actor, action="firm.register", subject=str(firm_id),
                       after=fields, correlation_id=ctx.correlation_id)
    row = await repo.firm(conn, firm_id)
    return firm_view(row), True  # type: ignore[arg-type]


async def patch_firm(pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, body: FirmPatch) -> dict[str, Any]:
    """Change profile fields and compliance flags; one event per kind of change."""
    wanted = body.changes()
    effective_on = body.effective_on or date.today()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked_firm(conn, firm_id)
        changes = {k: v for k, v in wanted.items() if row[k] != v}
        if not changes:
            return firm_view(row)
        if "founded_on" in changes:
            first = await repo.earliest_report_year(conn, firm_id)
            if first is not None and changes["founded_on"].year > first:
                raise Rejected("founded_on", "before_reports",
                               f"the firm has a report for fiscal year {first}; "
                               "it cannot be founded after that year")
        founded = changes.get("founded_on", row["founded_on"])
        if effective_on < founded:
            raise Rejected("effective_on", "after_founding",
                           f"effective_on {effective_on} is before the firm was founded ({founded})")
        await repo.update_firm(conn, firm_id, changes)
        after = {**dict(row), **changes}
        profile_changes = {k: v for k, v in changes.items() if k not in FLAGS}
        if profile_changes:
            await _emit(conn, ctx, firm_id, "FirmProfileChanged", {
                "firm": _profile(after),
                "changed": {k: {"before": row[k], "after": v} for k, v in profile_changes.items()},
                "effective_on": effective_on,
            })
        for flag in FLAGS:
            if flag in changes:
                await _emit(conn, ctx, firm_id, "ComplianceFlagChanged",
                            {"firm_id": firm_id, "flag": flag, "value": changes[flag],
                             "effective_on": effective_on})
        await audit.record(conn, actor=ctx.actor, action="firm.update", subject=str(firm_id),
                           before={k: row[k] for k in changes},
                           after={**changes, "effective_on": effective_on},
                           correlation_id=ctx.correlation_id)
        return firm_view(await repo.firm(conn, firm_id))  # type: ignore[arg-type]


def _check_year(row: asyncpg.Record, fiscal_year: int) -> None:
    if fiscal_year < row["founded_on"].year:
        raise Rejected("fiscal_year", "after_founding",
                       f"fiscal year {fiscal_year} is before the firm was founded "
                       f"({row['founded_on'].isoformat()})")
    if fiscal_year > date.today().year:
        raise Rejected("fiscal_year", "not_future",
                       f"fiscal year {fiscal_year} is after the current year {date.today().year}")


def _filed_on(fiscal_year: int, given: date | None, old: asyncpg.Record | None) -> date:
    """The report's valid date: given, else the stored one (a restatement corrects that
    filing), else today; never before 1 January of FY+1."""
    filed_on = given or (old["filed_on"] if old is not None else date.today())
    if filed_on < date(fiscal_year + 1, 1, 1):
        raise Rejected("filed_on", "after_fiscal_year",
                       f"filed_on {filed_on} is before the end of fiscal year {fiscal_year}: "
                       f"a report for FY{fiscal_year} is filed on {fiscal_year + 1}-01-01 or later")
    return filed_on


async def file_report(
    pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, fiscal_year: int, body: AnnualReportIn,
) -> tuple[dict[str, Any], str]:
    """File or restate a year's report; ('filed' | 'restated' | 'unchanged')."""
    async with pool.acquire() as conn, conn.transaction():
        return await file_report_in(conn, ctx, firm_id, fiscal_year, body)


async def file_report_in(
    conn: DbConn, ctx: Ctx, firm_id: uuid.UUID, fiscal_year: int,
    body: AnnualReportIn,
) -> tuple[dict[str, Any], str]:
    """`file_report` inside the caller's transaction."""
    row = await _locked_firm(conn, firm_id)
    _check_year(row, fiscal_year)
    old = await repo.report(conn, firm_id, fiscal_year)
    data = {**body.figures(), "filed_on": _filed_on(fiscal_year, body.filed_on, old)}
    if old is not None and all(old[f] == data[f] for f in repo.REPORT_KEEPS):
        return _report_view(old, row["sequence"]), "unchanged"
    payload = {"fiscal_year": fiscal_year, **data}
    if old is None:
        await repo.insert_report(conn, firm_id, fiscal_year, data)
        sequence = await _emit(conn, ctx, firm_id, "AnnualReportFiled",
                               {"firm_id": firm_id, "report": payload})
        status = "filed"
    else:
        await repo.replace_report(conn, old, data)
        previous = {f: old[f] for f in repo.REPORT_KEEPS}
        sequence = await _emit(conn, ctx, firm_id, "AnnualReportRestated", {
            "firm_id": firm_id, "report": payload,
            "previous": {"fiscal_year": fiscal_year, **previous},
        })
        status = "restated"
    await audit.record(conn, actor=ctx.actor, action=f"report.{status}",
                       subject=f"{firm_id}/{fiscal_year}",
                       before=None if old is None else {f: old[f] for f in repo.REPORT_KEEPS},
                       after=data, correlation_id=ctx.correlation_id)
    new = await repo.report(conn, firm_id, fiscal_year)
    return _report_view(new, sequence), status  # type: ignore[arg-type]


def _report_view(row: asyncpg.Record, sequence: int) -> dict[str, Any]:
    keys = ("firm_id", "fiscal_year", *repo.REPORT_KEEPS, "version", "filed_at", "updated_at")
    return {**{k: row[k] for k in keys}, "sequence": sequence}


async def record_funding_round(
    pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, body: FundingRoundIn
) -> tuple[dict[str, Any], bool]:
    """Record a round; an identical replay returns the stored one without a new event."""
    fields = body.model_dump()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked_firm(conn, firm_id)
        if fields["closed_on"] < row["founded_on"]:
            raise Rejected("closed_on", "after_founding", "a round cannot close before founding")
        same = await repo.same_funding_round(conn, firm_id, fields)
        if same is not None:
            return {**dict(same), "sequence": row["sequence"]}, False
        round_id = uuid.uuid4()
        stored = await repo.insert_funding_round(conn, round_id, firm_id, fields)
        sequence = await _emit(conn, ctx, firm_id, "FundingRoundRecorded",
                               {"firm_id": firm_id, "round_id": round_id, **fields})
        await audit.record(conn, actor=ctx.actor, action="funding_round.record",
                           subject=str(firm_id), after=fields, correlation_id=ctx.correlation_id)
    return {**dict(stored), "sequence": sequence}, True


async def grant_certificate(
    pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, body: CertificateIn
) -> tuple[dict[str, Any], bool]:
    """Record a certificate or award; an identical replay is a no-op."""
    fields = body.model_dump()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked_firm(conn, firm_id)
        if fields["issued_on"] < row["founded_on"]:
            raise Rejected("issued_on", "after_founding",
                           "a certificate cannot be issued before the firm was founded")
        same = await repo.same_certificate(conn, firm_id, fields)
        if same is not None:
            return {**dict(same), "sequence": row["sequence"]}, False
        cert_id = uuid.uuid4()
        stored = await repo.insert_certificate(conn, cert_id, firm_id, fields)
        sequence = await _emit(conn, ctx, firm_id, "CertificateGranted",
                               {"firm_id": firm_id, "certificate_id": cert_id, **fields})
        await audit.record(conn, actor=ctx.actor, action="certificate.grant",
                           subject=str(firm_id), after=fields, correlation_id=ctx.correlation_id)
    return {**dict(stored), "sequence": sequence}, True


async def revoke_certificate(
    pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID, cert_id: uuid.UUID,
    body: CertificateRevokeIn,
) -> dict[str, Any]:
    """Revoke a certificate (idempotent: revoking twice keeps the first revocation)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked_firm(conn, firm_id)
        cert = await repo.certificate(conn, firm_id, cert_id)
        if cert is None:
            raise NotFound(f"firm {firm_id} has no certificate {cert_id}")
        if cert["revoked_on"] is not None:
            return {**dict(cert), "sequence": row["sequence"]}
        revoked_on = body.revoked_on or date.today()
        if revoked_on < cert["issued_on"]:
            raise Rejected("revoked_on", "after_issue", "revoked_on cannot be before issued_on")
        stored = await repo.revoke_certificate(conn, cert_id, revoked_on, body.reason)
        sequence = await _emit(conn, ctx, firm_id, "CertificateRevoked", {
            "firm_id": firm_id, "certificate_id": cert_id, "kind": cert["kind"],
            "revoked_on": revoked_on, "reason": body.reason,
        })
        await audit.record(conn, actor=ctx.actor, action="certificate.revoke",
                           subject=str(firm_id), before=dict(cert), after=dict(stored),
                           correlation_id=ctx.correlation_id)
    return {**dict(stored), "sequence": sequence}


async def get_firm(pool: asyncpg.Pool, firm_id: uuid.UUID) -> dict[str, Any]:
    """One firm with its facts."""
    row = await repo.firm(pool, firm_id)
    if row is None:
        raise NotFound(f"no firm with id {firm_id}")
    return {
        **firm_view(row),
        "reports": [dict(r) for r in await repo.reports(pool, firm_id)],
        "funding_rounds": [dict(r) for r in await repo.funding_rounds(pool, firm_id)],
        "certificates": [dict(r) for r in await repo.certificates(pool, firm_id)],
    }
