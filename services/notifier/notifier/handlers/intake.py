"""From a standing event to alerts: route, render, write the inbox, queue the deliveries.

Runs on the consumer's transaction (the repository it is given), so the alerts, their delivery
rows and the processed_events dedupe row commit together or not at all.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any

from notifier.config import Settings
from notifier.domain.alerts import AlertKind, alert_id_for, alert_kind_for, firm_of, is_critical
from notifier.domain.officers import Row, channel_keys, digest_time, route_of
from notifier.domain.render import RenderedAlert, render
from notifier.domain.routing import route_event
from notifier.domain.schedule import decide_delivery
from notifier.domain.wording import pick
from notifier.queries import fallback_officer_id
from notifier.repository import Repository
from shared.events import EventEnvelope

DEFAULT_PREFERENCE = "immediate"


async def handle_event(
    repo: Repository, event: EventEnvelope, *, settings: Settings, now: datetime
) -> list[uuid.UUID]:
    """Alert every officer the event concerns; returns the ids of deliveries queued."""
    kind = alert_kind_for(event)
    if kind is None:
        return []
    rows = await repo.officers()
    by_id = {r["id"]: r for r in rows}
    firm = firm_of(event)
    assigned = await repo.firm_officer(firm.id) if firm is not None else None
    result = route_event(event, kind, [route_of(r) for r in rows],
                         assigned["officer_id"] if assigned else None)
    recipients: list[Row | None] = [by_id[i] for i in result.officer_ids]
    via: str = result.via
    if result.unrouted:
        # Never dropped: the fallback officer takes it, or it waits, flagged, for an admin.
        fallback_id = await fallback_officer_id(repo, settings)
        fallback = by_id.get(fallback_id) if fallback_id else None
        recipients, via = [fallback], "fallback" if fallback else "none"
    queued: list[uuid.UUID] = []
    for officer in recipients:
        queued += await alert_officer(repo, event, kind, officer, settings=settings, now=now,
                                      via=via, unrouted=result.unrouted)
    return queued


async def alert_officer(
    repo: Repository, event: EventEnvelope, kind: AlertKind, officer: Row | None, *,
    settings: Settings, now: datetime, via: str, unrouted: bool = False,
    escalation_of: Row | None = None, escalated_from: str | None = None,
) -> list[uuid.UUID]:
    """Write one officer's inbox entry and queue its channel deliveries (idempotent)."""
    officer_id = officer["id"] if officer is not None else None
    rendered = render(event, kind, officer["language"] if officer else "zh", settings.link_base)
    label = "escalation:" if escalation_of is not None else ""
    if escalation_of is not None:
        rendered = escalated(rendered, escalated_from or "")
    alert_id = alert_id_for(event.event_id, officer_id, f"{label}inbox")
    firm = firm_of(event)
    inserted = await repo.insert_alert({
        "id": alert_id, "idempotency_key": str(alert_id), "source_event_id": event.event_id,
        "source_event": event.model_dump(mode="json"), "subject": event.subject,
        "officer_id": officer_id, "kind": kind, "severity": rendered.severity,
        "critical": is_critical(kind), "firm_id": firm.id if firm else None,
        "unrouted": unrouted, "routed_via": via, "rendered": rendered.model_dump(mode="json"),
        "created_at": now, "escalation_of": escalation_of["id"] if escalation_of else None,
    })
    if not inserted or officer is None:
        return []
    # An escalation is urgent by definition: the supervisor's digest preference does not apply.
    preference = DEFAULT_PREFERENCE if escalation_of is not None else \
        dict(officer["preferences"]).get(kind, DEFAULT_PREFERENCE)
    plan = decide_delivery(kind, preference, now, officer["quiet_start"], officer["quiet_end"],
                           digest_time(officer))
    if plan.mode == "skip" or plan.send_at is None:
        return []
    status = "digest" if plan.mode == "digest" else "held" if plan.held_for_quiet_hours \
        else "pending"
    raw = list(officer["channels"] or [])
    queued = []
    for key, channel in zip(channel_keys(raw), raw, strict=True):
        delivery_id = alert_id_for(event.event_id, officer_id, f"{label}{key}")
        if await repo.insert_delivery(_delivery(
            delivery_id, alert_id, officer_id, key, channel, kind, status, plan.send_at, now,
            settings,
        )):
            queued.append(delivery_id)
    return queued


def _delivery(delivery_id: uuid.UUID, alert_id: uuid.UUID, officer_id: uuid.UUID | None,
              key: str, channel: dict[str, Any], kind: str, status: str, due: datetime,
              now: datetime, settings: Settings) -> dict[str, Any]:
    return {
        "id": delivery_id, "idempotency_key": str(delivery_id), "alert_id": alert_id,
        "officer_id": officer_id, "channel_key": key, "channel": channel["kind"], "kind": kind,
        "status": status, "max_attempts": settings.notifier_max_attempts,
        "next_attempt_at": due, "created_at": now, "updated_at": now,
    }


def escalated(rendered: RenderedAlert, officer_name: str) -> RenderedAlert:
    """The alert as a supervisor gets it when the officer did not acknowledge it in time."""
    lang = rendered.language
    note = pick(lang, f"{officer_name} 未在规定时间内确认此紧急提醒，现上报给您。",
                f"{officer_name} did not acknowledge this critical alert in time; "
                "escalated to you.")
    title = pick(lang, "【升级】", "[Escalated] ") + rendered.title
    rest = rendered.body_text.partition("\n")[2]  # the first line is the old title
    return rendered.model_copy(update={
        "title": title, "body_text": f"{title}\n\n{note}\n{rest}",
        "body_html": f"<p><strong>{html.escape(note)}</strong></p>{rendered.body_html}",
    })
