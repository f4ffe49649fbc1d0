"""Sputnik France article pages, in both layouts the site has used.

- legacy (the sputniknews platform to about 2020): ``.b-article__*`` classes;
- current (sputnikglobe.com, fr.sputniknews.africa, the ria.ru platform): ``.article__*``.

Every field keys on classes, itemprops, JSON-LD/OpenGraph or marker text ("Lire aussi",
"Tags", "URL courte", "©"), never on element positions, and has several independent
signals: markup varies between pages, and for some parts no class is known for sure.

Real pages are the reference (``tests/fixtures/real/``). What they taught:

- the headline block (``div.b-article__header``: photo, ``h1``, the photo's credit) may sit
  in ``div.b-header`` above the article block, so the headline is found through the
  microdata item or the layout's title classes anywhere in the page, and the photo and its
  credit are looked for beside it (:attr:`SputnikArticlePage.header_region`);
- pages say ``og:type="website"`` and put ``itemtype=NewsArticle`` on ``<html>``: microdata
  is article evidence (:attr:`ArticlePage.is_article_type`);
- a time that names its instant (``datePublished`` with ``Z``) wins over the shown
  ``<time datetime>`` without offset (:meth:`ArticlePage.date_pair`);
- the comment form's avatar is no photo, ``.b-article__refs-credits`` (date and short URL)
  is no credit, the publisher is no author, the opinion disclaimer is no article text.

For the current layout no real page could be found; its extraction leans on what a real
page cannot lack (microdata/JSON-LD/OpenGraph, ``itemprop``, marker text) before classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cached_property
from itertools import chain
from typing import Any, cast
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from extraction.items import LINK_END, LINK_INLINE, RelatedLink
from extraction.pages.base import (
    ArticlePage,
    Paragraph,
    classes,
    collapse_ws,
    is_element,
    json_ld_types,
    ld_list,
    ld_text,
    ld_url,
    looks_like_logo,
    paragraphs,
    parse_count,
    split_names,
    unique,
    visible_text,
)

#: Bumped whenever a change to this module changes what it extracts from the same page, so
#: each version row says which extraction produced it and ``archive reparse`` can redo old ones.
#: 2: real pages read right (headline outside the article block, microdata first, UTC
#: ``datePublished`` before an offset-less ``<time>``, no avatar for a photo, the photo's own
#: credit, no organisation as author, no opinion disclaimer in the body).
EXTRACTOR_VERSION = "2"

LEGACY = "legacy"
CURRENT = "current"
GENERIC = "generic"

#: Moscow time: Sputnik shows times without offset in it.
MOSCOW = timezone(timedelta(hours=3), "MSK")

# --- selectors --------------------------------------------------------------------------
# Tried in order; each tuple lists independent signals for one part of the page.

LAYOUT_SIGNS = {
    LEGACY: ".b-article, .b-article__header-title, .b-article__text, .b-article__lead",
    CURRENT: ".article__title, .article__body, .article__header, .article__announce-text",
}
ROOT = {
    LEGACY: (".b-article", "[itemtype*='Article']", "body"),
    CURRENT: (".article", "[itemtype*='Article']", "body"),
    GENERIC: ("[itemtype*='Article']",),
}
TITLE = (
    ".b-article__header-title h1",
    ".b-article__title",
    ".article__title",
    "h1[itemprop~='headline']",
    "[itemprop~='headline']",
    "h1",
)
#: The layout's own headline classes, looked for in the whole page when the article block
#: does not hold the headline (real legacy pages put it in ``div.b-header`` above it).
TITLE_ANYWHERE = TITLE[:3]
LEAD = (".b-article__lead", ".article__announce-text", ".article__lead")
BODY = (".b-article__text", ".article__body", "[itemprop~='articleBody']")
PHOTO = (
    ".b-article__header-img img",
    ".b-article__photo img",
    ".b-article__header img",
    ".article__announce .media__size img",
    ".article__header .media__size img",
    ".article__photo-item img",
    ".media__size img",
    ".photoview__open img",
    "figure img",
    "img[itemprop~='image']",
    "[itemprop~='image'] img",
    "img[class*='photo']",
)
#: Caption blocks, looked for around the photo.
CAPTION = (
    "[class*='desc']",
    "[class*='caption']",
    "[class*='legend']",
    "[class*='sign']",
    "[itemprop~='caption']",
    "[itemprop~='description']",
    "figcaption",
)
#: Credit blocks, looked for around the photo (``.b-article__refs-credits`` is not one: on
#: real pages it holds the date and the short URL line).
CREDIT = (
    "[class*='header-copy']",
    "[class*='copyright']",
    "[class*='credit']",
    "[itemprop~='copyrightHolder']",
    "[itemprop~='creditText']",
)
CATEGORY = (
    "a.b-article__refs-rubric",
    ".b-article__refs-rubric",
    ".article__rubric",
    "[class*='rubric'] a",
    "[class*='rubric']",
    "[itemprop~='articleSection']",
)
BREADCRUMBS = (
    "[itemtype*='BreadcrumbList'] [itemprop~='name']",
    "[class*='breadcrumb'] a",
)
#: Author selectors; those naming a container hold several names as text.
AUTHOR_LINKS = (
    ".b-article__refs-author a",
    ".b-article__author a",
    ".article__author-name",
    ".article__author a",
    "a[rel~='author']",
)
AUTHOR_BLOCKS = (".b-article__refs-author", ".article__author")
#: (selector, attributes holding a machine-readable time), tried before page metadata.
PUBLISHED = (
    ("time.b-article__refs-date", ("datetime",)),
    (".article__info-date [data-unixtime]:not([class*='modified'])", ("data-unixtime",)),
    ("[itemprop~='datePublished']", ("content", "datetime")),
    ("time[pubdate]", ("datetime",)),
)
#: Shown dates, parsed when nothing machine-readable is there.
PUBLISHED_TEXT = (".b-article__refs-date", ".article__info-date")
MODIFIED = (
    ("time[class*='modified']", ("datetime", "data-unixtime")),
    ("[class*='modified'][data-unixtime]", ("data-unixtime",)),
    ("[itemprop~='dateModified']", ("content", "datetime")),
)
MODIFIED_TEXT = ("[class*='modified']",)
VIEWS = (
    "[class*='views']",
    "[class*='view-count']",
    "[itemprop~='interactionCount']",
    "[class*='statistic']",
)
SHORT_URL = (
    "a[class*='short'][href]",
    "[class*='short'] a[href]",
    "[class*='short'][data-clipboard-text]",
    "[class*='short'] [data-clipboard-text]",
    "input[class*='short'][value]",
    "[class*='short'] input[value]",
)
TAG_LISTS = (".b-article__tags", ".article__tags", ".tags", "[itemprop~='keywords']")
#: Never lead or body text: credits, rubric, counters, short URL.
NOT_TEXT = ", ".join((*CREDIT, *CATEGORY, *VIEWS, *SHORT_URL))
#: Blocks holding related articles (inline ones in the current layout).
RELATED_BLOCKS = (
    ".article__block[data-type='article']",
    ".article__article",
    ".b-inject",
    "[class*='read-also']",
    "[class*='readalso']",
    "[class*='lire-aussi']",
)

# --- marker text and chrome -------------------------------------------------------------

LIRE_AUSSI = re.compile(r"(?:[àa]\s+)?(?:lire|voir)\s+(?:aussi|également)\s*[:.…]?", re.I)
#: "Lire aussi:" left at the end of a paragraph whose links were taken out.
LIRE_AUSSI_TAIL = re.compile(r"\s*(?:[àa]\s+)?lire\s+aussi\s*:$", re.I)
TAGS_MARKER = re.compile(r"(?:tags?|mots[- ]clés)\s*:?", re.I)
TAGS_PREFIX = re.compile(r"^(?:tags?|mots[- ]clés)\s*:\s*", re.I)
SHORT_URL_MARKER = re.compile(r"url\s+courte\s*:?", re.I)
#: Paragraphs made only of these are site chrome (buttons run together: "Règles de
#: conduiteDiscussion").
CHROME = re.compile(
    r"(?:\s*(?:[ée]coutez\s+radio\s+sputnik|s['’]\s?abonner|r[èe]gles\s+de\s+conduite"
    r"|discussion|commenter\s+via\s+(?:facebook|sputnik)|url\s+courte|partager))+\s*",
    re.I,
)
#: Elements of a body that never hold article text.
NON_TEXT_TAGS = frozenset(
    [
        "figure",
        "figcaption",
        "img",
        "picture",
        "video",
        "audio",
        "iframe",
        "object",
        "embed",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "nav",
        "aside",
        "footer",
        "header",
    ]
)
NON_TEXT_BLOCK_TYPES = frozenset(
    [
        "article",
        "media",
        "photo",
        "video",
        "audio",
        "banner",
        "social",
        "embed",
        "infographics",
        "gallery",
        "tags",
        "share",
        "related",
    ]
)
NON_TEXT_CLASS = re.compile(
    r"photo|media|banner|share|subscribe|comment|inject|copyright|credit|read-?also|disclaimer|"
    r"(?:^|[-_])(?:tags?|ads?|advert\w*|social|statistic|views|related)(?:$|[-_])",
    re.I,
)
_PUNCTUATION_ONLY = re.compile(r"^[\s\W\d_]*$")  # dates and counters of teasers count as none
_URL_IN_TEXT = re.compile(r"https?://\S+")
_URL_LIKE = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?/\S*")
_BY = re.compile(r"^(?:par|by)\s+", re.I)
#: Images that are never the article's photo: avatars, logos, icons, and whatever sits in a
#: comment section (class, alt, file name, or an ancestor's class).
#: Whole words of a class token or file name only ("b-icon", "avatar-default.png"), never of
#: free text: a caption may say "iconique" or "logo de l'OTAN".
_NOT_A_PHOTO = re.compile(
    r"(?:^|[-_.\s])(?:avatars?|logos?|icons?|sprites?|emojis?|pixel|spacer|badges?|userpic)"
    r"(?:$|[-_.\s\d])",
    re.I,
)
_COMMENTS = re.compile(r"(?:^|[-_])(?:comments?|avatars?|userpanel)(?:$|[-_])", re.I)
#: Every text node under an element (compiled once: ``el.xpath()`` compiles each call).
_TEXT_NODES = etree.XPath(".//text()")


@dataclass
class LinkBlock:
    """A run of sibling elements holding "Lire aussi" links."""

    members: list[HtmlElement]


class SputnikArticlePage(ArticlePage):
    """A Sputnik France page, legacy or current layout (see :attr:`layout`)."""

    site_id = "sputnik"
    default_tz = MOSCOW
    extractor_version = EXTRACTOR_VERSION

    # -- structure --------------------------------------------------------------------

    @cached_property
    def layout(self) -> str:
        """``legacy`` (``.b-article__*``), ``current`` (``.article__*``) or ``generic``."""
        for layout, signs in LAYOUT_SIGNS.items():
            if self.css(signs):
                return layout
        return GENERIC

    @cached_property
    def article_root(self) -> HtmlElement | None:
        """The element holding the article; ``None`` when the page shows no article."""
        found = self.first(ROOT[self.layout])
        if found is not None or self.layout != GENERIC:
            return found
        body = self.first(("[itemprop~='articleBody']",))
        if body is not None:
            return body.getparent()
        articles = self.css("article")
        return articles[0] if len(articles) == 1 else None

    def find(self, queries: Iterable[str], *, skip_related: bool = True) -> list[HtmlElement]:
        """In the article, the matches of the first query that matches anything; elements
        inside "Lire aussi" blocks (other articles' dates, photos...) are left out."""
        for query in queries:
            found = self.index.select(self.article_root, query)
            if skip_related:
                found = [el for el in found if not self._in_related(el)]
            if found:
                return found
        return []

    def find_one(self, queries: Iterable[str], *, skip_related: bool = True) -> HtmlElement | None:
        """The first element :meth:`find` returns."""
        found = self.find(queries, skip_related=skip_related)
        return found[0] if found else None

    @cached_property
    def title_element(self) -> HtmlElement | None:
        """The headline element: the microdata article's headline (wherever the page puts
        it), the layout's title in the article, the layout's title classes anywhere."""
        for name in ("headline", "name"):
            for el in self.microdata_properties(name):
                if el.tag not in {"meta", "link"} and visible_text(el):
                    return el
        found = self.find_one(TITLE, skip_related=False)
        if found is not None:
            return found
        return self.first(TITLE_ANYWHERE)

    @cached_property
    def header_region(self) -> HtmlElement | None:
        """The block around a headline set outside the article block (its photo and the
        photo's credit are there): the headline's largest ancestor that does not hold the
        article block; ``None`` when the article block holds the headline."""
        title, root = self.title_element, self.article_root
        if title is None or root is None or self._inside(title, root):
            return None
        region = title
        for ancestor in title.iterancestors():
            if ancestor.tag in {"body", "html"} or self._inside(root, ancestor):
                break
            region = ancestor
        return region

    def _inside(self, el: HtmlElement, container: HtmlElement) -> bool:
        return self._order[container] <= self._order[el] <= self._end(container)

    @cached_property
    def lead_element(self) -> HtmlElement | None:
        """The lead (chapeau) element when the layout has one."""
        return self.find_one(LEAD, skip_related=False)

    @cached_property
    def body_element(self) -> HtmlElement | None:
        """The element holding the article text."""
        return self.find_one(BODY, skip_related=False)

    @property
    def _order(self) -> dict[HtmlElement, int]:
        return self.index.positions

    def _end(self, el: HtmlElement) -> int:
        """Document position of the last node inside ``el``."""
        return self.index.end(el)

    def _is_stop(self, el: HtmlElement | None) -> bool:
        """Elements a link block never grows to: the article and its text container."""
        if el is None or el is self.article_root or el is self.body_element:
            return True
        return el.tag in {"body", "html"}

    # -- marker-introduced link blocks ("Lire aussi:", "Tags:") -------------------------

    @cached_property
    def _article_texts(self) -> list[tuple[HtmlElement, bool, str]]:
        """(element, is tail, stripped text) of the article's non-empty texts and tails,
        in document order; the article's own tail left out."""
        root = self.article_root
        if root is None:
            return []
        start = self.index.positions[root]
        found: list[tuple[HtmlElement, bool, str]] = []
        for el in self.index.nodes[start : self.index.end(root) + 1]:
            if not is_element(el):
                continue
            text, tail = el.text, el.tail
            if text:
                found.append((el, False, text.strip()))
            if tail and el is not root:
                found.append((el, True, tail.strip()))
        return found

    def _marker_nodes(self, marker: re.Pattern[str]) -> Iterator[tuple[HtmlElement, int]]:
        """(holder, index) of each text node that is only ``marker``: the element holding
        the text and the index of its first child after the text."""
        for el, tail, text in self._article_texts:
            if not marker.fullmatch(text):
                continue
            if not tail:
                yield el, 0
                continue
            parent = el.getparent()
            if parent is not None:
                yield parent, parent.index(el) + 1

    @staticmethod
    def _residue(el: HtmlElement, marker: re.Pattern[str]) -> bool:
        """True when ``el`` shows text besides its links, the marker and punctuation."""
        return _has_text(visible_text(el, skip=lambda e: e.tag == "a"), marker)

    def _marker_block(
        self,
        holder: HtmlElement,
        index: int,
        marker: re.Pattern[str],
        avoid: Callable[[HtmlElement], bool],
    ) -> list[HtmlElement]:
        """The elements of the block a marker text introduces.

        The marker's element grows while its parent adds nothing but links. If it then
        holds links ("<p>Lire aussi: <a>..</a></p>", a titled box), it is the whole block;
        if it holds only the marker ("<p>Lire aussi:</p>"), the link-only elements after it
        are the block, up to and including a list. A paragraph that happens to be one link
        stays article text: text is never thrown away on a guess.
        """
        if self._is_stop(holder) or self._residue(holder, marker):
            return self._link_siblings(holder, index, marker, avoid)
        parent = holder.getparent()
        while not self._is_stop(parent) and not avoid(parent) and parent is not None:
            if self._residue(parent, marker) or self.index.select(holder, "a[href]"):
                break
            holder, parent = parent, parent.getparent()
        if parent is None or _has_text(holder.tail, marker) or self.index.select(holder, "a[href]"):
            return [holder]
        return [holder, *self._link_siblings(parent, parent.index(holder) + 1, marker, avoid)]

    def _link_siblings(
        self,
        parent: HtmlElement,
        index: int,
        marker: re.Pattern[str],
        avoid: Callable[[HtmlElement], bool],
    ) -> list[HtmlElement]:
        """Children of ``parent`` from ``index`` on holding only links, up to the first one
        with other text, and at most one list."""
        found: list[HtmlElement] = []
        for child in list(parent)[index:]:
            if not is_element(child):
                if _has_text(child.tail, marker):
                    break
                continue
            if avoid(child) or self._residue(child, marker) or _is_chrome(visible_text(child)):
                break
            found.append(child)
            if child.tag in {"ul", "ol"} or _has_text(child.tail, marker):
                break
        return found

    def _link_blocks(
        self, marker: re.Pattern[str], avoid: Callable[[HtmlElement], bool]
    ) -> list[LinkBlock]:
        """Blocks introduced by ``marker`` text ("Lire aussi", "Tags")."""
        blocks: list[LinkBlock] = []
        for holder, index in self._marker_nodes(marker):
            members = self._marker_block(holder, index, marker, avoid)
            if members:
                blocks.append(LinkBlock(members))
        return blocks

    @cached_property
    def _tag_lists(self) -> list[HtmlElement]:
        """Elements holding the tags: known classes, else the "Tags:" marker's block."""
        lists = self.find(TAG_LISTS, skip_related=False)
        if lists:
            return lists
        blocks = self._link_blocks(TAGS_MARKER, avoid=lambda el: False)
        return [member for block in blocks for member in block.members]

    def _is_tag_region(self, el: HtmlElement) -> bool:
        """True for an element that is, or holds, a tag list or the "Tags:" marker."""
        start, end = self._order[el], self._end(el)
        if any(start <= self._order[t] <= end for t in self._tag_lists):
            return True
        return any(TAGS_MARKER.fullmatch(str(node).strip()) for node in _text_nodes(el))

    @cached_property
    def _related_blocks(self) -> list[LinkBlock]:
        """Every "Lire aussi" block: marker-introduced, and the known related classes."""
        blocks = self._link_blocks(LIRE_AUSSI, avoid=self._is_tag_region)
        taken = {m for block in blocks for m in block.members}
        for query in RELATED_BLOCKS:
            for el in self.index.select(self.article_root, query):
                if not any(a in taken for a in _self_and_ancestors(el)):
                    blocks.append(LinkBlock([el]))
                    taken.add(el)
        return blocks

    @cached_property
    def _related_members(self) -> set[HtmlElement]:
        return {m for block in self._related_blocks for m in block.members}

    @cached_property
    def _related_nodes(self) -> set[HtmlElement]:
        """The related blocks' members and everything inside them."""
        nodes = self.index.nodes
        return {
            nodes[i]
            for member in self._related_members
            for i in range(self._order[member], self._end(member) + 1)
        }

    def _in_related(self, el: HtmlElement) -> bool:
        return el in self._related_nodes

    # -- lead and body ------------------------------------------------------------------

    @cached_property
    def _excluded(self) -> set[HtmlElement]:
        """Elements whose text is never part of the lead or body."""
        parts = [self.title_element, self.photo_region, *self._tag_lists]
        excluded = {el for el in parts if el is not None} | self._related_members
        excluded.update(self.index.select(self.article_root, NOT_TEXT))
        return excluded

    def _skip_in_text(self, el: HtmlElement) -> bool:
        if el in self._excluded or el.tag in NON_TEXT_TAGS:
            return True
        if str(el.get("data-type") or "").lower() in NON_TEXT_BLOCK_TYPES:
            return True
        return any(NON_TEXT_CLASS.search(token) for token in classes(el))

    @staticmethod
    def _clean(paras: list[Paragraph]) -> list[Paragraph]:
        """Drop chrome, marker leftovers and credit lines."""
        kept: list[Paragraph] = []
        for para in paras:
            text = para.text
            if text.endswith((":", ":\n")):  # where LIRE_AUSSI_TAIL can match
                text = LIRE_AUSSI_TAIL.sub("", text)
            text = text.strip()
            if not text or _is_chrome(text) or TAGS_MARKER.fullmatch(text):
                continue
            if LIRE_AUSSI.fullmatch(text) or SHORT_URL_MARKER.fullmatch(text):
                continue
            if text.startswith("©") and len(text) < 120:
                continue
            kept.append(Paragraph(text, para.start, para.tail))
        return kept

    @cached_property
    def _body_paragraphs(self) -> list[Paragraph]:
        """Paragraphs of the text container, the lead element left out."""
        if self.body_element is None:
            return []
        lead = self.lead_element
        return self._clean(
            paragraphs(self.body_element, lambda el: el is lead or self._skip_in_text(el))
        )

    @cached_property
    def _text(self) -> tuple[str | None, list[str]]:
        """(lead, body paragraphs)."""
        body = [p.text for p in self._body_paragraphs]
        lead_paras: list[Paragraph] = []
        if self.lead_element is not None:
            lead_paras = self._clean(paragraphs(self.lead_element, self._skip_in_text))
        lead = "\n\n".join(p.text for p in lead_paras) or None
        if lead is None and body:
            lead, body = body[0], body[1:]
        elif body and body[0] == lead:
            body = body[1:]
        return lead, body

    def _position(self, para: Paragraph) -> int:
        return self._end(para.start) + 1 if para.tail else self._order[para.start]

    # -- photo --------------------------------------------------------------------------

    @cached_property
    def photo_element(self) -> HtmlElement | None:
        """The main photo's ``<img>``: in the article block, or by a headline set above it;
        never an avatar, a logo, an icon or an image of the comments."""
        scopes = [s for s in (self.article_root, self.header_region) if s is not None]
        for query in PHOTO:
            for scope in scopes:
                for img in self.index.select(scope, query):
                    if not self._in_related(img) and self._is_photo(img):
                        return img
        return None

    def _is_photo(self, img: HtmlElement) -> bool:
        src = self._img_src(img)
        if not src or looks_like_logo(src):
            return False
        name = urlsplit(src).path.rsplit("/", 1)[-1]
        if any(_NOT_A_PHOTO.search(word) for word in (*classes(img), name)):
            return False
        if collapse_ws(img.get("alt") or "") in {"avatar", "logo", "icon"}:
            return False
        stops = {self.article_root, self.header_region}
        for ancestor in img.iterancestors():  # a comment section, its form
            if ancestor in stops:
                break
            if ancestor.tag == "form" or any(_COMMENTS.search(t) for t in classes(ancestor)):
                return False
        return True

    @cached_property
    def _text_elements(self) -> list[HtmlElement]:
        parts = (self.title_element, self.lead_element, self.body_element)
        return [el for el in parts if el is not None]

    @cached_property
    def _text_spans(self) -> list[tuple[int, int]]:
        return [(self._order[el], self._end(el)) for el in self._text_elements]

    def _touches_text(self, el: HtmlElement) -> bool:
        """True when ``el`` is, holds or is inside the title, lead or body: in a tree, two
        elements' spans of positions overlap exactly when one holds the other."""
        start, end = self._order[el], self._end(el)
        return any(start <= t_end and t_start <= end for t_start, t_end in self._text_spans)

    @cached_property
    def photo_region(self) -> HtmlElement | None:
        """The largest block around the photo that holds neither title nor text."""
        region = self.photo_element
        if region is None:
            return None
        for ancestor in region.iterancestors():
            if ancestor is self.article_root or self._touches_text(ancestor):
                break
            region = ancestor
        return region

    @property
    def body_images(self) -> list[dict[str, str | None]]:
        """The photos of the article text after the main photo (see
        :meth:`ArticlePage.images_under`): never one of a "Lire aussi" card, a comment, an
        avatar or a logo."""
        main = self.photo_element

        def skip(img: HtmlElement) -> bool:
            return img is main or self._in_related(img) or not self._is_photo(img)

        return self.images_under(self.body_element, skip)

    def _img_src(self, img: HtmlElement) -> str | None:
        candidates = [img.get(a) for a in ("src", "data-src", "data-lazy-src", "data-original")]
        srcset = str(img.get("srcset") or img.get("data-srcset") or "").strip()
        if srcset:
            candidates.append(srcset.split(",")[0].split()[0])
        for candidate in candidates:
            if candidate and not candidate.strip().startswith("data:"):
                return self.absolute(candidate)
        return None

    def _photo_scopes(self) -> list[HtmlElement]:
        """Where the photo's caption and credit can be: its block, then that block's
        parent (caption set beside the photo)."""
        region = self.photo_region
        if region is None:
            return []
        parent = region.getparent()
        return [region] if self._is_stop(parent) or parent is None else [region, parent]

    def _credit_elements(self, scope: HtmlElement | None) -> list[HtmlElement]:
        """Credit blocks under ``scope``: the innermost ones (a credit box may also hold a
        "buy this photo" link), those reading "©..." first."""
        known = self._credits.get(scope)
        if known is None:
            known = self._credits[scope] = self._find_credits(scope)
        return list(known)

    @cached_property
    def _credits(self) -> dict[HtmlElement | None, list[HtmlElement]]:
        return {}

    def _find_credits(self, scope: HtmlElement | None) -> list[HtmlElement]:
        for query in CREDIT:
            found = [
                el
                for el in self.index.select(scope, query)
                if visible_text(el) and not self._in_related(el) and not self._touches_text(el)
            ]
            spans = [(self._order[el], self._end(el)) for el in found]
            positions = [start for start, _ in spans]
            innermost = [  # holding none of the others
                el
                for el, (start, end) in zip(found, spans, strict=True)
                if not any(start < p <= end for p in positions)
            ]
            if innermost:
                return sorted(innermost, key=lambda el: not _is_credit(visible_text(el)))
        return []

    def _copyright_line(self, scope: HtmlElement | None) -> str | None:
        """The first short text starting with "©" under ``scope``, with the rest of its
        element when the "©" stands alone (``<span>©</span> Sputnik``)."""
        if scope is None:
            return None
        for node in _text_nodes(scope):
            text = collapse_ws(str(node))
            owner = node.getparent()
            if not text or not text.startswith("©") or owner is None:
                continue
            if self._in_related(owner) or self._touches_text(owner):
                continue
            if node.is_tail:
                owner = owner.getparent()
            while len(text) < 3 and owner is not None:
                text = visible_text(owner) or ""
                owner = owner.getparent()
            if text.startswith("©") and 3 <= len(text) <= 120:
                return text
        return None

    # -- fields -------------------------------------------------------------------------

    @property
    def title(self) -> str | None:
        """Headline: the layout's title element, itemprop headline, JSON-LD, og:title."""
        return visible_text(self.title_element) or super().title

    @property
    def lead(self) -> str | None:
        """The first paragraph: the lead element, else the first paragraph of the text."""
        return self._text[0]

    @property
    def body(self) -> str | None:
        """Paragraphs after the lead, separated by a blank line; JSON-LD articleBody when
        the page has no text container. Never "Lire aussi", tags, captions or chrome."""
        if self.body_element is None and self.lead_element is None:
            return super().body
        return "\n\n".join(self._text[1]) or None

    @property
    def authors(self) -> list[str]:
        """Author names in page order: author links, author blocks, JSON-LD Person."""
        names = [n for n in (visible_text(el) for el in self.find(AUTHOR_LINKS)) if n]
        if not names:
            for el in self.find(AUTHOR_BLOCKS):
                text = visible_text(el) or collapse_ws(el.get("content"))
                names.extend(split_names(text) if text else [])
        names = [_BY.sub("", n) for n in names]
        return self.people(names) or super().authors

    @property
    def category(self) -> str | None:
        """The rubrique: rubric link, articleSection, article:section, breadcrumbs."""
        for el in self.find(CATEGORY):
            text = visible_text(el) or collapse_ws(el.get("content"))
            if text:
                return text
        return super().category or self._breadcrumb_category()

    def _breadcrumb_category(self) -> str | None:
        """The last breadcrumb that is neither home nor the article itself."""
        for obj in self.json_ld:
            if "BreadcrumbList" not in json_ld_types(obj):
                continue
            names: list[str] = []
            for item in ld_list(obj.get("itemListElement")):
                if not isinstance(item, dict):
                    continue
                target = item.get("item")
                name = ld_text(item.get("name")) or ld_text(target)
                if name and not self.same_page(self.absolute(ld_url(target))):
                    names.append(name)
            if len(names) >= 2:
                return names[-1]
        for query in BREADCRUMBS:
            crumbs = [
                visible_text(el)
                for el in self.css(query)
                if not self.same_page(self.absolute(el.get("href")))
            ]
            named = [c for c in crumbs if c]
            if len(named) >= 2:
                return named[-1]
        return None

    @property
    def tags(self) -> list[str]:
        """Tag names in page order, deduplicated: tag lists, "Tags:" block, metadata."""
        names: list[str] = []
        for container in self._tag_lists:
            items = self.index.select(container, "li") or self.index.select(container, "a")
            for item in items:
                links = self.index.select(item, "a")
                names.append(visible_text(links[0] if links else item) or "")
            if not items:
                text = visible_text(container) or collapse_ws(container.get("content")) or ""
                names.extend(text.split(","))
        cleaned = (TAGS_PREFIX.sub("", n.strip()).strip(" ,;#") for n in names)
        return unique(n for n in cleaned if n and not TAGS_MARKER.fullmatch(n)) or super().tags

    def _dates(self, specs: Iterable[tuple[str, tuple[str, ...]]]) -> Iterator[str | None]:
        """Machine-readable times of the page, as written in their attribute."""
        for query, attrs in specs:
            for el in self.find((query,)):
                yield from (el.get(a) for a in attrs)

    def _shown_dates(self, queries: Iterable[str]) -> Iterator[str | None]:
        for query in queries:
            yield from (visible_text(el) for el in self.find((query,)))

    def published_candidates(self) -> Iterator[str | None]:
        """The layout's date attribute, itemprop datePublished, metadata, the shown date."""
        return chain(
            self._dates(PUBLISHED),
            super().published_candidates(),
            self._shown_dates(PUBLISHED_TEXT),
        )

    def modified_candidates(self) -> Iterator[str | None]:
        """The "mis à jour" attribute, itemprop dateModified, metadata, the shown date."""
        return chain(
            self._dates(MODIFIED), super().modified_candidates(), self._shown_dates(MODIFIED_TEXT)
        )

    @property
    def image_url(self) -> str | None:
        """Absolute URL of the main photo: the photo element, else JSON-LD / og:image."""
        if self.photo_element is not None:
            return self._img_src(self.photo_element)
        return super().image_url

    @property
    def image_caption(self) -> str | None:
        """Caption of the main photo: its description block, figcaption, img alt, img
        title, JSON-LD caption; without the credit."""
        img = self.photo_element
        if img is None:
            return super().image_caption if self.image_url else None
        scopes = self._photo_scopes()
        credits = {el for scope in scopes for el in self._credit_elements(scope)}
        for scope in scopes:
            for query in CAPTION:
                for el in self.index.select(scope, query):
                    if el is scope or el in credits or self._touches_text(el):
                        continue
                    text = _without_credit(visible_text(el, skip=lambda e: e in credits))
                    if text:
                        return text
        for attr in ("alt", "title"):
            text = _without_credit(collapse_ws(img.get(attr)))
            if text:
                return text
        return super().image_caption

    @property
    def image_credit(self) -> str | None:
        """The photo credit ("© Sputnik . Ramil Sitdikov"): a credit block by the photo or
        in the article, else a short text starting with "©", else JSON-LD."""
        if self.image_url is None:
            return None
        for scope in self._photo_scopes():
            for el in self._credit_elements(scope):
                text = visible_text(el)
                if text:
                    return text
            line = self._copyright_line(scope)
            if line:
                return line
        for el in self._credit_elements(self.article_root):
            text = visible_text(el)
            if _is_credit(text):  # elsewhere in the article, only a line that reads "©..."
                return text
        return self._copyright_line(self.article_root) or super().image_credit

    @property
    def short_url(self) -> str | None:
        """Target of the "URL courte" link: near its label, a "short" class, rel=shortlink."""
        return self._short_url_by_marker() or self._short_url_by_class() or super().short_url

    def _url_candidates(self, el: HtmlElement) -> Iterator[str | None]:
        for attr in (
            "data-clipboard-text",
            "data-url",
            "data-short-url",
            "data-shorturl",
            "href",
            "value",
        ):
            yield el.get(attr)
        found = _URL_IN_TEXT.search(visible_text(el) or "") if el.tag != "a" else None
        yield found.group(0) if found else None

    def _good_short_url(self, value: str | None) -> str | None:
        url = self.absolute(value)
        if url and url.startswith(("http://", "https://")) and not self.same_page(url):
            return url
        return None

    def _short_url_by_marker(self) -> str | None:
        """A URL in the label's element, else in its parent, grandparent: after the label
        first, and never a link showing other text (a rubric, a tag)."""
        for holder, _index in self._marker_nodes(SHORT_URL_MARKER):
            scope: HtmlElement | None = holder
            for _level in range(3):
                if scope is None or self._is_stop(scope):
                    break
                elements = [el for el in scope.iter() if is_element(el)]
                elements.sort(key=lambda e: self._order[e] < self._order[holder])
                for el in elements:
                    if el.tag == "a" and not _short_link_text(visible_text(el)):
                        continue
                    for value in self._url_candidates(el):
                        url = self._good_short_url(value)
                        if url:
                            return url
                scope = scope.getparent()
        return None

    def _short_url_by_class(self) -> str | None:
        for el in self.find(SHORT_URL):
            for value in self._url_candidates(el):
                url = self._good_short_url(value)
                if url:
                    return url
        return None

    @property
    def views(self) -> int | None:
        """View counter: a "views"/"statistic" element, itemprop interactionCount,
        JSON-LD interactionStatistic."""
        for el in self.find(VIEWS):
            count = parse_count(el.get("content") or visible_text(el))
            if count is not None:
                return count
        return super().views

    @property
    def related(self) -> list[RelatedLink]:
        """ "Lire aussi" links in page order: ``inline`` when article text follows their
        block, ``lire_aussi`` otherwise; the page itself and repeated URLs left out."""
        body_positions = [self._position(p) for p in self._body_paragraphs]
        select = self.index.select
        found: list[tuple[int, str, str, str]] = []
        for block in self._related_blocks:
            end = max(self._end(m) for m in block.members)
            kind = LINK_INLINE if any(p > end for p in body_positions) else LINK_END
            for member in block.members:
                for anchor in select(member, "a[href]"):
                    url = self.link_target(anchor.get("href"))
                    if url:
                        title = _anchor_title(anchor, select)
                        found.append((self._order[anchor], url, title, kind))
        return _related_links(sorted(found), self.same_page)


# --- helpers ----------------------------------------------------------------------------


def _text_nodes(el: HtmlElement) -> list[Any]:
    """``el.xpath(".//text()")``: smart strings, with ``getparent()`` and ``is_tail``."""
    return cast(list[Any], _TEXT_NODES(el))


def _self_and_ancestors(el: HtmlElement) -> Iterator[HtmlElement]:
    yield el
    yield from el.iterancestors()


def _has_text(text: str | None, marker: re.Pattern[str]) -> bool:
    """True when ``text`` holds more than ``marker`` and punctuation."""
    return bool(text) and not _PUNCTUATION_ONLY.match(marker.sub(" ", text or ""))


def _is_chrome(text: str | None) -> bool:
    """True for site chrome ("S'abonner", "Règles de conduite"...), never article content."""
    return bool(text) and bool(CHROME.fullmatch(text or ""))


def _is_credit(text: str | None) -> bool:
    return bool(text) and (text or "").startswith("©")


def _without_credit(text: str | None) -> str | None:
    """Caption text without a credit run into it ("... d'illustration © Sputnik . X")."""
    return collapse_ws(text.split("©")[0]) if text else None


def _short_link_text(text: str | None) -> bool:
    """True for the text a short-URL link can show: nothing, its label, or a URL."""
    return not text or bool(SHORT_URL_MARKER.fullmatch(text) or _URL_LIKE.fullmatch(text))


def _anchor_title(
    anchor: HtmlElement, select: Callable[[HtmlElement, str], list[HtmlElement]]
) -> str:
    """A related link's headline: its title element, its text, its title attribute."""
    for el in select(anchor, "[class*='title']"):
        text = visible_text(el)
        if text:
            return text
    return visible_text(anchor) or collapse_ws(anchor.get("title")) or ""


def _related_links(
    found: Iterable[tuple[int, str, str, str]], same_page: Callable[[str], bool]
) -> list[RelatedLink]:
    """One link per URL (the first anchor with text names it), page order, positions 0..."""
    by_url: dict[str, RelatedLink] = {}
    for _position, url, title, kind in found:
        if same_page(url):
            continue
        link = by_url.setdefault(url.split("#")[0], RelatedLink(url=url, title=title, kind=kind))
        if not link.title:
            link.title = title
    links = [link for link in by_url.values() if link.title and not _is_chrome(link.title)]
    for position, link in enumerate(links):
        link.position = position
    return links
