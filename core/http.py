"""Who is asking: the client's address, decided in one place.

Every rate limit, lockout and piece of evidence that needs the client's
address calls :func:`client_ip`: the review links' guess limit and decision
evidence, internal approval decisions, share-link visits, analytics capture
and its limits, the API throttles and the staff login lockout (django-axes).

``TRUSTED_PROXIES`` (settings, from the environment) says how many reverse
proxies stand in front of the application:

- ``0`` (the default): the address is the connection's, ``REMOTE_ADDR``;
  ``X-Forwarded-For`` is ignored, since anyone can send one.
- ``N > 0``: each proxy appends the address it saw to ``X-Forwarded-For``, so
  the Nth entry from the right is the address the outermost trusted proxy saw.
  Entries further left are whatever the client sent and are never read. A
  missing, too short or malformed header falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings

# "203.0.113.7:51234" and "[2001:db8::1]:443": some proxies add the port.
_IPV4_WITH_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$")
_IPV6_IN_BRACKETS = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$")


def _parse(value: str) -> str | None:
    """``value`` as a normalised address, or None when it is not one."""
    value = (value or "").strip()
    match = _IPV4_WITH_PORT.match(value) or _IPV6_IN_BRACKETS.match(value)
    if match:
        value = match.group(1)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def trusted_proxies() -> int:
    try:
        return max(0, int(getattr(settings, "TRUSTED_PROXIES", 0) or 0))
    except (TypeError, ValueError):
        return 0


def client_ip(request) -> str:
    """The client's address ("" when the server gave none)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= proxies:
            address = _parse(forwarded[-proxies])
            if address:
                return address
    return _parse(remote) or remote.strip()[:64]


def client_network(request) -> str:
    """What a rate limit counts: the client's address, or for IPv6 its /64
    (one subscriber's whole network: a client that picks a new address of its
    /64 per request must not get a new allowance each time)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address
