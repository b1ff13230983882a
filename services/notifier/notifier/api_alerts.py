"""Notifier HTTP routes for the inbox, alerts and the delivery queue: parse, call, answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from notifier import handlers, queries
from notifier.api import NO_OFFICER, Admin, Limit, OfficerId, Reader, Writer, ctx
from notifier.domain.alerts import AlertKind
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
from shared.paging import Page

router = APIRouter(prefix="/v1")
NO_ALERT: dict[int | str, dict[str, Any]] = {404: {"description": "No alert with this id"}}
NO_DELIVERY: dict[int | str, dict[str, Any]] = {404: {"description": "No delivery with this id"}}


@router.get("/officers/{officer_id}/inbox", tags=["inbox"], responses=NO_OFFICER,
            summary="An officer's alerts: unread first, newest first")
async def inbox(
    officer_id: OfficerId, request: Request, who: Reader, kind: AlertKind | None = None,
    unread: bool | None = None,
    since: Annotated[datetime | None, Query(description="Created at or after (ISO 8601)")] = None,
    cursor: str | None = None, limit: Limit = 50,
) -> InboxPage:
    return await queries.inbox(request.app.state.pool, who, officer_id, kind=kind, unread=unread,
                               since=since, cursor=cursor, limit=limit)


@router.get("/alerts", tags=["inbox"],
            summary="Alerts across officers; `unrouted=true` lists those nobody covered")
async def list_alerts(
    request: Request, who: Reader, officer_id: uuid.UUID | None = None,
    unrouted: bool | None = None, kind: AlertKind | None = None, unread: bool | None = None,
    firm_id: uuid.UUID | None = None, cursor: str | None = None, limit: Limit = 50,
) -> Page[Alert]:
    return await queries.list_alerts(request.app.state.pool, who, officer_id=officer_id,
                                     unrouted=unrouted, kind=kind, unread=unread, cursor=cursor,
                                     limit=limit, firm_id=firm_id)


@router.get("/alerts/{alert_id}", tags=["inbox"], summary="One alert with its deliveries",
            responses=NO_ALERT)
async def get_alert(alert_id: uuid.UUID, request: Request, who: Reader) -> AlertDetail:
    return await queries.get_alert(request.app.state.pool, who, alert_id)


@router.post("/alerts/{alert_id}/ack", tags=["inbox"], responses=NO_ALERT,
             summary="Acknowledge an alert (marks it read; stops escalation)")
async def ack(alert_id: uuid.UUID, request: Request, who: Writer) -> Alert:
    return Alert.model_validate(alert_view(await handlers.ack(request.app.state.pool, ctx(request, who), alert_id)))


@router.get("/deliveries", tags=["deliveries"], summary="The delivery queue, filtered")
async def list_deliveries(
    request: Request, who: Reader, status: DeliveryStatus | None = None,
    channel: ChannelKind | None = None, officer_id: uuid.UUID | None = None,
    cursor: str | None = None, limit: Limit = 50,
) -> Page[Delivery]:
    return await queries.list_deliveries(request.app.state.pool, who, status=status,
                                         channel=channel, officer_id=officer_id, cursor=cursor,
                                         limit=limit)


@router.get("/deliveries/{delivery_id}", tags=["deliveries"], responses=NO_DELIVERY,
            summary="One delivery with every attempt")
async def get_delivery(delivery_id: uuid.UUID, request: Request, who: Reader) -> DeliveryDetail:
    return await queries.get_delivery(request.app.state.pool, who, delivery_id)


@router.post("/deliveries/{delivery_id}/retry", tags=["deliveries"],
             responses={**NO_DELIVERY, 409: {"description": "The delivery is not failed"}},
             summary="Requeue a failed delivery with a fresh budget of attempts")
async def retry(delivery_id: uuid.UUID, request: Request, who: Admin) -> Delivery:
    row = await handlers.retry_delivery(
        request.app.state.pool, ctx(request, who), request.app.state.settings, delivery_id,
        request.app.state.worker.wake)
    return Delivery.model_validate(dict(row))
