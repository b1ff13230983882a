"""Re-evaluate a firm, apply the standing rules, record the decision and publish the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from ladder import repository as repo
from ladder.domain.candidates import near_miss_tier
from ladder.domain.decision import Decision
from ladder.domain.explain import NextStep, next_tier
from ladder.domain.rules import evaluate
from ladder.domain.standing import Standing, Transition, apply_decision, check_expiry
from ladder.targets_progress import count_entry
from shared import outbox
from shared.db import DbConn
from shared.topics import STANDING_EVENTS

PRODUCER = "ladder"
EVENT_FOR = {"promoted": "TierPromoted", "demoted": "TierDemoted", "revoked": "TierDemoted",
             "at_risk": "TierAtRisk", "recovered": "TierAtRisk", "renewed": "TierRenewed",
             "override": "TierPromoted"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a re-evaluation did."""

    firm_id: uuid.UUID
    change: str
    tier: str
    decision_id: uuid.UUID | None


def latest_fiscal_year(decision_facts: Any, on: date) -> int:
    """The firm's latest reported fiscal year, else the year before `on`."""
    return max(decision_facts.reports) if decision_facts.reports else on.year - 1


def standing_of(row: asyncpg.Record) -> Standing:
    """The domain standing stored in a standings row."""
    return Standing(tier=row["tier"], unicorn_grade=row["unicorn_grade"], at_risk=row["at_risk"],
                    filed_on=row["filed_on"], expires_on=row["expires_on"],
                    override=row["override_tier"] is not None,
                    override_reason=row["override_reason"])


def failing_summary(decision: Decision, target: str | None = None) -> list[dict[str, Any]]:
    """Failing criteria of the tier above (or `target`), for events and the API."""
    return failing_of(next_tier(decision, target))


def failing_of(step: NextStep) -> list[dict[str, Any]]:
    """A next step's failing criteria as plain data."""
    return [{"key": m.key, "label": m.label, "value": _jsonable(m.value),
             "threshold": _jsonable(m.threshold), "gap": _jsonable(m.gap), "hint": m.sentence}
            for m in step.missing]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def firm_ref(row: asyncpg.Record) -> dict[str, Any]:
    return {"id": row["firm_id"], "name": row["name"], "district": row["district"],
            "industry": row["industry"]}


async def reevaluate(
    conn: DbConn, firm_id: uuid.UUID, *, rulebook: Any, on: date,
    trigger_event_id: uuid.UUID | None = None, dated_year: int | None = None,
    expiry_sweep: bool = False, correlation_id: str | None = None,
) -> Outcome:
    """Evaluate the firm's latest facts and apply the result to its standing."""
    found = await repo.state(conn, firm_id)
    assert found is not None, f"no firm {firm_id} in the projection"
    facts, row = found
    fy = latest_fiscal_year(facts, on)
    decision = evaluate(rulebook, facts, fy, as_of=on)
    # credited to FY+1, or to the year of a dated fact (round, certificate) if later
    decision.round_year = max(decision.round_year, dated_year or 0)
    previous = standing_of(row)
    transition = (check_expiry if expiry_sweep else apply_decision)(
        previous, decision, on, rulebook.filing_validity_years)
    new = transition.new_standing
    step = next_tier(decision)
    missing = failing_of(step)
    # a near miss needs facts to judge by: a firm with no report for FY is just incomplete
    near_miss = (near_miss_tier(step) if new.tier == decision.tier and fy in facts.reports
                 else None)
    trace = decision.to_dict()
    values: dict[str, Any] = {
        "tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": new.at_risk,
        "filed_on": new.filed_on, "expires_on": new.expires_on, "fiscal_year": fy,
        "round_year": decision.round_year, "rulebook_id": decision.rulebook_id,
        "evaluated_tier": decision.tier, "trace": trace,
        "next_tier": missing, "near_miss_tier": near_miss,
    }
    decision_id = None
    if transition.kind != "unchanged":
        decision_id = uuid.uuid4()
        values["decision_id"] = decision_id
        await _record(conn, row, transition, decision, trace, decision_id, trigger_event_id,
                      correlation_id)
    await repo.save_standing(conn, firm_id, values)
    if near_miss and near_miss != row["near_miss_tier"]:
        await outbox.append(conn, topic=STANDING_EVENTS, event_type="NearMissDetected",
                            producer=PRODUCER, subject=str(firm_id), correlation_id=correlation_id,
                            data={"firm": firm_ref(row), "tier": near_miss,
                                  "failing": missing})  # near_miss is step's target
    return Outcome(firm_id, transition.kind, new.tier, decision_id)


async def _record(conn: DbConn, row: asyncpg.Record, transition: Transition,
                  decision: Decision, trace: dict[str, Any], decision_id: uuid.UUID,
                  trigger_event_id: uuid.UUID | None, correlation_id: str | None) -> None:
    new, kind = transition.new_standing, transition.kind
    await repo.insert_decision(conn, {
        "id": decision_id, "firm_id": row["firm_id"], "change": kind,
        "from_tier": transition.previous.tier, "to_tier": new.tier,
        "unicorn_grade": new.unicorn_grade, "at_risk": new.at_risk,
        "fiscal_year": decision.fiscal_year, "round_year": decision.round_year,
        "rulebook_id": decision.rulebook_id, "reason": transition.reason,
        "trigger_event_id": trigger_event_id, "inputs": trace["inputs"],
        "trace": {k: v for k, v in trace.items() if k != "inputs"},
    })
    failing = failing_summary(decision, transition.previous.tier) if kind in (
        "at_risk", "demoted") and transition.previous.tier != "none" else []
    await outbox.append(conn, topic=STANDING_EVENTS, event_type=EVENT_FOR[kind],
                        producer=PRODUCER, subject=str(row["firm_id"]),
                        correlation_id=correlation_id, data={
        "firm": firm_ref(row), "change": kind, "from_tier": transition.previous.tier,
        "to_tier": new.tier, "unicorn_grade": new.unicorn_grade, "at_risk": new.at_risk,
        "filed_on": new.filed_on, "expires_on": new.expires_on,
        "round_year": decision.round_year, "rulebook_id": decision.rulebook_id,
        "decision_id": decision_id, "reason": transition.reason, "failing": failing,
        "trigger_event_id": trigger_event_id, "registry_sequence": row["last_sequence"],
    })
    if kind == "promoted":
        key = new.tier if new.tier != "unicorn" or new.unicorn_grade == "unicorn" else None
        if key:
            await count_entry(conn, year=decision.round_year, key=key, firm=firm_ref(row),
                              on=decision.as_of, decision_id=decision_id,
                              correlation_id=correlation_id)

