"""What the crawler may request: http(s) only, and public addresses unless the user named the host.

Shared by :class:`~crawler.middlewares.safe_links.SafeLinksMiddleware` (links a page yields,
checked before they are scheduled) and
:class:`~crawler.middlewares.safe_addresses.SafeAddressMiddleware` (every request, host names
resolved, and the address actually connected to). Hosts the user named (the spider's
``allowed_domains``, taken from ``start`` and ``urls``, and the ``ARCHIVE_ALLOWED_HOSTS``
setting) may be anything, loopback included: that is how the replica site is crawled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.addresses import (  # the rules themselves; here, the crawl's use of them
    ALLOWED_SCHEMES,
    IPAddress,
    address_refusal,
    is_localhost_name,
    link_refusal,
    literal_address,
    resolve,
    scheme_refusal,
)
from extraction.items import ROLE_REFUSED, PageItem

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.settings import BaseSettings

__all__ = [
    "ALLOWED_SCHEMES",
    "HostResolver",
    "IPAddress",
    "RefusedRequest",
    "address_refusal",
    "allowed_hosts",
    "is_localhost_name",
    "link_refusal",
    "literal_address",
    "named_hosts",
    "refused_item",
    "scheme_refusal",
]


class RefusedRequest(IgnoreRequest):
    """A request refused for safety; its message is the reason (``private address 10.0.0.1``)."""


def refused_item(url: str, reason: str) -> PageItem:
    """The item recording a request refused for ``reason``: a ``refused`` fetch row."""
    return PageItem(url=url, role=ROLE_REFUSED, error=f"refused: {reason}")


def named_hosts(spider: Spider | None) -> frozenset[str]:
    """Host names the user named, lower-cased: the spider's ``allowed_domains`` and the
    ``ARCHIVE_ALLOWED_HOSTS`` setting of its crawler (where the debugging commands name the
    host of their URL, whatever the spider)."""
    domains: Iterable[str] = getattr(spider, "allowed_domains", None) or ()
    crawler = getattr(spider, "crawler", None)
    allowed = allowed_hosts(crawler.settings) if crawler is not None else ()
    return frozenset(d.lower().strip("[]") for d in (*domains, *allowed) if d)


def allowed_hosts(settings: BaseSettings) -> list[str]:
    """The ``ARCHIVE_ALLOWED_HOSTS`` setting: a list, or names separated by commas."""
    return [host.strip() for host in settings.getlist("ARCHIVE_ALLOWED_HOSTS") if host.strip()]


class HostResolver:
    """Addresses of host names, looked up once per crawl in a thread (getaddrinfo blocks).

    A name that cannot be resolved has no addresses: its download fails with its own error.
    """

    def __init__(self, max_hosts: int = 10_000) -> None:
        self.max_hosts = max_hosts
        self._cache: dict[str, tuple[IPAddress, ...]] = {}

    async def addresses(self, host: str) -> tuple[IPAddress, ...]:
        cached = self._cache.get(host)
        if cached is not None:
            return cached
        d: Any = deferToThread(resolve, host)
        found: tuple[IPAddress, ...] = await maybe_deferred_to_future(d)
        if len(self._cache) >= self.max_hosts:
            self._cache.pop(next(iter(self._cache)))
        self._cache[host] = found
        return found
