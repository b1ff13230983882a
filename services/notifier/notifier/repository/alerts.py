"""SQL of alerts: the officers' inboxes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from notifier.repository.base import Row, Sql, insert_rows_sql

_ALERT_VIEW = ("id, officer_id, kind, severity, critical, firm_id, subject, unrouted, routed_via,"
               " rendered, source_event_id, created_at, acknowledged_at, acknowledged_by,"
               " escalation_of, escalated_at, escalated_to, history, occurred_on")
_INSERT_ALERTS = insert_rows_sql("alerts", {
    "id": "uuid", "idempotency_key": "text", "source_event_id": "uuid", "source_event": "jsonb",
    "subject": "text", "officer_id": "uuid", "kind": "text", "severity": "text",
    "critical": "boolean", "firm_id": "uuid", "unrouted": "boolean", "routed_via": "text",
    "rendered": "jsonb", "created_at": "timestamptz", "escalation_of": "uuid",
    "history": "boolean", "occurred_on": "date"})


class AlertSql(Sql):
    """Alerts (the inbox): written by intake and escalation, read and acknowledged by the API."""

    async def insert_alerts(self, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        """Insert alerts in one statement, skipping those whose idempotency key exists;
        returns the ids inserted."""
        if not rows:
            return set()
        return {r["id"] for r in await self.conn.fetch(_INSERT_ALERTS, rows)}

    async def alert(self, alert_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        """One alert (locked for update on request)."""
        suffix = " FOR UPDATE" if lock else ""
        return await self.conn.fetchrow(
            f"SELECT {_ALERT_VIEW} FROM alerts WHERE id = $1{suffix}", alert_id)

    async def alerts(
        self, *, officer_id: uuid.UUID | None, unrouted: bool | None, kind: str | None,
        unread: bool | None, since: datetime | None, limit: int,
        after: tuple[bool, datetime, uuid.UUID] | None = None, firm_id: uuid.UUID | None = None,
        history: bool | None = None,
    ) -> list[Row]:
        """Alerts filtered (`history=False`: what an inbox shows, no past events kept on the
        firms' records); unread first, newest first (the inbox order), after a page's last
        (read, created_at, id)."""
        read, at, last = after or (None, None, None)
        return await self.conn.fetch(
            f"SELECT {_ALERT_VIEW} FROM alerts WHERE ($1::uuid IS NULL OR officer_id = $1)"
            " AND ($2::boolean IS NULL OR unrouted = $2) AND ($3::text IS NULL OR kind = $3)"
            " AND ($4::boolean IS NULL OR (acknowledged_at IS NULL) = $4)"
            " AND ($5::timestamptz IS NULL OR created_at >= $5)"
            " AND ($7::uuid IS NULL OR firm_id = $7)"
            " AND ($11::boolean IS NULL OR history = $11)"
            " AND ($8::boolean IS NULL OR (acknowledged_at IS NOT NULL) > $8"
            " OR ((acknowledged_at IS NOT NULL) = $8 AND (created_at < $9::timestamptz"
            " OR (created_at = $9::timestamptz AND id > $10::uuid))))"
            " ORDER BY acknowledged_at IS NOT NULL, created_at DESC, id LIMIT $6",
            officer_id, unrouted, kind, unread, since, limit, firm_id, read, at, last, history)

    async def unread_count(self, officer_id: uuid.UUID) -> int:
        """How many of an officer's alerts are not acknowledged."""
        return int(await self.conn.fetchval(
            "SELECT count(*) FROM alerts WHERE officer_id = $1 AND acknowledged_at IS NULL"
            " AND NOT history",
            officer_id))

    async def ack_alert(self, alert_id: uuid.UUID, now: datetime, by: str) -> None:
        """Mark an alert acknowledged (the first acknowledgement stands)."""
        await self.conn.execute(
            "UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3"
            " WHERE id = $1 AND acknowledged_at IS NULL", alert_id, now, by)

    async def escalation_candidates(self, delivered_before: datetime, limit: int) -> list[Row]:
        """Critical alerts unacknowledged since before then, not escalated yet, locked."""
        return await self.conn.fetch(
            "SELECT id, officer_id, kind, created_at, acknowledged_at, source_event FROM alerts"
            " WHERE critical AND acknowledged_at IS NULL AND escalated_at IS NULL"
            " AND escalation_of IS NULL AND officer_id IS NOT NULL AND created_at <= $1"
            " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED", delivered_before, limit)

    async def mark_escalated(self, alert_id: uuid.UUID, now: datetime,
                             to: uuid.UUID | None) -> None:
        """Record when, and to whom (None: nobody), an alert was escalated."""
        await self.conn.execute(
            "UPDATE alerts SET escalated_at = $2, escalated_to = $3 WHERE id = $1",
            alert_id, now, to)

    async def history_tallies(self, officer_ids: list[uuid.UUID]
                              ) -> dict[uuid.UUID, tuple[int, date | None, dict[str, int]]]:
        """Per officer, what their firms' records hold from history: (firms, earliest date,
        events by kind). Takes each officer's summary lock first (sorted: no deadlock), so two
        transactions adding history for one officer count each other's rows."""
        for officer_id in sorted(officer_ids):
            await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 19))",
                                    f"history:{officer_id}")
        rows = await self.conn.fetch(
            "SELECT officer_id, kind, count(*) AS n, min(occurred_on) AS since,"
            " count(DISTINCT firm_id) AS firms, GROUPING(kind) AS whole FROM alerts"
            " WHERE history AND officer_id = ANY($1::uuid[])"
            " GROUP BY GROUPING SETS ((officer_id, kind), (officer_id))", officer_ids)
        tallies: dict[uuid.UUID, tuple[int, date | None, dict[str, int]]] = {}
        for r in sorted(rows, key=lambda r: -r["whole"]):  # the officer's whole row first
            if r["whole"]:
                tallies[r["officer_id"]] = (r["firms"], r["since"], {})
            else:
                tallies[r["officer_id"]][2][r["kind"]] = r["n"]
        return tallies

    async def upsert_summary(self, row: dict[str, Any]) -> None:
        """Write an officer's one history summary, or update its words (read stays read)."""
        await self.conn.execute(
            "INSERT INTO alerts (id, idempotency_key, source_event_id, source_event, subject,"
            " officer_id, kind, severity, critical, firm_id, unrouted, routed_via, rendered,"
            " created_at, history, occurred_on)"
            " VALUES ($1, $8, $1, '{}'::jsonb, $2, $3, $4, 'info', false, NULL, false,"
            " 'coverage', $5::jsonb, $6, false, $7)"
            " ON CONFLICT (id) DO UPDATE SET rendered = EXCLUDED.rendered,"
            " occurred_on = EXCLUDED.occurred_on"
            " WHERE alerts.rendered IS DISTINCT FROM EXCLUDED.rendered",
            row["id"], row["subject"], row["officer_id"], row["kind"], row["rendered"],
            row["created_at"], row["occurred_on"], str(row["id"]))
