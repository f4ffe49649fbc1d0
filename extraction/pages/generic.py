"""The page object of any news article, on a site with no page object of its own.

Metadata comes from what sites publish for machines (JSON-LD, microdata, OpenGraph,
``article:*`` and Dublin Core meta: :class:`~extraction.pages.base.ArticlePage`); where they
give no author or no date, from what the page shows with its headline (a byline's
``.author``/``[rel=author]``/``.byline`` elements, a French date such as "30 septembre 2018"
read in the site's time zone). The title is the one the page shows: a headline for machines
that differs from the ``<h1>`` only by its apostrophes ("d'actions", "d’actions") is the
``<h1>``'s. The site's declared rules (:class:`extraction.sites.Site`) are found by the page's
URL.

The text is read as a reader sees it: the standfirst (chapeau) is the lead, found by the class
tokens newsrooms give it (:data:`~extraction.pages.strip.LEAD_SELECTORS`) or as the meta
description where that is shown on the page; the body is trafilatura's main text of the page
without the lead, the related blocks (:mod:`extraction.pages.related`, the marker's heading
too) and the blocks the generic and the site's strip rules name, then without the paragraphs
that are paywall notices, share or newsletter calls
(:data:`~extraction.pages.strip.STRIP_PATTERNS`) or "Lire aussi" lines. trafilatura reads a
copy of the article's container from the page object's own parsed tree, in its fast mode (no
fallback extractors): the page is parsed once, and trafilatura reads the article,
not the menus and teasers around it. On the 18 French pages of the shared corpus this finds
more of the reference text and leaks less than trafilatura's default ``extract``, faster
(``python -m bench.corpus``, bench/RESULTS.md).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from copy import deepcopy
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from extraction.items import RelatedLink
from extraction.pages.base import (
    INVISIBLE_TAGS,
    ArticlePage,
    collapse_ws,
    normalize_datetime,
    split_names,
    visible_text,
)
from extraction.pages.related import RelatedBlock, related_blocks, related_links
from extraction.pages.strip import (
    LEAD_SELECTORS,
    RELATED_MARKER,
    STRIP_PATTERNS,
    STRIP_SELECTORS,
    WEAK_LEAD_SELECTORS,
)

if TYPE_CHECKING:
    from extraction.sites import Site

#: Recorded in ``versions.extractor_version``; raised whenever the same page would be read
#: differently.
EXTRACTOR_VERSION = "3"

#: A block a strip rule names is left out only when it holds at most this many paragraphs
#: or this much text: a rule that matched the article's own container (``<article
#: class="share">``) is ignored.
STRIP_MAX_PARAGRAPHS = 2
STRIP_MAX_CHARS = 600
#: Text shorter than this is no standfirst (a label, a date).
LEAD_MIN_CHARS = 30
#: A standfirst known only by a weak class token follows an ``<h1>`` within this many nodes.
LEAD_AFTER_HEADING = 60
#: A line after a lone marker line ("Lire aussi :") is the link's title when this short.
MARKER_TITLE_CHARS = 250
#: Where a lead is never found: navigation, teasers, footers.
_NOT_LEAD_ANCESTORS = frozenset({"nav", "footer", "aside", "li"})
#: The text nodes holding ``$head``.
_TEXTS_HOLDING = etree.XPath("//text()[contains(., $head)]")
#: The meta description is looked for in the page by its first characters.
DESCRIPTION_PROBE = 40

#: Elements that may hold the whole article text (:attr:`GenericArticlePage.container`).
CONTAINER_SELECTORS = "article, main, [role='main'], [itemprop~='articleBody']"
#: A bare ``<div>`` of prose (no element inside) before the container's first ``<p>``, this
#: long or more, is the text's first paragraph (:func:`_page_of`).
PROSE_DIV_CHARS = 100
#: Share of the page's paragraph text (``<p>``) a container holds.
CONTAINER_SHARE = 0.6

#: Byline and date shown with the headline are looked for this many nodes around it (the
#: element showing the title, :attr:`GenericArticlePage.headline_element`).
AROUND_HEADLINE = 40
#: Elements of a visible byline, by the class tokens and attributes newsrooms give them
#: (WordPress ``a.author``/``[rel=author]``, SPIP ``.vcard.author``, ``.byline``...); the
#: innermost of them holds the name.
BYLINE_SELECTORS = (
    "[rel~='author'], [itemprop~='author'], .author, .authors, .byline, .author-name, "
    ".author__name, .article-author, .article__author, .article_author, .article__author-name, "
    ".article_author-name, .signature, .auteur"
)
#: A text shown with the headline that names the day: "30 septembre 2018",
#: "15 Mai 2019 à 06h00", "Le 17/02/2020" (a short text, not a sentence of the article).
_SHOWN_DATE = re.compile(
    r"\b\d{1,2}(?:er)?\s+(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|"
    r"septembre|octobre|novembre|décembre|decembre)\s+\d{4}\b|\b\d{1,2}/\d{1,2}/\d{4}\b",
    re.IGNORECASE,
)
SHOWN_DATE_MAX_CHARS = 60
#: Apostrophes and quotes as typed or typeset: "d'actions" and "d’actions" are one title.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "“": '"', "”": '"'})

#: Longer than this, an author "name" is a byline run into other text.
NAME_MAX_CHARS = 60
NAME_MAX_WORDS = 6
_BYLINE_PUNCTUATION = re.compile(r"[()\[\]]")
_SPACES = re.compile(r"\s+")
#: What sets a site's name apart at the end of a title: " - Bondy Blog", " | DW | 23.05.2011".
_SITE_SUFFIX = re.compile(r"\s*[-|–—:]\s+.{1,80}")
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
_NOT_LETTER = re.compile(r"[\W_]+")
#: News agencies: organisations, never authors ("Le Figaro et AFP" names no one).
NEWS_AGENCIES = frozenset(
    {"afp", "reuters", "ap", "associated press", "belga", "ats", "ansa", "dpa", "efe", "ap/afp"}
)
#: A web address, not a person: "MesOpinions.com", "www.dw.com".
_NOT_A_NAME = re.compile(r"\.(?:com|fr|org|net|eu|info)\b|^www\b|https?:", re.IGNORECASE)
_WITH = re.compile(r"^(?:avec|with)\s+", re.IGNORECASE)

#: Dublin Core and other ``<meta name>`` keys, best first, per field.
DC_TITLE = ("dc.title", "dcterms.title")
DC_CREATOR = ("dc.creator", "dcterms.creator", "dc.contributor")
DC_PUBLISHED = (
    "dcterms.issued",
    "dc.date.issued",
    "dcterms.created",
    "dc.date.created",
    "dcterms.date",
    "dc.date",
    "pubdate",
    "publishdate",
    "date",
)
DC_MODIFIED = ("dcterms.modified", "dc.date.modified", "last-modified")


class GenericArticlePage(ArticlePage):
    """Any news article page: the site's rules found by URL, generic signals otherwise."""

    extractor_version = EXTRACTOR_VERSION

    def __init__(self, url: str, body: bytes | str, encoding: str | None = None) -> None:
        super().__init__(url, body, encoding)
        site = self.declared_site
        if site is not None and site.time_zone is not None:
            self.default_tz = site.time_zone

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
        from extraction.sites import undeclared_name

        return undeclared_name(self.url)

    # -- metadata ---------------------------------------------------------------------

    @property
    def title(self) -> str | None:
        """Headline: of JSON-LD or microdata headline, og:title, Dublin Core title and
        twitter:title, the first a ``<h1>`` of the page shows (pages give search engines a
        headline of their own: the reader's is the one shown), else the first of them, else
        the page's only ``<h1>``, else its ``<title>``."""
        candidates = [
            t for t in (super().title, self.meta("og:title", *DC_TITLE, "twitter:title")) if t
        ]
        headings = [text for h1 in self.css("h1") if (text := visible_text(h1))]
        shown = {_key(h): h for h in headings}
        for candidate in candidates:
            if _key(candidate) in shown:
                return candidate
        typeset = {_typeset_key(h): h for h in headings}
        for candidate in candidates:  # "d'actions" for machines, "d’actions" on the page
            if _typeset_key(candidate) in typeset:
                return typeset[_typeset_key(candidate)]
        for candidate in candidates:  # "Le titre - Bondy Blog" where the page shows "Le titre"
            for heading in headings:
                key = _typeset_key(candidate)
                rest = key.removeprefix(_typeset_key(heading))
                if rest != key and _SITE_SUFFIX.fullmatch(rest):
                    return heading
        if candidates:
            return self._without_site_name(candidates[0])
        if len(headings) == 1:
            return headings[0]
        head_title = self.first(["title"])
        return None if head_title is None else collapse_ws(head_title.text_content())

    def _without_site_name(self, title: str) -> str:
        """``title`` without a trailing `` - Site`` / `` | Site`` naming the publisher."""
        names = {n for n in (_letters(n) for n in (*self.publisher_names, self.site)) if n}
        while separators := list(_TITLE_SEPARATOR.finditer(title)):
            suffix = separators[-1]
            last = _letters(title[suffix.end() :])
            # "Bondy Blog" for bondyblog.fr, "DW" for dw.com: the site's name, or its start
            if len(last) < 2 or not any(name in last or name.startswith(last) for name in names):
                break
            title = title[: suffix.start()]
        return title

    @property
    def authors(self) -> list[str]:
        """Person authors from JSON-LD, microdata, meta author, else Dublin Core creator;
        a byline's ``(avec A et B)`` gives A and B; what is too long to be a name (a byline
        run into its "Journaliste au Monde Suivre" links), a web address, a news agency or a
        word in lower case is dropped."""
        found = super().authors
        if not found:
            creator = self.meta(*DC_CREATOR)
            found = split_names(creator) if creator else []
        people = self.people(_names(found))
        return people or self.people(_names(self.shown_byline))

    @cached_property
    def headline_element(self) -> HtmlElement | None:
        """The element showing the title: an ``<h1>``, else another heading (a page whose
        ``<h1>`` is its logo shows its headline in an ``<h2>``), ``None`` when none does."""
        title = self.title
        if not title:
            return None
        wanted = _typeset_key(title)
        for query in ("h1", "h2", "h3, [itemprop~='headline']"):
            for el in self.css(query):
                if _typeset_key(visible_text(el) or "") == wanted:
                    return el
        return None

    def _around_headline(self) -> list[HtmlElement]:
        """The nodes within :data:`AROUND_HEADLINE` of the headline's, nearest first."""
        headline = self.headline_element
        if headline is None:
            return []
        nodes, at = self.index.nodes, self.index.positions[headline]
        order = sorted(
            range(max(0, at - AROUND_HEADLINE), min(len(nodes), at + AROUND_HEADLINE + 1)),
            key=lambda i: (abs(i - at), i < at),
        )
        return [nodes[i] for i in order if i != at]

    @cached_property
    def shown_byline(self) -> list[str]:
        """Names of the byline shown with the headline ("Par <a class="author">Kab
        Niang</a>"): the text of the innermost byline elements
        (:data:`BYLINE_SELECTORS`) near the headline, in page order."""
        near = set(self._around_headline())
        if not near:
            return []
        bylines = [el for el in self.css(BYLINE_SELECTORS) if el in near]
        chosen = set(bylines)
        innermost = [el for el in bylines if not any(d in chosen for d in el.iterdescendants())]
        names: list[str] = []
        for el in innermost:
            if any(a.tag in _NOT_LEAD_ANCESTORS for a in el.iterancestors()):
                continue
            text = visible_text(el)
            if text:
                names.extend(split_names(text))
        return names

    @cached_property
    def shown_date(self) -> str | None:
        """The day (and time) shown with the headline, in the site's time zone, for a page
        that gives no machine-readable date: the nearest short text naming a date in
        French ("30 septembre 2018", "15 mai 2019 à 06h00", "17/02/2020")."""
        for node in self._around_headline():
            if not isinstance(node.tag, str) or node.tag in INVISIBLE_TAGS:
                texts = [node.tail]  # a comment's or script's tail is shown
            else:
                texts = [node.text, node.tail]
            for text in texts:
                shown = collapse_ws(text)
                if shown and len(shown) <= SHOWN_DATE_MAX_CHARS and _SHOWN_DATE.search(shown):
                    found = normalize_datetime(shown, self.default_tz)
                    if found:
                        return found
        return None

    def published_candidates(self) -> Iterator[str | None]:
        """The base signals, then Dublin Core dates; without any, the date shown with the
        headline (:attr:`shown_date`)."""
        machine = [*super().published_candidates(), self.meta_raw(*DC_PUBLISHED)]
        yield from machine
        if not any(normalize_datetime(raw, self.default_tz) for raw in machine if raw):
            yield self.shown_date  # the page shows its date only to readers

    def modified_candidates(self) -> Iterator[str | None]:
        """The base signals, then Dublin Core dates."""
        yield from super().modified_candidates()
        yield self.meta_raw(*DC_MODIFIED)

    # -- related blocks ---------------------------------------------------------------

    @cached_property
    def related_blocks(self) -> list[RelatedBlock]:
        """The page's related blocks (:func:`extraction.pages.related.related_blocks`) with
        the site's own markers and selectors."""
        site = self.declared_site
        markers = site.related_markers if site else ()
        selectors = site.related_selectors if site else ()
        return related_blocks(self, markers, selectors)

    @property
    def related(self) -> list[RelatedLink]:
        """The links of the related blocks, each once, in page order."""
        return related_links(self.related_blocks)

    @cached_property
    def _site_markers(self) -> tuple[str, ...]:
        site = self.declared_site
        return tuple(m.casefold() for m in site.related_markers) if site else ()

    def _is_marker(self, text: str) -> bool:
        """True when ``text`` starts with a related block's marker ("À lire aussi")."""
        if RELATED_MARKER.search(text):
            return True
        folded = text.lstrip().casefold()
        return any(folded.startswith(marker) for marker in self._site_markers)

    # -- lead -------------------------------------------------------------------------

    @cached_property
    def lead_element(self) -> HtmlElement | None:
        """The standfirst's element: a standfirst class, else the block showing the meta
        description, ``None`` when the page shows none."""
        site = self.declared_site
        for query in (site.lead_selectors if site else ()) + LEAD_SELECTORS:
            for el in self.css(query):
                if self._may_lead(el):
                    return el
        for query in WEAK_LEAD_SELECTORS:
            candidates = [
                el for el in self.css(query) if self._may_lead(el) and self._follows_heading(el)
            ]
            if len(candidates) == 1:
                return candidates[0]
        return self._description_block

    def _follows_heading(self, el: HtmlElement) -> bool:
        """True when ``el`` comes shortly after an ``<h1>``, as a standfirst does."""
        positions = self.index.positions
        at = positions[el]
        return any(0 < at - positions[h1] <= LEAD_AFTER_HEADING for h1 in self.css("h1"))

    def _may_lead(self, el: HtmlElement) -> bool:
        if el.tag in INVISIBLE_TAGS or el.tag == "meta":
            return False
        ancestors = set(el.iterancestors())
        if any(a.tag in _NOT_LEAD_ANCESTORS for a in ancestors):
            return False
        if el in self._stripped_set or ancestors & self._stripped_set:
            return False
        text = visible_text(el) or ""
        if any(pattern.fullmatch(text) for pattern in self._strip_patterns):
            return False
        return len(text) >= LEAD_MIN_CHARS

    @cached_property
    def _description_block(self) -> HtmlElement | None:
        """The element whose whole text is the meta description, if the page shows it."""
        description = self.meta("description", "og:description", "dc.description")
        if not description or len(description) < LEAD_MIN_CHARS:
            return None
        texts = cast("list[Any]", _TEXTS_HOLDING(self.root, head=description[:DESCRIPTION_PROBE]))
        for text in texts:  # lxml's "smart" strings: each knows its element
            node = text.getparent()
            if node is not None and text.is_tail:
                # a comment's tail ("<h2><!--filter-->Le chapô</h2>") is its parent's text
                node = node.getparent() if not isinstance(node.tag, str) else None
            if node is None or node.tag in INVISIBLE_TAGS:
                continue
            for el in (node, *node.iterancestors()):
                shown = visible_text(el) or ""
                if shown == description:
                    return el if self._may_lead(el) else None
                if len(shown) > len(description):
                    break
        return None

    @property
    def lead(self) -> str | None:
        """The standfirst (chapeau) as shown, ``None`` when the page shows none."""
        return visible_text(self.lead_element)

    # -- body -------------------------------------------------------------------------

    @cached_property
    def stripped_elements(self) -> list[HtmlElement]:
        """Blocks the generic and the site's strip rules name, but never one holding more
        than :data:`STRIP_MAX_PARAGRAPHS` paragraphs and :data:`STRIP_MAX_CHARS` of text."""
        site = self.declared_site
        queries = STRIP_SELECTORS + (site.strip_selectors if site else ())
        found: list[HtmlElement] = []
        for query in queries:
            for el in self.css(query):
                if (
                    len(self.css("p", el)) <= STRIP_MAX_PARAGRAPHS
                    or len(visible_text(el) or "") <= STRIP_MAX_CHARS
                ):
                    found.append(el)
        return found

    @cached_property
    def _stripped_set(self) -> set[HtmlElement]:
        return set(self.stripped_elements)

    @cached_property
    def left_out(self) -> list[HtmlElement]:
        """Everything left out of the body: the lead, related blocks, stripped blocks;
        outermost elements only, in page order."""
        elements = [el for block in self.related_blocks for el in block.elements]
        elements += self.stripped_elements
        if self.lead_element is not None:
            elements.append(self.lead_element)
        chosen = set(elements)
        outermost = {el for el in chosen if not any(a in chosen for a in el.iterancestors())}
        positions = self.index.positions
        return sorted(outermost, key=lambda el: positions.get(el, 0))

    @property
    def body_images(self) -> list[dict[str, str | None]]:
        """The photos set in figures of the article's container after the main photo (see
        :meth:`ArticlePage.images_under`), those of the parts left out of the text (related
        blocks, promos, site chrome) excepted."""
        left_out = set(self.left_out)

        def skip(img: HtmlElement) -> bool:
            return any(ancestor in left_out for ancestor in img.iterancestors())

        return self.images_under(self.container, skip, in_figures=True)

    @cached_property
    def container(self) -> HtmlElement:
        """The innermost article-like element (:data:`CONTAINER_SELECTORS`) that holds at
        least :data:`CONTAINER_SHARE` of the page's paragraph text, else the whole page.

        trafilatura reads only it: its time grows with the page, and news pages are mostly
        menus, teasers and scripts around one article (a third faster on the corpus, the
        same snippets found)."""
        total = self._paragraph_chars(self.root)
        best, depth = self.root, 0
        if not total:
            return best
        for el in self.css(CONTAINER_SELECTORS):
            el_depth = sum(1 for _ in el.iterancestors())
            if el_depth > depth and self._paragraph_chars(el) >= CONTAINER_SHARE * total:
                best, depth = el, el_depth
        return best

    def _paragraph_chars(self, scope: HtmlElement) -> int:
        """Characters of the ``<p>`` text inside ``scope`` (each paragraph measured once)."""
        starts, totals = self._paragraph_sums
        index = self.index
        low = bisect_left(starts, index.positions[scope])
        high = bisect_right(starts, index.end(scope))
        return totals[high] - totals[low]

    @cached_property
    def _paragraph_sums(self) -> tuple[list[int], list[int]]:
        """The page's ``<p>`` by position, and the running sum of their text lengths."""
        positions = self.index.positions
        pieces = sorted((positions[p], len(p.text_content())) for p in self.css("p"))
        totals = [0]
        for _position, length in pieces:
            totals.append(totals[-1] + length)
        return [position for position, _length in pieces], totals

    @cached_property
    def main_text(self) -> str | None:
        """trafilatura's main text (lines) of the page's :attr:`container` without
        :attr:`left_out`."""
        tree = self.root.getroottree()
        paths = [tree.getpath(el) for el in self.left_out]
        scope = self.container
        if scope is not self.root:
            # trafilatura reads a whole page best: the container goes in a page of its own,
            # and the paths of what is left out are made that page's.
            start = tree.getpath(scope)
            paths = [
                f"/html/body/{scope.tag}{p[len(start) :]}"
                for p in paths
                if p.startswith(start + "/")
            ]
            scope = _page_of(scope)
        else:
            scope = deepcopy(scope)
        _mark_spaces(scope)
        # One union, one XPath to compile; trafilatura deletes each node it finds. Comments
        # too: this page's parse keeps them (trafilatura's own drops them), and their text
        # ("smart_paging_autop_filter") is no article text.
        prune = " | ".join(["//comment()", *paths])
        document = trafilatura.bare_extraction(
            scope,
            url=self.url,
            fast=True,
            include_comments=False,
            with_metadata=False,
            prune_xpath=prune,
        )
        text = getattr(document, "text", None)
        if not isinstance(text, str):
            return None
        return text.replace("\u2423", "\u00a0").replace("\u237d", "\u202f")

    @cached_property
    def _strip_patterns(self) -> tuple[re.Pattern[str], ...]:
        site = self.declared_site
        return STRIP_PATTERNS + (site.strip_patterns if site else ())

    def body_paragraphs(self) -> list[str]:
        """The body's paragraphs, cleaned."""
        text = self.main_text
        if text is None:
            base = super().body
            text = base.replace("\n\n", "\n") if base else ""
        lines = [line for raw in text.split("\n") for line in _cells(raw)]
        kept: list[str] = []
        after_marker = False
        for line in lines:
            if after_marker and len(line) <= MARKER_TITLE_CHARS:
                after_marker = False
                continue
            after_marker = False
            if self._is_marker(line):
                # A marker alone on its line: the link's title follows.
                after_marker = RELATED_MARKER.sub("", line).strip(" :>»-") == ""
                continue
            if any(pattern.fullmatch(line) for pattern in self._strip_patterns):
                continue
            kept.append(line)
        return self._without_repeats(kept)

    def _without_repeats(self, lines: list[str]) -> list[str]:
        """Lines without the title, lead and byline (``Par Les Echos``) where they open the
        text, and without an author's signature line."""
        authors = self.authors
        names = [*authors, *self.publisher_names]
        heads = {_key(h) for h in (self.title, self.lead, *names) if h}
        heads |= {_key(f"Par {name}") for name in names}
        while lines and _key(lines[0]) in heads:
            lines = lines[1:]
        # a signature: a paragraph that is only an author's name ("Kab NIANG"), anywhere
        signatures = {_key(name) for name in authors}
        return [line for line in lines if _key(line) not in signatures]

    @property
    def body(self) -> str | None:
        """The article text after the lead, paragraphs separated by a blank line."""
        return "\n\n".join(self.body_paragraphs()) or None


def _mark_spaces(root: HtmlElement) -> None:
    """No-break spaces of ``root``'s text as printable stand-ins (``␣``, ``⍽``), put back in
    :attr:`GenericArticlePage.main_text`.

    trafilatura folds every space to " ", French typography's no-break spaces too
    (``55\u00a0090 euros``, ``«\u00a0Nous``). No news text uses the stand-ins; a page that
    does gets no-break spaces in their place."""
    for el in root.iter():
        text, tail = el.text, el.tail
        if text and ("\u00a0" in text or "\u202f" in text):
            el.text = text.replace("\u00a0", "\u2423").replace("\u202f", "\u237d")
        if tail and ("\u00a0" in tail or "\u202f" in tail):
            el.tail = tail.replace("\u00a0", "\u2423").replace("\u202f", "\u237d")


def _page_of(element: HtmlElement) -> HtmlElement:
    """A copy of ``element`` as the one child of a page's ``<body>``."""
    page: HtmlElement = lxml.html.Element("html")
    body = etree.SubElement(page, "body")
    clone = deepcopy(element)
    clone.tail = None
    body.append(clone)
    # Comments out, their tails kept as text: "<div><!--smart_paging_autop_filter-->La
    # firme Bayer…</div>" holds its text in the comment's tail, which pruning the comment
    # would lose.
    etree.strip_tags(page, etree.Comment)
    # A box of prose with no element inside that opens the text, before its first <p>
    # (L'Opinion's "faits": the news the article then discusses), is its first paragraph:
    # its text goes in a <p>, which trafilatura reads (it leaves a bare <div>'s text out).
    # Later ones are left as they are: there they are promos and sidebars. The <div> stays,
    # so the paths of what is left out still name the same elements.
    for el in page.iter("p", "div"):
        if el.tag == "p":
            break
        if not len(el) and len(collapse_ws(el.text) or "") >= PROSE_DIV_CHARS:
            paragraph = etree.SubElement(el, "p")
            paragraph.text, el.text = el.text, None
            break
    return page


def _letters(text: str) -> str:
    """``text``'s letters and digits, case folded: "Bondy Blog" and "bondyblog.fr" meet."""
    return _NOT_LETTER.sub("", text).casefold()


def _typeset_key(text: str) -> str:
    """:func:`_key` with typeset apostrophes and quotes as typed ones."""
    return _key(text.translate(_TYPOGRAPHY))


def _key(text: str) -> str:
    """``text`` as compared with another: every whitespace a space, case folded."""
    return _SPACES.sub(" ", text).strip().casefold()


def _names(found: list[str]) -> list[str]:
    names: list[str] = []
    for name in found:
        for part in split_names(_BYLINE_PUNCTUATION.sub(",", name)):
            part = _WITH.sub("", part).strip()
            if (
                part
                and len(part) <= NAME_MAX_CHARS
                and len(part.split()) <= NAME_MAX_WORDS
                and not _NOT_A_NAME.search(part)
                and part.lower() != part  # names are capitalised: not "www", "rédaction"
                and part.casefold() not in NEWS_AGENCIES
            ):
                names.append(part)
    return names


def _cells(line: str) -> list[str]:
    """A line of trafilatura's text as paragraphs: a table row (``| a | b |``) gives each
    of its non-empty cells (layout tables hold whole articles), any other line itself."""
    text = collapse_ws(line)
    if not text:
        return []
    if not text.startswith("|"):
        return [text]
    return [cell for cell in (collapse_ws(c) for c in text.split("|")) if cell]
