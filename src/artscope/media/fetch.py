"""Fetching http(s) URLs: every download artscope makes comes through ``fetch_url``.

Only http and https; a byte cap checked while streaming (not only Content-Length), a timeout, no
proxy from the environment, and a fetch policy (``FetchPolicy``) checked where the connection is
made: every address a host name resolves to must be allowed, and the connection goes to the
address that was checked (a second DNS answer cannot swap it: DNS rebinding). Redirects open new
connections, so every hop is checked the same way. By default loopback, private, link-local,
unique-local, multicast, reserved and cloud-metadata addresses are refused; ``ARTSCOPE_FETCH_ALLOW``
opens host names or networks a deployment needs, and ``ARTSCOPE_FETCH_PUBLIC=false`` limits fetching
to that list.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from artscope.config import get_settings
from artscope.errors import ImageLoadError

if TYPE_CHECKING:
    import httpcore
    import httpx

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 5
USER_AGENT = "artscope (+https://github.com/artscope)"
CLOUD_METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    "169.254.170.2",  # AWS ECS task metadata
    "100.100.100.200",  # Alibaba Cloud
    "fd00:ec2::254",  # AWS over IPv6
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


class FetchRefusedError(ImageLoadError):
    """A URL whose host the fetch policy does not allow; nothing was sent to it."""


def is_url(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def address_kind(address: IpAddress) -> str | None:
    """Why an address is not public (``loopback``, ``private``, ``cloud-metadata``...), or None if it is.
    IPv4 addresses inside IPv6 ones (mapped, 6to4, NAT64, Teredo) are judged as themselves."""
    if address in CLOUD_METADATA:
        return "cloud-metadata"
    for inner in _embedded_ipv4(address):
        kind = address_kind(inner)
        if kind:
            return kind
    checks = (("loopback", address.is_loopback), ("multicast", address.is_multicast),
              ("link-local", address.is_link_local), ("unspecified", address.is_unspecified),
              ("unique-local", isinstance(address, ipaddress.IPv6Address) and address in UNIQUE_LOCAL),
              ("private", address.is_private), ("non-public", not address.is_global))
    return next((name for name, hit in checks if hit), None)



def _embedded_ipv4(address: IpAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    inner = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in NAT64:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in inner if a is not None]


@dataclass(frozen=True)
class FetchPolicy:
    """Which hosts artscope may fetch from. ``allow`` holds host names (exact, case-insensitive) and
    networks (``10.1.2.0/24``, ``fd12::/64``, single addresses); ``public``: whether every public
    address is allowed too (otherwise only the allow list)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IpNetwork, ...] = ()
    public: bool = True

    @classmethod
    def from_entries(cls, entries: Iterable[str], public: bool = True) -> FetchPolicy:
        hosts, networks = set(), []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks), public)

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        settings = get_settings()
        return cls.from_entries(settings.fetch_allow, settings.fetch_public)

    def refusal(self, host: str, addresses: Sequence[IpAddress]) -> str | None:
        """Why ``host`` (which resolved to ``addresses``) may not be fetched from, or None."""
        if host.lower().rstrip(".") in self.hosts:
            return None
        for address in addresses:
            if any(address in network for network in self.networks):
                continue
            kind = address_kind(address)
            if kind:
                return f"it resolves to a {kind} address"
            if not self.public:
                return "it is not on the allow list (ARTSCOPE_FETCH_PUBLIC is false)"
        return None

    def resolve(self, host: str, port: int) -> list[IpAddress]:
        """The addresses to connect to for ``host``, all checked; ``FetchRefusedError`` otherwise.
        When only the allow list is allowed (not ``public``), a host name it does not name is refused
        without a DNS query (its networks open addresses, written as such in URLs)."""
        literal = _ip_literal(host)
        name_allowed = host.lower().rstrip(".") in self.hosts
        if literal is None and not self.public and not name_allowed:
            raise FetchRefusedError(f"{host} is refused by the fetch policy: it is not on the allow list "
                                    "(ARTSCOPE_FETCH_ALLOW) and ARTSCOPE_FETCH_PUBLIC is false.")
        addresses = [literal] if literal is not None else _lookup(host, port)
        reason = self.refusal(host, addresses)
        if reason:
            raise FetchRefusedError(f"{host} is refused by the fetch policy: {reason}. Add the host or its "
                                    "network to ARTSCOPE_FETCH_ALLOW if this service should fetch from it.")
        return addresses


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _lookup(host: str, port: int) -> list[IpAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ImageLoadError(f"Cannot resolve the host name {host}: {exc}") from exc
    # scope ids ("fe80::1%eth0") are dropped: the address itself is what the policy judges
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


def _checked_backend(policy: FetchPolicy) -> httpcore.NetworkBackend:
    import httpcore

    class CheckedBackend(httpcore.SyncBackend):
        """Connects only to addresses the policy allows, and to exactly the address it checked."""

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: Iterable | None = None,
                        ) -> httpcore.NetworkStream:
            error: Exception | None = None
            for address in policy.resolve(host, port):
                try:  # TLS still names the host (SNI and certificate check use the URL's host)
                    return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
                except httpcore.ConnectError as exc:
                    error = exc
            raise error or httpcore.ConnectError(f"no address for {host}")

    return CheckedBackend()


def _client(policy: FetchPolicy, timeout_s: float) -> httpx.Client:
    """An httpx client whose connections go through the policy's backend (no proxy from the environment)."""
    import httpcore
    import httpx

    transport = httpx.HTTPTransport(trust_env=False)
    # httpx takes no network backend of its own; its transport's pool is replaced by one that has ours
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=_checked_backend(policy))
    return httpx.Client(transport=transport, timeout=timeout_s, follow_redirects=True,
                        max_redirects=MAX_REDIRECTS, trust_env=False, headers={"User-Agent": USER_AGENT})


def fetch_url(url: str, max_bytes: int | None = None, timeout_s: float | None = None,
              policy: FetchPolicy | None = None) -> bytes:
    """GET a URL under the fetch policy (``ARTSCOPE_FETCH_*`` by default), with a byte cap checked while
    streaming (not only Content-Length) and a timeout."""
    import httpx

    settings = get_settings()
    max_bytes = max_bytes or settings.max_download_bytes
    timeout_s = timeout_s or settings.download_timeout_s
    if not is_url(url):
        raise ImageLoadError(f"Only http and https URLs are fetched, not {url!r}.")
    client = _client(policy or FetchPolicy.from_settings(), timeout_s)
    try:
        with client, client.stream("GET", url) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ImageLoadError(f"{url} is larger than the {max_bytes:,}-byte download limit.")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise ImageLoadError(f"Could not fetch {url}: {exc}") from exc
    return b"".join(chunks)
