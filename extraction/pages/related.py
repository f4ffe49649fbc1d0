"""Related-article blocks ("Lire aussi", "À lire aussi", "Sur le même sujet"...) on any site.

A block is found by its marker text, by the class tokens newsrooms give such blocks, or in the
JSON a page embeds for a block its scripts draw. Each link becomes a typed edge
(:data:`~extraction.items.LINK_INLINE`, :data:`~extraction.items.LINK_END`,
:data:`~extraction.items.LINK_MODULE`) with its anchor text.

How a block is found (measured on the French pages of ``tests/fixtures/corpus``:
``python -m bench.related_links``):

- a marker is a text node that says only the phrase, give or take accents, case, a colon, an
  arrow and a "sur <site>" ("LIRE AUSSI SUR REGARDS.FR >>"); or such a text split across
  elements ("<strong>À lire</strong> aussi :"); or the phrase and a separator at the start of
  a link's text ("<a>LIRE AUSSI - Titre</a>", the title then read without it). A phrase
  inside prose ("il faut lire aussi ce livre") is none.
  Its block is the smallest element that starts with the marker and holds a link after it
  ("À lire aussi : <a>Titre</a>" in one paragraph, or a box with a heading), else the marker's
  element and the lists that follow it (a heading, then a ``<ul>``);
- a label hidden by a class ("visually hidden") still counts: the corpus's annotators count
  it, and screen readers read it; one hidden by markup (``hidden``, ``display: none``), inside
  a script, a style or an attribute does not;
- a class block is an element with one of :data:`BLOCK_CLASSES` as a whole class token (never
  a substring: ``related`` alone names sidebars of shop links), or a site's selector;
- embedded JSON counts only where an object describes the page itself (its URL or path) and
  lists related articles with their URLs; bare ids (Euronews' ``relatedIds``) give none, and
  the ``relatedArticles`` of the other articles a page lists (Les Échos) are theirs, not its.

Kinds: ``module`` when the block is a list of article cards (an image, a heading, or
several links per item: only each card's headline link is kept), ``inline`` when article
text follows it in the container it interrupts, ``lire_aussi`` otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from extraction.items import LINK_END, LINK_INLINE, LINK_MODULE, RelatedLink
from extraction.pages.base import INVISIBLE_TAGS, classes, collapse_ws, is_hidden, visible_text
from extraction.pages.strip import PAYWALL_START

if TYPE_CHECKING:
    from extraction.pages.base import ArticlePage

#: Marker phrases, written as a reader sees them; matched without accents, case or colon.
MARKERS: tuple[str, ...] = (
    "Lire aussi",
    "À lire aussi",
    "Lire également",
    "À lire également",
    "Voir aussi",
    "À voir aussi",
    "Voir également",
    "À voir également",
    "Sur le même sujet",
    "Sur le même thème",
    "Dans la même rubrique",
    "À découvrir",
    "À découvrir aussi",
    "À découvrir également",
    "Pour aller plus loin",
    "Pour approfondir",
    "Aller plus loin",
    "Articles liés",
    "Articles en relation",
    "Articles similaires",
    "Nos articles sur le sujet",
    "Les articles liés",
    "Lire la suite sur le même sujet",
    "Sur le sujet",
    "Dans l'actualité",
)
#: The phrases the corpus annotates ("Lire aussi", "À lire aussi", "Lire également", also
#: "LIRE AUSSI SUR …"), as a pattern over :func:`normalize` d text.
READ_ALSO = re.compile(r"^(?:a )?lire (?:aussi|egalement)\b")
#: Whole class tokens of related blocks.
BLOCK_CLASSES = frozenset(
    {
        "catcher",
        "fig-body-link",
        "encadre-lire-aussi",
        "c-read-also",
        "read-also",
        "readalso",
        "read-more-links",
        "related-link",
        "related-links",
        "related-articles",
        "related-posts",
        "related-content",
        "lire-aussi",
        "lireaussi",
        "article-related",
        "articles-lies",
        "widget--type-related",
        "yarpp-related",
        "jp-relatedposts",
    }
)
#: Keys of embedded JSON that list an article's related articles.
JSON_RELATED_KEYS = ("relatedArticles", "relatedContent", "relatedLinks", "relatedIds", "related")
_JSON_URL_KEYS = ("url", "canonicalUrl", "canonical_url", "link", "href", "path")
_JSON_TITLE_KEYS = ("title", "headline", "name", "label")
#: How far a marker's element may grow to reach its links.
MAX_LEVELS = 4
#: A following sibling is part of a marker's block while it has links and at most this much
#: text of its own besides them (a card's date, author, standfirst).
MAX_FOREIGN_TEXT = 300
#: A module has at least this many cards (one card between paragraphs is an inline block).
MIN_CARDS = 2
#: This much article text before a block tells the container it interrupts (the body); a
#: paragraph this long ends a marker's run of link siblings.
TEXT_PARAGRAPH = 80
#: This much article text after a block in that container makes it inline: one short
#: sentence ends many articles ("Reste à savoir si l'Inde acceptera !"), a signature is
#: shorter.
TEXT_AFTER = 50

_SEPARATORS = r"[\W_]*"
#: What sets a marker apart from a headline run into it ("LIRE AUSSI - Le titre").
_LEADING = re.compile(r"^[\W_]+")
_LEAD_SEPARATOR = r"\s*(?:[:|»>–—-]+|\.{3}|…)\s*"
#: Site chrome: where a class token finds no block; a marker still introduces one in a
#: footer (legrandcontinent.eu's "Pour approfondir"), never in a menu or the page header.
_CHROME_TAGS = frozenset({"nav", "header", "footer"})
_MENU_TAGS = frozenset({"nav", "header"})
_LANDMARK_TAGS = frozenset({"main", "article", "body"})
#: Class words of menus (not "menu" alone: SPIP names its "Dans la même rubrique" list so).
_MENU_CLASS = re.compile(
    r"(?:^|[-_])(?:navigation|navbar|mega-?menu|main-?menu|breadcrumbs?)(?:$|[-_])"
)
_COMMENTS = re.compile(r"(?:^|[-_])(?:comments?|commentaires?|disqus)(?:$|[-_])", re.I)
#: Class words of tag lists, share and account buttons, menus: never a related link.
_NOT_A_LINK_CLASS = re.compile(
    r"(?:^|[-_])(?:tags?|keywords?|mots-?cles|share|sharing|social|btn|button|dropdown|modal"
    r"|popup|login|signup|subscribe|favorites?)(?:$|[-_])",
    re.I,
)
_TAG_PATH = re.compile(r"/(?:tags?|mots?-cles?|keywords?|themes?/tag)/", re.I)
#: Hosts of share buttons and app-store redirects, never an article.
_NOT_ARTICLE_HOSTS = re.compile(
    r"(?:^|\.)(?:facebook\.com|twitter\.com|x\.com|linkedin\.com|pinterest\.\w+|whatsapp\.com"
    r"|t\.me|reddit\.com|adjust\.com|onelink\.me|app\.link|apps\.apple\.com"
    r"|play\.google\.com)$",
    re.I,
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_STOP_TAGS = frozenset({"body", "html", "main"})
#: What the items of a module are, tried in turn: list items or articles, else elements
#: whose class says "card", "item" or "teaser".
_CARD_ITEMS = ("li, article", "[class*='card'], [class*='item'], [class*='teaser']")
_MEDIA_TAGS = frozenset({"img", "picture", "figure", "video"})
_NOT_BODY_TAGS = frozenset({"nav", "header", "footer", "aside", "li", "figure", "form", "button"})
#: Class words of notices around an article, never its text.
_NOTICE_CLASS = re.compile(
    r"(?:^|[-_])(?:disclaimer|copyright|credits?|caption|legende|newsletter|promo|paywall"
    r"|subscribe|abonnement|ads?|advert\w*|cookies?)(?:$|[-_])",
    re.I,
)


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
    parts: list[HtmlElement] = field(default_factory=list)
    """Every element of the block when no one element holds it all and nothing else (a
    marker heading, then the list after it): all are left out of the article text.
    Empty when ``element`` is the whole block."""
    source: str = "marker"
    """How it was found: ``marker``, ``class`` (a class token or a site selector) or
    ``json``."""

    @property
    def elements(self) -> list[HtmlElement]:
        """The elements to leave out of the article text."""
        if self.parts:
            return list(self.parts)
        return [] if self.element is None else [self.element]


# --- markers ----------------------------------------------------------------------------


def normalize(text: str) -> str:
    """``text`` lower-cased, without accents, apostrophes made straight, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def is_read_also(marker: str | None) -> bool:
    """True for the "Lire aussi" / "À lire aussi" / "Lire également" family, the phrases the
    corpus annotates (also "LIRE AUSSI SUR REGARDS.FR")."""
    return bool(marker) and bool(READ_ALSO.match(normalize(marker or "").lstrip(" »>›-–—*•")))


def marker_pattern(markers: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching a text node that says only one of ``markers`` (normalised), with
    separators around it and an optional "sur <site>" after it."""
    return re.compile(
        rf"^{_SEPARATORS}(?:{_alternatives(markers)})"
        rf"(?:\s+sur\s+[\w.'-]+(?:\s+[\w.'-]+)?)?{_SEPARATORS}$"
    )


def _alternatives(markers: Iterable[str]) -> str:
    phrases = sorted({normalize(m) for m in markers if m.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)


@dataclass(frozen=True)
class Markers:
    """The marker phrases of a page, compiled."""

    whole: re.Pattern[str]
    """A text that is only a marker."""
    lead: re.Pattern[str]
    """A marker and a separator at the start of a link's text ("LIRE AUSSI - Titre")."""
    prefixes: frozenset[str]
    """The first words of each phrase ("a lire"): a marker split across elements starts
    with one ("<strong>À lire</strong> aussi")."""
    first_words: frozenset[str]
    """The first word of each phrase: a text whose first word is none of them holds no
    marker, and is not normalized whole (most of a page's text)."""

    @classmethod
    def of(cls, markers: Iterable[str]) -> Markers:
        phrases = [normalize(m) for m in markers if m.strip()]
        prefixes = {" ".join(p.split()[:n]) for p in phrases for n in range(1, len(p.split()))}
        return cls(
            marker_pattern(phrases),
            re.compile(rf"^{_SEPARATORS}(?:{_alternatives(phrases)}){_LEAD_SEPARATOR}(?=\w)"),
            frozenset(prefixes),
            frozenset(_first_word(p) for p in phrases),
        )

    def may_start(self, text: str) -> bool:
        """False for a text whose first word starts no marker phrase."""
        return _first_word(text) in self.first_words

    def without_marker(self, title: str) -> str:
        """``title`` without a marker run into its start ("LIRE AUSSI - Titre": "Titre")."""
        if not self.lead.match(normalize(title)):
            return title
        for separator in re.finditer(_LEAD_SEPARATOR, title):
            if separator.end() > separator.start() and self.whole.match(
                normalize(title[: separator.start()])
            ):
                return title[separator.end() :].strip() or title
        return title


_WORD = re.compile(r"[^\W_]+")


def _first_word(text: str) -> str:
    """``text``'s first word, normalized (leading punctuation and symbols skipped)."""
    match = _WORD.search(text)
    return _normalized_word(match.group()) if match else ""


@lru_cache(maxsize=4096)
def _normalized_word(word: str) -> str:
    return normalize(word)


@lru_cache(maxsize=64)
def _markers(site_markers: tuple[str, ...]) -> Markers:
    """The generic markers and a site's own, compiled once."""
    return Markers.of((*MARKERS, *site_markers))


def _marker_nodes(page: ArticlePage, markers: Markers) -> Iterator[tuple[HtmlElement, str, int]]:
    """(element holding the marker, marker text, document position the block's links come
    after) for each marker, in page order: a text node that is one, a marker split across
    elements, or one run into a link's text."""
    index = page.index
    for el in index.nodes:
        if not isinstance(el.tag, str):
            continue
        for text, holder, tail in ((el.text, el, False), (el.tail, el.getparent(), True)):
            if not text or holder is None or len(text) > 120:
                continue
            stripped = text.strip()
            if not stripped or not markers.may_start(stripped):
                continue
            norm = normalize(stripped)
            if markers.whole.match(norm):
                start = index.end(el) if tail else index.positions[el] - 1
                yield holder, collapse_ws(stripped) or stripped, start
            elif tail:
                continue
            elif norm in markers.prefixes:
                split = _split_marker(el, markers)
                if split is not None:
                    yield split[0], split[1], index.positions[el] - 1
            elif markers.lead.match(norm) and _link_of(el) is not None:
                label = re.split(_LEAD_SEPARATOR, _LEADING.sub("", stripped), maxsplit=1)[0]
                yield el, collapse_ws(label) or label, index.positions[el] - 1


def _split_marker(el: HtmlElement, markers: Markers) -> tuple[HtmlElement, str] | None:
    """(element, marker) when the text before the first link of ``el`` or of one of its
    two nearest ancestors is a marker."""
    candidate: HtmlElement | None = el
    for _level in range(3):
        if candidate is None:
            return None
        before = collapse_ws(_text_before_links(candidate)) or ""
        if len(before) > 120:
            return None
        if markers.whole.match(normalize(before)):
            return candidate, before
        candidate = candidate.getparent()
    return None


def _text_before_links(el: HtmlElement) -> str:
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if not isinstance(node.tag, str):
            continue
        if node.tag == "a":
            break
        if event == "start" and node.tag not in INVISIBLE_TAGS:
            parts.append(node.text or "")
        elif node is not el:
            parts.append(node.tail or "")
    return " ".join(parts)


def _link_of(el: HtmlElement) -> HtmlElement | None:
    """The link ``el`` is in (itself or one of its three nearest ancestors)."""
    for _level, node in zip(range(4), (el, *el.iterancestors()), strict=False):
        if node.tag == "a":
            return node
    return None


def _out_of_scope(el: HtmlElement, chrome: frozenset[str] = _CHROME_TAGS) -> bool:
    """True for what is never a related block: hidden or invisible, inside one of the
    ``chrome`` tags or a navigation landmark, in a menu or comments. Classes are read below
    the nearest ``main``, ``article`` or ``body`` only: a page's main element may say
    ``main--with-contextual-nav`` (Le Monde)."""
    named = True
    for node in (el, *el.iterancestors()):
        if node.tag in INVISIBLE_TAGS or node.tag in chrome or is_hidden(node):
            return True
        if node.get("role") == "navigation":
            return True
        if node.tag in _LANDMARK_TAGS:
            named = False
        elif named and (_named(node, _COMMENTS) or _named(node, _MENU_CLASS)):
            return True
    return False


def _named(el: HtmlElement, words: re.Pattern[str]) -> bool:
    """True when a class token or the id of ``el`` holds one of ``words``."""
    names = classes(el)
    ident = el.get("id")
    if ident:
        names.append(str(ident))
    return any(words.search(name) for name in names)


def _starts_with(el: HtmlElement, marker: str) -> bool:
    text = visible_text(el)
    return bool(text) and normalize(text or "").lstrip(" »>›-–—*•").startswith(
        normalize(marker).lstrip(" »>›-–—*•")
    )


def _links_after(page: ArticlePage, scope: HtmlElement, start: int) -> list[HtmlElement]:
    """The links under ``scope`` that end after document position ``start``: those after
    a marker, and the one a marker is run into."""
    end = page.index.end
    return [a for a in page.css("a[href]", scope) if end(a) > start]


def _marker_block(
    page: ArticlePage, holder: HtmlElement, marker: str, start: int
) -> tuple[HtmlElement, list[HtmlElement]] | None:
    """(element, parts) of the block ``marker`` (held by ``holder``, after document
    position ``start``) introduces."""
    candidate = holder
    for _level in range(MAX_LEVELS + 1):
        links = _links_after(page, candidate, start)
        if links and _foreign_text(page, candidate) <= MAX_FOREIGN_TEXT * len(links):
            return _widen(page, candidate), []
        if links:  # the marker starts a text ("Lire aussi :" heading a whole body)
            return None
        parent = candidate.getparent()
        if parent is None or parent.tag in _STOP_TAGS or not _starts_with(parent, marker):
            break
        candidate = parent
    parts = _link_siblings(page, candidate)
    if not parts:
        return None
    return parts[-1], [candidate, *parts]


def _foreign_text(page: ArticlePage, el: HtmlElement) -> int:
    """How much of ``el``'s text is not its links'."""
    links = sum(len(visible_text(a) or "") for a in page.css("a[href]", el))
    return len(visible_text(el) or "") - links


def _widen(page: ArticlePage, el: HtmlElement) -> HtmlElement:
    """``el``'s largest ancestor that holds nothing more to read or follow."""
    links = len(page.css("a[href]", el))
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in _STOP_TAGS:
            return el
        if not _adds_nothing(parent, el) or len(page.css("a[href]", parent)) != links:
            return el
        el = parent


def _adds_nothing(parent: HtmlElement, child: HtmlElement) -> bool:
    """True when ``parent`` shows no text besides ``child``'s: its other children are
    read, not the whole parent (a body around a box is long)."""
    if (parent.text or "").strip() or (child.tail or "").strip():
        return False
    for sibling in parent:
        if sibling is child:
            continue
        if (sibling.tail or "").strip():
            return False
        if isinstance(sibling.tag, str) and visible_text(sibling):
            return False
    return True


def _link_siblings(page: ArticlePage, marker_el: HtmlElement) -> list[HtmlElement]:
    """The siblings after a marker's element that hold its links: the first ones that hold
    links and little text besides, until a heading or a paragraph of text."""
    found: list[HtmlElement] = []
    for sibling in marker_el.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag in INVISIBLE_TAGS:
            continue
        anchors = page.css("a[href]", sibling)
        text = visible_text(sibling) or ""
        if not anchors:
            if text or sibling.tag in _HEADINGS or found:
                break
            continue
        if sibling.tag in _HEADINGS and found:
            break
        foreign = _foreign_text(page, sibling)
        if foreign > MAX_FOREIGN_TEXT * len(anchors) or (
            sibling.tag == "p" and foreign >= TEXT_PARAGRAPH
        ):
            break
        found.append(sibling)
    return found


# --- classes, selectors -----------------------------------------------------------------


def _class_elements(page: ArticlePage, selectors: tuple[str, ...]) -> list[HtmlElement]:
    found = [el for el in page.index.nodes if isinstance(el.tag, str) and _has_block_class(el)]
    for selector in selectors:
        found.extend(page.css(selector))
    return found


def _has_block_class(el: HtmlElement) -> bool:
    value = el.get("class")
    return bool(value) and not BLOCK_CLASSES.isdisjoint(str(value).split())


# --- links of a block -------------------------------------------------------------------


def _wanted(
    page: ArticlePage, anchor: HtmlElement, url: str | None, scope: HtmlElement | None = None
) -> bool:
    """False for what is no related article: another scheme, the page itself, a tag, a
    share or account button (classes looked at up to ``scope``, the block's element)."""
    if not url or not url.startswith(("http://", "https://")) or page.same_page(url):
        return False
    if "tag" in str(anchor.get("rel") or "").lower().split() or _TAG_PATH.search(url):
        return False
    if _NOT_ARTICLE_HOSTS.search(urlsplit(url).hostname or ""):
        return False
    for node in (anchor, *anchor.iterancestors()):
        if node is scope or node.tag == "body":
            break
        if is_hidden(node) or _named(node, _NOT_A_LINK_CLASS):
            return False
    return True


def _headline(anchor: HtmlElement) -> str | None:
    """The card headline a link wraps (a heading, a ``*title*`` element), else ``None``."""
    for el in anchor.iterdescendants():
        if isinstance(el.tag, str) and (el.tag in _HEADINGS or _titled(el)):
            text = visible_text(el)
            if text:
                return text
    return None


def _titled(el: HtmlElement) -> bool:
    return any("title" in c.lower() or "headline" in c.lower() for c in classes(el))


def _title(anchor: HtmlElement) -> str:
    return _headline(anchor) or visible_text(anchor) or collapse_ws(anchor.get("title")) or ""


def _cards(page: ArticlePage, elements: list[HtmlElement]) -> list[HtmlElement]:
    """The block's items (the outermost elements of the first of :data:`_CARD_ITEMS` that
    holds links) when most look like article cards (a picture, a heading or several links
    each); else an empty list."""
    items: list[HtmlElement] = []
    for query in _CARD_ITEMS:
        for scope in elements:
            for el in page.css(query, scope):
                if el is scope or not page.css("a[href]", el):
                    continue
                if not any(_contains(page, item, el) for item in items):
                    items.append(el)
        if len(items) == 1:  # a wrapper named like its cards (``div.x__cards``): its cards
            items = [el for el in page.css(query, items[0]) if page.css("a[href]", el)] or items
        if items:
            break
    if not items:
        return []
    card_like = sum(1 for item in items if _is_card(page, item))
    return items if len(items) >= MIN_CARDS and card_like * 2 > len(items) else []


def _is_card(page: ArticlePage, item: HtmlElement) -> bool:
    if any(isinstance(el.tag, str) and el.tag in _MEDIA_TAGS for el in item.iterdescendants()):
        return True
    if any(isinstance(el.tag, str) and el.tag in _HEADINGS for el in item.iterdescendants()):
        return True
    urls = {page.absolute(a.get("href")) for a in page.css("a[href]", item)}
    return len(urls) > 1


def _main_link(page: ArticlePage, card: HtmlElement) -> HtmlElement | None:
    """A card's headline link: the one in or around a heading / ``*title*`` element, else
    the one with the longest text."""
    anchors = [
        a for a in page.css("a[href]", card) if _wanted(page, a, page.absolute(a.get("href")), card)
    ]
    for a in anchors:
        if _headline(a):
            return a
        for node in a.iterancestors():
            if node is card:
                break
            if node.tag in _HEADINGS or _titled(node):
                return a
    longest = max(anchors, key=lambda a: len(visible_text(a) or ""), default=None)
    return longest if longest is not None and visible_text(longest) else None


def _block_links(
    page: ArticlePage, elements: list[HtmlElement], kind: str, after: int, markers: Markers
) -> list[RelatedLink]:
    """The links of a block's elements in page order, one per URL (the first anchor with
    text names it)."""
    if kind == LINK_MODULE:
        anchors = [
            (a, card)
            for card in _cards(page, elements)
            if (a := _main_link(page, card)) is not None
        ]
    else:
        anchors = [(a, el) for el in elements for a in page.css("a[href]", el)]
    by_url: dict[str, RelatedLink] = {}
    for anchor, scope in anchors:
        if page.index.end(anchor) <= after:
            continue
        url = page.absolute(anchor.get("href"))
        if url is None or not _wanted(page, anchor, url, scope):
            continue
        title = markers.without_marker(_title(anchor))
        link = by_url.setdefault(url.split("#")[0], RelatedLink(url=url, title=title, kind=kind))
        if not link.title:
            link.title = title
    return [link for link in by_url.values() if link.title]


# --- kinds ------------------------------------------------------------------------------


@dataclass
class _BodyText:
    """Where the page's article text is: its text nodes outside links, site chrome, list
    items, notices and the blocks found, by document position (a tail just after its
    element's last node), with running lengths."""

    positions: list[float]
    totals: list[int]
    """``totals[i]``: the length of the text nodes before ``positions[i]``."""

    def between(self, start: float, end: float) -> int:
        """Characters of text strictly after ``start`` and at or before ``end``."""
        low = bisect_right(self.positions, start)
        high = bisect_right(self.positions, end)
        return self.totals[high] - self.totals[low]


def _body_text(page: ArticlePage, blocks: list[_Found]) -> _BodyText:
    index = page.index
    taken = {el for block in blocks for el in block.elements}
    skipped: dict[HtmlElement, bool] = {}
    pieces: list[tuple[float, int]] = []
    for position, el in enumerate(index.nodes):
        parent = el.getparent()
        outside = parent is not None and skipped[parent]
        skip = not isinstance(el.tag, str) or outside or el in taken or _not_body_text(el)
        skipped[el] = skip
        if not skip and el.text and el.text.strip() and not PAYWALL_START.match(el.text.strip()):
            pieces.append((position, len(el.text.strip())))
        if not outside and parent is not None and el.tail and el.tail.strip():
            pieces.append((index.end(el) + 0.5, len(el.tail.strip())))
    pieces.sort()
    totals = [0]
    for _position, length in pieces:
        totals.append(totals[-1] + length)
    return _BodyText([position for position, _length in pieces], totals)


def _not_body_text(el: HtmlElement) -> bool:
    """True for an element whose text is no article text."""
    tag = el.tag
    if tag in INVISIBLE_TAGS or tag in _NOT_BODY_TAGS or tag == "a" or is_hidden(el):
        return True
    return _named(el, _COMMENTS) or _named(el, _NOTICE_CLASS)


def _placement(page: ArticlePage, elements: list[HtmlElement], text: _BodyText) -> str:
    """``inline`` when article text follows the block in the first container around it
    that holds article text before it; ``lire_aussi`` otherwise."""
    index = page.index
    first, last = index.positions[elements[0]], index.end(elements[-1]) + 0.5
    for container in elements[0].iterancestors():
        start, end = index.positions[container], index.end(container) + 0.5
        if text.between(start, first - 0.5) >= TEXT_PARAGRAPH:
            return LINK_INLINE if text.between(last, end) >= TEXT_AFTER else LINK_END
    return LINK_END


# --- embedded JSON ----------------------------------------------------------------------

#: A key of :data:`JSON_RELATED_KEYS` as a script writes it (``"relatedArticles":``,
#: ``relatedIds:``): only such a script is decoded.
_RELATED_KEY = re.compile("[\"']?(?:" + "|".join(JSON_RELATED_KEYS) + ")[\"']?\\s*:")
#: The ``=`` of ``x = {...}`` / ``x = [...]`` (not ``==``, ``>=``, ``=>``), and a name just
#: before it. Two steps: one pattern matching the name too tries every word of a long
#: script as its start.
_ASSIGNMENT = re.compile(r"(?<![=!<>])=\s*(?=[\[{])")
_NAME_BEFORE = re.compile(r"[\w$.\]]\s*$")


def _script_values(page: ArticlePage) -> Iterator[Any]:
    """The JSON values the page's scripts hold: whole JSON scripts and ``x = {...}``."""
    decoder = json.JSONDecoder()
    for script in page.css("script"):
        text = script.text or ""
        if "related" not in text or not _RELATED_KEY.search(text):
            continue
        kind = str(script.get("type") or "").lower()
        if "json" in kind:
            try:
                yield json.loads(text)
            except ValueError:
                continue
            continue
        position = 0
        while (match := _ASSIGNMENT.search(text, position)) is not None:
            position = match.end()
            if not _NAME_BEFORE.search(text, max(0, match.start() - 64), match.start()):
                continue
            try:
                value, position = decoder.raw_decode(text, match.end())
            except ValueError:
                continue
            yield value  # and look on after it: its strings may look like assignments


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _json_target(page: ArticlePage, obj: dict[str, Any]) -> tuple[str, str] | None:
    """(absolute URL, title) an object of embedded JSON names, if it names both."""
    url = next((obj[k] for k in _JSON_URL_KEYS if isinstance(obj.get(k), str)), None)
    title = next((obj[k] for k in _JSON_TITLE_KEYS if isinstance(obj.get(k), str)), None)
    absolute = page.absolute(url) if url else None
    text = collapse_ws(title)
    if absolute and text and absolute.startswith(("http://", "https://")):
        return absolute, text
    return None


def _json_blocks(page: ArticlePage) -> list[RelatedBlock]:
    """Blocks of the related articles embedded JSON lists for the page itself."""
    blocks: list[RelatedBlock] = []
    seen: set[str] = set()
    for value in _script_values(page):
        objects = list(_objects(value))
        own = [obj for obj in objects if _lists_related(obj) and _describes(page, obj)]
        if not own:  # the usual case: no (id, URL) table of the whole state is built
            continue
        by_id = _targets_by_id(page, objects)
        for obj in own:
            links = [link for link in _json_links(page, obj, by_id) if link.url not in seen]
            if links:  # state is often embedded twice (server data, client cache)
                seen.update(link.url for link in links)
                blocks.append(RelatedBlock(None, LINK_MODULE, None, links, source="json"))
    return blocks


def _lists_related(obj: dict[str, Any]) -> bool:
    return any(isinstance(obj.get(key), list) for key in JSON_RELATED_KEYS)


def _describes(page: ArticlePage, obj: dict[str, Any]) -> bool:
    """True for an object whose URL is the page's own."""
    url = next((obj[k] for k in _JSON_URL_KEYS if isinstance(obj.get(k), str)), None)
    return bool(url) and page.same_page(page.absolute(url))


def _targets_by_id(page: ArticlePage, objects: list[dict[str, Any]]) -> dict[Any, tuple[str, str]]:
    """(URL, title) of each object with an ``id``, by id: what a list of bare ids names."""
    by_id: dict[Any, tuple[str, str]] = {}
    for obj in objects:
        ident = obj.get("id")
        if isinstance(ident, (str, int)) and ident not in by_id:
            target = _json_target(page, obj)
            if target:
                by_id[ident] = target
    return by_id


def _json_links(
    page: ArticlePage, obj: dict[str, Any], by_id: dict[Any, tuple[str, str]]
) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    for key in JSON_RELATED_KEYS:
        items = obj.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            target = _json_target(page, item) if isinstance(item, dict) else None
            if target is None and isinstance(item, (str, int)):
                target = by_id.get(item)
            if target and not page.same_page(target[0]):
                links.append(RelatedLink(url=target[0], title=target[1], kind=LINK_MODULE))
    return links


# --- the blocks of a page ---------------------------------------------------------------


@dataclass
class _Found:
    """A block found in the HTML, before its links are read."""

    element: HtmlElement
    parts: list[HtmlElement]
    marker: str | None
    source: str
    after: int = -1
    """Links at or before this document position are not the block's (they precede its
    marker)."""

    @property
    def members(self) -> list[HtmlElement]:
        """The elements holding its links."""
        return self.parts[1:] if self.parts else [self.element]

    @property
    def elements(self) -> list[HtmlElement]:
        return self.parts or [self.element]


def related_blocks(
    page: ArticlePage,
    markers: tuple[str, ...] = (),
    selectors: tuple[str, ...] = (),
    *,
    embedded_json: bool = True,
) -> list[RelatedBlock]:
    """The related blocks of ``page`` in page order, then those found only in its embedded
    JSON (``embedded_json=False`` leaves them out); ``markers`` and ``selectors`` are a
    site's own besides the generic ones.

    To leave a block out of the article text, drop :attr:`RelatedBlock.elements` (the
    marker's heading as well when the block is a heading and the lists after it)."""
    positions = page.index.positions
    found = _found_blocks(page, markers, selectors)
    found.sort(key=lambda f: positions[f.elements[0]])
    text = _body_text(page, found)
    blocks: list[RelatedBlock] = []
    for item in found:
        members = item.members
        kind = LINK_MODULE if _cards(page, members) else _placement(page, members, text)
        links = _block_links(page, members, kind, item.after, _markers(markers))
        if links:
            blocks.append(
                RelatedBlock(item.element, kind, item.marker, links, item.parts, item.source)
            )
    if embedded_json:
        blocks.extend(_json_blocks(page))
    return blocks


def _found_blocks(
    page: ArticlePage, markers: tuple[str, ...], selectors: tuple[str, ...]
) -> list[_Found]:
    found: list[_Found] = []
    for holder, marker, start in _marker_nodes(page, _markers(markers)):
        if _out_of_scope(holder, _MENU_TAGS) or _inside_any(page, holder, found):
            continue
        block = _marker_block(page, holder, marker, start)
        if block is not None:
            element, parts = block
            found.append(_Found(element, parts, marker, "marker", start))
    for el in _class_elements(page, selectors):
        if _out_of_scope(el) or _inside_any(page, el, found):
            continue
        inner = [f for f in found if _contains(page, el, f.elements[0])]
        label = inner[0].marker if inner else None
        found = [f for f in found if f not in inner]
        found.append(_Found(el, [], label, "class"))
    return found


def _contains(page: ArticlePage, outer: HtmlElement, inner: HtmlElement) -> bool:
    index = page.index
    start = index.positions[outer]
    return start <= index.positions[inner] <= index.end(outer)


def _inside_any(page: ArticlePage, el: HtmlElement, found: list[_Found]) -> bool:
    return any(_contains(page, member, el) for f in found for member in f.elements)


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
