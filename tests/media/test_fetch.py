"""The fetch policy, against real HTTP servers on loopback addresses (127.0.0.1, 127.0.0.2): refused
hosts get no request at all, every redirect hop and every resolved address is checked, and the
connection goes to the address that was checked (DNS rebinding cannot swap it)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

import pytest

from artscope.config import get_settings
from artscope.errors import ImageLoadError
from artscope.media.fetch import FetchPolicy, FetchRefusedError, address_kind, fetch_url
from loopback import serve

LOOPBACK_ONLY = FetchPolicy.from_entries(["127.0.0.1"])
"""Opens 127.0.0.1 alone: 127.0.0.2, also loopback, stays refused."""


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, list[list[str]]], list[str]]:
    """``fake_dns(name, answers)``: lookups of ``name`` return the next answer (the last one repeats);
    returns the list of names looked up. Every other name is resolved as usual."""
    real = socket.getaddrinfo
    looked_up: list[str] = []
    zones: dict[str, list[list[str]]] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in zones:
            return real(host, port, *args, **kwargs)
        looked_up.append(name)
        answers = zones[name]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port))) for a in answer]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def add(name: str, answers: list[list[str]]) -> list[str]:
        zones[name] = answers
        return looked_up

    return add


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "cloud-metadata"), ("fd00:ec2::254", "cloud-metadata"),
    ("100.100.100.200", "cloud-metadata"), ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("fd12:3456::1", "unique-local"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("64:ff9b::a00:1", "private"),
    ("2002:7f00:1::", "loopback"), ("100.64.0.1", "non-public"), ("8.8.8.8", None), ("2606:4700::1", None),
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


def test_loopback_is_refused_by_default_and_gets_no_request() -> None:
    with serve("127.0.0.1") as site:
        for url in (site["url"], f"http://localhost:{site['port']}/x.json"):
            with pytest.raises(FetchRefusedError, match="refused by the fetch policy: it resolves to a loopback"):
                fetch_url(url, policy=FetchPolicy())
        assert site["requests"] == 0


def test_a_closed_port_and_an_open_one_are_refused_alike() -> None:
    with serve("127.0.0.1") as site:
        messages = []
        for port in (site["port"], 9):  # 9: discard, nothing listens there
            with pytest.raises(FetchRefusedError) as refused:
                fetch_url(f"http://127.0.0.1:{port}/manifest.json", policy=FetchPolicy())
            messages.append(str(refused.value).replace(str(port), "PORT"))
        assert messages[0] == messages[1]


def test_private_and_metadata_hosts_are_refused_before_connecting() -> None:
    for host in ("10.0.0.1", "169.254.169.254", "[fd00:ec2::254]", "[::ffff:127.0.0.1]"):
        with pytest.raises(FetchRefusedError, match="refused by the fetch policy"):
            FetchPolicy().resolve(host, 80)


def test_the_allow_list_opens_a_network_or_a_host(fake_dns: Callable) -> None:
    with serve("127.0.0.1", body=b"manifest") as site:
        assert fetch_url(site["url"], policy=LOOPBACK_ONLY) == b"manifest"
        fake_dns("iiif.intranet", [["127.0.0.1"]])
        by_name = FetchPolicy.from_entries(["iiif.intranet"])
        assert fetch_url(f"http://iiif.intranet:{site['port']}/", policy=by_name) == b"manifest"
        assert site["requests"] == 2


def test_the_allow_list_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTSCOPE_FETCH_ALLOW", "127.0.0.1/32, iiif.intranet")
    get_settings.cache_clear()
    try:
        with serve("127.0.0.1") as site:
            assert fetch_url(site["url"]) == b"ok"
        assert FetchPolicy.from_settings().hosts == {"iiif.intranet"}
    finally:
        get_settings.cache_clear()


def test_every_redirect_hop_is_checked() -> None:
    with serve("127.0.0.2") as inside, serve("127.0.0.1", location=inside["url"]) as allowed:
        with pytest.raises(FetchRefusedError, match=r"127\.0\.0\.2 is refused by the fetch policy"):
            fetch_url(allowed["url"], policy=LOOPBACK_ONLY)
        assert (allowed["requests"], inside["requests"]) == (1, 0)


def test_every_resolved_address_must_be_allowed(fake_dns: Callable) -> None:
    fake_dns("mixed.test", [["127.0.0.1", "127.0.0.2"]])
    with serve("127.0.0.1") as site:
        with pytest.raises(FetchRefusedError, match=r"mixed\.test is refused"):
            fetch_url(f"http://mixed.test:{site['port']}/", policy=LOOPBACK_ONLY)
        assert site["requests"] == 0


def test_dns_rebinding_cannot_swap_the_checked_address(fake_dns: Callable) -> None:
    with serve("127.0.0.1", body=b"checked") as good, serve("127.0.0.2", port=good["port"], body=b"internal"):
        # the first answer passes the check; any later lookup would point at the refused address
        looked_up = fake_dns("rebind.test", [["127.0.0.1"], ["127.0.0.2"]])
        assert fetch_url(f"http://rebind.test:{good['port']}/", policy=LOOPBACK_ONLY) == b"checked"
        assert looked_up == ["rebind.test"]


def test_only_the_allow_list_when_public_hosts_are_off(fake_dns: Callable) -> None:
    looked_up = fake_dns("museum.example", [["127.0.0.1"]])
    closed = FetchPolicy(public=False)
    with pytest.raises(FetchRefusedError, match="not on the allow list"):
        fetch_url("https://museum.example/manifest.json", policy=closed)
    assert looked_up == []  # refused by name: no DNS query was sent


def test_proxies_from_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve("127.0.0.1", body=b"proxy") as proxy, serve("127.0.0.1", body=b"direct") as site:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy["url"])
        assert fetch_url(site["url"], policy=LOOPBACK_ONLY) == b"direct"
        assert proxy["requests"] == 0


def test_downloads_stay_byte_capped() -> None:
    with serve("127.0.0.1", body=b"x" * 5000) as site, pytest.raises(ImageLoadError, match="download limit"):
        fetch_url(site["url"], max_bytes=1000, policy=LOOPBACK_ONLY)
