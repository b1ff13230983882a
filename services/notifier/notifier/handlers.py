"""Notifier use cases behind the API: officers, assignments, settings, acks, retries."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from notifier import repository as repo
from notifier.channels.models import ChannelConfig, EmailChannel
from notifier.channels.ssrf import (
    WebhookNotAllowed,
    check_webhook_url,
    non_public_reason,
    normalize_host,
)
from notifier.config import Settings
from notifier.domain.alerts import ALERT_KINDS, is_critical
from notifier.domain.schedule import next_digest_at, validate_preferences
from notifier.officer_data import officer_view, to_columns
from notifier.schemas import (
    ADMIN_ONLY_FIELDS,
    Allowlist,
    FallbackOfficer,
    FirmAssignment,
    Officer,
    OfficerIn,
    OfficerPatch,
)
from notifier.settings_store import ALLOWLIST_KEY, FALLBACK_KEY, allowlist, fallback_officer_id
from shared import audit
from shared.auth import Principal
from shared.db import DbConn
from shared.errors import Conflict, DomainError, NotFound, Rejected


class Forbidden(DomainError):
    """The caller's role may do this, but not to this object (403)."""

    status = 403


@dataclass(frozen=True, slots=True)
class Ctx:
    """Who asks, when (the app's clock), and the id tying the change to the request."""

    principal: Principal
    now: datetime
    correlation_id: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        return self.principal.actor


def may_see(principal: Principal, officer_id: uuid.UUID | None) -> bool:
    """Officers see only their own alerts and settings; admins and viewers see all."""
    return principal.role != "officer" or principal.officer_id == officer_id


def _check_preferences(prefs: dict[str, str]) -> None:
    for kind, pref in prefs.items():
        try:
            validate_preferences({kind: pref})
        except ValueError as exc:
            rule = "unknown_kind" if kind not in ALERT_KINDS else \
                "critical_cannot_be_off" if pref == "off" and is_critical(kind) else "preference"
            raise Rejected(f"preferences.{kind}", rule, str(exc)) from None


async def _check_channels(channels: list[ChannelConfig], allowed: list[str]) -> None:
    for i, channel in enumerate(channels):
        if isinstance(channel, EmailChannel):
            continue
        try:
            # In a thread: the check resolves the host name, and getaddrinfo blocks.
            await asyncio.to_thread(check_webhook_url, channel.url, allowed)
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


async def _check_supervisor(conn: DbConn, officer_id: uuid.UUID,
                            supervisor_id: uuid.UUID | None) -> None:
    if supervisor_id is None:
        return
    if supervisor_id == officer_id:
        raise Rejected("supervisor_id", "not_self", "an officer cannot supervise themselves")
    if await repo.officer(conn, supervisor_id) is None:
        raise Rejected("supervisor_id", "exists", f"no officer with id {supervisor_id}")


async def _validate(conn: DbConn, settings: Settings, officer_id: uuid.UUID,
                    fields: dict[str, Any]) -> None:
    _check_preferences(fields.get("preferences") or {})
    await _check_supervisor(conn, officer_id, fields.get("supervisor_id"))
    if fields.get("channels"):
        await _check_channels(fields["channels"], await allowlist(conn, settings))


async def create_officer(pool: asyncpg.Pool, ctx: Ctx, settings: Settings,
                         body: OfficerIn) -> Officer:
    """Register a case officer."""
    officer_id = uuid.uuid4()
    fields = {name: getattr(body, name) for name in OfficerIn.model_fields}
    async with pool.acquire() as conn, conn.transaction():
        await _validate(conn, settings, officer_id, fields)
        columns = to_columns(fields)
        columns["next_digest_at"] = next_digest_at(ctx.now, body.digest_at)
        await repo.insert_officer(conn, officer_id, columns)
        row = await _live_officer(conn, officer_id)
        await audit.record(conn, actor=ctx.actor, action="officer.create",
                           subject=str(officer_id), after=officer_view(row, reveal=False),
                           correlation_id=ctx.correlation_id)
        return Officer.model_validate(officer_view(row, reveal=True))


async def _live_officer(conn: DbConn, officer_id: uuid.UUID,
                        lock: bool = False) -> asyncpg.Record:
    row = await repo.officer(conn, officer_id, lock=lock)
    if row is None:
        raise NotFound(f"no officer with id {officer_id}")
    return row


async def get_officer(pool: asyncpg.Pool, principal: Principal,
                      officer_id: uuid.UUID) -> Officer:
    """One officer; webhook URLs only in full for admins and the officer."""
    async with pool.acquire() as conn:
        row = await _live_officer(conn, officer_id)
    reveal = principal.role == "admin" or principal.officer_id == row["id"]
    return Officer.model_validate(officer_view(row, reveal=reveal))


async def patch_officer(pool: asyncpg.Pool, ctx: Ctx, settings: Settings,
                        officer_id: uuid.UUID, body: OfficerPatch) -> Officer:
    """Change an officer; an officer may change their own delivery settings only."""
    # Only these two may be cleared with null; null elsewhere means "leave as is".
    fields = {name: getattr(body, name) for name in body.model_fields_set
              if getattr(body, name) is not None or name in ("quiet_hours", "supervisor_id")}
    if ctx.principal.role == "officer":
        if ctx.principal.officer_id != officer_id:
            raise Forbidden("an officer may change only their own settings")
        if admin_only := sorted(set(fields) & set(ADMIN_ONLY_FIELDS)):
            raise Forbidden(f"only an admin may change {', '.join(admin_only)}")
    async with pool.acquire() as conn, conn.transaction():
        before = await _live_officer(conn, officer_id, lock=True)
        await _validate(conn, settings, officer_id, fields)
        columns = to_columns(fields)
        if "digest_at" in columns:
            columns["next_digest_at"] = next_digest_at(ctx.now, columns["digest_at"])
        if columns:
            await repo.update_officer(conn, officer_id, columns)
        after = await _live_officer(conn, officer_id)
        await audit.record(conn, actor=ctx.actor, action="officer.update",
                           subject=str(officer_id), before=officer_view(before, reveal=False),
                           after=officer_view(after, reveal=False),
                           correlation_id=ctx.correlation_id)
        return Officer.model_validate(officer_view(after, reveal=True))


async def delete_officer(pool: asyncpg.Pool, ctx: Ctx, officer_id: uuid.UUID) -> None:
    """Retire an officer: routing skips them, their alerts stay."""
    async with pool.acquire() as conn, conn.transaction():
        before = await _live_officer(conn, officer_id, lock=True)
        await repo.delete_officer(conn, officer_id)
        await audit.record(conn, actor=ctx.actor, action="officer.delete",
                           subject=str(officer_id), before=officer_view(before, reveal=False),
                           correlation_id=ctx.correlation_id)


async def assign_firm(pool: asyncpg.Pool, ctx: Ctx, firm_id: uuid.UUID,
                      officer_id: uuid.UUID | None) -> FirmAssignment:
    """Make one officer (or nobody: null) explicitly responsible for a firm."""
    async with pool.acquire() as conn, conn.transaction():
        if officer_id is not None and await repo.officer(conn, officer_id) is None:
            raise Rejected("officer_id", "exists", f"no officer with id {officer_id}")
        before = await repo.firm_officer(conn, firm_id)
        await repo.assign_firm(conn, firm_id, officer_id)
        await audit.record(conn, actor=ctx.actor, action="firm.assign", subject=str(firm_id),
                           before={"officer_id": before["officer_id"] if before else None},
                           after={"officer_id": officer_id}, correlation_id=ctx.correlation_id)
    return FirmAssignment(firm_id=firm_id, officer_id=officer_id)


async def put_allowlist(pool: asyncpg.Pool, ctx: Ctx, settings: Settings,
                        hosts: list[str]) -> Allowlist:
    """Replace the admin's webhook allowlist (NOTIFIER_WEBHOOK_ALLOWLIST stays on top)."""
    normalized = []
    for i, host in enumerate(hosts):
        try:
            normalized.append(normalize_host(host))
        except (ValueError, UnicodeError):
            raise Rejected(f"hosts.{i}", "host", f"{host!r} is not a host name or IP") from None
    async with pool.acquire() as conn, conn.transaction():
        before = await repo.setting(conn, ALLOWLIST_KEY)
        await repo.put_setting(conn, ALLOWLIST_KEY, sorted(set(normalized)))
        await audit.record(conn, actor=ctx.actor, action="settings.webhook_allowlist",
                           subject=ALLOWLIST_KEY, before=before, after=sorted(set(normalized)),
                           correlation_id=ctx.correlation_id)
        return await allowlist_view(conn, settings)


async def allowlist_view(conn: DbConn | asyncpg.Pool,
                         settings: Settings) -> Allowlist:
    """Both parts of the allowlist and their union."""
    return Allowlist(environment=settings.webhook_hosts,
                     hosts=list(await repo.setting(conn, ALLOWLIST_KEY) or []),
                     effective=await allowlist(conn, settings))


async def put_fallback(pool: asyncpg.Pool, ctx: Ctx, settings: Settings,
                       officer_id: uuid.UUID | None) -> FallbackOfficer:
    """Choose who receives unrouted alerts (null: back to NOTIFIER_FALLBACK_OFFICER)."""
    async with pool.acquire() as conn, conn.transaction():
        if officer_id is not None and await repo.officer(conn, officer_id) is None:
            raise Rejected("officer_id", "exists", f"no officer with id {officer_id}")
        before = await repo.setting(conn, FALLBACK_KEY)
        await repo.put_setting(conn, FALLBACK_KEY, str(officer_id) if officer_id else None)
        await audit.record(conn, actor=ctx.actor, action="settings.fallback_officer",
                           subject=FALLBACK_KEY, before=before, after=officer_id,
                           correlation_id=ctx.correlation_id)
        return await fallback_view(conn, settings)


async def fallback_view(conn: DbConn | asyncpg.Pool,
                        settings: Settings) -> FallbackOfficer:
    """The admin's fallback officer, the environment's, and the one in effect."""
    stored = await repo.setting(conn, FALLBACK_KEY)
    return FallbackOfficer(officer_id=stored, environment=settings.notifier_fallback_officer,
                           effective=await fallback_officer_id(conn, settings))


async def ack(pool: asyncpg.Pool, ctx: Ctx, alert_id: uuid.UUID) -> asyncpg.Record:
    """Acknowledge an alert (idempotent); stops its escalation."""
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.alert(conn, alert_id, lock=True)
        if row is None:
            raise NotFound(f"no alert with id {alert_id}")
        if not may_see(ctx.principal, row["officer_id"]):
            raise Forbidden("an officer may acknowledge only their own alerts")
        if row["acknowledged_at"] is None:
            await repo.ack_alert(conn, alert_id, ctx.now, ctx.actor)
            await audit.record(conn, actor=ctx.actor, action="alert.ack", subject=str(alert_id),
                               correlation_id=ctx.correlation_id)
        return await repo.alert(conn, alert_id)  # type: ignore[return-value]


async def retry_delivery(pool: asyncpg.Pool, ctx: Ctx, settings: Settings,
                         delivery_id: uuid.UUID, wake: Callable[[], None]) -> asyncpg.Record:
    """Put a failed delivery back in the queue with a fresh budget of attempts."""
    async with pool.acquire() as conn, conn.transaction():
        row = await repo.delivery(conn, delivery_id, lock=True)
        if row is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        if row["status"] != "failed":
            raise Conflict(f"only a failed delivery can be retried; this one is {row['status']}",
                           status=row["status"])
        await repo.requeue(conn, delivery_id, ctx.now, settings.notifier_max_attempts)
        await audit.record(conn, actor=ctx.actor, action="delivery.retry",
                           subject=str(delivery_id), correlation_id=ctx.correlation_id)
        out = await repo.delivery(conn, delivery_id)
    wake()
    return out  # type: ignore[return-value]
