"""A webhook receiver that behaves like a careful one: it dedupes on Idempotency-Key, and the
scenarios can make it slow or make it fail for a while."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from tests.integration.notifier_channels.receivers import Call, HttpReceiver


class DedupingReceiver(HttpReceiver):
    """POST /chaos: 200 and the call taken once per Idempotency-Key; `delay_s` answers slowly,
    `fail_until` (monotonic time) answers 500 until then."""

    def __init__(self) -> None:
        super().__init__()
        self.delay_s = 0.0
        self.fail_until = 0.0
        self.taken: dict[str, dict[str, Any]] = {}  # key → the body processed for it
        self.seen: Counter[str] = Counter()  # key → requests, duplicates and failures included
        self.failed: Counter[str] = Counter()  # key → 500s answered

    @property
    def hook(self) -> str:
        return self.url("/chaos")

    def repeats(self, keys: Iterable[str]) -> int:
        """Requests for these keys beyond the one taken (and the 500s): what dedupe dropped."""
        return sum(self.seen[k] - self.failed[k] - (k in self.taken) for k in keys)

    async def _respond(self, call: Call) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if call.path != "/chaos":
            return await super()._respond(call)
        key = call.headers.get("idempotency-key", "")
        self.seen[key] += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if time.monotonic() < self.fail_until:
            self.failed[key] += 1
            return 500, {"error": "receiver down"}, {}
        self.taken.setdefault(key, call.json())
        return 200, {}, {}
