"""Ouest-France (www.ouest-france.fr), the regional daily with the largest circulation.

Discovery as the site publishes it: the sitemaps its robots.txt names, the RSS feed of its
continuous news (``/rss-en-continu.xml``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Since 2020: ``/<rubrique>[/<ville>-<code postal>...]/<slug>-<UUID>``
#: (``/high-tech/google/une-faille-...-60bd8af8-dde6-11ed-8d9e-5db6de9e226d``); before:
#: ``/.../<slug>-<numeric id>`` (``/pays-de-la-loire/nantes-44000/nantes-le-robot-...-6203134``).
#: Rubriques and town pages (``/pays-de-la-loire/nantes-44000/``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+-"
    r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{6,})$"
)
#: Rubriques, regions and towns (``/sport/``, ``/pays-de-la-loire/nantes-44000/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)*$")

OUESTFRANCE = register(
    Site(
        name="ouestfrance",
        title="Ouest-France",
        home="https://www.ouest-france.fr/",
        domains=("ouest-france.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/rss-en-continu.xml",),
        listings=("/france/", "/monde/", "/politique/", "/economie/"),
        time_zone=PARIS,
        related_markers=("Lire aussi", "À lire aussi"),
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
