"""Officers and firm assignments: register, change, retire, assign."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from datetime import datetime
from typing import Any

import httpx

from notifier.access import Forbidden
from notifier.channels.models import ChannelConfig, EmailChannel
from notifier.channels.ssrf import (
    Resolver,
    WebhookNotAllowed,
    check_webhook_url,
    non_public_reason,
    system_resolver,
)
from notifier.config import Settings
from notifier.domain.alerts import ALERT_KINDS, is_critical
from notifier.domain.officers import Row, to_columns
from notifier.domain.requests import ADMIN_ONLY_FIELDS, OfficerIn, OfficerPatch
from notifier.domain.schedule import next_digest_at, validate_preferences
from notifier.queries import allowlist, officer_view
from notifier.repository import Repository, UnitOfWork
from shared.auth import Ctx
from shared.errors import NotFound, Rejected


def _check_preferences(prefs: dict[str, str]) -> None:
    for kind, pref in prefs.items():
        try:
            validate_preferences({kind: pref})
        except ValueError as exc:
            rule = "unknown_kind" if kind not in ALERT_KINDS else \
                "critical_cannot_be_off" if pref == "off" and is_critical(kind) else "preference"
            raise Rejected(f"preferences.{kind}", rule, str(exc)) from None


async def _check_channels(channels: list[ChannelConfig], allowed: list[str],
                          resolver: Resolver) -> None:
    for i, channel in enumerate(channels):
        if isinstance(channel, EmailChannel):
            continue
        try:
            # In a thread: the check resolves the host name, and getaddrinfo blocks.
            await asyncio.to_thread(check_webhook_url, channel.url, allowed, resolver=resolver)
        except WebhookNotAllowed as exc:
            if exc.retryable:
                continue  # DNS hiccup: not the officer's fault; every send checks again
            raise Rejected(f"channels.{i}.url", "webhook_not_allowed",
                           _explain(channel.url, exc.reason)) from None


def _explain(url: str, reason: str) -> str:
    """Say outright when the refusal is about a loopback/private address."""
    try:
        ip = ipaddress.ip_address(httpx.URL(url).host)
    except ValueError:
        return reason
    why = non_public_reason(ip)
    if why is None:
        return reason
    return (f"{reason}; {why} addresses are refused unless allowlisted explicitly "
            "(NOTIFIER_WEBHOOK_ALLOWLIST or PUT /v1/settings/webhook-allowlist)")


async def _check_supervisor(repo: Repository, officer_id: uuid.UUID,
                            supervisor_id: uuid.UUID | None) -> None:
    if supervisor_id is None:
        return
    if supervisor_id == officer_id:
        raise Rejected("supervisor_id", "not_self", "an officer cannot supervise themselves")
    if await repo.officer(supervisor_id) is None:
        raise Rejected("supervisor_id", "exists", f"no officer with id {supervisor_id}")


async def _validate(repo: Repository, settings: Settings, officer_id: uuid.UUID,
                    fields: dict[str, Any], resolver: Resolver) -> None:
    _check_preferences(fields.get("preferences") or {})
    await _check_supervisor(repo, officer_id, fields.get("supervisor_id"))
    if fields.get("channels"):
        await _check_channels(fields["channels"], await allowlist(repo, settings), resolver)


async def _live_officer(repo: Repository, officer_id: uuid.UUID, lock: bool = False) -> Row:
    row = await repo.officer(officer_id, lock=lock)
    if row is None:
        raise NotFound(f"no officer with id {officer_id}")
    return row


async def create_officer(uow: UnitOfWork, ctx: Ctx, body: OfficerIn, *, settings: Settings,
                         now: datetime, resolver: Resolver = system_resolver) -> Row:
    """Register a case officer; the officer as stored."""
    officer_id = uuid.uuid4()
    fields = {name: getattr(body, name) for name in OfficerIn.model_fields}
    async with uow:
        await _validate(uow.repo, settings, officer_id, fields, resolver)
        columns = to_columns(fields)
        columns["next_digest_at"] = next_digest_at(now, body.digest_at)
        await uow.repo.insert_officer(officer_id, columns)
        row = await _live_officer(uow.repo, officer_id)
        await uow.repo.audit(actor=ctx.actor, action="officer.create", subject=str(officer_id),
                             after=officer_view(row, reveal=False),
                             correlation_id=ctx.correlation_id)
    return row


async def patch_officer(uow: UnitOfWork, ctx: Ctx, officer_id: uuid.UUID, body: OfficerPatch,
                        *, settings: Settings, now: datetime,
                        resolver: Resolver = system_resolver) -> Row:
    """Change an officer (an officer may change their own delivery settings only); the officer
    as stored."""
    # Only these two may be cleared with null; null elsewhere means "leave as is".
    fields = {name: getattr(body, name) for name in body.model_fields_set
              if getattr(body, name) is not None or name in ("quiet_hours", "supervisor_id")}
    if ctx.principal.role == "officer":
        if ctx.principal.officer_id != officer_id:
            raise Forbidden("an officer may change only their own settings")
        if admin_only := sorted(set(fields) & set(ADMIN_ONLY_FIELDS)):
            raise Forbidden(f"only an admin may change {', '.join(admin_only)}")
    async with uow:
        before = await _live_officer(uow.repo, officer_id, lock=True)
        await _validate(uow.repo, settings, officer_id, fields, resolver)
        columns = to_columns(fields)
        if "digest_at" in columns:
            columns["next_digest_at"] = next_digest_at(now, columns["digest_at"])
        if columns:
            await uow.repo.update_officer(officer_id, columns)
        after = await _live_officer(uow.repo, officer_id)
        await uow.repo.audit(actor=ctx.actor, action="officer.update", subject=str(officer_id),
                             before=officer_view(before, reveal=False),
                             after=officer_view(after, reveal=False),
                             correlation_id=ctx.correlation_id)
    return after


async def delete_officer(uow: UnitOfWork, ctx: Ctx, officer_id: uuid.UUID) -> None:
    """Retire an officer: routing skips them, their alerts stay."""
    async with uow:
        before = await _live_officer(uow.repo, officer_id, lock=True)
        await uow.repo.delete_officer(officer_id)
        await uow.repo.audit(actor=ctx.actor, action="officer.delete", subject=str(officer_id),
                             before=officer_view(before, reveal=False),
                             correlation_id=ctx.correlation_id)


async def assign_firm(uow: UnitOfWork, ctx: Ctx, firm_id: uuid.UUID,
                      officer_id: uuid.UUID | None) -> None:
    """Make one officer (or nobody: null) explicitly responsible for a firm."""
    async with uow:
        if officer_id is not None and await uow.repo.officer(officer_id) is None:
            raise Rejected("officer_id", "exists", f"no officer with id {officer_id}")
        before = await uow.repo.firm_officer(firm_id)
        await uow.repo.assign_firm(firm_id, officer_id)
        await uow.repo.audit(actor=ctx.actor, action="firm.assign", subject=str(firm_id),
                             before={"officer_id": before["officer_id"] if before else None},
                             after={"officer_id": officer_id},
                             correlation_id=ctx.correlation_id)
