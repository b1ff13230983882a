"""The notifier's API: case officers, who looks after which firm, inboxes and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime

from notifier.schemas import (
    Alert,
    AlertDetail,
    Allowlist,
    AllowlistIn,
    AssignmentIn,
    Delivery,
    DeliveryDetail,
    FallbackIn,
    FallbackOfficer,
    FirmAssignment,
    FirmOfficer,
    InboxPage,
    Officer,
    OfficerIn,
    OfficerPatch,
)
from shared.paging import Page
from tracker.client.base import NoContent, Operation, ServiceClient
from tracker.client.paging import Pages

OFFICER = "/v1/officers/{officer_id}"
REGISTER_OFFICER = Operation("POST", "/v1/officers", Officer)
OFFICERS = Operation("GET", "/v1/officers", Page[Officer])
GET_OFFICER = Operation("GET", OFFICER, Officer)
CHANGE_OFFICER = Operation("PATCH", OFFICER, Officer)
REMOVE_OFFICER = Operation("DELETE", OFFICER, NoContent)
ASSIGN_FIRM = Operation("PUT", "/v1/firms/{firm_id}/officer", FirmAssignment)
FIRM_OFFICER = Operation("GET", "/v1/firms/{firm_id}/officer", FirmOfficer)
ALLOWLIST = Operation("GET", "/v1/settings/webhook-allowlist", Allowlist)
SET_ALLOWLIST = Operation("PUT", "/v1/settings/webhook-allowlist", Allowlist)
FALLBACK = Operation("GET", "/v1/settings/fallback-officer", FallbackOfficer)
SET_FALLBACK = Operation("PUT", "/v1/settings/fallback-officer", FallbackOfficer)
INBOX = Operation("GET", OFFICER + "/inbox", InboxPage)
ALERTS = Operation("GET", "/v1/alerts", Page[Alert])
GET_ALERT = Operation("GET", "/v1/alerts/{alert_id}", AlertDetail)
ACK = Operation("POST", "/v1/alerts/{alert_id}/ack", Alert)
DELIVERIES = Operation("GET", "/v1/deliveries", Page[Delivery])
GET_DELIVERY = Operation("GET", "/v1/deliveries/{delivery_id}", DeliveryDetail)
RETRY = Operation("POST", "/v1/deliveries/{delivery_id}/retry", Delivery)


class Notifier(ServiceClient):
    """The notifier: officers and what they cover, their inboxes, the delivery queue."""

    async def register_officer(self, officer: OfficerIn) -> Officer:
        """POST /v1/officers: a case officer, what they cover and how they hear of it."""
        return await self._call(REGISTER_OFFICER, body=officer)

    def officers(self, *, limit: int | None = None) -> Pages[Officer]:
        """GET /v1/officers (webhook URLs redacted), page by page."""
        return self._pages(OFFICERS, limit=limit)

    async def officer(self, officer_id: uuid.UUID | str) -> Officer:
        """GET one officer."""
        return await self._call(GET_OFFICER, {"officer_id": officer_id})

    async def change_officer(self, officer_id: uuid.UUID | str, patch: OfficerPatch) -> Officer:
        """PATCH the officer's fields set in `patch`."""
        return await self._call(CHANGE_OFFICER, {"officer_id": officer_id}, body=patch)

    async def remove_officer(self, officer_id: uuid.UUID | str) -> None:
        """DELETE the officer (their firms fall back to coverage rules)."""
        await self._send(REMOVE_OFFICER, {"officer_id": officer_id})

    async def assign_firm(self, firm_id: uuid.UUID | str,
                          assignment: AssignmentIn) -> FirmAssignment:
        """PUT who looks after a firm (`officer_id` None removes the explicit assignment)."""
        return await self._call(ASSIGN_FIRM, {"firm_id": firm_id}, body=assignment)

    async def firm_officer(self, firm_id: uuid.UUID | str) -> FirmOfficer:
        """GET a firm's explicit officer."""
        return await self._call(FIRM_OFFICER, {"firm_id": firm_id})

    async def webhook_allowlist(self) -> Allowlist:
        """GET the hosts webhooks may be sent to."""
        return await self._call(ALLOWLIST)

    async def set_webhook_allowlist(self, allowlist: AllowlistIn) -> Allowlist:
        """PUT the hosts webhooks may be sent to (admin)."""
        return await self._call(SET_ALLOWLIST, body=allowlist)

    async def fallback_officer(self) -> FallbackOfficer:
        """GET who gets the alerts no coverage rule routes."""
        return await self._call(FALLBACK)

    async def set_fallback_officer(self, fallback: FallbackIn) -> FallbackOfficer:
        """PUT who gets the alerts no coverage rule routes (admin)."""
        return await self._call(SET_FALLBACK, body=fallback)

    def inbox(self, officer_id: uuid.UUID | str, *, kind: str | None = None,
              unread: bool | None = None, since: datetime | None = None,
              limit: int | None = None) -> Pages[Alert]:
        """GET an officer's inbox, latest first, page by page."""
        return self._pages(INBOX, {"officer_id": officer_id}, kind=kind, unread=unread,
                     since=since, limit=limit)

    def alerts(self, *, officer_id: uuid.UUID | str | None = None, unrouted: bool | None = None,
               kind: str | None = None, unread: bool | None = None,
               firm_id: uuid.UUID | str | None = None, limit: int | None = None) -> Pages[Alert]:
        """GET /v1/alerts, filtered, page by page."""
        return self._pages(ALERTS, officer_id=officer_id, unrouted=unrouted, kind=kind,
                     unread=unread, firm_id=firm_id, limit=limit)

    async def alert(self, alert_id: uuid.UUID | str) -> AlertDetail:
        """GET one alert with its deliveries."""
        return await self._call(GET_ALERT, {"alert_id": alert_id})

    async def ack(self, alert_id: uuid.UUID | str) -> Alert:
        """POST .../ack: the alert is read."""
        return await self._call(ACK, {"alert_id": alert_id})

    def deliveries(self, *, status: str | None = None, channel: str | None = None,
                   officer_id: uuid.UUID | str | None = None,
                   limit: int | None = None) -> Pages[Delivery]:
        """GET /v1/deliveries: the delivery queue, filtered, page by page."""
        return self._pages(DELIVERIES, status=status, channel=channel, officer_id=officer_id,
                     limit=limit)

    async def delivery(self, delivery_id: uuid.UUID | str) -> DeliveryDetail:
        """GET one delivery with its attempts."""
        return await self._call(GET_DELIVERY, {"delivery_id": delivery_id})

    async def retry(self, delivery_id: uuid.UUID | str) -> Delivery:
        """POST .../retry: try a failed or held delivery again now."""
        return await self._call(RETRY, {"delivery_id": delivery_id})
