"""The replica for cron-grade crawling: conditional requests, hostile routes, robots.txt variants.

Fast: no test sleeps to wait for the server; slow and hanging routes are checked with short
client timeouts.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from mocksite import hostile
from mocksite.server import DEFAULT_CRAWL_DELAY, ROBOTS_MODES, RunningSite, start
from mocksite.site import Site

from .test_mocksite import ROOT, launch, locs, stop

N = 120
EXPECTED = {
    "rate_limited": "new",
    "unavailable": "new",
    "server_error_burst": "new",
    "always_500": "http_error",
    "slow": "new",
    "hang_after_headers": "error",
    "truncated": "error",
    "redirect_loop": "error",
    "gzip_bomb": "error",
    "huge_page": "error",
    "pdf_as_article": "not_article",
    "image_as_article": "not_article",
    "empty_200": "unreadable",
    "block_page": "unreadable",
    "script_title": "new",
    "private_links": "new",
    "calendar_trap": "discovery",
    "pagination_trap": "discovery",
}
OUTCOMES = {
    "new",
    "updated",
    "unchanged",
    "not_article",
    "unreadable",
    "discovery",
    "robots",
    "http_error",
    "error",
    "skipped",
    "gone",
    "alias",
    "refused",
}
ARTICLE_SHAPE = re.compile(r"/[a-z_]+/20170621(\d{10})-[a-z0-9-]+/")


# ---- helpers -------------------------------------------------------------------------


def request(
    base_url: str,
    target: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    timeout: float = 5,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; never follows redirects nor decompresses."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def routes(running: RunningSite) -> dict[str, dict[str, Any]]:
    return {route["kind"]: route for route in running.hostile_routes()}


def title_of(html: bytes) -> str:
    return str(lxml.html.fromstring(html).cssselect("h1")[0].text_content())


# ---- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain() -> Iterator[RunningSite]:
    with start(articles=N, seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[RunningSite]:
    with start(articles=N, seed=1, hostile=True) as running:
        yield running


@pytest.fixture()
def fresh(hostile_site: RunningSite) -> RunningSite:
    """The hostile site with its counted failures reset."""
    hostile_site.reset_faults()
    return hostile_site


# ---- conditional requests ------------------------------------------------------------


def test_pages_carry_strong_validators(plain: RunningSite) -> None:
    site = plain.site
    modified = next(i for i in range(5, N) if site.article(i)["modified_at"])
    unmodified = next(i for i in range(5, N) if not site.article(i)["modified_at"])
    day = site.article(0)["published_at"][:10].replace("-", "")

    def newest(indices: Any) -> Any:
        return max(site.meta(i).lastmod for i in indices)

    expected = {
        site.url_path(modified): site.meta(modified).modified,
        site.url_path(unmodified): site.meta(unmodified).published,
        "/": newest(site.newest(30)),
        "/international/": newest(site.rubrique_page(0, 1)[0]),
        "/france/": newest(site.rubrique_page(1, 1)[0]),
        f"/{day}/": newest(site.day_articles(0)),
        f"/sitemap_article.xml?date_start={day}&date_end={day}": newest(site.day_articles(0)),
        "/sitemap_article_index.xml": newest(range(N)),
        "/export/rss2/archive/index.xml": newest(site.newest(50)),
    }
    tags = set()
    for target, moment in expected.items():
        status, headers, body = request(plain.base_url, target)
        assert status == 200, target
        etag = headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag), (target, etag)  # strong, quoted
        assert etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        assert parsedate_to_datetime(headers["last-modified"]) == moment, target
        assert headers["last-modified"].endswith(" GMT")
        assert request(plain.base_url, target)[1]["etag"] == etag  # stable
        tags.add(etag)
    assert len(tags) == len(expected)
    for target in ("/nulle-part", "/robots.txt", site.short_path(3)):
        assert "etag" not in request(plain.base_url, target)[1], target


def test_if_none_match_and_if_modified_since_give_304(plain: RunningSite) -> None:
    site = plain.site
    for target in (
        site.url_path(7),
        "/",
        "/sitemap_article_index.xml",
        "/sitemap_article.xml?date_start=20170601&date_end=20170621",
        "/export/rss2/archive/index.xml",
    ):
        _, headers, _ = request(plain.base_url, target)
        etag, last_modified = headers["etag"], headers["last-modified"]
        before = plain.hits().get("not_modified", 0)
        for validators in (
            {"If-None-Match": etag},
            {"If-None-Match": f'"nope", W/{etag}'},  # weak comparison, in a list
            {"If-None-Match": "*"},
            {"If-Modified-Since": last_modified},
            {"If-Modified-Since": "Sat, 01 Jan 2033 00:00:00 GMT"},
        ):
            status, got, body = request(plain.base_url, target, validators)
            assert (status, body) == (304, b""), (target, validators)
            assert got["etag"] == etag and got["last-modified"] == last_modified
            assert "content-length" not in got and "content-type" not in got
        status, _, body = request(plain.base_url, target, {"If-None-Match": etag}, "HEAD")
        assert (status, body) == (304, b"")
        assert plain.hits()["not_modified"] == before + 6
        one_second_older = format_datetime(
            parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True
        )
        for validators in (
            {"If-None-Match": '"0123"'},
            {"If-None-Match": etag[:-2] + ("1" if etag[-2] == "0" else "0") + '"'},
            {"If-Modified-Since": one_second_older},
            {"If-Modified-Since": "not a date"},
            # If-None-Match wins over If-Modified-Since
            {"If-None-Match": '"0123"', "If-Modified-Since": last_modified},
        ):
            status, got, body = request(plain.base_url, target, validators)
            assert status == 200 and body and got["etag"] == etag, (target, validators)
        assert plain.hits()["not_modified"] == before + 6


def test_validators_follow_the_site_across_days() -> None:
    with start(articles=60, seed=2, mobile=False) as running:
        _, home, _ = request(running.base_url, "/")
        site = running.site
        edited = next(
            c["index"]
            for day in range(2, 9)
            for c in site.on_day(day).changes(day)
            if c["kind"] == "corrected_paragraph" and c["index"] < 60
        )
        path = site.url_path(edited)
        _, article, _ = request(running.base_url, path)
        when = next(
            day
            for day in range(2, 9)
            if {"index": edited, "kind": "corrected_paragraph"} in site.on_day(day).changes(day)
        )
        running.set_day(when)
        status, headers, _ = request(running.base_url, "/", {"If-None-Match": home["etag"]})
        assert status == 200 and headers["etag"] != home["etag"]
        status, _, _ = request(running.base_url, "/", {"If-Modified-Since": home["last-modified"]})
        assert status == 200  # newer articles on the home page
        for validators in (
            {"If-None-Match": article["etag"]},
            {"If-Modified-Since": article["last-modified"]},
        ):
            status, headers, _ = request(running.base_url, path, validators)
            assert status == 200, validators
        assert parsedate_to_datetime(headers["last-modified"]) == running.site.meta(edited).modified
        status, _, _ = request(running.base_url, path, {"If-None-Match": headers["etag"]})
        assert status == 304


# ---- default mode --------------------------------------------------------------------


def test_default_mode_has_no_hostile_routes(plain: RunningSite, hostile_site: RunningSite) -> None:
    home = request(plain.base_url, "/")[2]
    assert b"b-tests" not in home and b"1999000" not in home
    assert plain.site.hostile_routes() == [] and plain.hostile_routes() == []
    assert "hostile" not in vars(Site(10))  # default instances keep their attributes
    assert Site(10, hostile=True).hostile and not Site(10).hostile
    assert repr(Site(10, hostile=True)) == "Site(articles=10, seed=1, hostile=True)"
    assert Site(10, hostile=True).on_day(3).hostile
    for route in hostile_site.hostile_routes():
        status, _, body = request(plain.base_url, route["path"])
        assert status == 404 and b"Page introuvable" in body, route["kind"]
    assert request(plain.base_url, "/trap/?page=2")[0] == 404
    assert not any(kind.startswith("hostile_") for kind in plain.hits())


def test_hostile_mode_changes_only_the_home_page() -> None:
    plain_site, hostile_site = Site(300, seed=4), Site(300, seed=4, hostile=True)
    assert [plain_site.article(i) for i in range(0, 300, 13)] == [
        hostile_site.article(i) for i in range(0, 300, 13)
    ]
    assert list(plain_site.article_paths()) == list(hostile_site.article_paths())


# ---- hostile routes: ground truth ----------------------------------------------------


def test_ground_truth_names_every_route_and_its_outcome(hostile_site: RunningSite) -> None:
    truth = hostile_site.hostile_routes()
    assert [route["kind"] for route in truth] == list(EXPECTED)
    assert {route["kind"]: route["expected"] for route in truth} == EXPECTED
    assert {route["expected"] for route in truth} <= OUTCOMES
    site = hostile_site.site
    for route in truth:
        assert route["url"] == hostile_site.base_url + route["path"]
        assert route["note"]
        if route["kind"].endswith("_trap"):
            continue
        match = ARTICLE_SHAPE.fullmatch(route["path"])
        assert match, route["path"]
        assert int(match.group(1)) >= hostile.HOSTILE_ID  # beyond every id of the site
        assert site.index_for_path(route["path"]) is None
    by_kind = routes(hostile_site)
    assert by_kind["rate_limited"]["failures"] == {"status": 429, "count": 2}
    assert by_kind["unavailable"]["failures"] == {"status": 503, "count": 2}
    assert by_kind["server_error_burst"]["failures"] == {"status": 500, "count": 3}
    assert by_kind["script_title"]["title"] == hostile.SCRIPT_TITLE
    assert len(by_kind["redirect_loop"]["loop"]) == 2
    assert {link["expected"] for link in by_kind["private_links"]["links"]} == {"refused"}
    # the same site on another day, or built again, has the same routes
    again = Site(N, seed=1, hostile=True).on_day(2).hostile_routes(hostile_site.port)
    assert again == [{k: v for k, v in r.items() if k != "url"} for r in truth]
    # the model stays computed: a million articles cost nothing more
    big = Site(1_000_000, hostile=True)
    assert [r["path"] for r in big.hostile_routes()] == [r["path"] for r in truth]


def test_home_page_links_every_route_on_the_same_host(hostile_site: RunningSite) -> None:
    doc = lxml.html.fromstring(request(hostile_site.base_url, "/")[2])
    links = {li.get("data-kind"): li.find("a").get("href") for li in doc.cssselect(".b-tests li")}
    assert links == {route["kind"]: route["path"] for route in hostile_site.hostile_routes()}
    # the rest of the home page is the usual one
    assert len(doc.cssselect(".b-list a")) == 30
    mobile = request(hostile_site.mobile_base_url, "/")[2]
    assert b"b-tests" not in mobile


# ---- hostile routes: served as described ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "count"),
    [("rate_limited", 429, 2), ("unavailable", 503, 2), ("server_error_burst", 500, 3)],
)
def test_counted_failures_then_the_article(
    fresh: RunningSite, kind: str, status: int, count: int
) -> None:
    route = routes(fresh)[kind]
    for attempt in range(count):
        got, headers, body = request(fresh.base_url, route["path"])
        assert got == status, attempt
        assert headers.get("retry-after") == ("1" if status != 500 else None)
        assert b"b-article" not in body
    for _ in range(2):
        got, headers, body = request(fresh.base_url, route["path"])
        assert got == 200 and title_of(body) == route["title"]
        assert "retry-after" not in headers and headers["etag"]
    assert fresh.fault_counts() == {route["path"]: count + 2}
    fresh.reset_faults()
    assert fresh.fault_counts() == {}
    assert request(fresh.base_url, route["path"])[0] == status  # failing again


def test_failures_are_counted_per_path_across_threads(fresh: RunningSite) -> None:
    limited, unavailable = routes(fresh)["rate_limited"], routes(fresh)["unavailable"]
    statuses: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    def hammer(route: dict[str, Any]) -> None:
        for _ in range(4):
            status = request(fresh.base_url, route["path"])[0]
            with lock:
                statuses[route["kind"], status] += 1

    threads = [threading.Thread(target=hammer, args=(r,)) for r in [limited, unavailable] * 6]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {
        ("rate_limited", 429): 2,
        ("rate_limited", 200): 22,
        ("unavailable", 503): 2,
        ("unavailable", 200): 22,
    }


def test_always_500_never_recovers(fresh: RunningSite) -> None:
    route = routes(fresh)["always_500"]
    assert {request(fresh.base_url, route["path"])[0] for _ in range(6)} == {500}


def test_slow_route_outlasts_a_short_timeout(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["slow"]
    with pytest.raises(TimeoutError):
        request(hostile_site.base_url, route["path"], timeout=0.3)
    response = hostile_site.app.handle(route["path"])  # what comes after the delay
    assert (response.status, response.action) == (200, "slow")
    assert title_of(response.body) == route["title"]
    assert hostile.SLOW_SECONDS == 2


def test_hang_after_headers_sends_headers_then_nothing(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["hang_after_headers"]
    connection = http.client.HTTPConnection("127.0.0.1", hostile_site.port, timeout=0.4)
    try:
        connection.request("GET", route["path"])
        response = connection.getresponse()  # the headers arrive
        assert response.status == 200 and int(response.getheader("Content-Length")) > 1000
        with pytest.raises(TimeoutError):
            response.read()
    finally:
        connection.close()


def test_truncated_body_stops_short_of_its_length(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["truncated"]
    connection = http.client.HTTPConnection("127.0.0.1", hostile_site.port, timeout=5)
    try:
        connection.request("GET", route["path"])
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Length") == "20000"
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
    finally:
        connection.close()
    assert len(caught.value.partial) == 3000
    assert caught.value.partial.startswith(b"<!DOCTYPE html>")


def test_redirect_loop(hostile_site: RunningSite) -> None:
    a, b = routes(hostile_site)["redirect_loop"]["loop"]
    assert ARTICLE_SHAPE.fullmatch(b)
    status, headers, _ = request(hostile_site.base_url, a)
    assert (status, headers["location"]) == (301, hostile_site.url(b))
    status, headers, _ = request(hostile_site.base_url, b)
    assert (status, headers["location"]) == (301, hostile_site.url(a))
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(hostile_site.url(a), timeout=5)
    caught.value.close()
    assert "infinite loop" in str(caught.value.reason)


def test_calendar_trap_never_ends_and_lists_no_article(hostile_site: RunningSite) -> None:
    target, seen = routes(hostile_site)["calendar_trap"]["path"], []
    for _ in range(20):
        status, _, body = request(hostile_site.base_url, target)
        assert status == 200
        doc = lxml.html.fromstring(body)
        assert not doc.cssselect(".b-list a")
        hrefs = doc.xpath("//a/@href")
        assert not [h for h in hrefs if ARTICLE_SHAPE.fullmatch(urlsplit(h).path)]
        assert doc.xpath('//a[@rel="prev"]/@href')
        seen.append(target)
        target = doc.xpath('//a[@rel="next"]/@href')[0]
    assert seen[0] == "/calendar/2017/06/" and "/calendar/2018/01/" in seen
    assert target == "/calendar/2019/02/" and len(set(seen)) == 20
    far = lxml.html.fromstring(request(hostile_site.base_url, "/calendar/9999/12/")[2])
    assert far.xpath('//a[@rel="next"]/@href') == ["/calendar/10000/01/"]
    assert request(hostile_site.base_url, "/calendar/10000/01/")[0] == 200
    for bad in ("/calendar/2017/13/", "/calendar/2017/00/", "/calendar/17/06/"):
        assert request(hostile_site.base_url, bad)[0] == 404, bad


def test_pagination_trap_never_ends_and_lists_no_article(hostile_site: RunningSite) -> None:
    target = routes(hostile_site)["pagination_trap"]["path"]
    for page in range(1, 16):
        status, _, body = request(hostile_site.base_url, target)
        assert status == 200
        doc = lxml.html.fromstring(body)
        assert not doc.cssselect(".b-list a")
        target = doc.xpath('//a[@rel="next"]/@href')[0]
        assert target == f"/trap/?page={page + 1}"
    deep = lxml.html.fromstring(request(hostile_site.base_url, "/trap/?page=987654321")[2])
    assert deep.xpath('//a[@rel="next"]/@href') == ["/trap/?page=987654322"]
    assert deep.xpath('//a[@rel="prev"]/@href') == ["/trap/?page=987654320"]
    for bad in ("/trap/?page=0", "/trap/?page=01", "/trap/?page=x"):
        assert request(hostile_site.base_url, bad)[0] == 404, bad


def test_gzip_bomb_is_small_and_inflates_to_spaces(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["gzip_bomb"]
    status, headers, body = request(hostile_site.base_url, route["path"])
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"].startswith("text/html")
    assert int(headers["content-length"]) == len(body) < 200_000
    inflater = zlib.decompressobj(wbits=31)
    first = inflater.decompress(body[:4096], 1 << 20)
    assert first and set(first) == {ord(" ")}
    total, pending = len(first), inflater.unconsumed_tail + body[4096:]
    while pending or not inflater.eof:  # in bounded steps: the test itself stays small
        chunk = inflater.decompress(pending, 1 << 22)
        pending = inflater.unconsumed_tail
        total += len(chunk)
        if not chunk and not pending:
            break
    assert inflater.eof and total == 100 * 1024 * 1024
    assert hostile.gzip_bomb() is hostile.gzip_bomb()  # compressed once


def test_huge_page_announces_40_mib_and_streams(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["huge_page"]
    connection = http.client.HTTPConnection("127.0.0.1", hostile_site.port, timeout=5)
    try:
        connection.request("GET", route["path"])
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/html")
        assert int(response.getheader("Content-Length")) == 40 * 1024 * 1024
        prefix = response.read(65536)
    finally:
        connection.close()
    assert prefix.startswith(b"<!DOCTYPE html>") and b"<p>" in prefix
    chunks = hostile.huge_chunks()
    assert sum(len(chunk) for chunk in chunks) == 40 * 1024 * 1024
    assert max(len(chunk) for chunk in hostile.huge_chunks()) < 1 << 20
    status, headers, body = request(hostile_site.base_url, route["path"], method="HEAD")
    assert (status, body, headers["content-length"]) == (200, b"", str(40 * 1024 * 1024))


def test_non_articles_under_article_urls(hostile_site: RunningSite) -> None:
    by_kind = routes(hostile_site)
    status, headers, body = request(hostile_site.base_url, by_kind["pdf_as_article"]["path"])
    assert (status, headers["content-type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    status, headers, body = request(hostile_site.base_url, by_kind["image_as_article"]["path"])
    assert (status, headers["content-type"]) == (200, "image/jpeg")
    assert body.startswith(b"\xff\xd8\xff\xe0") and b"JFIF\x00" in body[:12]
    assert body.endswith(b"\xff\xd9")
    status, headers, body = request(hostile_site.base_url, by_kind["empty_200"]["path"])
    assert (status, body, headers["content-length"]) == (200, b"", "0")
    assert headers["content-type"].startswith("text/html")
    status, headers, body = request(hostile_site.base_url, by_kind["block_page"]["path"])
    assert status == 200 and headers["content-type"].startswith("text/html")
    doc = lxml.html.fromstring(body)
    assert doc.findtext(".//title") == "Access denied"
    assert "Vérification que vous n'êtes pas un robot" in doc.text_content()
    assert not doc.cssselect("article, .b-article, .article, [itemprop=articleBody]")
    assert b"ld+json" not in body


def test_script_title_is_escaped_and_parses_to_the_literal(hostile_site: RunningSite) -> None:
    route = routes(hostile_site)["script_title"]
    status, _, body = request(hostile_site.base_url, route["path"])
    assert status == 200
    # markup only inside JSON-LD if any, where "</" is written "<\/"
    outside = re.sub(rb'<script type="application/ld\+json">.*?</script>', b"", body)
    assert b"<script>alert" not in outside and b"<img src=x" not in outside
    assert outside.count(b"</script>") == 0
    doc = lxml.html.fromstring(body)
    title = hostile.SCRIPT_TITLE
    assert doc.cssselect(".b-article__header-title h1")[0].text_content() == title
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert og["og:title"] == title
    for ld in doc.xpath('//script[@type="application/ld+json"]/text()'):  # current layout
        assert json.loads(ld)["headline"] == title
    text = doc.cssselect(".b-article__text")[0].text_content()
    assert hostile.SCRIPT_PARAGRAPH in text and "DROP TABLE articles" in text
    truth = hostile_site.hostile_article("script_title")
    assert truth["title"] == title and truth["body"].startswith(hostile.SCRIPT_PARAGRAPH)
    assert truth["url_path"] == route["path"] and truth["index"] is None


def test_private_links_are_in_lire_aussi_and_fetching_one_shows(
    hostile_site: RunningSite,
) -> None:
    route = routes(hostile_site)["private_links"]
    urls = [link["url"] for link in route["links"]]
    assert urls[:4] == [
        "http://10.0.0.1/x",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
    ]
    assert urls[5:] == ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,x"]
    leak = urls[4]
    assert leak.startswith(f"http://localhost:{hostile_site.port}/")
    status, _, body = request(hostile_site.base_url, route["path"])
    assert status == 200 and title_of(body) == route["title"]
    doc = lxml.html.fromstring(body)
    related = doc.xpath('//div[@class="b-article__text"]/ul//a/@href')
    assert related == urls
    truth = hostile_site.hostile_article("private_links")
    assert [r["path"] for r in truth["related"]] == urls
    # a crawler that follows the loopback link is seen: that route counts its fetches
    assert "hostile_private_leak" not in hostile_site.hits()
    assert request(hostile_site.base_url, urlsplit(leak).path)[0] == 200
    assert hostile_site.hits()["hostile_private_leak"] == 1


def test_hostile_articles_are_articles_of_their_own(hostile_site: RunningSite) -> None:
    site = hostile_site.site
    titles = {site.meta(i).title for i in range(N)}
    for kind in ("rate_limited", "unavailable", "server_error_burst", "slow", "private_links"):
        truth = hostile_site.hostile_article(kind)
        assert truth["title"] not in titles and truth["body"] and truth["lead"], kind
        assert truth["layout"] == "legacy" and truth["published_at"].startswith("2017-06-21")
    with pytest.raises(ValueError):
        site.hostile_spec("gzip_bomb")


def test_hostile_routes_survive_set_day() -> None:
    with start(articles=40, seed=3, hostile=True, mobile=False) as running:
        route = routes(running)["rate_limited"]
        assert request(running.base_url, route["path"])[0] == 429
        running.set_day(2)
        assert running.site.hostile
        assert request(running.base_url, route["path"])[0] == 429  # counts kept
        assert request(running.base_url, route["path"])[0] == 200
        assert b"b-tests" in request(running.base_url, "/")[2]


# ---- robots.txt ----------------------------------------------------------------------


def robots_of(mode: str, crawl_delay: float | None = None) -> tuple[int, dict[str, str], bytes]:
    with start(articles=10, robots=mode, crawl_delay=crawl_delay, mobile=False) as running:
        assert running.robots == mode
        answer = request(running.base_url, "/robots.txt")
        assert request(running.base_url, "/")[0] == 200  # the rest of the site is served
        return answer


def test_robots_normal_disallow_all_and_crawl_delay() -> None:
    status, _, body = robots_of("normal")
    assert status == 200 and b"Allow: /\n" in body and b"Crawl-delay" not in body
    status, _, body = robots_of("disallow_all")
    assert status == 200 and body.startswith(b"User-agent: *\nDisallow: /\n")
    assert b"Allow:" not in body
    status, _, body = robots_of("crawl_delay")
    assert status == 200 and f"Crawl-delay: {DEFAULT_CRAWL_DELAY:g}\n".encode() in body
    assert b"Disallow: /search" in body
    status, _, body = robots_of("crawl_delay", crawl_delay=0.5)
    assert b"Crawl-delay: 0.5\n" in body
    assert b"Crawl-delay: 3\n" in robots_of("normal", crawl_delay=3)[2]


def test_robots_server_errors() -> None:
    status, headers, _ = robots_of("error_500")
    assert status == 500
    status, headers, _ = robots_of("error_503")
    assert status == 503 and headers["retry-after"] == "1"


def test_robots_unreachable_resets_the_connection() -> None:
    with start(articles=10, robots="unreachable", mobile=False) as running:
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            request(running.base_url, "/robots.txt")
        sock = socket.create_connection(("127.0.0.1", running.port), timeout=5)
        try:
            sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                received = sock.recv(1024)
            except ConnectionResetError:
                received = b""
        finally:
            sock.close()
        assert received == b""  # not one byte of a response
        assert running.hits()["robots"] == 2
        assert request(running.base_url, "/")[0] == 200


def test_robots_modes_are_checked() -> None:
    assert set(ROBOTS_MODES) == {
        "normal",
        "error_500",
        "error_503",
        "unreachable",
        "disallow_all",
        "crawl_delay",
        "disallow_photos",
    }
    with pytest.raises(ValueError):
        start(articles=10, robots="sometimes")


# ---- command line --------------------------------------------------------------------


def test_cli_hostile_and_robots() -> None:
    process, base = launch("--articles", "30", "--hostile", "--robots", "disallow_all")
    try:
        assert b"Disallow: /\n" in request(base, "/robots.txt")[2]
        home = request(base, "/")[2]
        kinds = lxml.html.fromstring(home).xpath("//li[@data-kind]/@data-kind")
        assert kinds == list(EXPECTED)
        always_500 = Site(30, hostile=True).hostile_routes()[3]
        assert always_500["kind"] == "always_500"
        assert request(base, always_500["path"])[0] == 500
    finally:
        assert stop(process) == 0
    result = subprocess.run(
        [sys.executable, "-m", "mocksite", "--robots", "sometimes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""


def test_cli_crawl_delay_mode() -> None:
    process, base = launch("--articles", "10", "--robots", "crawl_delay", "--crawl-delay", "2")
    try:
        body = request(base, "/robots.txt")[2]
        assert b"Crawl-delay: 2\n" in body
        assert locs(request(base, "/sitemap_article_index.xml")[2], "sitemap")
    finally:
        assert stop(process) == 0
