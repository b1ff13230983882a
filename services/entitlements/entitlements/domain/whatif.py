"""The budget effect of a draft policy set: every firm's entitlements computed under it, next
to those held. What is approved or paid stands under any set (a configuration change never
alters it); what was declined, expired or cancelled by hand stays out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from entitlements.domain.budget import Budget, budget
from entitlements.domain.compute import Computed
from entitlements.domain.pipeline import Prospect

FROZEN = frozenset({"approved", "paid"})
CLOSED_BY_HAND = frozenset({"declined", "expired"})


def draft_rows(year: int, computed: Iterable[Computed],
               held: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows the budget would sum under the draft: held frozen rows as they are, the
    draft's amount for the rest."""
    rows: list[dict[str, Any]] = []
    seen = set()
    for c in computed:
        if c.year != year:
            continue
        seen.add(c.entitlement_id)
        h = held.get(c.entitlement_id)
        if h is not None and (h["state"] in FROZEN | CLOSED_BY_HAND
                              or (h["state"] == "cancelled" and h["cancel_reason"] != "trigger")):
            rows.append(h)
            continue
        state = h["state"] if h is not None and h["state"] != "cancelled" else "computed"
        rows.append({"state": state, "amount": c.amount, "paid_amount": None,
                     "complete": c.complete, "ceiling": c.ceiling, "policy_id": c.policy_id,
                     "policy_name": c.policy_name, "district": c.district,
                     "trigger_on": c.trigger.on})
    # held entitlements of policies the draft drops or no longer triggers: only frozen ones
    rows += [h for eid, h in held.items() if eid not in seen and h["state"] in FROZEN]
    return rows


def compare(year: int, held_rows: list[dict[str, Any]], computed: Iterable[Computed],
            prospects: tuple[Iterable[Prospect], Iterable[Prospect]] = ((), ()),
            ) -> tuple[Budget, Budget]:
    """(the budget as held, the budget under the draft) for one year; `prospects` are the
    round's open applications under the active set and under the draft."""
    held = {r["id"]: r for r in held_rows}
    return (budget(year, held_rows, prospects[0]),
            budget(year, draft_rows(year, computed, held), prospects[1]))
