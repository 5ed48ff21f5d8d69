"""Requests Slotwise makes to addresses its users give it: calendar feeds, CalDAV servers,
webhook endpoints. One policy decides which addresses may be reached.

Those URLs come from API callers, so without a policy Slotwise would fetch whatever they point
at: the cloud's metadata service (169.254.169.254 and friends), services on loopback, the
private network. The policy is checked where the connection is made, on the address the name
resolved to, and the connection goes to that very address — so every redirect hop is checked
too, and a DNS answer that changes between a check and the connect (rebinding) cannot slip
past. Bodies are read with a byte cap, so a huge answer is refused without being held in
memory. docs/security.md ("Outbound requests") is the user's view of this.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Never reached unless the allow list names a network inside them: link-local (where cloud
# metadata services live) and the metadata addresses outside it, plus addresses that are no
# destination at all.
ALWAYS_DENIED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",  # IPv4 link-local: AWS, GCP, Azure, OpenStack metadata
        "fe80::/10",  # IPv6 link-local
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "192.0.0.192/32",  # Oracle Cloud metadata
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "::/128",
        "224.0.0.0/4",  # multicast
        "ff00::/8",
        "255.255.255.255/32",
    )
)
# Reached only when the allow list names them: this host and private networks.
DENIED_UNLESS_ALLOWED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "::1/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",  # carrier-grade NAT, also used for cluster networks
        "fc00::/7",  # IPv6 unique local
        "192.0.0.0/24",
        "198.18.0.0/15",
        "240.0.0.0/4",
    )
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5


class OutboundRefused(httpx.TransportError):
    """The destination's address is not allowed by the policy (the message says which)."""


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {describe_bytes(limit)}")
        self.limit = limit


def describe_bytes(count: int) -> str:
    if count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    return f"{count} bytes"


def parse_networks(entries: Iterable[str], setting: str) -> tuple[Network, ...]:
    """CIDRs or single addresses from a comma-separated setting; ValueError names it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {entry!r} is not an IP address or CIDR") from None
    return tuple(networks)


@dataclass(frozen=True)
class Policy:
    allow: tuple[Network, ...] = ()
    deny: tuple[Network, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        return cls(
            allow=parse_networks(settings.outbound_allow, "SLOTWISE_OUTBOUND_ALLOW"),
            deny=parse_networks(settings.outbound_deny, "SLOTWISE_OUTBOUND_DENY"),
            max_bytes=settings.outbound_max_bytes,
        )

    def refusal(self, address: Address) -> str | None:
        """Why `address` may not be reached, or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:a.b.c.d is a.b.c.d
        if any(address in net for net in self.deny):
            return "is denied by SLOTWISE_OUTBOUND_DENY"
        for reserved in ALWAYS_DENIED:
            if address in reserved:
                # A broad entry such as 0.0.0.0/0 does not open these; only one inside them.
                opened = any(
                    address in net and net.version == reserved.version and net.subnet_of(reserved)  # type: ignore[arg-type]
                    for net in self.allow
                )
                return None if opened else "is a link-local or metadata address"
        if any(address in net for net in self.allow):
            return None
        if any(address in net for net in DENIED_UNLESS_ALLOWED):
            return "is a loopback or private address (see SLOTWISE_OUTBOUND_ALLOW)"
        return None


_policy = Policy()


def configure(policy: Policy) -> None:
    """Set the process's policy (from Settings, when the app or a worker starts)."""
    global _policy
    _policy = policy


def current() -> Policy:
    return _policy


def url_refusal(url: str) -> str | None:
    """Why a URL saved for later delivery (a page reminder's webhook_url) will not be reached,
    or None. Checked when it is saved, so the user hears of it then; the connection is still
    checked again when it is made (the name may resolve elsewhere by then). A name that does
    not resolve now is let through: DNS may be down for a moment, and delivery checks again.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "must be an absolute http or https URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http or https URL"
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    problems = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        problem = current().refusal(address)
        if problem is None:
            return None
        problems.append(f"{parts.hostname} resolves to {address}, which {problem}")
    return f"the address is not allowed: {problems[0]}" if problems else None


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, and connects only to an address the policy allows."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}") from exc
        allowed: list[str] = []
        refused: str | None = None
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            problem = self.policy.refusal(address)
            if problem is None:
                allowed.append(str(address))
            elif refused is None:
                refused = f"{host} resolves to {address}, which {problem}"
        if not allowed:
            raise OutboundRefused(refused or f"cannot resolve {host}")
        error: Exception | None = None
        for address_text in dict.fromkeys(allowed):
            try:
                # The connection goes to the address just checked, never to a new lookup.
                return super().connect_tcp(
                    address_text, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle costs milliseconds, and
    a client is built per feed read and per webhook attempt. (SSL_CERT_FILE / SSL_CERT_DIR
    are honoured, as httpx does by default.)"""
    return httpx.create_ssl_context()


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport with the policy applied to every connection it opens."""

    def __init__(self, policy: Policy | None = None, *, connections: int = 10) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        # Same pool httpx builds, with our network backend (httpx has no parameter for it).
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=connections,
            max_keepalive_connections=connections,
            network_backend=_CheckedBackend(policy or current()),
        )


def client(**kwargs: Any) -> httpx.Client:
    """An httpx client for user-given URLs: checked transport, no proxies from the
    environment, redirects left to `fetch` (which checks and caps every hop)."""
    return httpx.Client(
        transport=CheckedTransport(), trust_env=False, follow_redirects=False, **kwargs
    )


@dataclass
class Fetched:
    response: httpx.Response  # status and headers; its body is `content`
    content: bytes
    history: list[str] = field(default_factory=list)  # redirect hops, as URLs

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The (decoded) body of a streamed response, refused past `limit` bytes without reading
    on: a huge or endless answer costs at most `limit` bytes of memory."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise TooLarge(limit)
    return bytes(body)


def fetch(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    **kwargs: Any,
) -> Fetched:
    """One request, following up to MAX_REDIRECTS redirects, with every body capped.

    A redirect's own body is never read. Credentials set on the client are not sent past a
    redirect to another origin (httpx drops the Authorization header there; the client's auth
    would add it back).
    """
    limit = current().max_bytes if max_bytes is None else max_bytes
    request = http.build_request(method, url, **kwargs)
    origin = request.url.copy_with(path="/", query=None, fragment=None)
    history: list[str] = []
    while True:
        same_origin = request.url.copy_with(path="/", query=None, fragment=None) == origin
        auth = httpx.USE_CLIENT_DEFAULT if same_origin else None
        response = http.send(request, stream=True, auth=auth, follow_redirects=False)
        try:
            if follow_redirects and response.next_request is not None:
                if len(history) >= MAX_REDIRECTS:
                    raise httpx.TooManyRedirects("too many redirects", request=request)
                history.append(str(request.url))
                request = response.next_request
                continue
            content = read_capped(response, limit)
        finally:
            response.close()
        return Fetched(response, content, history)
