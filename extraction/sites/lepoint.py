"""Le Point (www.lepoint.fr), the weekly news magazine.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feeds (one a
rubrique, ``/politique/rss.xml``; since its move to Arc XP, ``/arc/outboundfeeds/rss/...``),
the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>]/<slug>-DD-MM-YYYY-<id>_<rubrique id>.php``
#: (``/politique/alexis-kohler-l-homme-des-dossiers-sensibles-20-06-2019-2321615_20.php``); the
#: day comes day first,
#: so no ``article_day``. Rubriques (``/politique/``) and tags (``/tags/...``) are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+-\d{2}-\d{2}-\d{4}-\d+_\d+\.php$")
#: Rubriques (``/politique/``, ``/economie/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/$")

LEPOINT = register(
    Site(
        name="lepoint",
        title="Le Point",
        home="https://www.lepoint.fr/",
        domains=("lepoint.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/politique/rss.xml", "/arc/outboundfeeds/rss/category/politique/?outputType=xml"),
        listings=("/politique/", "/monde/", "/economie/", "/societe/"),
        time_zone=PARIS,
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
