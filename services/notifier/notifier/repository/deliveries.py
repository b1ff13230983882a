"""SQL of the delivery queue and its attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notifier.repository.base import Row, Sql, insert_rows_sql, insert_sql

_DELIVERY_VIEW = ("id, alert_id, officer_id, channel_key, channel, kind, status, attempts,"
                  " max_attempts, next_attempt_at, digest_id, last_status_code, last_error,"
                  " created_at, updated_at, delivered_at")
_INSERT_DELIVERIES = insert_rows_sql("deliveries", {
    "id": "uuid", "idempotency_key": "text", "alert_id": "uuid", "officer_id": "uuid",
    "channel_key": "text", "channel": "text", "kind": "text", "status": "text",
    "max_attempts": "int", "next_attempt_at": "timestamptz", "created_at": "timestamptz",
    "updated_at": "timestamptz"})


class DeliverySql(Sql):
    """The persistent delivery queue: one row per (alert, channel), or one digest message."""

    async def insert_delivery(self, fields: dict[str, Any]) -> bool:
        """Queue a delivery unless one with its idempotency key exists; True if queued."""
        return bool(await self.conn.fetchval(insert_sql("deliveries", fields),
                                             *fields.values()))

    async def insert_deliveries(self, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        """Queue alert deliveries in one statement, skipping those whose idempotency key
        exists; returns the ids queued."""
        if not rows:
            return set()
        return {r["id"] for r in await self.conn.fetch(_INSERT_DELIVERIES, rows)}

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Row]:
        """Take due rows (and rows whose sender's lease ran out) for this worker.

        SKIP LOCKED keeps two workers off the same row while claiming; the 'sending' status
        with a lease keeps them off it while one sends.
        """
        return await self.conn.fetch(
            "WITH due AS (SELECT id FROM deliveries WHERE"
            " (status IN ('pending', 'held') AND next_attempt_at <= $1)"
            " OR (status = 'sending' AND lease_until <= $1)"
            " ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),"
            " claimed AS (UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1,"
            " lease_until = $2, updated_at = $1 FROM due WHERE d.id = due.id RETURNING d.*)"
            " SELECT c.*, COALESCE(c.rendered, a.rendered) AS content, a.source_event_id,"
            " a.subject, o.channels, o.email, o.deleted_at IS NOT NULL AS officer_gone"
            " FROM claimed c LEFT JOIN alerts a ON a.id = c.alert_id"
            " JOIN officers o ON o.id = c.officer_id", now, lease_until, limit)

    async def record_attempts(self, attempts: list[tuple[uuid.UUID, int, datetime, bool,
                                                        int | None, str | None, int]]) -> None:
        """Keep attempts' outcomes: (delivery, attempt, at, ok, status code, error, ms) each,
        in one statement."""
        if not attempts:
            return
        ids, numbers, ats, oks, codes, errors, durations = map(list, zip(*attempts, strict=True))
        await self.conn.execute(
            "INSERT INTO delivery_attempts (delivery_id, attempt, at, ok, status_code, error,"
            " duration_ms) SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[],"
            " $4::bool[], $5::int[], $6::text[], $7::int[])",
            ids, numbers, ats, oks, codes, errors, durations)

    async def finish_attempts(self, settled: list[tuple[uuid.UUID, int, str, datetime,
                                                        int | None, str | None]],
                              now: datetime) -> set[uuid.UUID]:
        """Settle claimed rows, (delivery, attempt, status, next attempt at, status code,
        error) each, in one statement; the ids settled (a row another worker retook since its
        lease ran out is left as it is)."""
        if not settled:
            return set()
        ids, numbers, statuses, dues, codes, errors = map(list, zip(*settled, strict=True))
        rows = await self.conn.fetch(
            "UPDATE deliveries d SET status = s.status, next_attempt_at = s.due,"
            " lease_until = NULL, last_status_code = s.code, last_error = s.error,"
            " updated_at = $7::timestamptz,"
            " delivered_at = CASE WHEN s.status = 'delivered' THEN $7::timestamptz END"
            " FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::int[],"
            " $6::text[]) AS s(id, attempt, status, due, code, error)"
            " WHERE d.id = s.id AND d.status = 'sending' AND d.attempts = s.attempt"
            " RETURNING d.id", ids, numbers, statuses, dues, codes, errors, now)
        return {r["id"] for r in rows}

    async def settle_digest_members(self, digest_id: uuid.UUID, status: str,
                                    error: str | None, now: datetime) -> list[Row]:
        """Give a digest's member rows the digest's outcome; returns them."""
        return await self.conn.fetch(
            "UPDATE deliveries d SET status = $2::text, last_error = $3,"
            " updated_at = $4::timestamptz,"
            " delivered_at = CASE WHEN $2::text = 'delivered' THEN $4::timestamptz END"
            " FROM alerts a WHERE d.digest_id = $1 AND a.id = d.alert_id"
            " AND d.status IN ('digest', 'failed') RETURNING d.alert_id, d.officer_id,"
            " d.channel, d.kind, a.source_event_id, a.subject", digest_id, status, error, now)

    async def digest_items(self, officer_id: uuid.UUID, now: datetime) -> list[Row]:
        """An officer's due digest rows not folded yet, oldest first, locked."""
        return await self.conn.fetch(
            "SELECT d.id, d.channel_key, d.channel, a.rendered FROM deliveries d"
            " JOIN alerts a ON a.id = d.alert_id WHERE d.officer_id = $1 AND d.status = 'digest'"
            " AND d.digest_id IS NULL AND d.next_attempt_at <= $2 ORDER BY a.created_at, d.id"
            " FOR UPDATE OF d", officer_id, now)

    async def fold_into_digest(self, ids: list[uuid.UUID], digest_id: uuid.UUID) -> None:
        """Say which digest message carries these rows."""
        await self.conn.execute(
            "UPDATE deliveries SET digest_id = $2 WHERE id = ANY($1::uuid[])", ids, digest_id)

    async def delivery(self, delivery_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        """One delivery (locked for update on request)."""
        suffix = " FOR UPDATE" if lock else ""
        return await self.conn.fetchrow(
            f"SELECT {_DELIVERY_VIEW} FROM deliveries WHERE id = $1{suffix}", delivery_id)

    async def deliveries(
        self, *, status: str | None, channel: str | None, officer_id: uuid.UUID | None,
        alert_id: uuid.UUID | None, limit: int, after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[Row]:
        """Deliveries filtered, last changed first, after a page's last (updated_at, id)."""
        at, last = after or (None, None)
        return await self.conn.fetch(
            f"SELECT {_DELIVERY_VIEW} FROM deliveries WHERE ($1::text IS NULL OR status = $1)"
            " AND ($2::text IS NULL OR channel = $2) AND ($3::uuid IS NULL OR officer_id = $3)"
            " AND ($4::uuid IS NULL OR alert_id = $4)"
            " AND ($6::timestamptz IS NULL OR updated_at < $6"
            " OR (updated_at = $6 AND id > $7::uuid))"
            " ORDER BY updated_at DESC, id LIMIT $5",
            status, channel, officer_id, alert_id, limit, at, last)

    async def attempts(self, delivery_id: uuid.UUID) -> list[Row]:
        """Every attempt made at a delivery, in order."""
        return await self.conn.fetch(
            "SELECT attempt, at, ok, status_code, error, duration_ms FROM delivery_attempts"
            " WHERE delivery_id = $1 ORDER BY id", delivery_id)

    async def requeue(self, delivery_id: uuid.UUID, now: datetime, extra_attempts: int) -> None:
        """A manual retry: due now, with a fresh budget of attempts."""
        await self.conn.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = $2, updated_at = $2,"
            " max_attempts = attempts + $3 WHERE id = $1", delivery_id, now, extra_attempts)

    async def queue_depth(self) -> dict[str, int]:
        """How many deliveries wait, by status."""
        rows = await self.conn.fetch(
            "SELECT status, count(*) AS n FROM deliveries"
            " WHERE status IN ('pending', 'sending', 'held', 'digest') GROUP BY status")
        return {r["status"]: r["n"] for r in rows}
