"""Le Grand Continent (legrandcontinent.eu), the review of European politics, its French
pages under ``/fr/``; its other languages (``/it/``, ``/es/``, ``/de/``, ``/pl/``) are
other sites. A WordPress site.

Discovery as the site publishes it: the WordPress sitemaps its robots.txt names, the RSS
feed its pages link (``/fr/feed/``), the home page.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/fr/YYYY/MM/DD/<slug>/`` (``/fr/2020/03/02/francois-heran/``). Category pages
#: (``/fr/category/...``), tags and the feed are none.
ARTICLE_PATH = re.compile(r"^/fr/(\d{4}/\d{2}/\d{2})/[^/]+/?$")
#: Category pages (``/fr/category/geopolitique/``).
LISTING_PATH = re.compile(r"^/fr/category/[a-z0-9-]+/?$")

LEGRANDCONTINENT = register(
    Site(
        name="legrandcontinent",
        title="Le Grand Continent",
        home="https://legrandcontinent.eu/fr/",
        domains=("legrandcontinent.eu",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/fr/feed/",),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        note=(
            "Fixture: the corpus page traf_legrandcontinent.eu.heran (adbar/trafilatura, "
            "Apache-2.0), tests/fixtures/corpus/."
        ),
    )
)
