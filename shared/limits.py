"""Fair limits for every service: a token bucket per API key (per client address for calls
without a known key) and per route class, and imports and what-ifs one at a time per key.

A request over its limit is answered `429` as RFC 9457 problem+json with `Retry-After`;
every limited answer carries its policy in `RateLimit-Limit` / `RateLimit-Remaining` /
`RateLimit-Reset` (IETF draft "RateLimit header fields for HTTP") and `RateLimit-Policy`.
Refusals are counted on /metrics as `http_rate_limited_total{service,role,route_class}`.

Policies are per role (admin, officer, viewer, and `anonymous` for calls without a valid
key) and per route class: `read` (GET), `write` (other methods), `import` (POST /v1/imports),
`whatif` (POST /v1/simulations, POST /v1/simulation-jobs) and `sse` (opening GET
/v1/stream). A policy is
`RATE/BURST[/CONCURRENT]`: RATE requests a second refill the bucket, BURST is its size,
CONCURRENT (0 = no cap) how many may run at once for one key. `RATE_LIMITS` (JSON, e.g.
`{"viewer.read": "5/10"}`) overrides single policies; the defaults leave an admin room for
the demo load, the tests and the benchmarks. Buckets live in each process: a service of N
processes lets a key through up to N times as fast.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem

RouteClass = Literal["read", "write", "import", "whatif", "sse"]
ROUTE_CLASSES: tuple[RouteClass, ...] = ("read", "write", "import", "whatif", "sse")
LIMITED_ROLES = ("admin", "officer", "viewer", "anonymous")
EXEMPT = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
# (method, path prefix) → class; every other GET is a read and every other method a write
SPECIAL: tuple[tuple[str, str, RouteClass], ...] = (
    ("POST", "/v1/imports", "import"), ("POST", "/v1/simulations", "whatif"),
    ("POST", "/v1/simulation-jobs", "whatif"),
    ("GET", "/v1/stream", "sse"),
)
DEFAULTS: dict[str, str] = {
    "admin.read": "5000/10000", "admin.write": "5000/10000", "admin.import": "100/100/1",
    "admin.whatif": "20/20/1", "admin.sse": "100/200",
    "officer.read": "100/200", "officer.write": "50/100", "officer.import": "2/5/1",
    "officer.whatif": "1/3/1", "officer.sse": "2/10/10",
    "viewer.read": "50/100", "viewer.write": "10/20", "viewer.import": "1/2/1",
    "viewer.whatif": "0.5/2/1", "viewer.sse": "2/10/10",
    "anonymous.read": "100/200", "anonymous.write": "20/40", "anonymous.import": "1/2/1",
    "anonymous.whatif": "1/2/1", "anonymous.sse": "2/10/5",
}
ROLE_TTL_S = 60.0  # how long a token's role is remembered before it is looked up again

LIMITED = Counter("http_rate_limited_total", "Requests answered 429 by the fair limits",
                  ["service", "role", "route_class"])


@dataclass(frozen=True)
class Policy:
    """One role's limit on one route class."""

    rate: float  # tokens a second
    burst: float  # the bucket's size
    concurrent: int = 0  # at once per key; 0 = no cap

    @classmethod
    def parse(cls, text: str) -> Policy:
        """`RATE/BURST[/CONCURRENT]`, e.g. `50/100` or `1/2/1`."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3):
            raise ValueError(f"a limit is RATE/BURST[/CONCURRENT], not {text!r}")
        rate, burst = float(parts[0]), float(parts[1])
        concurrent = int(parts[2]) if len(parts) == 3 else 0
        if rate <= 0 or burst < 1 or concurrent < 0:
            raise ValueError(f"a limit needs RATE > 0, BURST >= 1, CONCURRENT >= 0: {text!r}")
        return cls(rate, burst, concurrent)

    @property
    def window_s(self) -> int:
        """Seconds a full bucket takes to refill (the policy's window)."""
        return max(1, math.ceil(self.burst / self.rate))


def policies(overrides: Mapping[str, str] | None = None) -> dict[tuple[str, str], Policy]:
    """The defaults with `overrides` (keys `role.class`) applied; a bad key or value raises."""
    merged = {**DEFAULTS, **(overrides or {})}
    table: dict[tuple[str, str], Policy] = {}
    for key, text in merged.items():
        role, _, route_class = key.partition(".")
        if role not in LIMITED_ROLES or route_class not in ROUTE_CLASSES:
            raise ValueError(f"unknown limit {key!r}: use ROLE.CLASS with ROLE one of "
                             f"{', '.join(LIMITED_ROLES)} and CLASS one of "
                             f"{', '.join(ROUTE_CLASSES)}")
        table[(role, route_class)] = Policy.parse(text)
    return table


def route_class(method: str, path: str) -> RouteClass | None:
    """The class a request is limited under; None for the ops routes nobody limits."""
    if path.startswith(EXEMPT) or path.startswith(("/asyncapi", "/static", "/dashboard")):
        return None
    for special_method, prefix, name in SPECIAL:
        if method == special_method and path.startswith(prefix):
            return name
    return "read" if method in ("GET", "HEAD", "OPTIONS") else "write"


@dataclass
class Bucket:
    """A token bucket: `tokens` left at `at` (monotonic seconds)."""

    tokens: float
    at: float
    running: int = 0
    refilled_after_s: float = 1.0  # idle this long, it is full again

    def take(self, policy: Policy, now: float) -> float:
        """Take a token: 0.0 when granted, else the seconds until one is there."""
        self.tokens = min(policy.burst, self.tokens + (now - self.at) * policy.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / policy.rate


class Buckets:
    """Every caller's buckets in this process, forgotten once full again and idle."""

    def __init__(self, table: dict[tuple[str, str], Policy], clock: Any = time.monotonic):
        self.table, self.clock = table, clock
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self._swept = clock()

    def bucket(self, who: str, role: str, name: str) -> tuple[Bucket, Policy]:
        policy = self.table[(role, name)]
        key = (who, name)
        found = self.buckets.get(key)
        if found is None:
            found = self.buckets[key] = Bucket(policy.burst, self.clock(),
                                               refilled_after_s=policy.window_s)
        return found, policy

    def sweep(self) -> None:
        """Drop buckets that refilled and run nothing (so addresses do not pile up)."""
        now = self.clock()
        if now - self._swept < 60:
            return
        self._swept = now
        for key, b in list(self.buckets.items()):
            if b.running == 0 and now - b.at > b.refilled_after_s:
                del self.buckets[key]


class RateLimit:
    """The ASGI middleware every service app gets from `shared.web.create_app`."""

    def __init__(self, app: ASGIApp, service: str):
        self.app, self.service = app, service
        self._buckets: Buckets | None = None
        self._configured: object = None
        self._roles: dict[str, tuple[str, str, float]] = {}  # token hash → who, role, until

    def buckets_for(self, settings: Any) -> Buckets | None:
        """The buckets under the app's settings (None when limits are off)."""
        if settings is not self._configured:
            self._configured = settings
            enabled = getattr(settings, "rate_limit_enabled", True)
            overrides = getattr(settings, "rate_limits", None) or {}
            self._buckets = Buckets(policies(overrides)) if enabled else None
        return self._buckets

    async def caller(self, scope: Scope) -> tuple[str, str]:
        """(who, role): the key's id and role, or the client address as `anonymous`."""
        token = _bearer(scope)
        client = scope.get("client")
        anonymous = (f"addr:{client[0] if client else '?'}", "anonymous")
        if token is None:
            return anonymous
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        known = self._roles.get(digest)
        if known is not None and known[2] > now:
            return known[0], known[1]
        state = scope["app"].state
        pool, settings = getattr(state, "pool", None), getattr(state, "settings", None)
        if pool is None or settings is None:
            return anonymous
        from shared.auth import resolve

        admin = settings.tracker_admin_token
        try:
            principal = await resolve(pool, token, admin.get_secret_value() if admin else None)
        except Exception:  # noqa: BLE001 - the database is away: the route says so itself
            return anonymous
        if principal is None:
            return anonymous
        if len(self._roles) > 10_000:
            self._roles.clear()
        self._roles[digest] = (f"key:{principal.key_id}", principal.role, now + ROLE_TTL_S)
        return f"key:{principal.key_id}", principal.role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = route_class(scope["method"], scope["path"])
        settings = getattr(scope["app"].state, "settings", None) if "app" in scope else None
        buckets = self.buckets_for(settings) if name is not None else None
        if name is None or buckets is None:
            await self.app(scope, receive, send)
            return
        who, role = await self.caller(scope)
        bucket, policy = buckets.bucket(who, role, name)
        buckets.sweep()
        now = buckets.clock()
        busy = policy.concurrent and bucket.running >= policy.concurrent
        wait_s = 1.0 if busy else bucket.take(policy, now)
        headers = _headers(policy, bucket)
        if wait_s > 0:
            LIMITED.labels(self.service, role, name).inc()
            retry = max(1, math.ceil(wait_s))
            what = (f"one {name} at a time per key; one is still running" if busy else
                    f"too many {name} requests: {policy.rate:g} a second, bursts of "
                    f"{policy.burst:g}")
            response = problem(
                429, f"{what} ({role}); retry in {retry} s", instance=scope["path"],
                correlation_id=scope.get("state", {}).get("correlation_id"),
                headers={**headers, "Retry-After": str(retry)},
                limit={"route_class": name, "role": role, "rate_per_s": policy.rate,
                       "burst": policy.burst, "concurrent": policy.concurrent or None})
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()),
                                      *((k.lower().encode(), v.encode()) for k, v in headers.items())]
            await send(message)

        bucket.running += 1
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            bucket.running -= 1


def _headers(policy: Policy, bucket: Bucket) -> dict[str, str]:
    remaining = int(bucket.tokens)
    reset = 0 if bucket.tokens >= policy.burst else math.ceil(
        (policy.burst - bucket.tokens) / policy.rate)
    return {"RateLimit-Limit": f"{policy.burst:g}", "RateLimit-Remaining": str(max(0, remaining)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{policy.burst:g};w={policy.window_s}"}


def _bearer(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    if scope["path"].startswith("/v1/stream"):  # EventSource cannot send headers
        for part in scope.get("query_string", b"").decode("latin-1").split("&"):
            if part.startswith("token="):
                from urllib.parse import unquote

                return unquote(part[6:]) or None
    return None
