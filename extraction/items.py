"""The items the crawler produces.

Nothing here imports Scrapy: page objects (``extraction.pages``) build these, and the
``archive`` package reads their ``to_dict()`` form, so both stay usable without Scrapy.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

#: Kinds of "Lire aussi" edges, as stored in ``links.kind``.
LINK_END = "lire_aussi"  # the "Lire aussi:" block at the end of the article
LINK_INLINE = "inline"  # a "Lire aussi" block set between two paragraphs of the body
LINK_MODULE = "module"  # a module of article cards beside or after the article


@dataclass
class RelatedLink:
    """One "Lire aussi" link of an article."""

    url: str
    """Absolute URL of the linked article, as found on the page (after urljoin)."""
    title: str
    """The headline shown as anchor text, cleaned of surrounding whitespace."""
    kind: str = LINK_END
    """``lire_aussi`` (end-of-article block), ``inline`` (block inside the body) or
    ``module`` (a module of article cards)."""
    position: int = 0
    """0-based order of the link among all related links of the page."""


@dataclass
class Article:
    """One news article as extracted from one page.

    Text fields are ``None`` when the page does not have them, never ``""``.
    """

    url: str
    """The URL the page was fetched from (after redirects)."""
    canonical_url: str | None = None
    """rel=canonical, else og:url, else ``None``; absolute."""
    site: str = ""
    """Site id, the spider name (``sputnik``)."""
    language: str | None = None
    """ISO 639-1 code from ``<html lang>`` / og:locale / JSON-LD (``fr``)."""
    title: str | None = None
    """Headline."""
    lead: str | None = None
    """The first paragraph (chapeau), separate from ``body``."""
    body: str | None = None
    """The article text after the lead: paragraphs separated by one blank line.
    Never contains "Lire aussi" blocks, tags or site chrome."""
    authors: list[str] = field(default_factory=list)
    """Author names in page order; empty when the page names none."""
    category: str | None = None
    """The rubrique (``International``)."""
    tags: list[str] = field(default_factory=list)
    """Tag names in page order, without duplicates."""
    published_at: str | None = None
    """Publication time, ISO 8601 with UTC offset (``2017-06-21T14:32:00+03:00``)."""
    published_at_raw: str | None = None
    """The publication time exactly as found on the page."""
    modified_at: str | None = None
    """Last modification time, ISO 8601 with offset, when the page gives one."""
    modified_at_raw: str | None = None
    """The modification time exactly as found on the page."""
    image_url: str | None = None
    """Absolute URL of the main photo."""
    image_caption: str | None = None
    """The main photo's caption."""
    image_credit: str | None = None
    """The photo credit, starting with "©" (``© Sputnik . Ramil Sitdikov``)."""
    short_url: str | None = None
    """Target of the "URL courte" link (``https://host/s/abc``)."""
    views: int | None = None
    """View counter as shown at fetch time."""
    related: list[RelatedLink] = field(default_factory=list)
    """The "Lire aussi" links, end-of-article and inline, in page order."""

    @property
    def is_article(self) -> bool:
        """A page is an article only when it has a title and some body or lead text."""
        return bool(self.title and (self.body or self.lead))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (``related`` as a list of dicts), as
        :func:`dataclasses.asdict` gives it, without its deep copy of every string (a
        tenth of a millisecond a page)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["authors"] = list(self.authors)
        values["tags"] = list(self.tags)
        values["related"] = [
            {name: getattr(link, name) for name in link.__dataclass_fields__}
            for link in self.related
        ]
        return values

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["related"] = [
            r if isinstance(r, RelatedLink) else RelatedLink(**r)
            for r in values.get("related") or []
        ]
        values["authors"] = list(values.get("authors") or [])
        values["tags"] = list(values.get("tags") or [])
        return cls(**values)


#: Every article field, in display order (what ``archive show`` prints).
ARTICLE_FIELDS: tuple[str, ...] = tuple(Article.__dataclass_fields__)


#: Roles of a fetched page, set by the spider callback that handled it.
ROLE_ARTICLE = "article"  # a page expected to be an article
ROLE_DISCOVERY = "discovery"  # home, rubrique, sitemap or feed page
ROLE_FAILURE = "failure"  # an HTTP error status or a network failure
ROLE_SKIPPED = "skipped"  # refused before it was fetched (robots.txt, a middleware's filter)
ROLE_REFUSED = "refused"  # never requested: another scheme, or a private/loopback address
ROLE_ALIAS = "alias"  # a copy of an article that names another URL as canonical
ROLE_PHOTO = "photo"  # a photo of an article (its bytes, or why they could not be fetched)

#: ``PageItem.gone_reason`` of an article URL that now redirects to a rubrique or home page.
GONE_REDIRECT = "redirect_to_listing"


@dataclass
class PageItem:
    """What the spider yields for every response or failure: the fetch and, maybe, an article.

    The pipelines decide the outcome recorded in ``fetches`` (``new``, ``unchanged``,
    ``not_article``, ...) from ``role`` and the article.
    """

    url: str
    """Final URL of the response, or the requested URL of a failure."""
    role: str
    """One of ``article``, ``discovery``, ``failure``, ``skipped``, ``refused``, ``alias``,
    ``photo``."""
    status: int | None = None
    """HTTP status; ``None`` when no response arrived."""
    bytes: int = 0
    """Body size in bytes (as received, after decompression)."""
    ms: float | None = None
    """Download latency in milliseconds."""
    requested_url: str | None = None
    """The first URL requested when the response came through redirects."""
    redirect_urls: list[str] = field(default_factory=list)
    """Every URL of the redirect chain before ``url``."""
    fetched_at: str | None = None
    """ISO 8601 UTC time the response was handled."""
    error: str | None = None
    """A short description of the failure, for ``failure`` items."""
    article: Article | None = None
    """The extracted article, for ``article`` items."""
    redirect_status: int | None = None
    """The HTTP status of the first redirect, when the response came through redirects."""
    headers: dict[str, list[str]] = field(default_factory=dict)
    """Response headers as received (name -> values), kept for the raw capture."""
    body: builtins.bytes | None = None
    """The raw response body, kept for the capture of a new version, or of an HTML page under
    an article URL that gave no article (an ``unreadable`` fetch); ``None`` otherwise."""
    extractor: str | None = None
    """Name of the page object that extracted ``article`` (``SputnikArticlePage``)."""
    extractor_version: str | None = None
    """That page object's extractor version."""
    alias_of: str | None = None
    """For a copy of an article (AMP, mobile, tracking variant) whose rel=canonical names
    another URL: that canonical URL. The copy's content is not stored; the URL becomes an
    alias of the canonical article."""
    gone_reason: str | None = None
    """Why the article behind ``requested_url`` (or ``url``) is gone, when it is: ``http_404``,
    ``http_410``, ``http_451`` or ``redirect_to_listing`` (it now leads to a rubrique or home
    page). Transient failures (5xx, timeouts) never set it."""
    alias_urls: list[str] = field(default_factory=list)
    """Copies that named this page as their canonical URL, to record as its aliases."""
    body_images: list[dict[str, str | None]] = field(default_factory=list)
    """For an article: the images of its body after the main photo, in page order, each
    ``{url, caption, credit}`` (absolute URL; caption and credit ``None`` when the page has
    none). Kept with the version that showed them, not part of the article's content (its
    ``content_hash``): an edit of the text alone is what makes a new version."""
    photo_url: str | None = None
    """For a ``photo`` item: the image URL as the article page gave it (before redirects)."""
