"""An in-memory notifier repository and unit of work, for handler tests without I/O.

Each method keeps the contract of its SQL twin in notifier.repository (same arguments, same
row keys back), so a handler cannot tell them apart.
"""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from datetime import date, datetime, time
from typing import Any

from tests.fakes import FakeOutbox, FakeUnitOfWork

Row = dict[str, Any]
OFFICER_DEFAULTS: Row = {
    "districts": [], "industries": [], "channels": [], "quiet_start": None, "quiet_end": None,
    "language": "zh", "supervisor_id": None, "receives_targets": False, "preferences": {},
    "digest_at": time(9), "deleted_at": None,
}
ALERT_DEFAULTS: Row = {"acknowledged_at": None, "acknowledged_by": None, "escalated_at": None,
                       "escalated_to": None, "escalation_of": None, "unrouted": False,
                       "history": False, "occurred_on": None}
DELIVERY_DEFAULTS: Row = {"attempts": 0, "lease_until": None, "digest_id": None,
                          "rendered": None, "last_status_code": None, "last_error": None,
                          "delivered_at": None}


class FakeRepository:
    """The notifier's tables as dicts; `now` stands in for the database's now()."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.officers_: dict[uuid.UUID, Row] = {}
        self.firms: dict[uuid.UUID, Row] = {}
        self.settings: dict[str, Any] = {}
        self.alerts_: dict[uuid.UUID, Row] = {}
        self.deliveries_: dict[uuid.UUID, Row] = {}
        self.attempts_: list[Row] = []
        self.audits: list[Row] = []
        self.calls: Counter[str] = Counter()  # statements a set-based handler issues

    def state(self) -> dict[str, Any]:
        """Everything stored (what a rollback puts back)."""
        return {k: v for k, v in vars(self).items() if k not in ("now", "calls")}

    # ------------------------------------------------------------ officers and settings

    async def insert_officer(self, officer_id: uuid.UUID, fields: Row) -> None:
        self.officers_[officer_id] = {**OFFICER_DEFAULTS, **copy.deepcopy(fields),
                                      "id": officer_id, "created_at": self.now,
                                      "updated_at": self.now}

    async def update_officer(self, officer_id: uuid.UUID, fields: Row) -> None:
        self.officers_[officer_id].update(copy.deepcopy(fields), updated_at=self.now)

    async def officer(self, officer_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        row = self.officers_.get(officer_id)
        return dict(row) if row is not None and row["deleted_at"] is None else None

    async def officers(self, *, after: tuple[datetime, uuid.UUID] | None = None,
                       limit: int | None = None) -> list[Row]:
        self.calls["officers"] += 1
        live = sorted((r for r in self.officers_.values() if r["deleted_at"] is None),
                      key=lambda r: (r["created_at"], r["id"]))
        live = [r for r in live if after is None or (r["created_at"], r["id"]) > after]
        return [dict(r) for r in live[:limit]]

    async def delete_officer(self, officer_id: uuid.UUID) -> None:
        self.officers_[officer_id]["deleted_at"] = self.now
        self.firms = {f: r for f, r in self.firms.items() if r["officer_id"] != officer_id}

    async def due_digest_officers(self, now: datetime, limit: int) -> list[Row]:
        due = [r for r in await self.officers() if r["next_digest_at"] <= now]
        return sorted(due, key=lambda r: r["next_digest_at"])[:limit]

    async def set_next_digest(self, officer_id: uuid.UUID, at: datetime) -> None:
        self.officers_[officer_id]["next_digest_at"] = at

    async def assign_firm(self, firm_id: uuid.UUID, officer_id: uuid.UUID | None) -> None:
        if officer_id is None:
            self.firms.pop(firm_id, None)
        else:
            self.firms[firm_id] = {"firm_id": firm_id, "officer_id": officer_id,
                                   "assigned_at": self.now}

    async def firm_officer(self, firm_id: uuid.UUID) -> Row | None:
        return self.firms.get(firm_id)

    async def firm_officers(self, firm_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        self.calls["firm_officers"] += 1
        return {f: self.firms[f]["officer_id"] for f in firm_ids if f in self.firms}

    async def setting(self, key: str) -> Any:
        return copy.deepcopy(self.settings.get(key))

    async def put_setting(self, key: str, value: Any) -> None:
        if value is None:
            self.settings.pop(key, None)
        else:
            self.settings[key] = copy.deepcopy(value)

    async def audit(self, *, actor: str, action: str, subject: str | None, before: Any = None,
                    after: Any = None, correlation_id: str | None = None) -> None:
        self.audits.append({"actor": actor, "action": action, "subject": subject,
                            "before": before, "after": after, "correlation_id": correlation_id})

    # ------------------------------------------------------------ alerts

    async def insert_alerts(self, rows: list[Row]) -> set[uuid.UUID]:
        self.calls["insert_alerts"] += 1
        inserted = set()
        for fields in rows:
            if all(a["idempotency_key"] != fields["idempotency_key"]
                   for a in self.alerts_.values()):
                self.alerts_[fields["id"]] = {**ALERT_DEFAULTS, **copy.deepcopy(fields)}
                inserted.add(fields["id"])
        return inserted

    async def history_tallies(self, officer_ids: list[uuid.UUID]
                              ) -> dict[uuid.UUID, tuple[int, date | None, dict[str, int]]]:
        tallies: dict[uuid.UUID, tuple[int, date | None, dict[str, int]]] = {}
        for officer_id in officer_ids:
            past = [a for a in self.alerts_.values()
                    if a.get("history") and a["officer_id"] == officer_id]
            if past:
                dates = [a["occurred_on"] for a in past if a.get("occurred_on")]
                tallies[officer_id] = (len({a["firm_id"] for a in past if a["firm_id"]}),
                                       min(dates) if dates else None,
                                       dict(Counter(a["kind"] for a in past)))
        return tallies

    async def upsert_summary(self, row: Row) -> None:
        self.calls["upsert_summary"] += 1
        old = self.alerts_.get(row["id"])
        if old is not None:
            old.update(rendered=copy.deepcopy(row["rendered"]), occurred_on=row["occurred_on"])
            return
        self.alerts_[row["id"]] = {
            **ALERT_DEFAULTS, "id": row["id"], "idempotency_key": str(row["id"]),
            "source_event_id": row["id"], "source_event": {}, "subject": row["subject"],
            "officer_id": row["officer_id"], "kind": row["kind"], "severity": "info",
            "critical": False, "firm_id": None, "routed_via": "coverage",
            "rendered": copy.deepcopy(row["rendered"]), "created_at": row["created_at"],
            "history": False, "occurred_on": row["occurred_on"]}

    async def alert(self, alert_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        row = self.alerts_.get(alert_id)
        return dict(row) if row is not None else None

    async def ack_alert(self, alert_id: uuid.UUID, now: datetime, by: str) -> None:
        row = self.alerts_[alert_id]
        if row["acknowledged_at"] is None:
            row.update(acknowledged_at=now, acknowledged_by=by)

    async def escalation_candidates(self, delivered_before: datetime, limit: int) -> list[Row]:
        found = [a for a in self.alerts_.values()
                 if a["critical"] and a["acknowledged_at"] is None and a["escalated_at"] is None
                 and a["escalation_of"] is None and a["officer_id"] is not None
                 and a["created_at"] <= delivered_before]
        return [dict(a) for a in sorted(found, key=lambda a: a["created_at"])[:limit]]

    async def mark_escalated(self, alert_id: uuid.UUID, now: datetime,
                             to: uuid.UUID | None) -> None:
        self.alerts_[alert_id].update(escalated_at=now, escalated_to=to)

    # ------------------------------------------------------------ deliveries

    async def insert_delivery(self, fields: Row) -> bool:
        if any(d["idempotency_key"] == fields["idempotency_key"]
               for d in self.deliveries_.values()):
            return False
        self.deliveries_[fields["id"]] = {**DELIVERY_DEFAULTS, **copy.deepcopy(fields)}
        return True

    async def insert_deliveries(self, rows: list[Row]) -> set[uuid.UUID]:
        self.calls["insert_deliveries"] += 1
        return {r["id"] for r in rows if await self.insert_delivery(r)}

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Row]:
        due = [d for d in self.deliveries_.values()
               if (d["status"] in ("pending", "held") and d["next_attempt_at"] <= now)
               or (d["status"] == "sending" and d["lease_until"] <= now)]
        claimed = []
        for d in sorted(due, key=lambda d: d["next_attempt_at"])[:limit]:
            d.update(status="sending", attempts=d["attempts"] + 1, lease_until=lease_until,
                     updated_at=now)
            alert = self.alerts_.get(d["alert_id"]) if d["alert_id"] else None
            officer = self.officers_[d["officer_id"]]
            claimed.append({
                **d, "content": d["rendered"] or (alert or {}).get("rendered"),
                "source_event_id": alert["source_event_id"] if alert else None,
                "subject": alert["subject"] if alert else None,
                "channels": officer["channels"], "email": officer["email"],
                "officer_gone": officer["deleted_at"] is not None})
        return claimed

    async def record_attempts(self, attempts: list[tuple[Any, ...]]) -> None:
        for delivery_id, attempt, at, ok, status_code, error, duration_ms in attempts:
            self.attempts_.append({"delivery_id": delivery_id, "attempt": attempt, "at": at,
                                   "ok": ok, "status_code": status_code, "error": error,
                                   "duration_ms": duration_ms})

    async def finish_attempts(self, settled: list[tuple[Any, ...]],
                              now: datetime) -> set[uuid.UUID]:
        done = set()
        for delivery_id, attempt, status, next_attempt_at, status_code, error in settled:
            d = self.deliveries_[delivery_id]
            if d["status"] != "sending" or d["attempts"] != attempt:
                continue
            d.update(status=status, next_attempt_at=next_attempt_at, lease_until=None,
                     last_status_code=status_code, last_error=error, updated_at=now,
                     delivered_at=now if status == "delivered" else None)
            done.add(delivery_id)
        return done

    async def settle_digest_members(self, digest_id: uuid.UUID, status: str,
                                    error: str | None, now: datetime) -> list[Row]:
        out = []
        for d in self.deliveries_.values():
            if d["digest_id"] == digest_id and d["status"] in ("digest", "failed"):
                d.update(status=status, last_error=error, updated_at=now,
                         delivered_at=now if status == "delivered" else None)
                a = self.alerts_[d["alert_id"]]
                out.append({"alert_id": d["alert_id"], "officer_id": d["officer_id"],
                            "channel": d["channel"], "kind": d["kind"],
                            "source_event_id": a["source_event_id"], "subject": a["subject"]})
        return out

    async def digest_items(self, officer_id: uuid.UUID, now: datetime) -> list[Row]:
        items = [d for d in self.deliveries_.values()
                 if d["officer_id"] == officer_id and d["status"] == "digest"
                 and d["digest_id"] is None and d["next_attempt_at"] <= now]
        items.sort(key=lambda d: (self.alerts_[d["alert_id"]]["created_at"], d["id"]))
        return [{"id": d["id"], "channel_key": d["channel_key"], "channel": d["channel"],
                 "rendered": self.alerts_[d["alert_id"]]["rendered"]} for d in items]

    async def fold_into_digest(self, ids: list[uuid.UUID], digest_id: uuid.UUID) -> None:
        for i in ids:
            self.deliveries_[i]["digest_id"] = digest_id

    async def delivery(self, delivery_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        row = self.deliveries_.get(delivery_id)
        return dict(row) if row is not None else None

    async def requeue(self, delivery_id: uuid.UUID, now: datetime, extra_attempts: int) -> None:
        d = self.deliveries_[delivery_id]
        d.update(status="pending", next_attempt_at=now, updated_at=now,
                 max_attempts=d["attempts"] + extra_attempts)

    async def queue_depth(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        for d in self.deliveries_.values():
            if d["status"] in ("pending", "sending", "held", "digest"):
                depth[d["status"]] = depth.get(d["status"], 0) + 1
        return depth


class FakeNotifierUow(FakeUnitOfWork):
    """The notifier's unit of work in memory: a failed block leaves the tables as they were."""

    def __init__(self, repo: FakeRepository) -> None:
        super().__init__()
        self.repo = repo
        self.outbox = FakeOutbox("notifier")

    def snapshot(self) -> Any:
        return copy.deepcopy((self.repo.state(), self.outbox.events))

    def restore(self, state: Any) -> None:
        tables, events = state
        vars(self.repo).update(tables)
        self.outbox.events = events
