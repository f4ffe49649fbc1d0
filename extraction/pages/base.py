"""The generic page object: url + HTML -> :class:`~extraction.items.Article`.

:class:`ArticlePage` parses a page once with lxml and offers what every news site needs:
JSON-LD, OpenGraph and other ``<meta>``, rel=canonical, ``<html lang>``, date normalisation,
visible text and absolute URLs. Its field properties read only site-independent metadata, so
a site's subclass puts its layout signals first and falls back to ``super()``.

Nothing here imports Scrapy: the archive re-extracts stored pages with it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cached_property, lru_cache
from typing import Any, cast
from urllib.parse import urldefrag, urljoin

import cssselect
import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import LxmlError, ParserError
from lxml.html import HtmlElement
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding
from w3lib.html import strip_html5_whitespace

from extraction.items import Article, RelatedLink

JsonObject = dict[str, Any]

#: Elements whose content is never visible text.
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "head", "title", "meta", "link"}
)
#: Elements that start a new line when rendered: they separate paragraphs.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
    ]
)
#: schema.org types of an organisation, never an author.
ORGANISATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
#: JSON-LD ``@type`` values that describe an article.
JSONLD_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)

# Runs of whitespace become one space; a single typographic space (NBSP, narrow NBSP, figure
# and thin space) is kept because French punctuation depends on it.
_WS_RUN = re.compile(r"\s{2,}")
_WS_SINGLE = re.compile(r"[^\S\u00a0\u202f\u2007\u2009]")
#: Where either of the two above matches: a run of two, or a single to replace.
_WS_TO_FOLD = re.compile(r"\s\s|[^\S \u00a0\u202f\u2007\u2009]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_COUNT = re.compile(
    r"(\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?!\d)|\d+(?:[.,]\d+)?)\s*([kKmM])?(?![a-zA-Z])"
)

_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")
_DECIMAL_POINT = re.compile(r"[.,]")
_NON_DIGIT = re.compile(r"\D")
_TYPE_PREFIX = re.compile(r"[/:#]")
_NOT_A_PAGE = re.compile(r"^(?:javascript|mailto|tel|data|about):", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_HTTP = re.compile(r"^https?:", re.I)
_LANGUAGE = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_]|\s*$)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_VIEW_ACTION = re.compile(r"View|Watch|Read")
_BY_PREFIX = re.compile(r"^\s*(?:par|by|auteur\s*:|auteurs\s*:)\s+", re.I)
_NAME_SEPARATOR = re.compile(r"\s*(?:,|;|\s+et\s+|\s+and\s+|&)\s*")
#: What sets the publisher's name apart from a person's run into it: ". ", ", ", " - ".
_NAME_TRAIL = re.compile(r"\s*[.,;/|–—-][\s.,;/|–—-]*$")
_LOGO = re.compile(r"(?:^|[/_.-])(?:logo|favicon|placeholder|default)[^/]*$|/logo/")


#: What w3lib resolves single-byte labels to (latin-1 and ascii become windows-1252).
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-15"})


# --- text -------------------------------------------------------------------------------


def collapse_ws(text: str | None) -> str | None:
    """Collapse whitespace runs to one space and strip; ``None`` for empty text.

    A lone NBSP (or narrow NBSP) stays as it is: it is meaningful in French typography.
    """
    if text is None:
        return None
    if _WS_TO_FOLD.search(text):  # else the two substitutions would change nothing
        text = _WS_SINGLE.sub(" ", _WS_RUN.sub(" ", text))
    return text.strip() or None


def classes(el: HtmlElement) -> list[str]:
    """The element's class tokens."""
    return str(el.get("class") or "").split()


def is_element(node: Any) -> bool:
    """True for elements, False for comments and processing instructions."""
    return isinstance(node.tag, str)


def is_hidden(el: HtmlElement) -> bool:
    """True when the element is hidden by markup (``hidden`` or an inline style)."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


@dataclass
class TextPiece:
    """One text node met while walking a subtree (or a line/paragraph break)."""

    text: str
    element: HtmlElement
    """The element whose ``.text`` (or ``.tail`` when ``tail``) holds the text."""
    tail: bool = False
    kind: str = "text"
    """``text``, ``br`` (a ``<br>``) or ``block`` (the edge of a block element)."""


def text_pieces(
    root: HtmlElement, skip: Callable[[HtmlElement], bool] | None = None
) -> Iterator[TextPiece]:
    """Text nodes of ``root`` in document order, without invisible or skipped subtrees.

    Block element edges and ``<br>`` are yielded as pieces of kind ``block`` / ``br``, so
    callers can rebuild paragraphs. Iterative, so deeply nested pages cannot overflow.
    """
    for kind, text, element, tail in _pieces(root, skip):
        yield TextPiece(text, element, tail, kind)


def _pieces(
    root: HtmlElement, skip: Callable[[HtmlElement], bool] | None
) -> Iterator[tuple[str, str, HtmlElement, bool]]:
    """:func:`text_pieces` as (kind, text, element, tail) tuples, for the hot paths."""
    stack: list[tuple[HtmlElement, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        el, leaving = pop()
        if leaving:
            if el.tag in BLOCK_TAGS:
                yield "block", "", el, False
            if el is not root:
                tail = el.tail
                if tail:
                    yield "text", tail, el, True
            continue
        tag = el.tag
        if el is not root and _left_out(el, skip):
            tail = el.tail
            if tail:
                yield "text", tail, el, True
            continue
        if tag == "br":
            yield "br", "", el, False
        elif tag in BLOCK_TAGS:
            yield "block", "", el, False
        text = el.text
        if text:
            yield "text", text, el, False
        push((el, True))
        if len(el):
            stack.extend((child, False) for child in reversed(el))


def _left_out(el: HtmlElement, skip: Callable[[HtmlElement], bool] | None) -> bool:
    """Whether a text walk leaves out ``el``'s subtree (its tail still counts): a comment
    or processing instruction, an invisible tag, a hidden element, or one ``skip`` names."""
    tag = el.tag
    return (
        not isinstance(tag, str)
        or tag in INVISIBLE_TAGS
        or is_hidden(el)
        or (skip is not None and skip(el))
    )


def visible_text(
    el: HtmlElement | None, skip: Callable[[HtmlElement], bool] | None = None
) -> str | None:
    """The element's visible text on one line: whitespace runs collapsed, stripped."""
    if el is None:
        return None
    if not is_element(el) or el.tag in INVISIBLE_TAGS:
        return None
    return collapse_ws("".join(_visible_parts(el, skip)))


def _visible_parts(root: HtmlElement, skip: Callable[[HtmlElement], bool] | None) -> list[str]:
    """What :func:`visible_text` joins: the texts of :func:`text_pieces`, a space for each
    break. The stack holds elements to enter and the strings to emit on leaving one."""
    parts: list[str] = []
    append = parts.append
    stack: list[HtmlElement | str] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is str:
            append(item)
            continue
        el = cast(HtmlElement, item)
        tag = el.tag
        if el is not root and _left_out(el, skip):
            tail = el.tail
            if tail:
                append(tail)
            continue
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            append(" ")
        text = el.text
        if text:
            append(text)
        if el is not root:
            tail = el.tail
            if tail:
                push(tail)
        if block:
            push(" ")
        if len(el):
            stack.extend(reversed(el))
    return parts


@dataclass
class Paragraph:
    """A paragraph of text and where it starts in the document."""

    text: str
    start: HtmlElement
    """The element whose text (or tail, when ``tail``) begins the paragraph."""
    tail: bool


def paragraphs(
    root: HtmlElement, skip: Callable[[HtmlElement], bool] | None = None
) -> list[Paragraph]:
    """Split the visible text of ``root`` into paragraphs.

    A paragraph ends at the edge of a block element or at two ``<br>`` in a row; a single
    ``<br>`` is a line break inside the paragraph (it becomes a space).
    """
    found: list[Paragraph] = []
    buffer: list[str] = []
    start: tuple[HtmlElement, bool] | None = None
    brs = 0

    def flush() -> None:
        nonlocal start, brs
        text = collapse_ws("".join(buffer))
        if text and start is not None:
            found.append(Paragraph(text, *start))
        buffer.clear()
        start, brs = None, 0

    for kind, text, element, tail in _pieces(root, skip):
        if kind == "block":
            flush()
        elif kind == "br":
            brs += 1
            if brs >= 2:
                flush()
            else:
                buffer.append(" ")
        elif text.strip():
            brs = 0
            if start is None:
                start = element, tail
            buffer.append(text)
        else:
            buffer.append(text)
    flush()
    return found


@lru_cache(maxsize=512)
def _compiled(css: str) -> CSSSelector:
    return CSSSelector(css, translator="html")


def select(scope: HtmlElement | None, css: str) -> list[HtmlElement]:
    """Elements under ``scope`` (itself included) matching ``css``, in document order."""
    if scope is None:
        return []
    return cast(list[HtmlElement], _compiled(css)(scope))


# --- selection through an index -----------------------------------------------------------
# cssselect turns every query into an XPath walk of the whole scope (some 20 µs each on a
# small page, and a page object makes about 70). An ElementIndex walks the document once and
# answers the selectors page objects use (tags, classes, ids, attribute exists / = / ~= / *=,
# :not() of those, descendant combinators) from look-ups, with cssselect's exact semantics;
# any other selector goes to cssselect.

#: (attribute, operator, value) of one attribute test; a class is ("class", "~=", name).
_Condition = tuple[str, str, str | None]
_OPERATORS = frozenset({"exists", "=", "~=", "*="})
#: A ~= value holding one of these matches nothing (cssselect's is_non_whitespace).
_CSS_SPACE = re.compile(r"[ \t\r\n\f]")
#: What may surround a ~= token in values joined by NULs: XPath normalize-space()'s
#: whitespace, the NUL between values, "" for the end of the string.
_TOKEN_EDGES = frozenset({"", "\0", " ", "\t", "\n", "\r"})


@dataclass(frozen=True, eq=False)
class _Compound:
    """A compound selector (``time.a[b~='c']:not([d])``): tag (None for any) and tests.

    Compared by identity: :func:`_interned` makes equal compounds one object, so the
    per-page caches hash them cheaply.
    """

    tag: str | None
    conditions: tuple[_Condition, ...]
    negations: tuple[_Compound, ...]


#: A selector as compounds joined by descendant combinators, outermost first.
_Chain = tuple[_Compound, ...]
_COMPOUNDS: dict[tuple[Any, ...], _Compound] = {}


def _interned(compound: _Compound) -> _Compound:
    key = (compound.tag, compound.conditions, compound.negations)
    return _COMPOUNDS.setdefault(key, compound)


def _compound(tree: Any) -> _Compound | None:
    conditions: list[_Condition] = []
    negations: list[_Compound] = []
    while not isinstance(tree, cssselect.parser.Element):
        if isinstance(tree, cssselect.parser.Class):
            conditions.append(("class", "~=", tree.class_name))
        elif isinstance(tree, cssselect.parser.Hash):
            conditions.append(("id", "=", tree.id))
        elif isinstance(tree, cssselect.parser.Attrib):
            if tree.namespace or getattr(tree, "flag", None) or tree.operator not in _OPERATORS:
                return None
            value = None if tree.value is None else tree.value.value
            conditions.append((tree.attrib.lower(), tree.operator, value))
        elif isinstance(tree, cssselect.parser.Negation):
            inner = _compound(tree.subselector)
            if inner is None:
                return None
            negations.append(inner)
        else:
            return None
        tree = tree.selector
    if tree.namespace:
        return None
    tag = tree.element.lower() if tree.element else None
    return _interned(_Compound(tag, tuple(conditions), tuple(negations)))


def _chain(tree: Any) -> _Chain | None:
    if isinstance(tree, cssselect.parser.CombinedSelector):
        if tree.combinator != " ":
            return None
        left, right = _chain(tree.selector), _compound(tree.subselector)
        return None if left is None or right is None else (*left, right)
    found = _compound(tree)
    return None if found is None else (found,)


@lru_cache(maxsize=512)
def _plan(css: str) -> tuple[_Chain, ...] | None:
    """The selector group as chains an :class:`ElementIndex` answers, else ``None``."""
    try:
        selectors = cssselect.parse(css)
    except cssselect.SelectorError:
        return None  # cssselect raises it again, as select() does
    chains = []
    for selector in selectors:
        chain = None if selector.pseudo_element else _chain(selector.parsed_tree)
        if chain is None:
            return None
        chains.append(chain)
    return tuple(chains)


class ElementIndex:
    """Every node of one parsed document in document order, indexed for selection.

    Built in one walk; the page must not change afterwards. Holding every element also
    keeps lxml from building (and class-looking-up) a new proxy each time one is reached.
    An element's subtree is the span of positions from its own to its last node's, so
    "inside" is a comparison of positions.
    """

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self.nodes: list[HtmlElement] = list(root.iter())
        #: Document position of every node (comments included), as ``root.iter()`` counts.
        self.positions: dict[HtmlElement, int] = {el: i for i, el in enumerate(self.nodes)}
        self._ends: dict[int, int] = {}
        #: attribute name -> (position, value) of the elements that have it, in order
        self._attributes: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
        self._values: dict[str, dict[str, list[int]]] = {}
        self._joined: dict[str, tuple[str, list[int], list[list[int]]]] = {}
        self._tags: dict[str, list[int]] = {}
        self._conditions: dict[_Condition, list[int]] = {}
        self._matches: dict[_Compound, list[int]] = {}
        self._selected: dict[tuple[int, str], list[HtmlElement]] = {}
        attributes = self._attributes
        for i, el in enumerate(self.nodes):
            for name, value in el.items():  # comments have none
                attributes[name].append((i, value))

    def end(self, el: HtmlElement) -> int:
        """Document position of the last node inside ``el`` (``el``'s own when empty)."""
        return self._end(self.positions[el])

    def _end(self, position: int) -> int:
        end = self._ends.get(position)
        if end is None:
            last = self.nodes[position]
            while isinstance(last.tag, str) and len(last):
                last = last[-1]
            end = self._ends[position] = self.positions[last]
        return end

    def select(self, scope: HtmlElement | None, css: str) -> list[HtmlElement]:
        """:func:`select`, answered from the index (and remembered) when it can be."""
        if scope is None:
            return []
        start = self.positions.get(scope)
        if start is None:
            return select(scope, css)
        key = (start, css)
        found = self._selected.get(key)
        if found is None:
            plan = _plan(css)
            if plan is None:
                return select(scope, css)
            end = self._ends.get(start)
            if end is None:
                end = self._end(start)
            if len(plan) == 1 and len(plan[0]) == 1:  # the most common: one compound
                positions = self._matches.get(plan[0][0])
                if positions is None:
                    positions = self._match(plan[0][0])
                matched = positions[bisect_left(positions, start) : bisect_right(positions, end)]
            elif len(plan) == 1:
                matched = self._chain(plan[0], [(start, end)])
            else:
                matched = sorted({i for c in plan for i in self._chain(c, [(start, end)])})
            nodes = self.nodes
            found = self._selected[key] = [nodes[i] for i in matched]
        return list(found)

    def _chain(self, chain: _Chain, spans: list[tuple[int, int]]) -> list[int]:
        """Positions, in order, of the matches of ``chain`` in the disjoint ``spans``: the
        first compound's matches in them, then the next one's strictly inside those..."""
        found: list[int] = []
        for k, compound in enumerate(chain):
            positions = self._match(compound)
            found = []
            for low, high in spans:
                found.extend(positions[bisect_left(positions, low) : bisect_right(positions, high)])
            if k == len(chain) - 1 or not found:
                break
            spans = []
            for i in found:  # in order: a match inside the last span adds nothing
                if not spans or i > spans[-1][1]:
                    spans.append((i + 1, self._end(i)))
        return found

    def _match(self, compound: _Compound) -> list[int]:
        """Positions of the elements matching ``compound`` in the whole document, in order."""
        known = self._matches.get(compound)
        if known is not None:
            return known
        tag, conditions = compound.tag, compound.conditions
        found = [self._tagged(tag)] if tag else []
        for condition in conditions:
            if found and not found[-1]:
                break  # the compound matches nothing: no need for the rest
            found.append(self._condition(condition))
        if not found:
            known = [i for i, el in enumerate(self.nodes) if isinstance(el.tag, str)]
        elif len(found) == 1 or not all(found):
            known = found[0] if all(found) else []
        else:
            found.sort(key=len)
            others = [set(passing) for passing in found[1:]]
            known = [i for i in found[0] if all(i in other for other in others)]
        for negation in compound.negations:
            if known:
                excluded = set(self._match(negation))
                known = [i for i in known if i not in excluded]
        self._matches[compound] = known
        return known

    def _tagged(self, tag: str) -> list[int]:
        known = self._tags.get(tag)
        if known is None:
            positions = self.positions
            known = self._tags[tag] = [positions[el] for el in self.root.iter(tag)]
        return known

    def _condition(self, condition: _Condition) -> list[int]:
        """Positions, in order, of the elements passing one attribute test as cssselect's
        XPath does: ``~=`` splits on XML whitespace; ``*=``, ``~=`` never match ''."""
        known = self._conditions.get(condition)
        if known is not None:
            return known
        name, operator, value = condition
        if operator == "exists":
            known = [i for i, _ in self._attributes.get(name, [])]
        elif value is None:
            known = []
        elif operator == "=":
            known = self._values_of(name).get(value, [])
        elif not value or "\0" in value:  # no attribute holds a NUL
            known = []
        elif operator == "*=":
            known = self._containing(name, value, token=False)
        elif _CSS_SPACE.search(value):  # ~= with a space in the value matches nothing
            known = []
        else:
            known = self._containing(name, value, token=True)
        self._conditions[condition] = known
        return known

    def _values_of(self, name: str) -> dict[str, list[int]]:
        """Distinct values of attribute ``name`` -> positions of the elements with it."""
        values = self._values.get(name)
        if values is None:
            values = self._values[name] = {}
            for i, text in self._attributes.get(name, []):
                values.setdefault(text, []).append(i)
        return values

    def _containing(self, name: str, value: str, token: bool) -> list[int]:
        """Positions of the elements whose attribute ``name`` contains ``value`` (as one of
        its XML-whitespace separated tokens when ``token``), in order: ``str.find`` over the
        attribute's distinct values joined by NULs, not a test of every element."""
        joined = self._joined.get(name)
        if joined is None:
            values = self._values_of(name)
            starts, offset = [], 0
            for text in values:
                starts.append(offset)
                offset += len(text) + 1
            joined = self._joined[name] = ("\0".join(values), starts, list(values.values()))
        text, starts, owners = joined
        found: list[int] = []
        at, size = text.find(value), len(value)
        while at >= 0:
            if token and (
                (at and text[at - 1] not in _TOKEN_EDGES)
                or text[at + size : at + size + 1] not in _TOKEN_EDGES
            ):
                at = text.find(value, at + 1)
                continue
            k = bisect_right(starts, at) - 1
            found.extend(owners[k])
            at = text.find(value, starts[k + 1]) if k + 1 < len(starts) else -1
        return sorted(found)


#: The largest count kept: SQLite's largest integer. A page showing more is not counting.
MAX_COUNT = (1 << 63) - 1

#: The most body images one page lists (:meth:`ArticlePage.images_under`), the first in
#: page order: each is a photo row of the version and, with ``ARCHIVE_IMAGES=all``, a
#: request to its site, so a page of thousands of figures must not make thousands.
MAX_BODY_IMAGES = 50


def parse_count(text: str | None) -> int | None:
    """A displayed counter as an int: ``6822``, ``6 822``, ``1,2K`` -> 1200; ``None`` when
    there is none, or past :data:`MAX_COUNT` (no archive could store it)."""
    match = _COUNT.search(text or "")
    if not match:
        return None
    number, suffix = match.groups()
    if suffix:
        factor = 1000 if suffix.lower() == "k" else 1_000_000
        count = round(float(number.replace(",", ".").replace(" ", "")) * factor)
    else:
        if _DECIMAL.fullmatch(number):
            number = _DECIMAL_POINT.split(number)[0]
        count = int(_NON_DIGIT.sub("", number))
    return count if count <= MAX_COUNT else None


# --- dates ------------------------------------------------------------------------------

_TZ_NAMES = {
    "Z": 0,
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "CET": 60,
    "CEST": 120,
    "MSK": 180,
}
_FRENCH_MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Z]{3,4})?$"
)
#: ISO 8601's basic format, as the current Sputnik platform writes dates in metas and data
#: attributes: ``20260729T1319+0800`` (seconds and offset optional). The same groups as
#: ``_ISO_DATE``; the ``T`` keeps an 8-digit number from reading as a date.
_COMPACT_DATE = re.compile(
    r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_UNIX_TIME = re.compile(r"^(\d{9,13})(?:\.\d+)?$")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_FRENCH_DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})\b", re.I)
_CLOCK = re.compile(r"\b(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?\b")
_TZ_IN_TEXT = re.compile(
    r"(?:\b(UTC|GMT|MSK|CEST|CET)\b\s*([+-]\d{1,2}(?::?\d{2})?)?)|([+-]\d{2}:?\d{2})\b"
)


def _offset(token: str | None, extra: str | None = None) -> tzinfo | None:
    """A tzinfo from ``Z``, ``+0300``, ``+03:00``, ``+03`` or a zone abbreviation."""
    if not token:
        return None
    minutes = _TZ_NAMES.get(token.upper())
    if minutes is None:
        if token[0] not in "+-":
            return None
        digits = token[1:].replace(":", "")
        hours, mins = int(digits[:2]), int(digits[2:4] or 0)
        minutes = (hours * 60 + mins) * (-1 if token[0] == "-" else 1)
    if extra:
        extra_tz = _offset(extra if len(extra) > 2 else f"{extra[0]}0{extra[1:]}")
        if extra_tz is not None:
            delta = extra_tz.utcoffset(None)
            minutes += int(delta.total_seconds() // 60) if delta else 0
    return timezone(timedelta(minutes=minutes))


def _iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat(timespec="seconds")


def normalize_datetime(value: str | None, default_tz: tzinfo = timezone.utc) -> str | None:
    """ISO 8601 with offset (``2017-06-21T10:52:00+03:00``) from the forms pages use.

    Accepts ISO 8601 with or without seconds or offset (``2017-06-21T10:52+0300``), also in
    its basic format (``20260729T1319+0800``), unix time in seconds or milliseconds, and
    displayed dates such as ``21.06.2017 10:52``,
    ``10:52 GMT 21.06.2017`` or ``21 juin 2017 à 10h52``. A time without an offset is taken
    in ``default_tz``; a unix time is shown in ``default_tz``. ``None`` when unparseable.
    """
    if not value:
        return None
    text = value.strip()
    try:
        return (
            _parse_iso(text, default_tz)
            or _parse_unix(text, default_tz)
            or _parse_display(text, default_tz)
        )
    except (ValueError, OverflowError):
        return None


#: Two zones that tell a time with its own offset from one without.
_PROBE_ZONES = (timezone.utc, timezone(timedelta(hours=5, minutes=30)))


def names_its_instant(value: str) -> bool:
    """True when a time gives its instant by itself (an offset, ``Z``, a zone name, a unix
    time): read in two different default zones, it names the same instant."""
    read = [normalize_datetime(value, tz) for tz in _PROBE_ZONES]
    if read[0] is None or read[1] is None:
        return False
    return datetime.fromisoformat(read[0]) == datetime.fromisoformat(read[1])


def _parse_iso(text: str, default_tz: tzinfo) -> str | None:
    match = _ISO_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    tz = _offset(zone) if zone else default_tz
    if tz is None:
        return None
    dt = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )
    return _iso(dt.replace(tzinfo=tz))


def _parse_unix(text: str, default_tz: tzinfo) -> str | None:
    match = _UNIX_TIME.match(text)
    if not match:
        return None
    stamp = int(match.group(1))
    if len(match.group(1)) >= 12:
        stamp //= 1000
    return _iso(datetime.fromtimestamp(stamp, tz=timezone.utc).astimezone(default_tz))


def _parse_display(text: str, default_tz: tzinfo) -> str | None:
    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
        rest = text[: numeric.start()] + " " + text[numeric.end() :]
    else:
        french = _FRENCH_DATE.search(text)
        month_number = _FRENCH_MONTHS.get(french.group(2).lower()) if french else None
        if french is None or month_number is None:
            return None
        day, month, year = int(french.group(1)), month_number, int(french.group(3))
        rest = text[: french.start()] + " " + text[french.end() :]
    clock = _CLOCK.search(rest)
    hour, minute, second = (int(g or 0) for g in clock.groups()) if clock else (0, 0, 0)
    zone = _TZ_IN_TEXT.search(rest)
    tz = (_offset(zone.group(1) or zone.group(3), zone.group(2)) if zone else None) or default_tz
    return _iso(datetime(year, month, day, hour, minute, second, tzinfo=tz))


# --- JSON-LD ----------------------------------------------------------------------------


def parse_json_ld(text: str) -> list[Any]:
    """The JSON values in one ``<script type="application/ld+json">``; [] when hopeless.

    Tolerates what pages get wrong: HTML comment or CDATA wrappers, a trailing ``;``, raw
    newlines inside strings, trailing commas, several objects one after the other.
    """
    text = text.strip()
    for wrapper in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if text.startswith(wrapper[0]) and text.endswith(wrapper[1]):
            text = text[len(wrapper[0]) : -len(wrapper[1])].strip()
    text = text.rstrip(";").strip()
    decoder = json.JSONDecoder(strict=False)
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        values: list[Any] = []
        pos = 0
        try:
            while pos < len(candidate):
                value, pos = decoder.raw_decode(candidate, pos)
                values.append(value)
                while pos < len(candidate) and candidate[pos] in " \t\r\n,;":
                    pos += 1
        except ValueError:
            if values:
                return values
            continue
        return values
    return []


def json_ld_objects(values: Iterable[Any]) -> Iterator[JsonObject]:
    """Every object of the JSON-LD values, lists and ``@graph`` flattened."""
    for value in values:
        if isinstance(value, list):
            yield from json_ld_objects(value)
        elif isinstance(value, dict):
            yield value
            graph = value.get("@graph")
            if isinstance(graph, list | dict):
                yield from json_ld_objects([graph])


def json_ld_types(obj: JsonObject) -> set[str]:
    """The object's ``@type`` names without vocabulary prefix (``schema:`` or URL)."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {_TYPE_PREFIX.split(n)[-1] for n in names if isinstance(n, str)}


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as text: strings, numbers, ``{"name"|"@value"|"text": ...}``, lists."""
    if isinstance(value, str):
        return collapse_ws(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for key in ("@value", "name", "text"):
            if key in value:
                return ld_text(value[key])
        return None
    if isinstance(value, list):
        for item in value:
            text = ld_text(item)
            if text:
                return text
    return None


def ld_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be a single item or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ld_url(value: Any) -> str | None:
    """The URL of a JSON-LD image-like value (string, ImageObject, list)."""
    for item in ld_list(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            for key in ("url", "contentUrl", "@id"):
                if isinstance(item.get(key), str) and item[key].strip():
                    return str(item[key]).strip()
    return None


# --- the page ---------------------------------------------------------------------------


# Microdata is read from the page's own element index rather than with extruct: extruct's
# microdata extractor walks the document again and computes the text of every property of
# every item (``articleBody`` included), and brings rdflib; a page object needs a handful of
# properties of one item, found with selectors it has already indexed.

#: Elements whose microdata value is an attribute, and which one (the HTML standard's list).
_MICRODATA_ATTRIBUTE = {
    "meta": "content",
    "time": "datetime",
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "embed": "src",
    "iframe": "src",
    "track": "src",
    "object": "data",
    "data": "value",
    "meter": "value",
}


def microdata_types(el: HtmlElement) -> set[str]:
    """The schema.org type names of an ``itemscope`` element (``http://schema.org/NewsArticle``
    -> ``NewsArticle``)."""
    return {_TYPE_PREFIX.split(t)[-1] for t in str(el.get("itemtype") or "").split() if t}


def microdata_owner(el: HtmlElement) -> HtmlElement | None:
    """The item an ``itemprop`` element belongs to: its nearest ``itemscope`` ancestor."""
    for ancestor in el.iterancestors():
        if ancestor.get("itemscope") is not None:
            return ancestor
    return None


def microdata_value(el: HtmlElement, text: bool = False) -> str | None:
    """An ``itemprop`` element's value as the HTML standard defines it: ``content``,
    ``datetime``, ``href``, ``src``... by element, else its text (whitespace collapsed).

    ``text`` for a property that holds text (a name, a headline, a section): pages put those
    on links (``<a href="/columnists/" itemprop="articleSection">Columnists</a>``), whose
    standard value would be the URL; a ``content`` attribute still wins."""
    if text:
        content = el.get("content")
        return collapse_ws(el.text_content()) if content is None else str(content)
    attribute = _MICRODATA_ATTRIBUTE.get(str(el.tag))
    if el.get("content") is not None and el.tag != "meta":
        attribute = "content"  # widely written on any element, and read by search engines
    if attribute is not None and (attribute != "datetime" or el.get("datetime") is not None):
        value = el.get(attribute)
        return None if value is None else str(value)
    return collapse_ws(el.text_content())


class ArticlePage:
    """A fetched page, parsed once, with one property per :class:`Article` field.

    The properties of this class use only site-independent metadata (JSON-LD, OpenGraph,
    ``<meta>``, ``<link>``); site subclasses override them with layout-specific signals and
    call ``super()`` as the fallback.
    """

    #: Site id, the spider name.
    site_id: str = ""
    #: Timezone of times shown without an offset (and of unix times).
    default_tz: tzinfo = timezone.utc

    def __init__(self, url: str, body: bytes | str, encoding: str | None = None) -> None:
        self.url = url
        if isinstance(body, bytes):
            self.encoding, self.text = decode_html(body, encoding)
        else:
            self.encoding, self.text = encoding or "utf-8", body
        self.root: HtmlElement = _parse_html(self.text)

    # -- generic helpers --------------------------------------------------------------

    @cached_property
    def index(self) -> ElementIndex:
        """The document's nodes in order, indexed for :meth:`css` (built on first use)."""
        return ElementIndex(self.root)

    def css(self, query: str, scope: HtmlElement | None = None) -> list[HtmlElement]:
        """Elements matching ``query`` under ``scope`` (default: the whole document)."""
        return self.index.select(self.root if scope is None else scope, query)

    def first(self, queries: Iterable[str], scope: HtmlElement | None = None) -> HtmlElement | None:
        """The first element matching the first query that matches anything."""
        for query in queries:
            found = self.css(query, scope)
            if found:
                return found[0]
        return None

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against (``<base href>`` when present)."""
        for base in self.css("base[href]"):
            return urljoin(self.url, strip_html5_whitespace(base.get("href") or ""))
        return self.url

    def absolute(self, href: str | None) -> str | None:
        """``href`` resolved against the page; ``None`` for empty, ``javascript:`` etc."""
        if href is None:
            return None
        known = self._absolute.get(href, _UNKNOWN)
        if known is _UNKNOWN:
            known = self._absolute[href] = self._resolve(href)
        return cast("str | None", known)

    @cached_property
    def _absolute(self) -> dict[str, object]:
        return {}

    def _resolve(self, href: str) -> str | None:
        href = strip_html5_whitespace(href)
        if not href or href.startswith("#"):
            return None
        if _NOT_A_PAGE.match(href):
            return None
        return urljoin(self.base_url, href)

    def link_target(self, href: str | None) -> str | None:
        """Where a link points, as a reader's browser would go: relative hrefs resolved, any
        other scheme (``javascript:``, ``data:``, ``file:``) kept as written, so that what a
        page links to is recorded faithfully; the crawler decides what it may fetch."""
        if href is None:
            return None
        href = strip_html5_whitespace(href)
        if not href or href.startswith("#"):
            return None
        if _SCHEME.match(href) and not _HTTP.match(href):
            return href
        try:
            return urljoin(self.base_url, href)
        except ValueError:  # a malformed authority, e.g. "http://[::1"
            return None

    def same_page(self, url: str | None) -> bool:
        """True when ``url`` is this page (fetched or canonical URL), fragment ignored."""
        if not url:
            return False
        return _url_key(url) in self._page_keys

    @cached_property
    def _page_keys(self) -> frozenset[str]:
        return frozenset((_url_key(self.url), _url_key(self.canonical_url or self.url)))

    @cached_property
    def meta_values(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-cased ``property`` / ``name`` / ``itemprop``."""
        found: dict[str, list[str]] = {}
        for meta in self.css("meta[content]"):
            content = meta.get("content") or ""
            for attr in ("property", "name", "itemprop"):
                key = meta.get(attr)
                if key:
                    key = key.strip().lower()
                    if key:
                        found.setdefault(key, []).append(content)
        return found

    def meta(self, *keys: str) -> str | None:
        """The first non-empty content among the given meta keys (og:title, description...)."""
        for key in keys:
            for value in self.meta_values.get(key.lower(), []):
                text = collapse_ws(value)
                if text:
                    return text
        return None

    def meta_raw(self, *keys: str) -> str | None:
        """Like :meth:`meta` but the content exactly as written."""
        for key in keys:
            for value in self.meta_values.get(key.lower(), []):
                if value.strip():
                    return value
        return None

    def link_href(self, rel: str) -> str | None:
        """Absolute href of the first ``<link>`` whose rel tokens include ``rel``."""
        for link in self.css("link[href]"):
            if rel in str(link.get("rel") or "").lower().split():
                return self.absolute(link.get("href"))
        return None

    @cached_property
    def json_ld(self) -> list[JsonObject]:
        """Every JSON-LD object of the page (lists and @graph flattened)."""
        values: list[Any] = []
        for script in self.css("script"):
            if str(script.get("type") or "").strip().lower() == "application/ld+json":
                values.extend(parse_json_ld(script.text or ""))
        return list(json_ld_objects(values))

    @cached_property
    def json_ld_nodes(self) -> dict[str, JsonObject]:
        """The page's JSON-LD objects that describe something, by ``@id`` (the first of
        each): what a reference such as ``"author": {"@id": "…#/schema/person/…"}`` names
        (Yoast's ``@graph`` gives the article's author and publisher only so)."""
        found: dict[str, JsonObject] = {}
        for obj in self.json_ld:
            key = obj.get("@id")
            if isinstance(key, str) and not _is_reference(obj):
                found.setdefault(key, obj)
        return found

    def ld_resolved(self, value: Any) -> Any:
        """``value``, or the object of the page's JSON-LD it only refers to by ``@id``."""
        if isinstance(value, dict) and _is_reference(value):
            return self.json_ld_nodes.get(str(value["@id"]), value)
        return value

    @cached_property
    def json_ld_article(self) -> JsonObject:
        """The JSON-LD object describing the article (NewsArticle, Article...), or ``{}``."""
        for obj in self.json_ld:
            if json_ld_types(obj) & JSONLD_ARTICLE_TYPES:
                return obj
        return {}

    @cached_property
    def json_ld_webpage(self) -> JsonObject:
        """The JSON-LD WebPage object that describes this very page (its ``url`` or ``@id``
        is the page's), or ``{}``."""
        for obj in self.json_ld:
            if "WebPage" in json_ld_types(obj):
                where = obj.get("url") or obj.get("@id")
                if isinstance(where, str) and self.same_page(where):
                    return obj
        return {}

    def date_pair(self, candidates: Iterable[str | None]) -> tuple[str | None, str | None]:
        """(normalised, raw) for the first raw value that names its instant by itself (an
        offset, ``Z``, a zone name, a unix time), else for the first that parses at all (a
        time without offset, taken in :attr:`default_tz`), else (None, first raw).

        A page often gives the same time twice: ``datePublished`` in UTC for machines and
        a ``<time datetime>`` without offset in the zone it shows; only the first is sure.
        """
        first_raw: str | None = None
        fallback: tuple[str, str] | None = None
        for raw in candidates:
            if raw is None or not raw.strip():
                continue
            first_raw = first_raw or raw
            normalised = normalize_datetime(raw, self.default_tz)
            if not normalised:
                continue
            if names_its_instant(raw):
                return normalised, raw
            fallback = fallback or (normalised, raw)
        return fallback or (None, first_raw)

    @cached_property
    def is_article_type(self) -> bool:
        """True when metadata says the page is an article: og:type, JSON-LD, or a microdata
        article item (real pages say ``og:type="website"`` and put ``itemtype=NewsArticle``
        on ``<html>``)."""
        return (
            self.meta("og:type") == "article"
            or bool(self.json_ld_article)
            or self.microdata_article is not None
        )

    # -- microdata --------------------------------------------------------------------

    @cached_property
    def microdata_article(self) -> HtmlElement | None:
        """The element of the page's microdata article item (``itemtype`` NewsArticle,
        Article...; ``<html>`` itself on some sites), ``None`` when there is none.

        Items nested in another article item (teasers of a page that is one item) are not
        the page's. Of several left (a teaser before the article), the one holding the
        ``articleBody``; none when no one does: a teaser's headline and date must not
        become the page's."""
        items = [el for el in self.css("[itemscope]") if microdata_types(el) & JSONLD_ARTICLE_TYPES]
        outermost = [el for el in items if not any(a in items for a in el.iterancestors())]
        if len(outermost) <= 1:
            return outermost[0] if outermost else None
        holding_body = [el for el in outermost if self.microdata_properties("articleBody", el)]
        return holding_body[0] if len(holding_body) == 1 else None

    def microdata_properties(self, name: str, item: HtmlElement | None = None) -> list[HtmlElement]:
        """The elements holding property ``name`` of ``item`` (default: the article item),
        in page order; never those of an item nested in it (its author, its publisher)."""
        item = self.microdata_article if item is None else item
        if item is None:
            return []
        return [
            el
            for el in self.css(f"[itemprop~='{name}']", item)
            if el is not item and microdata_owner(el) is item
        ]

    def microdata(
        self, name: str, item: HtmlElement | None = None, *, text: bool = True
    ) -> str | None:
        """The first non-empty value of property ``name`` of ``item`` (default: the article
        item) that is not itself an item; its text, or with ``text=False`` its standard
        value (a link's ``href``, an image's ``src``: for URL properties)."""
        for el in self.microdata_properties(name, item):
            if el.get("itemscope") is None:
                value = collapse_ws(microdata_value(el, text=text))
                if value:
                    return value
        return None

    def microdata_names(self, name: str) -> list[str]:
        """Names given by property ``name`` of the article item (``author``): a nested
        Person's ``name``, or the property's text; organisations left out."""
        names: list[str] = []
        for el in self.microdata_properties(name):
            if el.get("itemscope") is not None:
                if microdata_types(el) & ORGANISATION_TYPES:
                    continue
                text = self.microdata("name", el)
                names.extend([text] if text else [])
            else:
                names.extend(split_names(collapse_ws(microdata_value(el, text=True)) or ""))
        return names

    # -- fields -----------------------------------------------------------------------

    @property
    def site(self) -> str:
        """Site id (the spider name)."""
        return self.site_id

    @cached_property
    def canonical_url(self) -> str | None:
        """Absolute rel=canonical, else og:url, else ``None``."""
        return self.link_href("canonical") or self.absolute(self.meta("og:url"))

    @property
    def language(self) -> str | None:
        """ISO 639-1 code (``fr``) from ``<html lang>``, og:locale, JSON-LD inLanguage."""
        candidates = (
            self.root.get("lang"),
            self.root.get("{http://www.w3.org/XML/1998/namespace}lang"),
            self.meta("og:locale"),
            ld_text(self.json_ld_article.get("inLanguage")),
            self.meta("content-language", "language"),
        )
        for value in candidates:
            match = _LANGUAGE.match(value or "")
            if match:
                return match.group(1).lower()
        return None

    @property
    def title(self) -> str | None:
        """Headline: JSON-LD or microdata headline (or the microdata article's name), else
        og:title of an article page."""
        headline = (
            ld_text(self.json_ld_article.get("headline"))
            or self.microdata("headline")
            or self.microdata("name")
        )
        if headline:
            return headline
        return self.meta("og:title", "twitter:title") if self.is_article_type else None

    @property
    def lead(self) -> str | None:
        """First paragraph; metadata has no reliable one (descriptions are often cut)."""
        return None

    @property
    def body(self) -> str | None:
        """Text after the lead, paragraphs separated by a blank line: JSON-LD articleBody."""
        text = self.json_ld_article.get("articleBody")
        if not isinstance(text, str):
            return None
        paras = [collapse_ws(p) for p in _PARAGRAPH_BREAK.split(text)]
        return "\n\n".join(p for p in paras if p) or None

    @property
    def authors(self) -> list[str]:
        """Person authors from JSON-LD (the article's, else those of the WebPage that is this
        page: Yoast's graphs of 2019-2020 give them there, by ``@id``), else microdata, else
        meta author; an organisation (typed so, or named as the publisher) is never an
        author."""
        names: list[str] = []
        authored = self.json_ld_article.get("author") or self.json_ld_webpage.get("author")
        for author in ld_list(authored):
            author = self.ld_resolved(author)
            if isinstance(author, dict) and json_ld_types(author) & ORGANISATION_TYPES:
                continue
            name = ld_text(author)
            if name:
                names.append(name)
        names = names or self.microdata_names("author")
        if not names:
            meta_author = self.meta("author", "article:author")
            if meta_author and "://" not in meta_author:
                names = split_names(meta_author)
        return self.people(names)

    def people(self, names: Iterable[str]) -> list[str]:
        """``names`` without the publisher's own name, and without it where it is run into
        a person's (``Wilmer Leon. Sputnik International``); each once, in order."""
        kept: list[str] = []
        for name in names:
            for publisher in self.publisher_names:
                # Only where punctuation sets the publisher apart: "Sophie Chapelle" of Elle
                # and "Jean Lambert" of RT keep their names.
                head = name[: -len(publisher)]
                if name.casefold().endswith(publisher.casefold()) and _NAME_TRAIL.search(head):
                    name = _NAME_TRAIL.sub("", head)
            if name and name.casefold() not in self._publisher_keys:
                kept.append(name)
        return unique(kept)

    @property
    def publisher_name(self) -> str | None:
        """Name of the JSON-LD or microdata publisher (tells a site name from an author)."""
        publisher = ld_text(self.ld_resolved(self.json_ld_article.get("publisher")))
        if publisher:
            return publisher
        for el in self.microdata_properties("publisher"):
            name = self.microdata("name", el) if el.get("itemscope") is not None else None
            if name:
                return name
        return None

    @cached_property
    def publisher_names(self) -> list[str]:
        """The names the publisher goes by on the page (publisher, og:site_name), longest
        first."""
        names = {n for n in (self.publisher_name, self.meta("og:site_name")) if n}
        return sorted(names, key=len, reverse=True)

    @cached_property
    def _publisher_keys(self) -> frozenset[str]:
        return frozenset(n.casefold() for n in self.publisher_names)

    @property
    def category(self) -> str | None:
        """Section: JSON-LD articleSection, else article:section."""
        return (
            ld_text(self.json_ld_article.get("articleSection"))
            or self.microdata("articleSection")
            or self.meta("article:section")
        )

    @property
    def tags(self) -> list[str]:
        """article:tag metas, else JSON-LD keywords (list or comma-separated)."""
        tags = [t for t in (collapse_ws(v) for v in self.meta_values.get("article:tag", [])) if t]
        if not tags:
            for value in ld_list(self.json_ld_article.get("keywords")):
                if isinstance(value, str):
                    tags.extend(t for t in (collapse_ws(v) for v in value.split(",")) if t)
        return unique(tags)

    def published_candidates(self) -> Iterator[str | None]:
        """Raw publication times, best signal first (subclasses put theirs first)."""
        yield self.meta_raw("article:published_time", "datePublished")
        yield _str_or_none(self.json_ld_article.get("datePublished"))
        yield from (microdata_value(el) for el in self.microdata_properties("datePublished"))

    @cached_property
    def _published(self) -> tuple[str | None, str | None]:
        return self.date_pair(self.published_candidates())

    @property
    def published_at(self) -> str | None:
        """Publication time, ISO 8601 with offset."""
        return self._published[0]

    @property
    def published_at_raw(self) -> str | None:
        """Publication time exactly as found."""
        return self._published[1]

    def modified_candidates(self) -> Iterator[str | None]:
        """Raw modification times, best signal first."""
        yield self.meta_raw("article:modified_time", "dateModified")
        yield _str_or_none(self.json_ld_article.get("dateModified"))
        yield from (microdata_value(el) for el in self.microdata_properties("dateModified"))

    @cached_property
    def _modified(self) -> tuple[str | None, str | None]:
        return self.date_pair(self.modified_candidates())

    @property
    def modified_at(self) -> str | None:
        """Last modification time, ISO 8601 with offset."""
        return self._modified[0]

    @property
    def modified_at_raw(self) -> str | None:
        """Last modification time exactly as found."""
        return self._modified[1]

    @property
    def image_url(self) -> str | None:
        """Absolute URL of the main photo: JSON-LD image, microdata image, og:image; never
        a logo."""
        for candidate in (
            ld_url(self.json_ld_article.get("image")),
            self.microdata_image,
            self.meta("og:image", "og:image:url", "twitter:image"),
        ):
            url = self.absolute(candidate)
            if url and not looks_like_logo(url):
                return url
        return None

    @property
    def microdata_image(self) -> str | None:
        """The microdata article's ``image``: its URL, or a nested ImageObject's url."""
        for el in self.microdata_properties("image"):
            if el.get("itemscope") is None:
                url = collapse_ws(microdata_value(el))
            else:
                url = self.microdata("url", el, text=False) or self.microdata(
                    "contentUrl", el, text=False
                )
            if url:
                return url
        return None

    @property
    def json_ld_image(self) -> JsonObject:
        """The article's JSON-LD ImageObject, or ``{}``."""
        for image in ld_list(self.json_ld_article.get("image")):
            if isinstance(image, dict):
                return image
        return {}

    @property
    def image_caption(self) -> str | None:
        """Caption of the main photo: JSON-LD ImageObject caption or description."""
        image = self.json_ld_image
        return ld_text(image.get("caption")) or ld_text(image.get("description"))

    @property
    def image_credit(self) -> str | None:
        """Photo credit: JSON-LD ImageObject creditText / copyrightHolder / author."""
        image = self.json_ld_image
        for key in ("creditText", "copyrightNotice", "copyrightHolder", "author"):
            text = ld_text(image.get(key))
            if text:
                return text
        return None

    @property
    def short_url(self) -> str | None:
        """Target of ``<link rel="shortlink">``."""
        return self.link_href("shortlink")

    @property
    def views(self) -> int | None:
        """View count from JSON-LD interactionStatistic or itemprop interactionCount."""
        for stat in ld_list(self.json_ld_article.get("interactionStatistic")):
            if not isinstance(stat, dict):
                continue
            kind = ld_text(stat.get("interactionType")) or ""
            if not kind or _VIEW_ACTION.search(kind):
                count = stat.get("userInteractionCount")
                if isinstance(count, int | str) and not isinstance(count, bool):
                    return parse_count(str(count))
        return parse_count(self.meta("interactionCount"))

    @property
    def related(self) -> list[RelatedLink]:
        """Related links: metadata has none."""
        return []

    @property
    def body_images(self) -> list[dict[str, str | None]]:
        """The images of the article body after the main photo, in page order: each
        ``{url, caption, credit}`` (see :meth:`images_under`). Metadata names none; page
        objects that know where the body is override it. Not an :class:`Article` field: the
        crawl keeps these photos with the version, outside its content hash."""
        return []

    def images_under(
        self,
        root: HtmlElement | None,
        skip: Callable[[HtmlElement], bool] | None = None,
        *,
        in_figures: bool = False,
    ) -> list[dict[str, str | None]]:
        """The photos under ``root`` in page order, each URL once, the main photo, logos,
        icons, inline ``data:`` images and images ``skip`` leaves out excepted; with
        ``in_figures``, only those set in a figure block (a ``<figure>`` or a photo-like
        block, see :func:`_figure_of`): where the article's own extent is a guess, the
        share buttons, avatars and teaser cards around it are not photos of it. Caption: the
        figure's ``<figcaption>`` or caption-like element without its "©" credit, else the
        image's ``alt`` or ``title``; credit: a ``[class*=credit]`` / ``[class*=copyright]``
        element of the figure or the "©" part of its caption. At most
        :data:`MAX_BODY_IMAGES`: the first ones in page order."""
        if root is None:
            return []
        found: list[dict[str, str | None]] = []
        seen = {self.image_url}
        for img in root.iter("img"):
            if len(found) >= MAX_BODY_IMAGES:
                break
            if skip is not None and skip(img):
                continue
            url = self._image_source(img)
            if url is None or url in seen or looks_like_logo(url) or _is_icon(img):
                continue
            if in_figures and _figure_of(img) is None:
                continue
            seen.add(url)
            caption, credit = _figure_texts(img)
            if caption is None:
                caption = collapse_ws(img.get("alt")) or collapse_ws(img.get("title"))
            found.append({"url": url, "caption": caption, "credit": credit})
        return found

    def _image_source(self, img: HtmlElement) -> str | None:
        """The absolute URL an ``<img>`` shows (``src``, its lazy-loading variants, the first
        non-empty candidate of ``srcset``), never a ``data:`` URL."""
        candidates = [img.get(a) for a in ("src", "data-src", "data-lazy-src", "data-original")]
        srcset = str(img.get("srcset") or img.get("data-srcset") or "").strip()
        first = next((part.split()[0] for part in srcset.split(",") if part.split()), None)
        if first:
            candidates.append(first)
        for candidate in candidates:
            if candidate and not candidate.strip().lower().startswith("data:"):
                url = self.absolute(candidate.strip())
                if url and url.startswith(("http://", "https://")):
                    return url
        return None

    def to_item(self) -> Article:
        """The :class:`Article` built from one property per field."""
        return Article(
            url=self.url,
            canonical_url=self.canonical_url,
            site=self.site,
            language=self.language,
            title=self.title,
            lead=self.lead,
            body=self.body,
            authors=list(self.authors),
            category=self.category,
            tags=list(self.tags),
            published_at=self.published_at,
            published_at_raw=self.published_at_raw,
            modified_at=self.modified_at,
            modified_at_raw=self.modified_at_raw,
            image_url=self.image_url,
            image_caption=self.image_caption,
            image_credit=self.image_credit,
            short_url=self.short_url,
            views=self.views,
            related=list(self.related),
        )


# --- small helpers ----------------------------------------------------------------------


def decode_html(body: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(encoding, text) of an HTML body: the first of BOM, ``encoding`` (from the HTTP
    header), ``<meta charset>``, UTF-8 and windows-1252 that decodes it without error; UTF-8
    with replacement characters when none does.

    A single-byte label (latin-1, windows-1252, ascii) on a body that is valid UTF-8 with
    non-ASCII bytes is taken to be wrong: such bytes are almost never meant as latin-1, and
    trusting the label would store mojibake ("Ã©tÃ©").
    """
    bom, _ = read_bom(body)
    candidates = (bom, encoding, html_body_declared_encoding(body), "utf-8", "cp1252")
    for candidate in candidates:
        name = resolve_encoding(candidate) if candidate else None
        if not name:
            continue
        if name in _SINGLE_BYTE and not body.isascii() and _is_utf8(body):
            name = "utf-8"
        try:
            return name, body.decode(name).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return "utf-8", body.decode("utf-8", "replace")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_html(text: str) -> HtmlElement:
    """The document root; an empty ``<html>`` for an empty or unparseable page."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False)
    try:
        root: HtmlElement = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser)
    except (ParserError, ValueError, LxmlError):
        root = lxml.html.document_fromstring("<html></html>")
    return root


#: "Not computed yet", where ``None`` is a result.
_UNKNOWN = object()


def _is_reference(obj: JsonObject) -> bool:
    """True for a JSON-LD node that only names another by ``@id`` (``{"@id": "…"}``)."""
    return isinstance(obj.get("@id"), str) and set(obj) <= {"@id", "@type"}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _url_key(url: str) -> str:
    return urldefrag(url.strip())[0].rstrip("/")


def unique(values: Iterable[str]) -> list[str]:
    """Values in order, each once (compared case-insensitively), empty ones dropped."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def split_names(text: str) -> list[str]:
    """Author names from one string: ``Par A, B et C`` -> [A, B, C]."""
    text = _BY_PREFIX.sub("", text)
    parts = _NAME_SEPARATOR.split(text)
    return [p for p in (collapse_ws(part) for part in parts) if p]


#: Class or file name words of images that are no photos.
_ICON = re.compile(
    r"icon|avatar|logo|sprite|pixel|emoji|spacer|share|facebook|twitter|loading",
    re.IGNORECASE,
)
#: Width or height (pixels, as the ``<img>`` declares) at or under which an image is an icon.
ICON_PIXELS = 48


def _is_icon(img: HtmlElement) -> bool:
    """An icon, avatar, tracking pixel or emoji rather than a photo."""
    name = str(img.get("src") or "").rsplit("/", 1)[-1]
    if any(_ICON.search(word) for word in (*classes(img), name)):
        return True
    for attr in ("width", "height"):
        value = str(img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= ICON_PIXELS:
            return True
    return False


#: Classes of the block that holds one photo with its caption and credit.
_FIGURE_CLASS = re.compile(r"figure|media|photo|image|picture|illustration", re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption|legend|desc|title", re.IGNORECASE)
_CREDIT_CLASS = re.compile(r"credit|copyright", re.IGNORECASE)
#: Levels above an ``<img>`` where its figure block may start.
FIGURE_DEPTH = 3


def _figure_of(img: HtmlElement) -> HtmlElement | None:
    """The block around ``img`` holding its caption and credit: the outermost ``<figure>``
    or element of a photo-like class within :data:`FIGURE_DEPTH` levels that holds no other
    image and no paragraph of text."""
    found = None
    for depth, ancestor in enumerate(img.iterancestors()):
        if depth >= FIGURE_DEPTH:
            break
        if len(ancestor.xpath(".//img")) > 1 or ancestor.xpath(".//p"):
            break
        if ancestor.tag == "figure" or any(_FIGURE_CLASS.search(c) for c in classes(ancestor)):
            found = ancestor
    return found


def _figure_texts(img: HtmlElement) -> tuple[str | None, str | None]:
    """(caption, credit) of the figure block holding ``img`` (see :func:`_figure_of`):
    its ``<figcaption>`` or caption-like element, and its credit-like element or the "©"
    part of the caption."""
    figure = _figure_of(img)
    if figure is None:
        return None, None
    credit = caption = None
    for el in figure.iter():
        if not is_element(el) or el is img:
            continue
        names = classes(el)
        if credit is None and any(_CREDIT_CLASS.search(c) for c in names):
            credit = visible_text(el)
        elif caption is None and (
            el.tag == "figcaption" or any(_CAPTION_CLASS.search(c) for c in names)
        ):
            caption = visible_text(el)
    if caption and "©" in caption:
        text, _, rest = caption.partition("©")
        credit = credit or collapse_ws("©" + rest)
        caption = collapse_ws(text) or None
    if caption and credit and caption.endswith(credit):
        caption = collapse_ws(caption[: -len(credit)]) or None
    return caption, credit


def looks_like_logo(url: str) -> bool:
    """True for site logos and placeholders, which pages put in og:image when no photo."""
    path = url.lower().split("?")[0]
    return bool(_LOGO.search(path))
