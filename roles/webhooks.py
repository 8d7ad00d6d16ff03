"""Which webhook URLs we will call: one check, used where a pack is saved and at send time.

A webhook URL must be https, carry no credentials, and reach only global addresses. Where a
pack is saved (the validator, so the import, the API and Publish; the admin's field
validator) :func:`webhook_url_parse` checks the URL itself: its scheme, its host, and a
literal address in any spelling the resolver accepts (``127.1``, ``2130706433``, ``[::1]``).
At send time :func:`webhook_url_check` does the same and resolves the name, refusing it if
any address it resolves to is refused (a DNS answer may have changed since the pack was
saved); the caller then connects to the address checked.

An address is refused when it is not global (loopback, private, link-local, multicast,
reserved, unspecified, documentation, the metadata addresses), and so is an IPv6 address
that embeds a refused IPv4 address: IPv4-mapped (``::ffff:0:0/96``), IPv4-compatible
(``::/96``), 6to4 (``2002::/16``), NAT64 (``64:ff9b::/96``, ``64:ff9b:1::/48``) and Teredo
(``2001::/32``, server and client). A NAT64 or 6to4 address of a public IPv4 address is
accepted (an IPv6-only network reaches the public internet through it): both are judged by
the IPv4 address they carry alone, since Python releases disagree on whether ``2002::/16``
itself is private (3.11.2 says so, 3.11.7 does not).

``settings.WEBHOOK_ALLOWED_HOSTS`` opens named hosts (for local testing) and
``settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS`` lets those, and only those, use http.
See docs/security.md ("Outgoing requests").
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
NAT64_NETWORKS = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class WebhookUrlError(ValueError):
    """The webhook URL is not one we will call; the message says why."""


@dataclass(frozen=True)
class ParsedUrl:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    allowed: bool  # named in WEBHOOK_ALLOWED_HOSTS
    literal: Address | None  # the host is an address, not a name


@dataclass(frozen=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the resolved address the connection will be pinned to
    path: str


def embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    found = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in network for network in NAT64_NETWORKS):
        found.append(low32)
    elif address in IPV4_COMPATIBLE and int(address) > 1:
        found.append(low32)
    return found


def _nat64(address: Address) -> bool:
    return isinstance(address, ipaddress.IPv6Address) and any(
        address in network for network in NAT64_NETWORKS
    )


def _sixtofour(address: Address) -> bool:
    return isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None


def _not_global(address: Address) -> bool:
    return (
        address in METADATA_ADDRESSES
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def address_refused(address: Address) -> bool:
    """True for an address no webhook may reach (see the module's docstring)."""
    inner = embedded_ipv4(address)
    if any(_not_global(v4) for v4 in inner):
        return True
    if _nat64(address) or _sixtofour(address):
        return False  # decided by the IPv4 address it carries, checked above
    return _not_global(address)


def _allowed_hosts() -> set[str]:
    return {host.lower() for host in settings.WEBHOOK_ALLOWED_HOSTS}


def _literal(host: str, port: int) -> Address | None:
    """The address ``host`` spells, in any form the resolver reads without a lookup."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(infos[0][4][0].split("%", 1)[0])


def webhook_url_parse(url: str) -> ParsedUrl:
    """Check a webhook URL without looking its name up; WebhookUrlError says why it is
    refused. Used where a pack is saved."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlError(f"webhook URL is malformed: {exc}") from exc
    host = (parts.hostname or "").lower()
    if not host:
        raise WebhookUrlError("webhook URL has no host")
    if parts.username or parts.password:
        raise WebhookUrlError("webhook URL must not carry credentials")
    allowed = host in _allowed_hosts()
    if parts.scheme != "https" and not (
        parts.scheme == "http" and allowed and settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS
    ):
        raise WebhookUrlError("webhook URL must use https")
    port = port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host, port)
    if not allowed:
        if literal is not None and address_refused(literal):
            raise WebhookUrlError(f"webhook URL points to a non-public address ({literal})")
        if host == "localhost" or host.endswith(".localhost"):
            raise WebhookUrlError("webhook URL points to a non-public address (localhost)")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return ParsedUrl(
        url=url,
        scheme=parts.scheme,
        host=host,
        port=port,
        path=path,
        allowed=allowed,
        literal=literal,
    )


def webhook_url_check(url: str) -> CheckedUrl:
    """:func:`webhook_url_parse`, then resolve the host: every address it resolves to must
    be allowed. Used at send time; the connection is pinned to ``address``."""
    parsed = webhook_url_parse(url)
    try:
        infos = socket.getaddrinfo(parsed.host, parsed.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlError(f"webhook host {parsed.host!r} does not resolve") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not parsed.allowed and address_refused(address):
            raise WebhookUrlError(
                f"webhook host {parsed.host!r} resolves to a non-public address ({address})"
            )
        addresses.append(address)
    if not addresses:
        raise WebhookUrlError(f"webhook host {parsed.host!r} does not resolve")
    return CheckedUrl(
        url=url,
        scheme=parsed.scheme,
        host=parsed.host,
        port=parsed.port,
        address=str(addresses[0]),
        path=parsed.path,
    )


def webhook_url_validator(url: str) -> None:
    """The model field's validator (the admin's form): the save-time check."""
    if not url:
        return
    try:
        webhook_url_parse(url)
    except WebhookUrlError as exc:
        raise ValidationError(str(exc), code="webhook_url") from exc
