"""Regards (www.regards.fr), the monthly of the left and its daily site, on SPIP.

Discovery as the site publishes it: the sitemaps its robots.txt names, the home page and its
rubriques (no feed of its could be confirmed).
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>]/article/<slug>``
#: (``/politique/article/deux-ans-et-demi-en-macronie-9-mises-en-examen-...-et-2``).
#: Rubriques (``/politique/``), tags (``/tags/justice``, ``/mot/emmanuel-macron``) and
#: author pages (``/auteur/loic-le-clerc``) are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9-]+/)+article/[a-z0-9-]+/?$")
#: Rubriques (``/politique/``, ``/idees-culture/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/$")

REGARDS = register(
    Site(
        name="regards",
        title="Regards",
        home="https://www.regards.fr/",
        domains=("regards.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        listings=("/politique/", "/societe/", "/idees-culture/"),
        time_zone=PARIS,
        # Its in-body boxes read "LIRE AUSSI SUR REGARDS.FR >>" before one link.
        related_markers=("LIRE AUSSI SUR REGARDS.FR",),
        # Its standfirst is a div.cap under the headline (an <h2>: its <h1> is the logo).
        lead_selectors=(".cap",),
        strip_selectors=("#comments", ".partager", ".categories", ".-reactions"),
        note=(
            "Fixture: the corpus page traf_regards.fr.enquetes (adbar/trafilatura, "
            "Apache-2.0), tests/fixtures/corpus/."
        ),
    )
)
