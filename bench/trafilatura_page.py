"""trafilatura as the archiver's page object, for the crawl benchmark's third pipeline.

``scrapy crawl sputnik -s ARCHIVE_PAGE_CLASS=bench.trafilatura_page.TrafilaturaArticlePage``
crawls as usual (cleaning, store, dedupe, versions, captures, full-text index) with the
extraction done by ``trafilatura.extract(..., output_format="json", with_metadata=True)``
instead of ``SputnikArticlePage``. trafilatura finds no "Lire aussi" links (``related`` is
empty), so such a crawl reaches articles only from the home page, rubriques, sitemaps and feed.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import trafilatura

from extraction.items import Article


def _split(value: str | None, separators: str = ";") -> list[str]:
    """trafilatura's joined lists (``a;b;c``) as a list without blanks or duplicates."""
    found: dict[str, None] = {}
    text = value or ""
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    for part in text.split(separators[0]):
        if part.strip():
            found[part.strip()] = None
    return list(found)


class TrafilaturaArticlePage:
    """One fetched page, read by trafilatura and mapped onto :class:`Article`.

    The mapping: ``title``; ``excerpt`` (the page's description, which on this site is the
    lead) as ``lead``, else the first paragraph of ``text``; the rest of ``text`` as ``body``
    (its lines as paragraphs); ``date`` (a day, no time) as the publication time; ``author``,
    ``categories`` and ``tags`` split on ``;`` (tags on ``,`` too: trafilatura appends the
    keywords meta as one comma-joined tag); ``source`` (rel=canonical or og:url) as the
    canonical URL; ``image``; ``language``.
    """

    extractor_version = f"trafilatura {trafilatura.__version__}"

    def __init__(self, url: str, body: bytes | str, encoding: str | None = None) -> None:
        self.url = url
        self.text = body if isinstance(body, str) else body.decode(encoding or "utf-8", "replace")

    @cached_property
    def data(self) -> dict[str, Any]:
        """trafilatura's JSON output, parsed; empty when it found no main text."""
        result = trafilatura.extract(
            self.text, url=self.url, output_format="json", with_metadata=True
        )
        return json.loads(result) if result else {}

    def to_item(self) -> Article:
        data = self.data
        paragraphs = [line.strip() for line in (data.get("text") or "").split("\n")]
        paragraphs = [p for p in paragraphs if p]
        lead = (data.get("excerpt") or "").strip() or None
        if lead is None and paragraphs:
            lead = paragraphs.pop(0)
        categories = _split(data.get("categories"))
        return Article(
            url=self.url,
            canonical_url=data.get("source") or None,
            site="sputnik",
            language=data.get("language") or None,
            title=(data.get("title") or "").strip() or None,
            lead=lead,
            body="\n\n".join(paragraphs) or None,
            authors=_split(data.get("author")),
            category=categories[0] if categories else None,
            tags=_split(data.get("tags"), ";,"),
            published_at=data.get("date") or None,
            published_at_raw=data.get("date") or None,
            image_url=data.get("image") or None,
        )
