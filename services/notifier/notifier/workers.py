"""Background loops, entry points like the consumers: the delivery worker and its timed jobs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter, Gauge

from notifier.channels.models import DeliveryResult
from notifier.config import Settings
from notifier.domain.officers import Row
from notifier.handlers import delivery, jobs
from notifier.handlers.delivery import Send
from notifier.repository import UnitOfWork

log = logging.getLogger(__name__)

DELIVERIES = Counter("notifier_deliveries_total", "Delivery attempts settled",
                     ["status", "channel"])
QUEUE = Gauge("notifier_delivery_queue_depth", "Deliveries waiting", ["status"],
              multiprocess_mode="mostrecent")  # one queue, whichever process read it last
Clock = Callable[[], datetime]


class DeliveryWorker:
    """One asyncio task per process; any number of processes may share the queue."""

    def __init__(self, *, uow: Callable[[], UnitOfWork], settings: Settings, clock: Clock,
                 send: Send) -> None:
        self.uow, self.settings, self.clock, self.send = uow, settings, clock, send
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
                await job(self.uow(), self.settings, now)
            except Exception:  # a failing job must not stop deliveries
                log.exception("job %s failed", job.__name__)
        rows, allowed = await delivery.claim(self.uow(), settings=self.settings, now=now)
        done = await asyncio.gather(*(self._attempt(r, allowed) for r in rows))
        statuses = await delivery.settle_all(self.uow(), done, settings=self.settings,
                                             now=self.clock())
        for attempted, status in zip(done, statuses, strict=True):
            row = attempted.row
            if status is None:
                log.warning("delivery %s was retaken by another worker", row["id"])
                continue
            DELIVERIES.labels("retrying" if status == "pending" else status,
                              row["channel"]).inc()
        for status in ("pending", "sending", "held", "digest"):
            QUEUE.labels(status).set(0)
        for status, n in (await delivery.queue_depth(self.uow())).items():
            QUEUE.labels(status).set(n)
        return len(rows) >= self.settings.notifier_worker_batch

    async def _attempt(self, row: Row, allowed: list[str]) -> delivery.Attempted:
        """Send one claimed row; the batch settles together once every send answered."""
        started = time.monotonic()
        try:
            result = await delivery.attempt(row, allowed, send=self.send)
        except Exception as exc:  # a bug in one send must not stall the batch
            log.exception("delivery %s raised", row["id"])
            result = DeliveryResult(ok=False, error=f"internal error: {type(exc).__name__}",
                                    retryable=True)
        return delivery.Attempted(row, result, int((time.monotonic() - started) * 1000))
