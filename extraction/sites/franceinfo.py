"""franceinfo (www.francetvinfo.fr), France Télévisions' news site; franceinfo.fr sends to it.
Radio France's franceinfo pages (www.radiofrance.fr/franceinfo) are another site.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feeds
(``/titres.rss``, one a rubrique: ``/monde.rss``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>...]/<slug>_<id>.html``
#: (``/societe/sdf/belgique-des-abris-en-carton-pliants-distribues-aux-sans-abri_2539197.html``).
#: Rubriques (``/monde/``), tags and the feeds (``/monde.rss``) are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+_\d{5,}\.html$")
#: Rubriques and their sections (``/monde/``, ``/sante/alimentation/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)*$")

FRANCEINFO = register(
    Site(
        name="franceinfo",
        title="franceinfo",
        home="https://www.francetvinfo.fr/",
        domains=("francetvinfo.fr", "franceinfo.fr"),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/titres.rss", "/monde.rss", "/france.rss"),
        listings=("/monde/", "/politique/", "/societe/", "/economie/"),
        time_zone=PARIS,
        related_markers=("A lire aussi", "Lire aussi"),
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
