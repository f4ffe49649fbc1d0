"""L'Obs (www.nouvelobs.com), formerly Le Nouvel Observateur; its old hosts
(tempsreel.nouvelobs.com, bibliobs.nouvelobs.com...) are subdomains and so the site too.

Discovery as the site publishes it: the sitemaps its robots.txt names, its RSS feed of the
front page (``/a-la-une/rss.xml``), the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>]/YYYYMMDD.OBS<id>/[<slug>.html]``
#: (``/politique/20220516.OBS58520/``, ``/politique/20170710.OBS1881/les-presidents-...html``).
#: Rubriques (``/politique/``) and tags are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/)+(\d{8})\.[A-Z]+\d+/(?:[^/]+\.html)?$")
#: Rubriques (``/politique/``, ``/monde/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/$")

LOBS = register(
    Site(
        name="lobs",
        title="L'Obs",
        home="https://www.nouvelobs.com/",
        domains=("nouvelobs.com",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/a-la-une/rss.xml",),
        listings=("/politique/", "/monde/", "/societe/", "/economie/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
