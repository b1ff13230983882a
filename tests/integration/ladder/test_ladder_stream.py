"""`GET /v1/stream` over a real socket and a real broker: resume, fan-out, filters, errors."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from ladder.app import build_app
from ladder.config import Settings
from shared.event_examples import example
from shared.topics import ALERT_EVENTS, FIRM_EVENTS, STANDING_EVENTS
from tests.conftest import fresh_database
from tests.factories import ADMIN_TOKEN, auth
from tests.integration.conftest import serve_http, service_settings

pytestmark = pytest.mark.integration


@asynccontextmanager
async def ladder_http(pg_server_url: str, bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    db = await fresh_database(pg_server_url, "ladder")
    settings = service_settings(Settings, server_url=pg_server_url, database=db,
                                bootstrap=bootstrap, stream_heartbeat_s=1.0)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    # a year without targets: the ladder's start-up sweep then publishes no pace changes, so
    # the topics hold only what each test sends
    async with serve_http(build_app(settings, clock=lambda: date(2031, 6, 30))) as url, \
            httpx.AsyncClient(base_url=url, headers=auth(), timeout=60, limits=limits) as client:
        yield client


async def publish(bootstrap: str, events: list[tuple[str, Any]]) -> None:
    """Send (topic, event) pairs, keyed by subject like the relays do."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic, event in events:
            await producer.send_and_wait(topic, event.model_dump_json().encode(),
                                         key=event.subject.encode())
    finally:
        await producer.stop()


def burst(n: int) -> list[tuple[str, Any]]:
    """`n` events over the three topics and many keys (so every partition gets some)."""
    out: list[tuple[str, Any]] = []
    for i in range(n):
        if i % 3 == 0:
            out.append((ALERT_EVENTS, example("AlertDelivered", event_id=uuid.uuid4(),
                                              subject=str(uuid.uuid4()))))
        else:
            out.append((STANDING_EVENTS, example("TargetProgressChanged", event_id=uuid.uuid4(),
                                                 subject=str(2000 + i % 7), sequence=i + 1)))
    return out


class Reader:
    """One SSE connection: messages as (id, event, data), and the comments seen."""

    def __init__(self) -> None:
        self.messages: list[tuple[str | None, str, dict[str, Any]]] = []
        self.subscribed = asyncio.Event()

    async def run(self, client: httpx.AsyncClient, *, want: int, params: dict[str, str] | None = None,
                  headers: dict[str, str] | None = None) -> None:
        async with client.stream("GET", "/v1/stream", params=params, headers=headers) as r:
            assert r.status_code == 200, await r.aread()
            assert r.headers["content-type"].startswith("text/event-stream")
            event_id, kind = None, "message"
            async for line in r.aiter_lines():
                if line.startswith(": subscribed"):
                    self.subscribed.set()
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    self.messages.append((event_id, kind, json.loads(line[6:])))
                    event_id, kind = None, "message"
                    if len(self.messages) >= want:
                        return

    @property
    def event_ids(self) -> list[str]:
        return [data["event_id"] for _, _, data in self.messages]


async def test_a_reconnect_with_last_event_id_resumes_without_loss_or_repeat(
        pg_server_url: str, fresh_broker: str) -> None:
    async with ladder_http(pg_server_url, fresh_broker) as client:
        first = Reader()
        task = asyncio.create_task(first.run(client, want=12))
        await asyncio.wait_for(first.subscribed.wait(), 60)
        sent = burst(30)
        await publish(fresh_broker, sent)
        await asyncio.wait_for(task, 30)  # disconnects mid-stream, 18 events unread
        assert len(first.messages) == 12
        more = burst(30)
        await publish(fresh_broker, more)  # while nobody listens

        second = Reader()
        last_id = first.messages[-1][0]
        assert last_id is not None and last_id.count("/") >= 2
        await asyncio.wait_for(second.run(client, want=48, headers={"Last-Event-ID": last_id}), 60)
        seen = first.event_ids + second.event_ids
        assert len(seen) == len(set(seen)) == 60
        assert set(seen) == {str(e.event_id) for _, e in sent + more}
        # per key (hence per partition) the order is the order sent
        order = {str(e.event_id): i for i, (_, e) in enumerate(sent + more)}
        by_subject: dict[str, list[int]] = {}
        for _, _, data in first.messages + second.messages:
            by_subject.setdefault(data["subject"], []).append(order[data["event_id"]])
        assert all(v == sorted(v) for v in by_subject.values())

        # the same cursor as a query parameter (for clients that cannot send headers) resumes
        # at the same place; a live event after the replay still arrives
        third = Reader()
        task = asyncio.create_task(third.run(client, want=49, params={"last_event_id": last_id}))
        await asyncio.sleep(0.5)
        late = burst(1)
        await publish(fresh_broker, late)
        await asyncio.wait_for(task, 60)
        # partitions interleave as the broker answers; each partition's order is fixed
        assert sorted(third.event_ids[:-1]) == sorted(second.event_ids)
        assert third.event_ids[-1] == str(late[0][1].event_id)


async def test_two_hundred_subscribers_all_get_a_burst(pg_server_url: str, fresh_broker: str) -> None:
    async with ladder_http(pg_server_url, fresh_broker) as client:
        readers = [Reader() for _ in range(200)]
        tasks = [asyncio.create_task(r.run(client, want=60)) for r in readers]
        await asyncio.wait_for(asyncio.gather(*(r.subscribed.wait() for r in readers)), 120)
        sent = burst(60)
        await publish(fresh_broker, sent)
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
        expected = {str(e.event_id) for _, e in sent}
        for r in readers:
            assert len(r.event_ids) == 60 and set(r.event_ids) == expected


async def test_filters_token_and_bad_input(pg_server_url: str, fresh_broker: str) -> None:
    async with ladder_http(pg_server_url, fresh_broker) as client:
        firm = str(uuid.uuid4())
        promoted = example("TierPromoted", event_id=uuid.uuid4(), subject=firm,
                           data={**example("TierPromoted").data.model_dump(),
                                 "firm": {"id": firm, "name": "大连甲", "district": "jinpu",
                                          "industry": "next_gen_it"}})
        other = example("TierPromoted", event_id=uuid.uuid4(), subject=str(uuid.uuid4()))
        registered = example("FirmRegistered", event_id=uuid.uuid4(), subject=firm, data={
            "firm": {**example("FirmRegistered").data.firm.model_dump(), "id": firm,
                     "district": "jinpu"}})
        report = example("AnnualReportFiled", event_id=uuid.uuid4(), subject=firm,
                         data={**example("AnnualReportFiled").data.model_dump(), "firm_id": firm})

        by_district, by_type = Reader(), Reader()
        anon = httpx.AsyncClient(base_url=str(client.base_url), timeout=60)
        tasks = [
            # the district of a report (which names none) is known from the firm's registration
            asyncio.create_task(by_district.run(anon, want=3, params={
                "district": "jinpu", "token": ADMIN_TOKEN})),
            asyncio.create_task(by_type.run(client, want=1, params={
                "types": "TierPromoted", "tier": "eaglet", "firm_id": firm})),
        ]
        await asyncio.wait_for(asyncio.gather(by_district.subscribed.wait(),
                                              by_type.subscribed.wait()), 60)
        await publish(fresh_broker, [(FIRM_EVENTS, registered), (STANDING_EVENTS, other),
                                     (FIRM_EVENTS, report), (STANDING_EVENTS, promoted)])
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
        # one topic keeps its order (the registration before the report); two topics interleave
        firm_events = [m[1] for m in by_district.messages if m[1] != "TierPromoted"]
        assert firm_events == ["FirmRegistered", "AnnualReportFiled"]
        assert sorted(m[1] for m in by_district.messages) == [
            "AnnualReportFiled", "FirmRegistered", "TierPromoted"]
        assert by_type.event_ids == [str(promoted.event_id)]

        assert (await anon.get("/v1/stream")).status_code == 401
        assert (await anon.get("/v1/stream", params={"token": "ct_wrong"})).status_code == 401
        await anon.aclose()
        bad = await client.get("/v1/stream", headers={"Last-Event-ID": "42"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "Last-Event-ID"
        forged = await client.get("/v1/stream", params={
            "last_event_id": "ladder.standing-events/0/5;ladder.standing-events=9"})
        assert forged.status_code == 422 and forged.json()["errors"][0]["rule"] == "sse_id"
        typo = await client.get("/v1/stream", params={"types": "TierPromotd"})
        assert typo.status_code == 422 and typo.json()["errors"][0]["field"] == "types"
        wrong = await client.get("/v1/stream", params={"tier": "dragon"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "tier"
