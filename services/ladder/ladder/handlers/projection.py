"""The ladder's own copy of each firm's dated facts, kept from `registry.firm-events`.

Every fact is stored under its own key (report version, round, certificate, change
sequence) and a replayed or reordered event rewrites nothing newer, so the facts, and the
timeline folded from them, do not depend on the order events arrive in. A batch of events
is written statement by statement (one per table), not event by event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from ladder.domain.dated import FLAG_FIELDS
from ladder.repository import FactWrites, Repository
from shared.events import (
    AnnualReportFiled,
    AnnualReportRestated,
    ApplicationStepRecorded,
    ApplicationSubmitted,
    CertificateGranted,
    CertificateRevoked,
    ComplianceFlagChanged,
    EventEnvelope,
    FilingCorrected,
    FilingRecorded,
    FilingRevoked,
    FirmProfileChanged,
    FirmRegistered,
    FundingRoundRecorded,
)

# the registry events the projection keeps
Projected = (FirmRegistered | FirmProfileChanged | ComplianceFlagChanged | AnnualReportFiled
             | AnnualReportRestated | FundingRoundRecorded | CertificateGranted
             | CertificateRevoked | FilingRecorded | FilingCorrected | FilingRevoked
             | ApplicationSubmitted | ApplicationStepRecorded)


class UnknownFirm(Exception):
    """An event about a firm the ladder never saw registered."""


def _recorded_on(event: EventEnvelope[Any]) -> date:
    # events written before dated facts carry no valid date: the day they were recorded
    return event.occurred_at.date()


async def project(repo: Repository, events: Sequence[EventEnvelope[Any]]) -> list[uuid.UUID]:
    """Apply registry events to the projection (idempotent); the firms they are about, in
    the order first seen."""
    firm_ids = list(dict.fromkeys(uuid.UUID(e.subject) for e in events))
    known = await repo.known_firms(firm_ids)
    w = FactWrites()
    for event in events:
        firm_id = uuid.UUID(event.subject)
        if isinstance(event, FirmRegistered):
            firm = event.data.firm.model_dump()
            w.firms.append((firm, event.sequence))
            w.changes.append((firm_id, event.sequence, firm["founded_on"],
                              {k: firm[k] for k in FLAG_FIELDS}))
            known.add(firm_id)
        elif firm_id not in known:
            raise UnknownFirm(f"{event.event_type} for firm {firm_id}, "
                              "which was never registered")
        elif isinstance(event, Projected):
            _collect(w, firm_id, event)
        else:
            raise ValueError(f"the ladder does not know event type {event.event_type}")
        w.last_sequences[firm_id] = max(event.sequence, w.last_sequences.get(firm_id, 0))
    await repo.write_facts(w)
    return firm_ids


def _collect(w: FactWrites, firm_id: uuid.UUID, event: Projected) -> None:
    match event:
        case FirmProfileChanged(data=data):
            w.firms.append((data.firm.model_dump(), event.sequence))
            changed = {k: v["after"] for k, v in data.changed.items() if k in FLAG_FIELDS}
            if changed:
                w.changes.append((firm_id, event.sequence,
                                  data.effective_on or _recorded_on(event), changed))
        case ComplianceFlagChanged(data=data):
            w.changes.append((firm_id, event.sequence, data.effective_on or _recorded_on(event),
                              {data.flag: data.value}))
            w.flags.append((firm_id, data.flag, data.value))
        case AnnualReportFiled(data=data) | AnnualReportRestated(data=data):
            report = data.report.model_dump(exclude={"filed_on"})
            w.reports.append((firm_id, report, data.report.filed_on or _recorded_on(event),
                              event.sequence))
        case FundingRoundRecorded(data=data):
            w.rounds.append(data.model_dump())
        case CertificateGranted(data=data):
            w.certificates.append(data.model_dump())
        case CertificateRevoked(data=data):
            w.revocations.append((firm_id, data.certificate_id, data.revoked_on))
        case FilingRecorded(data=data) | FilingCorrected(data=data):
            w.round.filings.append((firm_id, data.filing.model_dump(), event.sequence))
        case FilingRevoked(data=data):
            w.round.revocations.append((data.filing_id, data.revoked_on))
        case ApplicationSubmitted(data=data):
            w.round.applications.append((firm_id, data.application.model_dump(),
                                         event.sequence))
        case ApplicationStepRecorded(data=data):
            w.round.steps.append((data.model_dump(), event.sequence))
