"""The generic news spider: discovers the articles of declared sites (or of any site, read by
the generic page object) and follows their "Lire aussi" links.

Arguments (``-a name=value``):

- ``site=NAME[,NAME...]``: declared sites (``extraction.sites``, plus those the modules of the
  ``ARCHIVE_SITE_MODULES`` setting declare), each discovered from its home page.
- ``start=URL[,URL...]``: roots to discover from, each read as the ``site`` at the same
  position if given (``-a site=sputnik -a start=http://127.0.0.1:PORT/``: a replica crawled as
  Sputnik), else as the declared site serving its host, else as an undeclared site named after
  its host (generic page object and paths). Discovery of a root, as its site declares: the home
  page and the listings it links, robots.txt ``Sitemap:`` lines (read from the robots.txt the
  robots.txt middleware fetches anyway, or fetched for them when robots.txt is not obeyed), its
  sitemaps and news sitemaps, its feeds, its listing pages.
- ``urls=URL[,URL...]``: exactly these article pages, no discovery; each read as the site of
  its root's host, else its declared site, else the only site ``site`` names (a replica's
  pages crawled as that site), else undeclared.
- ``related_depth=N``: "Lire aussi" hops to follow from each article (default 1, 0 for none).
- ``follow_sites=crawl|any``: "Lire aussi" links to a site that is none of the crawl's are
  ``refused`` fetch rows (``crawl``, the default) or followed (``any``); a link to another
  host of one of the crawl's sites is left to Scrapy's offsite filter.
- ``since=YYYY-MM-DD``: discover only articles published that day or later (by the date
  their URL carries): dated sitemaps that end before it are not asked for, older articles
  of listings, sitemaps and the feed are left out, rubrique paging stops at a page of older
  ones. ``urls``, "Lire aussi" links and the archived articles due again are not filtered.
- ``revisit=due|all``: fetch archived articles only when due by the revisit schedule (default;
  setting ``ARCHIVE_REVISIT``), or all of them.

An empty one (``-a urls=``, ``-a start=``, ``-a site=``) is refused rather than taken for
none. Every article is stored with the name of the site it was read as (``articles.site``),
by that site's page object unless ``ARCHIVE_PAGE_CLASS`` names one for all.

Sitemaps as the Sputnik platform publishes them (the legacy sputniknews.com as the current
sputnikglobe.com and fr.sputniknews.africa, the platform of ria.ru): an article sitemap index
(``/sitemap_article_index.xml``, also named in robots.txt) whose entries are monthly sitemaps
``/sitemap_article.xml?date_start=20200401&date_end=20200430`` (the current month's ends on its
latest day) listing the articles with their ``<lastmod>``; any other sitemap is read the same.

Incremental runs (see :mod:`crawler.frontier`): a discovery run first fetches what earlier
runs left pending, then the archived articles of the site that are due, then discovers as
usual; an archived article found there is fetched only when due, or when a sitemap's
``<lastmod>`` for it (a feed item's date) is later than the archive's copy: that is how an
edit to an older article is found (``urls`` are always fetched). Paging through a rubrique
stops at a page of articles all archived by then, edited or not. The sitemaps of an index whose
``<lastmod>`` there is older than the last finished crawl are skipped, but for the newest
dated one (the current month's, still growing); the others are asked for with the validators
of their last answer, so an unchanged one answers 304.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from archive import RevisitSchedule
from archive.reparse import charset
from archive.revisit import REVISIT_ALL, REVISIT_MODES
from archive.urls import canonical_key
from crawler.frontier import (
    HOP,
    LASTMOD,
    NOT_MODIFIED,
    CrawlFrontier,
)
from crawler.middlewares.credentials import take_credentials
from crawler.middlewares.redaction import redact
from crawler.middlewares.robotstxt import robots_sitemaps
from crawler.middlewares.safety import (
    RefusedRequest,
    allowed_hosts,
    link_refusal,
    named_hosts,
    refused_item,
)
from crawler.photos import PhotoFetcher, photo_failure, photo_item
from crawler.session import archiving
from extraction.items import (
    GONE_REDIRECT,
    ROLE_ALIAS,
    ROLE_ARTICLE,
    ROLE_DISCOVERY,
    ROLE_FAILURE,
    ROLE_PHOTO,
    ROLE_SKIPPED,
    Article,
    PageItem,
)
from extraction.pages.base import MAX_BODY_IMAGES, ArticlePage
from extraction.pages.choice import extractor_version, page_class_for
from extraction.sites import Site
from extraction.sites.bindings import (
    FOLLOW_ANY,
    FOLLOW_CRAWL,
    FOLLOW_MODES,
    BadBinding,
    Bindings,
    Root,
    bind,
    declared,
    load_site_modules,
    split_names,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ROBOTS_PATH = "/robots.txt"
#: Query parameters giving the last day (``YYYYMMDD``) a dated sitemap covers: ``date_end`` of
#: the monthly ones (``/sitemap_article.xml?date_start=20200401&date_end=20200430``), ``date``
#: of the daily ones of the legacy platform (``/sitemap_article_index.xml?date=20170621``).
SITEMAP_END_PARAMETERS = ("date_end", "date")
_DAY = re.compile(r"\d{8}")
ALIASES = "alias_urls"

#: A feed item's dates, by preference (namespaces removed): Atom's and Dublin Core's update
#: dates, then RSS's publication date.
FEED_DATES = ("updated", "modified", "pubDate")

#: Statuses that mean an article was taken down, not that the site had a bad moment.
GONE_STATUSES = frozenset({404, 410, 451})
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Redirects followed from one article URL before it counts as a redirect loop.
MAX_REDIRECTS = 5


class BadSpiderArgument(ValueError):
    """A spider argument that cannot be used; the crawl is refused before it starts."""


def _split_urls(value: str) -> list[str]:
    urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        # Not "no urls": without them the spider would crawl the live site.
        raise BadSpiderArgument("urls is empty: give at least one http(s) URL")
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadSpiderArgument(f"urls: not an http(s) URL: {url!r}")
    return urls


def _parse_depth(value: str | int) -> int:
    try:
        depth = int(value)
    except (TypeError, ValueError):
        raise BadSpiderArgument(f"related_depth must be an integer >= 0, got {value!r}") from None
    if depth < 0:
        raise BadSpiderArgument(f"related_depth must be an integer >= 0, got {value!r}")
    return depth


def _parse_revisit(value: str | None) -> str | None:
    if value is not None and value not in REVISIT_MODES:
        raise BadSpiderArgument(f"revisit must be one of {', '.join(REVISIT_MODES)}, got {value!r}")
    return value


def _parse_since(value: str | None) -> str | None:
    """``since`` as ``YYYYMMDD`` (the form of sitemap and URL dates); ``None`` when not given."""
    if value is None:
        return None
    text = value.strip()
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, form).strftime("%Y%m%d")
        except ValueError:
            continue
    raise BadSpiderArgument(f"since must be a date YYYY-MM-DD, got {value!r}")


def _feed_date(dates: list[str | None]) -> str | None:
    """The first of a feed item's dates (``FEED_DATES`` order) it has."""
    for date in dates:
        if date and date.strip():
            return date.strip()
    return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def sitemap_end(url: str) -> str | None:
    """The last day (``YYYYMMDD``) a dated sitemap covers, from its URL (see
    ``SITEMAP_END_PARAMETERS``); ``None`` for an undated one."""
    query = parse_qs(urlsplit(url).query)
    for name in SITEMAP_END_PARAMETERS:
        values = query.get(name)
        if values and _DAY.fullmatch(values[0]):
            return values[0]
    return None


def _authority(url: str) -> tuple[str | None, int | None]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _split_starts(start: str | None) -> list[str]:
    """The roots of ``-a start=URL[,URL...]``; none when not given."""
    if start is None:
        return []
    starts = [u.strip() for u in start.split(",") if u.strip()]
    if not starts:
        raise BadSpiderArgument("start is empty: give the http(s) URL of the site's root")
    for url in starts:
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadSpiderArgument(f"start: not an http(s) URL: {url!r}")
    return starts


def _parse_sites(value: str | None) -> list[Site]:
    """The declared sites ``-a site=NAME[,NAME...]`` names (none when not given)."""
    if value is None:
        return []
    names = split_names(value)
    if not names:
        raise BadSpiderArgument("site is empty: give the name of a declared site")
    try:
        return declared(names)
    except BadBinding as error:
        raise BadSpiderArgument(str(error)) from None


def _parse_follow_sites(value: str) -> str:
    if value not in FOLLOW_MODES:
        raise BadSpiderArgument(
            f"follow_sites must be one of {', '.join(FOLLOW_MODES)}, got {value!r}"
        )
    return value


class NewsSpider(scrapy.Spider):
    """Archive the articles of news sites and the related articles they link.

    Arguments (``-a name=value``), besides those documented in this module's docstring:

    - ``site=NAME[,NAME...]``: declared sites (``extraction.sites``), each discovered from its
      home page unless a ``start`` at the same position gives its root (a replica's).
    - ``start=URL[,URL...]``: roots, each read as the ``site`` at its position, else as the
      declared site of its host, else as an undeclared site named after its host.
    - ``follow_sites=crawl|any``: "Lire aussi" links to sites outside the crawl are refused
      (``crawl``, the default) or followed within ``related_depth`` (``any``).

    Without ``site``, ``start`` or ``urls`` there is nothing to crawl: refused.
    """

    name = "news"
    #: The page object of every article page when set (the ``ARCHIVE_PAGE_CLASS`` setting);
    #: ``None``: each article's site's own.
    page_class: type[ArticlePage] | None = None

    def __init__(
        self,
        site: str | None = None,
        start: str | None = None,
        urls: str | None = None,
        related_depth: str | int = 1,
        revisit: str | None = None,
        since: str | None = None,
        follow_sites: str = FOLLOW_CRAWL,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._record_arguments(
            site=site,
            start=start,
            urls=urls,
            related_depth=related_depth,
            revisit=revisit,
            since=since,
            follow_sites=None if follow_sites == FOLLOW_CRAWL else follow_sites,
        )
        # user:password@ never goes into a URL requested or recorded (see credentials.py).
        self.url_credentials: dict[str, tuple[str, str]] = {}
        urls = take_credentials(urls, self.url_credentials)
        start = take_credentials(start, self.url_credentials)
        self.related_depth = _parse_depth(related_depth)
        self.revisit = _parse_revisit(revisit)
        self.since = _parse_since(since)
        self.follow_sites = _parse_follow_sites(follow_sites)
        self._crawl_frontier: CrawlFrontier | None = None
        self.photos: PhotoFetcher | None = None
        """The photo requests of a crawl that keeps photos (``ARCHIVE_IMAGES``)."""
        self._discovering = False
        """Set once discovery starts: a debugging command's run never follows robots.txt."""
        self.article_urls = _split_urls(urls) if urls is not None else []
        self._bind(_parse_sites(site), _split_starts(start))

    def _record_arguments(self, **given: Any) -> None:
        """The arguments as given, recorded in ``crawls.arguments``."""
        self.arguments: dict[str, str] = {k: str(v) for k, v in given.items() if v is not None}

    def _bind(self, named: list[Site], starts: list[str]) -> None:
        """The crawl's roots and sites; ``urls`` alone discover nothing."""
        if not (named or starts or self.article_urls):
            raise BadSpiderArgument("nothing to crawl: give site, start or urls")
        roots = bind(named, starts) if starts or not self.article_urls else []
        self.bindings = Bindings(roots, named, self.article_urls)
        given = [*self.article_urls, *(root.url for root in roots)]
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in given} - {""})

    @property
    def roots(self) -> list[Root]:
        """Where discovery starts, each with its site."""
        return self.bindings.roots

    @property
    def root(self) -> str | None:
        """The first root (``None`` for a crawl of ``urls`` alone)."""
        return self.roots[0].url if self.roots else None

    def site_for(self, url: str) -> Site:
        """The site ``url`` is read as in this crawl (see ``Bindings.site_for``)."""
        return self.bindings.site_for(url)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        settings = crawler.settings
        try:  # before the arguments are read: they may name the sites these declare
            load_site_modules(settings.getlist("ARCHIVE_SITE_MODULES"))
        except BadBinding as error:
            raise BadSpiderArgument(f"ARCHIVE_SITE_MODULES: {error}") from None
        spider = super().from_crawler(crawler, *args, **kwargs)
        _parse_revisit(settings.get("ARCHIVE_REVISIT"))
        try:
            RevisitSchedule.parse(settings.get("ARCHIVE_REVISIT_SCHEDULE"))
        except ValueError as error:
            raise BadSpiderArgument(f"ARCHIVE_REVISIT_SCHEDULE: {error}") from None
        spider._choose_page_class(settings.get("ARCHIVE_PAGE_CLASS"))
        try:
            spider.photos = PhotoFetcher.from_crawler(crawler)
        except NotConfigured:
            spider.photos = None
        except ValueError as error:
            raise BadSpiderArgument(str(error)) from None
        # Hosts named outside the arguments (a debugging command's URL) are the site too:
        # their links are followed, and Scrapy's offsite filter lets them through.
        named = {host.lower() for host in allowed_hosts(settings)}
        spider.allowed_domains = sorted(named.union(spider.allowed_domains))
        crawler.signals.connect(spider.robots_sitemaps, signal=robots_sitemaps)
        return spider

    def _choose_page_class(self, setting: str | None) -> None:
        """The ``ARCHIVE_PAGE_CLASS`` setting, read as ``archive reparse`` and ``archive
        extract`` read ``--page-class`` (one function); unset leaves each site's own."""
        if not setting:
            return
        try:
            self.page_class = page_class_for(setting=setting)
        except ValueError as error:
            raise BadSpiderArgument(f"ARCHIVE_PAGE_CLASS: {error}") from None

    def page_class_for_url(self, url: str) -> type[ArticlePage]:
        """The page object reading ``url``: the spider's when set, else its site's."""
        return self.page_class or self.site_for(url).page_class_at(None)

    # -- the frontier ------------------------------------------------------------------------

    @property
    def frontier(self) -> CrawlFrontier | None:
        """The crawl's frontier; ``None`` for a spider outside a crawl (unit tests) or in a
        run that archives nothing (the debugging commands: every request found is shown)."""
        crawler = getattr(self, "crawler", None)
        if self._crawl_frontier is None and crawler is not None and archiving(crawler):
            mode = self.revisit or crawler.settings.get("ARCHIVE_REVISIT") or "due"
            # Compared with the ``start`` and ``site`` of earlier crawls as stored: redacted.
            given = redact(self.arguments)
            revisit_all = mode == REVISIT_ALL
            self._crawl_frontier = CrawlFrontier(
                crawler, revisit_all=revisit_all, start=given.get("start"), site=given.get("site")
            )
        return self._crawl_frontier

    def _admit(
        self, requests: list[Request], referer: str | None, *, force: bool = False
    ) -> list[Request]:
        """The article requests worth sending, recorded as pending in the frontier."""
        frontier = self.frontier
        if frontier is None:
            return requests
        return frontier.admit(requests, referer=referer, force=force)

    # -- start -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self._start_requests():
            yield request

    def _start_requests(self) -> Iterator[Request]:
        """Pending URLs of earlier runs, the ``urls``, the due articles, then discovery, each
        root's in turn."""
        # Before the first request: robots.txt is read when that one is sent.
        self._discovering = bool(self.roots)
        frontier = self.frontier
        forced: list[Request] = []
        if frontier is not None:
            for root in self.roots:
                pending = frontier.pending(root.url)
                forced += [self._article_request(row["url"], hop=row["hop"]) for row in pending]
        forced += [self._article_request(url, hop=0) for url in self.article_urls]
        if frontier is not None:
            for root in self.roots:
                forced += [self._article_request(url, hop=0) for url in frontier.due(root.url)]
        yield from self._admit(forced, None, force=True)
        for root in self.roots:
            yield from self._discovery_requests(root)

    def _discovery_requests(self, root: Root) -> Iterator[Request]:
        """Discovery of one root, as its site declares: home page, robots.txt (when the
        middleware does not read it), sitemaps, news sitemaps, feeds, listings."""
        yield self._discovery_request(root.url, self.parse_home)
        if not self._obeys_robots_txt():  # else the middleware's robots.txt is read
            yield self._discovery_request(urljoin(root.url, ROBOTS_PATH), self.parse_robots)
        for path in (*root.site.sitemaps, *root.site.news_sitemaps):
            yield self._discovery_request(urljoin(root.url, path), self.parse_sitemap)
        for path in root.site.feeds:
            feed = self._discovery_request(urljoin(root.url, path), self.parse_feed)
            yield self._conditional(feed)
        for path in root.site.listings:
            yield self._discovery_request(urljoin(root.url, path), self.parse_rubrique)

    def _obeys_robots_txt(self) -> bool:
        """Whether the crawl's robots.txt middleware reads robots.txt (``ROBOTSTXT_OBEY``)."""
        crawler = getattr(self, "crawler", None)
        return crawler is not None and crawler.settings.getbool("ROBOTSTXT_OBEY")

    def _article_request(self, url: str, hop: int, lastmod: str | None = None) -> Request:
        # Articles closer to the seeds first, so a page reached by two paths counts its shortest.
        # Redirects are handled in parse_article: Scrapy's middleware would drop a redirect to
        # a rubrique page already crawled, and an article redirected away would go unnoticed.
        meta: dict[str, Any] = {
            HOP: hop,
            "dont_redirect": True,
            "handle_httpstatus_list": REDIRECT_STATUSES,
        }
        if lastmod:
            meta[LASTMOD] = lastmod  # when the listing says it changed: see CrawlFrontier.admit
        return Request(
            url, callback=self.parse_article, errback=self.on_error, meta=meta, priority=-hop
        )

    def _discovery_request(self, url: str, callback: Any) -> Request:
        return Request(url, callback=callback, errback=self.on_error, priority=10)

    def _conditional(self, request: Request) -> Request:
        """A discovery request sent with the validators of its last answer, if any."""
        frontier = self.frontier
        return request if frontier is None else frontier.conditional_discovery(request)

    # -- discovery ---------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Scrapy's default callback, which only ``scrapy parse URL`` uses (every request of
        the spider names its own): the callback for the kind of page ``response`` is."""
        return self.callback_for(response.url)(response)

    def callback_for(self, url: str) -> Callable[[Response], Iterator[Any]]:
        """The callback of a URL by its path, as its site declares them: article, feed,
        robots.txt, sitemap (any other ``.xml``), listing, else the home page."""
        site = self.site_for(url)
        path = urlsplit(url).path
        if site.is_article_path(path):
            return self.parse_article
        if path in site.feeds:
            return self.parse_feed
        if path == ROBOTS_PATH:
            return self.parse_robots
        if path.endswith(".xml"):
            return self.parse_sitemap
        if site.listing_path.match(path):
            return self.parse_rubrique
        return self.parse_home

    def parse_home(self, response: Response) -> Iterator[Any]:
        """Home page: rubrique pages and the latest articles."""
        articles, rubriques = self._listing(response, follow_rubriques=True)
        articles = self._admit(articles, response.url)
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from articles
        yield from rubriques

    def parse_rubrique(self, response: Response) -> Iterator[Any]:
        """Rubrique page: its articles, and the next page unless this one lists no article (the
        end of the listing, a trap paging forever, or only articles older than ``since``) or
        only archived ones."""
        articles, _ = self._listing(response, follow_rubriques=False)
        frontier = self.frontier
        urls = [r.url for r in articles]
        stop = not urls or (frontier is not None and frontier.listing_is_archived(urls))
        articles = self._admit(articles, response.url)
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from articles
        if stop:
            return
        for href in response.css(
            'a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)'
        ).getall():
            yield self._discovery_request(response.urljoin(href), self.parse_rubrique)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        """robots.txt fetched for discovery (robots.txt not obeyed, or ``scrapy parse``): the
        sitemaps its ``Sitemap:`` lines name."""
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from self._robots_sitemap_requests(
            sitemap_urls_from_robots(response.body, base_url=response.url), response.url
        )

    def robots_sitemaps(self, sitemaps: list[str], request: Request) -> None:
        """Receiver of the robots.txt middleware's ``robots_sitemaps`` signal: the sitemaps the
        robots.txt of the discovery root's host names are crawled (once discovery started)."""
        if not self._discovering:
            return
        if all(_authority(request.url) != _authority(root.url) for root in self.roots):
            return
        robots = urljoin(request.url, ROBOTS_PATH)
        for sitemap in self._robots_sitemap_requests(sitemaps, robots):
            self.crawler.engine.crawl(sitemap)

    def _robots_sitemap_requests(self, urls: Iterable[str], robots: str) -> list[Request]:
        """Requests for the sitemaps a robots.txt names, those of the site only. Not
        conditional: like the index, such a sitemap can list others that changed."""
        urls = list(dict.fromkeys(urls))
        mine = [url for url in urls if self._is_same_site(url)]
        if mine:
            logger.info("%s names the sitemaps %s", robots, ", ".join(mine))
        if len(mine) < len(urls):
            others = [url for url in urls if url not in mine]
            logger.info("%s names sitemaps of other sites, left alone: %s", robots, others)
        return [self._discovery_request(url, self.parse_sitemap) for url in mine]

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Sitemap index (its sitemaps: see :meth:`_index_requests`) or a sitemap of articles
        (their URLs, each with its ``<lastmod>``: an archived article modified since its last
        fetch is fetched though not due)."""
        if response.status == NOT_MODIFIED:
            yield self._page_item(response, ROLE_DISCOVERY)
            return
        sitemap = Sitemap(response.body)
        entries = [entry for entry in sitemap if entry.get("loc")]
        requests: list[Request] = []
        articles: list[Request] = []
        if sitemap.type == "sitemapindex":
            requests = self._index_requests(entries)
        else:
            for entry in entries:
                loc, lastmod = entry["loc"], entry.get("lastmod")
                if self._is_article_url(loc) and self._recent_enough(loc):
                    articles.append(self._article_request(loc, hop=0, lastmod=lastmod))
        articles = self._admit(articles, response.url)
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from articles
        yield from requests

    def _index_requests(self, entries: list[dict[str, Any]]) -> list[Request]:
        """The sitemaps of an index worth asking for, with the validators of their last answer:
        all but those the index dates (``<lastmod>``) before the last finished crawl, except
        the newest dated one (``sitemap_end``): the current month's, which is still growing
        and whose date in an index the site cached may lag behind."""
        ends = [sitemap_end(entry["loc"]) for entry in entries]
        newest = max((end for end in ends if end), default=None)
        frontier = self.frontier
        requests = []
        for entry, end in zip(entries, ends, strict=True):
            if end is not None and self.since is not None and end < self.since:
                continue
            current = end is not None and end == newest
            lastmod = entry.get("lastmod")
            if current or frontier is None or not frontier.sitemap_unchanged(lastmod):
                request = self._discovery_request(entry["loc"], self.parse_sitemap)
                requests.append(self._conditional(request))
        return requests

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS feed: the latest articles, each dated by its update date if it has one
        (``<updated>``, ``dcterms:modified``), else its ``<pubDate>``."""
        if response.status == NOT_MODIFIED:
            yield self._page_item(response, ROLE_DISCOVERY)
            return
        selector = Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        articles = []
        for item in selector.xpath("//item[link]"):
            url = response.urljoin((item.xpath("link/text()").get() or "").strip())
            if self._is_article_url(url) and self._recent_enough(url):
                dated = [item.xpath(f"{name}/text()").get() for name in FEED_DATES]
                articles.append(self._article_request(url, hop=0, lastmod=_feed_date(dated)))
        articles = self._admit(articles, response.url)
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from articles

    def _recent_enough(self, url: str) -> bool:
        """False for an article URL dated before ``since``."""
        if self.since is None:
            return True
        day = self.site_for(url).day_of(url)
        return day is None or day >= self.since

    def _listing(
        self, response: Response, *, follow_rubriques: bool
    ) -> tuple[list[Request], list[Request]]:
        """A listing's article requests (those published before ``since`` left out) and (with
        ``follow_rubriques``) rubrique requests."""
        articles: list[Request] = []
        rubriques: list[Request] = []
        for href in dict.fromkeys(response.css("a::attr(href)").getall()):
            url = response.urljoin(href)
            if not self._is_same_site(url):
                continue
            site, path = self.site_for(url), urlsplit(url).path
            if site.is_article_path(path):
                if self._recent_enough(url):
                    articles.append(self._article_request(url, hop=0))
            elif follow_rubriques and site.listing_path.match(path):
                rubriques.append(self._discovery_request(url, self.parse_rubrique))
        return articles, rubriques

    def _is_same_site(self, url: str) -> bool:
        return (urlsplit(url).hostname or "") in self.allowed_domains

    def _is_article_url(self, url: str) -> bool:
        return self._is_same_site(url) and self.site_for(url).is_article_path(urlsplit(url).path)

    # -- articles ----------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: extract it, then follow its "Lire aussi" links within the hop limit.

        A copy whose rel=canonical names another page of the site (AMP, mobile host) is not
        stored for itself: the canonical page is fetched and the copy becomes its alias.
        """
        if response.status in REDIRECT_STATUSES:
            yield from self._follow_redirect(response)
            return
        if response.status == NOT_MODIFIED:  # unchanged since the validators we sent
            yield self._page_item(response, ROLE_ARTICLE)
            if self.photos is not None:
                yield from self.photos.pending(response.url, self.parse_photo, self.on_photo_error)
            return
        if not isinstance(response, scrapy.http.TextResponse):
            yield self._page_item(response, ROLE_ARTICLE)
            return
        # The raw HTML of a page the extractor cannot read is kept (an ``unreadable`` fetch),
        # so that a later extractor can read it; other text is no article page to keep.
        html = response.body if isinstance(response, scrapy.http.HtmlResponse) else None
        try:
            page = self.page_class_for_url(response.url)(
                response.url, response.body, header_charset(response)
            )
            article = page.to_item()
            article.site = self.site_for(response.url).name
        except Exception as error:
            # A page the extractor chokes on still ends as a fetch row (the error said), so
            # its frontier row is settled instead of being resumed forever.
            logger.exception("Extraction failed on %s", response.url)
            failed = self._page_item(response, ROLE_ARTICLE, body=html)
            failed.error = f"extraction failed: {type(error).__name__}: {error}"[:500]
            yield failed
            return
        hop = int(response.meta.get(HOP, 0))
        canonical = article.canonical_url
        if self._is_copy_of(response, canonical):
            assert canonical is not None
            yield self._page_item(response, ROLE_ALIAS, alias_of=canonical)
            request = self._canonical_request(canonical, response, hop)
            if request is not None:
                yield request
            return
        related: list[Request] = []
        refused: list[PageItem] = []
        if hop < self.related_depth and article.is_article:
            related, refused = self._related_requests([link.url for link in article.related], hop)
        related = self._admit(related, response.url)
        body_images = _body_images(page, response.url) if article.is_article else []
        item = self._page_item(
            response,
            ROLE_ARTICLE,
            article=article,
            body=response.body if article.is_article else html,
            extractor=type(page).__name__,
            extractor_version=extractor_version(type(page)),
            alias_urls=list(response.meta.get(ALIASES, [])),
            body_images=body_images,
        )
        # Asked before the page is stored: an unchanged page asks for none.
        photos = self._photo_requests(article, body_images)
        yield item
        yield from refused
        yield from related
        yield from photos

    # -- photos ------------------------------------------------------------------------------

    def _photo_requests(
        self, article: Article, body_images: list[dict[str, str | None]]
    ) -> list[Request]:
        """The requests for the photos of an article page (see :mod:`crawler.photos`)."""
        if self.photos is None or not article.is_article:
            return []
        return self.photos.requests(article, body_images, self.parse_photo, self.on_photo_error)

    def parse_photo(self, response: Response) -> Iterator[PageItem]:
        """A photo's answer: its bytes, for the archive to keep."""
        yield photo_item(response, self._page_item(response, ROLE_PHOTO))

    def on_photo_error(self, failure: Failure) -> Iterable[PageItem]:
        """A photo that could not be fetched: a ``media_error`` fetch row saying why."""
        request: Request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        item = self._page_item(error.response, ROLE_PHOTO) if isinstance(error, HttpError) else None
        if item is None:
            item = PageItem(url=request.url, role=ROLE_PHOTO, fetched_at=_now())
        return [photo_failure(failure, request, item)]

    def _related_requests(self, urls: list[str], hop: int) -> tuple[list[Request], list[PageItem]]:
        """Requests for "Lire aussi" links, and ``refused`` items for those that may not be
        requested (another scheme, a private address: see ``link_refusal``) or cannot be."""
        requests: list[Request] = []
        refused: list[PageItem] = []
        for url in urls:
            reason = link_refusal(url, named_hosts(self)) or self._site_refusal(url)
            if reason is None:
                try:
                    requests.append(self._related_request(url, hop + 1))
                    continue
                except ValueError:
                    reason = "malformed URL"
            refused.append(refused_item(url, reason))
        return requests, refused

    def _site_refusal(self, url: str) -> str | None:
        """Why a "Lire aussi" link to a host outside the crawl is not followed (``None``:
        it is): ``follow_sites=crawl`` keeps to the crawl's sites. A link to another host of
        one of them (an old domain, a subdomain) is no other site's: it is requested without
        leave to go offsite, and Scrapy's offsite filter keeps a replica's crawl off the
        live site, as it always did."""
        if self.follow_sites == FOLLOW_ANY or self._is_same_site(url):
            return None
        try:
            site = self.site_for(url).name
        except ValueError:
            return "malformed URL"
        if site in self.bindings.site_names():
            return None
        return f"site {site} is not part of the crawl (follow_sites={self.follow_sites})"

    def _related_request(self, url: str, hop: int) -> Request:
        """A "Lire aussi" link's request; one to a host outside the crawl (``follow_sites=
        any``) passes Scrapy's offsite filter."""
        request = self._article_request(url, hop=hop)
        if self.follow_sites == FOLLOW_ANY and not self._is_same_site(url):
            request.meta["allow_offsite"] = True
        return request

    def _follow_redirect(self, response: Response) -> Iterator[Any]:
        """An article URL answering a redirect: gone if it leads to a listing, else followed."""
        location = response.headers.get(b"Location")
        target = response.urljoin(location.decode("latin-1")) if location else None
        chain = [*response.meta.get("redirect_urls", []), response.url]
        reasons = [*response.meta.get("redirect_reasons", []), response.status]
        if target is None or len(chain) > MAX_REDIRECTS or target in chain:
            item = self._page_item(response, ROLE_FAILURE)
            # Not an HTTP error of the page: the redirects themselves are broken.
            item.status = None
            item.error = (
                f"redirect loop: {response.status} to {target}"
                if target
                else f"redirect without Location: {response.status}"
            )
            yield item
            return
        if self._is_listing(target) and self._is_same_site(target):
            item = self._page_item(response, ROLE_ARTICLE, gone_reason=GONE_REDIRECT)
            item.redirect_urls, item.requested_url = chain, chain[0]
            item.redirect_status = reasons[0]
            yield item
            return
        # Followed even when the target was crawled already: this URL must be recorded as
        # leading to it.
        request = self._article_request(target, hop=int(response.meta.get(HOP, 0)))
        request.meta.update(
            {
                "redirect_urls": chain,
                "redirect_reasons": reasons,
                ALIASES: response.meta.get(ALIASES, []),
            }
        )
        yield request.replace(dont_filter=True)

    def _is_copy_of(self, response: Response, canonical: str | None) -> bool:
        """True for a page naming another article of its own site as canonical (AMP and
        mobile copies, whatever their markup), unless we came to it from such a copy. A
        canonical on another site of the crawl (a syndicated article) makes no copy: each
        site's article is its own."""
        if not canonical or response.meta.get(ALIASES):
            return False
        if self.site_for(canonical).name != self.site_for(response.url).name:
            return False
        return self._is_article_url(canonical) and canonical_key(canonical) != canonical_key(
            response.url
        )

    def _canonical_request(self, canonical: str, copy: Response, hop: int) -> Request | None:
        # Fetched even if already seen in this crawl: the request carries the alias to record.
        # Not when it is archived and not due: the copy's own store records the alias then.
        frontier = self.frontier
        if frontier is not None and not frontier.wanted(canonical):
            return None
        request = self._article_request(canonical, hop=hop)
        request.meta[ALIASES] = [copy.url]
        return request.replace(dont_filter=True)

    def _is_listing(self, url: str) -> bool:
        path = urlsplit(url).path
        return path in ("", "/") or bool(self.site_for(url).listing_path.match(path))

    # -- fetch records -----------------------------------------------------------------------

    def _page_item(self, response: Response, role: str, **extra: Any) -> PageItem:
        redirects = list(response.meta.get("redirect_urls") or [])
        reasons = response.meta.get("redirect_reasons") or []
        latency = response.meta.get("download_latency")
        return PageItem(
            url=response.url,
            role=role,
            status=response.status,
            bytes=len(response.body),
            ms=round(latency * 1000, 1) if latency is not None else None,
            requested_url=redirects[0] if redirects else None,
            redirect_urls=redirects,
            redirect_status=reasons[0] if reasons and isinstance(reasons[0], int) else None,
            headers={
                key.decode("latin-1"): [v.decode("latin-1") for v in values]
                for key, values in response.headers.items()
            },
            fetched_at=_now(),
            **extra,
        )

    def on_error(self, failure: Failure) -> Iterable[PageItem]:
        """Every failed request becomes a ``failure`` item, so it has its ``fetches`` row."""
        request: Request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, HttpError):
            response: Response = error.response
            item = self._page_item(response, ROLE_FAILURE)
            item.error = f"HTTP {response.status}"
            if response.status in GONE_STATUSES and request.callback == self.parse_article:
                item.gone_reason = f"http_{response.status}"
                redirects = item.redirect_urls
                item.requested_url = redirects[0] if redirects else None
            return [item]
        if isinstance(error, RefusedRequest):
            return [refused_item(request.url, str(error))]
        return [
            PageItem(
                url=request.url,
                role=ROLE_SKIPPED if isinstance(error, IgnoreRequest) else ROLE_FAILURE,
                fetched_at=_now(),
                error=f"{type(error).__name__}: {failure.getErrorMessage()}"[:500],
            )
        ]


def header_charset(response: Response) -> str | None:
    """The charset the Content-Type header declares, else ``None``.

    Never Scrapy's ``response.encoding``: for a body that declares nothing that is a guess
    from the bytes' statistics (``cp1250`` for French windows-1252 text, depending on what
    the page holds), and the page object, given ``None``, reads the page's own ``<meta>``
    and then tries UTF-8 and windows-1252 (:func:`extraction.pages.base.decode_html`).
    Read by the rule ``archive reparse`` and ``archive extract`` apply to the stored
    headers (:func:`archive.reparse.charset`), so all three read a page alike.
    """
    values = response.headers.getlist(b"Content-Type")
    return charset({"Content-Type": [value.decode("latin-1") for value in values]})


def _body_images(page: ArticlePage, url: str) -> list[dict[str, str | None]]:
    """The images of an article's body (at most :data:`MAX_BODY_IMAGES`), or none when
    reading them fails: the article is stored all the same, without its body images."""
    try:
        return list(page.body_images)[:MAX_BODY_IMAGES]
    except Exception:
        logger.warning("Could not read the body images of %s", url, exc_info=True)
        return []
