"""Funding rounds and certificates, through a fake unit of work (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from registry.domain.models import CertificateIn, CertificateRevokeIn, FundingRoundIn
from registry.schemas import Firm
from shared.auth import Ctx
from shared.errors import NotFound, Rejected
from tests.unit.registry.answers import grant_certificate, record_funding_round, revoke_certificate
from tests.unit.registry.conftest import TODAY
from tests.unit.registry.fakes import FakeRegistryUoW

pytestmark = pytest.mark.unit
ROUND = {"closed_on": "2021-05-01", "amount": 20_000_000, "currency": "CNY",
         "post_money_valuation": 300_000_000, "investor_kind": "vc_pe"}
CERT = {"kind": "high_tech_enterprise", "issued_on": "2021-12-01", "number": "GR1"}


async def test_round_recorded_once(uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    body = FundingRoundIn.model_validate(ROUND)
    stored, created = await record_funding_round(uow, ctx, firm.id, body)
    assert created and stored.sequence == 2 and stored.amount == 20_000_000
    again, created = await record_funding_round(uow, ctx, firm.id, body)
    assert not created and again == stored
    assert uow.outbox.types() == ["FirmRegistered", "FundingRoundRecorded"]
    assert uow.outbox.events[-1].data.round_id == stored.id
    assert uow.tables.audit[-1]["action"] == "funding_round.record"


async def test_round_before_founding_is_refused(uow: FakeRegistryUoW, ctx: Ctx,
                                                firm: Firm) -> None:
    body = FundingRoundIn.model_validate({**ROUND, "closed_on": "2015-01-01"})
    with pytest.raises(Rejected) as exc:
        await record_funding_round(uow, ctx, firm.id, body)
    assert exc.value.extra["rule"] == "after_founding"
    assert uow.tables.rounds == {} and uow.rollbacks == 1


async def test_certificate_granted_once_and_revoked_once(uow: FakeRegistryUoW, ctx: Ctx,
                                                         firm: Firm) -> None:
    body = CertificateIn.model_validate(CERT)
    cert, created = await grant_certificate(uow, ctx, firm.id, body)
    assert created and cert.sequence == 2 and cert.revoked_on is None
    replay, created = await grant_certificate(uow, ctx, firm.id, body)
    assert not created and replay == cert
    revoked = await revoke_certificate(uow, ctx, firm.id, cert.id,
                                       CertificateRevokeIn(reason="fraud"), today=TODAY)
    assert (revoked.revoked_on, revoked.revoke_reason, revoked.sequence) == (TODAY, "fraud", 3)
    again = await revoke_certificate(uow, ctx, firm.id, cert.id,
                                     CertificateRevokeIn(revoked_on=date(2024, 1, 1)), today=TODAY)
    assert again.revoked_on == TODAY and again.sequence == 3  # the first revocation stays
    assert uow.outbox.types() == ["FirmRegistered", "CertificateGranted", "CertificateRevoked"]
    assert uow.outbox.events[-1].data.kind == "high_tech_enterprise"
    assert uow.tables.audit[-1]["before"]["revoked_on"] is None


async def test_certificate_refusals(uow: FakeRegistryUoW, ctx: Ctx, firm: Firm) -> None:
    with pytest.raises(Rejected) as early:
        await grant_certificate(uow, ctx, firm.id,
                                CertificateIn.model_validate({**CERT, "issued_on": "2010-01-01"}))
    assert early.value.extra["rule"] == "after_founding"
    cert, _ = await grant_certificate(uow, ctx, firm.id, CertificateIn.model_validate(CERT))
    with pytest.raises(Rejected) as before_issue:
        await revoke_certificate(uow, ctx, firm.id, cert.id,
                                 CertificateRevokeIn(revoked_on=date(2021, 1, 1)), today=TODAY)
    assert before_issue.value.extra == {"field": "revoked_on", "rule": "after_issue"}
    with pytest.raises(NotFound):
        await revoke_certificate(uow, ctx, firm.id, uuid.uuid4(), CertificateRevokeIn(),
                                 today=TODAY)
    assert uow.tables.certificates[cert.id]["revoked_on"] is None
    assert uow.outbox.types() == ["FirmRegistered", "CertificateGranted"]
    assert uow.rollbacks == 3
