"""Le Monde (www.lemonde.fr): the daily of reference, half its articles behind a paywall.

Discovery as the site publishes it: the sitemap index and the Google News sitemap that its
robots.txt names, the front-page and "en continu" RSS feeds (each rubrique also has its own
``/<rubrique>/rss_full.xml``, linked from its pages), the home page and its rubriques. The
English edition under ``/en/`` is not this French-language site.
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: ``/<rubrique>[/<sous-rubrique>]/article/YYYY/MM/DD/<slug>_<id>_<rubrique id>.html``, also
#: ``live/`` and ``video/`` pages, and their AMP copies under ``/amp/``
#: (``/politique/article/2023/08/30/sophie-binet-met-en-garde-..._6187099_823448.html``).
#: Rubriques (``/politique/``), tags (``/emmanuel-macron/``), author pages
#: (``/signataires/bertrand-bissuel/``) and the English edition (``/en/...``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?:amp/)?(?!en/)(?:[a-z0-9-]+/)+(?:article|live|video)/"
    r"(\d{4}/\d{2}/\d{2})/[^/]+_\d+_\d+\.html$"
)
#: Rubrique pages: one segment (``/international/``, ``/les-decodeurs/``).
LISTING_PATH = re.compile(r"^/(?!en/)[a-z0-9-]+/$")

LEMONDE = register(
    Site(
        name="lemonde",
        title="Le Monde",
        home="https://www.lemonde.fr/",
        domains=("lemonde.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        sitemaps=("/sitemap_index.xml",),
        news_sitemaps=("/sitemap_news.xml",),
        feeds=("/rss/une.xml", "/rss/en_continu.xml"),
        listings=("/international/", "/politique/", "/societe/", "/economie/", "/planete/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        # "Lire aussi" boxes: <section class="catcher"> since about 2018 (its label is
        # visually hidden), <p class="lire"> in the layout of 2015.
        related_selectors=("section.catcher", "p.lire"),
        related_markers=("Lire aussi |",),
        strip_selectors=(".paywall", ".services-list", ".services-carousel"),
        strip_patterns=(
            re.compile(
                r"Il vous reste \d+(?:[.,]\d+)?\s?% de cet article à lire\."
                r"(?: La suite est réservée (?:aux|à nos) abonnés\.)?"
            ),
            re.compile(r"La suite est réservée (?:aux|à nos) abonnés\.?"),
            re.compile(r"Article réservé (?:aux|à nos) abonnés"),
            re.compile(r"Lecture du Monde en cours sur un autre appareil\.?"),
        ),
        note=(
            "Fixtures: the corpus pages fundus_fr_LeMonde_2023_09_01 (flairNLP/fundus, MIT) "
            "and readability_lemonde-1 (mozilla/readability, Apache-2.0), "
            "tests/fixtures/corpus/."
        ),
    )
)
