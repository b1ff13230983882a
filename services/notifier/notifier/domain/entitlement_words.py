"""What the two entitlement alerts say: an entitlement offered to a firm, and an offer the
firm has not confirmed after N days. Money in 万元, as bureau staff write it."""

from __future__ import annotations

from typing import NamedTuple

from notifier.domain.wording import Language, clean, pick
from shared.events import EntitlementAwaitingConfirmationData, EntitlementStateChangedData


class Words(NamedTuple):
    """An alert's parts: title, what happened, why, the next step."""

    title: str
    what: str
    why: str
    next: str


def wan(yuan: int) -> str:
    """Yuan as 万元 (two decimals at most, trailing zeros dropped)."""
    return f"{yuan / 10_000:,.2f}".rstrip("0").rstrip(".")


def offered(lang: Language, d: EntitlementStateChangedData) -> Words:
    """Words for an entitlement just offered to a firm (免申即享: the firm only confirms)."""
    name, policy, amount = clean(d.firm.name), clean(d.policy_name), wan(d.amount)
    return Words(
        title=pick(lang, f"【免申即享】{name} 可享受「{policy}」{amount} 万元",
                   f"Entitlement: {name} is owed {d.amount:,} CNY under {policy}"),
        what=pick(lang, f"{name} 符合「{policy}」，应享 {amount} 万元，已于 {d.on} 告知。",
                  f"{name} qualifies for {policy}: {d.amount:,} CNY, offered on {d.on}."),
        why=pick(lang, "依据已掌握的备案、认定和年报数据自动测算，企业无需申请。",
                 "Computed from the filings, certificates and reports already held; the firm "
                 "need not apply."),
        next=pick(lang, "请通知企业确认（如有二选一，请企业选择方式），确认后报财务审批。",
                  "Ask the firm to confirm (and pick an option where there are two); then it "
                  "goes to finance for approval."),
    )


def overdue(lang: Language, d: EntitlementAwaitingConfirmationData) -> Words:
    """Words for an offer the firm has not confirmed after N days."""
    name, policy, amount = clean(d.firm.name), clean(d.policy_name), wan(d.amount)
    n = d.days_waiting
    return Words(
        title=pick(lang, f"【待确认】{name} 的「{policy}」{amount} 万元已等待 {n} 天",
                   f"Awaiting confirmation: {name}, {policy}, {n} days"),
        what=pick(lang, f"{d.offered_on} 告知的「{policy}」（{amount} 万元）企业尚未确认，"
                  f"已 {n} 天。",
                  f"The {policy} entitlement offered on {d.offered_on} has waited {n} days "
                  "for the firm's confirmation."),
        why=pick(lang, "逾期未确认的待遇可能过期，资金无法按时拨付。",
                 "An unconfirmed offer may expire and the money not be paid in time."),
        next=pick(lang, "请联系企业确认或放弃。", "Contact the firm to confirm or decline."),
    )
