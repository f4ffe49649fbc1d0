"""Libération (www.liberation.fr), on the Arc XP platform since 2020.

Discovery as the site publishes it: Arc's outbound feeds (the sitemap, paginated with
``&from=N``; the Google News sitemap; the RSS feed of all articles), the home page and its
rubriques. Until 2020 its feeds
were on another host (rss.liberation.fr, linked by the 2015 fixture).
"""

from __future__ import annotations

import re

from extraction.pages.generic import GenericArticlePage
from extraction.sites import PARIS, Site, register

#: Since 2020 (Arc): ``/<rubrique>[/<sous-rubrique>]/<slug>-YYYYMMDD_<26-character id>/``
#: (``/economie/economie-numerique/sept-choses-...-20230331_L6YEOWWJU5HWDL3GF5P7QM5LFE/``).
#: Before: ``/<rubrique>/YYYY/MM/DD/<slug>_<id>``
#: (``/monde/2015/04/30/un-troisieme-francais-mort-dans-le-seisme-au-nepal_1278483``).
#: Rubriques, tags (``/tags/...``) and authors (``/auteur/...``) are none.
ARTICLE_PATH = re.compile(
    r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+-(\d{8})_[A-Z0-9]{26}/?$"
    r"|^/(?:[a-z0-9-]+/)+(\d{4}/\d{2}/\d{2})/[a-z0-9-]+_\d+/?$"
)
#: Rubriques and their sections (``/politique/``, ``/international/europe/``).
LISTING_PATH = re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?$")

LIBERATION = register(
    Site(
        name="liberation",
        title="Libération",
        home="https://www.liberation.fr/",
        domains=("liberation.fr",),
        page_class=GenericArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=LISTING_PATH,
        sitemaps=("/arc/outboundfeeds/sitemap/?outputType=xml",),
        news_sitemaps=("/arc/outboundfeeds/sitemap_news.xml?outputType=xml",),
        feeds=("/arc/outboundfeeds/rss-all/?outputType=xml",),
        listings=("/politique/", "/international/", "/societe/", "/economie/"),
        article_day=ARTICLE_PATH,
        time_zone=PARIS,
        # 2015 layout: the "Sur le même sujet" box of cards at the head of the body.
        related_selectors=("aside#related-content",),
        strip_selectors=(".authors-container", "#sidebar"),
        strip_patterns=(
            re.compile(r"Cet article est réservé aux abonnés\..*"),
            re.compile(r"Pour lire la suite de cet article, abonnez-vous.*"),
        ),
        note=(
            "Fixture: tests/fixtures/sites/liberation/2015_seisme_nepal.html, a 2015 article "
            "from mozilla/readability (Apache-2.0), copied but for one invisible character of "
            "a sidebar title (see tests/fixtures/sites/SOURCES.md)."
        ),
    )
)
