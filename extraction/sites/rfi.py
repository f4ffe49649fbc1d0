"""RFI (www.rfi.fr), Radio France Internationale, its French-language pages. Since 2019
they live under ``/fr/``; the other languages (``/en/``, ``/es/``...) are other sites.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feeds
(``/fr/rss``, one a rubrique: ``/fr/afrique/rss``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Since 2019: ``/fr/<rubrique>[/<sous-rubrique>]/YYYYMMDD-<slug>``
#: (``/fr/afrique/20140112-togo-le-13-janvier-est-plus-jour-fete``); before: the same
#: without ``/fr``. Rubriques (``/fr/afrique/``), tags (``/fr/tag/...``),
#: programmes (``/fr/podcasts/...``) and the other languages' pages are none.
ARTICLE_PATH = re.compile(
    r"^/(?:fr/)?(?!(?:en|es|pt|br|cn|ro|ru|vi|fa|sw|ha|km|uk|ma|ff|mn)/)"
    r"(?:[a-z0-9-]+/)+(\d{8})-[a-z0-9-]+/?$"
)
#: Rubriques (``/fr/afrique/``, ``/fr/france/``).
LISTING_PATH = re.compile(r"^/fr/[a-z0-9-]+/?$")

RFI = register(
    Site(
        name="rfi",
        title="RFI",
        home="https://www.rfi.fr/fr/",
        domains=("rfi.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/fr/rss", "/fr/afrique/rss"),
        listings=("/fr/afrique/", "/fr/monde/", "/fr/france/", "/fr/europe/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        related_markers=("Lire aussi", "À lire aussi"),
        note="No real article page could be found in public repositories (only its home "
        "page's head, in a script): the generic page object serves the site, untested on "
        "its pages.",
    )
)
