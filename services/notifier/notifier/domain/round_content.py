"""What the round's messages say (one per officer, their own firms): a deadline's reminder and
a published list's outcome, in zh or en, in the catalogue's words (`msg.round*`)."""

from __future__ import annotations

from notifier.domain.content import Content
from notifier.domain.wording import Language, clean, say, tier, word
from shared.events import FilingListPublishedData, RoundItem, RoundReminderDueData


def _line(lang: Language, item: RoundItem) -> str:
    p = {"firm": clean(item.firm.name), "tier": tier(lang, item.tier),
         "reason": item.reason or ""}
    if item.kind == "stalled":
        p["state"] = word(lang, f"msg.round.state.{item.state}", item.state or "")
    kind = item.kind if item.kind in ("not_applied", "stalled", "filed") else "not_filed"
    return say(lang, f"msg.round.line.{kind}", **p)


def round_reminder(lang: Language, d: RoundReminderDueData) -> Content:
    """A deadline is near: the officer's firms not applied or stalled."""
    p = {"year": d.year, "when": say(lang, f"msg.round.deadline.{d.deadline}"),
         "day": d.on.isoformat(), "n": len(d.items), "days_left": d.days_left,
         "not_applied": sum(1 for i in d.items if i.kind == "not_applied")}
    return Content(
        title=say(lang, "msg.round_reminder.title", **p),
        what=say(lang, "msg.round_reminder.what", **p),
        why=say(lang, "msg.round_reminder.why"),
        failing=[_line(lang, i) for i in d.items],
        next=say(lang, "msg.round_reminder.next", **p),
    )


def list_published(lang: Language, d: FilingListPublishedData) -> Content:
    """A list is out: which of the officer's firms it filed, and which it left out."""
    filed = sum(1 for i in d.items if i.kind == "filed")
    p = {"name": clean(d.list_name), "filed": filed, "left": len(d.items) - filed,
         "listed_on": d.listed_on.isoformat(), "tier": tier(lang, d.tier)}
    return Content(
        title=say(lang, "msg.list_published.title", **p),
        what=say(lang, "msg.list_published.what", **p),
        failing=[_line(lang, i) for i in d.items],
        next=say(lang, "msg.list_published.next"),
    )
