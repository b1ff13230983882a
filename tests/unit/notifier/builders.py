"""Event and officer builders for notifier tests; each call makes fresh ids."""

from __future__ import annotations

import uuid
from typing import Any

from shared.events import EventEnvelope, make_event

BASE_URL = "https://tracker.example.gov.cn"


def firm(name: str = "大连星海智造科技有限公司", district: str = "hitech",
         industry: str = "next_gen_it") -> dict[str, Any]:
    """A FirmRef payload with a new id."""
    return {"id": str(uuid.uuid4()), "name": name, "district": district, "industry": industry}


def failing(hint: str | None = "raise R&D spend by 120万") -> dict[str, Any]:
    """One failing criterion."""
    return {"key": "gazelle.st_intensity", "label": "S&T intensity ≥ 2.5%", "value": 0.0213,
            "threshold": 0.025, "gap": 0.0037, "hint": hint}


def standing_event(event_type: str = "TierPromoted", change: str = "promoted",
                   from_tier: str = "eaglet", to_tier: str = "gazelle",
                   **overrides: Any) -> EventEnvelope:
    """A ladder standing event (TierPromoted/TierDemoted/TierAtRisk/TierRenewed)."""
    f = overrides.pop("firm", None) or firm()
    data: dict[str, Any] = {
        "firm": f, "change": change, "from_tier": from_tier, "to_tier": to_tier,
        "round_year": 2024, "rulebook_id": "liaoning-2022", "decision_id": str(uuid.uuid4()),
        "reason": "S&T activity intensity over 4 years is 2.13%, below 2.5%",
        "failing": [], "registry_sequence": 7, "expires_on": "2025-06-30",
    }
    data.update(overrides)
    return make_event(event_type, producer="ladder", subject=f["id"], sequence=1, data=data)


def filing_expiring(days_left: int = 60) -> EventEnvelope:
    """A FilingExpiring event."""
    f = firm()
    return make_event("FilingExpiring", producer="ladder", subject=f["id"], sequence=1,
                      data={"firm": f, "tier": "eaglet", "expires_on": "2025-01-31",
                            "days_left": days_left})


def near_miss() -> EventEnvelope:
    """A NearMissDetected event with one failing criterion."""
    f = firm()
    return make_event("NearMissDetected", producer="ladder", subject=f["id"], sequence=1,
                      data={"firm": f, "tier": "gazelle", "failing": [failing()]})


def progress(pace: str = "behind", previous_pace: str | None = "on_track") -> EventEnvelope:
    """A TargetProgressChanged event for 2024 eaglets."""
    return make_event("TargetProgressChanged", producer="ladder", subject="2024", sequence=1,
                      data={"year": 2024, "key": "eaglet", "target": 170, "achieved": 60,
                            "progress": 60 / 170, "pace": pace, "previous_pace": previous_pace})


def milestone(milestone: str = "50%", with_firm: bool = False) -> EventEnvelope:
    """A TargetMilestoneReached event."""
    data: dict[str, Any] = {"year": 2024, "key": "unicorn" if with_firm else "eaglet",
                            "milestone": milestone, "target": 170, "achieved": 85}
    if with_firm:
        data.update(firm=firm("大连深蓝独角兽科技有限公司"), target=1, achieved=1)
    return make_event("TargetMilestoneReached", producer="ladder", subject="2024", sequence=1,
                      data=data)


def round_reminder(*firms: dict[str, Any]) -> EventEnvelope:
    """A RoundReminderDue naming these firms (default: one not applied, one stalled)."""
    named = firms or (firm(), firm("大连金普智造有限公司", "jinpu"))
    items = [{"firm": f, "kind": "not_applied" if n % 2 == 0 else "stalled", "tier": "gazelle",
              "state": None if n % 2 == 0 else "applied",
              "reason": None if n % 2 == 0 else "no step for 25 days"}
             for n, f in enumerate(named)]
    return make_event("RoundReminderDue", producer="ladder", subject="2024", sequence=1,
                      data={"year": 2024, "deadline": "firm_deadline", "on": "2024-12-10",
                            "days_left": 14, "items": items})


def list_published(*firms: dict[str, Any]) -> EventEnvelope:
    """A FilingListPublished: the first firm filed, the others left out."""
    named = firms or (firm(), firm("大连旅顺海洋科技有限公司", "lvshunkou"))
    items = [{"firm": f, "kind": "filed" if n == 0 else "not_filed", "tier": "gazelle",
              "reason": None if n == 0 else "left off the list"} for n, f in enumerate(named)]
    return make_event("FilingListPublished", producer="ladder", subject="2024", sequence=1,
                      data={"year": 2024, "tier": "gazelle", "list_name": "辽宁省2024年瞪羚企业",
                            "listed_on": "2024-12-20", "items": items})


def one_of_each_kind() -> dict[str, EventEnvelope]:
    """An event for every alert kind, keyed by kind."""
    return {
        "promotion": standing_event(unicorn_grade=None),
        "demotion": standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                                   failing=[failing()]),
        "revocation": standing_event("TierRevoked", "revoked", "gazelle", "none",
                                     reason="firm placed on the serious-dishonesty list"),
        "recovery": standing_event("TierRecovered", "recovered", "gazelle", "gazelle",
                                   reason="qualifies again for gazelle"),
        "override": standing_event("TierOverridden", "override", "gazelle", "eaglet",
                                   direction="down", by="officer:wang",
                                   reason="manual override by officer:wang: report under review"),
        "at_risk": standing_event("TierAtRisk", "at_risk", "gazelle", "gazelle", at_risk=True,
                                  failing=[failing()]),
        "renewal": standing_event("TierRenewed", "renewed", "eaglet", "eaglet",
                                  expires_on="2027-06-30"),
        "filing_expiring": filing_expiring(),
        "near_miss": near_miss(),
        "target_milestone": milestone(),
        "pace_behind": progress(),
    }


def round_kinds() -> dict[str, EventEnvelope]:
    """An event for each of the round's kinds (about many firms), keyed by kind."""
    return {"round_reminder": round_reminder(), "list_published": list_published()}
