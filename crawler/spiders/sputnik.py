"""Spider for Sputnik France: discovers articles and follows their "Lire aussi" links.

Arguments (``-a name=value``):

- ``start=URL``: site root to discover from (home page, rubriques, sitemaps, RSS).
- ``urls=URL[,URL...]``: exactly these article pages, no discovery.
- ``related_depth=N``: "Lire aussi" hops to follow from each article (default 1, 0 for none).

With neither ``start`` nor ``urls`` the live site is crawled from its home page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from archive.urls import canonical_key
from crawler.items import (
    GONE_REDIRECT,
    ROLE_ALIAS,
    ROLE_ARTICLE,
    ROLE_DISCOVERY,
    ROLE_FAILURE,
    ROLE_SKIPPED,
    PageItem,
)
from crawler.pages import SputnikArticlePage

LIVE_ROOT = "https://fr.sputniknews.africa/"
SITEMAP_INDEX_PATH = "/sitemap_index.xml"
RSS_PATH = "/export/rss2/archive/index.xml"

#: Article URLs of both eras: ``/rubrique/YYYYMMDD<id>-slug/`` and ``/YYYYMMDD/slug-<id>.html``.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/\d{14,}-[^/]+/?|\d{8}/[^/]+-\d+\.html)$")
#: Rubrique (section) pages: one path segment, e.g. ``/international/``.
RUBRIQUE_PATH = re.compile(r"^/[a-z0-9-]+/$")

HOP = "related_hop"
ALIASES = "alias_urls"

#: Statuses that mean an article was taken down, not that the site had a bad moment.
GONE_STATUSES = frozenset({404, 410, 451})
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Redirects followed from one article URL before it counts as a redirect loop.
MAX_REDIRECTS = 5


class BadSpiderArgument(ValueError):
    """A spider argument that cannot be used; the crawl is refused before it starts."""


def _split_urls(value: str) -> list[str]:
    urls = [u.strip() for u in value.split(",") if u.strip()]
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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class SputnikSpider(scrapy.Spider):
    """Archive Sputnik France articles and the related articles they link."""

    name = "sputnik"
    page_class = SputnikArticlePage

    def __init__(
        self,
        start: str | None = None,
        urls: str | None = None,
        related_depth: str | int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.arguments: dict[str, str] = {
            k: str(v)
            for k, v in {"start": start, "urls": urls, "related_depth": related_depth}.items()
            if v is not None
        }
        self.related_depth = _parse_depth(related_depth)
        self.article_urls = _split_urls(urls) if urls else []
        if start and urlsplit(start).scheme not in ("http", "https"):
            raise BadSpiderArgument(f"start: not an http(s) URL: {start!r}")
        self.root: str | None = None if self.article_urls and not start else (start or LIVE_ROOT)
        named = [*self.article_urls, *([self.root] if self.root else [])]
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in named} - {""})

    # -- start -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self._start_requests():
            yield request

    def _start_requests(self) -> Iterator[Request]:
        for url in self.article_urls:
            yield self._article_request(url, hop=0)
        if self.root:
            yield self._discovery_request(self.root, self.parse_home)
            yield self._discovery_request(
                urljoin(self.root, SITEMAP_INDEX_PATH), self.parse_sitemap
            )
            yield self._discovery_request(urljoin(self.root, RSS_PATH), self.parse_feed)

    def _article_request(self, url: str, hop: int) -> Request:
        # Articles closer to the seeds first, so a page reached by two paths counts its shortest.
        # Redirects are handled in parse_article: Scrapy's middleware would drop a redirect to
        # a rubrique page already crawled, and an article redirected away would go unnoticed.
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={HOP: hop, "dont_redirect": True, "handle_httpstatus_list": REDIRECT_STATUSES},
            priority=-hop,
        )

    def _discovery_request(self, url: str, callback: Any) -> Request:
        return Request(url, callback=callback, errback=self.on_error, priority=10)

    # -- discovery ---------------------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[Any]:
        """Home page: rubrique pages and the latest articles."""
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from self._follow_listing(response, follow_rubriques=True)

    def parse_rubrique(self, response: Response) -> Iterator[Any]:
        """Rubrique page: its articles and the next page."""
        yield self._page_item(response, ROLE_DISCOVERY)
        yield from self._follow_listing(response, follow_rubriques=False)
        for href in response.css(
            'a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)'
        ).getall():
            yield self._discovery_request(response.urljoin(href), self.parse_rubrique)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Sitemap index (daily sitemaps) or a daily sitemap (article URLs)."""
        yield self._page_item(response, ROLE_DISCOVERY)
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield self._discovery_request(loc, self.parse_sitemap)
            elif self._is_article_url(loc):
                yield self._article_request(loc, hop=0)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS feed: the latest articles."""
        yield self._page_item(response, ROLE_DISCOVERY)
        selector = Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        for link in selector.xpath("//item/link/text()").getall():
            url = response.urljoin(link.strip())
            if self._is_article_url(url):
                yield self._article_request(url, hop=0)

    def _follow_listing(self, response: Response, *, follow_rubriques: bool) -> Iterator[Request]:
        for href in dict.fromkeys(response.css("a::attr(href)").getall()):
            url = response.urljoin(href)
            if not self._is_same_site(url):
                continue
            path = urlsplit(url).path
            if ARTICLE_PATH.match(path):
                yield self._article_request(url, hop=0)
            elif follow_rubriques and RUBRIQUE_PATH.match(path):
                yield self._discovery_request(url, self.parse_rubrique)

    def _is_same_site(self, url: str) -> bool:
        return (urlsplit(url).hostname or "") in self.allowed_domains

    def _is_article_url(self, url: str) -> bool:
        return self._is_same_site(url) and bool(ARTICLE_PATH.match(urlsplit(url).path))

    # -- articles ----------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: extract it, then follow its "Lire aussi" links within the hop limit.

        A copy whose rel=canonical names another page of the site (AMP, mobile host) is not
        stored for itself: the canonical page is fetched and the copy becomes its alias.
        """
        if response.status in REDIRECT_STATUSES:
            yield from self._follow_redirect(response)
            return
        if not isinstance(response, scrapy.http.TextResponse):
            yield self._page_item(response, ROLE_ARTICLE)
            return
        page = self.page_class(response.url, response.body, response.encoding)
        article = page.to_item()
        hop = int(response.meta.get(HOP, 0))
        canonical = article.canonical_url
        if self._is_copy_of(response, canonical):
            assert canonical is not None
            yield self._page_item(response, ROLE_ALIAS, alias_of=canonical)
            yield self._canonical_request(canonical, response, hop)
            return
        item = self._page_item(
            response,
            ROLE_ARTICLE,
            article=article,
            body=response.body,
            extractor=type(page).__name__,
            extractor_version=page.extractor_version,
            alias_urls=list(response.meta.get(ALIASES, [])),
        )
        yield item
        if hop >= self.related_depth or not article.is_article:
            return
        for link in article.related:
            yield self._article_request(link.url, hop=hop + 1)

    def _follow_redirect(self, response: Response) -> Iterator[Any]:
        """An article URL answering a redirect: gone if it leads to a listing, else followed."""
        location = response.headers.get(b"Location")
        target = response.urljoin(location.decode("latin-1")) if location else None
        chain = [*response.meta.get("redirect_urls", []), response.url]
        reasons = [*response.meta.get("redirect_reasons", []), response.status]
        if target is None or len(chain) > MAX_REDIRECTS or target in chain:
            item = self._page_item(response, ROLE_FAILURE)
            item.error = "redirect loop" if target else "redirect without Location"
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
        """True for a page naming another article of the site as canonical (AMP and mobile
        copies, whatever their markup), unless we came to it from such a copy."""
        if not canonical or response.meta.get(ALIASES):
            return False
        return self._is_article_url(canonical) and canonical_key(canonical) != canonical_key(
            response.url
        )

    def _canonical_request(self, canonical: str, copy: Response, hop: int) -> Request:
        # Fetched even if already seen in this crawl: the request carries the alias to record.
        request = self._article_request(canonical, hop=hop)
        request.meta[ALIASES] = [copy.url]
        return request.replace(dont_filter=True)

    @staticmethod
    def _is_listing(url: str) -> bool:
        path = urlsplit(url).path
        return path in ("", "/") or bool(RUBRIQUE_PATH.match(path))

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
        return [
            PageItem(
                url=request.url,
                role=ROLE_SKIPPED if isinstance(error, IgnoreRequest) else ROLE_FAILURE,
                fetched_at=_now(),
                error=f"{type(error).__name__}: {failure.getErrorMessage()}"[:500],
            )
        ]
