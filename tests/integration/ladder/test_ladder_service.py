"""The ladder consuming real registry events through a real broker into a real database."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer

from shared.topics import FIRM_EVENTS, STANDING_EVENTS, dead_letter
from tests.conftest import fresh_database
from tests.factories import firm_payload
from tests.integration.ladder.stack import Pair, dated_report, growth_reports, ladder_app, pair
from tests.kafka_helpers import collect

pytestmark = pytest.mark.integration
TODAY = date(2022, 6, 30)


@pytest.fixture
async def dbs(pg_server_url: str) -> tuple[str, str]:
    return (await fresh_database(pg_server_url, "registry"),
            await fresh_database(pg_server_url, "ladder"))


async def _firm(p: Pair, **overrides: object) -> dict:
    r = await p.registry.post("/v1/firms", json=firm_payload(founded_on="2016-03-01", **overrides))
    assert r.status_code == 201, r.text
    return r.json()


async def _put(p: Pair, firm_id: str, year: int, body: dict) -> int:
    r = await p.registry.put(f"/v1/firms/{firm_id}/reports/{year}", json=body)
    assert r.status_code in (200, 201), r.text
    return int(r.json()["sequence"])


async def test_promotions_history_targets_and_events(pg_server_url: str, dbs: tuple[str, str],
                                                     fresh_broker: str) -> None:
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        firm = await _firm(p)
        seq = await _put(p, firm["id"], 2021, dated_report(ip_class1=1))
        standing = await p.caught_up(firm["id"], seq)
        assert standing["tier"] == "eaglet" and standing["round_year"] == 2022
        # the filing starts on the day of the decision, the day the report was filed
        assert standing["filed_on"] == "2022-03-01" and standing["expires_on"] == "2025-03-01"
        assert standing["next_tier"]["tier"] == "gazelle" and standing["next_tier"]["missing"]
        assert standing["criteria"]["eaglet"]["passed"] is True

        for year, body in growth_reports(filed_on="2022-05-01").items():
            seq = await _put(p, firm["id"], year, body)
        standing = await p.caught_up(firm["id"], seq)
        assert standing["tier"] == "gazelle", standing["criteria"]["gazelle"]
        assert standing["decided_on"] == "2022-05-01"

        history = (await p.ladder.get(f"/v1/firms/{firm['id']}/history")).json()["items"]
        assert [(h["change"], h["to_tier"]) for h in history] == [
            ("promoted", "gazelle"), ("promoted", "eaglet")]
        assert history[0]["trace"]["tiers"]["gazelle"]["passed"] is True
        newest = (await p.ladder.get(f"/v1/firms/{firm['id']}/history", params={"limit": 1})).json()
        older = (await p.ladder.get(f"/v1/firms/{firm['id']}/history",
                                    params={"limit": 1, "cursor": newest["next_cursor"]})).json()
        assert [h["id"] for h in newest["items"] + older["items"]] == [h["id"] for h in history]
        assert older["next_cursor"] is None
        assert history[0]["inputs"]["reports"]["2021"]["revenue"] == 40_000_000

        targets = (await p.ladder.get("/v1/targets/2022")).json()
        by_key = {i["tier"]: i for i in targets["items"]}
        assert by_key["eaglet"]["achieved"] == 1 and by_key["gazelle"]["achieved"] == 1
        assert by_key["gazelle"]["target"] == 30 and "Expected" in by_key["gazelle"]["forecast"]["method"]

        seq = (await p.registry.patch(f"/v1/firms/{firm['id']}", json={
            "dishonest_list": True, "effective_on": TODAY.isoformat()})).json()["sequence"]
        standing = await p.caught_up(firm["id"], seq)
        assert standing["tier"] == "none"

        # while the ladder (and its outbox relay) still runs
        events = await collect(fresh_broker, STANDING_EVENTS, count=3,
                               match=lambda e: e["subject"] == firm["id"] and e["event_type"].startswith("Tier"))
        assert [(e["event_type"], e["data"]["change"]) for e in events] == [
            ("TierPromoted", "promoted"), ("TierPromoted", "promoted"), ("TierRevoked", "revoked")]
        milestones = await collect(fresh_broker, STANDING_EVENTS, count=2,
                                   match=lambda e: e["event_type"] == "TargetMilestoneReached")
        assert {(m["data"]["key"], m["data"]["milestone"]) for m in milestones} == {
            ("eaglet", "first"), ("gazelle", "first")}


async def test_poison_message_goes_to_dead_letter_and_the_partition_moves_on(
        pg_server_url: str, dbs: tuple[str, str], fresh_broker: str) -> None:
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        producer = AIOKafkaProducer(bootstrap_servers=fresh_broker, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(FIRM_EVENTS, b"{not json", key=b"poison")
            ghost = {"event_id": str(uuid.uuid4()), "event_type": "AnnualReportFiled",
                     "producer": "registry", "subject": str(uuid.uuid4()), "sequence": 2,
                     "data": {"firm_id": str(uuid.uuid4()), "report": {"fiscal_year": 2021, **dated_report()}}}
            await producer.send_and_wait(FIRM_EVENTS, json.dumps(ghost).encode(), key=b"ghost")
        finally:
            await producer.stop()
        firm = await _firm(p)
        seq = await _put(p, firm["id"], 2021, dated_report(ip_class1=1))
        assert (await p.caught_up(firm["id"], seq))["tier"] == "eaglet"
    dead = await _dead_letters(fresh_broker)
    assert len(dead) == 2
    assert any("never registered" in err for err in dead)


async def _dead_letters(bootstrap: str) -> list[str]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(dead_letter(FIRM_EVENTS), bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest", fetch_max_wait_ms=5)
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        return [dict(r.headers)["x-error"].decode() for recs in batch.values() for r in recs]
    finally:
        await consumer.stop()


async def test_replayed_and_stale_events_change_nothing(pg_server_url: str, dbs: tuple[str, str],
                                                        fresh_broker: str) -> None:
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        firm = await _firm(p)
        seq = await _put(p, firm["id"], 2021, dated_report(ip_class1=1))
        await p.caught_up(firm["id"], seq)
        events = (await p.registry.get(f"/v1/firms/{firm['id']}/events")).json()["items"]
        producer = AIOKafkaProducer(bootstrap_servers=fresh_broker, acks="all")
        await producer.start()
        try:
            for e in events:  # the same events again (a replay)
                e.pop("published")
                await producer.send_and_wait(FIRM_EVENTS, json.dumps(e).encode(), key=firm["id"].encode())
            stale = {**events[1], "event_id": str(uuid.uuid4())}  # new id, old sequence
            stale["data"]["report"]["ip_class1"] = 0
            await producer.send_and_wait(FIRM_EVENTS, json.dumps(stale).encode(), key=firm["id"].encode())
        finally:
            await producer.stop()
        marker = await _put(p, firm["id"], 2020, dated_report())
        standing = await p.caught_up(firm["id"], marker)
        assert standing["tier"] == "eaglet"
        history = (await p.ladder.get(f"/v1/firms/{firm['id']}/history")).json()["items"]
        assert len(history) == 1


async def test_override_holds_until_cleared(pg_server_url: str, dbs: tuple[str, str],
                                           fresh_broker: str) -> None:
    async with pair(pg_server_url, *dbs, fresh_broker, today=TODAY) as p:
        firm = await _firm(p)
        seq = await _put(p, firm["id"], 2021, dated_report(ip_class1=1))
        await p.caught_up(firm["id"], seq)
        url = f"/v1/firms/{firm['id']}/override"
        bad = await p.ladder.post(url, json={"tier": "gazelle", "reason": "x"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
        ok = await p.ladder.post(url, json={"tier": "gazelle", "reason": "provincial list 2022 batch 3"})
        assert ok.status_code == 200
        standing = (await p.ladder.get(f"/v1/firms/{firm['id']}/standing")).json()
        assert standing["tier"] == "gazelle" and standing["override"]["reason"].startswith("provincial")
        seq = await _put(p, firm["id"], 2021, dated_report(ip_class1=2))
        assert (await p.caught_up(firm["id"], seq))["tier"] == "gazelle"  # held
        cleared = await p.ladder.post(url, json={"tier": None, "reason": "list corrected"})
        assert cleared.status_code == 200
        standing = (await p.ladder.get(f"/v1/firms/{firm['id']}/standing")).json()
        # the hand-made filing stays valid, so a firm that does not qualify is at risk
        assert standing["override"] is None and standing["evaluated_tier"] == "eaglet"
        assert (standing["tier"], standing["at_risk"]) == ("gazelle", True)
        history = (await p.ladder.get(f"/v1/firms/{firm['id']}/history")).json()["items"]
        assert [h["change"] for h in history] == ["at_risk", "override_cleared", "override", "promoted"]


async def test_restart_mid_stream_ends_with_the_same_standings(
        pg_server_url: str, dbs: tuple[str, str], fresh_broker: str) -> None:
    registry_db, ladder_db = dbs
    from tests.integration.ladder.stack import registry_app

    async with registry_app(pg_server_url, registry_db, fresh_broker) as reg:
        firms = []
        for i in range(12):
            f = (await reg.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))).json()
            for year, body in growth_reports(20_000_000 + i * 1_000_000).items():
                if i % 3 == 0 and year == 2018:
                    continue  # some firms lack the base year: eaglets, not gazelles
                last = (await reg.put(f"/v1/firms/{f['id']}/reports/{year}", json=body)).json()
            firms.append((f["id"], last["sequence"]))
    # interrupted run: stop the ladder after it has seen only part of the stream
    async with ladder_app(pg_server_url, ladder_db, fresh_broker, today=TODAY, group="g1") as lad:
        for _ in range(200):
            r = await lad.get(f"/v1/firms/{firms[2][0]}/standing")
            if r.status_code == 200:
                break
            import asyncio

            await asyncio.sleep(0.02)
    async with ladder_app(pg_server_url, ladder_db, fresh_broker, today=TODAY, group="g1") as lad:
        interrupted = await _standings(lad, firms)
    other_db = await fresh_database(pg_server_url, "ladder")
    async with ladder_app(pg_server_url, other_db, fresh_broker, today=TODAY, group="g2") as lad:
        uninterrupted = await _standings(lad, firms)
    assert interrupted == uninterrupted
    assert {t for t, _ in interrupted.values()} == {"eaglet", "gazelle"}


async def _standings(client, firms: list[tuple[str, int]]) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    import asyncio

    out = {}
    for firm_id, sequence in firms:
        for _ in range(1200):  # generous: a loaded CI machine joins groups slowly
            r = await client.get(f"/v1/firms/{firm_id}/standing")
            if r.status_code == 200 and r.json()["sequence"] >= sequence:
                out[firm_id] = (r.json()["tier"], len((await client.get(
                    f"/v1/firms/{firm_id}/history")).json()["items"]))
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{firm_id} never caught up: {await _consumer_state(client)}")
    return out


async def _consumer_state(client) -> str:  # type: ignore[no-untyped-def]
    """What the ladder's consumer holds, to explain a test that waited in vain."""
    app = client._transport.app
    sub = next(iter(app.state.consumer.broker.subscribers))
    consumer = sub.consumer
    if consumer is None:
        return "no consumer"
    assigned = sorted(consumer.assignment(), key=lambda tp: tp.partition)
    positions = {tp.partition: await consumer.position(tp) for tp in assigned}
    ends = await consumer.end_offsets(assigned) if assigned else {}
    return (f"assigned={[tp.partition for tp in assigned]} positions={positions} "
            f"ends={ {tp.partition: o for tp, o in ends.items()} }")


async def test_two_ladder_processes_share_the_partitions(pg_server_url: str, dbs: tuple[str, str],
                                                         fresh_broker: str) -> None:
    import asyncio

    from tests.integration.ladder.stack import registry_app

    registry_db, ladder_db = dbs
    async with ladder_app(pg_server_url, ladder_db, fresh_broker, today=TODAY, group="shared") as one, \
            ladder_app(pg_server_url, ladder_db, fresh_broker, today=TODAY, group="shared") as two:
        async with registry_app(pg_server_url, registry_db, fresh_broker) as reg:
            firms = []
            for _ in range(9):
                f = (await reg.post("/v1/firms", json=firm_payload(founded_on="2016-03-01"))).json()
                r = await reg.put(f"/v1/firms/{f['id']}/reports/2021", json=dated_report(ip_class1=1))
                firms.append((f["id"], r.json()["sequence"]))
        standings = await _standings(one, firms)
        assert {tier for tier, _ in standings.values()} == {"eaglet"}
        assert all(n == 1 for _, n in standings.values())  # each event applied once
        subs = [next(iter(c._transport.app.state.consumer.broker.subscribers))  # type: ignore[attr-defined]
                for c in (one, two)]
        for _ in range(100):  # a rebalance may still be settling
            assignments = [{tp.partition for tp in s.consumer.assignment()} for s in subs]
            if all(assignments) and not assignments[0] & assignments[1]:
                break
            await asyncio.sleep(0.1)
    assert all(assignments) and not assignments[0] & assignments[1], assignments
    assert assignments[0] | assignments[1] == {0, 1, 2}


async def test_ladder_starts_without_a_broker_and_catches_up_when_it_arrives(
        pg_server_url: str, dbs: tuple[str, str]) -> None:
    import asyncio

    from shared.events import make_event
    from tracker.embedded import EmbeddedBroker, free_port

    broker = EmbeddedBroker(free_port())
    try:
        async with ladder_app(pg_server_url, dbs[1], broker.bootstrap, today=TODAY) as lad:
            assert (await lad.get("/healthz")).status_code == 200
            not_ready = await lad.get("/readyz")
            assert not_ready.status_code == 503
            assert any("consumer" in p or "broker" in p for p in not_ready.json()["problems"])
            broker.start()
            for _ in range(600):
                if (await lad.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError((await lad.get("/readyz")).text)
            firm_id = str(uuid.uuid4())
            event = make_event("FirmRegistered", producer="registry", subject=firm_id, sequence=1,
                               data={"firm": {"id": firm_id, **firm_payload()}})
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
            await producer.start()
            try:
                await producer.send_and_wait(FIRM_EVENTS, event.model_dump_json().encode(),
                                             key=firm_id.encode())
            finally:
                await producer.stop()
            standing = await Pair(lad, lad).caught_up(firm_id, 1)
            assert standing["tier"] == "none"
    finally:
        broker.stop()
