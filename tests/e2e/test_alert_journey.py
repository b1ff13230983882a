"""From a filed report to a case officer's webhook and inbox, across a notifier crash."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifier.schemas import AllowlistIn, OfficerIn
from registry.domain.models import AnnualReportIn, FirmIn
from tests.e2e.conftest import RunningStack, eventually
from tests.e2e.conftest import wait_until as _wait
from tests.factories import firm_payload, report_payload

pytestmark = pytest.mark.e2e


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that records webhook calls; it can refuse for a while."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.failing = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if receiver.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.calls.append({"key": self.headers.get("idempotency-key"),
                                       "body": json.loads(body)})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


async def _setup_officer(stack: RunningStack, receiver: Receiver) -> str:
    async with stack.notifier() as notifier:
        allowed = await notifier.set_webhook_allowlist(AllowlistIn(hosts=["127.0.0.1"]))
        assert allowed.hosts == ["127.0.0.1"], allowed
        officer = await notifier.register_officer(OfficerIn.model_validate({
            "name": "王磊", "email": "wang.lei@kjj.dl.gov.cn", "districts": ["hitech"],
            "industries": ["next_gen_it"], "language": "zh",
            "channels": [{"kind": "webhook", "url": receiver.url}]}))
        return str(officer.id)


async def _promote(stack: RunningStack) -> str:
    fy = date.today().year - 1
    async with stack.registry() as registry:
        firm = (await registry.register_firm(
            FirmIn.model_validate(firm_payload(founded_on=f"{fy - 3}-05-01")))).item
        r = await registry.file_report(firm.id, fy,
                                       AnnualReportIn.model_validate(report_payload(ip_class1=1)))
        assert r.outcome == "filed"  # answered 201
    return str(firm.id)


async def _inbox(stack: RunningStack, officer_id: str) -> list[dict[str, Any]]:
    async with stack.notifier() as notifier:
        return [a.model_dump(mode="json") async for a in notifier.inbox(officer_id).items()]


async def test_promotion_reaches_the_right_officer_once(stack: RunningStack,
                                                        receiver: Receiver) -> None:
    stack.env.update({"NOTIFIER_BACKOFF_BASE_S": "0.2", "NOTIFIER_WORKER_POLL_S": "0.1"})
    stack.start()
    officer_id = await _setup_officer(stack, receiver)
    async with stack.notifier() as notifier:
        other = str((await notifier.register_officer(OfficerIn.model_validate({
            "name": "李娜", "email": "li.na@kjj.dl.gov.cn", "districts": ["jinpu"],
            "industries": [], "channels": []}))).id)
    firm_id = await _promote(stack)

    promotions = lambda: [c["body"] for c in receiver.calls if c["body"]["kind"] == "promotion"]  # noqa: E731
    _wait(promotions, what="the webhook call")
    time.sleep(2)  # a duplicate would arrive by now
    assert len(promotions()) == 1, [c["body"]["kind"] for c in receiver.calls]
    call = promotions()[0]
    assert call["firm_id"] == firm_id
    assert "雏鹰" in call["title"] and f"/v1/firms/{firm_id}/standing" in call["link"]
    keys = [c["key"] for c in receiver.calls]
    assert len(keys) == len(set(keys))  # nothing delivered twice
    inbox = await _inbox(stack, officer_id)
    assert [a["firm_id"] for a in inbox if a["kind"] == "promotion"] == [firm_id]
    assert await _inbox(stack, other) == []


async def test_a_notifier_killed_before_delivering_delivers_once_after_restart(
        stack: RunningStack, receiver: Receiver) -> None:
    # retries that outlast the outage, so nothing is given up while the receiver refuses
    stack.env.update({"NOTIFIER_BACKOFF_BASE_S": "0.2", "NOTIFIER_BACKOFF_CAP_S": "1",
                      "NOTIFIER_MAX_ATTEMPTS": "50", "NOTIFIER_WORKER_POLL_S": "0.1",
                      # a send cut off by the crash is taken again when its lease ends
                      "NOTIFIER_DELIVERY_TIMEOUT_S": "2", "NOTIFIER_LEASE_S": "4"})
    stack.start()
    officer_id = await _setup_officer(stack, receiver)
    receiver.failing = True  # the alert is taken in, but cannot be delivered yet
    firm_id = await _promote(stack)
    await eventually(lambda: _inbox(stack, officer_id), what="the alert to be received")

    # the pid the supervisor names (a match on command lines also matched a checkout's path)
    os.kill(stack.info()["services"]["notifier"]["pid"], signal.SIGKILL)  # a crash, not a stop
    # the supervisor in `tracker up` starts it again
    _wait(lambda: stack.info()["services"]["notifier"]["restarts"] == 1,
          what="the notifier restarted by the supervisor")
    _wait(lambda: stack.ready("notifier"), what="the restarted notifier ready")

    receiver.failing = False
    received = await _inbox(stack, officer_id)
    def all_sent() -> bool:
        return len(receiver.calls) >= len(received)

    try:
        _wait(all_sent, what="the deliveries after restart")
    except AssertionError:
        async with stack.notifier() as n:
            queue = [d.model_dump(mode="json") for d in await n.deliveries().all()]
        raise AssertionError(f"{queue}{stack.logs()}") from None
    time.sleep(3)
    kinds = sorted(c["body"]["kind"] for c in receiver.calls)
    assert kinds == sorted(a["kind"] for a in received)  # each alert exactly once
    assert [c["body"]["firm_id"] for c in receiver.calls if c["body"]["kind"] == "promotion"] == [firm_id]
    assert len(await _inbox(stack, officer_id)) == len(received)
    async with stack.notifier() as n:
        delivered = await n.deliveries(status="delivered").all()
        assert len(delivered) == len(received)
