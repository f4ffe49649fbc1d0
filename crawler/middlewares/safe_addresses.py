"""Refuse requests that would reach another scheme than http(s), or a non-public address.

Checked for every request, whoever made it (spider, redirect, robots.txt): the scheme, then
the host's addresses (IP literal or resolved name, every address it resolves to), and once a
response arrives the address actually connected to, so a name whose DNS answer changed
between the check and the connection (DNS rebinding) is caught too. Hosts the user named
are not checked. Links a page yields are checked earlier, without DNS, by
:class:`~crawler.middlewares.safe_links.SafeLinksMiddleware`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.httpobj import urlparse_cached

from crawler.middlewares.safety import (
    HostResolver,
    RefusedRequest,
    address_refusal,
    link_refusal,
    literal_address,
    named_hosts,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class SafeAddressMiddleware:
    """Downloader middleware: raise :class:`RefusedRequest` for unsafe requests and responses."""

    def __init__(self, crawler: Crawler, resolver: HostResolver | None = None) -> None:
        self.crawler = crawler
        self.resolver = resolver or HostResolver()
        self._named: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeAddressMiddleware:
        return cls(crawler)

    @property
    def named(self) -> frozenset[str]:
        """Hosts the user named; read once the spider is there."""
        if self._named is None:
            self._named = named_hosts(self.crawler.spider)
        return self._named

    async def process_request(self, request: Request) -> None:
        reason = await self.refusal(request)
        if reason:
            self._refuse(request, reason, "request")

    def process_response(self, request: Request, response: Response) -> Response:
        host = (urlparse_cached(request).hostname or "").lower()
        ip = response.ip_address
        if ip is None or host in self.named:
            return response
        reason = address_refusal(ip)
        if reason:
            self._refuse(request, f"{host} connected to {reason}", "response")
        return response

    async def refusal(self, request: Request) -> str | None:
        """Why ``request`` may not be sent, or ``None``."""
        reason = link_refusal(request.url, self.named)
        host = (urlparse_cached(request).hostname or "").lower()
        if reason or host in self.named or literal_address(host) is not None:
            return reason
        for ip in await self.resolver.addresses(host):
            reason = address_refusal(ip)
            if reason:
                return f"{host} resolves to {reason}"
        return None

    def _refuse(self, request: Request, reason: str, stage: str) -> None:
        logger.warning("Refused %s: %s", request.url, reason)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"safety/refused_{stage}s")
        raise RefusedRequest(reason)
