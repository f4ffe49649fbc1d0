"""Refuse links a page yields that lead to other schemes or to non-public addresses.

A refused link is never scheduled: it becomes a ``refused`` item (``PageItem`` with role
``refused`` and the reason in ``error``), which the store pipeline records as a ``fetches``
row. Only what can be told without DNS is checked here (scheme, IP literals, ``localhost``);
names are resolved when requested, by
:class:`~crawler.middlewares.safe_addresses.SafeAddressMiddleware`. Start requests are the
user's own and are not checked here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request

from crawler.middlewares.safety import link_refusal, named_hosts, refused_item

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class SafeLinksMiddleware:
    """Spider middleware: unsafe requests in the spider output become ``refused`` items."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._named: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeLinksMiddleware:
        return cls(crawler)

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any]
    ) -> Iterable[Any]:
        for each in result:
            yield self.checked(each)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for each in result:
            yield self.checked(each)

    def checked(self, output: Any) -> Any:
        """``output`` itself, or a ``refused`` item in place of an unsafe request."""
        if not isinstance(output, Request):
            return output
        if self._named is None:
            self._named = named_hosts(self.crawler.spider)
        reason = link_refusal(output.url, self._named)
        if reason is None:
            return output
        logger.info("Refused link %s: %s", output.url, reason)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("safety/refused_links")
        return refused_item(output.url, reason)
