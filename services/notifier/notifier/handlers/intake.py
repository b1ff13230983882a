"""From a standing event to alerts: route, render, write the inbox, queue the deliveries.

Runs in a unit of work joined to the consumer's transaction, so the alerts, their delivery
rows and the processed_events dedupe rows commit together or not at all. A consumed batch is
routed set-based: a handful of statements for the whole batch, not several per event.
"""

from __future__ import annotations

import html
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifier.config import Settings
from notifier.domain.alerts import (
    ROUND_KINDS,
    AlertKind,
    alert_id_for,
    alert_kind_for,
    firm_of,
    is_critical,
)
from notifier.domain.history import (
    SUMMARY_KIND,
    HistoryTally,
    event_date,
    is_history,
    summary_id,
    summary_words,
)
from notifier.domain.officers import Row, channel_keys, digest_time, route_of
from notifier.domain.render import RenderedAlert, render
from notifier.domain.routing import OfficerRoute, route, route_event
from notifier.domain.schedule import decide_delivery
from notifier.domain.wording import Language, say
from notifier.queries import fallback_officer_id
from notifier.repository import Repository, UnitOfWork
from shared.events import AnyEvent

DEFAULT_PREFERENCE = "immediate"


@dataclass(frozen=True, slots=True)
class AlertPlan:
    """One officer's inbox entry for an event, and the deliveries it queues if it is new."""

    alert: dict[str, Any]
    deliveries: list[dict[str, Any]]


async def handle_events(uow: UnitOfWork, events: list[AnyEvent], *, settings: Settings,
                        now: datetime) -> list[list[uuid.UUID]]:
    """Alert every officer each event concerns, for a whole consumed batch at once: one read
    of the officers and of the firms' assignments, one insert of alerts and one of deliveries.
    Returns, per event, the ids of the deliveries queued."""
    async with uow:
        return await _alert(uow.repo, events, settings=settings, now=now)


async def _alert(repo: Repository, events: list[AnyEvent], *, settings: Settings,
                 now: datetime) -> list[list[uuid.UUID]]:
    kinds = [(event, alert_kind_for(event)) for event in events]
    if not any(kind for _, kind in kinds):
        return [[] for _ in events]
    rows = await repo.officers()
    by_id = {r["id"]: r for r in rows}
    routes = [route_of(r) for r in rows]
    firms = {f.id for e, kind in kinds if kind and (f := firm_of(e)) is not None}
    firms |= {i.firm.id for e, kind in kinds if kind in ROUND_KINDS for i in e.data.items}
    assigned = await repo.firm_officers(sorted(firms)) if firms else {}
    fallback: list[Row | None] = []  # read once, the first time an event is unrouted
    per_event: list[list[AlertPlan]] = []
    for event, kind in kinds:
        if kind is None:
            per_event.append([])
            continue
        if kind in ROUND_KINDS:
            per_event.append(await _round_plans(repo, event, kind, routes, by_id, assigned,
                                                fallback, settings=settings, now=now))
            continue
        firm = firm_of(event)
        result = route_event(event, kind, routes, assigned.get(firm.id) if firm else None)
        recipients: list[Row | None] = [by_id[i] for i in result.officer_ids]
        via: str = result.via
        if result.unrouted:
            # Never dropped: the fallback officer takes it, or it waits, flagged, for an admin.
            if not fallback:
                fallback_id = await fallback_officer_id(repo, settings)
                fallback.append(by_id.get(fallback_id) if fallback_id else None)
            recipients, via = fallback, "fallback" if fallback[0] else "none"
        per_event.append([plan_alert(event, kind, officer, settings=settings, now=now, via=via,
                                     unrouted=result.unrouted) for officer in recipients])
    # the past goes to the firms' records, not to the inboxes: no delivery, never critical
    after = settings.notifier_history_after_days
    per_event = [[as_history(p) for p in plans] if plans and is_history(event, now, after)
                 else plans for (event, _), plans in zip(kinds, per_event, strict=True)]
    queued = iter(await write(repo, [p for plans in per_event for p in plans]))
    officers = {p.alert["officer_id"] for plans in per_event for p in plans
                if p.alert["history"] and p.alert["officer_id"] is not None}
    if officers:
        await summarise_history(repo, sorted(officers), by_id, settings=settings, now=now)
    return [[d for _ in plans for d in next(queued)] for plans in per_event]


def as_history(plan: AlertPlan) -> AlertPlan:
    """An alert about the past: kept on the firm's record, out of the inbox, sent to nobody,
    never critical (so never escalated)."""
    return AlertPlan({**plan.alert, "history": True, "critical": False}, [])


async def summarise_history(repo: Repository, officer_ids: list[uuid.UUID],
                            by_id: dict[uuid.UUID, Row], *, settings: Settings,
                            now: datetime) -> None:
    """Each officer's one history summary, recounted from their firms' records: a replayed
    event added no record, so it changes no count (idempotent by event id)."""
    after = settings.notifier_history_after_days
    for officer_id, (firms, since, by_kind) in (await repo.history_tallies(officer_ids)).items():
        officer = by_id.get(officer_id)
        lang: Language = "en" if officer is not None and officer["language"] == "en" else "zh"
        title, text, body = summary_words(lang, HistoryTally(firms, since, by_kind), after)
        sid = summary_id(officer_id)
        rendered = RenderedAlert(
            title=title, body_text=text, body_html=body, link=None, severity="info",
            kind=SUMMARY_KIND, language=lang, event_id=str(sid), key=f"alert.{SUMMARY_KIND}",
            params={"firms": firms, "since": since.year if since else None,
                    "demotions": by_kind.get("demotion", 0), "by_kind": by_kind,
                    "after_days": after})
        await repo.upsert_summary({
            "id": sid, "subject": f"officer:{officer_id}", "officer_id": officer_id,
            "kind": SUMMARY_KIND, "rendered": rendered.model_dump(mode="json"),
            "created_at": now, "occurred_on": since})


async def _round_plans(repo: Repository, event: AnyEvent, kind: AlertKind,
                       routes: list[OfficerRoute], by_id: dict[uuid.UUID, Row],
                       assigned: dict[uuid.UUID, uuid.UUID], fallback: list[Row | None], *,
                       settings: Settings, now: datetime) -> list[AlertPlan]:
    """One message per officer for an event about many firms (a round's reminder, a
    published list), each naming only the officer's own firms; firms nobody covers go to the
    fallback officer, never dropped."""
    mine: dict[uuid.UUID | None, list[Any]] = defaultdict(list)
    via: dict[uuid.UUID | None, str] = {}
    for item in event.data.items:
        result = route(item.firm.district, item.firm.industry, assigned.get(item.firm.id),
                       routes)
        if result.unrouted:
            if not fallback:
                fallback_id = await fallback_officer_id(repo, settings)
                fallback.append(by_id.get(fallback_id) if fallback_id else None)
            officer = fallback[0]
            key = officer["id"] if officer is not None else None
            via.setdefault(key, "fallback" if officer is not None else "none")
            mine[key].append(item)
            continue
        for routed in result.officer_ids:
            via.setdefault(routed, result.via)
            mine[routed].append(item)
    plans = []
    for whom, items in mine.items():
        own = event.model_copy(update={"data": event.data.model_copy(update={"items": items})})
        plans.append(plan_alert(own, kind, by_id.get(whom) if whom else None,
                                settings=settings, now=now, via=via[whom],
                                unrouted=whom is None or via[whom] == "fallback"))
    return plans


async def handle_event(uow: UnitOfWork, event: AnyEvent, *, settings: Settings,
                       now: datetime) -> list[uuid.UUID]:
    """Alert every officer one event concerns; returns the ids of deliveries queued."""
    return (await handle_events(uow, [event], settings=settings, now=now))[0]


async def alert_officer(
    repo: Repository, event: AnyEvent, kind: AlertKind, officer: Row | None, *,
    settings: Settings, now: datetime, via: str, unrouted: bool = False,
    escalation_of: Row | None = None, escalated_from: str | None = None,
) -> list[uuid.UUID]:
    """Write one officer's inbox entry and queue its channel deliveries (idempotent)."""
    plan = plan_alert(event, kind, officer, settings=settings, now=now, via=via,
                      unrouted=unrouted, escalation_of=escalation_of,
                      escalated_from=escalated_from)
    return (await write(repo, [plan]))[0]


async def write(repo: Repository, plans: list[AlertPlan]) -> list[list[uuid.UUID]]:
    """Insert the planned alerts, then the deliveries of those that were new (a replayed
    event's alert exists already: its deliveries were queued the first time)."""
    inserted = await repo.insert_alerts([p.alert for p in plans])
    first: set[int] = set()  # the plan that wrote each new alert (a repeat wrote nothing)
    for p in plans:
        if p.alert["id"] in inserted:
            inserted.discard(p.alert["id"])
            first.add(id(p))
    queued = await repo.insert_deliveries(
        [d for p in plans if id(p) in first for d in p.deliveries])
    return [[d["id"] for d in p.deliveries if d["id"] in queued] if id(p) in first else []
            for p in plans]


def plan_alert(
    event: AnyEvent, kind: AlertKind, officer: Row | None, *, settings: Settings,
    now: datetime, via: str, unrouted: bool = False, escalation_of: Row | None = None,
    escalated_from: str | None = None,
) -> AlertPlan:
    """One officer's inbox entry (rendered in their language) and its channel deliveries."""
    officer_id = officer["id"] if officer is not None else None
    rendered = render(event, kind, officer["language"] if officer else "zh", settings.link_base)
    label = "escalation:" if escalation_of is not None else ""
    if escalation_of is not None:
        rendered = escalated(rendered, escalated_from or "")
    alert_id = alert_id_for(event.event_id, officer_id, f"{label}inbox")
    firm = firm_of(event)
    alert = {
        "id": alert_id, "idempotency_key": str(alert_id), "source_event_id": event.event_id,
        "source_event": event.model_dump(mode="json"), "subject": event.subject,
        "officer_id": officer_id, "kind": kind, "severity": rendered.severity,
        "critical": is_critical(kind), "firm_id": firm.id if firm else None,
        "unrouted": unrouted, "routed_via": via, "rendered": rendered.model_dump(mode="json"),
        "created_at": now, "escalation_of": escalation_of["id"] if escalation_of else None,
        "history": False, "occurred_on": event_date(event),
    }
    if officer is None:
        return AlertPlan(alert, [])
    # An escalation is urgent by definition: the supervisor's digest preference does not apply.
    preference = DEFAULT_PREFERENCE if escalation_of is not None else \
        dict(officer["preferences"]).get(kind, DEFAULT_PREFERENCE)
    plan = decide_delivery(kind, preference, now, officer["quiet_start"], officer["quiet_end"],
                           digest_time(officer))
    if plan.mode == "skip" or plan.send_at is None:
        return AlertPlan(alert, [])
    status = "digest" if plan.mode == "digest" else "held" if plan.held_for_quiet_hours \
        else "pending"
    raw = list(officer["channels"] or [])
    return AlertPlan(alert, [
        _delivery(alert_id_for(event.event_id, officer_id, f"{label}{key}"), alert_id,
                  officer_id, key, channel, kind, status, plan.send_at, now, settings)
        for key, channel in zip(channel_keys(raw), raw, strict=True)])


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
    note = say(lang, "msg.escalated.note", officer=officer_name)
    title = say(lang, "msg.escalated.title", title=rendered.title)
    rest = rendered.body_text.partition("\n")[2]  # the first line is the old title
    return rendered.model_copy(update={
        "title": title, "body_text": f"{title}\n\n{note}\n{rest}",
        "body_html": f"<p><strong>{html.escape(note)}</strong></p>{rendered.body_html}",
    })
