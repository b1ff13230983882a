"""Read models: what the GET routes answer, and the views the API answers after a change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notifier.access import Forbidden, may_see, scoped
from notifier.channels.models import redact_url
from notifier.config import Settings
from notifier.domain.officers import Row, channel_keys
from notifier.repository import Repository
from notifier.schemas import (
    Alert,
    AlertDetail,
    Allowlist,
    Delivery,
    DeliveryDetail,
    FallbackOfficer,
    FirmOfficer,
    InboxPage,
    Officer,
)
from shared.auth import Principal
from shared.errors import NotFound
from shared.paging import Page, joined, page_of, parts_of

ALLOWLIST_KEY = "webhook_allowlist"
FALLBACK_KEY = "fallback_officer"

# ---------------------------------------------------------------- views


def channel_view(ch: dict[str, Any], key: str, reveal: bool) -> dict[str, Any]:
    """A channel as the API shows it; bot URLs carry tokens, so only their owner sees them."""
    out: dict[str, Any] = {"key": key, "kind": ch["kind"]}
    if ch["kind"] == "email":
        out["to"] = ch.get("to")
        return out
    out["url"] = ch["url"] if reveal else redact_url(ch["url"])
    if ch["kind"] in ("dingtalk", "feishu"):
        out["signed"] = bool(ch.get("secret"))
    return out


def officer_view(row: Row, *, reveal: bool) -> dict[str, Any]:
    """An officer as the API shows it (also what the audit log keeps, unrevealed)."""
    raw = list(row["channels"] or [])
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = {"start": row["quiet_start"], "end": row["quiet_end"]}
    return {
        "id": row["id"], "name": row["name"], "email": row["email"],
        "districts": list(row["districts"]), "industries": list(row["industries"]),
        "channels": [channel_view(c, k, reveal)
                     for c, k in zip(raw, channel_keys(raw), strict=True)],
        "quiet_hours": quiet, "language": row["language"], "supervisor_id": row["supervisor_id"],
        "receives_targets": row["receives_targets"], "preferences": dict(row["preferences"]),
        "digest_at": row["digest_at"], "next_digest_at": row["next_digest_at"],
        "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def alert_view(row: Row) -> Alert:
    """An alert (inbox entry) as the API shows it."""
    r = row["rendered"]
    return Alert(
        id=row["id"], officer_id=row["officer_id"], kind=row["kind"], severity=row["severity"],
        critical=row["critical"], title=r["title"], body=r["body_text"],
        body_html=r["body_html"], link=r["link"], language=r["language"],
        firm_id=row["firm_id"], subject=row["subject"], unrouted=row["unrouted"],
        routed_via=row["routed_via"], source_event_id=row["source_event_id"],
        created_at=row["created_at"], read=row["acknowledged_at"] is not None,
        acknowledged_at=row["acknowledged_at"], acknowledged_by=row["acknowledged_by"],
        escalation_of=row["escalation_of"], escalated_at=row["escalated_at"],
        escalated_to=row["escalated_to"], key=r.get("key") or f"alert.{row['kind']}",
        params=r.get("params") or {}, history=row.get("history", False),
        on=row.get("occurred_on"))


# ---------------------------------------------------------------- settings


async def allowlist(repo: Repository, settings: Settings) -> list[str]:
    """Every allowed webhook host: NOTIFIER_WEBHOOK_ALLOWLIST plus the admin's list."""
    return sorted({*settings.webhook_hosts, *(await repo.setting(ALLOWLIST_KEY) or [])})


async def fallback_officer_id(repo: Repository, settings: Settings) -> uuid.UUID | None:
    """The officer who takes unrouted alerts: the admin's choice, else the environment's."""
    stored = await repo.setting(FALLBACK_KEY)
    return uuid.UUID(stored) if stored else settings.notifier_fallback_officer


async def allowlist_view(repo: Repository, settings: Settings) -> Allowlist:
    """Both parts of the allowlist and their union."""
    return Allowlist(environment=settings.webhook_hosts,
                     hosts=list(await repo.setting(ALLOWLIST_KEY) or []),
                     effective=await allowlist(repo, settings))


async def fallback_view(repo: Repository, settings: Settings) -> FallbackOfficer:
    """The admin's fallback officer, the environment's, and the one in effect."""
    return FallbackOfficer(officer_id=await repo.setting(FALLBACK_KEY),
                           environment=settings.notifier_fallback_officer,
                           effective=await fallback_officer_id(repo, settings))


# ---------------------------------------------------------------- cursors


def _flag(text: str) -> bool:
    if text not in ("True", "False"):
        raise ValueError(text)
    return text == "True"


_AT_ID = (datetime.fromisoformat, uuid.UUID)
_ALERT_KEY = (_flag, *_AT_ID)


def _alert_position(row: Row) -> str:
    return joined(row["acknowledged_at"] is not None, row["created_at"], row["id"])


# ---------------------------------------------------------------- the read side


class Queries:
    """What the GET routes read: no transaction, no change."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        self.repo, self.settings = repo, settings

    async def officer(self, principal: Principal, officer_id: uuid.UUID) -> Officer:
        """One officer; webhook URLs only in full for admins and the officer."""
        row = await self.repo.officer(officer_id)
        if row is None:
            raise NotFound(f"no officer with id {officer_id}")
        reveal = principal.role == "admin" or principal.officer_id == row["id"]
        return Officer.model_validate(officer_view(row, reveal=reveal))

    async def officers(self, *, cursor: str | None, limit: int) -> Page[Officer]:
        """Live officers, oldest first (webhook URLs redacted)."""
        rows = await self.repo.officers(after=parts_of(cursor, *_AT_ID), limit=limit + 1)
        page = page_of(rows, limit, lambda r: joined(r["created_at"], r["id"]))
        return Page[Officer](
            items=[Officer.model_validate(officer_view(r, reveal=False)) for r in page.items],
            next_cursor=page.next_cursor)

    async def firm_officer(self, firm_id: uuid.UUID) -> FirmOfficer:
        """A firm's explicit assignment (officer_id null when coverage decides)."""
        row = await self.repo.firm_officer(firm_id)
        return FirmOfficer(firm_id=firm_id, officer_id=row["officer_id"] if row else None,
                           assigned_at=row["assigned_at"] if row else None)

    async def allowlist(self) -> Allowlist:
        """Both parts of the webhook allowlist and their union."""
        return await allowlist_view(self.repo, self.settings)

    async def fallback(self) -> FallbackOfficer:
        """Who receives alerts no officer covers."""
        return await fallback_view(self.repo, self.settings)

    async def inbox(self, principal: Principal, officer_id: uuid.UUID, *, kind: str | None,
                    unread: bool | None, since: datetime | None, cursor: str | None,
                    limit: int) -> InboxPage:
        """An officer's inbox: unread first, newest first."""
        if not may_see(principal, officer_id):
            raise Forbidden("an officer may read only their own inbox")
        if await self.repo.officer(officer_id) is None:
            raise NotFound(f"no officer with id {officer_id}")
        rows = await self.repo.alerts(officer_id=officer_id, unrouted=None, kind=kind,
                                      unread=unread, since=since, limit=limit + 1,
                                      after=parts_of(cursor, *_ALERT_KEY), history=False)
        page = page_of(rows, limit, _alert_position)
        return InboxPage(items=[alert_view(r) for r in page.items], next_cursor=page.next_cursor,
                         unread=await self.repo.unread_count(officer_id))

    async def alerts(self, principal: Principal, *, officer_id: uuid.UUID | None,
                     unrouted: bool | None, kind: str | None, unread: bool | None,
                     cursor: str | None, limit: int,
                     firm_id: uuid.UUID | None = None,
                     history: bool | None = None) -> Page[Alert]:
        """Alerts across officers (an officer sees only their own); with a firm, its record."""
        rows = await self.repo.alerts(
            officer_id=scoped(principal, officer_id, "alerts"), unrouted=unrouted, kind=kind,
            unread=unread, since=None, limit=limit + 1, after=parts_of(cursor, *_ALERT_KEY),
            firm_id=firm_id, history=history)
        page = page_of(rows, limit, _alert_position)
        return Page[Alert](items=[alert_view(r) for r in page.items],
                           next_cursor=page.next_cursor)

    async def alert(self, principal: Principal, alert_id: uuid.UUID) -> AlertDetail:
        """One alert with its deliveries."""
        row = await self.repo.alert(alert_id)
        if row is None:
            raise NotFound(f"no alert with id {alert_id}")
        if not may_see(principal, row["officer_id"]):
            raise Forbidden("an officer may read only their own alerts")
        found = await self.repo.deliveries(status=None, channel=None, officer_id=None,
                                           alert_id=alert_id, limit=100)
        return AlertDetail(**alert_view(row).model_dump(),
                           deliveries=[Delivery.model_validate(dict(d)) for d in found])

    async def deliveries(self, principal: Principal, *, status: str | None,
                         channel: str | None, officer_id: uuid.UUID | None,
                         cursor: str | None, limit: int) -> Page[Delivery]:
        """The delivery queue, filtered (an officer sees only their own)."""
        rows = await self.repo.deliveries(
            status=status, channel=channel, officer_id=scoped(principal, officer_id,
                                                              "deliveries"),
            alert_id=None, limit=limit + 1, after=parts_of(cursor, *_AT_ID))
        page = page_of(rows, limit, lambda r: joined(r["updated_at"], r["id"]))
        return Page[Delivery](items=[Delivery.model_validate(dict(r)) for r in page.items],
                              next_cursor=page.next_cursor)

    async def delivery(self, principal: Principal, delivery_id: uuid.UUID) -> DeliveryDetail:
        """One delivery with every attempt made."""
        row = await self.repo.delivery(delivery_id)
        if row is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        if not may_see(principal, row["officer_id"]):
            raise Forbidden("an officer may read only their own deliveries")
        made = [dict(a) for a in await self.repo.attempts(delivery_id)]
        return DeliveryDetail.model_validate({**dict(row), "attempts_made": made})
