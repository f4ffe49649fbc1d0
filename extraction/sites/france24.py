"""France 24 (www.france24.com), its French-language pages under ``/fr/``; the other
languages (``/en/``, ``/es/``, ``/ar/``) are other sites. m.france24.com was its mobile host.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feeds
(``/fr/rss``, one a rubrique: ``/fr/europe/rss``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/fr/[<rubrique>/]YYYYMMDD-<slug>``, the slug often percent-encoded
#: (``/fr/am%C3%A9riques/20221122-au-br%C3%A9sil-jair-bolsonaro-...``,
#: ``/fr/20171021-chine-charbon-centrale-etranger-energie-environnement-leader-climat``).
#: Rubriques (``/fr/europe/``), programmes (``/fr/%C3%A9missions/...``) and the other
#: languages' pages are none.
ARTICLE_PATH = re.compile(r"^/fr/(?:[^/]+/)*(\d{8})-[^/]+/?$")
#: Rubriques (``/fr/europe/``, ``/fr/afrique/``).
LISTING_PATH = re.compile(r"^/fr/[^/]+/$")

FRANCE24 = register(
    Site(
        name="france24",
        title="France 24",
        home="https://www.france24.com/fr/",
        domains=("france24.com",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/fr/rss", "/fr/europe/rss", "/fr/afrique/rss"),
        listings=("/fr/france/", "/fr/europe/", "/fr/afrique/", "/fr/moyen-orient/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        related_markers=("Lire aussi", "À lire aussi"),
        note="No real page could be copied into the fixtures: the only one found (2017) is "
        "embedded in another project's test code (LGPL). The generic page object serves "
        "the site, untested on its pages.",
    )
)
