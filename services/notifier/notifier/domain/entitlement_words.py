"""What the two entitlement alerts say: an entitlement offered to a firm, and an offer the
firm has not confirmed after N days. Money in 万元 in Chinese, as bureau staff write it, in
yuan with thousands separators in English; the words are the catalogue's
(`msg.entitlement_offered.*`, `msg.entitlement_overdue.*`)."""

from __future__ import annotations

from typing import NamedTuple

from notifier.domain.wording import Language, clean, say
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


def amount(lang: Language, yuan: int) -> str:
    """The `{amount}` parameter: 万 in Chinese (the template says 万元), yuan in English."""
    return wan(yuan) if lang == "zh" else f"{yuan:,}"


def _words(lang: Language, kind: str, **params: object) -> Words:
    return Words(*(say(lang, f"msg.{kind}.{part}", **params)
                   for part in ("title", "what", "why", "next")))


def offered(lang: Language, d: EntitlementStateChangedData) -> Words:
    """Words for an entitlement just offered to a firm (免申即享: the firm only confirms)."""
    return _words(lang, "entitlement_offered", firm=clean(d.firm.name),
                  policy=clean(d.policy_name), amount=amount(lang, d.amount), on=d.on)


def overdue(lang: Language, d: EntitlementAwaitingConfirmationData) -> Words:
    """Words for an offer the firm has not confirmed after N days."""
    return _words(lang, "entitlement_overdue", firm=clean(d.firm.name),
                  policy=clean(d.policy_name), amount=amount(lang, d.amount),
                  on=d.offered_on, n=d.days_waiting)
