"""The page object of any news article, on a site with no page object of its own.

Metadata comes from what sites publish for machines (JSON-LD, microdata, OpenGraph,
``article:*`` and Dublin Core meta: :class:`~extraction.pages.base.ArticlePage`); the site's
declared rules (:class:`extraction.sites.Site`) are found by the page's URL.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from extraction.pages.base import ArticlePage

if TYPE_CHECKING:
    from extraction.sites import Site

#: Recorded in ``versions.extractor_version``; raised whenever the same page would be read
#: differently.
EXTRACTOR_VERSION = "1"


class GenericArticlePage(ArticlePage):
    """Any news article page: the site's rules found by URL, generic signals otherwise."""

    extractor_version = EXTRACTOR_VERSION

    @cached_property
    def declared_site(self) -> Site | None:
        """The declared site serving the page's URL, ``None`` for any other."""
        from extraction.sites import site_of

        return site_of(self.url)

    @property
    def site(self) -> str:
        """The declared site's name, else the page's host without ``www.``."""
        if self.declared_site is not None:
            return self.declared_site.name
        host = (urlsplit(self.url).hostname or "").rstrip(".")
        return host.removeprefix("www.")
