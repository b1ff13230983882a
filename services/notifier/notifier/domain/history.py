"""Alerts for now, a record for the past: an event about something older than the setting
(NOTIFIER_HISTORY_AFTER_DAYS) when it arrives (a history import, a late correction of an old
decision) goes to the firm's record, never to an inbox as an immediate or critical alert. Each
officer gets at most one summary of such history, kept up to date."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from notifier.domain.wording import Language, say, word
from shared.events import (
    AnyEvent,
    EntitlementAwaitingConfirmationData,
    EntitlementStateChangedData,
    FilingExpiringData,
    FilingListPublishedData,
    RoundReminderDueData,
    StandingChangeData,
    TargetMilestoneReachedData,
    TargetProgressChangedData,
)

BUREAU_TZ = ZoneInfo("Asia/Shanghai")
SUMMARY_KIND = "history_summary"
_SUMMARY_NAMESPACE = uuid.UUID("0c9d3f5e-7a41-4b8e-9f0e-2b6d1c7a4e93")


def event_date(event: AnyEvent) -> date | None:
    """The date of what an event tells (not when it arrived): a decision's date, a list's, a
    deadline's, an entitlement step's; the last day of the year for a target's news. None when
    the event carries no date (then it is news of now)."""
    d = event.data
    if isinstance(d, StandingChangeData):
        return d.decided_on  # a correction carries the corrected decision's date
    if isinstance(d, FilingExpiringData):
        return d.expires_on - timedelta(days=d.days_left)
    if isinstance(d, RoundReminderDueData):
        return d.on
    if isinstance(d, FilingListPublishedData):
        return d.listed_on
    if isinstance(d, EntitlementStateChangedData):
        return d.on
    if isinstance(d, EntitlementAwaitingConfirmationData):
        return d.offered_on + timedelta(days=d.days_waiting)
    if isinstance(d, (TargetMilestoneReachedData, TargetProgressChangedData)):
        return date(d.year, 12, 31)
    return None


def today_in_bureau(now: datetime) -> date:
    """The bureau's date (China Standard Time) at `now`."""
    return now.astimezone(BUREAU_TZ).date()


def is_history(event: AnyEvent, now: datetime, after_days: int) -> bool:
    """True when what the event tells is more than `after_days` days old at `now`."""
    on = event_date(event)
    return on is not None and (today_in_bureau(now) - on).days > after_days


def summary_id(officer_id: uuid.UUID) -> uuid.UUID:
    """The one history summary of an officer (its id, so it is updated, never added to)."""
    return uuid.uuid5(_SUMMARY_NAMESPACE, str(officer_id))


@dataclass(frozen=True, slots=True)
class HistoryTally:
    """What an officer's record holds from history: firms, events by kind, the earliest date."""

    firms: int
    since: date | None
    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        """Every recorded event."""
        return sum(self.by_kind.values())


def summary_words(lang: Language, tally: HistoryTally, after_days: int
                  ) -> tuple[str, str, str]:
    """(title, plain text, HTML) of an officer's history summary."""
    since = f"{tally.since.year}" if tally.since else "?"
    demotions = tally.by_kind.get("demotion", 0)
    title = say(lang, "msg.history_summary.title", firms=f"{tally.firms:,}", since=since,
                demotions=f"{demotions:,}")
    parts = [say(lang, "msg.history_summary.part", n=f"{n:,}",
                 kind=word(lang, f"msg.history.{k}", k))
             for k, n in sorted(tally.by_kind.items(), key=lambda kv: (-kv[1], kv[0]))]
    what = say(lang, "msg.history_summary.what", total=f"{tally.total:,}", days=after_days,
               parts=say(lang, "msg.history_summary.part_sep").join(parts))
    nxt = say(lang, "msg.history_summary.next")
    text = f"{title}\n\n{what}\n{nxt}"
    body = (f'<div class="alert alert-info"><h3>{html.escape(title)}</h3>'
            f"<p>{html.escape(what)}</p><p>{html.escape(nxt)}</p></div>")
    return title, text, body
