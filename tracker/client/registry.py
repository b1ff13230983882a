"""The registry's API: firms and the facts filed about them, and CSV imports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from registry.schemas import (
    AnnualReportIn,
    ApplicationIn,
    ApplicationWritten,
    CertificateIn,
    CertificateRevokeIn,
    CertificateWritten,
    FactCorrectionIn,
    FilingIn,
    FilingPatch,
    FilingRevokeIn,
    FilingWritten,
    Firm,
    FirmChanges,
    FirmDetail,
    FirmEvent,
    FirmIn,
    FirmPatch,
    FirmPatched,
    FundingRoundIn,
    FundingRoundWritten,
    ImportJob,
    ImportReport,
    ProfileFact,
    ReportWithHistory,
    ReportWritten,
    StepIn,
)
from shared.codes import District, Industry
from shared.paging import Page
from tracker.client.base import Operation, Recorded, ServiceClient
from tracker.client.paging import Pages

FIRM = "/v1/firms/{firm_id}"
REGISTER_FIRM = Operation("POST", "/v1/firms", Firm)
LIST_FIRMS = Operation("GET", "/v1/firms", Page[Firm])
GET_FIRM = Operation("GET", FIRM, FirmDetail)
CHANGE_FIRM = Operation("PATCH", FIRM, FirmPatched)
FIRM_CHANGES = Operation("GET", FIRM + "/changes", FirmChanges)
CORRECT_FACT = Operation("POST", FIRM + "/changes/{fact_id}/correct", ProfileFact)
FILE_REPORT = Operation("PUT", FIRM + "/reports/{fiscal_year}", ReportWritten)
GET_REPORT = Operation("GET", FIRM + "/reports/{fiscal_year}", ReportWithHistory)
RECORD_ROUND = Operation("POST", FIRM + "/funding-rounds", FundingRoundWritten)
GRANT_CERTIFICATE = Operation("POST", FIRM + "/certificates", CertificateWritten)
REVOKE_CERTIFICATE = Operation("POST", FIRM + "/certificates/{certificate_id}/revoke",
                               CertificateWritten)
FIRM_EVENTS = Operation("GET", FIRM + "/events", Page[FirmEvent])
RECORD_FILING = Operation("POST", FIRM + "/filings", FilingWritten)
CORRECT_FILING = Operation("PATCH", FIRM + "/filings/{filing_id}", FilingWritten)
REVOKE_FILING = Operation("POST", FIRM + "/filings/{filing_id}/revoke", FilingWritten)
SUBMIT_APPLICATION = Operation("POST", FIRM + "/applications", ApplicationWritten)
RECORD_STEP = Operation("POST", FIRM + "/applications/{application_id}/steps",
                        ApplicationWritten)
IMPORT = Operation("POST", "/v1/imports", ImportReport)
GET_IMPORT = Operation("GET", "/v1/imports/{import_id}", ImportJob)

ImportKind = Literal["firms", "reports", "filings", "applications", "funding_rounds",
                     "certificates"]


class Registry(ServiceClient):
    """The registry: register firms, file their reports, rounds and certificates, import CSV."""

    async def register_firm(self, firm: FirmIn) -> Recorded[Firm]:
        """POST /v1/firms (an identical firm again is not created: `created` False)."""
        return await self._record(REGISTER_FIRM, body=firm)

    def firms(self, *, district: District | None = None, industry: Industry | None = None,
              q: str | None = None, limit: int | None = None) -> Pages[Firm]:
        """GET /v1/firms: firms filtered by district, industry, or name/USCC (`q`)."""
        return self._pages(LIST_FIRMS, district=district, industry=industry, q=q, limit=limit)

    async def firm(self, firm_id: uuid.UUID | str, *, as_of: date | None = None) -> FirmDetail:
        """GET /v1/firms/{id}: the firm with every fact held about it (its profile and flags
        as they stood on `as_of`, default today)."""
        params = {"as_of": as_of.isoformat()} if as_of is not None else None
        return await self._call(GET_FIRM, {"firm_id": firm_id}, params=params)

    async def change_firm(self, firm_id: uuid.UUID | str, patch: FirmPatch) -> FirmPatched:
        """PATCH /v1/firms/{id}: the profile fields and compliance flags set in `patch`, valid
        from its `effective_on`; each field's fact recorded or found unchanged."""
        return await self._call(CHANGE_FIRM, {"firm_id": firm_id}, body=patch)

    async def firm_changes(self, firm_id: uuid.UUID | str) -> FirmChanges:
        """GET /v1/firms/{id}/changes: the profile and flag facts with their valid dates."""
        return await self._call(FIRM_CHANGES, {"firm_id": firm_id})

    async def correct_fact(self, firm_id: uuid.UUID | str, fact_id: uuid.UUID | str,
                           correction: FactCorrectionIn) -> Recorded[ProfileFact]:
        """POST a fact's true valid date (`created` False when it already had it)."""
        return await self._record(CORRECT_FACT, {"firm_id": firm_id, "fact_id": fact_id},
                                  body=correction)

    async def file_report(self, firm_id: uuid.UUID | str, fiscal_year: int,
                          report: AnnualReportIn) -> ReportWritten:
        """PUT a year's annual report: filed, restated, or unchanged (its `outcome`)."""
        return await self._call(FILE_REPORT, {"firm_id": firm_id, "fiscal_year": fiscal_year},
                                body=report)

    async def report(self, firm_id: uuid.UUID | str, fiscal_year: int) -> ReportWithHistory:
        """GET a year's report with its earlier versions."""
        return await self._call(GET_REPORT, {"firm_id": firm_id, "fiscal_year": fiscal_year})

    async def record_funding_round(self, firm_id: uuid.UUID | str,
                                   funding_round: FundingRoundIn) -> Recorded[FundingRoundWritten]:
        """POST a funding round (an identical replay: `created` False)."""
        return await self._record(RECORD_ROUND, {"firm_id": firm_id}, body=funding_round)

    async def grant_certificate(self, firm_id: uuid.UUID | str,
                                certificate: CertificateIn) -> Recorded[CertificateWritten]:
        """POST a certificate or award (an identical replay: `created` False)."""
        return await self._record(GRANT_CERTIFICATE, {"firm_id": firm_id}, body=certificate)

    async def revoke_certificate(self, firm_id: uuid.UUID | str,
                                 certificate_id: uuid.UUID | str,
                                 revocation: CertificateRevokeIn | None = None,
                                 ) -> CertificateWritten:
        """POST .../revoke: the certificate no longer counts."""
        return await self._call(REVOKE_CERTIFICATE,
                                {"firm_id": firm_id, "certificate_id": certificate_id},
                                body=revocation or CertificateRevokeIn())

    def events(self, firm_id: uuid.UUID | str, *, after_sequence: int | None = None,
               limit: int | None = None) -> Pages[FirmEvent]:
        """GET the firm's event history, oldest first, after `after_sequence`."""
        return self._pages(FIRM_EVENTS, {"firm_id": firm_id}, after_sequence=after_sequence,
                     limit=limit)

    async def record_filing(self, firm_id: uuid.UUID | str,
                            filing: FilingIn) -> Recorded[FilingWritten]:
        """POST an official filing (备案); the same list naming the firm again: `created`
        False."""
        return await self._record(RECORD_FILING, {"firm_id": firm_id}, body=filing)

    async def correct_filing(self, firm_id: uuid.UUID | str, filing_id: uuid.UUID | str,
                             patch: FilingPatch) -> FilingWritten:
        """PATCH a filing as recorded."""
        return await self._call(CORRECT_FILING, {"firm_id": firm_id, "filing_id": filing_id},
                                body=patch)

    async def revoke_filing(self, firm_id: uuid.UUID | str, filing_id: uuid.UUID | str,
                            revocation: FilingRevokeIn | None = None) -> FilingWritten:
        """POST .../revoke: the filing no longer counts."""
        return await self._call(REVOKE_FILING, {"firm_id": firm_id, "filing_id": filing_id},
                                body=revocation or FilingRevokeIn())

    async def submit_application(self, firm_id: uuid.UUID | str,
                                 application: ApplicationIn) -> ApplicationWritten:
        """POST an application (申报) in a year's round."""
        return await self._call(SUBMIT_APPLICATION, {"firm_id": firm_id}, body=application)

    async def record_step(self, firm_id: uuid.UUID | str, application_id: uuid.UUID | str,
                          step: StepIn) -> ApplicationWritten:
        """POST an application's next step (a 422 says why one may not follow)."""
        return await self._call(RECORD_STEP,
                                {"firm_id": firm_id, "application_id": application_id},
                                body=step)

    async def import_filings(self, data: bytes, *, filename: str = "list.xlsx") -> ImportReport:
        """POST /v1/imports?kind=filings: the province's list as xlsx (or CSV bytes)."""
        kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if data[:4] == b"PK\x03\x04" else "text/csv")
        return await self._call(IMPORT, params={"kind": "filings"},
                                files={"file": (filename, data, kind)})

    async def import_csv(self, kind: ImportKind, text: str | bytes, *,
                         filename: str = "import.csv") -> ImportReport:
        """POST /v1/imports: a CSV of firms or reports; rejected rows are in `errors`."""
        data = text.encode() if isinstance(text, str) else text
        return await self._call(IMPORT, params={"kind": kind},
                                files={"file": (filename, data, "text/csv")})

    async def import_job(self, import_id: uuid.UUID | str) -> ImportJob:
        """GET an earlier import's report."""
        return await self._call(GET_IMPORT, {"import_id": import_id})
