"""Sites as data: what varies from one news site to the next, and the registry that finds
the site of a URL.

A :class:`Site` declares a site's name, its domains (and those it used before), where its
articles are discovered (sitemaps, news sitemaps, feeds, listing pages), what its article URLs
look like, which page object reads them (and which read its older layouts), the blocks its
pages hold that are not article text (related blocks, paywall notices, promos), and the time
zone, language and politeness it needs. Adding a site is one small module in this package
that builds its ``Site`` and registers it, plus its real pages as fixtures.

Which page object handles which URLs is data, as in web-poet's ``@handle_urls``: the site of
a URL (:func:`site_of`) names its page class; a URL of no declared site gets the generic page
object (:func:`page_class_of`). Older layouts are kept as Fundus keeps parser versions, each
valid until a day (:class:`Layout`), so a page captured years ago is read as it was laid out.

Pure data and lookups: this package imports neither Scrapy nor the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from extraction.pages.base import ArticlePage

#: The zone of the French sites' pages that show a time without its offset.
PARIS = ZoneInfo("Europe/Paris")

#: Article paths of a site that declares none: a path of two segments or more whose last
#: one is a slug or an id (``/politique/article/2024/05/02/un-titre_6231.html``,
#: ``/economie/un-titre-2093452``), or any ``.html``/``.htm``/``.php`` page but an index.
GENERIC_ARTICLE_PATH = re.compile(
    r"^/(?:[^/?#]+/)+(?:[^/?#]*-[^/?#]*-[^/?#]*|[^/?#]*\d{4,}[^/?#]*)/?$"
    r"|^/(?:[^/?#]+/)*(?!index\.)[^/?#]+\.(?:html?|php)$"
)
#: Listing paths of a site that declares none: one path segment (``/international/``).
GENERIC_LISTING_PATH = re.compile(r"^/[a-z0-9_-]+/?$")


@dataclass(frozen=True)
class Layout:
    """An older layout of a site, read by its own page object (Fundus' ``VALID_UNTIL``)."""

    page_class: type[ArticlePage]
    """The page object that reads pages of this layout."""
    valid_until: date
    """The last day pages were served in this layout."""


@dataclass(frozen=True)
class Site:
    """One news site."""

    name: str
    """Short id: the ``site`` of its articles, ``-a site=`` of a crawl."""
    title: str
    """Its name as readers know it."""
    home: str
    """The live site's root URL, where discovery starts by default."""
    domains: tuple[str, ...]
    """Hosts it serves today; their subdomains are the site too."""
    page_class: type[ArticlePage]
    """The page object that reads its article pages (today's layout)."""
    article_path: re.Pattern[str] = GENERIC_ARTICLE_PATH
    """Paths of article pages."""
    listing_path: re.Pattern[str] = GENERIC_LISTING_PATH
    """Paths of listing pages (rubriques, sections) followed from the home page."""
    old_domains: tuple[str, ...] = ()
    """Hosts it served before (archived URLs still name them)."""
    sitemaps: tuple[str, ...] = ()
    """Paths of its sitemaps (indexes or not), asked for besides robots.txt's."""
    news_sitemaps: tuple[str, ...] = ()
    """Paths of its Google News sitemaps (the last two days' articles)."""
    feeds: tuple[str, ...] = ()
    """Paths of its RSS or Atom feeds."""
    listings: tuple[str, ...] = ()
    """Paths of listing pages discovery starts from besides the home page."""
    article_day: re.Pattern[str] | None = None
    """Where an article path carries its publication day, year first: the first group that
    matched, its digits read as ``YYYYMMDD`` (``20230830``, ``2023/08/30``, ``2023-08-30``);
    ``None`` when its URLs carry none, or carry it day first."""
    language: str = "fr"
    time_zone: tzinfo | None = None
    """Zone of the times its pages show without an offset (``None``: the page object's)."""
    politeness: dict[str, Any] = field(default_factory=dict)
    """Settings this site needs other than the crawl's (``DOWNLOAD_DELAY``...)."""
    related_selectors: tuple[str, ...] = ()
    """CSS selectors of its related-article blocks, besides the generic markers and classes."""
    related_markers: tuple[str, ...] = ()
    """Marker phrases of its related blocks the generic list lacks."""
    lead_selectors: tuple[str, ...] = ()
    """CSS selectors of its standfirst (chapeau), tried before the generic class tokens."""
    strip_selectors: tuple[str, ...] = ()
    """CSS selectors of what is not article text (paywall notices, promos, chrome)."""
    strip_patterns: tuple[re.Pattern[str], ...] = ()
    """Paragraphs that are not article text, matched whole (``Il vous reste 57.09% …``)."""
    layouts: tuple[Layout, ...] = ()
    """Its older layouts, oldest first; pages after the last one's day use ``page_class``."""
    note: str = ""
    """What a user should know: where its fixtures come from, or that none could be found."""

    def is_article_path(self, path: str) -> bool:
        return bool(self.article_path.match(path))

    def day_of(self, url: str) -> str | None:
        """The publication day (``YYYYMMDD``) an article URL carries, ``None`` without."""
        if self.article_day is None:
            return None
        match = self.article_day.match(urlsplit(url).path)
        if match is None:
            return None
        found = next((group for group in match.groups() if group), None)
        return re.sub(r"\D", "", found) if found else None

    def page_class_at(self, day: date | None = None) -> type[ArticlePage]:
        """The page object of pages served on ``day`` (today's without a day)."""
        if day is not None:
            for layout in self.layouts:
                if day <= layout.valid_until:
                    return layout.page_class
        return self.page_class

    def serves(self, host: str) -> bool:
        """True for one of its hosts, old or current, or a subdomain of one."""
        return self._serving_domain(host) is not None

    def _serving_domain(self, host: str) -> str | None:
        """The longest of its domains ``host`` is, or is a subdomain of."""
        host = host.lower().rstrip(".")
        domains = [d.lower().rstrip(".") for d in self.domains + self.old_domains]
        found = [d for d in domains if host == d or host.endswith("." + d)]
        return max(found, key=len) if found else None


_SITES: dict[str, Site] = {}


def register(site: Site) -> Site:
    """Add ``site`` to the registry; a second site of the same name is an error."""
    if site.name in _SITES and _SITES[site.name] != site:  # the same one again is no error
        raise ValueError(f"two sites named {site.name!r}")
    _SITES[site.name] = site
    return site


def named(name: str) -> Site:
    """The site called ``name``; ``KeyError`` naming the known ones otherwise."""
    _load()
    try:
        return _SITES[name]
    except KeyError:
        known = ", ".join(sorted(_SITES))
        raise KeyError(f"no site named {name!r}; known: {known}") from None


def unknown(name: str) -> str:
    """What to say of a site name nobody declared: the names that are."""
    known = ", ".join(site.name for site in all_sites())
    return f"no site named {name!r}; known sites: {known}"


def declared(name: str) -> Site | None:
    """The site called ``name``, ``None`` when no site of that name is declared."""
    _load()
    return _SITES.get(name)


def site_of(url: str) -> Site | None:
    """The site serving ``url``'s host (the most specific domain wins), ``None`` for a
    site nobody declared."""
    _load()
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed authority, e.g. "http://[::1"
        return None
    matches = [(site._serving_domain(host), site) for site in _SITES.values()]
    serving = [(len(domain), site) for domain, site in matches if domain]
    return max(serving, key=lambda pair: pair[0])[1] if serving else None


def page_class_of(url: str, day: date | None = None) -> type[ArticlePage]:
    """The page object that reads ``url`` (as laid out on ``day``): its site's, else the
    generic one."""
    site = site_of(url)
    if site is None:
        from extraction.pages.generic import GenericArticlePage

        return GenericArticlePage
    return site.page_class_at(day)


def undeclared_name(url: str) -> str:
    """The ``site`` of a page no declared site serves: its host, lower-cased, without
    ``www.`` (``https://www.dw.com/fr/...``: ``dw.com``)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:  # a malformed authority
        return ""
    return host.removeprefix("www.")


def all_sites() -> list[Site]:
    """Every declared site, by name."""
    _load()
    return [_SITES[name] for name in sorted(_SITES)]


def _load() -> None:
    """Import the site modules of this package (each registers its site)."""
    from extraction.sites import (  # noqa: F401  (each registers itself)
        bondyblog,
        euronews,
        france24,
        franceinfo,
        gala,
        lacroix,
        lefigaro,
        legrandcontinent,
        lemonde,
        leparisien,
        lepoint,
        lesechos,
        liberation,
        lobs,
        lopinion,
        mediapart,
        ouestfrance,
        regards,
        rfi,
        sputnik,
        vingtminutes,
    )
