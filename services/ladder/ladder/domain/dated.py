"""A firm's facts with their valid dates, and the facts as they stood on any one day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ladder.domain.facts import AnnualReport, Certificate, FirmFacts

FLAG_FIELDS = ("company_kind", "listed", "abnormal_list", "dishonest_list")


@dataclass(frozen=True, slots=True)
class ReportVersion:
    """One version of a fiscal year's report, valid from the day it was filed."""

    filed_on: date
    report: AnnualReport
    sequence: int = 0  # registry sequence: breaks ties between versions filed the same day


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """Profile fields or compliance flags that changed, valid from `effective_on`."""

    effective_on: date
    values: dict[str, Any]
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Override:
    """An officer's manual tier (or, with tier None, the lifting of one), dated."""

    set_on: date
    tier: str | None
    reason: str
    by: str
    unicorn_grade: str | None = None
    order: int = 0  # order among overrides of the same day


@dataclass(frozen=True, slots=True)
class DatedFacts:
    """Everything known about a firm, each fact with the day it became true."""

    firm: FirmFacts  # founding, district, industry and the profile as registered
    reports: tuple[ReportVersion, ...] = ()
    changes: tuple[ProfileChange, ...] = ()
    overrides: tuple[Override, ...] = ()

    def dates(self) -> set[date]:
        """Every day on which a fact became true (or a certificate was revoked)."""
        days = {self.firm.founded_on}
        days.update(v.filed_on for v in self.reports)
        days.update(c.effective_on for c in self.changes)
        days.update(o.set_on for o in self.overrides)
        days.update(r.closed_on for r in self.firm.funding_rounds)
        for cert in self.firm.certificates:
            days.add(cert.issued_on)
            if cert.revoked_on is not None:
                days.add(cert.revoked_on)
        return days

    def on(self, day: date) -> FirmFacts:
        """The facts as they stood at the end of `day` (pure)."""
        profile: dict[str, Any] = {}
        changes = self.changes
        if len(changes) > 1:
            changes = tuple(sorted(changes, key=_change_order))
        for change in changes:
            if change.effective_on <= day:
                profile.update({k: v for k, v in change.values.items() if k in FLAG_FIELDS})
        reports: dict[int, tuple[date, int, AnnualReport]] = {}
        for v in self.reports:
            if v.filed_on > day:
                continue
            fy = v.report.fiscal_year
            held = reports.get(fy)
            if held is None or (v.filed_on, v.sequence) > held[:2]:
                reports[fy] = (v.filed_on, v.sequence, v.report)
        firm = self.firm
        rounds = firm.funding_rounds
        if any(r.closed_on > day for r in rounds):
            rounds = tuple(r for r in rounds if r.closed_on <= day)
        certs = firm.certificates
        if any(c.issued_on > day or (c.revoked_on is not None and c.revoked_on > day)
               for c in certs):
            certs = tuple(_as_of(c, day) for c in certs if c.issued_on <= day)
        # the constructor, not `dataclasses.replace`: this runs for every day of every fold
        get = profile.get
        return FirmFacts(
            firm.firm_id, firm.founded_on, get("company_kind", firm.company_kind),
            get("listed", firm.listed), get("abnormal_list", firm.abnormal_list),
            get("dishonest_list", firm.dishonest_list), firm.district, firm.industry,
            {fy: reports[fy][2] for fy in sorted(reports)}, rounds, certs,
            firm.innovation_score)


def _change_order(c: ProfileChange) -> tuple[date, int]:
    return c.effective_on, c.sequence


def _as_of(cert: Certificate, day: date) -> Certificate:
    # a revocation dated after `day` is not known on `day`
    return cert if cert.revoked_on is None or cert.revoked_on <= day else replace(
        cert, revoked_on=None)
