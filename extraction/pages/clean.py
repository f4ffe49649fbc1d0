"""Cleaning of extracted articles: Unicode NFC, whitespace, site chrome.

Pure functions, shared by the crawl's clean pipeline and the archive's re-extraction, so a
page cleaned today and re-extracted from its capture later gives the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from typing import Any

import ftfy

from extraction.items import Article, RelatedLink

#: Lines of chrome that must never reach the lead or the body, on any site, compared
#: case-insensitively after whitespace folding. A site's own chrome (Sputnik's player and
#: comment widgets) is its ``Site.strip_patterns``, applied by :func:`clean_article`.
CHROME_LINES = frozenset(
    line.casefold()
    for line in (
        "S'abonner",
        "S’abonner",
        "Lire aussi",
        "Lire aussi:",
        "Lire aussi :",
        "Tags:",
        "Tags :",
    )
)

#: Boilerplate a site injects between paragraphs: calls to follow, subscribe, accept cookies.
#: A paragraph is dropped only when one of these matches it whole, so an article that talks
#: about Telegram or cookies keeps its text.
BOILERPLATE = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?:suivez|rejoignez|retrouvez)[- ]nous\b.{0,60}?\b(?:sur|via)\b.{0,60}",
        r"(?:ce contenu|cet article|cette vidéo) vous a plu\s*\?.{0,80}",
        r"partagez[- ]le\b.{0,60}",
        r"abonnez[- ]vous\s+(?:à|a|au|aux)\s+(?:notre|nos|la|le)\b.{0,80}",
        r"inscrivez[- ]vous\b.{0,40}\bnewsletter\b.{0,60}",
        r"(?:pour\s+(?:lire|voir|afficher)\b.{0,80}?,\s*)?acceptez\s+les\s+cookies\b.{0,80}",
    )
)
#: The longest paragraph a boilerplate pattern may take: a longer one is article text.
BOILERPLATE_CHARS = 240

# Sequences that only appear when UTF-8 was decoded as windows-1252 or latin-1 ("Ã©", "â€™").
_MOJIBAKE = re.compile(
    "[ÃÂâÅ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
_WHITESPACE = re.compile(r"\s+")
_NO_BREAK = frozenset("\u00a0\u202f")
#: Where _fold_blank changes something: a run of two or more, or another single whitespace.
_TO_FOLD = re.compile(r"\s\s|[^\S \u00a0\u202f]")
_BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]")


def _fold_blank(match: re.Match[str]) -> str:
    # A lone no-break space is French typography (before « : ; ! ? », inside guillemets): keep it.
    run = match.group()
    return run if run in _NO_BREAK else " "


def clean_text(value: str | None) -> str | None:
    """Mojibake repaired, NFC, no control or zero-width characters, whitespace folded.

    A lone no-break space is kept. ``None`` when nothing is left.
    """
    if value is None:
        return None
    if _MOJIBAKE.search(value):
        value = ftfy.fix_encoding(value)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    if _TO_FOLD.search(text):  # else every run is one space or one kept no-break space
        text = _WHITESPACE.sub(_fold_blank, text)
    text = text.strip()
    return text or None


def clean_paragraphs(value: str | None, chrome: tuple[re.Pattern[str], ...] = ()) -> str | None:
    """Clean each paragraph of a blank-line separated text and drop chrome paragraphs (and
    those a pattern of ``chrome``, the site's own, matches whole)."""
    if value is None:
        return None
    kept = []
    for paragraph in _BLANK_LINES.split(value):
        cleaned = clean_text(paragraph)
        if cleaned and not is_boilerplate(cleaned, chrome):
            kept.append(cleaned)
    return "\n\n".join(kept) or None


def is_boilerplate(paragraph: str, chrome: tuple[re.Pattern[str], ...] = ()) -> bool:
    """A paragraph that is chrome or an injected call to action, not article text."""
    if paragraph.casefold() in CHROME_LINES:
        return True
    if len(paragraph) >= BOILERPLATE_CHARS:
        return False
    return any(p.fullmatch(paragraph) for p in (*BOILERPLATE, *chrome))


def site_chrome(site: str) -> tuple[re.Pattern[str], ...]:
    """The paragraphs the declared site ``site`` says are not article text (none for a
    site nobody declared)."""
    from extraction.sites import declared

    found = declared(site)
    return found.strip_patterns if found is not None else ()


def clean_list(values: list[str]) -> list[str]:
    """Clean every item, drop empty ones and duplicates, keep the order."""
    cleaned = (clean_text(v) for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))


def clean_article(article: Article) -> Article:
    """A copy of ``article`` with every text field cleaned, its lead and body without the
    chrome of its site."""
    values: dict[str, Any] = {}
    chrome = site_chrome(article.site)
    for f in fields(article):
        value = getattr(article, f.name)
        if f.name in ("lead", "body"):
            values[f.name] = clean_paragraphs(value, chrome)
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
