"""What each alert kind says: what happened, why, and the next step, in zh or en."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifier.domain import entitlement_words
from notifier.domain.wording import (
    Language,
    clean,
    failing_line,
    missing_summary,
    say,
    target,
    tier,
    word,
)
from shared.events import (
    EntitlementAwaitingConfirmationData,
    EntitlementStateChangedData,
    FailingCriterion,
    FilingExpiringData,
    NearMissDetectedData,
    StandingChangeData,
    TargetMilestoneReachedData,
    TargetProgressChangedData,
)


@dataclass
class Content:
    """An alert's parts before layout: title, what happened, why, unmet criteria, next step."""

    title: str
    what: str
    why: str | None = None
    failing: list[str] = field(default_factory=list)
    next: str = ""


def build_content(kind: str, lang: Language, data: Any) -> Content:
    """Words for `kind` from an event payload; ValueError if the payload cannot carry it."""
    builder, payload_type = _BUILDERS.get(kind, (None, None))
    if builder is None or payload_type is None or not isinstance(data, payload_type):
        raise ValueError(f"cannot word a {type(data).__name__} payload as a {kind!r} alert")
    content = builder(lang, data)
    if isinstance(data, StandingChangeData) and data.supersedes is not None:
        # a late fact changed an earlier decision: say so before anything else
        day = data.decided_on.isoformat() if data.decided_on else ""
        content.title = say(lang, "msg.correction", day=day, title=content.title)
    return content


def _failing(lang: Language, failing: list[FailingCriterion]) -> list[str]:
    return [failing_line(lang, c) for c in failing]


def _standing(lang: Language, d: StandingChangeData) -> dict[str, Any]:
    """The parameters every standing message takes: the firm, the tiers, the round's year."""
    return {"firm": clean(d.firm.name), "from": tier(lang, d.from_tier),
            "to": tier(lang, d.to_tier), "year": d.round_year}


def _promotion(lang: Language, d: StandingChangeData) -> Content:
    p = _standing(lang, d)
    grade = word(lang, f"code.grade.{d.unicorn_grade}", "") if d.unicorn_grade else ""
    p["grade"] = say(lang, "msg.grade", grade=grade) if grade else ""
    return Content(title=say(lang, "msg.promotion.title", **p),
                   what=say(lang, "msg.promotion.what", **p), why=clean(d.reason),
                   next=say(lang, "msg.promotion.next", **p))


def _demotion(lang: Language, d: StandingChangeData) -> Content:
    p = _standing(lang, d)
    return Content(title=say(lang, "msg.demotion.title", **p),
                   what=say(lang, "msg.demotion.what", **p),
                   why=clean(d.reason), failing=_failing(lang, d.failing),
                   next=say(lang, "msg.demotion.next",
                            missing=missing_summary(lang, d.failing)))


def _revocation(lang: Language, d: StandingChangeData) -> Content:
    p = _standing(lang, d)
    return Content(title=say(lang, "msg.revocation.title", **p),
                   what=say(lang, "msg.revocation.what", **p),
                   why=clean(d.reason), failing=_failing(lang, d.failing),
                   next=say(lang, "msg.revocation.next"))


def _at_risk(lang: Language, d: StandingChangeData) -> Content:
    p = {"firm": clean(d.firm.name), "tier": tier(lang, d.from_tier)}
    missing = missing_summary(lang, d.failing)
    if d.expires_on:
        nxt = say(lang, "msg.at_risk.next_until", day=d.expires_on.isoformat(), missing=missing)
    else:
        nxt = say(lang, "msg.at_risk.next", missing=missing)
    return Content(title=say(lang, "msg.at_risk.title", **p),
                   what=say(lang, "msg.at_risk.what", **p),
                   why=clean(d.reason), failing=_failing(lang, d.failing), next=nxt)


def _renewal(lang: Language, d: StandingChangeData) -> Content:
    until = d.expires_on.isoformat() if d.expires_on else say(lang, "msg.renewal.next_review")
    p = {"firm": clean(d.firm.name), "tier": tier(lang, d.to_tier), "until": until}
    return Content(title=say(lang, "msg.renewal.title", **p),
                   what=say(lang, "msg.renewal.what", **p), why=clean(d.reason),
                   next=say(lang, "msg.renewal.next"))


def _recovery(lang: Language, d: StandingChangeData) -> Content:
    p = {"firm": clean(d.firm.name), "tier": tier(lang, d.to_tier)}
    return Content(title=say(lang, "msg.recovery.title", **p),
                   what=say(lang, "msg.recovery.what", **p), why=clean(d.reason),
                   next=say(lang, "msg.recovery.next"))


def _override(lang: Language, d: StandingChangeData) -> Content:
    p = _standing(lang, d)
    p["by"] = clean(getattr(d, "by", "") or say(lang, "msg.unknown"))
    if getattr(d, "cleared", False):
        title = say(lang, "msg.override.cleared_title", **p)
        what = say(lang, "msg.override.cleared_what", **p)
    else:
        direction = getattr(d, "direction", "same")
        p["verb"] = say(lang, f"msg.override.{direction if direction in ('up', 'down') else 'same'}")
        title = say(lang, "msg.override.title", **p)
        what = say(lang, "msg.override.what", **p)
    return Content(title=title, what=what, why=clean(d.reason),
                   next=say(lang, "msg.override.next"))


def _filing_expiring(lang: Language, d: FilingExpiringData) -> Content:
    p = {"firm": clean(d.firm.name), "tier": tier(lang, d.tier),
         "day": d.expires_on.isoformat(), "n": d.days_left}
    return Content(title=say(lang, "msg.filing_expiring.title", **p),
                   what=say(lang, "msg.filing_expiring.what", **p),
                   why=say(lang, "msg.filing_expiring.why"),
                   next=say(lang, "msg.filing_expiring.next", **p))


def _near_miss(lang: Language, d: NearMissDetectedData) -> Content:
    n = len(d.failing)
    p = {"firm": clean(d.firm.name), "tier": tier(lang, d.tier), "n": n}
    return Content(title=say(lang, "msg.near_miss.title", **p),
                   what=say(lang, "msg.near_miss.what_one" if n == 1 else "msg.near_miss.what",
                            **p),
                   failing=_failing(lang, d.failing),
                   next=say(lang, "msg.near_miss.next",
                            missing=missing_summary(lang, d.failing)))


def _milestone(lang: Language, d: TargetMilestoneReachedData) -> Content:
    firm = clean(d.firm.name) if d.firm else ""
    p: dict[str, Any] = {"year": d.year, "key": target(lang, d.key), "firm": firm,
                         "milestone": word(lang, f"code.milestone.{d.milestone}", d.milestone),
                         "achieved": d.achieved, "target": d.target}
    if d.milestone == "first_unicorn" and firm:
        title = say(lang, "msg.target_milestone.title_first_unicorn", **p)
    else:
        title = say(lang, "msg.target_milestone.title", **p)
    left = max(d.target - d.achieved, 0)
    nxt = (say(lang, "msg.target_milestone.next_met") if left == 0
           else say(lang, "msg.target_milestone.next", left=left))
    what = say(lang, "msg.target_milestone.what",
               **{**p, "firm": say(lang, "msg.firm_paren", firm=firm) if firm else ""})
    return Content(title=title, what=what, next=nxt)


def _pace_behind(lang: Language, d: TargetProgressChangedData) -> Content:
    p = {"year": d.year, "key": target(lang, d.key), "pct": f"{d.progress:.0%}",
         "achieved": d.achieved, "target": d.target}
    prev = (word(lang, f"code.pace.{d.previous_pace}", d.previous_pace) if d.previous_pace
            else say(lang, "msg.unknown"))
    return Content(title=say(lang, "msg.pace_behind.title", **p),
                   what=say(lang, "msg.pace_behind.what", **p),
                   why=say(lang, "msg.pace_behind.why", prev=prev),
                   next=say(lang, "msg.pace_behind.next", **p))


def _entitlement_offered(lang: Language, d: EntitlementStateChangedData) -> Content:
    w = entitlement_words.offered(lang, d)
    return Content(title=w.title, what=w.what, why=w.why, next=w.next)


def _entitlement_overdue(lang: Language, d: EntitlementAwaitingConfirmationData) -> Content:
    w = entitlement_words.overdue(lang, d)
    return Content(title=w.title, what=w.what, why=w.why, next=w.next)


_BUILDERS: dict[str, tuple[Callable[[Language, Any], Content], type]] = {
    "promotion": (_promotion, StandingChangeData),
    "demotion": (_demotion, StandingChangeData),
    "revocation": (_revocation, StandingChangeData),
    "at_risk": (_at_risk, StandingChangeData),
    "renewal": (_renewal, StandingChangeData),
    "recovery": (_recovery, StandingChangeData),
    "override": (_override, StandingChangeData),
    "filing_expiring": (_filing_expiring, FilingExpiringData),
    "near_miss": (_near_miss, NearMissDetectedData),
    "target_milestone": (_milestone, TargetMilestoneReachedData),
    "pace_behind": (_pace_behind, TargetProgressChangedData),
    "entitlement_offered": (_entitlement_offered, EntitlementStateChangedData),
    "entitlement_overdue": (_entitlement_overdue, EntitlementAwaitingConfirmationData),
}


def _round_builders() -> None:
    """The round's messages live in their own module (it imports `Content` from here)."""
    from notifier.domain.round_content import list_published, round_reminder
    from shared.events import FilingListPublishedData, RoundReminderDueData

    _BUILDERS["round_reminder"] = (round_reminder, RoundReminderDueData)
    _BUILDERS["list_published"] = (list_published, FilingListPublishedData)


_round_builders()
