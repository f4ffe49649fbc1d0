"""Sites declared for tests, outside the package: crawls load this module through the
``ARCHIVE_SITE_MODULES`` setting (``-s ARCHIVE_SITE_MODULES=tests.sites_for_tests``) and bind
a replica's loopback address to a site with ``-a site=NAME -a start=http://HOST:PORT/``.

- ``replica``: a second Sputnik-layout site, so that one crawl can read two Sputnik
  replicas as two sites.
- ``gazette``: La Gazette du Val, the second replica (``mocksite.gazette``), a generic French
  layout. Every fact of its declaration is read off the replica's pages and feeds, the way a
  real site's module is read off the real site: nothing is imported from ``mocksite``, so the
  declaration cannot agree with the replica by construction. Its domain (``gazette.test``) is
  its name on paper, never resolved.
- ``slow_news``: a site asking for its own politeness.

Importing the module registers them; :func:`register_all` registers them again in a test
that removed them (see ``tests/test_news_spider.py``).
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from extraction import sites
from extraction.pages.generic import GenericArticlePage
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

#: ``/region/article/2024/09/16/saint-aubin-val-budget-primitif_612347.html``: rubrique,
#: "article", the publication day, a slug and a numeric id (Le Monde's URL habit).
GAZETTE_ARTICLE_PATH = re.compile(r"^/[a-z-]+/article/\d{4}/\d{2}/\d{2}/[a-z0-9-]+_\d{6,9}\.html$")
#: The rubriques of the site navigation, paginated with ``?page=N``.
GAZETTE_RUBRIQUES = ("region", "politique", "economie", "faits-divers", "culture", "sports")
GAZETTE_LISTING_PATH = re.compile(r"^/(?:" + "|".join(GAZETTE_RUBRIQUES) + r")/$")
#: The paywall notice closing a subscriber's article, as Le Monde words it
#: ("Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.").
GAZETTE_PAYWALL = re.compile(
    r"Il vous reste \d+(?:[.,]\d+)?\s?% de cet article à lire\. "
    r"La suite est réservée aux abonnés\."
)

GAZETTE = Site(
    name="gazette",
    title="La Gazette du Val (test replica)",
    home="http://gazette.test/",
    domains=("gazette.test",),
    page_class=GenericArticlePage,
    article_path=GAZETTE_ARTICLE_PATH,
    listing_path=GAZETTE_LISTING_PATH,
    sitemaps=("/sitemap_index.xml",),
    news_sitemaps=("/sitemap_news.xml",),
    feeds=("/rss/une.xml",),
    # The day is in the path but split by slashes (``/2024/09/16/``): no YYYYMMDD group.
    article_day=None,
    language="fr",
    time_zone=ZoneInfo("Europe/Paris"),
    # A pace of its own, which the two-site crawl checks (the Sputnik replica has none).
    politeness={"DOWNLOAD_DELAY": 0.15},
    # Its boxes: Le Monde's catcher, Le Figaro's fig-body-link, Les Échos' encadre,
    # Euronews' related widget (no marker text at all), and the "Sur le même sujet" cards.
    related_selectors=(
        ".catcher",
        ".fig-body-link",
        ".encadre-lire-aussi",
        ".widget--type-related",
        ".related-module",
    ),
    related_markers=("Lire également", "Sur le même sujet"),
    strip_selectors=(".dfp-slot", ".newsletter-box", ".meta__social"),
    strip_patterns=(GAZETTE_PAYWALL,),
    note="A replica served by mocksite (python -m mocksite --site gazette); tests only.",
)

TEST_SITES = (REPLICA, GAZETTE, SLOW_NEWS)


def register_all() -> None:
    for site in TEST_SITES:
        sites.register(site)


register_all()
