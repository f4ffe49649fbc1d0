"""Euronews in French (fr.euronews.com); the other languages' hosts are other sites.

Discovery as the site publishes it: its article sitemap and its Google News sitemap (the
sources Fundus crawls it from), the RSS feeds each page links
(``/rss?level=vertical&name=<vertical>``, ``/rss?level=program&name=<program>``; the platform's
``/rss?level=theme&name=news``), the home page and its verticals.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/[<vertical>/]YYYY/MM/DD/<slug>`` (``/green/2024/04/30/comment-les-efforts-...``,
#: ``/2024/04/30/...`` for news) and AMP copies under ``/amp/``. Verticals (``/green``),
#: programmes (``/programs/ocean``) and tags (``/tag/ukraine``) are none.
ARTICLE_PATH = re.compile(r"^/(?:amp/)?(?:[a-z-]+/)?(\d{4}/\d{2}/\d{2})/[a-z0-9-]+/?$")
#: Verticals and their sections (``/green``, ``/my-europe/europe-news``).
LISTING_PATH = re.compile(r"^/[a-z-]+(?:/[a-z-]+)?/?$")

EURONEWS = register(
    Site(
        name="euronews",
        title="Euronews (français)",
        home="https://fr.euronews.com/",
        domains=("fr.euronews.com",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        sitemaps=("/sitemaps/fr/articles.xml",),
        news_sitemaps=("/sitemaps/fr/latest-news.xml",),
        feeds=("/rss?level=theme&name=news", "/rss?level=vertical&name=green"),
        listings=("/my-europe", "/green", "/culture", "/business"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        strip_selectors=(".c-ad", ".js-newsletter-box"),
        note=(
            "Fixtures: the corpus pages fundus_fr_EuronewsFR_2024_04_30 and "
            "fundus_fr_EuronewsFR_2026_01_06 (flairNLP/fundus, MIT), tests/fixtures/corpus/."
        ),
    )
)
