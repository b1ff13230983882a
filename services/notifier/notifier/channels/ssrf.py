"""Webhook target guard: allowlisted hosts only, no private or loopback addresses (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpx
import idna

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class WebhookNotAllowed(ValueError):
    """A webhook URL the notifier refuses to call; `reason` says why (no secrets in it)."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        # Only DNS failures are worth retrying: every other refusal is a config problem.
        self.retryable = retryable


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, via the OS resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def normalize_host(host: str) -> str:
    """Canonical form for matching: lowercase, punycode (IDNA), no brackets or trailing dot."""
    h = host.strip().lower().rstrip(".")
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    ip = _as_ip(h)
    if ip is not None:
        return str(ip)
    wildcard = h.startswith("*.")
    body = h[2:] if wildcard else h
    if not body.isascii():
        # Same encoder httpx uses, so we match the name it will actually connect to.
        body = idna.encode(body, uts46=True).decode("ascii")
    return ("*." if wildcard else "") + body


def _as_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return None


def _embedded_v4(ip: IPAddress) -> IPAddress:
    # IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) reach that
    # IPv4 host, so judge the IPv4 address, not the wrapper.
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def non_public_reason(ip: IPAddress) -> str | None:
    """Why an address is not a public unicast one ('loopback', 'private' ...), else None."""
    ip = _embedded_v4(ip)
    for attr in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{attr}"):
            return attr.replace("_", "-")
    # Catches shared address space (100.64/10) and other non-global special ranges.
    return None if ip.is_global else "non-global"


def _matches(host: str, entries: set[str]) -> bool:
    if host in entries:
        return True
    return any(e.startswith("*.") and host.endswith(e[1:]) for e in entries)


def _normalized(allowlist: Iterable[str]) -> set[str]:
    out = set()
    for entry in allowlist:
        try:
            out.add(normalize_host(entry))
        except idna.IDNAError:
            continue  # an unusable entry cannot allow anything
    return out


def check_webhook_url(
    url: str, allowlist: Iterable[str], *, resolver: Resolver = system_resolver
) -> None:
    """Raise WebhookNotAllowed unless `url` is http(s) to an allowlisted, safe host.

    Allowlist entries: an exact host (`oapi.dingtalk.com`), a wildcard suffix
    (`*.example.com`: any subdomain, not the apex itself) or an IP (`10.0.0.5`, `::1`).
    A host that is, or resolves to, a loopback/private/link-local/reserved/multicast
    address is refused unless that exact host or that IP is itself listed; a wildcard
    never authorises such an address. Call again right before sending: DNS may have
    changed since the URL was saved (rebinding).
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise WebhookNotAllowed(f"not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise WebhookNotAllowed(
            f"scheme {parsed.scheme or '(none)'!r} not allowed; use https or http"
        )
    if parsed.userinfo:
        raise WebhookNotAllowed("credentials in the URL are not allowed")
    # raw_host is the ASCII (punycode) name httpx will actually connect to.
    raw_host = parsed.raw_host.decode("ascii", "replace")
    if not raw_host:
        raise WebhookNotAllowed("URL has no host")
    try:
        host = normalize_host(raw_host)
    except (idna.IDNAError, UnicodeError):
        raise WebhookNotAllowed(f"host {raw_host!r} is not a valid domain name") from None
    entries = _normalized(allowlist)
    if _as_ip(host) is not None:
        # IPs match exact entries only ('*.0.0.1' must not admit 127.0.0.1), so a listed
        # IP is an explicit decision even when it is private.
        if host not in entries:
            raise WebhookNotAllowed(f"IP address {host} is not on the webhook allowlist")
        return
    if not _matches(host, entries):
        raise WebhookNotAllowed(f"host {host!r} is not on the webhook allowlist")
    exact_host = host in entries
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise WebhookNotAllowed(f"cannot resolve host {host!r}: {exc}", retryable=True) from None
    if not addresses:
        raise WebhookNotAllowed(f"host {host!r} resolves to no address", retryable=True)
    for raw in addresses:
        ip = _as_ip(raw)
        if ip is None:
            raise WebhookNotAllowed(f"host {host!r} resolved to an unparsable address")
        why = non_public_reason(ip)
        if why and not exact_host and str(ip) not in entries:
            raise WebhookNotAllowed(
                f"host {host!r} resolves to {why} address {ip}; list the host or IP "
                "explicitly to allow it"
            )
