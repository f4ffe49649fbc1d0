"""Which page object reads an archived page again: the one of the site it was archived as.

``archive reparse`` and ``archive extract`` read a page as its own site reads it, as laid out
on the day it was captured (:meth:`extraction.sites.Site.page_class_at`), unless
``--page-class`` names one for all. An archived article knows its site (``articles.site``):
that is how the replica's pages (``127.0.0.1``, a host no site declares) archived as
``sputnik`` are read as Sputnik's. Sites declared outside the package are loaded by module
name (the crawl's ``ARCHIVE_SITE_MODULES``, ``--site-module``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from extraction import sites
from extraction.pages import ArticlePage
from extraction.pages.choice import PAGE_CLASS
from extraction.sites.bindings import Bindings, bind, split_names


def day_of(fetched_at: str | None) -> date | None:
    """The day of an ISO 8601 time (a capture's ``fetched_at``); ``None`` without one."""
    if not fetched_at:
        return None
    try:
        return datetime.fromisoformat(fetched_at).date()
    except ValueError:
        return None


def page_class_for_site(site: str | None, url: str, day: date | None) -> type[ArticlePage]:
    """The page object of an archived page: its declared site's (as laid out on ``day``);
    for a site nobody declares, the one of ``url`` (:func:`extraction.sites.page_class_of`:
    the generic one for an undeclared host). A page archived without a site, before sites
    existed, when every archived page was Sputnik's: its URL's site, else
    :data:`~extraction.pages.choice.PAGE_CLASS`."""
    if site:
        try:
            return sites.named(site).page_class_at(day)
        except KeyError:
            return sites.page_class_of(url, day)
    declared = sites.site_of(url)
    return declared.page_class_at(day) if declared is not None else PAGE_CLASS


def crawl_bindings(spider: str | None, arguments: Mapping[str, Any]) -> Bindings:
    """The site of each URL as a past crawl read it, from its spider and stored arguments:
    ``scrapy crawl sputnik`` read every root as Sputnik's, ``news`` as ``site``/``start``
    bound them (see :mod:`extraction.sites.bindings`)."""
    names = ["sputnik"] if spider == "sputnik" else split_names(str(arguments.get("site") or ""))
    named = [site for site in map(sites.declared, names) if site is not None]
    starts = split_names(str(arguments.get("start") or ""))
    urls = split_names(str(arguments.get("urls") or ""))
    roots = bind(named, starts) if starts or not urls else []
    return Bindings(roots, named, urls)
