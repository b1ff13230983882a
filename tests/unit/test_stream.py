"""The stream hub without a broker: fan-out, overflow of a slow subscriber alone, cursors."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared import stream_cursor
from shared.event_examples import example
from shared.stream import OVERFLOW, Filter, StreamHub, sse, to_event
from shared.topics import ENTITLEMENT_EVENTS, STANDING_EVENTS

pytestmark = pytest.mark.unit


def _record(i: int) -> bytes:
    return example("TargetProgressChanged", event_id=uuid.uuid4(), sequence=i + 1
                   ).model_dump_json().encode()


async def test_a_slow_subscriber_overflows_alone_and_is_told_so() -> None:
    hub = StreamHub("unused:9092", buffer=3)
    hub.ready.set()
    hub.positions[(STANDING_EVENTS, 0)] = 0
    slow, fast = sse(hub, Filter(), None, heartbeat_s=5), sse(hub, Filter(), None, heartbeat_s=5)
    for gen in (slow, fast):
        assert await anext(gen) == "retry: 2000\n\n"
        assert await anext(gen) == ": subscribed\n\n"
    got: list[str] = []
    for i in range(10):
        hub.dispatch(STANDING_EVENTS, 0, i, _record(i))
        got.append(await anext(fast))  # the fast one keeps up
    assert all(f.startswith(f"id: {STANDING_EVENTS}/0/{i};") for i, f in enumerate(got))
    slow_frames = [await anext(slow) for _ in range(4)]
    assert [f.split(";")[0] for f in slow_frames[:3]] == [
        f"id: {STANDING_EVENTS}/0/{i}" for i in range(3)]
    assert slow_frames[3] == OVERFLOW
    with pytest.raises(StopAsyncIteration):
        await anext(slow)
    assert len(hub.subscribers) == 1
    # the last id the slow one saw resumes right after it
    last = slow_frames[2].split("\n")[0][4:]
    assert stream_cursor.decode(last)[(STANDING_EVENTS, 0)] == 3
    await fast.aclose()
    assert not hub.subscribers


async def test_heartbeats_while_idle_and_while_the_broker_is_away() -> None:
    hub = StreamHub("unused:9092")
    gen = sse(hub, Filter(), None, heartbeat_s=0.05)
    assert await anext(gen) == "retry: 2000\n\n"
    assert await anext(gen) == ": waiting for the broker\n\n"
    hub.ready.set()
    assert await anext(gen) == ": subscribed\n\n"
    assert await asyncio.wait_for(anext(gen), 5) == ": heartbeat\n\n"
    await gen.aclose()


def test_cursor_round_trip_and_refusals() -> None:
    positions = {(STANDING_EVENTS, 0): 4, (STANDING_EVENTS, 2): 9, ("registry.firm-events", 1): 1}
    text = stream_cursor.encode(STANDING_EVENTS, 2, 8, positions)
    assert text.startswith(f"{STANDING_EVENTS}/2/8;")
    assert stream_cursor.decode(text) == {**positions, (STANDING_EVENTS, 1): 0,
                                          ("registry.firm-events", 0): 0}
    for bad in ("", "42", f"{STANDING_EVENTS}/2/8", f"{STANDING_EVENTS}/2/8;other.topic=1",
                f"{STANDING_EVENTS}/0/8;{STANDING_EVENTS}=3", f"{STANDING_EVENTS}/0/1;{STANDING_EVENTS}=x"):
        with pytest.raises(stream_cursor.BadCursor):
            stream_cursor.decode(bad)


def test_an_entitlement_event_is_about_its_firm_and_district() -> None:
    for name in ("EntitlementComputed", "EntitlementStateChanged"):
        body = example(name).model_dump_json().encode()
        ev = to_event(ENTITLEMENT_EVENTS, 0, 1, body, {})
        assert ev is not None and ev.firm_id == "6f1c2a52-3b8e-4d0e-9a51-2f4c6b1d7e90"
        assert ev.district == "hitech"
