"""HTML pages of La Gazette du Val, laid out after real French news pages.

Where each habit comes from (tests/fixtures/corpus/pages/):

- JSON-LD ``NewsArticle`` (headline, description, datePublished/dateModified with the Paris
  offset, author Person list, publisher Organization with its logo ImageObject, image
  ImageObject, articleSection, keywords, mainEntityOfPage) in three shapes: one object and a
  separate BreadcrumbList (Le Monde 2023), a list of Organization, WebSite, WebPage and
  NewsArticle (Le Figaro 2024), a ``@graph`` (Euronews 2024).
- OpenGraph and ``article:*`` metas: ``og:type`` article, ``og:url``, ``og:image``;
  ``article:published_time`` in UTC with ``+00:00`` (Le Monde's ``og:article:published_time``),
  ``article:modified_time``, ``article:section``, one ``article:tag`` meta per tag.
- Header: breadcrumb, ``h1.article__title``, standfirst ``p.article__desc``, byline
  ``span.meta__author`` "Par" + ``a.article__author-link``, ``span.meta__date`` "Publié le ...,
  modifié le ...", share buttons (Le Monde). On a third of the pages the standfirst comes after
  the photo as ``p.fig-standfirst`` (Le Figaro).
- ``figure.article__media`` with ``img`` (alt = caption), ``figcaption.article__legend`` and
  ``span.article__credit`` (Le Monde); body ``p.article__paragraph`` with quotes in ``<em>``,
  an empty ad slot between paragraphs (Le Monde's ``dfp-slot``), links in the text to topic
  pages (Le Figaro's ``/tag/...``).
- Inline "Lire aussi" boxes between paragraphs, five markups: ``section.catcher`` with
  ``span.catcher__title`` and a premium icon's screen-reader text (Le Monde 2023);
  ``p.fig-body-link`` with ``span.fig-body-link__prefix`` (Le Figaro); a body-classed
  ``p.article__paragraph`` holding ``<span>marker</span> <a>`` (Le Monde's
  ``<p class="lire">Lire aussi : <a>``, 2015); ``div.encadre.encadre-lire-aussi`` with an
  ``h3`` marker (Les Échos); ``div.widget--type-related`` with no marker at all (Euronews).
  The end-of-article box is Les Échos' ``encadre`` with several links.
- The paywall notice ``<p><strong>Il vous reste 57.09% de cet article à lire. La suite est
  réservée aux abonnés.</strong></p>`` as the last child of ``<article>`` (Le Monde).
- After the article: tags, a newsletter box, and a "Sur le même sujet" module of teaser cards
  (``section.teaser`` > ``a.teaser__link`` > figure + ``h3.teaser__title``, after Le Monde's
  teasers), then the site footer.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from html import escape
from typing import Any

from ..pages import MONTHS as _MONTHS
from ..text import slugify
from . import words
from .site import PARIS, Gazette, Link, Meta, Paragraph, iso

LATEST_ON_HOME = 30
_CHROME = {
    "/abonnement/": "S’abonner",
    "/services/newsletters/": "Newsletters",
    "/mentions-legales/": "Mentions légales",
    "/contact/": "Nous contacter",
}


def e(text: str) -> str:
    return escape(text, quote=True)


def french_date(moment: datetime) -> str:
    """``30 septembre 2024 à 14h52`` in Paris time."""
    local = moment.astimezone(PARIS)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} à {local:%Hh%M}"


def json_ld(data: Any, ascii_only: bool) -> str:
    text = json.dumps(data, ensure_ascii=ascii_only, indent=None if ascii_only else 4)
    return text.replace("</", "<\\/")


class Renderer:
    """Renders the Gazette's pages for ``site`` served at ``base`` (``http://host:port``)."""

    def __init__(self, site: Gazette, base: str) -> None:
        self.site = site
        self.base = base

    # ---- chrome ------------------------------------------------------------------------

    def _head(self, title: str, canonical: str, extra: str = "") -> str:
        return (
            "<!DOCTYPE html>\n"
            '<html lang="fr" prefix="og: http://ogp.me/ns#">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)}</title>\n"
            f'<link rel="canonical" href="{e(canonical)}">\n'
            '<link rel="alternate" type="application/rss+xml" title="À la une"'
            f' href="{self.base}/rss/une.xml">\n'
            f'<meta property="og:site_name" content="{e(words.SITE_NAME)}">\n'
            '<meta property="og:locale" content="fr_FR">\n'
            f"{extra}</head>\n"
        )

    def _header(self) -> str:
        nav = "".join(
            f'<li class="nav__item"><a class="nav__link" href="/{slug}/">{e(name)}</a></li>'
            for slug, name in words.RUBRIQUES
        )
        return (
            '<body>\n<header class="site-header" role="banner">\n'
            f'<a class="site-header__logo" href="/"><img src="{words.PUBLISHER_LOGO}"'
            f' alt="{e(words.SITE_NAME)}"></a>\n'
            f'<nav class="site-nav" aria-label="Rubriques"><ul class="nav">{nav}</ul></nav>\n'
            '<a class="site-header__subscribe button" href="/abonnement/">S’abonner</a>\n'
            '<a class="site-header__login" href="/compte/connexion">Se connecter</a>\n'
            "</header>\n"
        )

    def _footer(self) -> str:
        links = "".join(
            f'<li><a href="{path}">{e(name)}</a></li>' for path, name in _CHROME.items()
        )
        return (
            '<footer class="site-footer" role="contentinfo">\n'
            f'<ul class="site-footer__links">{links}'
            '<li><a href="/rss/une.xml">Flux RSS</a></li></ul>\n'
            f'<p class="site-footer__copyright">© {e(words.SITE_NAME)} 2024. Tous droits'
            " réservés. Reproduction interdite sans autorisation.</p>\n"
            "</footer>\n</body>\n</html>\n"
        )

    def _href(self, link: Link, absolute: bool) -> str:
        if link.site != "gazette" or not absolute:
            return link.url
        return self.base + link.url

    # ---- the article -----------------------------------------------------------------

    def article(self, index: int) -> str:
        spec = self.site.spec(index)
        meta = spec.meta
        url = self.base + meta.url_path
        rubrique_slug, rubrique = words.RUBRIQUES[meta.rubrique]
        image = self.base + spec.image_path if spec.image_path else None
        metas = [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{e(meta.title)}">',
            f'<meta property="og:description" content="{e(meta.lead)}">',
            f'<meta property="og:url" content="{e(url)}">',
            f'<meta name="description" content="{e(meta.lead)}">',
            f'<meta property="article:published_time" content="{_utc(meta.published)}">',
            f'<meta property="article:section" content="{e(rubrique)}">',
        ]
        if meta.modified:
            metas.append(f'<meta property="article:modified_time" content="{iso(meta.modified)}">')
        if image:
            metas.append(f'<meta property="og:image" content="{e(image)}">')
            metas.append(f'<meta property="og:image:alt" content="{e(spec.image_caption or "")}">')
        metas += [f'<meta property="article:tag" content="{e(tag)}">' for tag in spec.tags]
        tier = "locked" if spec.paywall_pct else "free"
        metas.append(f'<meta property="article:content_tier" content="{tier}">')
        scripts = "".join(
            f'<script type="application/ld+json">\n{json_ld(block, spec.jsonld_style != 1)}\n'
            "</script>\n"
            for block in self._json_ld(index, url, image)
        )
        head = self._head(
            f"{meta.title} – {words.SITE_NAME}", url, "\n".join(metas) + "\n" + scripts
        )
        standfirst = f'<p class="article__desc">{e(meta.lead)}</p>\n'
        authors = " et ".join(
            f'<a class="article__author-link" href="/auteurs/{slugify(name, 9, True)}/">'
            f"{e(name)}</a>"
            for name in spec.authors
        )
        dates = f"Publié le {french_date(meta.published)}"
        if meta.modified:
            dates += f", modifié le {french_date(meta.modified)}"
        header = (
            '<header class="article__header">\n'
            '<ul class="breadcrumb"><li class="breadcrumb__parent"><a href="/">Accueil</a></li>'
            f'<li class="breadcrumb__child"><a href="/{rubrique_slug}/">{e(rubrique)}</a>'
            "</li></ul>\n"
            f'<div class="article__heading">\n<h1 class="article__title">{e(meta.title)}</h1>\n'
            + (standfirst if spec.standfirst_in_header else "")
            + "</div>\n"
            f'<p class="meta meta__publisher"><span class="meta__author">Par {authors}</span></p>\n'
            f'<section class="meta__date-reading"><span class="meta__date">'
            f'<time datetime="{iso(meta.published)}">{e(dates)}</time></span>'
            f'<p class="meta__reading-time">Temps de lecture {2 + len(spec.paragraphs)} min.</p>'
            "</section>\n"
            '<ul class="meta meta__social">'
            f'<li><button class="js-social meta__link" data-url="{e(url)}">Partager sur'
            " Facebook</button></li>"
            f'<li><button class="js-social meta__link" data-url="{e(url)}">Envoyer par'
            " e-mail</button></li>"
            '<li><button class="js-social meta__link">Copier le lien</button></li></ul>\n'
            "</header>\n"
        )
        parts = ['<main class="main" id="main">\n<section class="article article--single">\n']
        parts.append(header)
        parts.append('<article class="article__content">\n')
        if spec.image_path:
            parts.append(
                '<figure class="article__media">'
                f'<img src="{e(spec.image_path)}" alt="{e(spec.image_caption or "")}"'
                ' width="664" height="443" loading="eager">'
                f'<figcaption class="article__legend">{e(spec.image_caption or "")} '
                f'<span class="article__credit">{e(spec.image_credit or "")}</span>'
                "</figcaption></figure>\n"
            )
        if not spec.standfirst_in_header:
            parts.append(f'<p class="fig-standfirst">{e(meta.lead)}</p>\n')
        inline = [link for link in spec.related if link.kind == "inline"]
        absolute = spec.absolute_links
        for k, paragraph in enumerate(spec.paragraphs):
            parts.append(f'<p class="article__paragraph">{self._runs(paragraph)}</p>\n')
            if k == 1:
                parts.append(
                    f'<div id="inread-{index}" class="dfp-slot dfp__inread"'
                    ' data-format="inread" aria-hidden="true"></div>\n'
                )
            for link in inline:
                if link.after == k:
                    parts.append(self._inline_box(link, absolute) + "\n")
        end = [link for link in spec.related if link.kind == "lire_aussi"]
        if end:
            items = "".join(
                f'<p><a href="{e(self._href(link, absolute))}">{e(link.title)}</a></p>'
                for link in end
            )
            parts.append(
                f'<div class="encadre encadre-lire-aussi"><h3>Lire aussi\u00a0:</h3>{items}</div>\n'
            )
        if spec.paywall_notice:
            parts.append(f"<p><strong>{e(spec.paywall_notice)}</strong></p>\n")
        parts.append("</article>\n")
        tags = "".join(
            f'<li class="tags__item"><a href="/sujet/{slugify(tag, 9, True)}/">{e(tag)}</a></li>'
            for tag in spec.tags
        )
        parts.append(
            f'<div class="article__tags"><span class="article__tags-title">Sujets</span>'
            f'<ul class="tags">{tags}</ul></div>\n'
        )
        parts.append("</section>\n")
        parts.append(
            '<aside class="newsletter-box">'
            '<p class="newsletter-box__title">La newsletter du matin</p>'
            "<p>Recevez chaque matin l’essentiel de l’actualité du Val.</p>"
            '<form action="/services/newsletters/" method="get">'
            '<input type="email" name="email" placeholder="Votre adresse e-mail">'
            "<button>S’inscrire</button></form></aside>\n"
        )
        module = [link for link in spec.related if link.kind == "module"]
        cards = "".join(self._card(link, absolute) for link in module)
        parts.append(
            '<section class="related-module" aria-labelledby="meme-sujet">'
            '<h2 class="related-module__title" id="meme-sujet">Sur le même sujet</h2>'
            f'<div class="related-module__cards">{cards}</div></section>\n'
        )
        parts.append("</main>\n")
        return head + self._header() + "".join(parts) + self._footer()

    def _runs(self, paragraph: Paragraph) -> str:
        out = []
        for text, tag, href in paragraph:
            if tag == "em":
                out.append(f"<em>{e(text)}</em>")
            elif tag == "a":
                out.append(f'<a href="{e(href)}">{e(text)}</a>')
            else:
                out.append(e(text))
        return "".join(out)

    def _inline_box(self, link: Link, absolute: bool) -> str:
        href, title, marker = e(self._href(link, absolute)), e(link.title), e(link.marker or "")
        if link.style == "catcher":
            return (
                '<section class="catcher catcher--favoris"><div class="catcher__content">'
                f'<span class="catcher__title catcher__title--hide">{marker}</span>'
                '<span class="catcher__desc"><span class="icon__premium"><span class="sr-only">'
                "Article réservé à nos abonnés</span></span> "
                f'<a href="{href}" class="js-article-read-also catcher--favoris__link">{title}</a>'
                "</span></div></section>"
            )
        if link.style == "body_link":
            return (
                f'<p class="fig-body-link"><span class="fig-body-link__prefix">{marker}</span> '
                f'<a class="fig-body-link__link" href="{href}">'
                f'<span class="fig-body-link__link-title">{title}</span></a></p>'
            )
        if link.style == "paragraph":
            return (
                f'<p class="article__paragraph"><span>{marker}</span> '
                f'<a href="{href}">{title}</a></p>'
            )
        if link.style == "encadre":
            return (
                f'<div class="encadre encadre-lire-aussi"><h3>{marker}</h3>'
                f'<p><a href="{href}">{title}</a></p></div>'
            )
        return (
            '<div class="widget widget--type-related widget--size-fullwidth">'
            '<div class="widget__wrapper"><div class="widget__contents">'
            '<ul class="widget__related_list"><li class="widget__related_listItem">'
            f'<a href="{href}">{title}</a></li></ul></div></div></div>'
        )

    def _card(self, link: Link, absolute: bool) -> str:
        target = self.site.index_for_path(link.url)
        section = ""
        if target is not None:
            section = words.RUBRIQUES[self.site.meta(target).rubrique][1]
        return (
            '<section class="teaser">'
            f'<a class="teaser__link" href="{e(self._href(link, absolute))}">'
            '<figure class="teaser__media"><img src="/static/img/placeholder.jpg" alt=""></figure>'
            f'<h3 class="teaser__title">{e(link.title)}</h3></a>'
            f'<span class="teaser__section">{e(section)}</span></section>'
        )

    def _json_ld(self, index: int, url: str, image: str | None) -> list[Any]:
        spec = self.site.spec(index)
        meta = spec.meta
        rubrique_slug, rubrique = words.RUBRIQUES[meta.rubrique]
        publisher = {
            "@type": "Organization",
            "name": words.SITE_NAME,
            "url": self.base + "/",
            "logo": {"@type": "ImageObject", "url": self.base + words.PUBLISHER_LOGO},
        }
        article: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": meta.title,
            "description": meta.lead,
            "datePublished": iso(meta.published),
            "author": [{"@type": "Person", "name": name} for name in spec.authors],
            "publisher": publisher,
            "articleSection": rubrique,
            "keywords": ", ".join(spec.tags) if spec.jsonld_style == 0 else list(spec.tags),
            "inLanguage": "fr-FR",
            "isAccessibleForFree": spec.paywall_pct is None,
        }
        if meta.modified:  # only once edited: a parser then has no date to second-guess
            article["dateModified"] = iso(meta.modified)
        if image:
            article["image"] = {
                "@type": "ImageObject",
                "url": image,
                "width": 1200,
                "height": 630,
                "caption": spec.image_caption,
            }
        crumbs = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Accueil", "item": self.base + "/"},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": rubrique,
                    "item": f"{self.base}/{rubrique_slug}/",
                },
            ],
        }
        if spec.jsonld_style == 0:  # Le Monde: the article, then its breadcrumbs
            return [article, crumbs]
        if spec.jsonld_style == 1:  # Le Figaro: one list of everything
            site = {"@context": "https://schema.org", "@type": "WebSite", "name": words.SITE_NAME}
            page = {"@context": "https://schema.org", "@type": "WebPage", "name": meta.title}
            return [[{"@context": "https://schema.org", **publisher}, site, page, article]]
        graph = [{k: v for k, v in block.items() if k != "@context"} for block in (article, crumbs)]
        return [{"@context": "https://schema.org/", "@graph": graph}]  # Euronews

    # ---- listings ----------------------------------------------------------------------

    def _teaser(self, meta: Meta) -> str:
        return (
            '<section class="teaser teaser--river">'
            f'<a class="teaser__link" href="{e(meta.url_path)}">'
            f'<h3 class="teaser__title">{e(meta.title)}</h3></a>'
            f'<p class="teaser__desc">{e(meta.lead)}</p>'
            f'<time datetime="{iso(meta.published)}">{e(french_date(meta.published))}</time>'
            "</section>\n"
        )

    def _listing(self, title: str, path: str, teasers: list[int], more: str = "") -> str:
        body = "".join(self._teaser(self.site.meta(i)) for i in teasers)
        return (
            self._head(f"{title} – {words.SITE_NAME}", self.base + path)
            + self._header()
            + f'<main class="main" id="main">\n<h1 class="page__title">{e(title)}</h1>\n'
            f'<div class="river">\n{body}</div>\n{more}</main>\n' + self._footer()
        )

    def home(self) -> str:
        return self._listing("À la une", "/", self.site.newest(LATEST_ON_HOME))

    def rubrique(self, rubrique: int, page: int) -> str:
        slug, name = words.RUBRIQUES[rubrique]
        items, has_next = self.site.rubrique_page(rubrique, page)
        links = []
        if page > 1:
            previous = f"/{slug}/" if page == 2 else f"/{slug}/?page={page - 1}"
            links.append(
                f'<a class="pagination__prev" rel="prev" href="{previous}">Page précédente</a>'
            )
        if has_next:
            links.append(
                f'<a class="pagination__next" rel="next" href="/{slug}/?page={page + 1}">'
                "Page suivante</a>"
            )
        more = f'<nav class="pagination">{"".join(links)}</nav>\n'
        path = f"/{slug}/" + (f"?page={page}" if page > 1 else "")
        return self._listing(name, path, items, more)

    def stub(self, title: str, path: str) -> str:
        return (
            self._head(f"{title} – {words.SITE_NAME}", self.base + path)
            + self._header()
            + f'<main class="main"><h1 class="page__title">{e(title)}</h1></main>\n'
            + self._footer()
        )

    def not_found(self) -> str:
        return self.stub("Page introuvable", "/404")


def chrome_pages() -> dict[str, str]:
    """Paths of the static pages the chrome links to, with their titles."""
    return {**_CHROME, "/compte/connexion": "Se connecter"}


def _utc(moment: datetime) -> str:
    """``2024-09-16T05:42:00+00:00``: Le Monde's og:article:published_time is in UTC."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
