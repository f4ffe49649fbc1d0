"""Le Parisien (www.leparisien.fr), on the Arc XP platform.

Discovery as the site publishes it: the sitemaps its robots.txt names, the RSS feed of the
front page (``/actualites-a-la-une/rss.xml``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>...]/<slug>-DD-MM-YYYY-<26-character id>.php``
#: (``/environnement/leurope-sest-rechauffee-...-19-06-2023-YRUHC2EOFJEDFEAZU7A2BO64JI.php``);
#: the day comes day first, so no ``article_day``. Rubriques and towns are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+-\d{2}-\d{2}-\d{4}-[A-Z0-9]{26}\.php$")
#: Rubriques and towns (``/politique/``, ``/paris-75/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?$")

LEPARISIEN = register(
    Site(
        name="leparisien",
        title="Le Parisien",
        home="https://www.leparisien.fr/",
        domains=("leparisien.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/actualites-a-la-une/rss.xml",),
        listings=("/politique/", "/faits-divers/", "/economie/", "/international/"),
        time_zone=PARIS,
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
