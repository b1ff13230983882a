"""Officers over the API: validation (SSRF, preferences), CRUD, routing, unrouted fallback."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from notifier.config import VENDOR_HOSTS, Settings
from tests.integration.notifier.helpers import consume, create_officer, inbox, running
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def test_webhook_on_loopback_is_refused_unless_allowlisted(
    make_settings: Callable[..., Settings],
) -> None:
    async with running(make_settings(notifier_webhook_allowlist=VENDOR_HOSTS)) as (_, client):
        body = {"name": "王敏", "email": "w@kjj.dl.gov.cn",
                "channels": [{"kind": "email"},
                             {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}]}
        refused = await client.post("/v1/officers", json=body)
        assert refused.status_code == 422
        (problem,) = refused.json()["errors"]
        assert problem["field"] == "channels.1.url" and problem["rule"] == "webhook_not_allowed"
        assert "127.0.0.1" in problem["message"] and "loopback" in problem["message"]
        elsewhere = await client.post("/v1/officers", json={
            **body, "channels": [{"kind": "webhook", "url": "https://hooks.example.com/x"}]})
        assert elsewhere.status_code == 422 and "allowlist" in elsewhere.text

        put = await client.put("/v1/settings/webhook-allowlist", json={"hosts": ["127.0.0.1"]})
        assert put.status_code == 200
        assert "127.0.0.1" in put.json()["effective"]
        assert set(VENDOR_HOSTS.split(",")) <= set(put.json()["effective"])
        assert (await client.post("/v1/officers", json=body)).status_code == 201


async def test_preferences_cannot_switch_off_a_critical_kind(
    make_settings: Callable[..., Settings],
) -> None:
    async with running(make_settings()) as (_, client):
        body = {"name": "王敏", "email": "w@kjj.dl.gov.cn",
                "preferences": {"promotion": "off", "demotion": "off"}}
        r = await client.post("/v1/officers", json=body)
        assert r.status_code == 422
        (problem,) = r.json()["errors"]
        assert problem["field"] == "preferences.demotion"
        assert problem["rule"] == "critical_cannot_be_off" and "demotion" in problem["message"]
        unknown = await client.post("/v1/officers", json={**body, "preferences": {"gossip": "off"}})
        assert unknown.json()["errors"][0]["rule"] == "unknown_kind"


async def test_officer_crud(make_settings: Callable[..., Settings]) -> None:
    async with running(make_settings()) as (_, client):
        boss = await create_officer(client, name="处长")
        officer = await create_officer(
            client, districts=["jinpu"], supervisor_id=boss["id"], language="en",
            quiet_hours={"start": "22:00", "end": "08:00"}, digest_at="17:30",
            channels=[{"kind": "dingtalk", "url": "http://127.0.0.1:1/robot?access_token=t",
                       "secret": "SECx"}])
        assert officer["channels"] == [{"key": "dingtalk", "kind": "dingtalk", "signed": True,
                                        "url": "http://127.0.0.1:1/robot?access_token=t"}]
        assert officer["quiet_hours"] == {"start": "22:00:00", "end": "08:00:00"}
        listed = (await client.get("/v1/officers")).json()["items"]
        assert {o["id"] for o in listed} == {boss["id"], officer["id"]}
        assert next(o for o in listed if o["id"] == officer["id"])["channels"][0]["url"] == \
            "http://127.0.0.1:1/…"  # tokens in bot URLs stay out of lists

        patched = await client.patch(f"/v1/officers/{officer['id']}",
                                     json={"quiet_hours": None,
                                           "preferences": {"promotion": "digest"}})
        assert patched.status_code == 200, patched.text
        assert patched.json()["quiet_hours"] is None
        assert patched.json()["preferences"] == {"promotion": "digest"}
        selfish = await client.patch(f"/v1/officers/{officer['id']}",
                                     json={"supervisor_id": officer["id"]})
        assert selfish.status_code == 422 and selfish.json()["errors"][0]["rule"] == "not_self"

        assert (await client.delete(f"/v1/officers/{officer['id']}")).status_code == 204
        assert (await client.get(f"/v1/officers/{officer['id']}")).status_code == 404
        assert (await client.get(f"/v1/officers/{uuid.uuid4()}")).status_code == 404


async def test_explicit_assignment_wins_over_coverage(
    make_settings: Callable[..., Settings],
) -> None:
    async with running(make_settings()) as (app, client):
        desk = await create_officer(client, name="高新区", districts=["hitech"])
        named = await create_officer(client, name="专员", districts=["changhai"])
        firm = b.firm(district="hitech")
        r = await client.put(f"/v1/firms/{firm['id']}/officer", json={"officer_id": named["id"]})
        assert r.status_code == 200
        await consume(app, b.standing_event(firm=firm))
        assert len((await inbox(client, named["id"]))["items"]) == 1
        assert (await inbox(client, desk["id"]))["items"] == []
        other = b.standing_event(firm=b.firm(district="hitech"))
        await consume(app, other)
        items = (await inbox(client, desk["id"]))["items"]
        assert [i["routed_via"] for i in items] == ["coverage"]


async def test_unrouted_alert_waits_for_admins_then_goes_to_the_fallback(
    make_settings: Callable[..., Settings],
) -> None:
    async with running(make_settings()) as (app, client):
        desk = await create_officer(client, districts=["hitech"])
        nobody = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                                  firm=b.firm(district="changhai"))
        await consume(app, nobody)
        (alert,) = (await client.get("/v1/alerts", params={"unrouted": "true"})).json()["items"]
        assert alert["officer_id"] is None and alert["routed_via"] == "none"
        assert alert["source_event_id"] == str(nobody.event_id)

        fallback = await create_officer(client, name="值班", districts=["jinpu"])
        put = await client.put("/v1/settings/fallback-officer",
                               json={"officer_id": fallback["id"]})
        assert put.status_code == 200 and put.json()["effective"] == fallback["id"]
        await consume(app, b.near_miss())  # a hitech firm: the desk covers it
        await consume(app, b.standing_event(firm=b.firm(district="zhuanghe")))
        (routed,) = (await inbox(client, fallback["id"]))["items"]
        assert routed["unrouted"] and routed["routed_via"] == "fallback"
        assert len((await inbox(client, desk["id"]))["items"]) == 1
        unrouted = (await client.get("/v1/alerts", params={"unrouted": "true"})).json()["items"]
        assert len(unrouted) == 2

        cleared = await client.put("/v1/settings/fallback-officer", json={"officer_id": None})
        assert cleared.status_code == 200 and cleared.json()["effective"] is None


async def test_target_alerts_go_to_officers_who_receive_targets(
    make_settings: Callable[..., Settings],
) -> None:
    async with running(make_settings()) as (app, client):
        desk = await create_officer(client, districts=["hitech"])
        planner = await create_officer(client, name="规划科", receives_targets=True)
        await consume(app, b.progress(pace="behind", previous_pace="on_track"))
        await consume(app, b.progress(pace="behind", previous_pace="behind"))  # no news
        await consume(app, b.milestone("50%"))
        kinds = [i["kind"] for i in (await inbox(client, planner["id"]))["items"]]
        assert sorted(kinds) == ["pace_behind", "target_milestone"]
        assert (await inbox(client, desk["id"]))["items"] == []
        link = (await inbox(client, planner["id"]))["items"][0]["link"]
        assert link == "https://ladder.test/v1/targets/2024"
