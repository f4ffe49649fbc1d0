"""The related-block finder, one rule per test, on small hand-built pages."""

from __future__ import annotations

import json

import pytest

from extraction.items import LINK_END, LINK_INLINE, LINK_MODULE
from extraction.pages.base import ArticlePage
from extraction.pages.related import (
    BLOCK_CLASSES,
    RelatedBlock,
    is_read_also,
    normalize,
    related_blocks,
    related_links,
)

URL = "https://news.example.fr/politique/2024/article-principal"
TEXT = "Le gouvernement a présenté mardi un projet de loi qui a suscité de vives réactions. " * 2


def page(body: str, head: str = "") -> ArticlePage:
    return ArticlePage(URL, f"<html><head>{head}</head><body>{body}</body></html>")


def article(*middle: str, after: str = "") -> str:
    """An article body: a paragraph, ``middle``, another paragraph, then ``after``."""
    return f"<article><p>{TEXT}</p>{''.join(middle)}<p>{TEXT}</p>{after}</article>"


def found(
    body: str,
    markers: tuple[str, ...] = (),
    selectors: tuple[str, ...] = (),
    embedded_json: bool = True,
) -> list[RelatedBlock]:
    return related_blocks(page(body), markers, selectors, embedded_json=embedded_json)


def urls(blocks: list[RelatedBlock]) -> list[str]:
    return [link.url for block in blocks for link in block.links]


BOX = (
    '<div class="box"><h3>{marker}</h3><p><a href="/a/autre-article">Un autre article</a></p></div>'
)


# --- markers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marker",
    [
        "Lire aussi",
        "Lire aussi :",
        "À lire aussi",
        "A lire aussi",
        "a lire aussi:",
        "À LIRE AUSSI",
        "LIRE AUSSI",
        "Lire également",
        "Lire egalement :",
        "À lire également",
        "» Lire aussi",
        "LIRE AUSSI SUR REGARDS.FR >>",
        "À\u00a0lire\u00a0aussi\u00a0:",
    ],
)
def test_read_also_markers(marker: str) -> None:
    blocks = found(article(BOX.format(marker=marker)))
    assert urls(blocks) == ["https://news.example.fr/a/autre-article"]
    assert blocks[0].marker is not None and is_read_also(blocks[0].marker)
    assert blocks[0].links[0].title == "Un autre article"


@pytest.mark.parametrize(
    "marker",
    [
        "Voir aussi",
        "À voir aussi",
        "Sur le même sujet",
        "Sur le meme theme",
        "Dans la même rubrique",
        "À découvrir",
        "Pour aller plus loin",
        "Articles liés",
        "ARTICLES EN RELATION",
    ],
)
def test_other_markers_are_found_but_not_read_also(marker: str) -> None:
    blocks = found(article(BOX.format(marker=marker)))
    assert urls(blocks) == ["https://news.example.fr/a/autre-article"]
    assert blocks[0].marker == marker
    assert not is_read_also(blocks[0].marker)


def test_marker_as_prefix_of_the_paragraph_holding_the_link() -> None:
    blocks = found(article('<p>À lire aussi : <a href="/a/x">Le titre</a></p>'))
    assert [(b.element.tag, b.marker, b.kind) for b in blocks if b.element is not None] == [
        ("p", "À lire aussi :", LINK_INLINE)
    ]
    assert blocks[0].links[0].title == "Le titre"


def test_marker_in_bold_before_the_link() -> None:
    blocks = found(article('<p><strong>Lire aussi</strong> : <a href="/a/x">Le titre</a></p>'))
    assert urls(blocks) == ["https://news.example.fr/a/x"]
    assert blocks[0].element is not None and blocks[0].element.tag == "p"


@pytest.mark.parametrize(
    "box",
    [
        '<p><strong>À lire</strong> aussi : <a href="/a/x">Le titre</a></p>',
        '<div><h3><span>Lire</span> <em>également</em></h3><a href="/a/x">Le titre</a></div>',
    ],
)
def test_marker_split_across_elements(box: str) -> None:
    blocks = found(article(box))
    assert urls(blocks) == ["https://news.example.fr/a/x"]
    assert blocks[0].marker is not None and is_read_also(blocks[0].marker)


@pytest.mark.parametrize(
    "box",
    [
        '<p><a href="/a/x">LIRE AUSSI - Le titre</a></p>',
        '<p><a href="/a/x">» À lire aussi : Le titre</a></p>',
        '<p><a href="/a/x"><span>Lire aussi :</span> Le titre</a></p>',
    ],
)
def test_marker_run_into_the_links_text(box: str) -> None:
    blocks = found(article(box))
    assert [(link.url, link.title) for b in blocks for link in b.links] == [
        ("https://news.example.fr/a/x", "Le titre")
    ]
    assert blocks[0].marker is not None and is_read_also(blocks[0].marker)


def test_title_keeps_its_own_separators_once_the_marker_is_cut() -> None:
    blocks = found(article('<p><a href="/a/x">À LIRE AUSSI - Sud-Ouest : la crise</a></p>'))
    assert [link.title for b in blocks for link in b.links] == ["Sud-Ouest : la crise"]


def test_a_phrase_inside_prose_is_no_marker() -> None:
    body = article(f'<p>Il faut lire aussi <a href="/a/x">ce livre</a> pour comprendre. {TEXT}</p>')
    assert found(body) == []


def test_lire_alone_is_no_marker() -> None:
    assert found(article('<p><strong>Lire : <a href="/a/x">Le titre</a></strong></p>')) == []
    assert found(article('<p><a href="/a/x">Lire aussi le rapport</a></p>')) == []


def test_site_markers() -> None:
    body = article(BOX.format(marker="Nos autres enquêtes"))
    assert found(body) == []
    blocks = found(body, markers=("Nos autres enquêtes",))
    assert urls(blocks) == ["https://news.example.fr/a/autre-article"]
    assert blocks[0].marker == "Nos autres enquêtes"


def test_marker_heading_then_list_siblings() -> None:
    body = article(
        "<h2>À lire aussi</h2>"
        '<ul><li><a href="/a/un">Un</a></li><li><a href="/a/deux">Deux</a></li></ul>'
        '<p>Suite du texte avec <a href="/a/cite">un lien cité</a>. ' + TEXT + "</p>"
    )
    (block,) = found(body)
    assert urls([block]) == ["https://news.example.fr/a/un", "https://news.example.fr/a/deux"]
    assert [el.tag for el in block.elements] == ["h2", "ul"]
    assert block.kind == LINK_INLINE


def test_marker_in_a_tail_takes_only_the_links_after_it() -> None:
    body = article(
        f'<p>{TEXT} <a href="/a/avant">avant</a><br>Lire aussi : <a href="/a/apres">Après</a></p>'
    )
    assert urls(found(body)) == ["https://news.example.fr/a/apres"]


def test_a_marker_heading_a_whole_text_takes_no_text() -> None:
    # the smallest element starting with the marker and holding its link holds a text too:
    # no block, rather than a text thrown away
    body = (
        f'<div class="article-body"><strong>Lire aussi :</strong> <a href="/a/x">Le titre</a>'
        f"<br>{TEXT}<br>{TEXT}<br>{TEXT}</div>"
    )
    assert found(body) == []


def test_links_before_the_marker_are_not_the_blocks() -> None:
    body = article(
        '<div class="box"><a href="/a/avant">Avant</a><h3>Lire aussi</h3>'
        '<a href="/a/apres">Après</a></div>'
    )
    assert urls(found(body)) == ["https://news.example.fr/a/apres"]


# --- classes and selectors --------------------------------------------------------------


@pytest.mark.parametrize("token", sorted(BLOCK_CLASSES))
def test_class_tokens(token: str) -> None:
    blocks = found(article(f'<div class="x {token}"><a href="/a/x">Le titre</a></div>'))
    assert urls(blocks) == ["https://news.example.fr/a/x"]
    assert (blocks[0].source, blocks[0].marker) == ("class", None)


def test_class_token_must_be_whole() -> None:
    # "related" alone names sidebars of anything (regards.fr: the shop)
    body = article(
        '<div class="related"><a href="/boutique">Boutique</a></div>'
        '<div class="related-articles-title"><a href="/a/x">X</a></div>'
    )
    assert found(body) == []


def test_class_block_keeps_the_marker_it_holds() -> None:
    body = article(
        '<section class="catcher"><div><span class="catcher__title--hide">Lire aussi :</span>'
        '<a href="/a/x">Le titre</a></div><div>Ajouter à vos sélections</div></section>'
    )
    (block,) = found(body)
    assert block.element is not None
    assert (block.source, block.marker, block.element.tag) == ("class", "Lire aussi :", "section")


def test_site_selectors() -> None:
    body = article('<div class="maison-encart"><a href="/a/x">Le titre</a></div>')
    assert found(body) == []
    blocks = found(body, selectors=(".maison-encart",))
    assert urls(blocks) == ["https://news.example.fr/a/x"]


# --- embedded JSON ----------------------------------------------------------------------


def script(value: object, assign: bool = True) -> str:
    text = json.dumps(value)
    if assign:
        return f"<script>window.__STATE__ = {text};</script>"
    return f'<script type="application/json">{text}</script>'


@pytest.mark.parametrize("assign", [True, False])
def test_embedded_json_of_the_page_itself(assign: bool) -> None:
    state = {
        "article": {
            "url": URL,
            "relatedArticles": [
                {"path": "/a/premier", "title": "Premier"},
                {"url": "https://news.example.fr/a/second", "headline": "Second"},
            ],
        }
    }
    blocks = found(article() + script(state, assign))
    assert [(b.source, b.element, b.kind) for b in blocks] == [("json", None, LINK_MODULE)]
    assert [(link.url, link.title) for link in blocks[0].links] == [
        ("https://news.example.fr/a/premier", "Premier"),
        ("https://news.example.fr/a/second", "Second"),
    ]
    assert found(article() + script(state, assign), embedded_json=False) == []


def test_embedded_json_twice_gives_its_links_once() -> None:
    state = {"article": {"url": URL, "relatedArticles": [{"path": "/a/un", "title": "Un"}]}}
    blocks = found(article() + script(state) + script({"cache": state}, assign=False))
    assert urls(blocks) == ["https://news.example.fr/a/un"]


def test_embedded_json_ids_resolved_through_the_same_json() -> None:
    state = {
        "page": {"url": URL, "relatedIds": [7, 8]},
        "teasers": [{"id": 7, "url": "/a/sept", "title": "Sept"}],
    }
    assert urls(found(article() + script(state))) == ["https://news.example.fr/a/sept"]


def test_embedded_json_of_other_articles_or_bare_ids_gives_nothing() -> None:
    state = {
        "page": {"url": URL, "relatedIds": [2859775]},
        "list": [{"path": "/a/autre", "relatedArticles": [{"path": "/a/y", "title": "Y"}]}],
    }
    assert found(article() + script(state)) == []


# --- kinds ------------------------------------------------------------------------------


def test_kind_inline_between_paragraphs() -> None:
    (block,) = found(article(BOX.format(marker="Lire aussi")))
    assert block.kind == LINK_INLINE
    assert block.links[0].kind == LINK_INLINE


def test_kind_end_of_article_list() -> None:
    (block,) = found(article(after=BOX.format(marker="Lire aussi")))
    assert block.kind == LINK_END
    assert block.links[0].kind == LINK_END


def test_kind_inline_between_div_paragraphs() -> None:
    box = BOX.format(marker="Lire aussi")
    body = (
        f'<div class="body"><div class="text">{TEXT}</div>{box}<div class="text">{TEXT}</div></div>'
    )
    (block,) = found(body)
    assert block.kind == LINK_INLINE


@pytest.mark.parametrize(
    "after",
    [
        '<p class="b-disclaimer">Les opinions exprimées dans cet article ne reflètent pas '
        "nécessairement celles de la rédaction.</p>",
        "<p>Propos recueillis par Jean Dupont</p>",
        f"<ul><li>{TEXT}</li></ul>",
        f'<div class="newsletter">{TEXT}</div>',
        f'<a href="/a/suivant">{TEXT}</a>',
    ],
)
def test_kind_end_of_article_before_notices_signatures_lists(after: str) -> None:
    body = f"<article><p>{TEXT}</p>{BOX.format(marker='Lire aussi')}{after}</article>"
    (block,) = found(body)
    assert block.kind == LINK_END


def test_kind_inline_before_one_short_last_sentence() -> None:
    last = "<p>Reste à savoir si l’Inde acceptera d’organiser une nouvelle rencontre !</p>"
    body = f"<article><p>{TEXT}</p>{BOX.format(marker='Lire aussi')}{last}</article>"
    (block,) = found(body)
    assert block.kind == LINK_INLINE


def test_kind_module_of_cards_keeps_each_cards_headline_link() -> None:
    card = (
        '<li><a href="/a/{n}"><img src="/i/{n}.jpg"></a>'
        '<a class="rubrique" href="/rubrique/livres">Livres</a>'
        '<h3 class="titre"><a href="/a/{n}">Titre {n}</a></h3>'
        '<span>par <a href="/auteur/dupont">Jean Dupont</a></span></li>'
    )
    module = f"<h2>À lire aussi</h2><ul>{card.format(n=1)}{card.format(n=2)}</ul>"
    (block,) = found(article(after=f'<div class="box">{module}</div>'))
    assert block.kind == LINK_MODULE
    assert [(link.url, link.title, link.kind) for link in block.links] == [
        ("https://news.example.fr/a/1", "Titre 1", LINK_MODULE),
        ("https://news.example.fr/a/2", "Titre 2", LINK_MODULE),
    ]


def test_module_of_div_cards() -> None:
    card = '<div class="teaser__item"><h3><a href="/a/{n}">Titre {n}</a></h3></div>'
    body = article(
        after=f"<div><h2>À découvrir également</h2>{card.format(n=1)}{card.format(n=2)}</div>"
    )
    (block,) = found(body)
    assert (block.kind, urls([block])) == (
        LINK_MODULE,
        ["https://news.example.fr/a/1", "https://news.example.fr/a/2"],
    )


def test_one_card_between_paragraphs_is_inline() -> None:
    card = '<article><img src="/i.jpg"><h4><a href="/a/x">X</a></h4></article>'
    box = f'<div class="box"><h3>Lire aussi</h3>{card}</div>'
    (block,) = found(article(box))
    assert block.kind == LINK_INLINE


def test_card_link_wrapping_a_headline_is_titled_by_it() -> None:
    card = '<article><a href="/a/{n}"><h2>Titre {n}</h2><p>Chapeau {n}</p></a></article>'
    body = article(
        after=f"<section><div>À lire aussi</div>{card.format(n=1)}{card.format(n=2)}</section>"
    )
    (block,) = found(body)
    assert [link.title for link in block.links] == ["Titre 1", "Titre 2"]


# --- exclusions -------------------------------------------------------------------------


@pytest.mark.parametrize("chrome", ["nav", "header", "footer"])
def test_class_tokens_find_nothing_in_chrome(chrome: str) -> None:
    body = f"<{chrome}><div class='read-also'><a href='/a/y'>Y</a></div></{chrome}>"
    assert found(article() + body) == []


@pytest.mark.parametrize("chrome", ["footer", "aside"])
def test_a_marker_in_a_footer_or_aside_still_introduces_a_block(chrome: str) -> None:
    # legrandcontinent.eu puts "Pour approfondir" cards in the page's <footer>
    body = f"<{chrome}>{BOX.format(marker='Pour approfondir')}</{chrome}>"
    assert urls(found(article() + body)) == ["https://news.example.fr/a/autre-article"]


@pytest.mark.parametrize(
    "menu",
    [
        "<nav>{box}</nav>",
        "<header>{box}</header>",
        '<div role="navigation">{box}</div>',
        '<div class="c-navigation-bar__item">{box}</div>',
        '<ul class="main-menu"><li>{box}</li></ul>',
    ],
)
def test_a_marker_in_a_menu_is_none(menu: str) -> None:
    # Euronews' navigation bar has "A découvrir" items
    body = menu.format(box=BOX.format(marker="À découvrir"))
    assert found(article() + body) == []


@pytest.mark.parametrize(
    "hidden",
    [
        "<div hidden>{box}</div>",
        '<div style="display: none">{box}</div>',
        "<template>{box}</template>",
    ],
)
def test_hidden_markers_are_none(hidden: str) -> None:
    assert found(article(hidden.format(box=BOX.format(marker="Lire aussi")))) == []


def test_markers_in_scripts_and_attributes_are_none() -> None:
    body = article(
        '<script>var label = "Lire aussi";</script>'
        '<div data-position="lire aussi"><a href="/a/x">X</a></div>'
        '<style>.x::before { content: "Lire aussi"; }</style>'
    )
    assert found(body) == []


@pytest.mark.parametrize("attrs", ['id="comments"', 'class="x comments"', 'class="fb-comments x"'])
def test_comments_are_never_a_block(attrs: str) -> None:
    body = article(after=f"<section {attrs}>{BOX.format(marker='Lire aussi')}</section>")
    assert found(body) == []


def test_tag_lists_share_buttons_and_account_links_are_left_out() -> None:
    box = (
        '<div class="box"><h3>Lire aussi</h3><p><a href="/a/x">Le titre</a></p>'
        '<ul class="list article-tags"><li><a href="/sujets/retraites">Retraites</a></li></ul>'
        '<a rel="tag" href="/x/impots">Impôts</a><a href="/tag/budget">Budget</a>'
        '<a href="https://www.facebook.com/sharer.php?u=x">Partager</a>'
        '<a class="js-btn-signup" href="/register">S’inscrire</a>'
        '<a href="mailto:a@b.fr">Écrire</a><a href="javascript:void(0)">Ouvrir</a></div>'
    )
    assert urls(found(article(box))) == ["https://news.example.fr/a/x"]


def test_app_store_redirects_are_left_out() -> None:
    box = (
        '<div class="box"><h3>À découvrir</h3><a href="https://app.adjust.com/b8?x=1">Appli</a>'
        '<a href="https://apps.apple.com/fr/app/id1">iPhone</a><a href="/a/x">X</a></div>'
    )
    assert urls(found(article(box))) == ["https://news.example.fr/a/x"]


def test_self_links_are_left_out() -> None:
    box = (
        f'<div class="box"><h3>Lire aussi</h3><a href="{URL}#top">Ici</a><a href="/a/x">X</a></div>'
    )
    assert urls(found(article(box))) == ["https://news.example.fr/a/x"]


def test_duplicate_links_once_with_the_text_that_names_them() -> None:
    box = (
        '<div class="box"><h3>Lire aussi</h3><a href="/a/x"><img src="/i.jpg"></a>'
        '<a href="/a/x">Le titre</a></div>'
    )
    (block,) = found(article(box))
    assert [(link.url, link.title) for link in block.links] == [
        ("https://news.example.fr/a/x", "Le titre")
    ]


def test_related_links_numbers_each_url_once_in_page_order() -> None:
    body = article(
        '<p>Lire aussi : <a href="/a/un">Un</a></p>',
        '<p>À lire aussi : <a href="/a/un">Un encore</a> <a href="/a/deux">Deux</a></p>',
    )
    links = related_links(found(body))
    assert [(link.url, link.title, link.position) for link in links] == [
        ("https://news.example.fr/a/un", "Un", 0),
        ("https://news.example.fr/a/deux", "Deux", 1),
    ]


def test_normalize() -> None:
    assert normalize("  À\u00a0LIRE   ÉGALEMENT ") == "a lire egalement"


def test_cards_inside_a_wrapper_named_like_them_make_a_module() -> None:
    # The Gazette replica's "Sur le même sujet": div.related-module__cards > section.teaser.
    cards = "".join(
        f'<section class="teaser"><a href="/a/{n}-x-y.html"><figure><img src="/i{n}.jpg"></figure>'
        f'<h3 class="teaser__title">Titre {n}</h3></a><span>Culture</span></section>'
        for n in range(3)
    )
    html = (
        "<html><body><article><p>" + "Texte de l’article. " * 20 + "</p></article>"
        '<section><h2>Sur le même sujet</h2><div class="related-module__cards">'
        + cards
        + "</div></section></body></html>"
    )
    page = ArticlePage("https://example.fr/a/9-x-y.html", html)
    blocks = related_blocks(page)
    assert [(b.kind, [link.title for link in b.links]) for b in blocks] == [
        ("module", ["Titre 0", "Titre 1", "Titre 2"])
    ]


def test_a_box_followed_only_by_the_paywall_notice_ends_the_article() -> None:
    # The Gazette replica's end-of-article box, then Le Monde's notice closing the free text.
    text = "".join(
        f"<p>Paragraphe {n} de l’article, assez long pour compter. </p>" * 3 for n in "ab"
    )
    html = (
        f"<html><body><article>{text}"
        '<div class="encadre-lire-aussi"><h3>Lire aussi :</h3>'
        '<p><a href="/x/un-autre-titre-1.html">Un autre titre</a></p></div>'
        "<p><strong>Il vous reste 49.4% de cet article à lire. "
        "La suite est réservée aux abonnés.</strong></p></article></body></html>"
    )
    page = ArticlePage("https://example.fr/x/ce-titre-ci-2.html", html)
    assert [(b.kind, len(b.links)) for b in related_blocks(page)] == [(LINK_END, 1)]
