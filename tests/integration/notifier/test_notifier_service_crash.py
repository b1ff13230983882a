"""Crash safety: a restart between consuming and sending, or mid-send, still sends once;
two workers on one queue never send the same delivery twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from notifier.app import build_worker
from notifier.config import Settings
from notifier.repository import Repository
from tests.integration.notifier.helpers import consume, create_officer, deliveries, running, until
from tests.integration.notifier_channels.receivers import HttpReceiver
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def test_restart_between_consume_and_send_delivers_exactly_once(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    waiting, interrupted = b.standing_event(), b.near_miss()
    # First life: the worker never runs, as if the process died right after consuming.
    async with running(make_settings(notifier_worker_enabled=False)) as (app, client):
        await create_officer(client, channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        assert await consume(app, waiting) == "applied"
        (pending,) = await deliveries(client, status="pending")
        # A worker claimed this one and died mid-send: it stays 'sending' until its lease ends.
        assert await consume(app, interrupted) == "applied"
        now = app.state.clock()
        claimed = await Repository(app.state.pool).claim_due(now, now + timedelta(seconds=0.5),
                                                              10)
        assert len(claimed) == 2 and pending["id"] in {str(r["id"]) for r in claimed}
    assert receiver.calls == []

    # Second life, same database: what was queued goes out once, the redelivered events
    # (Kafka hands uncommitted offsets out again) are recognised as duplicates.
    async with running(make_settings()) as (app, client):
        assert await consume(app, waiting) == "duplicate"
        assert await consume(app, interrupted) == "duplicate"

        async def both() -> list[dict]:
            done = await deliveries(client, status="delivered")
            return done if len(done) == 2 else []
        await until(both, what="both deliveries after the restart")
        await asyncio.sleep(0.3)
        keys = Counter(c.headers["idempotency-key"] for c in receiver.calls)
        assert sorted(keys.values()) == [1, 1]


async def test_two_workers_never_send_the_same_delivery(
    make_settings: Callable[..., Settings], receiver: HttpReceiver,
) -> None:
    settings = make_settings(notifier_worker_enabled=False, notifier_worker_batch=3)
    async with running(settings) as (app, client):
        await create_officer(client, channels=[{"kind": "webhook", "url": receiver.url("/ok")}])
        for _ in range(12):
            await consume(app, b.near_miss())
        async with httpx.AsyncClient(trust_env=False) as http:
            workers = [build_worker(app.state.pool, settings, app.state.clock, http)
                       for _ in range(2)]
            for _ in range(4):
                await asyncio.gather(*(w.tick() for w in workers), *(w.tick() for w in workers))
        keys = Counter(c.headers["idempotency-key"] for c in receiver.calls)
        assert len(keys) == 12 and set(keys.values()) == {1}
        assert len(await deliveries(client, status="delivered")) == 12
