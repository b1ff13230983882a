"""Funding rounds and certificates: recorded once, replays answered with what is stored."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from registry.domain.models import CertificateIn, CertificateRevokeIn, FundingRoundIn
from registry.domain.results import Stored
from registry.handlers.common import locked_firm, new_batch, record
from registry.repository import EventBatch, Row, UnitOfWork
from shared.auth import Ctx
from shared.errors import NotFound, Rejected
from shared.events import (
    CertificateGranted,
    CertificateGrantedData,
    CertificateRevoked,
    CertificateRevokedData,
    FundingRoundRecorded,
    FundingRoundRecordedData,
)


def check_round(firm: Row, fields: dict[str, Any]) -> None:
    """The rules a round meets beyond its own fields: it closed after the firm was founded."""
    if fields["closed_on"] < firm["founded_on"]:
        raise Rejected("closed_on", "after_founding", "a round cannot close before founding")


def round_recorded(batch: EventBatch, firm: Row, round_id: uuid.UUID,
                   fields: dict[str, Any]) -> None:
    """A recorded round's event and audit entry."""
    batch.event(firm, FundingRoundRecorded,
                FundingRoundRecordedData(firm_id=firm["id"], round_id=round_id, **fields))
    batch.audit("funding_round.record", str(firm["id"]), after=fields)


def check_certificate(firm: Row, fields: dict[str, Any]) -> None:
    """The rules a certificate meets beyond its own fields: issued after the founding."""
    if fields["issued_on"] < firm["founded_on"]:
        raise Rejected("issued_on", "after_founding",
                       "a certificate cannot be issued before the firm was founded")


def certificate_granted(batch: EventBatch, firm: Row, cert_id: uuid.UUID,
                        fields: dict[str, Any]) -> None:
    """A granted certificate's event and audit entry."""
    batch.event(firm, CertificateGranted,
                CertificateGrantedData(firm_id=firm["id"], certificate_id=cert_id, **fields))
    batch.audit("certificate.grant", str(firm["id"]), after=fields)


async def record_funding_round(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID,
                               body: FundingRoundIn) -> tuple[Stored, bool]:
    """Record a round; (round, created). An identical replay answers the stored one."""
    fields = body.model_dump()
    async with uow:
        firm = await locked_firm(uow, firm_id)
        check_round(firm, fields)
        same = await uow.repo.same_funding_round(firm_id, fields)
        if same is not None:
            return Stored(same, firm["sequence"]), False
        round_id = uuid.uuid4()
        stored = await uow.repo.insert_funding_round(round_id, firm_id, fields)
        batch = new_batch(ctx)
        round_recorded(batch, firm, round_id, fields)
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"]), True


async def grant_certificate(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID,
                            body: CertificateIn) -> tuple[Stored, bool]:
    """Record a certificate or award; (certificate, created). An identical replay is a no-op."""
    fields = body.model_dump()
    async with uow:
        firm = await locked_firm(uow, firm_id)
        check_certificate(firm, fields)
        same = await uow.repo.same_certificate(firm_id, fields)
        if same is not None:
            return Stored(same, firm["sequence"]), False
        cert_id = uuid.uuid4()
        stored = await uow.repo.insert_certificate(cert_id, firm_id, fields)
        batch = new_batch(ctx)
        certificate_granted(batch, firm, cert_id, fields)
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"]), True


async def revoke_certificate(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID,
                             cert_id: uuid.UUID, body: CertificateRevokeIn, *,
                             today: date) -> Stored:
    """Revoke a certificate (idempotent: revoking twice keeps the first revocation)."""
    async with uow:
        firm = await locked_firm(uow, firm_id)
        cert = await uow.repo.certificate(firm_id, cert_id)
        if cert is None:
            raise NotFound(f"firm {firm_id} has no certificate {cert_id}")
        if cert["revoked_on"] is not None:
            return Stored(cert, firm["sequence"])
        revoked_on = body.revoked_on or today
        if revoked_on < cert["issued_on"]:
            raise Rejected("revoked_on", "after_issue", "revoked_on cannot be before issued_on")
        stored = await uow.repo.revoke_certificate(cert_id, revoked_on, body.reason)
        batch = new_batch(ctx)
        batch.event(firm, CertificateRevoked, CertificateRevokedData(
            firm_id=firm_id, certificate_id=cert_id, kind=cert["kind"], revoked_on=revoked_on,
            reason=body.reason))
        batch.audit("certificate.revoke", str(firm_id), before=cert, after=stored)
        firm = await record(uow, batch, firm_id)
    return Stored(stored, firm["sequence"])
