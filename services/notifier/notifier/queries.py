"""Read-side use cases: inbox, alert and delivery lists, with the views the API returns."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from notifier import repository as repo
from notifier.handlers import Forbidden, may_see
from notifier.officer_data import officer_view
from shared.auth import Principal
from shared.errors import NotFound, Rejected


def cursor_of(offset: int) -> str:
    """An opaque page cursor."""
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def offset_of(cursor: str | None) -> int:
    """The offset a cursor stands for; 422 for one this API did not give out."""
    if not cursor:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(cursor.encode()).decode()))
    except ValueError:
        raise Rejected("cursor", "cursor", "cursor is not one this API gave out") from None


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


def _page(rows: list[asyncpg.Record], offset: int, limit: int,
          view: Any = dict) -> dict[str, Any]:
    more = len(rows) > limit
    return {"items": [view(r) for r in rows[:limit]],
            "next_cursor": cursor_of(offset + limit) if more else None}


async def inbox(
    pool: asyncpg.Pool, principal: Principal, officer_id: uuid.UUID, *, kind: str | None,
    unread: bool | None, since: datetime | None, cursor: str | None, limit: int,
) -> dict[str, Any]:
    """An officer's inbox: unread first, newest first."""
    if not may_see(principal, officer_id):
        raise Forbidden("an officer may read only their own inbox")
    if await repo.officer(pool, officer_id) is None:
        raise NotFound(f"no officer with id {officer_id}")
    offset = offset_of(cursor)
    rows = await repo.alerts(pool, officer_id=officer_id, unrouted=None, kind=kind,
                             unread=unread, since=since, offset=offset, limit=limit + 1)
    return {**_page(rows, offset, limit, alert_view),
            "unread": await repo.unread_count(pool, officer_id)}


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
) -> dict[str, Any]:
    """Alerts across officers (an officer sees only their own)."""
    officer_id = _scoped(principal, officer_id, "alerts")
    offset = offset_of(cursor)
    rows = await repo.alerts(pool, officer_id=officer_id, unrouted=unrouted, kind=kind,
                             unread=unread, since=None, offset=offset, limit=limit + 1,
                             firm_id=firm_id)
    return _page(rows, offset, limit, alert_view)


async def get_alert(pool: asyncpg.Pool, principal: Principal,
                    alert_id: uuid.UUID) -> dict[str, Any]:
    """One alert with its deliveries."""
    row = await repo.alert(pool, alert_id)
    if row is None:
        raise NotFound(f"no alert with id {alert_id}")
    if not may_see(principal, row["officer_id"]):
        raise Forbidden("an officer may read only their own alerts")
    found = await repo.deliveries(pool, status=None, channel=None, officer_id=None,
                                  alert_id=alert_id, offset=0, limit=100)
    return {**alert_view(row), "deliveries": [dict(d) for d in found]}


async def list_deliveries(
    pool: asyncpg.Pool, principal: Principal, *, status: str | None, channel: str | None,
    officer_id: uuid.UUID | None, cursor: str | None, limit: int,
) -> dict[str, Any]:
    """The delivery queue, filtered (an officer sees only their own)."""
    officer_id = _scoped(principal, officer_id, "deliveries")
    offset = offset_of(cursor)
    rows = await repo.deliveries(pool, status=status, channel=channel, officer_id=officer_id,
                                 alert_id=None, offset=offset, limit=limit + 1)
    return _page(rows, offset, limit)


async def get_delivery(pool: asyncpg.Pool, principal: Principal,
                       delivery_id: uuid.UUID) -> dict[str, Any]:
    """One delivery with every attempt made."""
    row = await repo.delivery(pool, delivery_id)
    if row is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    if not may_see(principal, row["officer_id"]):
        raise Forbidden("an officer may read only their own deliveries")
    return {**dict(row), "attempts_made": [dict(a) for a in await repo.attempts(pool, delivery_id)]}


async def list_officers(pool: asyncpg.Pool, *, cursor: str | None, limit: int) -> dict[str, Any]:
    """Live officers, oldest first (webhook URLs redacted)."""
    offset = offset_of(cursor)
    rows = await repo.officers(pool, offset=offset, limit=limit + 1)
    return _page(rows, offset, limit, lambda r: officer_view(r, reveal=False))


async def firm_officer(pool: asyncpg.Pool, firm_id: uuid.UUID) -> dict[str, Any]:
    """A firm's explicit assignment (officer_id null when coverage decides)."""
    row = await repo.firm_officer(pool, firm_id)
    return {"firm_id": firm_id, "officer_id": row["officer_id"] if row else None,
            "assigned_at": row["assigned_at"] if row else None}
