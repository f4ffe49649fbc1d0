"""Which site each root and URL of a crawl belongs to: the ``site`` and ``start`` arguments
bound together, and the sites of hosts nobody declared.

A crawl names sites (``-a site=NAME[,NAME...]``), roots (``-a start=URL[,URL...]``) or both.
Each root is bound to the ``site`` at the same position if there is one, else to the
declared site serving its host (:func:`extraction.sites.site_of`), else to an undeclared
site named after its host, read by the generic page object with the generic paths. A named
site without a root of its own is discovered from its home page. The bindings map each
root's authority (``host:port``) to its site, so that a replica on ``127.0.0.1:PORT`` bound
to ``sputnik`` is read as Sputnik: its paths, its page object, its ``site`` on every article.

No Scrapy here: the spider and the politeness middleware read what this module builds, and
``archive reparse`` builds a past crawl's again from its stored arguments.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from extraction import sites
from extraction.sites import Site

#: ``follow_sites`` values: "Lire aussi" links to the crawl's sites only, or to any site.
FOLLOW_CRAWL = "crawl"
FOLLOW_ANY = "any"
FOLLOW_MODES = (FOLLOW_CRAWL, FOLLOW_ANY)


class BadBinding(ValueError):
    """A ``site``/``start`` combination that cannot be crawled; the message says why."""


@dataclass(frozen=True)
class Root:
    """One place discovery starts from, and the site it is read as."""

    url: str
    site: Site


def authority(url: str) -> str:
    """``host:port`` of ``url`` (lower-cased; the scheme's port when none is written)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a port that is no number: the URL is refused elsewhere
        port = None
    default = 443 if parts.scheme == "https" else 80
    return f"{host}:{port or default}"


def split_names(value: str) -> list[str]:
    """The names of ``-a site=NAME[,NAME...]``; empty when none is given."""
    return [name.strip() for name in value.split(",") if name.strip()]


def declared(names: Iterable[str]) -> list[Site]:
    """The declared sites called ``names``; :class:`BadBinding` naming the known ones."""
    found: list[Site] = []
    for name in (name.strip() for name in names):
        if not name:
            continue
        site = sites.declared(name)
        if site is None:
            raise BadBinding(f"site: {sites.unknown(name)}")
        found.append(site)
    return found


def undeclared(url: str) -> Site:
    """The site of a host nobody declared: named after the host (without ``www.``, as the
    generic page object names it), generic page object and paths, discovered from ``url``'s
    root."""
    from extraction.pages.generic import GenericArticlePage

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return Site(
        name=sites.undeclared_name(url),
        title=host,
        home=f"{parts.scheme}://{parts.netloc}/",
        domains=(host,),
        page_class=GenericArticlePage,
    )


def site_of_url(url: str) -> Site:
    """The declared site serving ``url``'s host, else the undeclared one of that host."""
    return sites.site_of(url) or undeclared(url)


def bind(named: Sequence[Site], starts: Sequence[str]) -> list[Root]:
    """The crawl's roots: each start with the site at its position (else its URL's site),
    then the named sites left without a start, from their home pages."""
    roots = [
        Root(url, named[i] if i < len(named) else site_of_url(url)) for i, url in enumerate(starts)
    ]
    roots += [Root(site.home, site) for site in named[len(starts) :]]
    return roots


class Bindings:
    """The site of every URL of a crawl: by its authority when a root is there, else by
    declaration, else, on the hosts of the crawl's ``urls``, the only site the crawl names
    (``urls`` of a replica crawled as that site), else undeclared."""

    def __init__(
        self, roots: Sequence[Root], named: Sequence[Site] = (), urls: Iterable[str] = ()
    ) -> None:
        self.roots = list(roots)
        self.by_authority = {authority(root.url): root.site for root in roots}
        only = named[0] if len(named) == 1 else None
        # Only there: a page of another host (a redirect, follow_sites=any) is its own site's.
        self.by_authority_of_urls = {authority(url): only for url in urls} if only else {}
        self.only = only

    def site_for(self, url: str) -> Site:
        """The site ``url`` is read as in this crawl."""
        key = authority(url)
        bound = self.by_authority.get(key)
        if bound is not None:
            return bound
        found = sites.site_of(url)
        if found is not None:
            return found
        return self.by_authority_of_urls.get(key) or undeclared(url)

    def site_names(self) -> set[str]:
        """Names of the crawl's sites."""
        names = {root.site.name for root in self.roots}
        return names | ({self.only.name} if self.only else set())

    def politeness_by_host(self) -> dict[str, dict[str, object]]:
        """The politeness settings of each declared site's domains and of each root's host
        (those of the site it is bound to); a host two sites share (two replicas on
        127.0.0.1) gets the stricter of each."""
        found: dict[str, dict[str, object]] = {}
        for site in sites.all_sites():
            for domain in (d.lower() for d in site.domains + site.old_domains):
                found[domain] = stricter(found.get(domain, {}), site.politeness)
        for root in self.roots:
            host = (urlsplit(root.url).hostname or "").lower()
            found[host] = stricter(found.get(host, {}), root.site.politeness)
        return found


def stricter(one: dict[str, object], other: dict[str, object]) -> dict[str, object]:
    """Both politeness dicts merged: the longer delay, the fewer concurrent requests."""
    merged = dict(one)
    for key, value in other.items():
        if key not in merged or not isinstance(value, int | float):
            merged[key] = value
            continue
        current = merged[key]
        assert isinstance(current, int | float)
        merged[key] = min(current, value) if key.startswith("CONCURRENT") else max(current, value)
    return merged


def load_site_modules(names: Iterable[str]) -> None:
    """Import each named module (``ARCHIVE_SITE_MODULES``, ``--site-module``): each registers
    its sites; :class:`BadBinding` for one that cannot be imported."""
    for name in (name.strip() for name in names):
        if not name:
            continue
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise BadBinding(f"cannot import {name}: {error}") from None
