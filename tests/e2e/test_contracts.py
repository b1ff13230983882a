"""Contract test: what the three services really publish, in a journey that touches most event
types, validates against the JSON Schema each type exports (`tracker docs schemas`)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.contracts.published import check_published
from tests.e2e.conftest import RunningStack, wait_until
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.e2e
EXPECTED = {
    "FirmRegistered", "FirmProfileChanged", "AnnualReportFiled", "AnnualReportRestated",
    "FundingRoundRecorded", "CertificateGranted", "CertificateRevoked", "TierPromoted",
    "TierRevoked", "TargetProgressChanged", "ComplianceFlagChanged",
}  # alert outcomes (webhook deliveries) and milestones are checked in the runs of the alert
# and ladder journeys: the stack fixture validates every e2e run's topics at its end


def test_every_published_event_fits_its_exported_schema(stack: RunningStack) -> None:
    stack.start()
    year = date.today().year
    fy = year - 1
    with stack.client("registry") as registry, stack.client("ladder") as ladder, \
            stack.client("notifier") as notifier:
        assert ladder.put(f"/v1/targets/{year}", json={"eaglet": 2}).status_code == 200
        officer = notifier.post("/v1/officers", json={
            "name": "王磊", "email": "wang.lei@kjj.dl.gov.cn", "districts": ["hitech"],
            "language": "zh", "channels": []})
        assert officer.status_code == 201, officer.text
        firm = registry.post("/v1/firms", json=firm_payload(founded_on=f"{fy - 4}-03-01")).json()
        url = f"/v1/firms/{firm['id']}"
        # filed on 1 January, so the firm is an eaglet from then on and the dishonesty flag
        # (effective today) revokes it later; facts of one day would count together
        filed = f"{year}-01-01"
        assert registry.put(f"{url}/reports/{fy}", json=report_payload(
            ip_class1=1, filed_on=filed)).status_code == 201
        assert registry.put(f"{url}/reports/{fy}", json=report_payload(
            ip_class1=2, filed_on=filed)).status_code == 200
        assert registry.post(f"{url}/funding-rounds", json={
            "closed_on": f"{fy}-06-01", "amount": 20_000_000, "post_money_valuation": 200_000_000,
            "investor_kind": "vc_pe"}).status_code == 201
        cert = registry.post(f"{url}/certificates", json={
            "kind": "software_enterprise", "issued_on": f"{fy}-02-01"})
        assert cert.status_code == 201, cert.text
        assert registry.post(f"{url}/certificates/{cert.json()['id']}/revoke",
                             json={"reason": "audit"}).status_code == 200
        assert registry.patch(url, json={"name": firm["name"] + "（集团）"}).status_code == 200
        flagged = registry.patch(url, json={"dishonest_list": True})
        assert flagged.status_code == 200

        def demoted() -> bool:
            # all of today's facts make one decision: the day ends on none, and the eaglet
            # decision published on the way is withdrawn by a TierDemoted correction
            r = ladder.get(f"{url}/standing")  # 404 until the ladder has seen the firm
            return (r.status_code == 200 and r.json()["sequence"] >= flagged.json()["sequence"]
                    and r.json()["tier"] == "none")

        try:
            wait_until(demoted, 90, "the dishonesty flag to revoke the filing")
        except AssertionError:
            raise AssertionError(f"history: {ladder.get(f'{url}/history').text[:3000]}") from None
        wait_until(lambda: notifier.get(f"/v1/officers/{officer.json()['id']}/inbox").json().get(
            "items"), 90, "the officer's inbox alert to be delivered")

    seen: set[str] = set()

    def everything_published() -> bool:
        seen.update(check_published(stack.bootstrap))
        return EXPECTED <= seen

    try:
        wait_until(everything_published, 90, "every expected event type on the topics")
    except AssertionError:
        raise AssertionError(f"never published: {sorted(EXPECTED - seen)}") from None

