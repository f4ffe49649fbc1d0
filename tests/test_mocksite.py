"""The replica site: its model (ground truth), its pages, its HTTP server and its CLI."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from mocksite.pages import Renderer
from mocksite.seed import parse_seed
from mocksite.server import RunningSite, start
from mocksite.site import Site

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "sputnik-fr-article.txt"
BUNDLED_SEED = ROOT / "mocksite" / "data" / "sputnik-fr-article.txt"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BIG = 100_000
SMALL = 300


# ---- helpers -------------------------------------------------------------------------


class Client:
    """One keep-alive connection; never follows redirects."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)

    def get(self, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        self.connection.request(method, target)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def ok(self, target: str) -> bytes:
        status, _, body = self.get(target)
        assert status == 200, target
        return body

    def close(self) -> None:
        self.connection.close()


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible_text(html: bytes) -> str:
    """The text a reader copies from the page: images show as their alt text."""
    doc = lxml.html.fromstring(html)
    for element in doc.xpath("//script | //style"):
        element.drop_tree()
    for img in doc.xpath("//img[@alt]"):
        img.tail = f" {img.get('alt')} {img.tail or ''}"
    return fold(doc.body.text_content())


def path_of(href: str) -> str:
    return urlsplit(href).path


def first(doc: Any, css: str) -> Any:
    found = doc.cssselect(css)
    return found[0] if found else None


def extract(html: str | bytes) -> dict[str, Any]:
    """A parser keyed on classes, itemprops, microdata, JSON-LD/OpenGraph and marker text.

    Legacy pages carry schema.org as microdata (dates in UTC with "Z") and show times in
    GMT without offset: both must name one instant.
    """
    doc = lxml.html.fromstring(html)
    scripts = doc.xpath('//script[@type="application/ld+json"]/text()')
    ld = json.loads(scripts[0]) if scripts else {}
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    legacy = first(doc, ".b-article") is not None
    related: list[dict[str, str]] = []
    body: list[str] = []

    def link(a: Any, kind: str) -> None:
        related.append({"path": path_of(a.get("href")), "title": a.text_content(), "kind": kind})

    def itemprop(name: str) -> datetime | None:
        found = doc.xpath(f'//head/meta[@itemprop="{name}"]/@content')
        return parse_when(found[0].replace("Z", "+00:00")) if found else None

    if legacy:
        title = first(doc, ".b-article__header-title h1").text_content()
        lead = first(doc, ".b-article__lead").text_content()
        for element in first(doc, ".b-article__text").iter("p", "div"):
            text = element.text_content()
            if element.tag == "div" and "b-inject" in element.get("class", "").split():
                link(element.find(".//a"), "inline")
            elif element.tag == "p" and text.startswith("Lire aussi"):
                for a in element.iter("a"):
                    link(a, "inline")
            elif element.tag == "p" and element.get("class") != "b-disclaimer":
                body.append(text)
        for block in doc.cssselect(".b-article__text > ul, .b-article__related"):
            for a in block.iter("a"):
                link(a, "lire_aussi")
        tags = [a.text_content() for a in doc.cssselect(".b-article__refs-tags a")]
        authors = [a.text_content() for a in doc.cssselect(".b-article__refs-author a")]
        category = first(doc, "a.b-article__refs-rubric[itemprop=articleSection]").text_content()
        credit = first(doc, ".b-article__header-copy")
        credit = credit.text_content() if credit is not None else None
        img = first(doc, ".b-article__header img")
        views = first(doc, ".b-counters-icon_views").text_content()
        short = first(doc, "#getShortUrl")
        short_url = short.get("data-shorturl") if short is not None else None
        utc_published, utc_modified = itemprop("datePublished"), itemprop("dateModified")
        assert utc_published is not None and utc_published.utcoffset().total_seconds() == 0
        shown = first(doc, "time.b-article__refs-date").get("datetime")
        assert utc_published.strftime("%Y-%m-%dT%H:%M") == shown
        published = utc_published
        modified = utc_modified.isoformat() if utc_modified else None
        upd = first(doc, "time.b-article__refs-date-upd")
        if upd is not None:
            assert utc_modified is not None
            assert utc_modified.strftime("%Y-%m-%dT%H:%M") == upd.get("datetime")
    else:
        title = first(doc, "h1.article__title").text_content()
        lead = first(doc, ".article__announce-text").text_content()
        for block in doc.cssselect(".article__body .article__block"):
            if block.get("data-type") == "text":
                body.append(first(block, ".article__text").text_content())
            elif block.get("data-type") == "article":
                link(first(block, ".article__article-title"), "inline")
        for a in doc.cssselect(".article__related a"):
            link(a, "lire_aussi")
        tags = [a.text_content() for a in doc.cssselect(".tags li a")]
        authors = [a.text_content() for a in doc.cssselect(".article__author-name")]
        category = first(doc, ".article__supertag-header-link").text_content()
        credits = [
            c.text_content()
            for c in doc.cssselect(".media__copyright-item")
            if c.text_content().startswith("©")
        ]
        credit = credits[0] if credits else None
        img = first(doc, ".article__photo-item .media__size img")
        views = first(doc, ".article__views").text_content()
        short = first(doc, ".article__short a")
        short_url = short.get("href") if short is not None else None
        unixtime = int(first(doc, ".article__info-date [data-unixtime]").get("data-unixtime"))
        published = datetime.fromisoformat(og["article:published_time"])
        assert unixtime == published.timestamp()
        assert parse_when(ld["datePublished"]) == published
        modified = og.get("article:modified_time")
    caption = None
    if img is not None:
        described = first(doc, "figcaption")
        caption = described.text_content() if described is not None else img.get("alt")
    return {
        "url_path": path_of(doc.xpath('//link[@rel="canonical"]/@href')[0]),
        "layout": "legacy" if legacy else "current",
        "title": title,
        "lead": lead,
        "body": "\n\n".join(body),
        "authors": authors,
        "category": category,
        "tags": tags,
        "published_at": published.isoformat(),
        "modified_at": modified,
        "image_url": path_of(img.get("src")) if img is not None else None,
        "image_caption": caption,
        "image_credit": credit,
        "short_path": path_of(short_url) if short_url else None,
        "views": int(views),
        "related": related,
        "_ld": ld,
        "_og": og,
        "_doc": doc,
        "_lang": doc.get("lang"),
    }


def parse_when(value: str) -> datetime:
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            pass
    raise ValueError(value)


def locs(xml_bytes: bytes, element: str) -> list[str]:
    root = ET.fromstring(xml_bytes)
    return [e.findtext(f"{SM}loc") or "" for e in root.iter(f"{SM}{element}")]


def rss_links(xml_bytes: bytes) -> list[str]:
    root = ET.fromstring(xml_bytes)
    return [item.findtext("link") or "" for item in root.iter("item")]


def launch(*args: str) -> tuple[subprocess.Popen[str], str]:
    """``python -m mocksite`` in a subprocess; returns once it has printed its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mocksite", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()  # blocks until the server listens
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url), (base_url, process.stderr)
    return process, base_url


def stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> int:
    process.send_signal(signum)
    _, errors = process.communicate(timeout=10)
    assert "Traceback" not in errors, errors
    return process.returncode


# ---- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> Iterator[RunningSite]:
    with start(articles=SMALL, seed=1) as running:
        yield running


@pytest.fixture()
def client(small: RunningSite) -> Iterator[Client]:
    c = Client(small.base_url)
    yield c
    c.close()


@pytest.fixture(scope="module")
def big_cli() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, base_url = launch("--port", "0", "--articles", str(BIG), "--seed", "1")
    yield process, base_url
    if process.poll() is None:
        stop(process)


# ---- the model -----------------------------------------------------------------------


def test_same_seed_same_site_other_seed_other_site() -> None:
    one, again, other = Site(1000, seed=1), Site(1000, seed=1), Site(1000, seed=2)
    sample = range(0, 1000, 37)
    assert [one.article(i) for i in sample] == [again.article(i) for i in sample]
    assert list(one.article_paths()) == list(again.article_paths())
    differ = [i for i in range(5, 1000, 37) if one.article(i) != other.article(i)]
    assert len(differ) == len(range(5, 1000, 37))
    assert one.article(0)["body"] == other.article(0)["body"]  # the seed article is fixed


def test_indices_paths_and_short_codes_round_trip() -> None:
    site = Site(BIG)
    for index in (*range(0, 50), *range(BIG - 50, BIG), 12_345, 54_321):
        truth = site.article(index) if index % 25 == 0 else None
        path = site.url_path(index)
        assert site.index_for_path(path) == index
        assert site.index_for_path("http://example.test" + path + "?utm_source=x") == index
        assert site.index_for_path(site.short_path(index)) == index
        if truth:
            assert truth["url_path"] == path and truth["index"] == index
    assert site.index_for_path("/international/") is None
    assert site.index_for_path(Site(BIG + 1).url_path(BIG)) is None
    paths = list(Site(SMALL).article_paths())
    assert len(set(paths)) == SMALL
    assert len({Site(SMALL).short_path(i) for i in range(SMALL)}) == SMALL


def test_model_is_computed_not_stored() -> None:
    site = Site(1_000_000, day=3, faults=True)
    assert site.article(999_999)["url_path"] == site.url_path(999_999)
    newest = site.articles_on() - 1
    assert site.article(newest)["url_path"] == site.url_path(newest)
    for index in range(0, newest, 9_973):
        site.status(index)
        site.history(index)
    # nothing per article: the instance holds a few attributes and a bounded cache
    assert sorted(vars(site)) == [
        "_duplicates",
        "_meta",
        "_now",
        "_schedule",
        "_seed_article",
        "articles",
        "day",
        "faults",
        "seed",
    ]
    assert site._meta.cache_info().maxsize == 4096
    # planted duplicates: five offsets; the day schedule: a few numbers per day, none per article
    assert len(site._duplicates._kind_at) == 5
    schedule = site._schedule
    assert len(schedule._edit_ends) <= site.day
    assert all(len(ends) <= site.day + 2 for ends in schedule._gone_ends)


#: sha256 of shared/seed/sputnik-fr-article.txt, the page every field of DESIGN.md comes from.
SEED_SHA256 = "5e2f5c8872a0ef78ed2e7b81174ff9b3d660dbf18c8c0280c804492effd8116c"


def test_bundled_seed_file_is_the_shared_one() -> None:
    # A clone without shared/ beside it still checks the bundled copy against the pin.
    assert hashlib.sha256(BUNDLED_SEED.read_bytes()).hexdigest() == SEED_SHA256
    if SHARED_SEED.exists():
        assert BUNDLED_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_article_is_built_from_the_seed_file() -> None:
    seed = parse_seed(BUNDLED_SEED.read_text(encoding="utf-8"))
    site = Site(SMALL)
    truth = site.article(site.seed_index)
    assert truth["layout"] == "legacy"
    # 10:52 in Moscow, given as its page gives it: in UTC
    assert truth["published_at"] == "2017-06-21T07:52:00+00:00"
    assert truth["modified_at"] is None
    assert truth["authors"] == []
    assert (truth["title"], truth["image_caption"], truth["image_credit"]) == (
        "Washington et Moscou discutent de la sécurité des opérations en Syrie",
        "Un chasseur russe Sukhoi Su-30 SM s'apprête à décoller de la base aérienne de Hmeimim,"
        " en Syrie. Image d'illustration",
        "© Sputnik . Ramil Sitdikov",
    )
    assert (truth["category"], truth["views"]) == ("International", 6822)
    assert truth["lead"] == seed.lead
    assert truth["body"] == "\n\n".join(seed.paragraphs)
    assert len(seed.paragraphs) == 6
    assert "et\xa0 l'élaboration" in truth["body"]
    assert truth["tags"] == list(seed.tags) and len(seed.tags) == 6
    assert [r["title"] for r in truth["related"]] == list(seed.related_titles)
    assert [r["kind"] for r in truth["related"]] == ["lire_aussi"] * 4


def test_seed_related_articles_are_articles_with_the_four_headlines(
    small: RunningSite, client: Client
) -> None:
    site = small.site
    headlines = parse_seed(BUNDLED_SEED.read_text(encoding="utf-8")).related_titles
    related = site.article(site.seed_index)["related"]
    for link, headline in zip(related, headlines, strict=True):
        index = site.index_for_path(link["path"])
        assert index is not None and index != site.seed_index
        truth = site.article(index)
        assert truth["title"] == headline == link["title"]
        assert truth["body"] and truth["lead"]
        page = extract(client.ok(link["path"]))
        assert page["title"] == headline


def test_variety_shares() -> None:
    site = Site(1000)
    articles = [site.article(i) for i in range(1000)]

    def share(predicate: Any) -> float:
        return sum(1 for a in articles if predicate(a)) / len(articles)

    assert 0.18 <= share(lambda a: a["layout"] == "current") <= 0.32
    assert 0.05 <= share(lambda a: a["image_url"] is None) <= 0.16
    assert 0.05 <= share(lambda a: not a["tags"]) <= 0.16
    assert 0.10 <= share(lambda a: len(a["authors"]) > 1) <= 0.21
    assert 0.30 <= share(lambda a: len(a["authors"]) == 1) <= 0.50
    assert 0.10 <= share(lambda a: not a["related"]) <= 0.21
    assert 0.14 <= share(lambda a: any(r["kind"] == "inline" for r in a["related"])) <= 0.27
    assert 0.20 <= share(lambda a: a["modified_at"] is not None) <= 0.40
    assert all(3 <= len(a["body"].split("\n\n")) <= 8 for a in articles[1:])
    assert len({a["views"] for a in articles}) > 500
    for a in articles:
        for link in a["related"]:
            assert site.index_for_path(link["path"]) not in (None, a["index"])
        assert (
            (a["image_url"] is None) == (a["image_caption"] is None) == (a["image_credit"] is None)
        )


def test_text_is_french_with_french_typography() -> None:
    site = Site(200)
    text = "\n".join(
        " ".join([a["title"], a["lead"], a["body"]]) for a in map(site.article, range(5, 200))
    )
    assert "’" in text and "'" not in text  # typographic apostrophes (the seed keeps its own)
    assert "«\xa0" in text and "\xa0»" in text
    assert "\xa0:" in text and "\xa0?" in text
    assert re.search("[éèàçê]", text)
    assert " de le " not in text and " de les " not in text and " à le " not in text


# ---- the pages -----------------------------------------------------------------------


def test_pages_yield_the_ground_truth_to_a_class_keyed_parser() -> None:
    site = Site(3000, seed=7)
    base = "http://replica.test:8080"
    renderer = Renderer(site, base)
    layouts = Counter()
    for index in range(0, 3000, 7):
        truth = site.article(index)
        page = extract(renderer.article(index))
        doc, ld, og = page["_doc"], page["_ld"], page["_og"]
        for field in truth.keys() - {"index"}:
            assert page[field] == truth[field], (index, field)
        assert page["_lang"] == "fr" and og["og:title"] == truth["title"]
        assert og["og:url"] == base + truth["url_path"]
        if page["layout"] == "current":
            layouts["current"] += 1
            assert ld["@type"] == "NewsArticle" and ld["headline"] == truth["title"]
            assert ld["mainEntityOfPage"]["@id"] == og["og:url"]
            assert ld["articleSection"] == truth["category"]
            assert [a["name"] for a in ld.get("author", [])] == truth["authors"]
            assert ("dateModified" in ld) == (truth["modified_at"] is not None)
            assert og["og:type"] == "article"
            continue
        # legacy, as the real pages: microdata on <html>, og:type "website", no JSON-LD
        assert not ld and og["og:type"] == "website"
        year = 2020 if doc.get("itemtype") == "http://schema.org/NewsArticle" else 2019
        layouts[f"legacy {year}"] += 1
        headline = "headline" if year == 2020 else "name"
        # the headline sits over the photo in the page header, or inside .b-article
        where = ".b-header .b-article__header" if truth["image_url"] else ".b-article"
        layouts["legacy headline inside"] += where == ".b-article"
        assert first(doc, f"{where} h1[itemprop={headline}]") is not None
        if year == 2020:
            signed = [e.text_content() for e in doc.cssselect("[itemprop=author] [itemprop=name]")]
            assert signed == [f"{a}. Sputnik France" for a in truth["authors"]]
            assert first(doc, "[itemprop=mainEntityOfPage]").text_content() == og["og:url"]
        else:
            assert doc.get("itemtype") == "http://schema.org/Article"
            assert not doc.cssselect("[itemprop=author], .b-article__meta")
    assert layouts["legacy 2019"] > layouts["legacy 2020"] > 0 and layouts["current"] > 0, layouts
    assert layouts["legacy headline inside"] > 0, layouts


#: Markup facts of the legacy platform's real pages (tests/fixtures/real): each selector
#: matches on the real page and on the replica's legacy pages that follow it.
REAL_LEGACY = {
    "common": (
        "html[itemscope][itemtype^='http://schema.org/']",
        "head meta[property='og:type'][content='website']",
        "head meta[property='og:url'], head meta[property='og:image']",
        "head meta[property='og:description']",
        "head meta[itemprop='datePublished'][content$='Z']",
        "head meta[itemprop='dateCreated'][content$='Z']",
        ".b-header > a.b-header__logo",
        ".l-main .b-article > .b-article__refs-text > a.b-article__refs-rubric",
        "a.b-article__refs-rubric[itemprop=articleSection]",
        ".b-article__refs-credits > time.b-article__refs-date[itemprop=dateCreated][datetime]",
        ".b-article__refs-credits > span#getShortUrl.b-article__refs-getshorturl[data-shorturl]",
        ".b-article__refs-text > .b-article__refs-author > a[rel=author]",
        ".b-article > .b-article__lead[itemprop=description] > p",
        ".b-article > .b-article__text[itemprop=articleBody] > p",
        ".b-article > #share.social-likes-pane",
        ".b-article > .b-article__likes > a.b-article__likes-up",
        ".b-article > .b-article__refs > .b-article__refs-list",
        ".b-article .comments img.avatar[alt=avatar]",
    ),
    "en_sputniknews_2019_columnists_prince_andrew": (
        "html[itemtype='http://schema.org/Article']",
        ".b-header > .b-article__header > img[itemprop=associatedMedia][alt][title]",
        ".b-header > .b-article__header > .b-article__header-title > h1[itemprop=name]",
        ".b-header > .b-article__header > .b-article__header-copy > span > span",
        ".b-article__text > p.b-disclaimer",
        ".b-article > section.comments img.avatar[src$='/i/avatar-default.png']",
    ),
    "en_sputniknews_2020_radio_critical_hour": (
        "html[itemtype='http://schema.org/NewsArticle']",
        ".b-article > .b-article__header-title > h1[itemprop=headline]",
        "head meta[itemprop='dateModified'][content$='Z']",
        ".b-article__refs-credits > time.b-article__refs-date-upd[itemprop=dateModified]",
        ".b-article__meta > [itemprop=publisher][itemtype$='/Organization'] > [itemprop=name]",
        ".b-article__meta > [itemprop=author][itemtype$='/Person'] > [itemprop=name]",
        ".b-article__meta > [itemprop=mainEntityOfPage]",
        ".b-article__refs-list > .b-article__refs-item > .b-article__refs-item-description",
        ".b-article__refs-item > .b-article__refs-tags > a",
        ".b-article > div.comments.section img.avatar.lazyload[data-src]",
    ),
}
REAL_LEGACY_ABSENT = (
    "script[type='application/ld+json']",
    "head meta[property^='article:']",
    "[itemprop=articleBody] img",
)


def legacy_example(site: Site, year: int) -> int:
    """A legacy article shaped as the real page of ``year``: with a photo and a disclaimer
    as the 2019 one, without photo, modified and tagged as the 2020 one."""
    renderer = Renderer(site, "http://replica.test")
    kind = "NewsArticle" if year == 2020 else "Article"
    for index in range(1, site.articles):
        truth = site.article(index)
        if truth["layout"] != "legacy" or not truth["authors"]:
            continue
        doc = lxml.html.fromstring(renderer.article(index))
        if doc.get("itemtype") != f"http://schema.org/{kind}":
            continue
        if year == 2020 and not truth["image_url"] and truth["modified_at"] and truth["tags"]:
            return index
        if year == 2019 and truth["image_url"] and doc.cssselect("p.b-disclaimer"):
            return index
    raise AssertionError(f"no {year} legacy article")


@pytest.mark.parametrize("name", [k for k in REAL_LEGACY if k != "common"])
def test_legacy_pages_are_shaped_like_the_real_ones(name: str) -> None:
    real = lxml.html.fromstring(
        (ROOT / "tests" / "fixtures" / "real" / f"{name}.html").read_bytes()
    )
    site = Site(SMALL, seed=1)
    year = int(name.split("_")[2])
    index = legacy_example(site, year)
    replica = lxml.html.fromstring(Renderer(site, "http://replica.test").article(index))
    for label, doc in (("real", real), ("replica", replica)):
        for selector in (*REAL_LEGACY["common"], *REAL_LEGACY[name]):
            assert doc.cssselect(selector), (label, selector)
        for selector in REAL_LEGACY_ABSENT:
            assert not doc.cssselect(selector), (label, selector)
        headline = doc.cssselect("h1")
        assert len(headline) == 1, label
        og_title = doc.xpath("//meta[@property='og:title']/@content")[0]
        assert headline[0].text_content().strip() == og_title, label
        # the machine-readable time is UTC; the shown one is the same instant, in GMT,
        # without offset
        utc = doc.xpath("//meta[@itemprop='datePublished']/@content")[0]
        shown = doc.cssselect("time.b-article__refs-date")[0].get("datetime")
        assert utc.startswith(shown) and utc.endswith("Z"), label


def test_nesting_varies_between_pages() -> None:
    site = Site(400)
    renderer = Renderer(site, "http://replica.test")
    title_positions, features = set(), Counter()
    for index in range(1, 400, 3):
        html = renderer.article(index)
        doc = lxml.html.fromstring(html)
        h1 = doc.xpath("//h1")[0]
        title_positions.add((site.meta(index).layout, doc.getroottree().getpath(h1)))
        features["figcaption"] += "<figcaption" in html
        features["wrapper"] += 'class="b-article__wrap"' in html or 'class="article__wrap"' in html
        features["relative"] += 'href="/' in html.split("b-article__text", 1)[-1][:30_000]
    assert len(title_positions) >= 4
    assert all(count > 5 for count in features.values()), features


def test_text_is_escaped(small: RunningSite) -> None:
    site = Site(2000)
    renderer = Renderer(site, small.base_url)
    index = next(i for i in range(1, 2000) if "&" in site.article(i)["body"])
    html = renderer.article(index)
    assert "&amp;" in html
    assert extract(html)["body"] == site.article(index)["body"]


def test_served_seed_page_shows_every_line_of_the_seed_file_in_order(
    small: RunningSite, client: Client
) -> None:
    site = small.site
    html = client.ok(site.url_path(site.seed_index))
    text = visible_text(html)
    at = 0
    for line in BUNDLED_SEED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found = text.find(fold(line), at)
            assert found >= 0, line
            at = found + len(fold(line))
    raw = html.decode("utf-8")
    for paragraph in parse_seed(BUNDLED_SEED.read_text(encoding="utf-8")).paragraphs:
        assert f"<p>{paragraph}</p>" in raw  # verbatim: straight quotes, "et\xa0 l'élaboration"


# ---- the in-process server -----------------------------------------------------------


def test_sitemaps_list_every_article_exactly_once(small: RunningSite, client: Client) -> None:
    base = small.base_url
    robots = client.ok("/robots.txt").decode()
    assert robots.endswith(f"\nSitemap: {base}/sitemap_article_index.xml\n")
    index = client.ok("/sitemap_article_index.xml")
    months = locs(index, "sitemap")
    # The 300 articles are from June 2017 (the newest on the 21st): one monthly sitemap.
    assert months == [base + "/sitemap_article.xml?date_start=20170601&date_end=20170621"]
    assert index.count(b"<lastmod>") == 1
    listed: Counter[str] = Counter()
    for month in months:
        body = client.ok(month.removeprefix(base))
        urls = locs(body, "url")
        assert urls and body.count(b"<lastmod>") == len(urls)
        listed.update(url.removeprefix(base) for url in urls)
    assert set(listed.values()) == {1}
    assert set(listed) == set(small.site.article_paths())
    assert client.get("/sitemap_index.xml")[0] == 404


@pytest.mark.parametrize(
    ("query", "articles"),
    [
        ("date_start=20170621&date_end=20170621", 38),  # one day, as public crawlers ask
        ("date_start=20170620&date_end=20170621", 38 + 41),
        ("date_start=20170101&date_end=20171231", 300),
        ("date_start=20300101&date_end=20300131", 0),  # no article then: an empty list
    ],
)
def test_an_article_sitemap_lists_the_articles_of_its_days(
    small: RunningSite, client: Client, query: str, articles: int
) -> None:
    listed = locs(client.ok(f"/sitemap_article.xml?{query}"), "url")
    indices = [small.site.index_for_path(url.removeprefix(small.base_url)) for url in listed]
    assert indices == list(range(articles))  # articles are numbered newest first


@pytest.mark.parametrize(
    "query",
    [
        "",
        "date_start=20170601",
        "date_end=20170630",
        "date_start=20170630&date_end=20170601",  # backwards
        "date_start=20170631&date_end=20170701",  # no 31 June
        "date_start=2017-06-01&date_end=2017-06-30",
        "date_start=201706&date_end=201706",
        "date_start=20170601&date_start=20170602&date_end=20170630",
    ],
)
def test_an_article_sitemap_for_no_range_of_days_is_not_found(client: Client, query: str) -> None:
    assert client.get(f"/sitemap_article.xml?{query}")[0] == 404


def test_rubrique_pagination_reaches_every_article(small: RunningSite, client: Client) -> None:
    home = lxml.html.fromstring(client.ok("/"))
    rubriques = [a.get("href") for a in home.cssselect("nav a")]
    assert len(rubriques) == 8
    seen: Counter[str] = Counter()
    for rubrique in rubriques:
        target, pages = rubrique, 0
        while target:
            doc = lxml.html.fromstring(client.ok(target))
            items = [a.get("href") for a in doc.cssselect(".b-list a")]
            assert 0 < len(items) <= 20
            seen.update(items)
            following = doc.xpath('//a[@rel="next"]/@href')
            target, pages = (following[0] if following else None), pages + 1
        assert client.get(f"{rubrique}?page={pages + 1}")[0] == 404
    assert set(seen.values()) == {1}
    assert set(seen) == set(small.site.article_paths())


def test_home_and_rss_list_the_latest_articles(small: RunningSite, client: Client) -> None:
    site = small.site
    home = lxml.html.fromstring(client.ok("/"))
    assert [a.get("href") for a in home.cssselect(".b-list a")] == [
        site.url_path(i) for i in range(30)
    ]
    assert all(chrome in home.text_content() for chrome in ("Ecoutez Radio Sputnik", "Économie"))
    status, headers, body = client.get("/export/rss2/archive/index.xml")
    assert status == 200 and headers["content-type"].startswith("application/rss+xml")
    assert rss_links(body) == [small.base_url + site.url_path(i) for i in range(50)]


def test_routes_redirects_and_errors(small: RunningSite, client: Client) -> None:
    site, base = small.site, small.base_url
    path = site.url_path(42)
    status, headers, _ = client.get(site.short_path(42))
    assert (status, headers["location"]) == (301, base + path)
    assert client.get(path + "?utm_source=twitter")[0] == 200
    wrong_slug = re.sub(r"-[a-z0-9-]+(/|\.html)$", r"-autre-chose\1", path)
    status, headers, _ = client.get(wrong_slug)
    assert (status, headers["location"]) == (301, base + path)
    beyond = Site(SMALL + 1).url_path(SMALL)
    for missing in (
        beyond,
        "/nulle-part",
        "/international/209912311099999999-nulle-part/",
        "/s/zzzz",
    ):
        status, headers, body = client.get(missing)
        assert status == 404 and headers["content-type"].startswith("text/html"), missing
        assert b"Page introuvable" in body
    status, headers, body = client.get(path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000
    robots = client.ok("/robots.txt").decode()
    assert "Disallow: /search" in robots and "Crawl-delay" not in robots
    assert f"Sitemap: {base}/sitemap_article_index.xml" in robots
    assert small.hits()["not_found"] >= 4


def test_every_link_of_the_site_leads_somewhere(small: RunningSite, client: Client) -> None:
    """A crawler following every http <a> of the site that robots.txt allows meets no 404
    (images are not linked; the likes and comment services are disallowed, as real)."""
    site = small.site
    robots = RobotFileParser()
    robots.parse(client.ok("/robots.txt").decode().splitlines())
    pages = ["/", "/international/", "/sitemap_article_index.xml"]
    pages += [site.url_path(i) for i in range(0, SMALL, 11)]
    checked: dict[str, int] = {}
    for page in pages:
        status, _, body = client.get(page)
        assert status == 200
        if page.endswith(".xml"):
            continue
        for href in lxml.html.fromstring(body).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != urlsplit(small.base_url).netloc:
                continue  # the photo bank and Google News links leave the site
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.scheme not in ("", "http") or not robots.can_fetch("*", target):
                continue  # mailto: share link; /services/
            if target not in checked and not href.startswith("#"):
                checked[target] = client.get(target)[0]
    assert checked and {status for status in checked.values()} <= {200, 301}, {
        t: s for t, s in checked.items() if s not in (200, 301)
    }


def test_running_site_stops_and_frees_its_port() -> None:
    running = start(articles=10)
    client = Client(running.base_url)
    assert client.get("/")[0] == 200
    client.close()
    running.stop()
    with pytest.raises(OSError):
        Client(running.base_url).get("/")


def test_mocksite_needs_only_the_standard_library() -> None:
    code = (
        "import sys, mocksite, mocksite.server, mocksite.pages, mocksite.__main__\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "bad = sorted(loaded & {'crawler', 'archive', 'scrapy', 'lxml'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ---- the command line ----------------------------------------------------------------


def test_cli_serves_a_large_site_in_little_memory(
    big_cli: tuple[subprocess.Popen[str], str],
) -> None:
    process, base = big_cli
    site = Site(BIG, seed=1)
    client = Client(base)
    last = site.article(BIG - 1)
    page = extract(client.ok(last["url_path"]))
    assert (page["title"], page["body"]) == (last["title"], last["body"])
    months = locs(client.ok("/sitemap_article_index.xml"), "sitemap")
    # 100,000 articles: from 21 June 2017 back to August 2009, a sitemap a month.
    assert months[0] == base + "/sitemap_article.xml?date_start=20170601&date_end=20170621"
    assert months[-1] == base + "/sitemap_article.xml?date_start=20090801&date_end=20090831"
    assert len(months) == 12 * 8 - 1
    assert base + last["url_path"] in locs(client.ok(months[-1].removeprefix(base)), "url")
    assert len(rss_links(client.ok("/export/rss2/archive/index.xml"))) == 50
    robots = client.ok("/robots.txt").decode()
    assert "Crawl-delay" not in robots and "Sitemap:" in robots
    status, headers, _ = client.get(last["short_path"])
    assert (status, headers["location"]) == (301, base + last["url_path"])
    assert client.get(Site(BIG + 1).url_path(BIG))[0] == 404
    pages = site.rubrique_pages(7)
    last_page = lxml.html.fromstring(client.ok(f"/sciences/?page={pages}"))
    assert not last_page.xpath('//a[@rel="next"]') and last_page.cssselect(".b-list a")
    assert lxml.html.fromstring(client.ok(f"/sciences/?page={pages - 1}")).xpath('//a[@rel="next"]')
    assert client.get(f"/sciences/?page={pages + 1}")[0] == 404
    for index in range(0, BIG, BIG // 400):
        client.ok(site.url_path(index))
    status_file = Path(f"/proc/{process.pid}/status").read_text()
    rss_kb = int(re.search(r"VmRSS:\s+(\d+) kB", status_file).group(1))  # type: ignore[union-attr]
    assert rss_kb < 80 * 1024, rss_kb
    client.close()
    assert stop(process, signal.SIGTERM) == 0


def test_cli_crawl_delay_and_sigint() -> None:
    process, base = launch("--port", "0", "--articles", "50", "--seed", "3", "--crawl-delay", "2")
    try:
        client = Client(base)
        robots = client.ok("/robots.txt").decode()
        assert "Crawl-delay: 2\n" in robots
        client.close()
    finally:
        code = stop(process, signal.SIGINT)
    assert code == 0


@pytest.mark.parametrize("args", [["--articles", "0"], ["--port", "-1"], ["--crawl-delay", "x"]])
def test_cli_rejects_bad_arguments(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mocksite", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert result.returncode == 2 and result.stdout == ""
