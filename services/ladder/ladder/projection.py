"""The ladder's own copy of each firm's facts, kept from `registry.firm-events`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ladder import repository as repo
from shared.db import DbConn
from shared.events import EventEnvelope


class UnknownFirm(Exception):
    """An event about a firm the ladder never saw registered."""


@dataclass(frozen=True, slots=True)
class Applied:
    """What projecting one event did."""

    firm_id: uuid.UUID
    stale: bool
    dated_year: int | None = None  # year of a dated fact (round, certificate), if any
    certificate: dict[str, Any] | None = None  # a granted certificate, for target counting


async def project(conn: DbConn, event: EventEnvelope) -> Applied:
    """Apply one registry event to the projection; stale events (by sequence) change nothing."""
    firm_id = uuid.UUID(event.subject)
    data = event.data
    if event.event_type == "FirmRegistered":
        last = await repo.last_sequence(conn, firm_id)
        if last is not None and event.sequence <= last:
            return Applied(firm_id, stale=True)
        await repo.upsert_firm(conn, data.firm.model_dump())
        await repo.set_last_sequence(conn, firm_id, event.sequence)
        return Applied(firm_id, stale=False)
    last = await repo.last_sequence(conn, firm_id)
    if last is None:
        raise UnknownFirm(f"{event.event_type} for firm {firm_id}, which was never registered")
    if event.sequence <= last:
        return Applied(firm_id, stale=True)
    applied = await _apply(conn, firm_id, event)
    await repo.set_last_sequence(conn, firm_id, event.sequence)
    return applied


async def _apply(conn: DbConn, firm_id: uuid.UUID, event: EventEnvelope) -> Applied:
    data = event.data
    match event.event_type:
        case "FirmProfileChanged":
            await repo.upsert_firm(conn, data.firm.model_dump())
        case "ComplianceFlagChanged":
            await repo.set_flag(conn, firm_id, data.flag, data.value)
        case "AnnualReportFiled" | "AnnualReportRestated":
            await repo.upsert_report(conn, firm_id, data.report.model_dump())
        case "FundingRoundRecorded":
            await repo.insert_round(conn, data.model_dump())
            return Applied(firm_id, False, dated_year=data.closed_on.year)
        case "CertificateGranted":
            await repo.insert_certificate(conn, data.model_dump())
            return Applied(firm_id, False, dated_year=data.issued_on.year,
                           certificate=data.model_dump())
        case "CertificateRevoked":
            await repo.revoke_certificate(conn, data.certificate_id, data.revoked_on)
        case _:
            raise ValueError(f"the ladder does not know event type {event.event_type}")
    return Applied(firm_id, stale=False)
