"""Sites declared for the tests only: La Gazette du Val, the second replica (``mocksite.gazette``).

A crawl loads this module with ``-s ARCHIVE_SITE_MODULES=tests.sites_for_tests`` and binds
the replica's loopback address to the site with ``-a site=gazette -a start=http://HOST:PORT/``:
the domain below (``gazette.test``) is the site's name on paper, never resolved.

Every fact here is read off the replica's pages and feeds (``mocksite/gazette``), the way a
real site's module is read off the real site: nothing is imported from ``mocksite``, so the
declaration cannot agree with the replica by construction.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from extraction.pages.generic import GenericArticlePage
from extraction.sites import Site, register

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

GAZETTE = register(
    Site(
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
        politeness={"DOWNLOAD_DELAY": 0},
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
)
