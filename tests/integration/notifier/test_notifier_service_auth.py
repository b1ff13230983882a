"""Who sees which inbox: officers their own, admins all, viewers read-only."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from notifier.config import Settings
from shared.auth import Role, create_key, new_token
from shared.db import connect
from shared.settings import database_url_for
from tests.factories import auth
from tests.integration.notifier.helpers import consume, create_officer, running
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.integration


async def _key(settings: Settings, role: Role, officer_id: str | None = None) -> str:
    token = new_token()
    conn = await connect(database_url_for(settings.database_url, settings.database_name or ""))
    try:
        await create_key(conn, key_id=uuid.uuid4(), token=token, role=role,
                         officer_id=uuid.UUID(officer_id) if officer_id else None)
    finally:
        await conn.close()
    return token


async def test_officer_token_sees_and_acks_only_its_own_alerts(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    async with running(settings) as (app, client):
        mine = await create_officer(client, name="甲", districts=["hitech"])
        theirs = await create_officer(client, name="乙", districts=["hitech"])
        await consume(app, b.standing_event(firm=b.firm(district="hitech")))
        me = auth(await _key(settings, "officer", mine["id"]))
        viewer = auth(await _key(settings, "viewer"))

        own = await client.get(f"/v1/officers/{mine['id']}/inbox", headers=me)
        assert own.status_code == 200
        (alert,) = own.json()["items"]
        other = await client.get(f"/v1/officers/{theirs['id']}/inbox", headers=me)
        assert other.status_code == 403
        their_alert = (await client.get(f"/v1/officers/{theirs['id']}/inbox")).json()["items"][0]
        theirs_acked = await client.post(f"/v1/alerts/{their_alert['id']}/ack", headers=me)
        assert theirs_acked.status_code == 403
        listed = (await client.get("/v1/alerts", headers=me)).json()["items"]
        assert [a["id"] for a in listed] == [alert["id"]]

        seen = await client.get(f"/v1/officers/{theirs['id']}/inbox", headers=viewer)
        assert seen.status_code == 200
        viewer_acked = await client.post(f"/v1/alerts/{alert['id']}/ack", headers=viewer)
        assert viewer_acked.status_code == 403

        acked = await client.post(f"/v1/alerts/{alert['id']}/ack", headers=me)
        assert acked.status_code == 200 and acked.json()["read"] is True
        page = (await client.get(f"/v1/officers/{mine['id']}/inbox", headers=me)).json()
        assert page["unread"] == 0
        assert (await client.get("/v1/officers", headers={"Authorization": ""})).status_code == 401
        # An officer tunes their own delivery settings, but not what they cover.
        tune = await client.patch(f"/v1/officers/{mine['id']}", headers=me,
                                  json={"preferences": {"promotion": "digest"}})
        assert tune.status_code == 200
        grab = await client.patch(f"/v1/officers/{mine['id']}", headers=me,
                                  json={"districts": ["jinpu"]})
        assert grab.status_code == 403 and "districts" in grab.text


async def test_inbox_puts_unread_first_and_filters(make_settings: Callable[..., Settings]) -> None:
    async with running(make_settings()) as (app, client):
        officer = await create_officer(client)
        for event in (b.near_miss(), b.filing_expiring(), b.standing_event()):
            await consume(app, event)
        url = f"/v1/officers/{officer['id']}/inbox"
        first = (await client.get(url, params={"limit": 2})).json()
        assert len(first["items"]) == 2 and first["next_cursor"] and first["unread"] == 3
        rest = (await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]})).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        oldest = rest["items"][0]
        await client.post(f"/v1/alerts/{oldest['id']}/ack")
        await client.post(f"/v1/alerts/{first['items'][0]['id']}/ack")
        ordered = (await client.get(url)).json()["items"]
        assert [i["read"] for i in ordered] == [False, True, True]
        kinds = (await client.get(url, params={"kind": "near_miss"})).json()["items"]
        assert [i["kind"] for i in kinds] == ["near_miss"]
        unread = (await client.get(url, params={"unread": "true"})).json()["items"]
        assert len(unread) == 1
        later = (await client.get(url, params={"since": "2999-01-01T00:00:00Z"})).json()
        assert later["items"] == []
        assert (await client.get(url, params={"kind": "gossip"})).status_code == 422
