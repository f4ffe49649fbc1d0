"""Which addresses a request may go to: the rules the crawl and ``archive extract`` share.

No request goes, without the user naming its host, to a loopback, private, link-local, ...
address (an IPv6 address carrying one included), nor to a scheme other than http(s). Pure
functions, no Scrapy: the crawl's safety middlewares (``crawler.middlewares.safety``) and the
one-page fetcher (:mod:`archive.fetch`) both judge with them.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 behind a NAT64 gateway (RFC 6052)


def is_localhost_name(host: str) -> bool:
    """``localhost`` and its subdomains, which always resolve to loopback (RFC 6761)."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal stands for, else ``None``."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where it leads."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_kind(ip: IPAddress) -> str | None:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (CGNAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why an address may not be requested (``private address 10.0.0.1``); ``None`` if public."""
    inner = _embedded_ipv4(ip)
    kind = _address_kind(ip if inner is None else inner)
    return None if kind is None else f"{kind} address {ip}"


def scheme_refusal(url: str) -> str | None:
    """Why a URL's scheme may not be requested (``scheme file: is not http(s)``), or ``None``."""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in ALLOWED_SCHEMES:
        return None
    return f"scheme {scheme}: is not http(s)" if scheme else "no scheme"


def link_refusal(url: str, named: frozenset[str]) -> str | None:
    """Why a URL may not be requested, as far as can be told without DNS; ``None`` if it may.

    Refused: schemes other than http(s), and hosts the user did not name that are loopback,
    private, link-local, ... IP literals or ``localhost`` names. Other host names are resolved
    when requested (``crawler.middlewares.safe_addresses.SafeAddressMiddleware``, and
    :func:`resolve` in ``archive extract``).
    """
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. an unbalanced "[" in the netloc
        return "malformed URL"
    reason = scheme_refusal(url)
    if reason:
        return reason
    if not host:
        return "no host"
    if host in named:
        return None
    if is_localhost_name(host):
        return f"loopback address {host}"
    ip = literal_address(host)
    return address_refusal(ip) if ip is not None else None


def resolve(host: str) -> tuple[IPAddress, ...]:
    """The addresses a host name stands for, each once; none when it does not resolve (the
    request then fails on its own, with its own error). Blocks: call it off an event loop."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return ()  # the download fails on its own, with its own error
    found: dict[IPAddress, None] = {}
    for info in infos:
        ip = literal_address(str(info[4][0]))
        if ip is not None:
            found[ip] = None
    return tuple(found)
