"""The ladder's own copy of each firm's dated facts, kept from `registry.firm-events`.

Every fact is stored under its own key (report version, round, certificate, change
sequence) and a replayed or reordered event rewrites nothing newer, so the facts, and the
timeline folded from them, do not depend on the order events arrive in.
"""

from __future__ import annotations

import uuid
from datetime import date

from ladder.domain.dated import FLAG_FIELDS
from ladder.repository import Repository
from shared.events import EventEnvelope


class UnknownFirm(Exception):
    """An event about a firm the ladder never saw registered."""


def _recorded_on(event: EventEnvelope) -> date:
    # events written before dated facts carry no valid date: the day they were recorded
    return event.occurred_at.date()


async def project(repo: Repository, event: EventEnvelope) -> uuid.UUID:
    """Apply one registry event to the projection (idempotent); the firm's id."""
    firm_id = uuid.UUID(event.subject)
    data = event.data
    if event.event_type == "FirmRegistered":
        firm = data.firm.model_dump()
        await repo.upsert_firm(firm, event.sequence)
        await repo.add_change(firm_id, event.sequence, firm["founded_on"],
                              {k: firm[k] for k in FLAG_FIELDS})
    elif await repo.last_sequence(firm_id) is None:
        raise UnknownFirm(f"{event.event_type} for firm {firm_id}, which was never registered")
    else:
        await _apply(repo, firm_id, event)
    await repo.set_last_sequence(firm_id, event.sequence)
    return firm_id


async def _apply(repo: Repository, firm_id: uuid.UUID, event: EventEnvelope) -> None:
    data = event.data
    match event.event_type:
        case "FirmProfileChanged":
            await repo.upsert_firm(data.firm.model_dump(), event.sequence)
            changed = {k: v["after"] for k, v in data.changed.items() if k in FLAG_FIELDS}
            if changed:
                await repo.add_change(firm_id, event.sequence,
                                      data.effective_on or _recorded_on(event), changed)
        case "ComplianceFlagChanged":
            await repo.add_change(firm_id, event.sequence,
                                  data.effective_on or _recorded_on(event), {data.flag: data.value})
            await repo.set_flag(firm_id, data.flag, data.value)
        case "AnnualReportFiled" | "AnnualReportRestated":
            report = data.report.model_dump(exclude={"filed_on"})
            await repo.upsert_report(firm_id, report,
                                     data.report.filed_on or _recorded_on(event), event.sequence)
        case "FundingRoundRecorded":
            await repo.insert_round(data.model_dump())
        case "CertificateGranted":
            await repo.insert_certificate(data.model_dump())
        case "CertificateRevoked":
            await repo.revoke_certificate(firm_id, data.certificate_id, data.revoked_on)
        case _:
            raise ValueError(f"the ladder does not know event type {event.event_type}")
