"""What the entitlements service knows of a firm, folded from registry events.

Every fact keeps the registry sequence it came with and only a later one replaces it, and a
revocation is kept beside the grant it revokes: the same events in any order, or twice, fold
to the same facts (replays and late facts change nothing they should not).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.events import (
    AnnualReportFiled,
    AnnualReportRestated,
    AnyEvent,
    ApplicationStepRecorded,
    ApplicationSubmitted,
    CertificateGranted,
    CertificateRevoked,
    FilingCorrected,
    FilingRecorded,
    FilingRevoked,
    FirmProfileChanged,
    FirmRegistered,
)

FIGURES = ("rd_expense", "revenue", "sales_revenue", "high_tech_revenue",
           "st_activity_investment")


class Fact(BaseModel):
    """Base of the folded facts: plain, JSON-able."""

    model_config = ConfigDict(extra="forbid")


class Profile(Fact):
    name: str
    district: str
    industry: str
    seq: int


class Report(Fact):
    fiscal_year: int
    figures: dict[str, int]
    seq: int


class Certificate(Fact):
    kind: str | None = None  # None: only its revocation has arrived so far
    issued_on: date | None = None
    seq: int = 0
    revoked_on: date | None = None


class Filing(Fact):
    tier: str | None = None  # None: only its revocation has arrived so far
    listed_on: date | None = None
    list_name: str | None = None
    seq: int = 0
    revoked_on: date | None = None


class Application(Fact):
    tier: str
    round_year: int
    step: str = "submitted"  # the latest step: district_checked, recommended, filed, ...
    passed: bool | None = None
    seq: int = 0  # of the latest step (the submission's when none)


class FirmFacts(Fact):
    """One firm's facts, as the policies read them."""

    firm_id: str
    profile: Profile | None = None
    reports: dict[str, Report] = {}
    certificates: dict[str, Certificate] = {}
    filings: dict[str, Filing] = {}
    applications: dict[str, Application] = {}

    def report(self, fiscal_year: int) -> Report | None:
        """The report of a fiscal year, if filed."""
        return self.reports.get(str(fiscal_year))


RELEVANT = (FirmRegistered, FirmProfileChanged, AnnualReportFiled, AnnualReportRestated,
            CertificateGranted, CertificateRevoked, FilingRecorded, FilingCorrected,
            FilingRevoked, ApplicationSubmitted, ApplicationStepRecorded)


def fold(facts: FirmFacts, event: AnyEvent) -> FirmFacts:
    """The facts after one registry event (a new object; events of no interest change none)."""
    seq = event.sequence
    new = facts.model_copy(deep=True)
    if isinstance(event, FirmRegistered | FirmProfileChanged):
        if new.profile is None or new.profile.seq < seq:
            firm = event.data.firm
            new.profile = Profile(name=firm.name, district=firm.district,
                                  industry=firm.industry, seq=seq)
    elif isinstance(event, AnnualReportFiled | AnnualReportRestated):
        report = event.data.report
        key = str(report.fiscal_year)
        held = new.reports.get(key)
        if held is None or held.seq < seq:
            new.reports[key] = Report(fiscal_year=report.fiscal_year, seq=seq, figures={
                name: getattr(report, name) for name in FIGURES})
    elif isinstance(event, CertificateGranted):
        cert = new.certificates.setdefault(str(event.data.certificate_id), Certificate())
        if cert.seq < seq:
            cert.kind, cert.issued_on, cert.seq = event.data.kind, event.data.issued_on, seq
    elif isinstance(event, CertificateRevoked):
        revoked = new.certificates.setdefault(str(event.data.certificate_id), Certificate())
        revoked.revoked_on = event.data.revoked_on
    elif isinstance(event, FilingRecorded | FilingCorrected):
        filing = event.data.filing
        held_filing = new.filings.setdefault(str(filing.filing_id), Filing())
        if held_filing.seq < seq:
            held_filing.tier, held_filing.listed_on = filing.tier, filing.listed_on
            held_filing.list_name, held_filing.seq = filing.list_name, seq
    elif isinstance(event, FilingRevoked):
        new.filings.setdefault(str(event.data.filing_id), Filing()).revoked_on = \
            event.data.revoked_on
    elif isinstance(event, ApplicationSubmitted):
        a = event.data.application
        held_app = new.applications.get(str(a.application_id))
        if held_app is None:
            new.applications[str(a.application_id)] = Application(
                tier=a.tier, round_year=a.round_year, seq=seq)
    elif isinstance(event, ApplicationStepRecorded):
        d = event.data
        app = new.applications.setdefault(str(d.application_id), Application(
            tier=d.tier, round_year=d.round_year))
        if app.seq < seq:
            app.step, app.passed, app.seq = d.step, d.passed, seq
    return new


def load(firm_id: str, stored: dict[str, Any] | None) -> FirmFacts:
    """Facts as stored (JSON), or none yet."""
    return FirmFacts.model_validate(stored) if stored else FirmFacts(firm_id=firm_id)
