"""Routes for the inbox, alerts and the delivery queue: parse, call one handler, answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from notifier.api.deps import (
    NO_ALERT,
    NO_DELIVERY,
    NO_OFFICER,
    Limit,
    Now,
    OfficerId,
    Reads,
    SettingsDep,
    Uow,
    Wake,
)
from notifier.domain.alerts import AlertKind
from notifier.handlers import alerts
from notifier.queries import alert_view
from notifier.schemas import (
    Alert,
    AlertDetail,
    ChannelKind,
    Delivery,
    DeliveryDetail,
    DeliveryStatus,
    InboxPage,
)
from shared.auth import AdminCtx, Reader, WriterCtx
from shared.paging import Page

router = APIRouter(prefix="/v1")
Since = Annotated[datetime | None, Query(description="Created at or after (ISO 8601)")]


@router.get("/officers/{officer_id}/inbox", tags=["inbox"], responses=NO_OFFICER,
            summary="An officer's alerts: unread first, newest first")
async def inbox(
    officer_id: OfficerId, who: Reader, reads: Reads, kind: AlertKind | None = None,
    unread: bool | None = None, since: Since = None, cursor: str | None = None,
    limit: Limit = 50,
) -> InboxPage:
    return await reads.inbox(who, officer_id, kind=kind, unread=unread, since=since,
                             cursor=cursor, limit=limit)


@router.get("/alerts", tags=["inbox"],
            summary="Alerts across officers; `unrouted=true` lists those nobody covered")
async def list_alerts(
    who: Reader, reads: Reads, officer_id: uuid.UUID | None = None,
    unrouted: bool | None = None, kind: AlertKind | None = None, unread: bool | None = None,
    firm_id: uuid.UUID | None = None, cursor: str | None = None, limit: Limit = 50,
    history: Annotated[bool | None, Query(
        description="true: only past events kept on the firms' records; false: only the "
        "inboxes' alerts; absent: both (a firm's whole record)")] = None,
) -> Page[Alert]:
    return await reads.alerts(who, officer_id=officer_id, unrouted=unrouted, kind=kind,
                              unread=unread, cursor=cursor, limit=limit, firm_id=firm_id,
                              history=history)


@router.get("/alerts/{alert_id}", tags=["inbox"], summary="One alert with its deliveries",
            responses=NO_ALERT)
async def get_alert(alert_id: uuid.UUID, who: Reader, reads: Reads) -> AlertDetail:
    return await reads.alert(who, alert_id)


@router.post("/alerts/{alert_id}/ack", tags=["inbox"], responses=NO_ALERT,
             summary="Acknowledge an alert (marks it read; stops escalation)")
async def ack(alert_id: uuid.UUID, ctx: WriterCtx, uow: Uow, now: Now) -> Alert:
    return alert_view(await alerts.ack(uow, ctx, alert_id, now=now))


@router.get("/deliveries", tags=["deliveries"], summary="The delivery queue, filtered")
async def list_deliveries(
    who: Reader, reads: Reads, status: DeliveryStatus | None = None,
    channel: ChannelKind | None = None, officer_id: uuid.UUID | None = None,
    cursor: str | None = None, limit: Limit = 50,
) -> Page[Delivery]:
    return await reads.deliveries(who, status=status, channel=channel, officer_id=officer_id,
                                  cursor=cursor, limit=limit)


@router.get("/deliveries/{delivery_id}", tags=["deliveries"], responses=NO_DELIVERY,
            summary="One delivery with every attempt")
async def get_delivery(delivery_id: uuid.UUID, who: Reader, reads: Reads) -> DeliveryDetail:
    return await reads.delivery(who, delivery_id)


@router.post("/deliveries/{delivery_id}/retry", tags=["deliveries"],
             responses={**NO_DELIVERY, 409: {"description": "The delivery is not failed"}},
             summary="Requeue a failed delivery with a fresh budget of attempts")
async def retry(delivery_id: uuid.UUID, ctx: AdminCtx, uow: Uow, cfg: SettingsDep, now: Now,
                wake: Wake) -> Delivery:
    row = await alerts.retry_delivery(uow, ctx, delivery_id, settings=cfg, now=now, wake=wake)
    return Delivery.model_validate(dict(row))
