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
    ROLE_SKIPPED,
    PageItem,
)
from crawler.session import ArchiveSession, session_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

OUTCOME_NOT_ARTICLE = "not_article"
OUTCOME_DISCOVERY = "discovery"
OUTCOME_SKIPPED = "skipped"
OUTCOME_GONE = "gone"
OUTCOME_ALIAS = "alias"
OUTCOME_HTTP_ERROR = "http_error"
OUTCOME_ERROR = "error"


def capture_of(item: PageItem) -> Capture | None:
    """The raw response behind an article item, for the archive to keep if it is new."""
    if item.body is None or item.status is None:
        return None
    return Capture(url=item.url, status=item.status, headers=item.headers, body=item.body)


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
    )


class ArchivePipeline:
    """Write each :class:`PageItem` to the archive, one transaction per page.

    An article page with a title and text becomes (or refreshes) an ``articles`` row; any other
    page is only a ``fetches`` row with its outcome.
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
        article = item.article
        if item.role == ROLE_ARTICLE and article is not None and article.is_article:
            result = archive.store_article(
                article.to_dict(),
                crawl_id=crawl_id,
                fetch=fetch,
                capture=capture_of(item),
                extractor=item.extractor,
                extractor_version=item.extractor_version,
            )
            return result.outcome
        if item.gone_reason:
            return self._store_gone(session, item, fetch)
        if item.role == ROLE_ALIAS and item.alias_of:
            archive.record_alias(item.url, item.alias_of, crawl_id=crawl_id, fetch=fetch)
            return OUTCOME_ALIAS
        outcome = self._outcome(item)
        archive.record_fetch(crawl_id, fetch, outcome)
        return outcome

    @staticmethod
    def _store_gone(session: ArchiveSession, item: PageItem, fetch: Fetch) -> str:
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
        return OUTCOME_HTTP_ERROR if item.status is not None else OUTCOME_ERROR
