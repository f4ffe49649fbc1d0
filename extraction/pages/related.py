"""Related-article blocks ("Lire aussi", "À lire aussi", "Sur le même sujet"...) on any site.

A block is found by its marker text, by the class tokens newsrooms give such blocks, or in the
JSON a page embeds for a block its scripts draw. Each link becomes a typed edge
(:data:`~extraction.items.LINK_INLINE`, :data:`~extraction.items.LINK_END`,
:data:`~extraction.items.LINK_MODULE`) with its anchor text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

from extraction.items import RelatedLink

if TYPE_CHECKING:
    from extraction.pages.base import ArticlePage


@dataclass
class RelatedBlock:
    """One related-article block of a page."""

    element: HtmlElement | None
    """The block's outermost element, left out of the article text (``None`` for a block
    found only in embedded JSON)."""
    kind: str
    """``inline``, ``lire_aussi`` (end of article) or ``module``."""
    marker: str | None = None
    """The marker text that introduced it (``À lire aussi``), ``None`` when found otherwise."""
    links: list[RelatedLink] = field(default_factory=list)


def related_blocks(
    page: ArticlePage, markers: tuple[str, ...] = (), selectors: tuple[str, ...] = ()
) -> list[RelatedBlock]:
    """The related blocks of ``page`` in page order; ``markers`` and ``selectors`` are a
    site's own besides the generic ones."""
    return []


def related_links(blocks: list[RelatedBlock]) -> list[RelatedLink]:
    """The links of ``blocks``, each URL once, numbered in page order."""
    links: list[RelatedLink] = []
    seen: set[str] = set()
    for block in blocks:
        for link in block.links:
            if link.url not in seen:
                seen.add(link.url)
                links.append(
                    RelatedLink(url=link.url, title=link.title, kind=link.kind, position=len(links))
                )
    return links
