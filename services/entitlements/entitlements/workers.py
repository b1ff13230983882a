"""The reminder sweep: every interval, offers unconfirmed past N days get one reminder event,
and those past the deadline expire."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date

from entitlements.handlers.reminders import expire_overdue, remind_overdue
from entitlements.repository import UnitOfWork

log = logging.getLogger(__name__)


class ReminderSweep:
    """Runs `remind_overdue` now and then; a failure is logged and tried at the next turn."""

    def __init__(self, uow: Callable[[], UnitOfWork], *, today: Callable[[], date],
                 after_days: int, expire_days: int, interval_s: float) -> None:
        self.uow, self.today, self.after_days, self.interval_s = uow, today, after_days, interval_s
        self.expire_days = expire_days
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sweeping in the background."""
        self._task = asyncio.create_task(self._run(), name="entitlements-reminders")

    async def stop(self) -> None:
        """Stop sweeping."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> tuple[int, int]:
        """One sweep; returns (offers expired, reminders sent)."""
        expired = await expire_overdue(self.uow(), today=self.today(),
                                       after_days=self.expire_days)
        reminded = await remind_overdue(self.uow(), today=self.today(),
                                        after_days=self.after_days)
        return expired, reminded

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next turn tries again
                log.exception("reminder sweep failed")
            await asyncio.sleep(self.interval_s)
