"""robots.txt as RFC 9309 has it, obeyed by every request, with its Crawl-delay honoured.

What Scrapy's own middleware does differently, and why this one replaces it:

- A robots.txt that cannot be fetched, or answers 429 or 5xx, means *disallow everything*
  (RFC 9309 2.3.1.3 and 2.3.1.4); Scrapy allowed everything. Other 4xx mean there is none:
  everything is allowed (2.3.1.3). The host's requests are refused (``skipped``) with the
  reason: ``Forbidden by robots.txt (unreachable: HTTP 503)``.
- Redirects are followed up to 5 hops (2.3.1.2), even to another host; more than that counts
  as no robots.txt.
- Crawl-delay for our user agent (or ``*``) becomes the host's least delay between requests
  (:meth:`HostDelayMiddleware.set_crawl_delay`); Scrapy ignores it. One over
  ``ARCHIVE_CRAWL_DELAY_MAX`` seconds refuses the host instead: we never go faster than a
  site asks, and do not let one site hold a crawl for hours.
- Every request that arrives while robots.txt downloads gets the parser. Scrapy (2.13 and
  later) lets them all await one shared Deferred whose first awaiter swallows the parser, so
  the others got ``None``, read as "allow everything": with a few start URLs, disallowed
  pages were fetched. Here each waiter chains a Deferred of its own.

And what the spider's discovery needs of it: the ``Sitemap:`` lines, sent with the signal
:data:`robots_sitemaps` once a host's robots.txt is read, so that the one fetch of robots.txt
serves both (Scrapy's ``robots_parsed`` carries the parser only, which keeps no such lines).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.internet.defer import Deferred

from crawler.middlewares.host_delay import HostDelayMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Redirects followed from /robots.txt (RFC 9309: at least five).
MAX_REDIRECTS = 5

#: Signal sent once a host's robots.txt is read, after Scrapy's ``robots_parsed``, with
#: ``sitemaps``: the absolute URLs its ``Sitemap:`` lines name, in order (none when it could
#: not be read, or had none), and ``request``: the request that needed it.
robots_sitemaps = object()


class RefusingRobots(RobotParser):
    """Stands for a robots.txt that disallows everything for a ``reason`` of ours."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> RefusingRobots:
        return cls("disallow all")

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware, reading fetch failures and Crawl-delay as RFC 9309 says."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("ARCHIVE_CRAWL_DELAY_MAX", 60.0)
        self._sitemaps: dict[str, list[str]] = {}
        """``Sitemap:`` lines of the robots.txt being read, by host, until they are sent."""

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        if not isinstance(rp, RefusingRobots):
            super().process_request_2(rp, request)
            return
        logger.debug("Forbidden by robots.txt (%s): %s", rp.reason, request)
        self._stats.inc_value("robotstxt/forbidden")
        raise IgnoreRequest(f"Forbidden by robots.txt ({rp.reason})")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = _authority(request)
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            try:
                parser = await self._fetch_parser(request, netloc)
            except Exception as exc:  # never leave the requests waiting for it hanging
                logger.exception("Error reading the robots.txt of %s", netloc)
                parser = self._refusing(netloc, f"unreadable: {type(exc).__name__}")
            self._stats.inc_value("robotstxt/request_count")
            await self.crawler.signals.send_catch_log_async(
                signal=signals.robots_parsed, robotparser=parser, request=request
            )
            sitemaps = self._sitemaps.pop(netloc, [])
            if isinstance(parser, RefusingRobots):
                sitemaps = []  # nothing of the host is fetched, its sitemaps neither
            await self.crawler.signals.send_catch_log_async(
                signal=robots_sitemaps, sitemaps=sitemaps, request=request
            )
            waiting = self._parsers[netloc]
            self._parsers[netloc] = parser
            assert isinstance(waiting, Deferred)
            waiting.callback(parser)
            return parser
        found = self._parsers[netloc]
        if not isinstance(found, Deferred):
            return found
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            mine.callback(result)
            return result

        found.addCallback(relay)
        return await maybe_deferred_to_future(mine)

    async def _fetch_parser(self, request: Request, netloc: str) -> RobotParser:
        """The parser for ``netloc``'s robots.txt, whatever happens fetching it."""
        url = f"{urlparse_cached(request).scheme}://{netloc}/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            robots_request = Request(
                url,
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True, "dont_redirect": True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots_request)
            except Exception as exc:
                self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
                logger.info("robots.txt of %s could not be fetched: %r", netloc, exc)
                return self._refusing(netloc, f"unreachable: {type(exc).__name__}")
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            location = response.headers.get(b"Location")
            if 300 <= response.status < 400 and location:
                url = response.urljoin(location.decode("latin-1"))
                continue
            return self._parser_for(response, request, netloc)
        logger.warning(
            "robots.txt of %s redirects more than %d times: taken as none", netloc, MAX_REDIRECTS
        )
        return self._parse(b"")

    def _parser_for(self, response: Response, request: Request, netloc: str) -> RobotParser:
        status = response.status
        if 200 <= status < 300:
            sitemaps = sitemap_urls_from_robots(response.body, base_url=response.url)
            self._sitemaps[netloc] = list(dict.fromkeys(sitemaps))
            parser = self._parse(response.body)
            return self._with_crawl_delay(parser, request, netloc)
        if 400 <= status < 500 and status != 429:
            return self._parse(b"")  # "unavailable": no rules at all
        return self._refusing(netloc, f"unreachable: HTTP {status}")

    def _with_crawl_delay(self, parser: RobotParser, request: Request, netloc: str) -> RobotParser:
        delay = parser.crawl_delay(self._user_agent(request))
        if not delay or delay <= 0:
            return parser
        if delay > self.max_crawl_delay:
            limit = self.max_crawl_delay
            reason = f"Crawl-delay {delay:g} s is over ARCHIVE_CRAWL_DELAY_MAX ({limit:g} s)"
            return self._refusing(netloc, reason)
        delays = self.crawler.get_downloader_middleware(HostDelayMiddleware)
        if delays is None:
            logger.error("HostDelayMiddleware is disabled: Crawl-delay of %s ignored", netloc)
            return parser
        logger.info("robots.txt of %s asks for a Crawl-delay of %g s", netloc, delay)
        delays.set_crawl_delay(delays.slot_key(request), delay)
        return parser

    def _parse(self, body: bytes) -> RobotParser:
        parser: RobotParser = build_from_crawler(self._parserimpl, self.crawler, body)
        return parser

    def _refusing(self, netloc: str, reason: str) -> RefusingRobots:
        logger.warning("robots.txt of %s: %s; nothing there will be fetched", netloc, reason)
        self._stats.inc_value("robotstxt/disallow_all")
        return RefusingRobots(reason)

    def _user_agent(self, request: Request) -> str | bytes:
        agent: str | bytes | None = self._robotstxt_useragent or request.headers.get(
            b"User-Agent", self._default_useragent
        )
        return agent or self._default_useragent


def _authority(request: Request) -> str:
    """Host and port of the request, without any user:password."""
    parts = urlparse_cached(request)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host
