"""ElementIndex answers selectors exactly as cssselect does (it replaced ~70 XPath walks a
page with look-ups, so any difference would silently change what the extractor reads)."""

from __future__ import annotations

import random

import lxml.html
import pytest
from lxml.html import HtmlElement

from extraction.pages.base import ElementIndex, _plan, select
from extraction.pages.sputnik import SputnikArticlePage
from mocksite.pages import Renderer
from mocksite.site import Site

ODD = [
    '<html><body><div class="a  b\tc\nd\re" id="x"><p class=" a ">t<!-- c -->u<span class="">v'
    '</span></p><p class="a\x0cb" data-x="" data-y="1 2">w</p><?pi x?><b CLASS="Q">q</b>'
    '<a href="">e</a><a>f</a><div class="ab abc"><div class="b"><a href="#" class="c" '
    'rel="author nofollow">g</a></div></div></div><input class="short-url" value="http://x/s/1">'
    '<time pubdate datetime="2017">d</time><svg><a class="c">s</a></svg></body></html>',
    '<div><ul class="tags list"><li class="tag"><a class="tag__link" href="/t">T</a></li></ul>'
    '<span itemprop="author name" itemtype="http://schema.org/Person">N</span>'
    '<div itemprop="articleBody"><p class="b-article__text">x</p></div>'
    '<div class="read-also readalso"><a href="/r">r</a></div></div>',
]
TAGS = ["a", "p", "div", "li", "span", "time", "b", "body", "h1", "ul", "DIV", "*", ""]
ATTRS = ["class", "id", "href", "rel", "itemprop", "data-x", "data-y", "value", "CLASS"]
VALUES = ["a", "b", "", " ", "a b", "ab", "tag", "author", "1", "1 2", "Q", "q", "-", "#"]
CLASSES = ["a", "b", "c", "ab", "tag", "tags", "short-url", "read-also", "b-article__text"]


def compound(rng: random.Random, nested: bool = False) -> str:
    parts = [rng.choice(TAGS)]
    for _ in range(rng.randint(0, 3)):
        kind = rng.random()
        if kind < 0.3:
            parts.append("." + rng.choice(CLASSES))
        elif kind < 0.4:
            parts.append("#" + rng.choice(["x", "y"]))
        elif kind < 0.85:
            op = rng.choice(["", "=", "~=", "*="])
            value = f"{op}'{rng.choice(VALUES)}'" if op else ""
            parts.append(f"[{rng.choice(ATTRS)}{value}]")
        elif not nested:
            parts.append(f":not({compound(rng, nested=True)})")
    return "".join(parts) or "*"


def selector(rng: random.Random) -> str:
    groups = (" ".join(compound(rng) for _ in range(rng.randint(1, 3))) for _ in range(3))
    return ", ".join(list(groups)[: rng.randint(1, 3)])


def documents() -> list[HtmlElement]:
    site = Site(articles=12, seed=3)
    renderer = Renderer(site, "http://127.0.0.1:8000")
    pages = [renderer.article(i) for i in range(0, 12, 3)]
    return [lxml.html.document_fromstring(html) for html in [*ODD, *pages]]


def same(want: list[HtmlElement], got: list[HtmlElement]) -> bool:
    return len(want) == len(got) and all(a is b for a, b in zip(want, got, strict=True))


def test_random_selectors_select_what_cssselect_selects() -> None:
    rng = random.Random(7)
    checked = indexed = 0
    for doc in documents():
        index = ElementIndex(doc)
        elements = [el for el in index.nodes if isinstance(el.tag, str)]
        for _ in range(150):
            css = selector(rng)
            indexed += _plan(css) is not None
            for scope in [doc, *rng.sample(elements, min(3, len(elements)))]:
                want, got = select(scope, css), index.select(scope, css)
                assert same(want, got), (css, scope.tag)
                assert same(want, index.select(scope, css))  # remembered, still right
                checked += 1
    assert checked > 2000
    assert indexed > 0.9 * checked / 4  # most were answered by the index, not cssselect


@pytest.mark.parametrize("index", [0, 1, 2, 5, 8])
def test_every_selection_of_the_page_object_matches_cssselect(
    index: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = Site(articles=10, seed=5)
    html = Renderer(site, "http://127.0.0.1:8000").article(index)
    asked: list[tuple[HtmlElement, str, list[HtmlElement]]] = []
    original = ElementIndex.select

    def recording(self: ElementIndex, scope: HtmlElement | None, css: str) -> list[HtmlElement]:
        found = original(self, scope, css)
        if scope is not None:
            asked.append((scope, css, found))
        return found

    monkeypatch.setattr(ElementIndex, "select", recording)
    url = "http://127.0.0.1:8000" + site.url_path(index)
    assert SputnikArticlePage(url, html.encode(), "utf-8").to_item().title
    assert len(asked) > 20
    for scope, css, found in asked:
        assert same(select(scope, css), found), css
