"""Sites declared for tests, outside the package: crawls load this module through the
``ARCHIVE_SITE_MODULES`` setting (``-s ARCHIVE_SITE_MODULES=tests.sites_for_tests``).

- ``replica``: a second Sputnik-layout site (the replica serves that layout only today), so
  that one crawl can read two replicas as two sites.
- ``slow_news``: a site asking for its own politeness.

Importing the module registers both; :func:`register_all` registers them again in a test
that removed them (see ``tests/test_news_spider.py``).
"""

from __future__ import annotations

from extraction import sites
from extraction.pages.sputnik import MOSCOW, SputnikArticlePage
from extraction.sites import Site
from extraction.sites.sputnik import ARTICLE_DAY, ARTICLE_PATH, RUBRIQUE_PATH

REPLICA = Site(
    name="replica",
    title="A second replica of the Sputnik layout",
    home="https://replica.invalid/",
    domains=("replica.invalid",),
    page_class=SputnikArticlePage,
    article_path=ARTICLE_PATH,
    listing_path=RUBRIQUE_PATH,
    sitemaps=("/sitemap_article_index.xml",),
    feeds=("/export/rss2/archive/index.xml",),
    article_day=ARTICLE_DAY,
    time_zone=MOSCOW,
)

SLOW_NEWS = Site(
    name="slow_news",
    title="A site that asks for a slower pace",
    home="https://slow.example/",
    domains=("slow.example",),
    page_class=SputnikArticlePage,
    politeness={"DOWNLOAD_DELAY": 2.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2},
)

TEST_SITES = (REPLICA, SLOW_NEWS)


def register_all() -> None:
    for site in TEST_SITES:
        sites.register(site)


register_all()
