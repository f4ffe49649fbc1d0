"""Store every fetched page in the archive: articles, their links and tags, and fetch rows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from archive import Capture, Fetch
from crawler.items import (
    GONE_REDIRECT,
    ROLE_ALIAS,
    ROLE_ARTICLE,
    ROLE_DISCOVERY,
    ROLE_REFUSED,
    ROLE_SKIPPED,
    PageItem,
)
from crawler.session import ArchiveSession, session_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The status of a conditional request's "unchanged" answer.
NOT_MODIFIED = 304

OUTCOME_UNCHANGED = "unchanged"
OUTCOME_NOT_ARTICLE = "not_article"
OUTCOME_DISCOVERY = "discovery"
OUTCOME_SKIPPED = "skipped"
OUTCOME_REFUSED = "refused"
OUTCOME_GONE = "gone"
OUTCOME_ALIAS = "alias"
OUTCOME_HTTP_ERROR = "http_error"
OUTCOME_ERROR = "error"


def capture_of(item: PageItem) -> Capture | None:
    """The raw response behind an article item, for the archive to keep if it is new."""
    if item.body is None or item.status is None:
        return None
    return Capture(url=item.url, status=item.status, headers=item.headers, body=item.body)


def header(item: PageItem, name: str) -> str | None:
    """The first value of a response header of ``item`` (names compared case-insensitively)."""
    wanted = name.lower()
    for key, values in item.headers.items():
        if key.lower() == wanted and values:
            return values[0]
    return None


def frontier_urls(item: PageItem) -> list[str]:
    """The URLs whose ``frontier`` rows the page settles: the one requested, the redirects
    followed to it, the copies that led to it (their rows wait for the canonical page), and
    the URL that answered."""
    urls = [item.requested_url, *item.redirect_urls, *item.alias_urls, item.url]
    return list(dict.fromkeys(url for url in urls if url))


def fetch_of(item: PageItem) -> Fetch:
    """The archive's record of the response or failure behind ``item``."""
    return Fetch(
        url=item.url,
        status=item.status,
        bytes=item.bytes,
        ms=item.ms,
        requested_url=item.requested_url,
        redirect_urls=list(item.redirect_urls),
        fetched_at=item.fetched_at,
        error=item.error,
        alias_urls=list(item.alias_urls),
        etag=header(item, "ETag"),
        last_modified=header(item, "Last-Modified"),
    )


class ArchivePipeline:
    """Write each :class:`PageItem` to the archive, one transaction per page.

    An article page with a title and text becomes (or refreshes) an ``articles`` row; any other
    page is only a ``fetches`` row with its outcome. The same transaction settles the page's
    ``frontier`` rows (see :func:`frontier_urls`): a stored page is never fetched again by a
    resumed crawl, and a page not yet stored always is.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        outcome = self._store(session_for(self.crawler), item)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"archive/outcome/{outcome}")
        item.body = None  # stored in its capture if it was a new version; not needed further
        return item

    def _store(self, session: ArchiveSession, item: PageItem) -> str:
        """Write the item in one transaction and return the fetch's outcome."""
        archive, crawl_id, fetch = session.archive, session.crawl_id, fetch_of(item)
        article, frontier = item.article, frontier_urls(item)
        if item.role == ROLE_ARTICLE and article is not None and article.is_article:
            result = archive.store_article(
                article.to_dict(),
                crawl_id=crawl_id,
                fetch=fetch,
                capture=capture_of(item),
                extractor=item.extractor,
                extractor_version=item.extractor_version,
                frontier=frontier,
            )
            return result.outcome
        if item.role == ROLE_ARTICLE and item.status == NOT_MODIFIED:
            found = archive.record_not_modified(
                item.url, crawl_id=crawl_id, fetch=fetch, frontier=frontier
            )
            return OUTCOME_UNCHANGED if found is not None else OUTCOME_NOT_ARTICLE
        if item.gone_reason:
            return self._store_gone(session, item, fetch, frontier)
        if item.role == ROLE_ALIAS and item.alias_of:
            archive.record_alias(
                item.url, item.alias_of, crawl_id=crawl_id, fetch=fetch, frontier=frontier
            )
            return OUTCOME_ALIAS
        outcome = self._outcome(item)
        archive.record_fetch(crawl_id, fetch, outcome, frontier=frontier)
        return outcome

    @staticmethod
    def _store_gone(
        session: ArchiveSession, item: PageItem, fetch: Fetch, frontier: list[str]
    ) -> str:
        # A redirect to a listing: the article is the URL first requested, the status the
        # redirect's. An error status: the URL that answered it.
        redirected = item.gone_reason == GONE_REDIRECT
        url = (item.requested_url or item.url) if redirected else item.url
        status = item.redirect_status if redirected else item.status
        article_id = session.archive.mark_gone(
            url,
            crawl_id=session.crawl_id,
            fetch=fetch,
            status=status or 0,
            reason=item.gone_reason or "",
            frontier=frontier,
        )
        if article_id is not None:
            return OUTCOME_GONE
        return OUTCOME_NOT_ARTICLE if redirected else OUTCOME_HTTP_ERROR

    @staticmethod
    def _outcome(item: PageItem) -> str:
        if item.role == ROLE_ARTICLE:
            return OUTCOME_NOT_ARTICLE
        if item.role == ROLE_DISCOVERY:
            return OUTCOME_DISCOVERY
        if item.role == ROLE_SKIPPED:
            return OUTCOME_SKIPPED
        if item.role == ROLE_REFUSED:
            return OUTCOME_REFUSED
        return OUTCOME_HTTP_ERROR if item.status is not None else OUTCOME_ERROR
