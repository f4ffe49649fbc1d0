"""Le Bondy Blog (www.bondyblog.fr), the media of the banlieues born in 2005, on WordPress.

Discovery as the site publishes it: the WordPress sitemaps its robots.txt names, the RSS feed
its pages link (``/feed/``), the home page and its categories.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<catégorie>[/<sous-catégorie>]/<slug of four words or more>/``
#: (``/societe/a-paris-8-un-peu-de-tension-beaucoup-d-actions/``,
#: ``/societe/education/un-an-a-latelier-sciences-po-de-delacroix-ep-5-eprouvante-oralite/``).
#: Categories (``/societe/education/``), authors (``/author/niang-kab/``), tags and pages
#: (``/soutenez-nous/``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?!author/|tag/|category/)(?:[a-z0-9-]+/){1,2}[a-z0-9]+(?:-[a-z0-9]+){3,}/?$"
)
#: Categories (``/societe/``, ``/societe/education/``).
LISTING_PATH = re.compile(r"^/[a-z]+/(?:[a-z-]+/)?$")

BONDYBLOG = register(
    Site(
        name="bondyblog",
        title="Le Bondy Blog",
        home="https://www.bondyblog.fr/",
        domains=("bondyblog.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        feeds=("/feed/",),
        listings=("/societe/", "/politique/", "/culture/"),
        time_zone=PARIS,
        strip_patterns=(re.compile(r"Crédit photos? ?: .*"),),
        note=(
            "Fixture: the corpus page traf_bondyblog.fr.paris-8 (adbar/trafilatura, "
            "Apache-2.0), tests/fixtures/corpus/."
        ),
    )
)
