"""robots.txt and the article sitemaps of the replica, at the paths the Sputnik platform uses.

The real sites (sputniknews.com, sputnikglobe.com, fr.sputniknews.africa, the platform of
ria.ru) name ``/sitemap_article_index.xml`` in the ``Sitemap:`` line of their robots.txt. That
index lists one sitemap per month, newest first,
``/sitemap_article.xml?date_start=20170601&date_end=20170630``; the current month's ends on its
latest day (``date_end=20170621``), so its URL changes every day. A sitemap lists the articles
published between the two days, newest first, each with its ``<lastmod>``; the server answers
for any range of days (public crawlers ask for a single day, or the last two), an empty list for
one without articles. Here the index dates each month (``<lastmod>``) by the newest lastmod of
its articles, as sitemaps.org asks.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from urllib.parse import parse_qs

from .site import END_DATE, Site

ARTICLE_INDEX_PATH = "/sitemap_article_index.xml"
MONTHLY_PATH = "/sitemap_article.xml"
SITEMAPS_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Month:
    """One entry of the index: the days its sitemap covers, and when it last changed."""

    start: date
    end: date
    lastmod: datetime

    @property
    def path(self) -> str:
        return sitemap_path(self.start, self.end)


def sitemap_path(start: date, end: date) -> str:
    """The path of the sitemap of the articles published from ``start`` to ``end``."""
    return f"{MONTHLY_PATH}?date_start={start:%Y%m%d}&date_end={end:%Y%m%d}"


def robots(
    base: str,
    crawl_delay: float | None = None,
    disallow_all: bool = False,
    disallow_photos: bool = False,
) -> str:
    """The replica's robots.txt: its rules and the ``Sitemap:`` line naming the index
    (``disallow_photos``: the photo paths are off limits too)."""
    lines = ["User-agent: *", "Disallow: /search", "Disallow: /services/", "Allow: /"]
    if disallow_photos:
        lines[3:3] = ["Disallow: /images/", "Disallow: /img/"]
    if disallow_all:
        lines = ["User-agent: *", "Disallow: /"]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += ["", f"Sitemap: {base}{ARTICLE_INDEX_PATH}", ""]
    return "\n".join(lines)


def days_between(site: Site, start: date, end: date) -> range:
    """The site's days (as days back from END_DATE) from ``start`` to ``end``, newest first."""
    newest = max(site.first_days_back, (END_DATE - end).days)
    oldest = min(_oldest_days_back(site), (END_DATE - start).days)
    return range(newest, oldest + 1)


def _oldest_days_back(site: Site) -> int:
    return site.day_of(site.articles - 1)[0]


def articles_between(site: Site, start: date, end: date) -> list[int]:
    """The articles published from ``start`` to ``end``, newest first."""
    return [i for days_back in days_between(site, start, end) for i in site.day_articles(days_back)]


def months(site: Site) -> list[Month]:
    """The index's entries, newest month first."""
    newest = site.day_date(site.first_days_back)
    oldest = site.day_date(_oldest_days_back(site))
    found = []
    year, month = newest.year, newest.month
    while (year, month) >= (oldest.year, oldest.month):
        start = date(year, month, 1)
        end = min(date(year, month, calendar.monthrange(year, month)[1]), newest)
        indices = articles_between(site, start, end)
        if indices:
            found.append(Month(start, end, max(site.lastmod(i) for i in indices)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def article_index(base: str, entries: Iterable[Month]) -> str:
    """The sitemap index of ``entries``, their URLs at ``base``."""
    rows = "".join(
        f"<sitemap><loc>{escape(base + month.path)}</loc>"
        f"<lastmod>{month.lastmod.isoformat()}</lastmod></sitemap>\n"
        for month in entries
    )
    return f'{XML_DECLARATION}<sitemapindex xmlns="{SITEMAPS_NS}">\n{rows}</sitemapindex>\n'


def article_sitemap(site: Site, base: str, indices: Iterable[int]) -> str:
    """The sitemap listing the articles ``indices``, their URLs at ``base``."""
    rows = []
    for index in indices:
        meta = site.meta(index)
        rows.append(
            f"<url><loc>{escape(base + meta.url_path)}</loc>"
            f"<lastmod>{meta.lastmod.isoformat()}</lastmod></url>\n"
        )
    return f'{XML_DECLARATION}<urlset xmlns="{SITEMAPS_NS}">\n{"".join(rows)}</urlset>\n'


def period(query: str) -> tuple[date, date] | None:
    """``date_start`` and ``date_end`` of a sitemap's query; ``None`` unless both are days
    (``YYYYMMDD``) and the first is not after the second."""
    values = parse_qs(query)
    days = []
    for name in ("date_start", "date_end"):
        found = values.get(name, [])
        if len(found) != 1 or len(found[0]) != 8 or not found[0].isdigit():
            return None
        try:
            days.append(date(int(found[0][:4]), int(found[0][4:6]), int(found[0][6:])))
        except ValueError:
            return None
    start, end = days
    return (start, end) if start <= end else None
