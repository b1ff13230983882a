"""The notifier's write handlers as the API answers them: each calls the handler and maps what
it returns to the response the route gives, so handler tests read the public shapes."""

from __future__ import annotations

import uuid
from typing import Any

from notifier.handlers import alerts, officers, settings
from notifier.queries import alert_view, allowlist_view, fallback_view, officer_view
from notifier.schemas import Alert, Allowlist, Delivery, FallbackOfficer, FirmAssignment, Officer

delete_officer = officers.delete_officer


async def create_officer(*args: Any, **kwargs: Any) -> Officer:
    return Officer.model_validate(officer_view(await officers.create_officer(*args, **kwargs),
                                               reveal=True))


async def patch_officer(*args: Any, **kwargs: Any) -> Officer:
    return Officer.model_validate(officer_view(await officers.patch_officer(*args, **kwargs),
                                               reveal=True))


async def assign_firm(uow: Any, ctx: Any, firm_id: uuid.UUID,
                      officer_id: uuid.UUID | None) -> FirmAssignment:
    await officers.assign_firm(uow, ctx, firm_id, officer_id)
    return FirmAssignment(firm_id=firm_id, officer_id=officer_id)


async def ack(*args: Any, **kwargs: Any) -> Alert:
    return alert_view(await alerts.ack(*args, **kwargs))


async def retry_delivery(*args: Any, **kwargs: Any) -> Delivery:
    return Delivery.model_validate(dict(await alerts.retry_delivery(*args, **kwargs)))


async def put_allowlist(uow: Any, *args: Any, **kwargs: Any) -> Allowlist:
    await settings.put_allowlist(uow, *args, **kwargs)
    return await allowlist_view(uow.repo, kwargs["settings"])


async def put_fallback(uow: Any, *args: Any, **kwargs: Any) -> FallbackOfficer:
    await settings.put_fallback(uow, *args, **kwargs)
    return await fallback_view(uow.repo, kwargs["settings"])
