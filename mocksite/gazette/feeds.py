"""The Gazette's machine-readable discovery: robots.txt, sitemaps, Google News sitemap, RSS.

Shapes as French dailies publish them: a sitemap index (``/sitemap_index.xml``) of monthly
article sitemaps (``/sitemaps/articles-2024-09.xml``), a Google News sitemap of the last two
days (``/sitemap_news.xml``, ``news:publication``, ``news:publication_date``, ``news:title``),
both named by robots.txt ``Sitemap:`` lines, and an RSS 2.0 feed of the latest articles
(``/rss/une.xml``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape

from . import words
from .site import NEWS_HOURS, Gazette, iso

INDEX_PATH = "/sitemap_index.xml"
NEWS_PATH = "/sitemap_news.xml"
RSS_PATH = "/rss/une.xml"
MONTH_PATH = re.compile(r"/sitemaps/articles-(\d{4})-(\d{2})\.xml")
LATEST_IN_RSS = 100  # every article of a small site

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


def robots(base: str, crawl_delay: float | None = None) -> str:
    delay = f"Crawl-delay: {crawl_delay:g}\n" if crawl_delay is not None else ""
    return (
        "User-agent: *\n"
        "Disallow: /compte/\n"
        "Disallow: /recherche\n"
        f"{delay}\n"
        f"Sitemap: {base}{INDEX_PATH}\n"
        f"Sitemap: {base}{NEWS_PATH}\n"
    )


def month_path(year: int, month: int) -> str:
    return f"/sitemaps/articles-{year:04d}-{month:02d}.xml"


def months(site: Gazette) -> dict[tuple[int, int], list[int]]:
    """(year, month) -> the articles published that month (Paris time), oldest first."""
    found: dict[tuple[int, int], list[int]] = {}
    for index in range(site.count):
        published = site.meta(index).published
        found.setdefault((published.year, published.month), []).append(index)
    return found


def sitemap_index(site: Gazette, base: str) -> str:
    entries = "".join(
        f"<sitemap><loc>{base}{month_path(*month)}</loc>"
        f"<lastmod>{iso(max(site.meta(i).lastmod for i in indices))}</lastmod></sitemap>\n"
        for month, indices in sorted(months(site).items(), reverse=True)
    )
    return f'{_XML}<sitemapindex xmlns="{_SM}">\n{entries}</sitemapindex>\n'


def month_sitemap(site: Gazette, base: str, year: int, month: int) -> str | None:
    """The sitemap of one month, newest first; None for a month without articles."""
    indices = months(site).get((year, month))
    if not indices:
        return None
    entries = "".join(
        f"<url><loc>{base}{site.meta(i).url_path}</loc>"
        f"<lastmod>{iso(site.meta(i).lastmod)}</lastmod></url>\n"
        for i in reversed(indices)
    )
    return f'{_XML}<urlset xmlns="{_SM}">\n{entries}</urlset>\n'


def news_articles(site: Gazette) -> list[int]:
    """Articles published within NEWS_HOURS of the site's clock, newest first."""
    since = site.now() - timedelta(hours=NEWS_HOURS)
    return [i for i in site.newest(site.count) if site.meta(i).published >= since]


def news_sitemap(site: Gazette, base: str) -> str:
    entries = []
    for index in news_articles(site):
        meta = site.meta(index)
        entries.append(
            f"<url><loc>{base}{meta.url_path}</loc><news:news><news:publication>"
            f"<news:name>{escape(words.SITE_NAME)}</news:name><news:language>fr</news:language>"
            f"</news:publication><news:publication_date>{iso(meta.published)}"
            f"</news:publication_date><news:title>{escape(meta.title)}</news:title>"
            "</news:news></url>\n"
        )
    return f'{_XML}<urlset xmlns="{_SM}" xmlns:news="{_NEWS}">\n{"".join(entries)}</urlset>\n'


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment)


def rss(site: Gazette, base: str) -> str:
    items = []
    for index in site.newest(LATEST_IN_RSS):
        meta = site.meta(index)
        items.append(
            f"<item><title>{escape(meta.title)}</title><link>{base}{meta.url_path}</link>"
            f"<description>{escape(meta.lead)}</description>"
            f"<category>{escape(words.RUBRIQUES[meta.rubrique][1])}</category>"
            f"<pubDate>{_rfc822(meta.published)}</pubDate>"
            f'<guid isPermaLink="false">gazette-{meta.article_id}</guid></item>\n'
        )
    return (
        f'{_XML}<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>\n'
        f"<title>{escape(words.SITE_NAME)} – À la une</title><link>{base}/</link>"
        "<description>Toute l’actualité du Val</description><language>fr</language>"
        f'<atom:link href="{base}{RSS_PATH}" rel="self" type="application/rss+xml"/>\n'
        f"{''.join(items)}</channel></rss>\n"
    )
