"""Store every fetched page in the archive: articles, their links and tags, and fetch rows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from archive import Fetch
from crawler.items import ROLE_ARTICLE, ROLE_DISCOVERY, ROLE_SKIPPED, PageItem
from crawler.session import session_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

OUTCOME_NOT_ARTICLE = "not_article"
OUTCOME_DISCOVERY = "discovery"
OUTCOME_SKIPPED = "skipped"
OUTCOME_HTTP_ERROR = "http_error"
OUTCOME_ERROR = "error"


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
        session = session_for(self.crawler)
        fetch = fetch_of(item)
        stats = self.crawler.stats
        article = item.article
        if item.role == ROLE_ARTICLE and article is not None and article.is_article:
            result = session.archive.store_article(
                article.to_dict(), crawl_id=session.crawl_id, fetch=fetch
            )
            outcome = result.outcome
        else:
            outcome = self._outcome(item)
            session.archive.record_fetch(session.crawl_id, fetch, outcome)
        if stats is not None:
            stats.inc_value(f"archive/outcome/{outcome}")
        return item

    @staticmethod
    def _outcome(item: PageItem) -> str:
        if item.role == ROLE_ARTICLE:
            return OUTCOME_NOT_ARTICLE
        if item.role == ROLE_DISCOVERY:
            return OUTCOME_DISCOVERY
        if item.role == ROLE_SKIPPED:
            return OUTCOME_SKIPPED
        return OUTCOME_HTTP_ERROR if item.status is not None else OUTCOME_ERROR
