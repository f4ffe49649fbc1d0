"""Spider for Sputnik France (Sputnik Afrique today): the generic news spider with its site
fixed to ``sputnik`` (``extraction.sites.sputnik``).

Arguments (``-a name=value``) are the news spider's but ``site`` and ``follow_sites``:
``start=URL`` (the root to discover from, e.g. the replica's, read as Sputnik), ``urls``,
``related_depth``, ``since``, ``revisit``. With neither ``start`` nor ``urls`` the live site
is crawled from its home page. See :mod:`crawler.spiders.news`.
"""

from __future__ import annotations

from typing import Any

from crawler.frontier import HOP  # noqa: F401  (the names this module has always given)
from crawler.spiders.news import (  # noqa: F401
    BadSpiderArgument,
    NewsSpider,
    header_charset,
    sitemap_end,
)
from extraction import sites
from extraction.pages.choice import PAGE_CLASS

#: The site this spider archives, and what it declares (``extraction.sites.sputnik``).
SITE = sites.named("sputnik")
LIVE_ROOT = SITE.home
SITEMAP_INDEX_PATH = SITE.sitemaps[0]
RSS_PATH = SITE.feeds[0]
#: Article and rubrique paths of the site (see ``extraction.sites.sputnik``).
ARTICLE_PATH = SITE.article_path
RUBRIQUE_PATH = SITE.listing_path


def article_day(url: str) -> str | None:
    """The publication day (``YYYYMMDD``) an article URL carries, ``None`` when it has none."""
    return SITE.day_of(url)


class SputnikSpider(NewsSpider):
    """Archive Sputnik France articles and the related articles they link."""

    name = "sputnik"
    #: The page object of article pages; the ``ARCHIVE_PAGE_CLASS`` setting names another.
    page_class = PAGE_CLASS

    def __init__(
        self,
        start: str | None = None,
        urls: str | None = None,
        related_depth: str | int = 1,
        revisit: str | None = None,
        since: str | None = None,
        **kwargs: Any,
    ) -> None:
        if start is not None and not start.strip():  # else the news spider's message
            raise BadSpiderArgument("start is empty: give the http(s) URL of the site's root")
        super().__init__(
            site=SITE.name,
            start=start,
            urls=urls,
            related_depth=related_depth,
            revisit=revisit,
            since=since,
            **kwargs,
        )
        # The arguments as given: the site is the spider's, not an argument.
        self.arguments.pop("site", None)
