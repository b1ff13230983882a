"""Alert kinds, which of them are critical, and which event raises which kind."""

from __future__ import annotations

import uuid
from typing import Literal

from shared.events import (
    AnyEvent,
    EntitlementAwaitingConfirmation,
    EntitlementStateChanged,
    FilingExpiring,
    FilingListPublished,
    FirmRef,
    NearMissDetected,
    RoundReminderDue,
    TargetMilestoneReached,
    TargetProgressChanged,
    TierAtRisk,
    TierDemoted,
    TierOverridden,
    TierPromoted,
    TierRecovered,
    TierRenewed,
    TierRevoked,
)

AlertKind = Literal[
    "promotion", "demotion", "revocation", "at_risk", "renewal", "recovery", "override",
    "filing_expiring", "near_miss", "target_milestone", "pace_behind",
    "round_reminder", "list_published", "entitlement_offered", "entitlement_overdue",
    "history_summary",
]
# one event about many firms: each officer gets one message with their own firms
ROUND_KINDS: frozenset[str] = frozenset({"round_reminder", "list_published"})
ALERT_KINDS: tuple[str, ...] = AlertKind.__args__  # type: ignore[attr-defined]

# Critical = the firm loses (or is about to lose) a tier: someone must act now, so these
# ignore quiet hours, cannot be switched off and escalate to a supervisor when nobody
# acknowledges them. Filing expiry is 90 days out and target/pace news is bureau-level,
# so neither is critical.
CRITICAL_KINDS: frozenset[str] = frozenset({"revocation", "demotion", "at_risk"})

Severity = Literal["critical", "warning", "info"]
# an override is an officer's act, told to the officers concerned; a recovery is good news
_WARNING_KINDS = frozenset({"filing_expiring", "pace_behind", "near_miss", "override",
                            "round_reminder", "entitlement_overdue"})

# Fixed namespace so alert ids are reproducible from (event, officer, channel): a
# redelivered Kafka message yields the same id and the same Idempotency-Key.
_ALERT_NAMESPACE = uuid.UUID("5b0f7c1e-2d4a-4f57-9a0e-6a3c1f9e2b71")


def is_critical(kind: str) -> bool:
    """True for kinds that bypass quiet hours and escalate when unacknowledged."""
    return kind in CRITICAL_KINDS


def severity_of(kind: str) -> Severity:
    """Severity shown to officers and sent in generic webhook payloads."""
    if kind in CRITICAL_KINDS:
        return "critical"
    return "warning" if kind in _WARNING_KINDS else "info"


# the alert each kind of standing event raises (TargetProgressChanged: see below)
_KIND_OF: dict[type[AnyEvent], AlertKind] = {
    TierPromoted: "promotion", TierDemoted: "demotion", TierAtRisk: "at_risk",
    TierRenewed: "renewal", FilingExpiring: "filing_expiring", NearMissDetected: "near_miss",
    TargetMilestoneReached: "target_milestone"}


def alert_kind_for(event: AnyEvent) -> AlertKind | None:
    """The alert kind an event raises, or None when it raises no alert."""
    change = getattr(event.data, "change", None)
    if isinstance(event, TierOverridden) or change in ("override", "override_cleared"):
        return "override"  # also an older TierPromoted carrying a manual override
    if isinstance(event, TierRecovered) or change == "recovered":
        return "recovery"  # also an older TierAtRisk carrying a recovery
    if isinstance(event, TierRevoked) or change == "revoked":
        return "revocation"
    if isinstance(event, RoundReminderDue):
        return "round_reminder" if event.data.items else None
    if isinstance(event, FilingListPublished):
        return "list_published"
    if isinstance(event, EntitlementStateChanged) and event.data.to_state == "offered":
        return "entitlement_offered"
    if isinstance(event, EntitlementAwaitingConfirmation):
        return "entitlement_overdue"
    if isinstance(event, TargetProgressChanged):
        # Only the transition into `behind` is news; staying behind would re-alert on
        # every progress tick.
        data = event.data
        if data.pace == "behind" and data.previous_pace != "behind":
            return "pace_behind"
        return None
    return _KIND_OF.get(type(event))


def is_target_kind(kind: str) -> bool:
    """True for bureau-level target alerts, which have no owning firm."""
    return kind in ("target_milestone", "pace_behind")


def firm_of(event: AnyEvent) -> FirmRef | None:
    """The firm an event is about, if any (target progress events have none)."""
    firm = getattr(event.data, "firm", None)
    return firm if isinstance(firm, FirmRef) else None


def alert_id_for(
    source_event_id: uuid.UUID, officer_id: uuid.UUID | None, channel: str
) -> uuid.UUID:
    """Deterministic alert id (and idempotency key) for one event, officer and channel."""
    return uuid.uuid5(_ALERT_NAMESPACE, f"{source_event_id}:{officer_id or '-'}:{channel}")
