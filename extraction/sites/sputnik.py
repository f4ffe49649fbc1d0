"""Sputnik's French-language site: Sputnik France (fr.sputniknews.com) until 2022, Sputnik
Afrique (fr.sputniknews.africa) since, on the platform of sputniknews.com, sputnikglobe.com
and ria.ru.

Discovery as that platform publishes: the sitemaps robots.txt names, the article sitemap
index ``/sitemap_article_index.xml`` (monthly ``/sitemap_article.xml?date_start=…&date_end=…``),
the RSS feed, the home page and its rubriques.
"""

from __future__ import annotations

import re

from extraction.pages.sputnik import MOSCOW, SputnikArticlePage
from extraction.sites import Site, register

#: Article URLs of both platforms. Legacy (sputniknews.com to about 2020):
#: ``/rubrique/YYYYMMDD<id>-slug/``, the rubrique with underscores or hyphens
#: (``/radio_the_critical_hour/202004281079127690-some-us-states-.../``,
#: ``/radio-moats/...``, ``/photo/201911191077347950-Tourism-Medicine-.../``). Current
#: (sputnikglobe.com, fr.sputniknews.africa, the ria.ru platform): ``/YYYYMMDD/slug-<id>.html``,
#: or ``/YYYYMMDD/<id>.html`` where the slug is left out (sputniknews.cn). Listings, tag and
#: author pages (``/tags/covid-19/``), AMP copies (``/amp/rubrique/...``), feeds and static
#: pages (``/docs/about/index.html``) are none.
ARTICLE_PATH = re.compile(r"^/(?:[a-z0-9_-]+/\d{14,}-[^/]+/?|\d{8}/(?:[^/]+-)?\d+\.html)$")
#: Rubrique (section) pages: one path segment, e.g. ``/international/``,
#: ``/radio_the_critical_hour/``.
RUBRIQUE_PATH = re.compile(r"^/[a-z0-9_-]+/$")
#: The publication day an article URL carries: ``/rubrique/YYYYMMDD<id>-slug/`` (legacy) or
#: ``/YYYYMMDD/slug-<id>.html`` (current).
ARTICLE_DAY = re.compile(r"^/(?:[a-z0-9_-]+/(\d{8})\d{6,}-|(\d{8})/)")

#: Sputnik's chrome, never article text: its radio player, comment widgets, short-URL box and
#: calls to follow it, matched whole (case-insensitively) against each paragraph.
CHROME = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"[ée]coutez\s+radio\s+sputnik.{0,40}",
        r"commenter\s+via\s+(?:facebook|sputnik).{0,40}",
        r"r[èe]gles\s+de\s+conduite.{0,20}",
        r"discussion",
        r"url\s+courte",
        r"(?:suivez|rejoignez|retrouvez)[- ]sputnik\b.{0,60}?\b(?:sur|via)\b.{0,60}",
        r"abonnez[- ]vous\s+(?:à|a|au|aux)\s+sputnik\b.{0,80}",
    )
)

SPUTNIK = register(
    Site(
        name="sputnik",
        title="Sputnik Afrique (formerly Sputnik France)",
        home="https://fr.sputniknews.africa/",
        domains=("fr.sputniknews.africa",),
        old_domains=("fr.sputniknews.com",),
        page_class=SputnikArticlePage,
        article_path=ARTICLE_PATH,
        listing_path=RUBRIQUE_PATH,
        sitemaps=("/sitemap_article_index.xml",),
        feeds=("/export/rss2/archive/index.xml",),
        article_day=ARTICLE_DAY,
        language="fr",
        time_zone=MOSCOW,
        strip_patterns=CHROME,
    )
)
