"""The second replica, La Gazette du Val: its model (ground truth), pages, feeds and CLI.

The pages are read here with a small class-keyed parser written from the real pages the
layout copies (tests/fixtures/corpus/pages/), not from the replica's code, and compared with
the replica's ground truth (``Gazette.article``).
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from mocksite.gazette import Gazette, RunningGazette, start
from mocksite.server import RunningSite

from .conftest import ROOT

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ARTICLES = 60
INLINE_MARKERS = ("À lire aussi :", "LIRE AUSSI", "Lire également", "Lire aussi :")


# ---- helpers -------------------------------------------------------------------------


def get(
    base_url: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def ok(base_url: str, target: str) -> bytes:
    status, _, body = get(base_url, target)
    assert status == 200, target
    return body


def news_article(html: bytes) -> dict[str, Any]:
    """The NewsArticle of a page's JSON-LD, whichever shape holds it (object, list, @graph)."""
    doc = lxml.html.fromstring(html)
    found = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        blocks = data if isinstance(data, list) else data.get("@graph", [data])
        found += [block for block in blocks if block.get("@type") == "NewsArticle"]
    assert len(found) == 1
    return found[0]


def text_of(element: Any) -> str:
    return str(element.text_content())


def read_page(html: bytes, base_url: str) -> dict[str, Any]:
    """The fields of an article page, read by class and marker as the real pages are laid
    out: lead ``p.article__desc`` / ``p.fig-standfirst``; body ``p.article__paragraph``
    except Le Monde's ``<p class="article__paragraph"><span>Lire aussi</span> <a>`` box;
    inline boxes (``.catcher``, ``.fig-body-link``, that paragraph, ``.encadre-lire-aussi``,
    ``.widget--type-related``) between paragraphs, the end box after the last one; the
    paywall notice as the article's last ``p > strong``; module cards ``.teaser__link``."""
    doc = lxml.html.fromstring(html)
    article = doc.xpath("//article")[0]
    lead = doc.xpath('//p[contains(@class, "article__desc") or contains(@class, "fig-standfirst")]')
    body: list[str] = []
    related: list[dict[str, Any]] = []
    paywall = None
    for child in article:
        classes = set((child.get("class") or "").split())
        first = child[0] if len(child) else None
        box = classes & {"catcher", "fig-body-link", "encadre-lire-aussi", "widget--type-related"}
        is_marker_paragraph = (
            "article__paragraph" in classes
            and first is not None
            and first.tag == "span"
            and (first.text or "").strip() in INLINE_MARKERS
        )
        if box or is_marker_paragraph:
            marker_nodes = child.xpath(
                './/*[contains(@class, "catcher__title")'
                ' or contains(@class, "fig-body-link__prefix")] | ./h3 | ./span'
            )
            marker = text_of(marker_nodes[0]).strip() if marker_nodes else None
            for a in child.xpath(".//a[@href]"):
                url, title = urljoin(base_url, a.get("href")), text_of(a).strip()
                related.append(
                    {"url": url, "title": title, "kind": "inline", "after": len(body) - 1}
                )
                related[-1]["marker"] = marker
        elif "article__paragraph" in classes:
            body.append(text_of(child))
        elif child.tag == "p" and first is not None and first.tag == "strong":
            paywall = text_of(child)
    # a box after the last paragraph is the end-of-article box
    for link in related:
        if link["after"] == len(body) - 1:
            link["kind"] = "lire_aussi"
    for a in doc.xpath('//section[contains(@class, "related-module")]//a[@class="teaser__link"]'):
        related.append(
            {"url": urljoin(base_url, a.get("href")), "title": text_of(a).strip(), "kind": "module"}
        )
    return {
        "title": text_of(doc.xpath("//h1")[0]),
        "lead": text_of(lead[0]) if lead else None,
        "body": "\n\n".join(body),
        "paywall_notice": paywall,
        "related": related,
        "authors": [text_of(a) for a in doc.xpath('//a[@class="article__author-link"]')],
        "tags": [text_of(a) for a in doc.xpath('//ul[@class="tags"]//a')],
        "canonical": doc.xpath('//link[@rel="canonical"]/@href')[0],
        "caption": doc.xpath('//figcaption[@class="article__legend"]/text()'),
        "credit": doc.xpath('//span[@class="article__credit"]/text()'),
    }


def absolute(base_url: str, link: dict[str, Any]) -> str:
    return urljoin(base_url, link["url"])


# ---- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gazette(replica: RunningSite) -> Iterator[RunningGazette]:
    """The Gazette, its cross-site boxes pointing to the session's Sputnik replica."""
    with start(ARTICLES, seed=1, peer=replica.base_url) as running:
        yield running


@pytest.fixture(scope="module")
def pages(gazette: RunningGazette) -> dict[int, bytes]:
    site = gazette.site
    return {i: ok(gazette.base_url, site.url_path(i)) for i in range(site.count)}


# ---- the model -------------------------------------------------------------------------


def test_same_seed_same_site_other_seed_other_site() -> None:
    one, again, other = Gazette(20, 1), Gazette(20, 1), Gazette(20, 2)
    assert [one.article(i) for i in range(20)] == [again.article(i) for i in range(20)]
    assert one.article(5)["title"] != other.article(5)["title"]


def test_article_urls_have_the_generic_form_and_round_trip() -> None:
    site = Gazette(ARTICLES)
    paths = site.article_paths()
    assert len(set(paths)) == ARTICLES
    for index, path in enumerate(paths):
        assert site.index_for_path(path) == index
        _rubrique, word, year, month, day, last = path.strip("/").split("/")
        assert word == "article" and (year, month) >= ("2024", "09") and len(day) == 2
        assert last.endswith(".html") and last.split("_")[1][:-5].isdigit()
    assert site.index_for_path("/region/article/2024/09/16/autre-titre_999999.html") is None


def test_truth_has_the_variety_the_tests_need() -> None:
    site = Gazette(ARTICLES, peer="http://127.0.0.1:9")
    truths = site.articles_truth()
    kinds = {r["kind"] for t in truths for r in t["related"]}
    assert kinds == {"inline", "lire_aussi", "module"}
    markers = {r["marker"] for t in truths for r in t["related"] if r["kind"] == "inline"}
    assert set(INLINE_MARKERS) | {None} == markers
    assert 5 <= sum(t["paywall_notice"] is not None for t in truths) <= 30
    assert {t["published_at"][-6:] for t in truths} == {"+02:00", "+01:00"}
    assert any(len(t["authors"]) == 2 for t in truths) and any(
        t["image_url"] is None for t in truths
    )
    for truth in truths:
        urls = [r["url"] for r in truth["related"]]
        assert len(urls) == len(set(urls)), "each related URL once"
        assert truth["url_path"] not in urls
        assert "Lire aussi" not in truth["body"] and "Il vous reste" not in truth["body"]
        assert truth["body"].count("\n\n") >= 1 and truth["lead"] not in truth["body"]


def test_cross_site_boxes_follow_the_peer() -> None:
    with_peer = Gazette(ARTICLES, peer="http://127.0.0.1:9/")
    alone = Gazette(ARTICLES)
    for index in range(ARTICLES):
        crossing = [r for r in with_peer.article(index)["related"] if r["site"] == "sputnik"]
        assert len(crossing) == (1 if index % 3 == 1 else 0)
        for link in crossing:
            assert link["url"].startswith("http://127.0.0.1:9/") and link["kind"] == "inline"
        assert all(r["site"] == "gazette" for r in alone.article(index)["related"])
        assert all(r["url"].startswith("/") for r in alone.article(index)["related"])


def test_days_add_articles_and_edit_some() -> None:
    first, third = Gazette(ARTICLES), Gazette(ARTICLES, day=3)
    assert third.count == ARTICLES + 4
    changes = third.changes(2) + third.changes(3)
    edited = {c["index"]: c["kind"] for c in changes if c["kind"] != "new"}
    assert edited and {c["index"] for c in changes if c["kind"] == "new"} == set(range(60, 64))
    for index, kind in edited.items():
        before, after = first.article(index), third.article(index)
        assert after["modified_at"] and after["modified_at"] > (before["modified_at"] or "")
        if kind == "new_title":
            assert after["title"] != before["title"]
        else:
            assert after["body"].startswith(before["body"]) and after["body"] != before["body"]
        assert after["related"] == before["related"], "links stay from one day to the next"
    changed = {c["index"] for c in changes}
    untouched = [i for i in range(ARTICLES) if i not in changed]
    assert all(first.article(i) == third.article(i) for i in untouched)


# ---- the pages -------------------------------------------------------------------------


def test_pages_are_deterministic_and_validated(gazette: RunningGazette) -> None:
    site = gazette.site
    with start(ARTICLES, seed=1, peer=gazette.site.peer) as again:
        # same bytes but the base URL (another port)
        for index in (0, 1, 30, ARTICLES - 1):
            mine = ok(gazette.base_url, site.url_path(index))
            theirs = ok(again.base_url, site.url_path(index))
            assert mine == theirs.replace(again.base_url.encode(), gazette.base_url.encode())
    status, headers, _ = get(gazette.base_url, site.url_path(3))
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    again_status, _, _ = get(gazette.base_url, site.url_path(3), {"If-None-Match": headers["etag"]})
    assert again_status == 304


def test_pages_yield_the_ground_truth(gazette: RunningGazette, pages: dict[int, bytes]) -> None:
    site, base = gazette.site, gazette.base_url
    for index, html in pages.items():
        truth = site.article(index)
        read = read_page(html, base)
        assert read["canonical"] == base + truth["url_path"]
        for name in ("title", "lead", "body", "authors", "tags", "paywall_notice"):
            assert read[name] == truth[name], (index, name)
        assert read["caption"] == ([truth["image_caption"] + " "] if truth["image_url"] else [])
        assert read["credit"] == ([truth["image_credit"]] if truth["image_url"] else [])
        expected = [
            {"url": absolute(base, r), "title": r["title"], "kind": r["kind"]}
            for r in truth["related"]
        ]
        got = [{k: r[k] for k in ("url", "title", "kind")} for r in read["related"]]
        assert got == expected, index
        inline = [r for r in read["related"] if r["kind"] == "inline"]
        assert [r["marker"] for r in inline] == [
            r["marker"] for r in truth["related"] if r["kind"] == "inline"
        ]


def test_json_ld_and_metas_agree_with_the_truth(
    gazette: RunningGazette, pages: dict[int, bytes]
) -> None:
    site, base = gazette.site, gazette.base_url
    shapes = set()
    for index, html in pages.items():
        truth = site.article(index)
        data = news_article(html)
        shapes.add(html.count(b'"@graph"') + 2 * html.count(b'"WebSite"'))
        assert data["headline"] == truth["title"]
        assert data["description"] == truth["lead"]
        assert data["datePublished"] == truth["published_at"]
        assert data.get("dateModified") == truth["modified_at"]
        assert [a["name"] for a in data["author"]] == truth["authors"]
        assert all(a["@type"] == "Person" for a in data["author"])
        assert data["publisher"]["@type"] == "Organization"
        assert data["articleSection"] == truth["category"]
        keywords = data["keywords"]
        assert (keywords.split(", ") if isinstance(keywords, str) else keywords) == truth["tags"]
        if truth["image_url"]:
            assert data["image"] == {
                **data["image"],
                "@type": "ImageObject",
                "url": base + truth["image_url"],
            }
        doc = lxml.html.fromstring(html)
        meta = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        published = datetime.fromisoformat(meta["article:published_time"])
        assert published == datetime.fromisoformat(truth["published_at"])
        assert meta["article:published_time"].endswith("+00:00")
        assert doc.xpath('//meta[@property="article:tag"]/@content') == truth["tags"]
        assert meta["og:url"] == base + truth["url_path"] and meta["og:type"] == "article"
    assert shapes == {0, 1, 2}, "one object, a Figaro-like list and an @graph"


def test_cross_site_links_use_the_peer_and_lead_to_its_articles(
    gazette: RunningGazette, pages: dict[int, bytes], replica: RunningSite
) -> None:
    crossing = 0
    for index, html in pages.items():
        hrefs = lxml.html.fromstring(html).xpath("//article//a/@href")
        for link in gazette.site.article(index)["related"]:
            if link["site"] == "sputnik":
                crossing += 1
                assert link["url"] in hrefs and link["url"].startswith(replica.base_url + "/")
                path = urlsplit(link["url"]).path
                assert replica.site.decode_article_path(path) is not None
                status, _, body = get(replica.base_url, path)
                assert status == 200
                assert link["title"] in body.decode("utf-8")
    assert crossing == len(range(1, ARTICLES, 3))


# ---- discovery -------------------------------------------------------------------------


def test_robots_names_the_sitemaps(gazette: RunningGazette) -> None:
    robots = RobotFileParser()
    robots.parse(ok(gazette.base_url, "/robots.txt").decode().splitlines())
    assert robots.site_maps() == [
        gazette.url("/sitemap_index.xml"),
        gazette.url("/sitemap_news.xml"),
    ]
    assert robots.can_fetch("*", gazette.url(gazette.site.url_path(0)))


def test_sitemaps_list_every_article_exactly_once(gazette: RunningGazette) -> None:
    base = gazette.base_url
    index = ET.fromstring(ok(base, "/sitemap_index.xml"))
    locs = [loc.text or "" for loc in index.iter(f"{SM}loc")]
    assert len(locs) == 2  # September and October 2024
    listed = []
    for loc in locs:
        urlset = ET.fromstring(ok(base, urlsplit(loc).path))
        listed += [u.findtext(f"{SM}loc") for u in urlset.iter(f"{SM}url")]
    assert sorted(listed) == sorted(base + p for p in gazette.site.article_paths())
    news = ET.fromstring(ok(base, "/sitemap_news.xml"))
    recent = [u.findtext(f"{SM}loc") for u in news.iter(f"{SM}url")]
    newest = gazette.site.newest(1)[0]
    assert recent and recent[0] == gazette.article_url(newest)
    titles = [t.text for t in news.iter(f"{NEWS}title")]
    assert titles[0] == gazette.site.article(newest)["title"]
    assert get(base, "/sitemaps/articles-2023-01.xml")[0] == 404


def test_rss_lists_every_article_newest_first(gazette: RunningGazette) -> None:
    feed = ET.fromstring(ok(gazette.base_url, "/rss/une.xml"))
    links = [item.findtext("link") for item in feed.iter("item")]
    site = gazette.site
    assert links == [gazette.article_url(i) for i in range(site.count - 1, -1, -1)]


def test_rubrique_pages_reach_every_article(gazette: RunningGazette) -> None:
    site, base = gazette.site, gazette.base_url
    seen = set()
    home = lxml.html.fromstring(ok(base, "/"))
    rubriques = home.xpath('//nav[@class="site-nav"]//a/@href')
    assert len(rubriques) == 6
    for path in rubriques:
        target: str | None = path
        while target:
            doc = lxml.html.fromstring(ok(base, target))
            seen.update(doc.xpath('//a[@class="teaser__link"]/@href'))
            following = doc.xpath('//a[@rel="next"]/@href')
            target = urljoin(path, following[0]) if following else None
    assert seen == set(site.article_paths())


def test_routes_redirects_and_errors(gazette: RunningGazette) -> None:
    base, path = gazette.base_url, gazette.site.url_path(7)
    wrong = path.replace(path.split("/")[-1], "autre-titre_" + path.split("_")[-1])
    status, headers, _ = get(base, wrong)
    assert status == 301 and headers["location"] == base + path
    for target in ("/nulle-part/", "/region/?page=99", "/region/article/2024/09/16/x_612346.html"):
        assert get(base, target)[0] == 404, target
    for target in ("/abonnement/", "/sujet/environnement/", "/auteurs/marion-lefevre/"):
        assert get(base, target)[0] == 200, target


def test_every_link_of_an_article_leads_somewhere(
    gazette: RunningGazette, pages: dict[int, bytes], replica: RunningSite
) -> None:
    hrefs = set()
    for index in (0, 1, 2):
        hrefs.update(lxml.html.fromstring(pages[index]).xpath("//a/@href"))
    for href in sorted(hrefs):
        url = urljoin(gazette.base_url + "/", href)
        base = replica.base_url if url.startswith(replica.base_url) else gazette.base_url
        assert get(base, urlsplit(url).path)[0] == 200, href


def test_day_two_serves_edits_at_the_same_urls() -> None:
    with start(ARTICLES, seed=1) as running:
        edited = [c["index"] for c in running.site.on_day(2).changes(2) if c["kind"] != "new"]
        before = ok(running.base_url, running.site.url_path(edited[0]))
        running.set_day(2)
        after = ok(running.base_url, running.site.url_path(edited[0]))
        assert before != after
        assert news_article(after)["dateModified"] == running.site.article(edited[0])["modified_at"]
        assert ok(running.base_url, running.site.url_path(ARTICLES + 1))


# ---- the command line --------------------------------------------------------------------


def test_cli_serves_the_gazette_with_a_peer_until_sigterm() -> None:
    peer = "http://127.0.0.1:8765"
    command = [sys.executable, "-m", "mocksite", "--site", "gazette", "--port", "0"]
    command += ["--articles", "12", "--peer", peer, "--crawl-delay", "0.5"]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            base = process.stdout.readline().strip()
            assert base.startswith("http://127.0.0.1:")
            html = ok(base, Gazette(12, peer=peer).url_path(1))
            assert peer.encode() in html and "Gazette du Val" in html.decode()
            assert b"Crawl-delay: 0.5\n" in ok(base, "/robots.txt")
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--site", "gazette", "--faults"],
        ["--site", "gazette", "--hostile"],
        ["--site", "gazette", "--articles", "3"],
        ["--site", "gazette", "--peer", "ftp://x"],
        ["--site", "elsewhere"],
        ["--peer", "http://127.0.0.1:1"],
    ],
)
def test_cli_rejects_bad_gazette_arguments(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mocksite", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr


LAYERS = """
import sys, mocksite.gazette, mocksite.__main__
project = ("crawler", "archive", "extraction", "scrapy")
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in project)))
"""

DECLARATION = """
import json, sys
from extraction.sites import named
from mocksite.gazette import Gazette
import tests.sites_for_tests as declared
site, gazette = named("gazette"), Gazette(ARTICLES)
truths = gazette.articles_truth()
print(json.dumps({
    "articles": all(site.is_article_path(t["url_path"]) for t in truths),
    "listings": [site.listing_path.match(f"/{slug}/") is not None for slug in RUBRIQUES],
    "paywall": [any(p.fullmatch(t["paywall_notice"]) for p in site.strip_patterns)
                for t in truths if t["paywall_notice"]],
    "not_articles": [site.is_article_path(p) for p in ("/", "/region/", "/sujet/eau/")],
}))
"""


def test_the_gazette_shares_nothing_with_the_parser() -> None:
    command = [sys.executable, "-c", LAYERS]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_test_site_declaration_fits_the_replica() -> None:
    """tests/sites_for_tests.py, read off the replica's pages, matches its URLs and notices
    (in a subprocess: the declaration stays out of this process's site registry)."""
    from mocksite.gazette.site import RUBRIQUE_SLUGS

    code = DECLARATION.replace("ARTICLES", str(ARTICLES)).replace("RUBRIQUES", repr(RUBRIQUE_SLUGS))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout)
    assert found["articles"] and all(found["listings"]) and found["paywall"]
    assert all(found["paywall"]) and not any(found["not_articles"])
