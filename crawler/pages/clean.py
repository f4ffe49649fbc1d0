"""Cleaning of extracted articles: Unicode NFC, whitespace, site chrome.

Pure functions, shared by the crawl's clean pipeline and the archive's re-extraction, so a
page cleaned today and re-extracted from its capture later gives the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from typing import Any

from crawler.items import Article, RelatedLink

#: Lines of site chrome that must never reach the lead or the body, compared case-insensitively
#: after whitespace folding. They come from the site's player, subscribe and comment widgets.
CHROME_LINES = frozenset(
    line.casefold()
    for line in (
        "Ecoutez Radio Sputnik",
        "Écoutez Radio Sputnik",
        "S'abonner",
        "S’abonner",
        "Règles de conduite",
        "Discussion",
        "Règles de conduiteDiscussion",
        "Commenter via Facebook",
        "Commenter via Sputnik",
        "Commenter via FacebookCommenter via Sputnik",
        "URL courte",
        "Lire aussi",
        "Lire aussi:",
        "Lire aussi :",
        "Tags:",
        "Tags :",
    )
)

_WHITESPACE = re.compile(r"\s+")
_NO_BREAK = frozenset("\u00a0\u202f")
_BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]")


def _fold_blank(match: re.Match[str]) -> str:
    # A lone no-break space is French typography (before « : ; ! ? », inside guillemets): keep it.
    run = match.group()
    return run if run in _NO_BREAK else " "


def clean_text(value: str | None) -> str | None:
    """NFC, no control or zero-width characters, whitespace runs folded to one space.

    A lone no-break space is kept. ``None`` when nothing is left.
    """
    if value is None:
        return None
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    text = _WHITESPACE.sub(_fold_blank, text).strip()
    return text or None


def clean_paragraphs(value: str | None) -> str | None:
    """Clean each paragraph of a blank-line separated text and drop chrome paragraphs."""
    if value is None:
        return None
    kept = []
    for paragraph in _BLANK_LINES.split(value):
        cleaned = clean_text(paragraph)
        if cleaned and cleaned.casefold() not in CHROME_LINES:
            kept.append(cleaned)
    return "\n\n".join(kept) or None


def clean_list(values: list[str]) -> list[str]:
    """Clean every item, drop empty ones and duplicates, keep the order."""
    cleaned = (clean_text(v) for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))


def clean_article(article: Article) -> Article:
    """A copy of ``article`` with every text field cleaned."""
    values: dict[str, Any] = {}
    for f in fields(article):
        value = getattr(article, f.name)
        if f.name in ("lead", "body"):
            values[f.name] = clean_paragraphs(value)
        elif f.name in ("authors", "tags"):
            values[f.name] = clean_list(value)
        elif f.name == "related":
            values[f.name] = _clean_related(value)
        elif isinstance(value, str):
            values[f.name] = clean_text(value)
        else:
            values[f.name] = value
    values["url"] = article.url
    return Article(**values)


def _clean_related(links: list[RelatedLink]) -> list[RelatedLink]:
    seen: set[tuple[str, str]] = set()
    cleaned: list[RelatedLink] = []
    for link in links:
        url = link.url.strip()
        if not url or (url, link.kind) in seen:
            continue
        seen.add((url, link.kind))
        title = clean_text(link.title) or ""
        cleaned.append(RelatedLink(url=url, title=title, kind=link.kind, position=len(cleaned)))
    return cleaned
