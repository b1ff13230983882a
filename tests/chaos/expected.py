"""What an uninterrupted run gives: the ladder's own pure fold over a firm's facts, read
straight from its registry events, with no process, broker or database in the way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ladder.domain.dated import FLAG_FIELDS, DatedFacts, ProfileChange, ReportVersion
from ladder.domain.facts import AnnualReport, FirmFacts
from ladder.domain.rulebook import default_rulebook
from ladder.domain.timeline import fold
from shared.events import parse_event


@dataclass(frozen=True)
class Expected:
    """A firm's standing on `until`, and the decisions of its timeline in order."""

    tier: str
    at_risk: bool
    filed_on: date | None
    changes: list[str]


def dated_facts(payloads: list[str]) -> DatedFacts:
    """A firm's dated facts from its events (FirmRegistered and annual reports)."""
    firm: FirmFacts | None = None
    reports, changes = [], []
    for event in sorted((parse_event(p) for p in payloads), key=lambda e: e.sequence):
        data: Any = event.data
        match event.event_type:
            case "FirmRegistered":
                p = data.firm
                firm = FirmFacts(firm_id=str(p.id), founded_on=p.founded_on,
                                 company_kind="independent", listed=False, abnormal_list=False,
                                 dishonest_list=False, district=p.district, industry=p.industry,
                                 reports={})
                changes.append(ProfileChange(p.founded_on, {k: getattr(p, k) for k in FLAG_FIELDS},
                                             event.sequence))
            case "AnnualReportFiled" | "AnnualReportRestated":
                figures = data.report.model_dump(exclude={"filed_on"})
                reports.append(ReportVersion(data.report.filed_on or event.occurred_at.date(),
                                             AnnualReport(**figures), event.sequence))
            case other:
                raise AssertionError(f"the chaos load writes no {other}")
    assert firm is not None, "events of a firm never registered"
    return DatedFacts(firm=firm, reports=tuple(reports), changes=tuple(changes))


def expected(payloads: list[str], until: date) -> Expected:
    """The firm's standing and decisions as the ladder's fold gives them."""
    timeline = fold(default_rulebook(), dated_facts(payloads), until)
    s = timeline.standing
    return Expected(s.tier, s.at_risk, s.filed_on, [step.change for step in timeline.steps])
