"""Mediapart (www.mediapart.fr), the subscription-only investigative daily. Its blogs
("le Club", blogs.mediapart.fr) are readers' writing, not the paper's: a subdomain, so
the same site, but their paths are none of the journal's articles.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feed of
articles (``/articles/feed``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/journal/<rubrique>/DDMMYY/<slug>``
#: (``/journal/france/080917/fn-sophie-montel-iconoclaste-mise-au-ban``); the day comes
#: day first, so no ``article_day``. Rubriques (``/journal/france``) are none.
ARTICLE_PATH = re.compile(r"^/(?:fr/)?journal/[a-z0-9-]+/\d{6}/[a-z0-9-]+/?$")
#: Rubriques (``/journal/france``, ``/journal/international``).
LISTING_PATH = re.compile(r"^/journal/[a-z0-9-]+/?$")

MEDIAPART = register(
    Site(
        name="mediapart",
        title="Mediapart",
        home="https://www.mediapart.fr/",
        domains=("mediapart.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/articles/feed",),
        listings=("/journal/france", "/journal/international", "/journal/economie-et-social"),
        time_zone=PARIS,
        strip_patterns=(re.compile(r"La lecture des articles est réservée aux abonné·es\..*"),),
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
