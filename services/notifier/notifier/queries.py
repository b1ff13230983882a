"""Read-side use cases: inbox, alert and delivery lists, with the views the API returns."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from notifier import repository as repo
from notifier.handlers import Forbidden, may_see
from notifier.officer_data import officer_view
from notifier.schemas import (
    Alert,
    AlertDetail,
    Delivery,
    DeliveryDetail,
    FirmOfficer,
    InboxPage,
    Officer,
)
from shared.auth import Principal
from shared.errors import NotFound, Rejected
from shared.paging import Page, page_of, position_of


def _position(*parts: object) -> str:
    """A row's place in its list's order, as the one string a cursor carries."""
    return "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)


def _after(cursor: str | None, *kinds: Callable[[str], Any]) -> Any:
    """The (typed) position a cursor stands for, None for the first page; 422 for a forged one."""
    position = position_of(cursor, str)
    if position is None:
        return None
    parts = position.split("|")
    try:
        if len(parts) != len(kinds):
            raise ValueError(position)
        return tuple(kind(part) for kind, part in zip(kinds, parts, strict=True))
    except ValueError:
        raise Rejected("cursor", "cursor", "cursor is not one this API gave out") from None


def _flag(text: str) -> bool:
    if text not in ("True", "False"):
        raise ValueError(text)
    return text == "True"


_AT_ID = (datetime.fromisoformat, uuid.UUID)
_ALERT_KEY = (_flag, *_AT_ID)


def _alert_position(row: asyncpg.Record) -> str:
    return _position(row["acknowledged_at"] is not None, row["created_at"], row["id"])


def alert_view(row: asyncpg.Record) -> dict[str, Any]:
    """An alert (inbox entry) as the API shows it."""
    r = row["rendered"]
    return {
        "id": row["id"], "officer_id": row["officer_id"], "kind": row["kind"],
        "severity": row["severity"], "critical": row["critical"], "title": r["title"],
        "body": r["body_text"], "body_html": r["body_html"], "link": r["link"],
        "language": r["language"], "firm_id": row["firm_id"], "subject": row["subject"],
        "unrouted": row["unrouted"], "routed_via": row["routed_via"],
        "source_event_id": row["source_event_id"], "created_at": row["created_at"],
        "read": row["acknowledged_at"] is not None, "acknowledged_at": row["acknowledged_at"],
        "acknowledged_by": row["acknowledged_by"], "escalation_of": row["escalation_of"],
        "escalated_at": row["escalated_at"], "escalated_to": row["escalated_to"],
    }


async def inbox(
    pool: asyncpg.Pool, principal: Principal, officer_id: uuid.UUID, *, kind: str | None,
    unread: bool | None, since: datetime | None, cursor: str | None, limit: int,
) -> InboxPage:
    """An officer's inbox: unread first, newest first."""
    if not may_see(principal, officer_id):
        raise Forbidden("an officer may read only their own inbox")
    if await repo.officer(pool, officer_id) is None:
        raise NotFound(f"no officer with id {officer_id}")
    rows = await repo.alerts(pool, officer_id=officer_id, unrouted=None, kind=kind,
                             unread=unread, since=since, after=_after(cursor, *_ALERT_KEY),
                             limit=limit + 1)
    page = page_of(rows, limit, _alert_position)
    return InboxPage(items=[Alert.model_validate(alert_view(r)) for r in page.items],
                     next_cursor=page.next_cursor,
                     unread=await repo.unread_count(pool, officer_id))


def _scoped(principal: Principal, officer_id: uuid.UUID | None, what: str) -> uuid.UUID | None:
    """The officer filter a caller may use: an officer is held to their own (403 otherwise)."""
    if principal.role != "officer":
        return officer_id
    if officer_id not in (None, principal.officer_id):
        raise Forbidden(f"an officer may list only their own {what}")
    return principal.officer_id or uuid.UUID(int=0)  # a key without an officer sees nothing


async def list_alerts(
    pool: asyncpg.Pool, principal: Principal, *, officer_id: uuid.UUID | None,
    unrouted: bool | None, kind: str | None, unread: bool | None, cursor: str | None,
    limit: int, firm_id: uuid.UUID | None = None,
) -> Page[Alert]:
    """Alerts across officers (an officer sees only their own)."""
    officer_id = _scoped(principal, officer_id, "alerts")
    rows = await repo.alerts(pool, officer_id=officer_id, unrouted=unrouted, kind=kind,
                             unread=unread, since=None, after=_after(cursor, *_ALERT_KEY),
                             limit=limit + 1, firm_id=firm_id)
    page = page_of(rows, limit, _alert_position)
    return Page[Alert](items=[Alert.model_validate(alert_view(r)) for r in page.items],
                       next_cursor=page.next_cursor)


async def get_alert(pool: asyncpg.Pool, principal: Principal,
                    alert_id: uuid.UUID) -> AlertDetail:
    """One alert with its deliveries."""
    row = await repo.alert(pool, alert_id)
    if row is None:
        raise NotFound(f"no alert with id {alert_id}")
    if not may_see(principal, row["officer_id"]):
        raise Forbidden("an officer may read only their own alerts")
    found = await repo.deliveries(pool, status=None, channel=None, officer_id=None,
                                  alert_id=alert_id, limit=100)
    return AlertDetail.model_validate({**alert_view(row), "deliveries": [dict(d) for d in found]})


async def list_deliveries(
    pool: asyncpg.Pool, principal: Principal, *, status: str | None, channel: str | None,
    officer_id: uuid.UUID | None, cursor: str | None, limit: int,
) -> Page[Delivery]:
    """The delivery queue, filtered (an officer sees only their own)."""
    officer_id = _scoped(principal, officer_id, "deliveries")
    rows = await repo.deliveries(pool, status=status, channel=channel, officer_id=officer_id,
                                 alert_id=None, after=_after(cursor, *_AT_ID), limit=limit + 1)
    page = page_of(rows, limit, lambda r: _position(r["updated_at"], r["id"]))
    return Page[Delivery](items=[Delivery.model_validate(dict(r)) for r in page.items],
                          next_cursor=page.next_cursor)


async def get_delivery(pool: asyncpg.Pool, principal: Principal,
                       delivery_id: uuid.UUID) -> DeliveryDetail:
    """One delivery with every attempt made."""
    row = await repo.delivery(pool, delivery_id)
    if row is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    if not may_see(principal, row["officer_id"]):
        raise Forbidden("an officer may read only their own deliveries")
    made = [dict(a) for a in await repo.attempts(pool, delivery_id)]
    return DeliveryDetail.model_validate({**dict(row), "attempts_made": made})


async def list_officers(pool: asyncpg.Pool, *, cursor: str | None, limit: int) -> Page[Officer]:
    """Live officers, oldest first (webhook URLs redacted)."""
    rows = await repo.officers(pool, after=_after(cursor, *_AT_ID), limit=limit + 1)
    page = page_of(rows, limit, lambda r: _position(r["created_at"], r["id"]))
    return Page[Officer](
        items=[Officer.model_validate(officer_view(r, reveal=False)) for r in page.items],
        next_cursor=page.next_cursor)


async def firm_officer(pool: asyncpg.Pool, firm_id: uuid.UUID) -> FirmOfficer:
    """A firm's explicit assignment (officer_id null when coverage decides)."""
    row = await repo.firm_officer(pool, firm_id)
    return FirmOfficer(firm_id=firm_id, officer_id=row["officer_id"] if row else None,
                       assigned_at=row["assigned_at"] if row else None)
