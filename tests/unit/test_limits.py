"""The fair limits' parts: policies, route classes, the token bucket."""

from __future__ import annotations

import pytest

from shared.limits import Bucket, Buckets, Policy, policies, route_class
from shared.settings import ServiceSettings

pytestmark = pytest.mark.unit


def test_a_policy_is_rate_burst_and_concurrency() -> None:
    assert Policy.parse("5/10") == Policy(5.0, 10.0, 0)
    assert Policy.parse("0.5/2/1") == Policy(0.5, 2.0, 1)
    assert Policy.parse("5/10").window_s == 2
    for bad in ("5", "0/10", "5/0", "5/10/-1", "a/b"):
        with pytest.raises(ValueError):
            Policy.parse(bad)


def test_overrides_name_a_role_and_a_class() -> None:
    table = policies({"viewer.read": "1/2"})
    assert table[("viewer", "read")] == Policy(1.0, 2.0)
    assert table[("admin", "read")].rate >= 1000  # the demo load and benchmarks fit under it
    assert all(table[(role, c)].concurrent == 1 for role in ("admin", "officer", "viewer")
               for c in ("import", "whatif"))
    with pytest.raises(ValueError, match="unknown limit 'guest.read'"):
        policies({"guest.read": "1/2"})
    with pytest.raises(ValueError):
        ServiceSettings(rate_limits={"viewer.reads": "1/2"})


def test_route_classes() -> None:
    assert route_class("GET", "/v1/firms") == "read"
    assert route_class("PUT", "/v1/firms/x/reports/2022") == "write"
    assert route_class("POST", "/v1/imports") == "import"
    assert route_class("GET", "/v1/imports/123") == "read"
    assert route_class("POST", "/v1/simulations") == "whatif"
    assert route_class("POST", "/v1/simulation-jobs") == "whatif"  # the job: the same bucket
    assert route_class("GET", "/v1/stream") == "sse"
    assert route_class("GET", "/metrics") is None and route_class("GET", "/readyz") is None


def test_a_bucket_lets_a_burst_through_then_refills_at_the_rate() -> None:
    now = [100.0]
    buckets = Buckets(policies({"viewer.read": "2/4"}), clock=lambda: now[0])
    bucket, policy = buckets.bucket("key:a", "viewer", "read")
    assert [bucket.take(policy, now[0]) for _ in range(4)] == [0.0] * 4
    assert bucket.take(policy, now[0]) == pytest.approx(0.5)  # one token in half a second
    now[0] += 0.5
    assert bucket.take(policy, now[0]) == 0.0
    other, _ = buckets.bucket("key:b", "viewer", "read")
    assert other is not bucket and other.tokens == 4
    assert Bucket(0.0, 0.0).take(Policy(1.0, 1.0), 10.0) == 0.0  # full after a long rest


def test_idle_full_buckets_are_forgotten_busy_ones_kept() -> None:
    now = [0.0]
    buckets = Buckets(policies({"anonymous.read": "1/2"}), clock=lambda: now[0])
    idle, policy = buckets.bucket("addr:1", "anonymous", "read")
    idle.take(policy, now[0])
    busy, _ = buckets.bucket("addr:2", "anonymous", "sse")
    busy.running = 1
    now[0] = 61.0
    buckets.sweep()
    assert set(buckets.buckets) == {("addr:2", "sse")}
