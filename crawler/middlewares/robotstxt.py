"""robots.txt, obeyed by every request, including those that wait for it to download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.http import Request
    from scrapy.robotstxt import RobotParser


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware, with each waiting request getting the parser.

    Scrapy (2.13 and later) lets every request that arrives while robots.txt downloads await
    one shared Deferred. The first awaiter's callback swallows the parser, so the others get
    ``None``, which Scrapy reads as "no robots.txt, allow everything": with a few start URLs,
    disallowed pages were fetched. Here each waiter chains a Deferred of its own.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            mine.callback(result)
            return result

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
