"""Le Figaro (www.lefigaro.fr), with its AMP host and its thematic subdomains
(madame.lefigaro.fr, etudiant.lefigaro.fr...).

Discovery as the site publishes it: its Google News sitemap, the "actualités", "flash actu"
and per-rubrique RSS feeds (``/rss/figaro_<rubrique>.xml``), the home page and its rubriques
(the sources Fundus crawls it from). Its article sitemap is on another host
(sitemaps.lefigaro.fr/lefigaro.fr/articles.xml), which a path of this host cannot name:
robots.txt leads the spider there.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Since 2019: ``/<rubrique>[/<sous-rubrique>]/<slug>-YYYYMMDD``
#: (``/international/guerre-en-ukraine-deux-morts-...-20241122``). Before:
#: ``/<rubrique>/YYYY/MM/DD/<5 digits>-YYYYMMDDARTFIG<5 digits>-<slug>.php``
#: (``/flash-actu/2011/08/17/97001-20110817FILWWW00263-gerard-depardieu-urine-...php``).
#: Rubriques, tags (``/tag/ukraine``) and author pages (``/auteur/...``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?!tag/|auteur/)(?:[a-z0-9-]+/)+[a-z0-9-]+-(\d{8})/?$"
    r"|^/(?:[a-z0-9-]+/)+(\d{4}/\d{2}/\d{2})/\d{5}-\d{8}[A-Z]{3,6}\d{5}-[^/]+\.php$"
)
#: Rubrique pages: one or two segments (``/international``, ``/economie/conjoncture``).
LISTING_PATH = re.compile(r"^/(?!.*-\d{8}/?$)[a-z0-9-]+(?:/[a-z0-9-]+)?/?$")

LEFIGARO = register(
    Site(
        name="lefigaro",
        title="Le Figaro",
        home="https://www.lefigaro.fr/",
        domains=("lefigaro.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        news_sitemaps=("/sitemap_news.xml",),
        feeds=(
            "/rss/figaro_actualites.xml",
            "/rss/figaro_flash-actu.xml",
            "/rss/figaro_international.xml",
        ),
        listings=("/politique", "/international", "/actualite-france", "/economie"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        # "À lire aussi" inside the body (<p class="fig-body-link">) and the module of
        # cards after the article.
        related_selectors=("p.fig-body-link", ".fig-suggested-resources"),
        strip_selectors=(
            ".fig-premium-paywall",
            ".fig-newsletter-box",
            ".fh-ft__newsletter",
        ),
        strip_patterns=(
            re.compile(r"Cet article est réservé aux abonnés\..*"),
            re.compile(r"Vous avez envie de lire la suite \?.*"),
        ),
        note=(
            "Fixture: the corpus page fundus_fr_LeFigaro_2024_11_22 (flairNLP/fundus, MIT), "
            "tests/fixtures/corpus/; the walk-through of docs/sites.md."
        ),
    )
)
