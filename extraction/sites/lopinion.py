"""L'Opinion (www.lopinion.fr), the liberal daily founded in 2013.

Discovery as the site publishes it: the sitemaps its robots.txt names, the home page and its
rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Until 2021: ``/edition/<rubrique>/<slug>-<id>``
#: (``/edition/economie/glyphosate-radiographie-d-intoxication-collective-186859``); since:
#: ``/<rubrique>/<slug>`` of four words or more
#: (``/politique/pourquoi-les-partis-politiques-se-prennent-de-passion-pour-le-point-...``).
#: Rubriques (``/politique``, ``/edition/economie/``) are none.
ARTICLE_PATH = re.compile(
    r"^/edition/[a-z0-9-]+/[a-z0-9-]+-\d+/?$"
    r"|^/(?!edition/)[a-z0-9-]+/[a-z0-9]+(?:-[a-z0-9]+){3,}/?$"
)
#: Rubriques (``/politique``, ``/edition/economie/``).
LISTING_PATH = re.compile(r"^/(?:edition/)?[a-z0-9-]+/?$")

LOPINION = register(
    Site(
        name="lopinion",
        title="L'Opinion",
        home="https://www.lopinion.fr/",
        domains=("lopinion.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        listings=("/politique", "/economie", "/international"),
        time_zone=PARIS,
        strip_selectors=(".bloc-promo-abo-mobile", ".bloc-inscription-newsletter"),
        note=(
            "Fixture: the corpus page traf_lopinion.fr.glyphosate (adbar/trafilatura, "
            "Apache-2.0), tests/fixtures/corpus/."
        ),
    )
)
