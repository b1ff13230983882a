"""Chaos: faults under a steady load of registrations and reports, then the same checks after
each (tests/chaos/checks.py). Every scenario has firms of its own on one shared stack."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import pytest

from shared.events import make_event
from shared.kafka import new_producer
from shared.topics import FIRM_EVENTS, STANDING_EVENTS, dead_letter
from tests.chaos.checks import Counts, check_everything
from tests.chaos.harness import ChaosStack, until
from tests.chaos.load import Load
from tests.chaos.receiver import DedupingReceiver
from tests.kafka_helpers import read_to_end

pytestmark = pytest.mark.chaos

CONSUMERS = ("ladder", "notifier", "entitlements")
FLOW = 30  # accepted writes before a fault, and again after it: the load really flows
Fault = Callable[[Load], Awaitable[None]]


def _duplicates(chaos: ChaosStack) -> dict[str, float]:
    return {s: chaos.metric(s, "events_consumed_total", outcome="duplicate") for s in CONSUMERS}


async def _flowing(load: Load, more: int) -> None:
    mark = len(load.result.accepted)
    await until(lambda: len(load.result.accepted) >= mark + more,
                f"{more} more accepted writes", timeout_s=120)


async def run(request: pytest.FixtureRequest, name: str, chaos: ChaosStack, officer_id: str,
              receiver: DedupingReceiver, fault: Fault, *, firms_per_s: float = 4.0) -> Counts:
    """Load, fault, more load, stop, check; the scenario's line goes into the table."""
    before, kills = await asyncio.to_thread(_duplicates, chaos), dict(chaos.kills)
    load = Load(chaos.url("registry"), district="hitech", firms_per_s=firms_per_s,
                seed=uuid.uuid4().int)
    await load.start()
    try:
        await _flowing(load, FLOW)
        await fault(load)
        await _flowing(load, FLOW)
    finally:
        result = await load.stop()
    after = await asyncio.to_thread(_duplicates, chaos)
    # a restarted process counts from zero; its count is all this scenario's
    duplicates = sum(after[s] - (0 if chaos.kills.get(s, 0) > kills.get(s, 0) else before[s])
                     for s in CONSUMERS)
    counts = await check_everything(name, chaos, result, officer_id=officer_id,
                                    receiver=receiver, duplicates=int(duplicates),
                                    today=date.today())
    table = request.config.cache.get("chaos/table", []) if getattr(request.config, "cache", None) else []
    if getattr(request.config, "cache", None):
        request.config.cache.set("chaos/table", [*table, counts.__dict__])
    print(counts, flush=True)
    return counts


async def _kill_and_restart(chaos: ChaosStack, service: str) -> None:
    await asyncio.to_thread(chaos.kill, service)
    await asyncio.to_thread(chaos.wait_restarted, service)


async def test_registry_killed_mid_load_loses_no_accepted_write(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        await _kill_and_restart(chaos, "registry")

    counts = await run(request, "1 kill -9 registry mid-load", chaos, officer_id, receiver, fault)
    # writes flowed before and after the kill; a write cut off is sent again (`resent`), but the
    # supervisor holds the listening socket, so writes sent while the registry was down wait in
    # its backlog and are answered by the new process: `resent` may be 0, and nothing is lost
    assert chaos.kills["registry"] >= 1 and counts.written > 2 * FLOW


async def _ladder_mid_batch(chaos: ChaosStack, load: Load) -> bool:
    """The ladder has applied some of the load's events but not all of them."""
    ladder = await chaos.fetch("ladder", "SELECT coalesce(sum(last_sequence), 0) AS n FROM firms"
                               " WHERE id = ANY($1::uuid[])", load.result.firm_ids)
    applied = int(ladder[0]["n"])
    return 0 < applied < len(load.result.accepted)


async def test_ladder_killed_twice_mid_batch(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        for _ in range(2):
            await until(lambda: _ladder_mid_batch(chaos, load), "the ladder mid-batch",
                        timeout_s=60)
            await _kill_and_restart(chaos, "ladder")
            await _flowing(load, 10)

    await run(request, "2 kill -9 ladder twice mid-batch", chaos, officer_id, receiver, fault)
    assert chaos.kills["ladder"] >= 2


async def test_notifier_killed_with_deliveries_in_flight(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        receiver.delay_s = 3.0  # sends stay open long enough to be cut by the kill
        in_flight = len(receiver.seen)
        await until(lambda: len(receiver.seen) > in_flight, "a delivery in flight", timeout_s=60)
        await asyncio.to_thread(chaos.kill, "notifier")
        receiver.delay_s = 0.0
        await asyncio.to_thread(chaos.wait_restarted, "notifier")

    await run(request, "3 kill -9 notifier, deliveries in flight", chaos, officer_id, receiver,
              fault)


async def test_broker_killed_and_started_again(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        await asyncio.to_thread(chaos.kill_broker)
        await asyncio.to_thread(chaos.restart_broker)

    await run(request, "4 kill -9 broker, start again", chaos, officer_id, receiver, fault)


async def test_postgres_stopped_for_ten_seconds(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        await asyncio.to_thread(chaos.stop_postgres)
        await asyncio.sleep(10)  # the outage itself: what the scenario is, not a wait
        await asyncio.to_thread(chaos.start_postgres)

    counts = await run(request, "5 PostgreSQL stopped 10 s", chaos, officer_id, receiver, fault)
    assert counts.written > 2 * FLOW
    # away is a 503, not a bug
    assert "500" not in counts.answers_5xx, (counts.answers_5xx, chaos.unhandled_errors())


async def _publish(chaos: ChaosStack, topic: str, key: str, value: bytes) -> None:
    producer = new_producer(chaos.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key.encode())
    finally:
        await producer.stop()


async def test_a_poison_message_on_each_topic_is_dead_lettered_and_the_partition_flows(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    marker = f"poison-{uuid.uuid4().hex[:8]}"
    stranger = str(uuid.uuid4())
    # not an event at all, and an event that cannot apply (a report of a firm never registered)
    not_an_event = json.dumps({"chaos": marker}).encode()
    cannot_apply = make_event(
        "AnnualReportFiled", producer="chaos", subject=stranger, sequence=2,
        correlation_id=marker, data={"firm_id": stranger, "report": {
            "fiscal_year": 2021, "revenue": 1, "sales_revenue": 1, "total_assets": 1,
            "employees": 1, "st_staff": 1, "rd_expense": 1, "st_activity_investment": 1,
            "high_tech_revenue": 1, "ip_class1": 0, "ip_class2": 0}}).model_dump_json().encode()
    bad_data = json.dumps({**json.loads(cannot_apply), "event_type": "TierPromoted"}).encode()
    poisons = {FIRM_EVENTS: [not_an_event, cannot_apply], STANDING_EVENTS: [not_an_event, bad_data]}

    async def fault(load: Load) -> None:
        key = load.result.firm_ids[-1]  # a live firm's partition: its later events must flow
        for topic, values in poisons.items():
            for value in values:
                await _publish(chaos, topic, key, value)

    await run(request, "6 poison message on each topic", chaos, officer_id, receiver, fault)
    # (consumer, topic, poisons it parks): the entitlements service also reads the firm events;
    # it parks the non-event, and keeps the stranger's report as facts (it pays nothing to a
    # firm the registry never described), so the firm events' DLQ gets three copies
    parks = (("ladder", FIRM_EVENTS, 2), ("entitlements", FIRM_EVENTS, 1),
             ("notifier", STANDING_EVENTS, 2))
    for service, topic, n in parks:
        async def parked(service: str = service, topic: str = topic,
                         n: int = n) -> list[str] | None:
            rows = await chaos.fetch(service, "SELECT error FROM dead_letters WHERE topic = $1"
                                     " AND payload LIKE $2", topic, f"%{marker}%")
            return [r["error"] for r in rows] if len(rows) == n else None
        errors = await until(parked, f"{service} to dead-letter {n} poison(s)", timeout_s=60)
        assert all(errors), errors
    for topic in (FIRM_EVENTS, STANDING_EVENTS):
        copies = sum(n for _, t, n in parks if t == topic)
        dlq = await read_to_end(chaos.bootstrap, dead_letter(topic), timeout_s=60, until=lambda
                                found, c=copies: sum(marker in json.dumps(f) for f in found) >= c)
        assert sum(marker in json.dumps(f) for f in dlq) == copies


async def test_slow_and_failing_receivers_get_each_alert_once(
        request: pytest.FixtureRequest, chaos: ChaosStack, officer_id: str,
        receiver: DedupingReceiver) -> None:
    async def fault(load: Load) -> None:
        receiver.delay_s = 10.0  # a slow receiver: 10 s per call
        seen = sum(receiver.seen.values())
        await until(lambda: sum(receiver.seen.values()) > seen + 2, "slow calls", timeout_s=60)
        receiver.delay_s = 0.0
        receiver.fail_until = time.monotonic() + 60  # then 500 for a minute
        await until(lambda: time.monotonic() > receiver.fail_until, "the minute of 500s",
                    timeout_s=70)

    counts = await run(request, "7 slow (10 s) then failing (500, 60 s) receiver", chaos,
                       officer_id, receiver, fault, firms_per_s=1.5)
    assert sum(receiver.failed.values()) > 0 and counts.webhooks > 0
