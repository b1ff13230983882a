"""Contract test: what the three services really publish, in a journey that touches most event
types, validates against the JSON Schema each type exports (`tracker docs schemas`)."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.schemas import Alert, OfficerIn
from registry.domain.models import (
    AnnualReportIn,
    CertificateIn,
    CertificateRevokeIn,
    FirmIn,
    FirmPatch,
    FundingRoundIn,
)
from tests.contracts.published import check_published
from tests.e2e.conftest import RunningStack, eventually, wait_until
from tests.factories import firm_payload, report_payload
from tracker.client import ApiProblem

pytestmark = pytest.mark.e2e
EXPECTED = {
    "FirmRegistered", "FirmProfileChanged", "AnnualReportFiled", "AnnualReportRestated",
    "FundingRoundRecorded", "CertificateGranted", "CertificateRevoked", "TierPromoted",
    "TierRevoked", "TargetProgressChanged", "ComplianceFlagChanged",
}  # alert outcomes (webhook deliveries) and milestones are checked in the runs of the alert
# and ladder journeys: the stack fixture validates every e2e run's topics at its end


async def test_every_published_event_fits_its_exported_schema(stack: RunningStack) -> None:
    stack.start()
    year = date.today().year
    fy = year - 1
    async with stack.registry() as registry, stack.ladder() as ladder, \
            stack.notifier() as notifier:
        assert (await ladder.set_targets(year, {"eaglet": 2})).targets == {"eaglet": 2}
        officer = await notifier.register_officer(OfficerIn.model_validate({
            "name": "王磊", "email": "wang.lei@kjj.dl.gov.cn", "districts": ["hitech"],
            "language": "zh", "channels": []}))
        firm = (await registry.register_firm(
            FirmIn.model_validate(firm_payload(founded_on=f"{fy - 4}-03-01")))).item
        # filed on 1 January, so the firm is an eaglet from then on and the dishonesty flag
        # (effective today) revokes it later; facts of one day would count together
        filed = f"{year}-01-01"
        assert (await registry.file_report(firm.id, fy, AnnualReportIn.model_validate(
            report_payload(ip_class1=1, filed_on=filed)))).outcome == "filed"  # 201
        assert (await registry.file_report(firm.id, fy, AnnualReportIn.model_validate(
            report_payload(ip_class1=2, filed_on=filed)))).outcome == "restated"  # 200

        async def an_eaglet() -> bool:
            # before the later facts: applied in one batch with them, the promotion and the
            # revocation would leave the count where it was, and no TargetProgressChanged
            try:
                return (await ladder.standing(firm.id)).tier == "eaglet"
            except ApiProblem as exc:  # 404 until the ladder has seen the firm
                if exc.status != 404:
                    raise
                return False

        await eventually(an_eaglet, 90, "the report to make the firm an eaglet")
        assert (await registry.record_funding_round(firm.id, FundingRoundIn.model_validate({
            "closed_on": f"{fy}-06-01", "amount": 20_000_000, "post_money_valuation": 200_000_000,
            "investor_kind": "vc_pe"}))).created
        cert = await registry.grant_certificate(firm.id, CertificateIn.model_validate({
            "kind": "software_enterprise", "issued_on": f"{fy}-02-01"}))
        assert cert.created, cert
        revoked = await registry.revoke_certificate(firm.id, cert.item.id,
                                                    CertificateRevokeIn(reason="audit"))
        assert revoked.revoked_on is not None
        renamed = await registry.change_firm(firm.id, FirmPatch(name=firm.name + "（集团）"))
        assert renamed.name == firm.name + "（集团）"
        flagged = await registry.change_firm(firm.id, FirmPatch(dishonest_list=True))
        assert flagged.dishonest_list

        async def demoted() -> bool:
            # all of today's facts make one decision: the day ends on none, and the eaglet
            # decision published on the way is withdrawn by a TierDemoted correction
            try:
                standing = await ladder.standing(firm.id)
            except ApiProblem as exc:  # 404 until the ladder has seen the firm
                if exc.status != 404:
                    raise
                return False
            return standing.sequence >= flagged.sequence and standing.tier == "none"

        try:
            await eventually(demoted, 90, "the dishonesty flag to revoke the filing")
        except AssertionError:
            history = (await ladder.history(firm.id).first()).model_dump_json()
            raise AssertionError(f"history: {history[:3000]}") from None

        async def inbox() -> list[Alert]:
            return (await notifier.inbox(officer.id).first()).items

        await eventually(inbox, 90, "the officer's inbox alert to be delivered")

    seen: set[str] = set()

    def everything_published() -> bool:
        seen.update(check_published(stack.bootstrap))
        return EXPECTED <= seen

    try:
        wait_until(everything_published, 90, "every expected event type on the topics")
    except AssertionError:
        raise AssertionError(f"never published: {sorted(EXPECTED - seen)}") from None

