"""The typed client's frame, over an in-memory transport: headers, problems, pages, records."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from shared.paging import Page
from tracker.client import ApiProblem, Operation, Pages, Recorded, ServiceClient

pytestmark = pytest.mark.unit


class Thing(BaseModel):
    id: int
    name: str


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    size: int = 1


GET_THING = Operation("GET", "/v1/things/{thing_id}", Thing)
PUT_THING = Operation("PUT", "/v1/things/{thing_id}", Thing)
THINGS = Operation("GET", "/v1/things", Page[Thing])


class Things(ServiceClient):
    """A client of a made-up service, built the way the real ones are."""

    async def thing(self, thing_id: int) -> Thing:
        return await self._call(GET_THING, {"thing_id": thing_id})

    async def put(self, thing_id: int, body: ThingIn) -> Recorded[Thing]:
        return await self._record(PUT_THING, {"thing_id": thing_id}, body=body)

    def things(self, **filters: Any) -> Pages[Thing]:
        return self._pages(THINGS, **filters)


Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, seen: list[httpx.Request], **kw: Any) -> Things:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return Things("http://things.test/", "ct_token", transport=httpx.MockTransport(record), **kw)


def _problem(status: int, **body: Any) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "application/problem+json"},
                          content=json.dumps({"status": status, "title": "t", **body}))


async def test_every_request_carries_the_token_and_one_correlation_id() -> None:
    seen: list[httpx.Request] = []
    async with _client(lambda r: httpx.Response(200, json={"id": 7, "name": "a"}), seen,
                       correlation_id="cid-1") as things:
        assert await things.thing(7) == Thing(id=7, name="a")
        await things.thing(8)
    assert [r.url.path for r in seen] == ["/v1/things/7", "/v1/things/8"]
    assert {r.headers["authorization"] for r in seen} == {"Bearer ct_token"}
    assert {r.headers["x-request-id"] for r in seen} == {"cid-1"}
    assert things.correlation_id == "cid-1"


async def test_a_problem_answer_raises_with_its_status_detail_and_field_rules() -> None:
    answer = _problem(422, detail="1 input broke a rule", correlation_id="c9", errors=[
        {"field": "revenue", "rule": "greater_than_equal", "message": "must be >= 0"}])
    async with _client(lambda r: answer, []) as things:
        with pytest.raises(ApiProblem) as caught:
            await things.thing(1)
    problem = caught.value
    assert (problem.status, problem.detail, problem.correlation_id) == (
        422, "1 input broke a rule", "c9")
    assert problem.rules() == {("revenue", "greater_than_equal")}
    assert "GET http://things.test/v1/things/1: HTTP 422" in str(problem)


async def test_a_conflict_names_what_it_conflicts_with() -> None:
    answer = _problem(409, detail="taken", conflict={"firm_id": "f1"})
    async with _client(lambda r: answer, []) as things:
        with pytest.raises(ApiProblem) as caught:
            await things.thing(1)
    assert caught.value.conflict == {"firm_id": "f1"} and caught.value.errors == []


async def test_an_error_that_is_not_problem_json_is_still_a_problem() -> None:
    async with _client(lambda r: httpx.Response(502, text="upstream down"), []) as things:
        with pytest.raises(ApiProblem) as caught:
            await things.thing(1)
    assert caught.value.status == 502 and caught.value.detail == "upstream down"


async def test_an_answer_that_breaks_the_document_is_a_502_problem() -> None:
    async with _client(lambda r: httpx.Response(200, json={"id": "not a number"}), []) as things:
        with pytest.raises(ApiProblem, match="does not fit Thing") as caught:
            await things.thing(1)
    assert caught.value.status == 502


async def test_a_body_sends_only_the_fields_set_and_a_record_says_if_it_created() -> None:
    seen: list[httpx.Request] = []
    statuses = iter([201, 200])

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json={"id": 3, "name": "b"})

    async with _client(answer, seen) as things:
        first = await things.put(3, ThingIn(name="b"))
        again = await things.put(3, ThingIn(name="b"))
    assert json.loads(seen[0].content) == {"name": "b"}  # `size` unset: the service's default
    assert seen[0].method == "PUT"
    assert (first.created, again.created) == (True, False) and first.item == again.item


async def test_pages_follow_the_cursor_chain_to_its_end() -> None:
    seen: list[httpx.Request] = []
    chain = {None: ("c1", [1, 2]), "c1": ("c2", [3]), "c2": (None, [4])}

    def answer(request: httpx.Request) -> httpx.Response:
        following, ids = chain[request.url.params.get("cursor")]
        return httpx.Response(200, json={"items": [{"id": i, "name": str(i)} for i in ids],
                                         "next_cursor": following})

    async with _client(answer, seen) as things:
        pages = things.things(limit=2, at_risk=True, tier=None,
                              since=datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
        assert [[t.id for t in p.items] async for p in pages] == [[1, 2], [3], [4]]
        assert [t.id for t in await pages.all()] == [1, 2, 3, 4]  # iterable again
        first = await pages.first()
    assert [t.id for t in first.items] == [1, 2] and first.next_cursor == "c1"
    assert [r.url.params.get("cursor") for r in seen[:3]] == [None, "c1", "c2"]
    assert {(r.url.params["limit"], r.url.params["at_risk"]) for r in seen} == {("2", "true")}
    assert all("tier" not in r.url.params for r in seen)  # None: not sent at all
    assert {r.url.params["since"] for r in seen} == {"2026-03-01T08:30:00+00:00"}


async def test_health_and_readiness_are_typed() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok", "service": "things"})
        return _problem(503, detail="not ready: broker", problems=["broker"])

    async with _client(answer, []) as things:
        assert (await things.health()).service == "things"
        with pytest.raises(ApiProblem) as caught:
            await things.ready()
    assert caught.value.status == 503 and caught.value.body["problems"] == ["broker"]


async def test_a_429_is_waited_out_as_retry_after_says_then_sent_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("tracker.client.base.asyncio.sleep", sleep)
    answers = [_problem(429, detail="too many"), _problem(429, detail="too many"),
               httpx.Response(200, json={"id": 7, "name": "a"})]
    answers[0].headers["retry-after"] = "2"
    answers[1].headers["retry-after"] = "1"
    seen: list[httpx.Request] = []
    async with _client(lambda r: answers[len(seen) - 1], seen) as things:
        assert await things.thing(7) == Thing(id=7, name="a")
    assert slept == [2.0, 1.0] and len(seen) == 3


async def test_a_429_past_the_longest_wait_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep(seconds: float) -> None:
        pass

    monkeypatch.setattr("tracker.client.base.asyncio.sleep", sleep)
    refused = _problem(429, detail="too many")
    refused.headers["retry-after"] = "30"
    seen: list[httpx.Request] = []
    async with _client(lambda r: refused, seen, max_limited_wait_s=60) as things:
        with pytest.raises(ApiProblem) as caught:
            await things.thing(7)
    assert caught.value.status == 429 and len(seen) == 3  # waited 30 + 30, then gave up
