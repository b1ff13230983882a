"""Officer handlers through a fake unit of work: register, change, retire, assign firms."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from notifier.access import Forbidden
from notifier.config import Settings
from notifier.schemas import OfficerIn, OfficerPatch
from shared.errors import NotFound, Rejected
from tests.unit.notifier import answers as officers
from tests.unit.notifier.conftest import ADMIN, NOW, add_officer, officer_ctx
from tests.unit.notifier.fakes import FakeNotifierUow, FakeRepository

pytestmark = pytest.mark.unit
PUBLIC = "93.184.216.34"


def public(host: str, port: int) -> list[str]:
    """A resolver that puts every host on the public internet."""
    return [PUBLIC]


def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def body(**fields: object) -> OfficerIn:
    return OfficerIn.model_validate({"name": "王敏", "email": "wangmin@kjj.dl.gov.cn", **fields})


async def test_create_officer_stores_audits_and_reveals_the_url_to_the_admin(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    url = "https://hooks.example.com/in/abc?token=secret"
    made = await officers.create_officer(
        uow, ADMIN, body(districts=["hitech"], channels=[{"kind": "webhook", "url": url}],
                         digest_at="18:00"), settings=settings, now=NOW, resolver=public)
    assert made.channels[0].url == url  # type: ignore[union-attr]
    stored = repo.officers_[made.id]
    assert stored["channels"] == [{"kind": "webhook", "url": url}]
    assert stored["next_digest_at"] == made.next_digest_at and made.next_digest_at > NOW
    (entry,) = repo.audits
    assert entry["action"] == "officer.create" and entry["actor"] == "admin:k-admin"
    assert entry["correlation_id"] == "corr-1" and url not in repr(entry["after"])
    assert uow.commits == 1 and uow.rollbacks == 0


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"preferences": {"demotion": "off"}}, "preferences.demotion", "critical_cannot_be_off"),
    ({"preferences": {"gossip": "digest"}}, "preferences.gossip", "unknown_kind"),
    ({"supervisor_id": str(uuid.uuid4())}, "supervisor_id", "exists"),
    ({"channels": [{"kind": "wecom", "url": "https://evil.example.org/hook"}]},
     "channels.0.url", "webhook_not_allowed"),
])
async def test_create_officer_refuses_bad_input_and_writes_nothing(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings,
        fields: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(Rejected) as refused:
        await officers.create_officer(uow, ADMIN, body(**fields), settings=settings, now=NOW,
                                      resolver=public)
    assert refused.value.extra == {"field": field, "rule": rule}
    assert repo.officers_ == {} and repo.audits == [] and uow.rollbacks == 1


async def test_a_loopback_webhook_is_refused_with_the_reason_spelled_out(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    with pytest.raises(Rejected) as refused:
        await officers.create_officer(
            uow, ADMIN, body(channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/x"}]),
            settings=settings, now=NOW, resolver=loopback)
    assert "loopback" in refused.value.message and "allowlist" in refused.value.message
    assert repo.officers_ == {}


async def test_an_admin_allowlisted_host_is_accepted(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    repo.settings["webhook_allowlist"] = ["bots.corp.example.cn"]
    made = await officers.create_officer(
        uow, ADMIN, body(channels=[{"kind": "webhook", "url": "https://bots.corp.example.cn/h"}]),
        settings=settings, now=NOW, resolver=public)
    assert made.id in repo.officers_


async def test_patch_changes_fields_recomputes_the_digest_and_audits_before_after(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    officer_id = await add_officer(repo)
    changed = await officers.patch_officer(
        uow, officer_ctx(officer_id), officer_id,
        OfficerPatch.model_validate({"digest_at": "20:30",
                                     "quiet_hours": {"start": "22:00", "end": "07:00"}}),
        settings=settings, now=NOW + timedelta(minutes=5))
    row = repo.officers_[officer_id]
    assert row["digest_at"] == time(20, 30) and row["quiet_start"] == time(22)
    assert changed.next_digest_at == row["next_digest_at"] > NOW
    (entry,) = repo.audits
    assert entry["before"]["quiet_hours"] is None
    assert entry["after"]["quiet_hours"] == {"start": time(22), "end": time(7)}


async def test_null_clears_quiet_hours_but_leaves_other_fields_alone(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings) -> None:
    officer_id = await add_officer(repo, quiet_start=time(22), quiet_end=time(7))
    await officers.patch_officer(uow, ADMIN, officer_id,
                                 OfficerPatch.model_validate({"quiet_hours": None,
                                                              "name": None}),
                                 settings=settings, now=NOW)
    row = repo.officers_[officer_id]
    assert row["quiet_start"] is None and row["name"] == "王敏"


@pytest.mark.parametrize("patch", [{"name": "x"}, {"districts": ["jinpu"]}])
async def test_an_officer_changes_only_their_own_delivery_settings(
        uow: FakeNotifierUow, repo: FakeRepository, settings: Settings,
        patch: dict[str, object]) -> None:
    me, other = await add_officer(repo), await add_officer(repo)
    target = other if "name" in patch else me  # another officer, or an admin-only field
    with pytest.raises(Forbidden):
        await officers.patch_officer(uow, officer_ctx(me), target,
                                     OfficerPatch.model_validate(patch), settings=settings,
                                     now=NOW)
    assert repo.audits == [] and repo.officers_[target]["districts"] == []


async def test_patch_of_a_missing_officer_is_404_and_rolls_back(
        uow: FakeNotifierUow, settings: Settings) -> None:
    with pytest.raises(NotFound):
        await officers.patch_officer(uow, ADMIN, uuid.uuid4(), OfficerPatch(name="x"),
                                     settings=settings, now=NOW)
    assert uow.rollbacks == 1


async def test_delete_retires_the_officer_and_frees_their_firms(
        uow: FakeNotifierUow, repo: FakeRepository) -> None:
    officer_id, firm_id = await add_officer(repo), uuid.uuid4()
    await repo.assign_firm(firm_id, officer_id)
    await officers.delete_officer(uow, ADMIN, officer_id)
    assert repo.officers_[officer_id]["deleted_at"] == NOW and repo.firms == {}
    assert [a["action"] for a in repo.audits] == ["officer.delete"]
    with pytest.raises(NotFound):  # retired: gone for every later change
        await officers.delete_officer(uow, ADMIN, officer_id)
    assert uow.commits == 1 and uow.rollbacks == 1


async def test_assign_firm_sets_and_clears_and_refuses_an_unknown_officer(
        uow: FakeNotifierUow, repo: FakeRepository) -> None:
    officer_id, firm_id = await add_officer(repo), uuid.uuid4()
    assigned = await officers.assign_firm(uow, ADMIN, firm_id, officer_id)
    assert assigned.officer_id == officer_id and repo.firms[firm_id]["officer_id"] == officer_id
    await officers.assign_firm(uow, ADMIN, firm_id, None)
    assert repo.firms == {}
    assert repo.audits[-1]["before"] == {"officer_id": officer_id}
    with pytest.raises(Rejected) as refused:
        await officers.assign_firm(uow, ADMIN, firm_id, uuid.uuid4())
    assert refused.value.extra == {"field": "officer_id", "rule": "exists"}
    assert len(repo.audits) == 2 and repo.firms == {}
