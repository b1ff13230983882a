"""Webhook SSRF guard: allowlist matching and refusal of non-public addresses."""

import socket

import pytest

from notifier.channels.ssrf import (
    Resolver,
    WebhookNotAllowed,
    check_webhook_url,
    normalize_host,
)

pytestmark = pytest.mark.unit


def resolver_for(table: dict[str, list[str]]) -> Resolver:
    """A fake DNS: unknown names fail like getaddrinfo does."""
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]
    return resolve


PUBLIC = resolver_for({
    "oapi.dingtalk.com": ["203.119.129.10"], "hooks.example.com": ["93.184.216.34"],
    "a.b.example.com": ["93.184.216.35"], "xn--bcher-kva.example": ["93.184.216.36"],
    "internal.example.com": ["10.1.2.3"], "meta.example.com": ["169.254.169.254"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"], "localhost": ["127.0.0.1", "::1"],
    "v6.example.com": ["::1"], "mapped.example.com": ["::ffff:10.0.0.1"],
    "cgnat.example.com": ["100.64.1.1"], "mcast.example.com": ["239.1.2.3"],
})


def refused(url: str, allowlist: set[str], match: str | None = None) -> WebhookNotAllowed:
    with pytest.raises(WebhookNotAllowed, match=match) as info:
        check_webhook_url(url, allowlist, resolver=PUBLIC)
    return info.value


def test_exact_host_on_the_allowlist_passes() -> None:
    check_webhook_url("https://oapi.dingtalk.com/robot/send?access_token=t", {"oapi.dingtalk.com"},
                      resolver=PUBLIC)


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "file:///etc/passwd",
                                 "gopher://hooks.example.com/"])
def test_only_http_and_https(url: str) -> None:
    refused(url, {"hooks.example.com"}, "scheme")


def test_credentials_in_url_are_refused() -> None:
    refused("https://user:pw@hooks.example.com/", {"hooks.example.com"}, "credentials")


def test_host_not_listed_is_refused_without_echoing_the_token() -> None:
    err = refused("https://evil.test/hook?access_token=SECRET", {"hooks.example.com"}, "allowlist")
    assert "SECRET" not in str(err)


def test_wildcard_matches_subdomains_not_the_apex() -> None:
    check_webhook_url("https://a.b.example.com/", {"*.example.com"}, resolver=PUBLIC)
    check_webhook_url("https://hooks.example.com/", {"*.example.com"}, resolver=PUBLIC)
    refused("https://example.com/", {"*.example.com"}, "allowlist")
    refused("https://badexample.com/", {"*.example.com"}, "allowlist")


def test_uppercase_and_trailing_dot_hosts_match() -> None:
    check_webhook_url("https://HOOKS.Example.COM./x", {"hooks.example.com"}, resolver=PUBLIC)
    check_webhook_url("https://hooks.example.com/x", {"HOOKS.EXAMPLE.COM"}, resolver=PUBLIC)


def test_idn_hosts_match_in_either_form() -> None:
    assert normalize_host("BÜCHER.example") == "xn--bcher-kva.example"
    check_webhook_url("https://bücher.example/x", {"xn--bcher-kva.example"}, resolver=PUBLIC)
    check_webhook_url("https://xn--bcher-kva.example/x", {"Bücher.example"}, resolver=PUBLIC)
    refused("https://bücher.example/x", {"bucher.example"}, "allowlist")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "http://10.0.0.5/",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]:9000/",
                                 "http://192.168.1.1/", "http://[::ffff:127.0.0.1]/"])
def test_ip_literals_are_refused_unless_listed(url: str) -> None:
    refused(url, {"*.example.com", "hooks.example.com"}, "allowlist")


def test_explicitly_listed_ips_pass_even_if_private() -> None:
    check_webhook_url("http://127.0.0.1:8080/hook", {"127.0.0.1"}, resolver=PUBLIC)
    check_webhook_url("http://[::1]:9000/", {"::1"}, resolver=PUBLIC)
    check_webhook_url("http://[::1]:9000/", {"[0:0::1]"}, resolver=PUBLIC)
    check_webhook_url("http://10.0.0.5/", {"10.0.0.5"}, resolver=PUBLIC)


def test_a_wildcard_never_admits_an_ip() -> None:
    refused("http://127.0.0.1/", {"*.0.0.1"}, "allowlist")


@pytest.mark.parametrize(("host", "why"), [
    ("internal.example.com", "private"), ("meta.example.com", "link-local"),
    ("mixed.example.com", "loopback"), ("v6.example.com", "loopback"),
    ("mapped.example.com", "private"), ("cgnat.example.com", "non-global"),
    ("mcast.example.com", "multicast"),
])
def test_names_resolving_to_non_public_addresses_are_refused(host: str, why: str) -> None:
    err = refused(f"https://{host}/", {"*.example.com"}, why)
    assert not err.retryable


def test_exact_host_or_resolved_ip_listing_allows_a_private_target() -> None:
    check_webhook_url("https://internal.example.com/", {"internal.example.com"}, resolver=PUBLIC)
    check_webhook_url("https://internal.example.com/", {"*.example.com", "10.1.2.3"},
                      resolver=PUBLIC)
    check_webhook_url("http://localhost:8000/", {"localhost"}, resolver=PUBLIC)


def test_dns_failure_is_refused_but_retryable() -> None:
    err = refused("https://gone.example.com/", {"*.example.com"}, "cannot resolve")
    assert err.retryable


def test_garbage_urls_are_refused() -> None:
    refused("not a url", {"hooks.example.com"})
    refused("http:///nohost", {"hooks.example.com"})
