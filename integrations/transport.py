"""The one way Storyline posts to an address someone typed: guarded.

- Only ``https://`` (``http://`` when ``WEBHOOK_ALLOW_HTTP``), no user:password in the URL.
- The host is resolved once, here; every address it resolves to must be a
  public one (``ipaddress.is_global``): loopback, private ranges, link-local
  (with the cloud metadata address 169.254.169.254), CGNAT, multicast and
  reserved ranges are refused, unless a network in
  ``WEBHOOK_ALLOWED_NETWORKS`` names them.
- The connection goes to the address that was checked (the Host header and
  the TLS name stay the host's), so a second DNS answer cannot point it
  elsewhere (no DNS rebinding).
- Redirects are never followed (http.client does not follow them): a 3xx
  is a failed attempt.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from integrations.conf import conf


class AddressRefused(Exception):
    """The URL may not be reached (scheme, or an internal address)."""


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int
    body_excerpt: str


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in conf("WEBHOOK_ALLOWED_NETWORKS")]


def address_allowed(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """Refuse a URL that can never be used (for the registration form):
    scheme and credentials; the address is checked again at each send."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if conf("WEBHOOK_ALLOW_HTTP") else {"https"}
    if parts.scheme not in schemes:
        raise AddressRefused(f"scheme {parts.scheme or '(none)'} not allowed")
    if parts.username or parts.password:
        raise AddressRefused("credentials in the URL are not allowed")
    if not parts.hostname:
        raise AddressRefused("no host")


def resolve(url: str) -> Target:
    """Check ``url`` and pick the address to connect to."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"cannot resolve {host}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise AddressRefused(f"cannot resolve {host}")
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:  # one internal answer is enough to refuse the host
        raise AddressRefused(f"{host} resolves to an internal address")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, ip=addresses[0])


def reaches_internal(url: str) -> bool:
    """For the registration form: whether ``url``'s host resolves to an
    address the guard refuses (a name that does not resolve yet passes:
    each send checks again)."""
    try:
        resolve(url)
    except AddressRefused as exc:
        return "internal" in str(exc)
    return False


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._ip = target.ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: str, headers: dict[str, str], timeout: float | None = None) -> Response:
    """POST ``body`` (JSON) to ``url`` through the guard. Raises
    :class:`AddressRefused`, or ``OSError`` / ``http.client.HTTPException``
    on a network failure or a timeout."""
    target = resolve(url)
    timeout = timeout if timeout is not None else float(conf("WEBHOOK_TIMEOUT_SECONDS"))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target.path,
            body=body.encode(),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Storyline-Webhooks/1",
                **headers,
            },
        )
        response = connection.getresponse()
        excerpt = response.read(2048).decode("utf-8", "replace")
    finally:
        connection.close()
    return Response(
        status=response.status,
        duration_ms=int((time.monotonic() - started) * 1000),
        body_excerpt=excerpt,
    )
