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

from notifier.domain.wording import Language, pick
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


_KIND_WORDS: dict[str, tuple[str, str]] = {
    "promotion": ("晋级", "promotions"), "demotion": ("降级", "demotions"),
    "revocation": ("撤销", "revocations"), "at_risk": ("风险预警", "at-risk warnings"),
    "renewal": ("续期", "renewals"), "recovery": ("恢复", "recoveries"),
    "override": ("人工调整", "overrides"), "filing_expiring": ("到期提示", "expiry notices"),
    "near_miss": ("临近达标", "near misses"), "target_milestone": ("目标进展", "milestones"),
    "pace_behind": ("进度落后", "behind-pace notices"),
    "round_reminder": ("申报提醒", "round reminders"),
    "list_published": ("名单公布", "published lists"),
    "entitlement_offered": ("政策兑现告知", "entitlement offers"),
    "entitlement_overdue": ("待确认提醒", "unconfirmed offers"),
}


def summary_words(lang: Language, tally: HistoryTally, after_days: int
                  ) -> tuple[str, str, str]:
    """(title, plain text, HTML) of an officer's history summary."""
    since = f"{tally.since.year}" if tally.since else "?"
    demotions = tally.by_kind.get("demotion", 0)
    title = pick(lang, f"【历史记录】导入的历史：{tally.firms:,} 家企业，自 {since} 年起 "
                       f"{demotions:,} 次降级",
                 f"Imported history: {tally.firms:,} firms, {demotions:,} demotions since "
                 f"{since}")
    parts = [pick(lang, f"{_KIND_WORDS.get(k, (k, k))[0]} {n:,} 次",
                  f"{n:,} {_KIND_WORDS.get(k, (k, k))[1]}")
             for k, n in sorted(tally.by_kind.items(), key=lambda kv: (-kv[1], kv[0]))]
    what = pick(lang, f"共 {tally.total:,} 条历史决定或通知（{'、'.join(parts)}），"
                      f"其日期早于收到时 {after_days} 天以上。",
                f"{tally.total:,} past decisions or notices ({', '.join(parts)}), each dated "
                f"more than {after_days} days before it arrived.")
    nxt = pick(lang, "它们已记入各企业的档案（企业详情中的提醒记录），不作为即时或紧急提醒发送，"
                     "也不会升级。无需处理。",
               "They are on each firm's record (the firm's alerts), not sent as immediate or "
               "critical alerts and never escalated. No action needed.")
    text = f"{title}\n\n{what}\n{nxt}"
    body = (f'<div class="alert alert-info"><h3>{html.escape(title)}</h3>'
            f"<p>{html.escape(what)}</p><p>{html.escape(nxt)}</p></div>")
    return title, text, body
