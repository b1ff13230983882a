"""One embedded stack shared by every chaos scenario, a deduping webhook receiver, and an
officer who gets every alert at it."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.chaos.harness import ChaosStack, every_alert_officer
from tests.chaos.receiver import DedupingReceiver

# Fast retries, so an outage of a minute is retried many times and nothing is given up;
# a send timeout above the slow receiver's 10 s, so a slow answer is still a delivery.
KNOBS = {
    "NOTIFIER_BACKOFF_BASE_S": "0.5", "NOTIFIER_BACKOFF_CAP_S": "4",
    "NOTIFIER_MAX_ATTEMPTS": "50", "NOTIFIER_WORKER_POLL_S": "0.2",
    "NOTIFIER_DELIVERY_TIMEOUT_S": "12", "NOTIFIER_LEASE_S": "1",
}


@pytest.fixture(scope="module")
def chaos() -> Iterator[ChaosStack]:
    """The stack, started once for the module's scenarios and stopped cleanly at the end."""
    data_dir = Path("/tmp") / f"ct-chaos-{os.getpid()}-{time.monotonic_ns() % 10**8}"
    stack = ChaosStack(data_dir, KNOBS)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[DedupingReceiver]:
    """The officers' webhook endpoint."""
    r = DedupingReceiver()
    await r.start()
    yield r
    await r.stop()


@pytest.fixture(scope="module")
def officer_id(chaos: ChaosStack, receiver: DedupingReceiver) -> str:
    """An officer covering every district, every alert kind immediately, at the receiver."""
    return every_alert_officer(chaos, receiver.hook)
