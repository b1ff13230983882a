"""Bring a firm's held entitlements in line with what its facts and the active policies give:
insert the new, correct the changed, cancel the ones whose trigger went away, and ask finance
to review what changed after approval. Every change is an event in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from entitlements.domain.compute import Computed, compute
from entitlements.domain.facts import FirmFacts
from entitlements.domain.policies import PolicySet, parse_body, shipped
from entitlements.domain.reconcile import comparable, step
from entitlements.repository import Repository, Row
from shared.events import (
    AnyEvent,
    Draft,
    EntitlementComputed,
    EntitlementComputedData,
    EntitlementCorrected,
    EntitlementCorrectedData,
    EntitlementStateChanged,
    EntitlementStateChangedData,
)
from shared.outbox import Outbox

SYSTEM = "system"


async def active_policies(repo: Repository) -> PolicySet:
    """The active policy set (the shipped one before any is installed)."""
    body = await repo.active_body()
    return parse_body(body) if body is not None else shipped()


def firm_ref(facts: FirmFacts) -> dict[str, Any]:
    """The FirmRef of a firm whose profile is known."""
    assert facts.profile is not None
    return {"id": facts.firm_id, "name": facts.profile.name, "district": facts.profile.district,
            "industry": facts.profile.industry}


def values_of(c: Computed, firm: dict[str, Any], chosen: str | None = None) -> dict[str, Any]:
    """The columns a computation decides."""
    amount = next((o.amount for o in c.options if o.option_id == chosen), c.amount)
    return {"id": c.entitlement_id, "firm_id": c.firm_id, "policy_id": c.policy_id,
            "trigger_key": c.trigger.key, "firm": firm, "district": c.district,
            "policy_name": c.policy_name, "policy_set": c.policy_set,
            "policy_version": c.policy_version, "budget_line": c.budget_line,
            "provisional": c.provisional, "trigger_kind": c.trigger.kind,
            "trigger_on": c.trigger.on, "year": c.year, "amount": amount,
            "options": [o.model_dump(mode="json") for o in c.options],  # with their wording
            "complete": c.complete, "ceiling": c.ceiling}


def entitlement_data(row: Row | dict[str, Any], state: str | None = None) -> dict[str, Any]:
    """The EntitlementData payload of a row (or of the values about to be written)."""
    return {"entitlement_id": row["id"], "firm": row["firm"], "policy_id": row["policy_id"],
            "policy_name": row["policy_name"], "policy_set": row["policy_set"],
            "policy_version": row["policy_version"], "trigger_key": row["trigger_key"],
            "trigger_on": row["trigger_on"], "year": row["year"],
            "budget_line": row["budget_line"], "amount": row["amount"],
            "options": [{"option_id": o["option_id"], "name": o["name"], "amount": o["amount"]}
                        for o in row["options"]],
            "complete": row["complete"], "provisional": row["provisional"],
            "state": state or row["state"]}


def state_changed(row: Row | dict[str, Any], *, to: str, on: date, by: str, amount: int,
                  option_id: str | None = None,
                  reason: str | None = None) -> EntitlementStateChangedData:
    """The EntitlementStateChanged payload of a step."""
    return EntitlementStateChangedData.model_validate({
        "entitlement_id": row["id"], "firm": row["firm"], "policy_id": row["policy_id"],
        "policy_name": row["policy_name"], "from_state": row["state"], "to_state": to,
        "on": on, "by": by, "amount": amount, "option_id": option_id, "reason": reason})


async def reconcile(repo: Repository, outbox: Outbox, facts: FirmFacts, policies: PolicySet, *,
                    today: date, correlation_id: str | None = None) -> int:
    """Reconcile one firm; returns how many entitlements changed."""
    if facts.profile is None:  # nothing is paid to a firm the registry has not described
        return 0
    firm = firm_ref(facts)
    computed = {c.entitlement_id: c for c in compute(policies, facts)}
    held: dict[uuid.UUID, Row] = {r["id"]: r for r in await repo.held(uuid.UUID(facts.firm_id))}
    events: list[Draft[Any]] = []

    def emit(kind: type[AnyEvent], data: Any) -> None:
        events.append(Draft(kind, facts.firm_id, data, correlation_id))

    for eid in sorted(set(computed) | set(held)):
        c, h = computed.get(eid), held.get(eid)
        view = None if h is None else {
            "state": h["state"], "review": h["review"], "cancel_reason": h["cancel_reason"],
            "shape": {"options": comparable(h["options"]), "trigger_on": h["trigger_on"].isoformat(),
                      "district": h["district"]}}
        todo = step(view, c)
        if todo.action == "insert":
            assert c is not None
            values = values_of(c, firm)
            await repo.insert(values)
            await repo.add_step(eid, from_state=None, to_state="computed", on=today, by=SYSTEM,
                                amount=values["amount"], note=f"{c.trigger.kind} {c.trigger.on}")
            emit(EntitlementComputed, EntitlementComputedData.model_validate(
                {"entitlement": entitlement_data(values, "computed")}))
        elif todo.action in ("correct", "reopen"):
            assert c is not None and h is not None
            values = values_of(c, firm, h["chosen_option"])
            state = "computed" if todo.action == "reopen" else h["state"]
            update = {k: v for k, v in values.items() if k not in ("id", "firm_id", "policy_id",
                                                                   "trigger_key")}
            await repo.update(eid, {**update, "state": state, "cancel_reason": None})
            await repo.add_step(eid, from_state=h["state"], to_state=state, on=today, by=SYSTEM,
                                amount=values["amount"], note=todo.reason)
            emit(EntitlementCorrected, EntitlementCorrectedData.model_validate({
                "entitlement": entitlement_data({**values, "state": state}),
                "previous_amount": h["amount"], "applied": True, "reason": todo.reason}))
        elif todo.action == "cancel":
            assert h is not None
            await repo.update(eid, {"state": "cancelled", "cancel_reason": "trigger"})
            await repo.add_step(eid, from_state=h["state"], to_state="cancelled", on=today,
                                by=SYSTEM, amount=h["amount"], note=todo.reason)
            emit(EntitlementStateChanged, state_changed(
                h, to="cancelled", on=today, by=SYSTEM, amount=h["amount"], reason=todo.reason))
        elif todo.action == "review":
            assert h is not None
            await repo.update(eid, {"review": todo.reason})
            await repo.add_step(eid, from_state=h["state"], to_state=h["state"], on=today,
                                by=SYSTEM, amount=h["amount"], note=todo.reason)
            after = values_of(c, firm, h["chosen_option"]) if c is not None else None
            emit(EntitlementCorrected, EntitlementCorrectedData.model_validate({
                "entitlement": entitlement_data(h), "previous_amount": h["amount"],
                "applied": False, "reason": f"{todo.reason}"
                + (f" (would now be {after['amount']})" if after else "")}))
    await outbox.add_all(events)
    return len(events)
