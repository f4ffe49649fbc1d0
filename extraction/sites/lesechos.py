"""Les Échos (www.lesechos.fr), the economic daily, and its subdomains (investir.lesechos.fr).

Discovery as the site publishes it: its Google News sitemap, the home page and its rubriques.
Its sitemap index (sitemap.lesechos.fr/sitemap_index.xml) and its RSS feeds are on other
hosts, which a path of this host cannot name. Fundus fetches it impersonating a browser: the
site refuses some plain clients, which no politeness setting changes.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Since 2019: ``/<rubrique>/<sous-rubrique>/<slug>-<id>``
#: (``/monde/enjeux-internationaux/le-fil-info-...-2108558``). Before:
#: ``/DD/MM/YYYY/lesechos.fr/<id>_<slug>.htm``. Rubriques (``/monde``,
#: ``/monde/enjeux-internationaux``) and topics (``/thema/...``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?!thema/)(?:[a-z0-9-]+/){1,2}[a-z0-9-]+-\d{6,}/?$"
    r"|^/\d{2}/\d{2}/\d{4}/lesechos\.fr/\d+_[^/]+\.htm$"
)
#: Rubrique pages: one or two segments without an id.
LISTING_PATH = re.compile(r"^/[a-z-]+(?:/[a-z-]+)?/?$")

LESECHOS = register(
    Site(
        name="lesechos",
        title="Les Échos",
        home="https://www.lesechos.fr/",
        domains=("lesechos.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        news_sitemaps=("/sitemap_news.xml",),
        listings=("/economie-france", "/monde", "/finance-marches", "/politique-societe"),
        time_zone=PARIS,
        # Its "Lire aussi :" boxes carry only generated class names (sc-nlqesd-4): the
        # marker finds them, no selector would last.
        related_markers=("Lire aussi :",),
        strip_selectors=(".post-paywall",),
        strip_patterns=(re.compile(r"Cet article est réservé aux abonnés\..*"),),
        note=(
            "Fixture: the corpus page fundus_fr_LesEchos_2024_07_18 (flairNLP/fundus, MIT), "
            "tests/fixtures/corpus/."
        ),
    )
)
