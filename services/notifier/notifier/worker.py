"""The delivery worker: claims due rows from the queue, sends, records every attempt."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
from prometheus_client import Counter, Gauge

from notifier import jobs
from notifier import repository as repo
from notifier.channels.models import DeliveryResult
from notifier.channels.senders import send
from notifier.config import Settings
from notifier.domain.render import RenderedAlert
from notifier.domain.schedule import backoff, should_retry
from notifier.officer_data import channels_of
from notifier.settings_store import allowlist
from shared import outbox
from shared.db import DbConn
from shared.topics import ALERT_EVENTS

log = logging.getLogger(__name__)

DELIVERIES = Counter("notifier_deliveries_total", "Delivery attempts settled",
                     ["status", "channel"])
QUEUE = Gauge("notifier_delivery_queue_depth", "Deliveries waiting", ["status"])
Clock = Callable[[], datetime]


class DeliveryWorker:
    """One asyncio task per process; any number of processes may share the queue."""

    def __init__(self, *, pool: asyncpg.Pool, settings: Settings, clock: Clock,
                 http: httpx.AsyncClient) -> None:
        self.pool, self.settings, self.clock, self.http = pool, settings, clock, http
        self.smtp = settings.smtp()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.beat = time.monotonic()

    def start(self) -> None:
        """Run the loop in the background."""
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        """Stop; rows being sent stay 'sending' and are retaken after their lease."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def wake(self) -> None:
        """Look at the queue now rather than at the next poll."""
        self._wake.set()

    async def problem(self) -> str | None:
        """Readiness: None while the loop runs and beats."""
        if self._task is None:
            return None if not self.settings.notifier_worker_enabled else "worker: not started"
        if self._task.done():
            return "worker: stopped"
        stale = time.monotonic() - self.beat
        if stale > max(30.0, 5 * self.settings.notifier_worker_poll_s):
            return f"worker: no heartbeat for {stale:.0f} s"
        return None

    async def _run(self) -> None:
        while True:
            self.beat = time.monotonic()
            self._wake.clear()
            try:
                busy = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # database away or a bug: keep the loop alive, try again
                log.exception("delivery worker tick failed")
                busy = False
            if not busy:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.settings.notifier_worker_poll_s)
                except TimeoutError:
                    pass

    async def tick(self) -> bool:
        """One pass: digests, escalations, then a batch of sends; True if the batch was full."""
        now = self.clock()
        for job in (jobs.fold_digests, jobs.escalate):
            try:
                await job(self.pool, self.settings, now)
            except Exception:  # a failing job must not stop deliveries
                log.exception("job %s failed", job.__name__)
        rows = await repo.claim_due(self.pool, now, now + self.settings.lease,
                                    self.settings.notifier_worker_batch)
        if rows:
            allowed = await allowlist(self.pool, self.settings)
            await asyncio.gather(*(self._deliver(r, allowed) for r in rows))
        for status in ("pending", "sending", "held", "digest"):
            QUEUE.labels(status).set(0)
        for status, n in (await repo.queue_depth(self.pool)).items():
            QUEUE.labels(status).set(n)
        return len(rows) >= self.settings.notifier_worker_batch

    async def _deliver(self, row: asyncpg.Record, allowed: list[str]) -> None:
        started = time.monotonic()
        try:
            result = await self._send(row, allowed)
        except Exception as exc:  # a bug in one send must not stall the batch
            log.exception("delivery %s raised", row["id"])
            result = DeliveryResult(ok=False, error=f"internal error: {type(exc).__name__}",
                                    retryable=True)
        await self._record(row, result, int((time.monotonic() - started) * 1000))

    async def _send(self, row: asyncpg.Record, allowed: list[str]) -> DeliveryResult:
        if row["officer_gone"]:
            return DeliveryResult(ok=False, error="the officer was deleted")
        channel = channels_of(row).get(row["channel_key"])
        if channel is None or channel.kind != row["channel"]:
            return DeliveryResult(ok=False, error=f"channel {row['channel_key']} was removed")
        return await send(
            channel, RenderedAlert.model_validate(row["content"]), http=self.http, smtp=self.smtp,
            allowlist=allowed, idempotency_key=row["idempotency_key"],
            timeout_s=self.settings.notifier_delivery_timeout_s,
            alert_id=str(row["alert_id"] or row["id"]), officer_email=row["email"],
        )

    async def _record(self, row: asyncpg.Record, result: DeliveryResult, duration_ms: int) -> None:
        s = self.settings
        attempt, now = row["attempts"], self.clock()
        if result.ok:
            status, due = "delivered", now
        elif should_retry(attempt, result.retryable, row["max_attempts"]):
            status = "pending"
            due = now + timedelta(seconds=backoff(attempt, s.notifier_backoff_base_s,
                                                  s.notifier_backoff_cap_s))
        else:
            status, due = "failed", now
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.record_attempt(conn, row["id"], attempt, now, result.ok,
                                      result.status_code, result.error, duration_ms)
            settled = await repo.finish_attempt(conn, row["id"], attempt, status, due,
                                                result.status_code, result.error, now)
            if not settled:
                log.warning("delivery %s was retaken by another worker", row["id"])
                return
            if status in ("delivered", "failed"):
                await self._publish(conn, row, status, result.error, now)
        DELIVERIES.labels("retrying" if status == "pending" else status, row["channel"]).inc()

    async def _publish(self, conn: DbConn, row: asyncpg.Record, status: str,
                       error: str | None, now: datetime) -> None:
        """AlertDelivered / AlertFailed for the alert, or for every alert a digest carried."""
        if row["alert_id"] is not None:
            outcomes: list[Any] = [row]
        else:
            outcomes = await repo.settle_digest_members(conn, row["id"], status, error, now)
        event_type = "AlertDelivered" if status == "delivered" else "AlertFailed"
        for o in outcomes:
            await outbox.append(
                conn, topic=ALERT_EVENTS, event_type=event_type, producer="notifier",
                subject=o["subject"], data={
                    "alert_id": o["alert_id"], "officer_id": o["officer_id"],
                    "channel": o["channel"], "alert_kind": o["kind"],
                    "source_event_id": o["source_event_id"], "attempts": row["attempts"],
                    "error": error,
                })
