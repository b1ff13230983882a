"""What a new computation means for an entitlement already held: nothing, a correction, a
cancellation, or a note for finance. A configuration or fact change never alters an approved
or paid amount, and nothing is ever paid twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from entitlements.domain.compute import Computed

Action = Literal["insert", "correct", "reopen", "cancel", "review", "none"]
FROZEN = frozenset({"approved", "paid"})


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do to one entitlement."""

    action: Action
    computed: Computed | None
    reason: str | None = None


WORDING = ("band_key", "band_params")  # how a band is worded: not a fact, never a change


def comparable(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Options as compared: without their wording, so rows written before it compare equal."""
    return [{k: v for k, v in o.items() if k not in WORDING} for o in options]


def shape(c: Computed) -> dict[str, Any]:
    """What a held entitlement is compared on."""
    return {"options": comparable([o.model_dump(mode="json") for o in c.options]),
            "trigger_on": c.trigger.on.isoformat(), "district": c.district}


def step(held: dict[str, Any] | None, computed: Computed | None) -> Step:
    """The action for one (firm, policy, trigger): `held` is the stored row (state, shape)."""
    if held is None:
        return Step("insert", computed) if computed is not None else Step("none", None)
    state = held["state"]
    if computed is None:
        if state in ("computed", "offered", "confirmed", "approved"):
            return Step("cancel", None, "the trigger was revoked before payment")
        if state == "paid" and not held.get("review"):
            return Step("review", None, "the trigger was revoked after payment: recovery is "
                        "for finance to decide")
        return Step("none", None)
    if state == "cancelled" and held.get("cancel_reason") == "trigger":
        return Step("reopen", computed, "the trigger holds again")
    if held["shape"] == shape(computed):
        return Step("none", computed)
    if state in FROZEN:
        return Step("review", computed, "the facts changed after approval; the approved "
                    "amount stands")
    if state in ("computed", "offered", "confirmed"):
        return Step("correct", computed, "the facts or the policy changed")
    return Step("none", computed)
