"""Page bodies of the replica: article pages in two layouts, listings, feeds, robots.txt.

The legacy layout (``.b-article``) follows the two real pages of that platform in
tests/fixtures/real, as they are, not as a parser would like them (see ``legacy_year``):
schema.org as microdata on ``<html>`` with UTC dates ("Z") and no JSON-LD, og:type
"website", the headline with the photo and its credit in the page header above
``.b-article`` (inside it when there is no photo), the shown time (GMT, no offset) and the
short URL in the refs-credits line, an opinion disclaimer closing some texts, share pane,
likes and a comment form with an avatar image inside ``.b-article``. The current layout
(``.article__*``) follows what public scrapers of Sputnik know of it (no real page of it is
at hand). Nesting varies between articles (``site.Variant``) so that only class names,
itemprops, JSON-LD/OpenGraph and marker text ("Lire aussi", "Tags", "URL courte", "©") are
reliable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape as _escape
from typing import Any
from urllib.parse import quote, urlsplit

from . import faults, hostile, vocab
from . import seed as chrome
from .evolution import mix
from .seed import load_seed
from .site import END_DATE, PAGE_SIZE, SEED_INDEX, ArticleSpec, BodyPhoto, Meta, Segment, Site
from .text import slugify, typo

SITE_NAME = "Sputnik France"
LOGO_PATH = "/i/logo/logo-social.png"
AVATAR_PATH = "/i/avatar-default.png"  # the comment form's default avatar
#: the 2020 page's placeholder for a lazy-loaded avatar (the real URL in data-src)
LAZY_AVATAR = (
    "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20width='50'"
    "%20height='50'%3E%3C/svg%3E"
)
#: closes the text of opinion pieces, inside the text block, as on the 2019 real page
DISCLAIMER = (
    "Les opinions exprimées dans cet article ne reflètent pas nécessairement celles de Sputnik."
)
LATEST_ON_HOME = 30
LATEST_IN_RSS = 50
LATEST_IN_SIDEBAR = 5
PARTNERS_ON_HOME = 10  # planted duplicates linked from the home page, from day 2 on
PARTNERS_PATH = "/partenaires/"
HTML_ATTRS = 'lang="fr" prefix="og: http://ogp.me/ns# article: http://ogp.me/ns/article#"'
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def esc(text: str) -> str:
    """Escape text content; quotes stay as they are (the seed's straight quotes are kept)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    return _escape(text, quote=True)


def xml(text: str) -> str:
    return _escape(text, quote=True)


def shown_date(moment: datetime) -> str:
    return moment.strftime("%H:%M %d.%m.%Y")


def shown_gmt(moment: datetime, label: bool) -> tuple[str, str]:
    """(datetime attribute, text) of a legacy page's shown time: GMT, without offset, as
    both real pages show it ("22:57  GMT 28.04.2020" on the 2020 one)."""
    gmt = moment.astimezone(timezone.utc)
    zone = "  GMT" if label else ""
    return f"{gmt:%Y-%m-%dT%H:%M}", f"{gmt:%H:%M}{zone} {gmt:%d.%m.%Y}"


def utc(moment: datetime) -> str:
    """A time as the legacy pages' machine-readable dates write it: UTC, with "Z"."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_stamp(meta: Meta) -> int:
    return int(meta.published.timestamp())


def legacy_year(meta: Meta) -> int:
    """Which real legacy page an article's markup follows: 2019 (schema.org Article,
    ``h1 itemprop=name``) or 2020 (schema.org NewsArticle, ``h1 itemprop=headline``, a
    ``.b-article__meta`` microdata block, "GMT" by the shown times, a lazy-loaded avatar).
    One article in three is 2020, by id; the seed article is 2019.

    Where the headline sits follows the photo, not the year: with a photo it is in the
    page header above ``.b-article``, over the photo (as on the 2019 page); without one it
    is ``.b-article__header-title.m-static`` inside ``.b-article`` (as on the 2020 page,
    a radio show without photo)."""
    if meta.index == SEED_INDEX:
        return 2019
    return 2020 if meta.article_id % 3 == 0 else 2019


def has_disclaimer(spec: ArticleSpec) -> bool:
    """Opinion pieces (one signed article in four, by id) end with a disclaimer."""
    return bool(spec.authors) and spec.meta.article_id % 4 == 1


def signed(authors: Iterable[str]) -> str:
    """Authors as the legacy pages sign them in metadata: "Name. Sputnik France"."""
    return f"{', '.join(authors)}. {SITE_NAME}"


def tag_path(tag: str) -> str:
    return f"/tags/{slugify(tag, 12, stopwords=True)}/"


def author_path(author: str) -> str:
    return f"/authors/{slugify(author, 12, stopwords=True)}/"


def spaced(text: str, spacing: int) -> str:
    """Whitespace-only variation: every third space becomes a newline and an indentation."""
    if not spacing:
        return text
    indent = "\n" + " " * (2 + 4 * spacing)
    parts = text.split(" ")
    return "".join(
        part + ("" if k == len(parts) - 1 else indent if k % 3 == 2 else " ")
        for k, part in enumerate(parts)
    )


def json_ld(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return '<script type="application/ld+json">' + text.replace("</", "<\\/") + "</script>"


@dataclass(frozen=True)
class _Text:
    """How body text is shown: whitespace variation, double encoding, foreign paragraphs."""

    spacing: int = 0
    garble: bool = False
    extra: dict[int, str] = field(default_factory=dict)

    def shown(self, text: str) -> str:
        return spaced(esc(faults.mojibake(text) if self.garble else text), self.spacing)


class Renderer:
    """Renders every page of one site as served at ``base_url`` (links are absolute there).

    ``canonical_base`` (default ``base_url``) is where canonical URLs point: a mobile host's
    renderer serves at the mobile base with canonicals to the main one. ``mobile_base`` is
    where planted mobile duplicates are (for links to them).
    """

    def __init__(
        self,
        site: Site,
        base_url: str,
        crawl_delay: float | None = None,
        canonical_base: str | None = None,
        mobile_base: str | None = None,
    ) -> None:
        self.site = site
        self.base = base_url.rstrip("/")
        self.crawl_delay = crawl_delay
        self.canonical_base = (canonical_base or base_url).rstrip("/")
        self.mobile_base = (mobile_base or base_url).rstrip("/")
        self.mobile = self.canonical_base != self.base
        #: the port of ``base_url`` (the http://localhost link of private_links names it)
        self.port = urlsplit(self.base).port

    # ---- chrome ----------------------------------------------------------------------

    def _head(
        self,
        title: str,
        canonical: str | None,
        description: str,
        meta: Iterable[tuple[str, str]] = (),
        ld: dict[str, Any] | None = None,
        html_attrs: str = HTML_ATTRS,
        extra: str = "",
    ) -> str:
        parts = [
            f"<!DOCTYPE html>\n<html {html_attrs}>\n"
            '<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n"
            f'<meta name="description" content="{attr(description)}">\n'
        ]
        if canonical is not None:
            parts.append(f'<link rel="canonical" href="{attr(canonical)}">\n')
        for prop, content in meta:
            key = "name" if prop in ("keywords", "robots") else "property"
            parts.append(f'<meta {key}="{prop}" content="{attr(content)}">\n')
        parts.append(
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}"'
            f' href="{self.base}/export/rss2/archive/index.xml">\n'
            '<link rel="stylesheet" href="/css/common.css">\n'
        )
        parts.append(extra)
        if ld is not None:
            parts.append(json_ld(ld) + "\n")
        parts.append("</head>\n")
        return "".join(parts)

    def _nav(self, legacy: bool = True) -> str:
        links = "".join(
            f'<li><a href="/{slug}/">{esc(name)}</a></li>' for slug, name in vocab.RUBRIQUES
        )
        if legacy:
            return (
                '<div class="b-header">\n<div class="b-header__top">'
                f'<a class="b-header__logo" href="/" title="{SITE_NAME}">{SITE_NAME}</a> '
                f'<a class="b-header__radio" href="/radio/">{chrome.RADIO}</a></div>\n'
                f'<nav class="b-header__nav"><ul class="b-header__menu">{links}</ul></nav>\n'
                "</div>\n"
            )
        return (
            '<header class="header">\n<div class="header__top">'
            f'<a class="header__logo" href="/">{SITE_NAME}</a> '
            f'<a class="header__radio m-radio" href="/radio/">{chrome.RADIO}</a></div>\n'
            f'<nav class="header__nav"><ul class="header__menu">{links}</ul></nav>\n'
            "</header>\n"
        )

    def _comments(self) -> str:
        # No whitespace between the labels: the seed page renders them run together.
        return (
            '<div class="b-comments" id="comments">\n<div class="b-comments__header">'
            f'<a class="b-comments__rules" href="/docs/comments.html">{chrome.RULES}</a>'
            f'<span class="b-comments__title">{chrome.DISCUSSION}</span></div>\n'
            '<div class="b-comments__tabs">'
            '<a class="b-comments__tab" data-tab="facebook"'
            f' href="#comments">{chrome.VIA_FACEBOOK}</a>'
            '<a class="b-comments__tab m-active" data-tab="sputnik"'
            f' href="#comments">{chrome.VIA_SPUTNIK}</a>'
            '</div>\n<div class="b-comments__list"></div>\n</div>\n'
        )

    def _sidebar(self) -> str:
        items = "".join(
            f'<li><a href="{m.url_path}">{esc(m.title)}</a></li>'
            # the day-1 newest (the seed and its related, never changed): an article page
            # changes only when the article does
            for m in self._metas(range(min(LATEST_IN_SIDEBAR, self.site.articles)))
        )
        return (
            '<aside class="b-sidebar"><div class="b-sidebar__title">Dernières nouvelles</div>'
            f'<ul class="b-sidebar__list">{items}</ul></aside>\n'
        )

    def _footer(self) -> str:
        return (
            '<footer class="b-footer"><div class="b-footer__links">'
            '<a href="/docs/about/">Qui sommes-nous</a> <a href="/docs/legal/">Mentions légales</a>'
            f'</div><p class="b-footer__copyright">© {END_DATE.year} Sputnik. Tous droits réservés.'
            "</p></footer>\n</body>\n</html>\n"
        )

    def _metas(self, indices: Iterable[int]) -> list[Meta]:
        return [self.site.meta(i) for i in indices]

    # ---- article pages ---------------------------------------------------------------

    def article(self, index: int) -> str:
        """The page of article ``index`` (with its fault's text changes, if it has one)."""
        spec = self.site.spec(index)
        fault = self.site.fault(index)
        if fault == "mojibake":
            return self.article_page(spec, garble=True)
        if fault == "boilerplate":
            h = mix(self.site.seed, index, faults.KEY)
            return self.article_page(spec, extra=faults.boilerplate(h, len(spec.paragraphs)))
        return self.article_page(spec)

    def copy(self, index: int) -> str:
        """The planted copy of article ``index``: no canonical, og:url nor mainEntityOfPage."""
        return self.article_page(self.site.spec(index), canonical=False)

    def syndicated(self, index: int) -> str:
        """The partner's near-copy of article ``index``, canonical to itself."""
        return self.article_page(self.site.syndicated_spec(index), own_url=True)

    def article_page(
        self,
        spec: ArticleSpec,
        canonical: bool = True,
        garble: bool = False,
        extra: dict[int, str] | None = None,
        own_url: bool = False,
    ) -> str:
        """An article page. ``canonical=False`` drops rel=canonical, og:url and the
        schema.org page URL; ``garble`` double-encodes the body text; ``extra`` inserts
        paragraphs (after body paragraph k) that are not the article's; ``own_url`` makes the
        canonical this renderer's own URL even on a mobile host."""
        meta = spec.meta
        base = self.base if own_url else self.canonical_base
        canonical_url = base + meta.url_path if canonical else None
        image = self.base + spec.image_url if spec.image_url else None
        text = _Text(spec.variant.spacing, garble, extra or {})
        if meta.layout == "legacy":
            head = self._legacy_head(spec, canonical_url, image)
            body = self._legacy_body(spec, image, text, canonical_url)
            if self.mobile:
                body = body.replace(' m-article">\n', ' m-article m-mobile">\n', 1)
            return head + body + self._footer()
        category = vocab.RUBRIQUES[meta.rubrique][1]
        og = [("og:title", meta.title)]
        if canonical_url:
            og.append(("og:url", canonical_url))
        og += [
            ("og:description", spec.lead),
            ("og:image", image or self.base + LOGO_PATH),
            ("og:type", "article"),
            ("og:site_name", SITE_NAME),
            ("og:locale", "fr_FR"),
            ("article:published_time", meta.published.isoformat()),
        ]
        if meta.modified:
            og.append(("article:modified_time", meta.modified.isoformat()))
        og.append(("article:section", category))
        og.extend(("article:tag", t) for t in spec.tags)
        if spec.tags:
            og.append(("keywords", ", ".join(spec.tags)))
        title = f"{meta.title} - {meta.published:%d.%m.%Y}, {SITE_NAME}"
        head = self._head(
            title, canonical_url, spec.lead, og, self._article_ld(spec, canonical_url, image)
        )
        body = self._current_body(spec, image, text)
        if self.mobile:
            body = body.replace(' m-article">\n', ' m-article m-mobile">\n', 1)
            return head + body + self._footer()
        return head + body + self._comments() + self._sidebar() + self._footer()

    def _article_ld(
        self, spec: ArticleSpec, canonical: str | None, image: str | None
    ) -> dict[str, Any]:
        """The current layout's JSON-LD (the legacy pages have none, as the real ones)."""
        meta = spec.meta

        def when(moment: datetime) -> str:
            # the current CMS writes offsets without a colon, as ria.ru does
            return moment.strftime("%Y-%m-%dT%H:%M%z")

        data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle"}
        if canonical:
            data["mainEntityOfPage"] = {"@type": "WebPage", "@id": canonical}
            data["url"] = canonical
        data["headline"] = meta.title
        data["description"] = spec.lead
        data["datePublished"] = when(meta.published)
        if meta.modified:
            data["dateModified"] = when(meta.modified)
        if spec.authors:
            data["author"] = [{"@type": "Person", "name": a} for a in spec.authors]
        if image:
            data["image"] = {"@type": "ImageObject", "url": image, "width": 1000, "height": 541}
        data["articleSection"] = vocab.RUBRIQUES[meta.rubrique][1]
        if spec.tags:
            data["keywords"] = list(spec.tags)
        data["inLanguage"] = "fr"
        data["publisher"] = {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": self.base + LOGO_PATH},
        }
        return data

    def _href(self, spec: ArticleSpec, path: str) -> str:
        if not path.startswith("/"):  # already a URL (hostile private_links)
            return path
        return self.base + path if spec.variant.absolute_links else path

    def _segments(
        self, spec: ArticleSpec, segments: tuple[Segment, ...], text: _Text | None = None
    ) -> str:
        out = []
        shown = text.shown if text else esc
        for s in segments:
            if s.tag == "a":
                out.append(f'<a href="{attr(self._href(spec, s.href))}">{shown(s.text)}</a>')
            elif s.tag:
                out.append(f"<{s.tag}>{shown(s.text)}</{s.tag}>")
            else:
                out.append(shown(s.text))
        inner = "".join(out)
        if text and text.spacing:
            pad = " " * (2 * text.spacing)
            return f"\n{pad}{inner}\n{pad[:-1]}"
        return inner

    def _current_body(self, spec: ArticleSpec, image: str | None, text: _Text) -> str:
        meta, variant = spec.meta, spec.variant
        rubrique_slug, category = vocab.RUBRIQUES[meta.rubrique]
        out = ['<body class="body m-article">\n', self._nav(legacy=False)]
        out.append(
            '<div class="layout-article"><div class="article m-article"'
            f' data-article-id="{meta.article_id}" data-article-type="article">\n'
        )
        if variant.wrapper:
            out.append('<div class="article__wrap">\n')
        out.append(
            '<div class="article__header">\n<div class="article__supertag-header">'
            f'<a class="article__supertag-header-link" href="/{rubrique_slug}/">{esc(category)}</a>'
            "</div>\n"
            f'<h1 class="article__title">{esc(meta.title)}</h1>\n'
            '<div class="article__info"><div class="article__info-date">'
            f'<a href="/{meta.published:%Y%m%d}/"'
            f' data-unixtime="{int(meta.published.timestamp())}">'
            f"{shown_date(meta.published)}</a>"
        )
        if meta.modified:
            out.append(
                '<span class="article__info-date-modified"'
                f' data-unixtime="{int(meta.modified.timestamp())}">'
                f" (mis à jour: {shown_date(meta.modified)})</span>"
            )
        out.append(
            '</div>\n<div class="article__info-statistic"><span class="statistic">'
            f'<span class="statistic__item m-views article__views" title="Vues">{spec.views}</span>'
            "</span></div></div>\n"
        )
        if spec.authors:
            names = ", ".join(
                f'<a class="article__author-name" href="{author_path(a)}">{esc(a)}</a>'
                for a in spec.authors
            )
            out.append(
                '<div class="article__author">'
                f'<span class="article__author-label">Par</span> {names}</div>\n'
            )
        if image and spec.image_caption is not None:
            caption = spec.image_caption
            out.append(
                '<div class="article__announce"><div class="media" data-media-tipe="ar16x9">'
                '<div class="article__photo-item">\n'
            )
            if variant.caption_mode == 2:
                out.append(
                    f'<figure class="media__size"><img src="{attr(image)}" alt="" width="1920"'
                    ' height="1080">'
                    f'<figcaption class="media__caption">{esc(caption)}</figcaption></figure>\n'
                )
            else:
                title = f' title="{attr(caption)}"' if variant.caption_mode == 0 else ""
                out.append(
                    f'<div class="media__size"><img media-type="ar16x9" src="{attr(image)}"'
                    f' alt="{attr(caption)}"{title} width="1920" height="1080"></div>\n'
                )
            out.append(
                '<div class="media__copyright">'
                '<div class="media__copyright-item'
                f' m-copyright">{esc(spec.image_credit or "")}</div>'
                '<div class="media__copyright-item m-buy"><a href="https://sputnikmediabank.com/">'
                "Aller à la banque de photos</a></div></div>\n</div></div></div>\n"
            )
        out.append(
            '<div class="article__announce-text">'
            f"{spaced(esc(spec.lead), text.spacing)}</div>\n</div>\n"
            '<div class="article__body js-mediator-article mia-analytics">\n'
        )
        inline = {r.after: r for r in spec.related if r.kind == "inline"}
        for k, paragraph in enumerate(spec.paragraphs):
            out.append(
                '<div class="article__block" data-type="text"><div class="article__text">'
                f"{self._segments(spec, paragraph, text)}</div></div>\n"
            )
            if k in text.extra:
                out.append(
                    '<div class="article__block" data-type="text"><div class="article__text">'
                    f"{text.shown(text.extra[k])}</div></div>\n"
                )
            block = inline.get(k)
            if block is not None:
                out.append(
                    '<div class="article__block" data-type="article"><div class="article__article">'
                    '<span class="article__article-label">Lire aussi</span> '
                    '<a class="article__article-title"'
                    f' href="{attr(self._href(spec, block.path))}">'
                    f"{esc(block.title)}</a></div></div>\n"
                )
            for photo in spec.body_photos:
                if photo.after == k:
                    out.append(self._body_photo(photo))
        out.append("</div>\n")
        end = [r for r in spec.related if r.kind == "lire_aussi"]
        if end:
            links = "".join(
                f'<li><a class="article__related-link" href="{attr(self._href(spec, r.path))}">'
                f"{esc(r.title)}</a></li>"
                for r in end
            )
            out.append(
                '<div class="article__related">'
                f'<div class="article__related-title">{chrome.RELATED_LABEL}</div>'
                f'<ul class="article__related-list">{links}</ul></div>\n'
            )
        if spec.tags:
            tags = "".join(
                f'<li class="tag"><a class="tag__text" href="{tag_path(t)}">{esc(t)}</a></li>'
                for t in spec.tags
            )
            out.append(
                '<div class="article__tags">'
                f'<div class="article__tags-title">{chrome.TAGS_LABEL}</div>'
                f'<ul class="tags">{tags}</ul></div>\n'
            )
        if spec.short_path:
            short = self.canonical_base + spec.short_path
            out.append(
                '<div class="article__short">'
                f'<span class="article__short-label">{chrome.SHORT_URL_LABEL}</span> '
                f'<a class="article__short-url" href="{short}">{short.split("://", 1)[-1]}</a>'
                "</div>\n"
            )
        out.append(
            '<div class="article__footer">'
            '<a class="article__subscribe" href="/docs/subscribe.html">'
            f"{chrome.SUBSCRIBE}</a></div>\n"
        )
        if variant.wrapper:
            out.append("</div>\n")
        out.append("</div></div>\n")
        return "".join(out)

    def _body_photo(self, photo: BodyPhoto) -> str:
        """A photo set in the text, as the current layout's media blocks are."""
        return (
            '<div class="article__block" data-type="media"><div class="media"'
            ' data-media-tipe="ar16x9"><div class="media__size">'
            f'<img alt="" src="{attr(self.base + photo.path)}" width="1280" height="720"></div>'
            f'<div class="media__title">{esc(photo.caption)}</div>'
            '<div class="media__copyright"><div class="media__copyright-item m-copyright">'
            f"{esc(photo.credit)}</div></div></div></div>\n"
        )

    # ---- legacy article pages (the sputniknews platform, as the real pages in
    # tests/fixtures/real show it: 2019 and 2020) --------------------------------------

    def _legacy_head(self, spec: ArticleSpec, canonical: str | None, image: str | None) -> str:
        """schema.org as microdata on <html> (Article in 2019, NewsArticle in 2020), its
        dates as <meta itemprop> in UTC with "Z"; og:type "website"; no JSON-LD."""
        meta = spec.meta
        year = legacy_year(meta)
        kind = "NewsArticle" if year == 2020 else "Article"
        html = f'lang="fr" class="responsive" itemscope itemtype="http://schema.org/{kind}"'
        rubrique_slug = vocab.RUBRIQUES[meta.rubrique][0]
        names = [
            ("analytics:article_id", str(meta.article_id)),
            ("analytics:rubric", rubrique_slug),
        ]
        if spec.authors:
            names.append(("author", signed(spec.authors)))
        if year == 2019 and image:
            # the 2019 page shares a generated card, the 2020 page the photo itself
            og_image = f"{self.base}/sharing_snippet/{meta.article_id}.png?{utc_stamp(meta)}"
        else:
            og_image = image or self.base + LOGO_PATH
        og = [("og:title", meta.title)]
        if canonical:
            og.append(("og:url", canonical))
        og += [("og:type", "website"), ("og:description", spec.lead), ("og:image", og_image)]
        parts = [f'<meta name="{k}" content="{attr(v)}">\n' for k, v in names]
        parts += [f'<meta property="{k}" content="{attr(v)}">\n' for k, v in og]
        parts.append('<meta name="twitter:card" content="summary_large_image">\n')
        if meta.modified:
            modified = utc(meta.modified)
            if year == 2020:
                parts.append(f'<meta http-equiv="last-modified" content="{modified}">\n')
            parts.append(f'<meta name="lastmod" content="{modified}" itemprop="dateModified">\n')
        published = utc(meta.published)
        parts.append(
            f'<meta name="pubdate" content="{published}" itemprop="datePublished">\n'
            f'<meta itemprop="dateCreated" content="{published}">\n'
        )
        return self._head(
            f"{meta.title} - {SITE_NAME}",
            canonical,
            spec.lead,
            html_attrs=html,
            extra="".join(parts),
        )

    def _legacy_chrome(self) -> str:
        """The site's menus above the page header, the radio link among them."""
        links = "".join(
            f'<li class="b-mainnav__item"><a href="/{slug}/">{esc(name)}</a></li>'
            for slug, name in vocab.RUBRIQUES
        )
        return (
            '<div class="b-mainnav" id="mainnav"><div class="l-wrap">'
            f'<ul class="b-mainnav__list">{links}</ul></div></div>\n'
            '<div class="b-header__nav"><div class="l-wrap"><div class="b-header__nav-radio">'
            f'<a href="/radio/">{chrome.RADIO}</a><span class="b-header__nav-radio-play"></span>'
            "</div></div></div>\n"
        )

    def _legacy_headline(self, spec: ArticleSpec, static: bool) -> str:
        prop = "headline" if legacy_year(spec.meta) == 2020 else "name"
        return (
            f'<div class="b-article__header-title {"m-static" if static else ""}">'
            f'<h1 itemprop="{prop}">{esc(spec.meta.title)}</h1></div>'
        )

    def _legacy_header(self, spec: ArticleSpec, image: str) -> str:
        """``div.b-article__header`` in the page header, above ``.b-article``: the photo
        (caption as its alt and title), the headline and the photo's credit
        (``.b-article__header-copy``)."""
        caption = attr(spec.image_caption or "")
        out = [
            '<div class="b-article__header">'
            f'<img src="{attr(image)}" width="1000" height="541" alt="{caption}"'
            f' title="{caption}" class="" itemprop="associatedMedia">'
        ]
        out.append(self._legacy_headline(spec, static=False))
        if spec.image_credit:
            out.append(
                '<div class="b-article__header-copy"><span><span>'
                f"{esc(spec.image_credit)}</span></span></div>"
            )
        out.append("</div>")
        return "".join(out)

    def _legacy_refs(self, spec: ArticleSpec) -> str:
        """Rubric, shown times (GMT, no offset), short URL, authors and counters."""
        meta = spec.meta
        label = legacy_year(meta) == 2020
        rubrique_slug, category = vocab.RUBRIQUES[meta.rubrique]
        when, shown = shown_gmt(meta.published, label)
        out = [
            '<div class="b-article__refs-text ">'
            f'<a class="b-article__refs-rubric" href="/{rubrique_slug}/"'
            f' itemprop="articleSection">{esc(category)}</a>'
            '<div class="b-article__refs-credits"><time class="b-article__refs-date"'
            f' itemprop="dateCreated" datetime="{when}">{shown}</time>'
        ]
        if meta.modified:
            when, shown = shown_gmt(meta.modified, label)
            out.append(
                f'<time itemprop="dateModified" datetime="{when}"'
                f' class="b-article__refs-date-upd">(mis à jour {shown}) </time>'
            )
        if spec.short_path:
            out.append(
                f'<!--noindex--><span data-article="{meta.article_id}" id="getShortUrl"'
                f' data-shorturl="{attr(self.canonical_base + spec.short_path)}"'
                f' class="b-article__refs-getshorturl">{chrome.SHORT_URL_LABEL}</span>'
                "<!--/noindex-->"
            )
        out.append("</div>")
        if spec.authors:
            names = ", ".join(
                f'<a rel="author" href="{author_path(a)}">{esc(a)}</a>' for a in spec.authors
            )
            out.append(f'<div class="b-article__refs-author">par {names}</div>')
        out.append(
            '<div class="b-counters "><span class="b-counters-icon b-counters-icon_views">'
            f"<i></i>{spec.views}</span>"
            f'<a href="{meta.url_path}#comments" class="b-counters-icon'
            ' b-counters-icon_comments"><i></i>0</a></div></div>\n'
            '<div class="article__google-news"><span class="google-news-title">'
            f"{chrome.SUBSCRIBE}</span>"
            '<a class="article__google-link" href="https://news.google.com/publications/'
            'CAAqBwgKML3LhAsw1biBAw" target="_blank" rel="nofollow noopener"'
            ' title="Google News"></a><span class="google-news-title"></span></div>\n'
        )
        return "".join(out)

    def _legacy_microdata(self, spec: ArticleSpec, image: str | None, canonical: str | None) -> str:
        """The 2020 page's ``div.b-article__meta``: photo URL, publisher, authors (signed
        "Name. Sputnik France"), page URL, as schema.org microdata."""
        out = ['<div class="b-article__meta">']
        if image:
            out.append(f'<div itemprop="image">{esc(image)}</div>')
        out.append(
            '<div itemprop="publisher" itemscope="" itemtype="http://schema.org/Organization">'
            f'<div itemprop="name">{SITE_NAME}</div>'
            '<div itemprop="logo" itemscope="" itemtype="https://schema.org/ImageObject">'
            f'<div itemprop="url">{self.base}{LOGO_PATH}</div></div></div>'
        )
        for author in spec.authors:
            out.append(
                '<div itemprop="author" itemscope="" itemtype="http://schema.org/Person">'
                f'<div itemprop="name">{esc(signed((author,)))}</div></div>'
            )
        if canonical:
            out.append(f'<div itemprop="mainEntityOfPage">{esc(canonical)}</div>')
        out.append("</div>\n")
        return "".join(out)

    def _legacy_text(self, spec: ArticleSpec, text: _Text) -> str:
        """Lead, text with its "Lire aussi" blocks and, on opinion pieces, the disclaimer."""
        variant = spec.variant
        out = [
            '<div itemprop="description" class="b-article__lead">'
            f"<p>{spaced(esc(spec.lead), text.spacing)}</p></div>\n"
            '<div itemprop="articleBody" class="b-article__text">\n'
        ]
        inline = {r.after: r for r in spec.related if r.kind == "inline"}
        for k, paragraph in enumerate(spec.paragraphs):
            out.append(f"<p>{self._segments(spec, paragraph, text)}</p>\n")
            if k in text.extra:
                out.append(f"<p>{text.shown(text.extra[k])}</p>\n")
            block = inline.get(k)
            if block is None:
                continue
            href = attr(self._href(spec, block.path))
            if variant.inline_style == 0:
                out.append(
                    '<div class="b-inject m-inject-min">'
                    '<div class="b-inject__title">Lire aussi</div>'
                    f'<a class="b-inject__link" href="{href}">{esc(block.title)}</a></div>\n'
                )
            else:
                out.append(
                    f'<p><strong>Lire aussi:</strong> <a href="{href}">{esc(block.title)}</a></p>\n'
                )
        end = [r for r in spec.related if r.kind == "lire_aussi"]
        links = "".join(
            f'<li><a href="{attr(self._href(spec, r.path))}">{esc(r.title)}</a></li>' for r in end
        )
        if end and variant.end_in_text:
            out.append(f"<p><strong>{chrome.RELATED_LABEL}</strong></p>\n<ul>{links}</ul>\n")
        if has_disclaimer(spec):
            out.append(f'<p class="b-disclaimer">\n            {DISCLAIMER}\n</p>\n')
        out.append("</div>\n")
        if end and not variant.end_in_text:
            out.append(
                '<div class="b-article__related">'
                f'<div class="b-article__related-title">{chrome.RELATED_LABEL}</div>'
                f'<ul class="b-article__related-list">{links}</ul></div>\n'
            )
        return "".join(out)

    def _legacy_social(self, spec: ArticleSpec, canonical: str | None) -> str:
        """Share pane and likes, as under the real pages' text."""
        meta = spec.meta
        mail = quote(meta.title) + "&amp;body=" + quote(canonical or self.base + meta.url_path)
        networks = "".join(
            f'<div class="{n.lower()}" title="{n}">{n}</div>' for n in ("Telegram", "WhatsApp")
        )
        likes = "/services/likes/like/?article_id=" + str(meta.article_id)
        return (
            '<div class="social-likes-pane__holder"></div>'
            '<div class="social-likes-pane m-clear" id="share">'
            '<div class="facebook" title="Facebook"></div>'
            '<div class="twitter" title="Twitter"></div>'
            f'<a class="social-likes-pane__eml" href="mailto:?subject={mail}">'
            '<span class="social-likes__icon"></span></a>'
            '<a class="social-likes-pane__comment" href="#comments">'
            '<span class="social-likes__icon"></span></a>'
            '<div class="social-likes-pane__etc"><div class="social-likes-pane__etc-link">...</div>'
            f'<div class="social-likes-pane__etc-popup">{networks}</div></div></div>\n'
            '<div class="b-article__likes js-likes">'
            f'<a class="b-article__likes-up js-likeUp" href="{likes}&amp;value=1">'
            f"{spec.views // 97}</a>"
            f'<a class="b-article__likes-down js-likeDown" href="{likes}&amp;value=-1">'
            f"{spec.views // 499}</a></div>\n"
        )

    def _legacy_tags(self, spec: ArticleSpec) -> str:
        """``.b-article__refs``: its lists, the tags in one ("Tags:" and links), as in 2020."""
        tags = ""
        if spec.tags:
            links = ", ".join(f'<a href="{tag_path(t)}">{esc(t)}</a>' for t in spec.tags)
            tags = (
                '<div class="b-article__refs-item"><div class="b-article__refs-item-description">'
                f"{chrome.TAGS_LABEL}</div>"
                '<div class="b-article__refs-item-title b-article__refs-tags">'
                f"{links}</div></div>"
            )
        return (
            '<div class="b-article__refs"><div class="b-article__refs-list"></div>'
            f'<div class="b-article__refs-list">{tags}</div></div>\n'
        )

    def _legacy_comments(self, spec: ArticleSpec) -> str:
        """The comments block: tabs, and the comment form with its default avatar (2019: a
        plain <img>, 2020: lazy-loaded, the URL in data-src)."""
        year = legacy_year(spec.meta)
        avatar = self.base + AVATAR_PATH
        if year == 2019:
            opening, closing = '<section class="comments">', "</section>"
            image = f'<img alt="avatar" src="{avatar}" width="50" height="50" class="avatar">'
            tabs = (chrome.VIA_FACEBOOK, chrome.VIA_SPUTNIK)
        else:
            opening, closing = '<div class="comments section">', "</div>"
            image = (
                f'<img alt="avatar" src="{LAZY_AVATAR}" data-src="{avatar}" width="50"'
                ' height="50" class="avatar lazyload">'
            )
            tabs = (chrome.VIA_SPUTNIK, chrome.VIA_FACEBOOK)
        # No whitespace between the labels: the seed page renders them run together.
        return (
            f'{opening}<a name="comments"></a><div class="title">'
            f'<a class="comment_rules" href="/docs/comments.html">{chrome.RULES}</a>'
            f'<span class="comments__title">{chrome.DISCUSSION}</span></div>'
            '<div class="comments__tabs-header">'
            f'<span class="comments__tabs-tab m-active">{tabs[0]}</span>'
            f'<span class="comments__tabs-tab">{tabs[1]}</span></div>\n'
            '<div class="comments__tabs-content m-fb" id="commentsFB">'
            '<div class="fb-comments"></div></div>\n'
            '<div class="comments__tabs-content" id="commentsGeneral"><div class="top-line"><ul>'
            f'<li class="post-message"><div class="postform"><figure>{image}</figure>'
            '<section><form action="/services/comments/add/">'
            f'<input type="hidden" name="article_id" value="{spec.meta.article_id}">'
            '<div class="line"><textarea class="comment" name="comment"></textarea></div>'
            '<div class="submitline"><button class="submitline-botton" type="submit"><i></i>'
            "</button></div></form></section></div></li></ul></div>\n"
            '<div class="comments-list main" itemscope="" itemtype="http://schema.org/UserComments">'
            f'<ul class="main"></ul></div></div>{closing}\n'
        )

    def _legacy_body(
        self, spec: ArticleSpec, image: str | None, text: _Text, canonical: str | None
    ) -> str:
        """The page body: menus; ``div.b-header`` (logo, then the photo, headline and
        credit); ``.l-main`` holding ``.b-article`` (the headline when there is no photo,
        refs, the 2020 microdata, lead, text, share pane, likes, tags, comments) and the
        sidebar."""
        meta = spec.meta
        year = legacy_year(meta)
        out = [
            '<body class="l-body m-article">\n<div class="page_container m-relative">\n',
            self._legacy_chrome(),
            '<div class="l-wrap"><div class="b-header">'
            f'<a class="b-header__logo" href="/" title="{SITE_NAME}"></a>',
        ]
        if image:
            out.append(self._legacy_header(spec, image))
        out.append(
            "</div></div>\n"
            '<div class="l-main m-oh"><div class="l-wrap m-clear">'
            '<div class="l-maincolumn m-static">\n'
        )
        if spec.variant.wrapper:
            out.append('<div class="b-article__wrap">\n')
        out.append('<div class="b-article">\n')
        if not image:
            out.append(self._legacy_headline(spec, static=True) + "\n")
        out.append(self._legacy_refs(spec))
        if year == 2020:
            out.append(self._legacy_microdata(spec, image, canonical))
        out.append(self._legacy_text(spec, text))
        out.append(self._legacy_social(spec, canonical))
        out.append(self._legacy_tags(spec))
        out.append(self._legacy_comments(spec))
        out.append("</div>\n")
        if spec.variant.wrapper:
            out.append("</div>\n")
        out.append(f'</div>\n<div class="l-sidebar">{self._sidebar()}</div>')
        out.append("</div></div>\n</div>\n")
        return "".join(out)

    # ---- listings --------------------------------------------------------------------

    def _list_page(
        self,
        title: str,
        heading: str,
        canonical: str,
        items: list[Meta],
        extra: str = "",
        hrefs: dict[int, str] | None = None,
    ) -> str:
        hrefs = hrefs or {}
        rows = "".join(
            f'<li class="b-list__item"><time datetime="{m.published.isoformat()}">'
            f'{shown_date(m.published)}</time> <a class="b-list__item-title"'
            f' href="{attr(hrefs.get(m.index, m.url_path))}">{esc(m.title)}</a></li>\n'
            for m in items
        )
        head = self._head(title, canonical, f"{heading} - {SITE_NAME}", [("og:type", "website")])
        return (
            head
            + '<body class="l-body m-list">\n'
            + self._nav()
            + '<div class="l-main"><div class="l-content">\n'
            f'<h1 class="b-list__title">{esc(heading)}</h1>\n<ul'
            f' class="b-list">\n{rows}</ul>\n{extra}'
            "</div></div>\n" + self._footer()
        )

    def home(self) -> str:
        items = self._metas(self.site.newest(LATEST_ON_HOME))
        extra = (
            '<p class="b-list__more"><a href="/export/rss2/archive/index.xml">Flux RSS</a></p>\n'
        )
        hrefs = {}
        if self.site.day > 1:  # from day 2 on, the site links its planted duplicates
            hrefs = self._tracking_hrefs(items)
            extra += self._partners_block()
        if self.site.hostile and not self.mobile:
            extra += self._hostile_block()
        return self._list_page(
            f"{SITE_NAME} : actualités et dernières nouvelles",
            "À la une",
            self.base + "/",
            items,
            extra,
            hrefs,
        )

    def _hostile_block(self) -> str:
        rows = "".join(
            f'<li class="b-tests__item" data-kind="{route.kind}">'
            f'<a href="{attr(route.path)}">{esc(route.label)}</a></li>\n'
            for route in hostile.ROUTES
        )
        return (
            '<div class="b-tests"><div class="b-tests__title">Pages de test</div>\n'
            f'<ul class="b-tests__list">\n{rows}</ul></div>\n'
        )

    def hostile_article(self, kind: str) -> str:
        """The article page of hostile route ``kind``."""
        return self.article_page(self.site.hostile_spec(kind, self.port))

    def calendar(self, year: int, month: int) -> str:
        """A calendar trap page: links to the previous and next months, to no article."""
        links = []
        if (year, month) > (1, 1):
            previous = hostile.calendar_path(*((year, month - 1) if month > 1 else (year - 1, 12)))
            links.append(
                f'<a class="b-pagination__prev" rel="prev" href="{previous}">Mois précédent</a>'
            )
        following = hostile.calendar_path(*((year, month + 1) if month < 12 else (year + 1, 1)))
        links.append(
            f'<a class="b-pagination__next" rel="next" href="{following}">Mois suivant</a>'
        )
        extra = f'<div class="b-pagination">{" ".join(links)}</div>\n'
        heading = f"Archives de {MONTHS[month - 1]} {year}"
        canonical = self.base + hostile.calendar_path(year, month)
        return self._list_page(f"{heading} - {SITE_NAME}", heading, canonical, [], extra)

    def trap(self, page: int) -> str:
        """Page ``page`` of the pagination trap: a next page always, no article."""
        path = hostile.TRAP_PATH
        links = []
        if page > 1:
            previous = path + (f"?page={page - 1}" if page > 2 else "")
            links.append(
                f'<a class="b-pagination__prev" rel="prev" href="{previous}">Précédent</a>'
            )
        links.append(
            f'<a class="b-pagination__next" rel="next" href="{path}?page={page + 1}">Plus'
            " d'articles</a>"
        )
        extra = f'<div class="b-pagination">{" ".join(links)}</div>\n'
        canonical = self.base + path + (f"?page={page}" if page > 1 else "")
        title = f"Archives - {SITE_NAME}" + (f" - page {page}" if page > 1 else "")
        return self._list_page(title, "Archives", canonical, [], extra)

    def _tracking_hrefs(self, items: list[Meta]) -> dict[int, str]:
        site = self.site
        return {
            m.index: site.duplicate_url(m.index)
            for m in items
            if site.duplicate_kind(m.index) == "tracking"
        }

    def duplicate_href(self, index: int) -> str:
        """Absolute URL of the planted duplicate of ``index``."""
        base = self.mobile_base if self.site.duplicate_kind(index) == "mobile" else self.base
        return base + self.site.duplicate_url(index)

    def _partner_rows(self, positions: Iterable[int]) -> str:
        rows = []
        for position in positions:
            index = self.site.duplicate_page(position)
            if index is None:
                continue
            kind = self.site.duplicate_kind(index)
            title = self.site.meta(index).title
            if kind == "syndicated":
                title = self.site.syndicated_spec(index).meta.title
            rows.append(
                f'<li class="b-partners__item" data-kind="{kind}">'
                f'<a href="{attr(self.duplicate_href(index))}">{esc(title)}</a></li>\n'
            )
        return "".join(rows)

    def _partners_block(self) -> str:
        count = self.site.duplicate_count()
        if not count:
            return ""
        first = (self.site.day - 2) * PARTNERS_ON_HOME
        positions = [(first + k) % count for k in range(min(PARTNERS_ON_HOME, count))]
        return (
            '<div class="b-partners"><div class="b-partners__title">Nos contenus ailleurs</div>\n'
            f'<ul class="b-partners__list">\n{self._partner_rows(positions)}</ul>\n'
            f'<p class="b-partners__more"><a href="{PARTNERS_PATH}">Tous nos contenus'
            " partenaires</a></p></div>\n"
        )

    def partners(self, page: int) -> str:
        """Page ``page`` (1-based) of the list of every planted duplicate's URL."""
        count = self.site.duplicate_count()
        first = (page - 1) * PAGE_SIZE
        rows = self._partner_rows(range(first, min(count, first + PAGE_SIZE)))
        links = []
        if page > 1:
            previous = PARTNERS_PATH + (f"?page={page - 1}" if page > 2 else "")
            links.append(
                f'<a class="b-pagination__prev" rel="prev" href="{previous}">Précédent</a>'
            )
        if first + PAGE_SIZE < count:
            links.append(
                f'<a class="b-pagination__next" rel="next" href="{PARTNERS_PATH}?page={page + 1}">'
                "Plus de contenus</a>"
            )
        extra = (
            f'<ul class="b-partners__list">\n{rows}</ul>\n'
            f'<div class="b-pagination">{" ".join(links)}</div>\n'
        )
        canonical = self.base + PARTNERS_PATH + (f"?page={page}" if page > 1 else "")
        heading = "Contenus partenaires"
        return self._list_page(f"{heading} - {SITE_NAME}", heading, canonical, [], extra)

    def partner_pages(self) -> int:
        return max(1, -(-self.site.duplicate_count() // PAGE_SIZE))

    def rubrique(self, rubrique: int, page: int) -> str:
        slug, name = vocab.RUBRIQUES[rubrique]
        indices, has_next = self.site.rubrique_page(rubrique, page)
        canonical = f"{self.base}/{slug}/" + (f"?page={page}" if page > 1 else "")
        links = []
        if page > 1:
            previous = f"/{slug}/" + (f"?page={page - 1}" if page > 2 else "")
            links.append(
                f'<a class="b-pagination__prev" rel="prev" href="{previous}">Précédent</a>'
            )
        if has_next:
            links.append(
                f'<a class="b-pagination__next" rel="next" href="/{slug}/?page={page + 1}">Plus'
                " d'articles</a>"
            )
        extra = f'<div class="b-pagination">{" ".join(links)}</div>\n'
        title = f"{name} - {SITE_NAME}" + (f" - page {page}" if page > 1 else "")
        return self._list_page(title, name, canonical, self._metas(indices), extra)

    def day(self, days_back: int) -> str:
        day = self.site.day_date(days_back)
        items = self._metas(self.site.day_articles(days_back))
        heading = f"Archives du {day:%d.%m.%Y}"
        return self._list_page(
            f"{heading} - {SITE_NAME}", heading, f"{self.base}/{day:%Y%m%d}/", items
        )

    def stub(self, heading: str, path: str) -> str:
        """Tag, author and search pages: real pages without article lists."""
        return self._list_page(f"{heading} - {SITE_NAME}", heading, self.base + path, [])

    def gone(self, status: int) -> str:
        """The page of an unpublished article: 410 (removed) or 451 (legal reasons)."""
        heading, text = {
            410: ("Article supprimé", "Cet article a été supprimé et n'est plus disponible."),
            451: (
                "Contenu indisponible",
                "Cet article n'est pas disponible dans votre pays pour des raisons juridiques.",
            ),
        }[status]
        head = self._head(
            f"{heading} - {SITE_NAME}", self.base + "/", heading, [("robots", "noindex")]
        )
        return (
            head
            + f'<body class="l-body m-{status}">\n'
            + self._nav()
            + f'<div class="l-main"><div class="b-{status}">'
            f"<h1>{heading}</h1><p>{text}</p>"
            '<p><a href="/">Retour à la page d\'accueil</a></p></div></div>\n' + self._footer()
        )

    def amp(self, index: int) -> str:
        """The AMP copy of article ``index``: simpler markup, no scripts, same text."""
        spec = self.site.spec(index)
        meta = spec.meta
        slug, category = vocab.RUBRIQUES[meta.rubrique]
        out = [
            '<!doctype html>\n<html amp lang="fr">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{esc(meta.title)} - {SITE_NAME}</title>\n"
            f'<link rel="canonical" href="{attr(self.canonical_base + meta.url_path)}">\n'
            '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
            "<style amp-boilerplate>body{visibility:visible}</style>\n"
            "<style amp-custom>body{font-family:sans-serif}.amp-article{margin:0 1em}</style>\n"
            '</head>\n<body class="amp">\n'
            f'<header class="amp-header"><a href="{self.base}/">{SITE_NAME}</a></header>\n'
            '<article class="amp-article">\n'
            f'<div class="amp-article__rubric"><a href="/{slug}/">{esc(category)}</a></div>\n'
            f'<h1 class="amp-article__title">{esc(meta.title)}</h1>\n'
            f'<div class="amp-article__date"><time datetime="{meta.published.isoformat()}">'
            f"{shown_date(meta.published)}</time>"
        ]
        if meta.modified:
            out.append(
                f' <time class="amp-article__modified" datetime="{meta.modified.isoformat()}">'
                f"mis à jour {shown_date(meta.modified)}</time>"
            )
        out.append("</div>\n")
        if spec.image_url and spec.image_caption is not None:
            out.append(
                '<figure class="amp-article__image">'
                f'<amp-img src="{attr(self.base + spec.image_url)}"'
                f' alt="{attr(spec.image_caption)}" width="1000" height="541" layout="responsive">'
                f"</amp-img><figcaption>{esc(spec.image_caption)}</figcaption></figure>\n"
                f'<p class="amp-article__credit">{esc(spec.image_credit or "")}</p>\n'
            )
        if spec.authors:
            out.append(f'<p class="amp-article__author">Par {esc(", ".join(spec.authors))}</p>\n')
        out.append(f'<p class="amp-article__lead"><strong>{esc(spec.lead)}</strong></p>\n')
        out.append('<div class="amp-article__body">\n')
        for paragraph in spec.paragraphs:
            out.append(f"<p>{esc(''.join(s.text for s in paragraph))}</p>\n")
        out.append("</div>\n")
        if spec.related:
            links = "".join(
                f'<li><a href="{attr(self.base + r.path)}">{esc(r.title)}</a></li>'
                for r in spec.related
            )
            out.append(
                f'<div class="amp-article__related">{chrome.RELATED_LABEL}<ul>{links}</ul></div>\n'
            )
        if spec.tags:
            tags = ", ".join(f'<a href="{tag_path(t)}">{esc(t)}</a>' for t in spec.tags)
            out.append(f'<div class="amp-article__tags">{chrome.TAGS_LABEL} {tags}</div>\n')
        out.append(
            "</article>\n"
            f'<footer class="amp-footer">© {END_DATE.year} Sputnik.'
            " Tous droits réservés.</footer>\n"
            "</body>\n</html>\n"
        )
        return "".join(out)

    def not_found(self) -> str:
        head = self._head(
            f"Page introuvable - {SITE_NAME}",
            self.base + "/",
            "Page introuvable",
            [("robots", "noindex")],
        )
        return (
            head
            + '<body class="l-body m-404">\n'
            + self._nav()
            + '<div class="l-main"><div class="b-404">'
            "<h1>Page introuvable</h1><p>La page demandée n'existe pas ou a été supprimée.</p>"
            '<p><a href="/">Retour à la page d\'accueil</a></p></div></div>\n' + self._footer()
        )

    # ---- machine-readable ------------------------------------------------------------

    def rss(self) -> str:
        items = []
        newest = self.site.newest(LATEST_IN_RSS)
        for index in newest:
            spec = self.site.spec(index)
            meta = spec.meta
            link = guid = xml(self.base + meta.url_path)
            if self.site.day > 1 and self.site.duplicate_kind(index) == "tracking":
                link = xml(self.base + self.site.duplicate_url(index))
            enclosure = ""
            if spec.image_url:
                image = xml(self.base + spec.image_url)
                enclosure = f'<enclosure url="{image}" type="image/jpeg" length="0"/>'
            items.append(
                f"<item><title>{xml(meta.title)}</title><link>{link}</link>"
                f'<guid isPermaLink="true">{guid}</guid>'
                f"<pubDate>{format_datetime(meta.published)}</pubDate>"
                f"<category>{xml(vocab.RUBRIQUES[meta.rubrique][1])}</category>"
                f"<description>{xml(spec.lead)}</description>{enclosure}</item>\n"
            )
        latest = self.site.meta(newest[0]).published
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
            f"<title>{SITE_NAME}</title><link>{self.base}/</link>"
            "<description>Sputnik France : actualités et dernières nouvelles</description>"
            f"<language>fr</language><lastBuildDate>{format_datetime(latest)}</lastBuildDate>\n"
            + "".join(items)
            + "</channel>\n</rss>\n"
        )


def known_stub_names() -> tuple[dict[str, str], dict[str, str]]:
    """Path -> display name of every tag page and author page an article can link to."""
    tags: dict[str, str] = {}
    names = list(vocab.COUNTRIES)
    for people in vocab.PERSONS.values():
        names += [p for p, _ in people]
    for pools in vocab.BY_RUBRIQUE.values():
        names += list(pools["tag"])
    for name in names:
        tags[tag_path(typo(name))] = typo(name)
    for name in load_seed().tags:
        tags[tag_path(name)] = name
    authors = {author_path(a): a for a in vocab.AUTHORS}
    return tags, authors
