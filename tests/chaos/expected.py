"""What an uninterrupted run gives: the ladder's own pure rules folded over a firm's registry
events in sequence order, with no process, broker or database in the way."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ladder.domain.facts import AnnualReport, FirmFacts
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from ladder.domain.standing import Standing, apply_decision
from ladder.evaluation import latest_fiscal_year


@dataclass(frozen=True)
class Expected:
    """A firm's standing after all its events, and the decisions on the way."""

    tier: str
    at_risk: bool
    filed_on: date | None
    changes: list[str]


def _facts(profile: dict[str, Any]) -> FirmFacts:
    return FirmFacts(
        firm_id=str(profile["id"]), founded_on=date.fromisoformat(profile["founded_on"]),
        company_kind=profile["company_kind"], listed=profile["listed"],
        abnormal_list=profile["abnormal_list"], dishonest_list=profile["dishonest_list"],
        district=profile["district"], industry=profile["industry"], reports={})


def _report(data: dict[str, Any]) -> AnnualReport:
    return AnnualReport(**{k: data.get(k) for k in AnnualReport.__slots__})


def fold(events: list[dict[str, Any]], today: date) -> Expected:
    """The firm's standing from its events (FirmRegistered and annual reports)."""
    rulebook = default_rulebook()
    facts: FirmFacts | None = None
    standing, changes = Standing(), []
    for event in sorted(events, key=lambda e: int(e["sequence"])):
        data = event["data"]
        match event["event_type"]:
            case "FirmRegistered":
                facts = _facts(data["firm"])
            case "AnnualReportFiled" | "AnnualReportRestated":
                assert facts is not None, "a report before the firm's registration"
                report = _report(data["report"])
                facts = replace(facts, reports={**facts.reports, report.fiscal_year: report})
            case other:
                raise AssertionError(f"the chaos load writes no {other}")
        decision = evaluate(rulebook, facts, latest_fiscal_year(facts, today), as_of=today)
        transition = apply_decision(standing, decision, today, rulebook.filing_validity_years)
        if transition.kind != "unchanged":
            changes.append(transition.kind)
        standing = transition.new_standing
    return Expected(standing.tier, standing.at_risk, standing.filed_on, changes)
