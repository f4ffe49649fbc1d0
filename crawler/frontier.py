"""The crawl's frontier: which article URLs a run fetches, and the record that lets it resume.

The spider passes every article request it is about to yield through :meth:`admit`, which:

- keeps one request per URL per crawl (by Scrapy's request fingerprint, as the dupefilter);
- drops archived articles that are not due for a visit (``articles.next_visit_at``), unless
  forced (start URLs, resumed rows, due articles), the run revisits everything
  (``-a revisit=all``), or the page they were found on dates them later than the archive's
  copy (a sitemap's ``<lastmod>``, a feed item's date, in request meta ``LASTMOD``: see
  :func:`archive.revisit.modified_after`; stat ``archive/frontier/modified``); those dropped
  are counted (stat ``archive/frontier/not_due``), and one dropped may still be admitted when
  found again with such a date;
- asks the server whether an archived article changed since its last fetch (``If-None-Match``
  / ``If-Modified-Since`` from the validators kept in ``frontier``; a 304 is then accepted);
- commits the requests as ``pending`` ``frontier`` rows before returning them, so before the
  page they were found on is stored (its own row ``done``): a process killed at any moment
  leaves every URL it meant to fetch pending, and the next run fetches those first.

Discovery pages (home, rubriques, robots.txt, sitemaps, feed) are not resumed: every run starts
its discovery again. Their validators are kept (a ``done`` row of kind ``discovery``) but only
sent for the sitemaps an index lists (the monthly article sitemaps) and the feed: a 304 there
loses nothing, since every article they listed was pending or archived before the validators
were stored. Never for an index, whose unchanged answer says nothing of the sitemaps it lists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archive import Archive, FrontierEntry, KnownArticle
from archive.revisit import modified_after, parse_time
from archive.store import utc_now
from crawler.session import session_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

#: Request meta key: "Lire aussi" hops from a discovery page.
HOP = "related_hop"
#: Status a conditional request may answer, passed to the callback.
NOT_MODIFIED = 304
#: Request meta key: when the page that listed the article says it was last modified.
LASTMOD = "lastmod"

STAT_PREFIX = "archive/frontier/"


def origin_of(url: str) -> str:
    """``scheme://host:port/`` of a URL: the part of the archive a discovery crawl covers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class CrawlFrontier:
    """One crawl's view of the archive: what is archived, due, pending, and since when."""

    def __init__(
        self, crawler: Crawler, *, revisit_all: bool, start: str | None, site: str | None = None
    ) -> None:
        self.crawler = crawler
        self.revisit_all = revisit_all
        self.start = start
        """The spider's ``start`` argument: discovery crawls from it are comparable."""
        self.site = site
        """The spider's ``site`` argument: so are those of the same sites."""
        self._seen: set[bytes] = set()
        """Fingerprints of the requests admitted in this crawl."""
        self._not_due: set[bytes] = set()
        """Fingerprints of archived articles found but not due (not yet admitted)."""
        self._last_finished: dict[str, Any] | None = None
        self._last_finished_read = False

    @property
    def archive(self) -> Archive:
        return session_for(self.crawler).archive

    @property
    def crawl_id(self) -> int:
        return session_for(self.crawler).crawl_id

    def _count(self, name: str, count: int = 1) -> None:
        if self.crawler.stats is not None and count:
            self.crawler.stats.inc_value(STAT_PREFIX + name, count)

    # -- what to fetch -------------------------------------------------------------------

    def admit(
        self, requests: Iterable[Request], *, referer: str | None, force: bool = False
    ) -> list[Request]:
        """The article requests to send, recorded ``pending`` (see the module documentation).

        ``force``: fetch archived articles whether due or not (start URLs, resumed rows).
        """
        limit = self.crawler.settings.getint("URLLENGTH_LIMIT")
        # Scrapy drops longer URLs silently (UrlLengthMiddleware): never record them pending.
        fresh: dict[bytes, Request] = {}
        for request in requests:
            if limit and len(request.url) > limit:
                continue
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
            if fingerprint not in self._seen:
                fresh.setdefault(fingerprint, request)
        if not fresh:
            return []
        known = self.archive.known_articles(r.url for r in fresh.values())
        now = utc_now()
        admitted: list[Request] = []
        for fingerprint, request in fresh.items():
            article = known.get(request.url)
            if article is not None and not (force or self.revisit_all or article.due(now)):
                if not self._modified(request, article):
                    if fingerprint not in self._not_due:
                        self._not_due.add(fingerprint)
                        self._count("not_due")
                    continue
                self._count("modified")
            if fingerprint in self._not_due:  # left alone earlier in this crawl: not now
                self._not_due.discard(fingerprint)
                self._count("not_due", -1)
            if article is not None:
                self.conditional(request)
            self._seen.add(fingerprint)
            admitted.append(request)
        entries = [
            FrontierEntry(url=r.url, hop=int(r.meta.get(HOP, 0)), referer=referer) for r in admitted
        ]
        session = session_for(self.crawler)
        session.write("add_to_frontier", entries, crawl_id=session.crawl_id)
        self._count("admitted", len(admitted))
        return admitted

    @staticmethod
    def _modified(request: Request, article: KnownArticle) -> bool:
        """Whether the listing the request comes from dates the article later than the
        archive's copy (its ``LASTMOD`` meta; see :func:`archive.revisit.modified_after`)."""
        lastmod = request.meta.get(LASTMOD)
        if not lastmod:
            return False
        dates = (article.published_at, article.modified_at)
        return modified_after(lastmod, dates, article.last_seen_at)

    def conditional(self, request: Request) -> Request:
        """Ask only for a changed page: validators kept from the last fetch of the URL, and
        a 304 let through to the callback. Unchanged when none were kept."""
        etag, last_modified = self.archive.validators(request.url)
        if etag is None and last_modified is None:
            return request
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        allowed = list(request.meta.get("handle_httpstatus_list", ()))
        request.meta["handle_httpstatus_list"] = [*allowed, NOT_MODIFIED]
        self._count("conditional")
        return request

    def conditional_discovery(self, request: Request) -> Request:
        """:meth:`conditional` for a sitemap an index lists or the feed, except when revisiting
        all."""
        return request if self.revisit_all else self.conditional(request)

    def wanted(self, url: str) -> bool:
        """Whether an article URL is worth a fetch: not archived, due, or revisiting all."""
        if self.revisit_all:
            return True
        article = self.known([url]).get(url)
        return article is None or article.due(utc_now())

    def known(self, urls: Iterable[str]) -> dict[str, KnownArticle]:
        """The archived article each URL leads to (URLs of none left out)."""
        return self.archive.known_articles(urls)

    # -- what to start with --------------------------------------------------------------

    def pending(self, root: str) -> list[dict[str, Any]]:
        """Article rows left pending by earlier crawls of ``root``'s site, oldest first."""
        rows = self.archive.pending_frontier(origin_of(root))
        self._count("resumed", len(rows))
        if rows:
            logger.info("Resuming %d pending URLs left by earlier crawls", len(rows))
        return rows

    def due(self, root: str) -> list[str]:
        """URLs of the archived articles of ``root``'s site due for a visit (all of them when
        revisiting all)."""
        urls = self.archive.due_articles(origin_of(root), every=self.revisit_all)
        self._count("due", len(urls))
        return urls

    # -- what discovery may skip ---------------------------------------------------------

    @property
    def last_finished(self) -> dict[str, Any] | None:
        """The latest finished discovery crawl from the same start (``None``: none yet)."""
        if not self._last_finished_read:
            spider = self.crawler.spider
            name = spider.name if spider is not None else "?"
            self._last_finished = self.archive.last_finished_crawl(name, self.start, self.site)
            self._last_finished_read = True
        return self._last_finished

    def listing_is_archived(self, urls: list[str]) -> bool:
        """Whether paging through a listing (newest first) can stop at a page with these
        articles: every one archived, one of them by the last finished crawl or before, so
        the older pages were all seen complete. Never when revisiting all."""
        last = self.last_finished
        if self.revisit_all or last is None or not urls:
            return False
        known = self.known(urls)
        if len(known) < len(set(urls)):
            return False
        first_crawls = [a.first_crawl_id for a in known.values() if a.first_crawl_id is not None]
        stop = any(crawl_id <= int(last["id"]) for crawl_id in first_crawls)
        if stop:
            self._count("listing_stops")
        return stop

    def sitemap_unchanged(self, lastmod: str | None) -> bool:
        """Whether a sitemap whose ``lastmod`` (from the index) is older than the last finished
        crawl's start can be skipped. A date without a time counts as its end."""
        last = self.last_finished
        if self.revisit_all or last is None or not lastmod:
            return False
        modified = parse_time(lastmod)
        started = parse_time(last["started_at"])
        if modified is None or started is None:
            return False
        if len(lastmod.strip()) == len("YYYY-MM-DD"):
            modified += timedelta(days=1)
        skip = modified < started
        if skip:
            self._count("sitemaps_skipped")
        return skip
