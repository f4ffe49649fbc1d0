"""Gala (www.gala.fr), the celebrity weekly of Prisma Media, whose news of stars often covers
politicians.

Discovery as the site publishes it: the sitemaps its robots.txt names, the home page and its
rubriques (no feed of its could be confirmed).
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>/<sous-rubrique>/<slug>_<id>``
#: (``/l_actu/news_de_stars/jean-paul-delevoye-monsieur-retraites-...-flatteur_439447``).
#: Rubriques (``/l_actu/news_de_stars``) and tags (``/page/tag/gala-politique``) are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9_-]+/)+[a-z0-9-]+_\d{4,}/?$")
#: Rubriques (``/l_actu``, ``/l_actu/news_de_stars``).
LISTING_PATH = re.compile(r"^/[a-z_]+(?:/[a-z_]+)?/?$")

GALA = register(
    Site(
        name="gala",
        title="Gala",
        home="https://www.gala.fr/",
        domains=("gala.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        listings=("/l_actu/news_de_stars",),
        time_zone=PARIS,
        strip_selectors=(".tagsList", ".social-header-fix"),
        strip_patterns=(re.compile(r"Crédits? photos? ?: .*"),),
        note=(
            "Fixture: the corpus page traf_gala.fr.surnom (adbar/trafilatura, Apache-2.0), "
            "tests/fixtures/corpus/."
        ),
    )
)
