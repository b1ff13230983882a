"""Every SQL statement of the notifier."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from shared.db import DbConn

Conn = DbConn | asyncpg.Pool
Row = asyncpg.Record
_LIVE = "deleted_at IS NULL"

# ---------------------------------------------------------------- officers


async def insert_officer(conn: Conn, officer_id: uuid.UUID, fields: dict[str, Any]) -> None:
    cols = ", ".join(fields)
    marks = ", ".join(f"${i}" for i in range(2, len(fields) + 2))
    await conn.execute(f"INSERT INTO officers (id, {cols}) VALUES ($1, {marks})",
                       officer_id, *fields.values())


async def update_officer(conn: Conn, officer_id: uuid.UUID, fields: dict[str, Any]) -> None:
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    await conn.execute(f"UPDATE officers SET {sets}, updated_at = now() WHERE id = $1",
                       officer_id, *fields.values())


async def officer(conn: Conn, officer_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(f"SELECT * FROM officers WHERE id = $1 AND {_LIVE}{suffix}",
                               officer_id)


async def officers(conn: Conn, *, after: tuple[datetime, uuid.UUID] | None = None,
                   limit: int | None = None) -> list[Row]:
    """Live officers, oldest first, after a page's last (created_at, id); routing reads them
    all: a bureau has dozens, not millions."""
    at, last = after or (None, None)
    return await conn.fetch(
        f"SELECT * FROM officers WHERE {_LIVE}"
        " AND ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2::uuid))"
        " ORDER BY created_at, id LIMIT $3", at, last, limit)


async def delete_officer(conn: Conn, officer_id: uuid.UUID) -> None:
    """Soft delete: alerts keep pointing at the officer; routing stops using them."""
    await conn.execute("UPDATE officers SET deleted_at = now() WHERE id = $1", officer_id)
    await conn.execute("DELETE FROM firm_officers WHERE officer_id = $1", officer_id)


async def due_digest_officers(conn: Conn, now: datetime, limit: int) -> list[Row]:
    return await conn.fetch(
        f"SELECT * FROM officers WHERE {_LIVE} AND next_digest_at <= $1"
        " ORDER BY next_digest_at LIMIT $2 FOR UPDATE SKIP LOCKED", now, limit)


async def set_next_digest(conn: Conn, officer_id: uuid.UUID, at: datetime) -> None:
    await conn.execute("UPDATE officers SET next_digest_at = $2 WHERE id = $1", officer_id, at)


# ---------------------------------------------------------------- firms and settings


async def assign_firm(conn: Conn, firm_id: uuid.UUID, officer_id: uuid.UUID | None) -> None:
    if officer_id is None:
        await conn.execute("DELETE FROM firm_officers WHERE firm_id = $1", firm_id)
        return
    await conn.execute(
        "INSERT INTO firm_officers (firm_id, officer_id) VALUES ($1, $2) ON CONFLICT (firm_id)"
        " DO UPDATE SET officer_id = EXCLUDED.officer_id, assigned_at = now()", firm_id, officer_id)


async def firm_officer(conn: Conn, firm_id: uuid.UUID) -> Row | None:
    return await conn.fetchrow("SELECT * FROM firm_officers WHERE firm_id = $1", firm_id)


async def setting(conn: Conn, key: str) -> Any:
    return await conn.fetchval("SELECT value FROM notifier_settings WHERE key = $1", key)


async def put_setting(conn: Conn, key: str, value: Any) -> None:
    """Store a setting; None removes it (the environment's value applies again)."""
    if value is None:
        await conn.execute("DELETE FROM notifier_settings WHERE key = $1", key)
        return
    await conn.execute(
        "INSERT INTO notifier_settings (key, value) VALUES ($1, $2) ON CONFLICT (key)"
        " DO UPDATE SET value = EXCLUDED.value, updated_at = now()", key, value)


# ---------------------------------------------------------------- alerts (the inbox)


async def insert_alert(conn: Conn, fields: dict[str, Any]) -> bool:
    """Insert unless an alert with the same idempotency key exists; True if inserted."""
    cols = ", ".join(fields)
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    return bool(await conn.fetchval(
        f"INSERT INTO alerts ({cols}) VALUES ({marks})"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING true", *fields.values()))


_ALERT_VIEW = ("id, officer_id, kind, severity, critical, firm_id, subject, unrouted, routed_via,"
               " rendered, source_event_id, created_at, acknowledged_at, acknowledged_by,"
               " escalation_of, escalated_at, escalated_to")


async def alert(conn: Conn, alert_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(f"SELECT {_ALERT_VIEW} FROM alerts WHERE id = $1{suffix}", alert_id)


async def alerts(
    conn: Conn, *, officer_id: uuid.UUID | None, unrouted: bool | None, kind: str | None,
    unread: bool | None, since: datetime | None, limit: int,
    after: tuple[bool, datetime, uuid.UUID] | None = None, firm_id: uuid.UUID | None = None,
) -> list[Row]:
    """Alerts filtered; unread first, newest first (the inbox order), after a page's last
    (read, created_at, id)."""
    read, at, last = after or (None, None, None)
    return await conn.fetch(
        f"SELECT {_ALERT_VIEW} FROM alerts WHERE ($1::uuid IS NULL OR officer_id = $1)"
        " AND ($2::boolean IS NULL OR unrouted = $2) AND ($3::text IS NULL OR kind = $3)"
        " AND ($4::boolean IS NULL OR (acknowledged_at IS NULL) = $4)"
        " AND ($5::timestamptz IS NULL OR created_at >= $5)"
        " AND ($7::uuid IS NULL OR firm_id = $7)"
        " AND ($8::boolean IS NULL OR (acknowledged_at IS NOT NULL) > $8"
        " OR ((acknowledged_at IS NOT NULL) = $8 AND (created_at < $9::timestamptz"
        " OR (created_at = $9::timestamptz AND id > $10::uuid))))"
        " ORDER BY acknowledged_at IS NOT NULL, created_at DESC, id LIMIT $6",
        officer_id, unrouted, kind, unread, since, limit, firm_id, read, at, last)


async def unread_count(conn: Conn, officer_id: uuid.UUID) -> int:
    return int(await conn.fetchval(
        "SELECT count(*) FROM alerts WHERE officer_id = $1 AND acknowledged_at IS NULL",
        officer_id))


async def ack_alert(conn: Conn, alert_id: uuid.UUID, now: datetime, by: str) -> None:
    await conn.execute(
        "UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3"
        " WHERE id = $1 AND acknowledged_at IS NULL", alert_id, now, by)


async def escalation_candidates(conn: Conn, delivered_before: datetime, limit: int) -> list[Row]:
    return await conn.fetch(
        "SELECT id, officer_id, kind, created_at, acknowledged_at, source_event FROM alerts"
        " WHERE critical AND acknowledged_at IS NULL AND escalated_at IS NULL"
        " AND escalation_of IS NULL AND officer_id IS NOT NULL AND created_at <= $1"
        " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED", delivered_before, limit)


async def mark_escalated(conn: Conn, alert_id: uuid.UUID, now: datetime,
                         to: uuid.UUID | None) -> None:
    await conn.execute("UPDATE alerts SET escalated_at = $2, escalated_to = $3 WHERE id = $1",
                       alert_id, now, to)


# ---------------------------------------------------------------- deliveries (the queue)


async def insert_delivery(conn: Conn, fields: dict[str, Any]) -> bool:
    cols = ", ".join(fields)
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    return bool(await conn.fetchval(
        f"INSERT INTO deliveries ({cols}) VALUES ({marks})"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING true", *fields.values()))


async def claim_due(conn: Conn, now: datetime, lease_until: datetime, limit: int) -> list[Row]:
    """Take due rows (and rows whose sender's lease ran out) for this worker.

    SKIP LOCKED keeps two workers off the same row while claiming; the 'sending' status
    with a lease keeps them off it while one sends.
    """
    return await conn.fetch(
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


async def record_attempt(conn: Conn, delivery_id: uuid.UUID, attempt: int, at: datetime,
                         ok: bool, status_code: int | None, error: str | None,
                         duration_ms: int) -> None:
    await conn.execute(
        "INSERT INTO delivery_attempts (delivery_id, attempt, at, ok, status_code, error,"
        " duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        delivery_id, attempt, at, ok, status_code, error, duration_ms)


async def finish_attempt(conn: Conn, delivery_id: uuid.UUID, attempt: int, status: str,
                         next_attempt_at: datetime, status_code: int | None,
                         error: str | None, now: datetime) -> bool:
    """Settle a claimed row; False if another worker retook it (its lease ran out)."""
    return bool(await conn.fetchval(
        "UPDATE deliveries SET status = $3::text, next_attempt_at = $4, lease_until = NULL,"
        " last_status_code = $5, last_error = $6, updated_at = $7::timestamptz,"
        " delivered_at = CASE WHEN $3::text = 'delivered' THEN $7::timestamptz END"
        " WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING true",
        delivery_id, attempt, status, next_attempt_at, status_code, error, now))


async def settle_digest_members(conn: Conn, digest_id: uuid.UUID, status: str,
                                error: str | None, now: datetime) -> list[Row]:
    """Give a digest's member rows the digest's outcome; returns them."""
    return await conn.fetch(
        "UPDATE deliveries d SET status = $2::text, last_error = $3, updated_at = $4::timestamptz,"
        " delivered_at = CASE WHEN $2::text = 'delivered' THEN $4::timestamptz END FROM alerts a"
        " WHERE d.digest_id = $1 AND a.id = d.alert_id AND d.status IN ('digest', 'failed')"
        " RETURNING d.alert_id, d.officer_id, d.channel, d.kind, a.source_event_id, a.subject",
        digest_id, status, error, now)


async def digest_items(conn: Conn, officer_id: uuid.UUID, now: datetime) -> list[Row]:
    return await conn.fetch(
        "SELECT d.id, d.channel_key, d.channel, a.rendered FROM deliveries d"
        " JOIN alerts a ON a.id = d.alert_id WHERE d.officer_id = $1 AND d.status = 'digest'"
        " AND d.digest_id IS NULL AND d.next_attempt_at <= $2 ORDER BY a.created_at, d.id"
        " FOR UPDATE OF d", officer_id, now)


async def fold_into_digest(conn: Conn, ids: list[uuid.UUID], digest_id: uuid.UUID) -> None:
    await conn.execute("UPDATE deliveries SET digest_id = $2 WHERE id = ANY($1::uuid[])",
                       ids, digest_id)


_DELIVERY_VIEW = ("id, alert_id, officer_id, channel_key, channel, kind, status, attempts,"
                  " max_attempts, next_attempt_at, digest_id, last_status_code, last_error,"
                  " created_at, updated_at, delivered_at")


async def delivery(conn: Conn, delivery_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(f"SELECT {_DELIVERY_VIEW} FROM deliveries WHERE id = $1{suffix}",
                               delivery_id)


async def deliveries(
    conn: Conn, *, status: str | None, channel: str | None, officer_id: uuid.UUID | None,
    alert_id: uuid.UUID | None, limit: int, after: tuple[datetime, uuid.UUID] | None = None,
) -> list[Row]:
    """Deliveries filtered, last changed first, after a page's last (updated_at, id)."""
    at, last = after or (None, None)
    return await conn.fetch(
        f"SELECT {_DELIVERY_VIEW} FROM deliveries WHERE ($1::text IS NULL OR status = $1)"
        " AND ($2::text IS NULL OR channel = $2) AND ($3::uuid IS NULL OR officer_id = $3)"
        " AND ($4::uuid IS NULL OR alert_id = $4)"
        " AND ($6::timestamptz IS NULL OR updated_at < $6"
        " OR (updated_at = $6 AND id > $7::uuid))"
        " ORDER BY updated_at DESC, id LIMIT $5",
        status, channel, officer_id, alert_id, limit, at, last)


async def attempts(conn: Conn, delivery_id: uuid.UUID) -> list[Row]:
    return await conn.fetch(
        "SELECT attempt, at, ok, status_code, error, duration_ms FROM delivery_attempts"
        " WHERE delivery_id = $1 ORDER BY id", delivery_id)


async def requeue(conn: Conn, delivery_id: uuid.UUID, now: datetime, extra_attempts: int) -> None:
    """A manual retry: due now, with a fresh budget of attempts."""
    await conn.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = $2, updated_at = $2,"
        " max_attempts = attempts + $3 WHERE id = $1", delivery_id, now, extra_attempts)


async def queue_depth(conn: Conn) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM deliveries"
        " WHERE status IN ('pending', 'sending', 'held', 'digest') GROUP BY status")
    return {r["status"]: r["n"] for r in rows}
