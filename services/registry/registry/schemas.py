"""The registry's public contract: what its API answers (one model per response shape, with
examples for OpenAPI) and, re-exported, the request bodies it takes.

Request bodies carry domain rules and are defined in `registry.domain.models`; clients import
them from here, so nothing outside the service reaches into its domain.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from registry.domain import application_import as _applications
from registry.domain import models as _requests
from registry.domain import results
from shared.codes import (
    CertificateKind,
    CompanyKind,
    Currency,
    District,
    FiledTier,
    Industry,
    InvestorKind,
    UnicornGrade,
)
from shared.events import FIRM_ID_EXAMPLE, AnnualReportFiled

# the request bodies, defined with their rules in the domain
AnnualReportIn = _requests.AnnualReportIn
CertificateIn = _requests.CertificateIn
CertificateRevokeIn = _requests.CertificateRevokeIn
FirmIn = _requests.FirmIn
FirmPatch = _requests.FirmPatch
FactCorrectionIn = _requests.FactCorrectionIn
FundingRoundIn = _requests.FundingRoundIn
FilingIn = _requests.FilingIn
FilingPatch = _requests.FilingPatch
FilingRevokeIn = _requests.FilingRevokeIn
ApplicationIn = _requests.ApplicationIn
StepIn = _requests.StepIn
# the columns of `POST /v1/imports?kind=applications`
APPLICATION_COLUMNS = _applications.APPLICATION_COLUMNS

ReportOutcome = results.ReportOutcome
ImportKind = Literal["firms", "reports", "filings", "applications", "funding_rounds",
                     "certificates"]
ImportStatus = results.ImportStatus
_AT = "2026-03-02T08:15:30.123456Z"


class Written(BaseModel):
    """What every write answers beside the stored fact: the firm's sequence after it."""

    sequence: int = Field(description="The firm's event sequence after this request (a no-op "
                          "replay answers the current one)", examples=[3])

    @classmethod
    def of(cls, stored: results.Stored) -> Self:
        """The answer to a write that stored (or found) this row."""
        return cls(**stored.row, sequence=stored.sequence)


class Firm(BaseModel):
    """A firm's profile and compliance flags as the registry holds them."""

    id: uuid.UUID = Field(description="The firm's id", examples=[FIRM_ID_EXAMPLE])
    uscc: str = Field(description="统一社会信用代码, 18 characters",
                      examples=["91350100M000100Y43"])
    name: str = Field(examples=["大连星海智造科技有限公司"])
    district: District = Field(examples=["hitech"])
    industry: Industry = Field(examples=["next_gen_it"])
    founded_on: date = Field(examples=["2018-03-01"])
    company_kind: CompanyKind = Field(examples=["independent"])
    listed: bool = Field(description="Listed on a stock exchange", examples=[False])
    abnormal_list: bool = Field(description="经营异常名录", examples=[False])
    dishonest_list: bool = Field(description="严重违法失信名单", examples=[False])
    sequence: int = Field(description="Sequence of the firm's latest event", examples=[3])
    created_at: datetime = Field(description="When it was registered", examples=[_AT])
    updated_at: datetime = Field(description="When it last changed", examples=[_AT])


class ReportFigures(BaseModel):
    """One fiscal year's figures and their filing day (docs/rulebook.md "Evaluation inputs")."""

    revenue: int = Field(description="营业收入, yuan", examples=[30_000_000])
    sales_revenue: int = Field(description="销售收入, yuan", examples=[29_000_000])
    total_assets: int = Field(description="资产总额, yuan", examples=[40_000_000])
    employees: int = Field(description="职工总数", examples=[120])
    st_staff: int = Field(description="科技人员", examples=[40])
    rd_expense: int = Field(description="研发费用, yuan", examples=[2_400_000])
    st_activity_investment: int = Field(description="科技活动投入, yuan", examples=[2_700_000])
    high_tech_revenue: int = Field(description="高新技术产品(服务)收入, yuan",
                                   examples=[20_000_000])
    ip_class1: int = Field(description="I类知识产权 (valid)", examples=[2])
    ip_class2: int = Field(description="II类知识产权 (valid)", examples=[5])
    total_cost: int | None = Field(default=None, description="成本费用总额, yuan (optional)",
                                   examples=[None])
    filed_on: date | None = Field(
        default=None, description="The day the firm submitted this version (absent on versions "
        "replaced before dated facts)", examples=["2022-04-15"])


class Report(ReportFigures):
    """A fiscal year's annual report as stored: its current version."""

    firm_id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    fiscal_year: int = Field(examples=[2021])
    filed_on: date = Field(description="The day the firm submitted this version",
                           examples=["2022-04-15"])
    version: int = Field(description="1 when filed, +1 per restatement", examples=[1])
    filed_at: datetime = Field(description="When it was first recorded", examples=[_AT])
    updated_at: datetime = Field(description="When its current version was recorded",
                                 examples=[_AT])


class ReportWritten(Report, Written):
    """The report after a PUT, and what the PUT did."""

    outcome: ReportOutcome = Field(description="filed (201), restated (200) or unchanged (200)",
                                   examples=["filed"])

    @classmethod
    def of_report(cls, stored: results.ReportStored) -> Self:
        """The answer to a PUT of a report."""
        return cls(**stored.row, sequence=stored.sequence, outcome=stored.outcome)


class ReportVersion(BaseModel):
    """A version of a report that a restatement replaced."""

    version: int = Field(examples=[1])
    data: ReportFigures
    replaced_at: datetime = Field(description="When the restatement replaced it", examples=[_AT])


class ReportWithHistory(Report):
    """A year's report with every version it replaced, oldest first."""

    history: list[ReportVersion]


class FundingRound(BaseModel):
    """A closed funding round."""

    id: uuid.UUID = Field(examples=["0b6f4a3e-5c8d-4e2f-9a1b-7c3d5e6f8a90"])
    firm_id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    closed_on: date = Field(examples=["2021-05-01"])
    amount: int = Field(description="Amount raised, in `currency` units", examples=[20_000_000])
    currency: Currency = Field(examples=["CNY"])
    post_money_valuation: int = Field(description="In `currency` units", examples=[300_000_000])
    investor_kind: InvestorKind = Field(examples=["vc_pe"])
    recorded_at: datetime = Field(examples=[_AT])


class FundingRoundWritten(FundingRound, Written):
    """The round as recorded (201), or the identical one recorded before (200)."""


class Certificate(BaseModel):
    """A certificate or award granted to a firm."""

    id: uuid.UUID = Field(examples=["5d2e1c4b-8a7f-4b6e-9c3d-2a1b0f9e8d7c"])
    firm_id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    kind: CertificateKind = Field(examples=["high_tech_enterprise"])
    issued_on: date = Field(examples=["2021-12-01"])
    expires_on: date | None = Field(examples=["2024-12-01"])
    number: str | None = Field(examples=["GR202121000123"])
    revoked_on: date | None = Field(description="Valid date of the revocation; null while it "
                                    "counts", examples=[None])
    revoke_reason: str | None = Field(examples=[None])
    granted_at: datetime = Field(description="When it was recorded", examples=[_AT])


class CertificateWritten(Certificate, Written):
    """The certificate after a grant or a revocation."""


class Filing(BaseModel):
    """An official filing (备案): the firm's entry on a published list."""

    id: uuid.UUID = Field(examples=["2b7c9d1e-3f4a-4b5c-8d6e-7f8a9b0c1d2e"])
    firm_id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    tier: FiledTier = Field(examples=["gazelle"])
    unicorn_grade: UnicornGrade | None = Field(examples=[None])
    listed_on: date = Field(description="The list's date", examples=["2022-12-20"])
    expires_on: date = Field(description="End of validity", examples=["2025-12-20"])
    list_name: str = Field(examples=["辽宁省2022年第一批瞪羚企业"])
    application_id: uuid.UUID | None = Field(description="The application it answers",
                                             examples=[None])
    source: Literal["manual", "import"] = Field(examples=["import"])
    revoked_on: date | None = Field(examples=[None])
    revoke_reason: str | None = Field(examples=[None])
    recorded_at: datetime = Field(examples=[_AT])
    updated_at: datetime = Field(examples=[_AT])


class FilingWritten(Filing, Written):
    """The filing after a record, a correction or a revocation."""


class ApplicationStepOut(BaseModel):
    """One dated step of an application."""

    step: str = Field(examples=["district_checked"])
    on: date = Field(examples=["2022-12-12"])
    passed: bool | None = Field(examples=[True])
    reason: str | None = Field(examples=[None])
    filing_id: uuid.UUID | None = Field(examples=[None])
    by: str = Field(description="Who recorded it", examples=["officer:li"])
    note: str | None = Field(examples=["site visit done"])
    recorded_at: datetime = Field(examples=[_AT])


class Application(BaseModel):
    """A firm's application in a year's round for one tier, and where it stands."""

    id: uuid.UUID = Field(examples=["4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f"])
    firm_id: uuid.UUID = Field(examples=[FIRM_ID_EXAMPLE])
    round_year: int = Field(examples=[2022])
    tier: FiledTier = Field(examples=["gazelle"])
    applied_on: date = Field(examples=["2022-11-28"])
    state: str = Field(description="applied, district_passed, district_failed, recommended, "
                       "filed, not_filed or withdrawn", examples=["recommended"])
    last_on: date = Field(description="Date of the last step", examples=["2022-12-14"])
    filing_id: uuid.UUID | None = Field(examples=[None])
    recorded_by: str = Field(examples=["officer:li"])
    note: str | None = Field(examples=[None])
    recorded_at: datetime = Field(examples=[_AT])
    steps: list[ApplicationStepOut] = Field(default_factory=list)


class ApplicationWritten(Application, Written):
    """The application after a write, with the steps that may follow."""

    next_steps: list[str] = Field(description="Steps that may follow now",
                                  examples=[["district_checked", "withdrawn"]])
    city_decides: bool = Field(description="Leader: the city is the last step", examples=[False])

    @classmethod
    def of_application(cls, stored: results.ApplicationStored) -> Self:
        """The answer to a write of an application or its step."""
        return cls(**stored.row, steps=stored.steps, sequence=stored.sequence,
                   next_steps=list(stored.next_steps), city_decides=stored.city_decides)


class FirmDetail(Firm):
    """One firm with every fact the registry holds about it."""

    reports: list[Report] = Field(description="Current version of each year, by fiscal year")
    funding_rounds: list[FundingRound] = Field(description="By closing date")
    certificates: list[Certificate] = Field(description="By issue date")
    filings: list[Filing] = Field(default_factory=list,
                                  description="Official filings (备案), by list date")
    applications: list[Application] = Field(
        default_factory=list, description="Applications in the rounds, by date, with steps")


class ProfileFact(BaseModel):
    """One profile field's or flag's value, valid from a date (docs/rulebook.md "Time")."""

    id: uuid.UUID = Field(description="The fact's id")
    field: str = Field(examples=["abnormal_list"])
    value: Any = Field(examples=[True])
    valid_from: date = Field(description="The day it became true (effective_on)",
                             examples=["2022-03-01"])
    source: Literal["registered", "changed", "corrected", "migrated"] = Field(
        description="How it was recorded: at registration, by a change, by a correction of "
        "another fact's date, or from the events before dated profile facts")
    sequence: int = Field(description="The firm event that carried it (0: none)", examples=[4])
    recorded_at: datetime = Field(examples=[_AT])
    recorded_by: str | None = Field(description="Who recorded it (none for registrations and "
                                    "migrated facts: see the audit log)")
    corrects: uuid.UUID | None = Field(default=None, description="The fact whose date it corrects")
    corrected_by: uuid.UUID | None = Field(
        default=None, description="The fact that corrected this one's date: it no longer counts")
    corrected_at: datetime | None = None


class PatchedFact(BaseModel):
    """What a PATCH did with one field: recorded a new fact (with its event), or found the
    same value already valid from the same date (the fact it points to)."""

    field: str = Field(examples=["abnormal_list"])
    outcome: Literal["recorded", "unchanged"]
    fact: ProfileFact
    event_sequence: int | None = Field(
        description="The event that carries a recorded fact (none when unchanged)")

    @classmethod
    def of(cls, patched: results.FieldPatched) -> Self:
        """What a PATCH did with one field."""
        return cls(field=patched.field, outcome=patched.outcome,
                   fact=ProfileFact.model_validate(patched.fact),
                   event_sequence=patched.event_sequence)


class FirmPatched(Firm):
    """The profile valid today after a PATCH, and what became of each field sent."""

    facts: list[PatchedFact] = Field(description="One per field sent, in the request's order")

    @classmethod
    def of(cls, patched: results.ProfilePatched) -> Self:
        """The answer to a PATCH."""
        return cls(**patched.firm, facts=[PatchedFact.of(f) for f in patched.facts])


class FirmChanges(BaseModel):
    """Every dated fact of the firm's profile and flags, by valid date then recording order
    (corrected facts included, marked)."""

    firm_id: uuid.UUID
    items: list[ProfileFact]


class FirmEvent(BaseModel):
    """One event of the firm's history as published on `registry.firm-events`."""

    event_id: uuid.UUID = Field(examples=["3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"])
    event_type: str = Field(description="Past-tense event name", examples=[AnnualReportFiled.__name__])
    schema_version: int = Field(examples=[1])
    occurred_at: datetime = Field(examples=[_AT])
    producer: str = Field(examples=["registry"])
    subject: str = Field(description="The firm id", examples=[FIRM_ID_EXAMPLE])
    sequence: int = Field(description="Per-firm, strictly increasing", examples=[2])
    correlation_id: str | None = Field(examples=["5b9c0e3a2f1d4c6b"])
    data: dict[str, Any] = Field(description="The typed payload of `event_type` (see the AsyncAPI "
                                 "document at /asyncapi)")
    published: bool = Field(description="The outbox relay has published it to Kafka",
                            examples=[True])


class ImportRowError(BaseModel):
    """Why one CSV row was not applied."""

    row: int = Field(description="1-based data row (the header is row 0)", examples=[2])
    field: str = Field(examples=["uscc"])
    reason: str = Field(examples=["check character is '4', GB 32100-2015 gives '3'"])
    line: int | None = Field(default=None, description="The file's line the row starts on "
                             "(comment and blank lines counted); null for an xlsx workbook",
                             examples=[4])


class ImportCounts(BaseModel):
    """What an import did with its rows."""

    id: uuid.UUID = Field(examples=["7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"])
    kind: ImportKind = Field(examples=["firms"])
    status: ImportStatus = Field(examples=["completed_with_errors"])
    total_rows: int = Field(examples=[4])
    applied: int = Field(description="Rows that changed something", examples=[2])
    unchanged: int = Field(description="Rows identical to what was stored", examples=[0])
    errors: list[ImportRowError] = Field(description="Every rejected row, by row number")


class ImportReport(ImportCounts):
    """The answer to an import: every row applied, unchanged or rejected."""

    rejected: int = Field(description="Rows with at least one error", examples=[2])

    @classmethod
    def of(cls, done: results.ImportDone) -> Self:
        """The answer to an import."""
        return cls(id=done.id, kind=done.kind, status=done.status, total_rows=done.total_rows,
                   applied=done.applied, unchanged=done.unchanged, rejected=done.rejected,
                   errors=[ImportRowError(row=e.row, field=e.field, reason=e.reason, line=e.line)
                           for e in done.errors])


class ImportJob(ImportCounts):
    """An earlier import as recorded."""

    actor: str = Field(description="Who ran it", examples=["admin:admin-token"])
    created_at: datetime = Field(examples=[_AT])
    finished_at: datetime | None = Field(description="Null while it runs", examples=[_AT])
