"""La Croix (www.la-croix.com), the Catholic daily.

Discovery as the site publishes it: the sitemaps its robots.txt names, the home page and its
rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Until 2023: ``/<Rubrique>[/<Sous-rubrique>]/<Slug>-YYYY-MM-DD-<10-digit id>``
#: (``/Monde/Covid-19-lOMS-appelle-monde-prudence-2020-06-20-1201100880``); since:
#: ``/<rubrique>/<slug>``
#: of four words or more. Rubriques (``/Monde``, ``/international``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?:[A-Za-z0-9-]+/)+[A-Za-z0-9-]+-(\d{4}-\d{2}-\d{2})-\d{10}/?$"
    r"|^/[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+){3,}/?$"
)
#: Rubriques (``/Monde``, ``/france``).
LISTING_PATH = re.compile(r"^/[A-Za-z0-9-]+/?$")

LACROIX = register(
    Site(
        name="lacroix",
        title="La Croix",
        home="https://www.la-croix.com/",
        domains=("la-croix.com",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        listings=("/france", "/international", "/religion", "/economie"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        note="No real page could be found in public repositories: the generic page object "
        "serves the site, untested on its pages.",
    )
)
