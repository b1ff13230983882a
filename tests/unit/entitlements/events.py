"""Registry events the entitlements service pays on, numbered per firm like the registry's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from shared.events import EventEnvelope, make_event
from tests.factories import firm_payload, report_payload


class Firms:
    """Makes firms' registry events with increasing sequences."""

    def __init__(self) -> None:
        self._sequence: dict[str, int] = defaultdict(int)

    def event(self, event_type: str, firm_id: str, data: dict[str, Any]) -> EventEnvelope:
        """The firm's next event."""
        self._sequence[firm_id] += 1
        return make_event(event_type, producer="registry", subject=firm_id,
                          sequence=self._sequence[firm_id], data=data)

    def registered(self, firm_id: str | None = None, **profile: Any) -> EventEnvelope:
        """A FirmRegistered (district hitech unless told otherwise)."""
        firm_id = firm_id or str(uuid.uuid4())
        body = firm_payload(**{"founded_on": "2016-03-01", "district": "hitech", **profile})
        return self.event("FirmRegistered", firm_id, {"firm": {"id": firm_id, **body}})

    def report(self, firm_id: str, fiscal_year: int, restated: bool = False,
               **fields: Any) -> EventEnvelope:
        """An AnnualReportFiled (or Restated) for `fiscal_year`."""
        report = {"fiscal_year": fiscal_year,
                  **report_payload(filed_on=f"{fiscal_year + 1}-04-15", **fields)}
        if restated:
            return self.event("AnnualReportRestated", firm_id, {
                "firm_id": firm_id, "report": report, "previous": report})
        return self.event("AnnualReportFiled", firm_id, {"firm_id": firm_id, "report": report})

    def filing(self, firm_id: str, tier: str, listed_on: str, filing_id: str | None = None,
               corrected_from: dict[str, Any] | None = None) -> tuple[EventEnvelope, str]:
        """A FilingRecorded (or FilingCorrected when `corrected_from` is given)."""
        filing_id = filing_id or str(uuid.uuid4())
        year = int(listed_on[:4])
        filing = {"filing_id": filing_id, "tier": tier, "listed_on": listed_on,
                  "expires_on": f"{year + 3}{listed_on[4:]}", "list_name": f"{year}年名单",
                  "source": "import"}
        if corrected_from is not None:
            return self.event("FilingCorrected", firm_id, {
                "firm_id": firm_id, "filing": filing,
                "previous": {**filing, **corrected_from}}), filing_id
        return self.event("FilingRecorded", firm_id, {"firm_id": firm_id, "filing": filing}), \
            filing_id

    def filing_revoked(self, firm_id: str, filing_id: str, tier: str,
                       on: str) -> EventEnvelope:
        """A FilingRevoked."""
        return self.event("FilingRevoked", firm_id, {
            "firm_id": firm_id, "filing_id": filing_id, "tier": tier, "revoked_on": on})

    def certificate(self, firm_id: str, kind: str, issued_on: str,
                    certificate_id: str | None = None) -> tuple[EventEnvelope, str]:
        """A CertificateGranted."""
        certificate_id = certificate_id or str(uuid.uuid4())
        return self.event("CertificateGranted", firm_id, {
            "firm_id": firm_id, "certificate_id": certificate_id, "kind": kind,
            "issued_on": issued_on}), certificate_id

    def certificate_revoked(self, firm_id: str, certificate_id: str, kind: str,
                            on: str) -> EventEnvelope:
        """A CertificateRevoked."""
        return self.event("CertificateRevoked", firm_id, {
            "firm_id": firm_id, "certificate_id": certificate_id, "kind": kind,
            "revoked_on": on})

    def applied(self, firm_id: str, tier: str, round_year: int,
                application_id: str | None = None) -> tuple[EventEnvelope, str]:
        """An ApplicationSubmitted for a round."""
        application_id = application_id or str(uuid.uuid4())
        return self.event("ApplicationSubmitted", firm_id, {
            "firm_id": firm_id, "by": "officer:test", "application": {
                "application_id": application_id, "round_year": round_year, "tier": tier,
                "applied_on": f"{round_year}-12-05"}}), application_id

    def step(self, firm_id: str, application_id: str, tier: str, round_year: int, step: str,
             passed: bool | None = None) -> EventEnvelope:
        """An ApplicationStepRecorded."""
        return self.event("ApplicationStepRecorded", firm_id, {
            "firm_id": firm_id, "application_id": application_id, "round_year": round_year,
            "tier": tier, "step": step, "on": f"{round_year}-12-12", "passed": passed,
            "by": "officer:test"})
