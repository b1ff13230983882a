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

import httpx
import pytest

from tests.e2e.conftest import RunningStack
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


def _setup_officer(stack: RunningStack, receiver: Receiver) -> str:
    with stack.client("notifier") as notifier:
        r = notifier.put("/v1/settings/webhook-allowlist", json={"hosts": ["127.0.0.1"]})
        assert r.status_code == 200, r.text
        officer = notifier.post("/v1/officers", json={
            "name": "王磊", "email": "wang.lei@kjj.dl.gov.cn", "districts": ["hitech"],
            "industries": ["next_gen_it"], "language": "zh",
            "channels": [{"kind": "webhook", "url": receiver.url}]})
        assert officer.status_code == 201, officer.text
        return str(officer.json()["id"])


def _promote(stack: RunningStack) -> str:
    fy = date.today().year - 1
    with stack.client("registry") as registry:
        firm = registry.post("/v1/firms", json=firm_payload(founded_on=f"{fy - 3}-05-01")).json()
        r = registry.put(f"/v1/firms/{firm['id']}/reports/{fy}", json=report_payload(ip_class1=1))
        assert r.status_code == 201
    return str(firm["id"])


def _inbox(stack: RunningStack, officer_id: str) -> list[dict]:
    with stack.client("notifier") as notifier:
        return list(notifier.get(f"/v1/officers/{officer_id}/inbox").json()["items"])


def test_promotion_reaches_the_right_officer_once(stack: RunningStack, receiver: Receiver) -> None:
    stack.env.update({"NOTIFIER_BACKOFF_BASE_S": "0.2", "NOTIFIER_WORKER_POLL_S": "0.1"})
    stack.start()
    officer_id = _setup_officer(stack, receiver)
    with stack.client("notifier") as notifier:
        other = notifier.post("/v1/officers", json={
            "name": "李娜", "email": "li.na@kjj.dl.gov.cn", "districts": ["jinpu"],
            "industries": [], "channels": []}).json()["id"]
    firm_id = _promote(stack)

    promotions = lambda: [c["body"] for c in receiver.calls if c["body"]["kind"] == "promotion"]  # noqa: E731
    _wait(promotions, what="the webhook call")
    time.sleep(2)  # a duplicate would arrive by now
    assert len(promotions()) == 1, [c["body"]["kind"] for c in receiver.calls]
    call = promotions()[0]
    assert call["firm_id"] == firm_id
    assert "雏鹰" in call["title"] and f"/v1/firms/{firm_id}/standing" in call["link"]
    keys = [c["key"] for c in receiver.calls]
    assert len(keys) == len(set(keys))  # nothing delivered twice
    inbox = _inbox(stack, officer_id)
    assert [a["firm_id"] for a in inbox if a["kind"] == "promotion"] == [firm_id]
    assert _inbox(stack, other) == []


def test_a_notifier_killed_before_delivering_delivers_once_after_restart(
        stack: RunningStack, receiver: Receiver) -> None:
    # retries that outlast the outage, so nothing is given up while the receiver refuses
    stack.env.update({"NOTIFIER_BACKOFF_BASE_S": "0.2", "NOTIFIER_BACKOFF_CAP_S": "1",
                      "NOTIFIER_MAX_ATTEMPTS": "50", "NOTIFIER_WORKER_POLL_S": "0.1",
                      # a send cut off by the crash is taken again when its lease ends
                      "NOTIFIER_DELIVERY_TIMEOUT_S": "2", "NOTIFIER_LEASE_S": "4"})
    stack.start()
    officer_id = _setup_officer(stack, receiver)
    receiver.failing = True  # the alert is taken in, but cannot be delivered yet
    firm_id = _promote(stack)
    _wait(lambda: _inbox(stack, officer_id), what="the alert to be received")

    notifier = next(p for p in stack.descendants() if "notifier" in " ".join(p.cmdline()))
    os.kill(notifier.pid, signal.SIGKILL)  # a crash, not a clean stop
    # the supervisor in `tracker up` starts it again
    _wait(lambda: stack.info()["services"]["notifier"]["restarts"] == 1,
          what="the notifier restarted by the supervisor")
    _wait(lambda: stack.ready("notifier"), what="the restarted notifier ready")

    receiver.failing = False
    received = _inbox(stack, officer_id)
    def all_sent() -> bool:
        return len(receiver.calls) >= len(received)

    try:
        _wait(all_sent, what="the deliveries after restart")
    except AssertionError:
        with stack.client("notifier") as n:
            raise AssertionError(n.get("/v1/deliveries").text + stack.logs()) from None
    time.sleep(3)
    kinds = sorted(c["body"]["kind"] for c in receiver.calls)
    assert kinds == sorted(a["kind"] for a in received)  # each alert exactly once
    assert [c["body"]["firm_id"] for c in receiver.calls if c["body"]["kind"] == "promotion"] == [firm_id]
    assert len(_inbox(stack, officer_id)) == len(received)
    with httpx.Client(base_url=stack.url("notifier"), timeout=10,
                      headers={"Authorization": f"Bearer {stack.env['TRACKER_ADMIN_TOKEN']}"}) as n:
        delivered = n.get("/v1/deliveries", params={"status": "delivered"}).json()["items"]
        assert len(delivered) == len(received)
