"""The admin's settings: the webhook allowlist and the fallback officer."""

from __future__ import annotations

import uuid

from notifier.channels.ssrf import normalize_host
from notifier.config import Settings
from notifier.queries import ALLOWLIST_KEY, FALLBACK_KEY
from notifier.repository import UnitOfWork
from shared.auth import Ctx
from shared.errors import Rejected


async def put_allowlist(uow: UnitOfWork, ctx: Ctx, hosts: list[str], *,
                        settings: Settings) -> None:
    """Replace the admin's webhook allowlist (NOTIFIER_WEBHOOK_ALLOWLIST stays on top)."""
    normalized = []
    for i, host in enumerate(hosts):
        try:
            normalized.append(normalize_host(host))
        except (ValueError, UnicodeError):
            raise Rejected(f"hosts.{i}", "host", f"{host!r} is not a host name or IP") from None
    async with uow:
        before = await uow.repo.setting(ALLOWLIST_KEY)
        await uow.repo.put_setting(ALLOWLIST_KEY, sorted(set(normalized)))
        await uow.repo.audit(actor=ctx.actor, action="settings.webhook_allowlist",
                             subject=ALLOWLIST_KEY, before=before, after=sorted(set(normalized)),
                             correlation_id=ctx.correlation_id)


async def put_fallback(uow: UnitOfWork, ctx: Ctx, officer_id: uuid.UUID | None, *,
                       settings: Settings) -> None:
    """Choose who receives unrouted alerts (null: back to NOTIFIER_FALLBACK_OFFICER)."""
    async with uow:
        if officer_id is not None and await uow.repo.officer(officer_id) is None:
            raise Rejected("officer_id", "exists", f"no officer with id {officer_id}")
        before = await uow.repo.setting(FALLBACK_KEY)
        await uow.repo.put_setting(FALLBACK_KEY, str(officer_id) if officer_id else None)
        await uow.repo.audit(actor=ctx.actor, action="settings.fallback_officer",
                             subject=FALLBACK_KEY, before=before, after=officer_id,
                             correlation_id=ctx.correlation_id)
