"""Sites as data: what varies from one news site to the next, and the registry that finds
the site of a URL.

A :class:`Site` declares a site's name, its domains (and those it used before), where its
articles are discovered (sitemaps, feeds, listing pages), what its article URLs look like,
which page object reads them, and the time zone and language of its pages. Adding a site is
one small module in this package that builds its ``Site`` and registers it, plus its real
pages as fixtures.

Pure data and lookups: this package imports neither Scrapy nor the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any
from urllib.parse import urlsplit

from extraction.pages.base import ArticlePage


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
    """The page object that reads its article pages."""
    article_path: re.Pattern[str]
    """Paths of article pages."""
    listing_path: re.Pattern[str]
    """Paths of listing pages (rubriques, sections) followed from the home page."""
    old_domains: tuple[str, ...] = ()
    """Hosts it served before (archived URLs still name them)."""
    sitemaps: tuple[str, ...] = ()
    """Paths of its sitemaps (indexes or not), asked for besides robots.txt's."""
    feeds: tuple[str, ...] = ()
    """Paths of its RSS or Atom feeds."""
    article_day: re.Pattern[str] | None = None
    """Where an article path carries its publication day (``YYYYMMDD``, first group that
    matched); ``None`` when its URLs carry none."""
    language: str = "fr"
    time_zone: tzinfo | None = None
    """Zone of the times its pages show without an offset (``None``: the page object's)."""
    politeness: dict[str, Any] = field(default_factory=dict)
    """Settings this site needs other than the crawl's (``DOWNLOAD_DELAY``...)."""

    def is_article_path(self, path: str) -> bool:
        return bool(self.article_path.match(path))

    def day_of(self, url: str) -> str | None:
        """The publication day (``YYYYMMDD``) an article URL carries, ``None`` without."""
        if self.article_day is None:
            return None
        match = self.article_day.match(urlsplit(url).path)
        if match is None:
            return None
        return next((group for group in match.groups() if group), None)

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


def all_sites() -> list[Site]:
    """Every declared site, by name."""
    _load()
    return [_SITES[name] for name in sorted(_SITES)]


def _load() -> None:
    """Import the site modules of this package (each registers its site)."""
    from extraction.sites import sputnik  # noqa: F401  (registers itself)
