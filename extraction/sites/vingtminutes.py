"""20 Minutes (www.20minutes.fr), the free daily; not 20min.ch, a Swiss paper of its own.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feeds
(``/feeds/rss-une.xml``, one a rubrique), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>]/<id>-YYYYMMDD-<slug>``
#: (``/monde/2978295-20210216-vaccination-coree-nord-tente-pirater-donnees-pfizer``), and
#: AMP copies under ``/amp/``. Rubriques (``/monde/``), tags and authors are none.
ARTICLE_PATH = re.compile(r"^/(?:amp/)?(?:[a-z0-9-]+/)+\d+-(\d{8})-[a-z0-9-]+/?$")
#: Rubriques and their sections (``/monde/``, ``/paris/``, ``/sport/football/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?$")

VINGTMINUTES = register(
    Site(
        name="vingtminutes",
        title="20 Minutes",
        home="https://www.20minutes.fr/",
        domains=("20minutes.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/feeds/rss-une.xml",),
        listings=("/societe/", "/politique/", "/monde/", "/economie/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        related_markers=("A lire aussi", "Notre dossier"),
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
