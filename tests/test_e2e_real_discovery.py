"""End to end: the two real Sputnik pages of tests/fixtures/real, each served on 127.0.0.1 at
its own path, found only as the real platform publishes them: robots.txt ``Sitemap:`` line ->
sitemap index -> monthly sitemap. The home page links neither and the feed is empty.

The sitemaps are written as sputniknews.com, sputnikglobe.com and ria.ru publish theirs: an
index of monthly sitemaps ``/sitemap_article.xml?date_start=YYYYMMDD&date_end=YYYYMMDD``,
newest first, each an ``urlset`` of ``<loc>`` and ``<lastmod>``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archive import Archive

from .conftest import ROOT, run_crawl

pytestmark = pytest.mark.e2e

REAL = ROOT / "tests" / "fixtures" / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
#: The real pages' own paths (their canonical URLs on sputniknews.com).
PAGE_2020 = (
    "/radio_the_critical_hour/202004281079127690-some-us-states-begin-lifting-lockdowns-vp-pence"
    "-defiantly-tours-clinic-unmasked/"
)
PAGE_2019 = "/columnists/201911181077343476-royal-self-indicting-arrogance/"
APRIL_2020 = "/sitemap_article.xml?date_start=20200401&date_end=20200430"
NOVEMBER_2019 = "/sitemap_article.xml?date_start=20191101&date_end=20191130"
INDEX = "/sitemap_article_index.xml"
#: Where the index is when the site names it in robots.txt only (another path than the one
#: the spider knows).
ROBOTS_ONLY_INDEX = "/sitemaps/articles-index.xml"

XML = "application/xml; charset=utf-8"
SITEMAPS_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_index(base: str, entries: list[tuple[str, str]]) -> bytes:
    rows = "".join(
        f"<sitemap><loc>{escape(base + path)}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for path, lastmod in entries
    )
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAPS_NS}">\n'
    return (text + rows + "</sitemapindex>\n").encode()


def urlset(base: str, entries: list[tuple[str, str]]) -> bytes:
    rows = "".join(
        f"<url><loc>{escape(base + path)}</loc><lastmod>{lastmod}</lastmod></url>\n"
        for path, lastmod in entries
    )
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAPS_NS}">\n'
    return (text + rows + "</urlset>\n").encode()


class StaticSite:
    """Fixed responses by request target (path and query) on 127.0.0.1; 404 for any other."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                content_type, body = routes.get(self.path, ("text/plain", b"not found"))
                self.send_response(200 if self.path in routes else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def real_site(index_path: str) -> StaticSite:
    """The two real pages at their paths; robots.txt names the index at ``index_path``."""
    site = StaticSite()
    base = site.base_url
    html = "text/html; charset=utf-8"
    site.routes.update(
        {
            "/": (
                html,
                b"<html><head><title>Sputnik</title></head><body><h1>Sputnik</h1>"
                b"<p>Nothing linked here.</p></body></html>",
            ),
            "/robots.txt": (
                "text/plain; charset=utf-8",
                f"User-agent: *\nDisallow: /search/\n\nSitemap: {base}{index_path}\n".encode(),
            ),
            index_path: (
                XML,
                sitemap_index(
                    base,
                    [
                        (APRIL_2020, "2020-04-29T10:04:00+03:00"),
                        (NOVEMBER_2019, "2019-11-20T15:45:00+03:00"),
                    ],
                ),
            ),
            APRIL_2020: (XML, urlset(base, [(PAGE_2020, "2020-04-28T22:57:00+03:00")])),
            NOVEMBER_2019: (XML, urlset(base, [(PAGE_2019, "2019-11-18T21:17:00+03:00")])),
            "/export/rss2/archive/index.xml": (
                "application/rss+xml; charset=utf-8",
                b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                b"<title>Sputnik</title></channel></rss>\n",
            ),
            PAGE_2020: (html, (REAL / "en_sputniknews_2020_radio_critical_hour.html").read_bytes()),
            PAGE_2019: (
                html,
                (REAL / "en_sputniknews_2019_columnists_prince_andrew.html").read_bytes(),
            ),
        }
    )
    return site


@dataclass
class Crawled:
    site: StaticSite
    db: Path


def crawl_ok(db: Path, site: StaticSite, **settings: str) -> None:
    result = run_crawl(db, f"start={site.base_url}/", settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]


def fetches(db: Path, crawl_id: int) -> dict[str, dict[str, Any]]:
    with Archive(db) as archive:
        rows = archive.db.query("SELECT * FROM fetches WHERE crawl_id = ?", [crawl_id])
        return {row["url"]: row for row in rows}


def referers(db: Path) -> dict[str, str | None]:
    with Archive(db) as archive:
        return {row["url"]: row["referer"] for row in archive.db["frontier"].rows}


def assert_found_through_the_sitemaps(crawled: Crawled, index_path: str) -> None:
    """Both pages fetched as articles, each found in its monthly sitemap, listed by the index."""
    base, db = crawled.site.base_url, crawled.db
    done = fetches(db, 1)
    for path in (index_path, APRIL_2020, NOVEMBER_2019):
        assert (done[base + path]["status"], done[base + path]["outcome"]) == (200, "discovery")
    assert done[base + "/robots.txt"]["status"] == 200
    found_in = referers(db)
    assert found_in[base + PAGE_2020] == base + APRIL_2020
    assert found_in[base + PAGE_2019] == base + NOVEMBER_2019
    with Archive(db) as archive:
        for path, name in (
            (PAGE_2020, "en_sputniknews_2020_radio_critical_hour"),
            (PAGE_2019, "en_sputniknews_2019_columnists_prince_andrew"),
        ):
            assert done[base + path]["outcome"] == "new", path
            stored = archive.get_article(base + path)
            assert stored is not None, path
            assert stored["title"] == EXPECTED[name]["title"]
            assert stored["canonical_url"] == EXPECTED[name]["canonical_url"]
        assert archive.unreadable_pages() == []


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The index at the platform's path: crawled once, then again (incremental)."""
    site = real_site(INDEX)
    db = tmp_path_factory.mktemp("real-discovery") / "archive.db"
    try:
        crawl_ok(db, site)
        crawl_ok(db, site)
        yield Crawled(site, db)
    finally:
        site.stop()


def test_real_pages_are_found_through_robots_txt_the_index_and_monthly_sitemaps(
    crawled: Crawled,
) -> None:
    assert_found_through_the_sitemaps(crawled, INDEX)
    base = crawled.site.base_url
    # Named in robots.txt and known to the spider: asked for once.
    with Archive(crawled.db) as archive:
        asked = archive.db.execute(
            "SELECT count(*) FROM fetches WHERE crawl_id = 1 AND url = ?", [base + INDEX]
        ).fetchone()[0]
    assert asked == 1


def test_a_later_crawl_skips_past_months_unchanged_since_and_asks_for_the_current_one(
    crawled: Crawled,
) -> None:
    base = crawled.site.base_url
    again = fetches(crawled.db, 2)
    # The index dates November 2019 before the first crawl: not asked for. April 2020 is its
    # newest month: always asked for; its article, archived and not due, is not fetched again.
    assert base + NOVEMBER_2019 not in again
    assert again[base + APRIL_2020]["status"] == 200
    assert base + PAGE_2020 not in again and base + PAGE_2019 not in again
    with Archive(crawled.db) as archive:
        assert [c["status"] for c in archive.crawls()] == ["finished", "finished"]


@pytest.mark.parametrize("obey", ["True", "False"], ids=["robots-obeyed", "robots-not-obeyed"])
def test_an_index_named_only_in_robots_txt_is_found(obey: str, tmp_path: Path) -> None:
    """The index where only robots.txt says: read by the robots.txt middleware when robots.txt
    is obeyed, fetched by the spider for its Sitemap: lines when it is not."""
    site = real_site(ROBOTS_ONLY_INDEX)
    db = tmp_path / "archive.db"
    try:
        crawl_ok(db, site, ROBOTSTXT_OBEY=obey)
    finally:
        site.stop()
    done = fetches(db, 1)
    assert done[site.base_url + INDEX]["status"] == 404  # the spider's own guess: not here
    assert done[site.base_url + "/robots.txt"]["outcome"] == (
        "robots" if obey == "True" else "discovery"
    )
    assert_found_through_the_sitemaps(Crawled(site, db), ROBOTS_ONLY_INDEX)


def test_since_leaves_out_the_months_and_articles_before_it(tmp_path: Path) -> None:
    """``-a since=2020-01-01``: November 2019's sitemap is not asked for, its article not
    fetched; April 2020 and its article are."""
    site = real_site(INDEX)
    db = tmp_path / "archive.db"
    try:
        result = run_crawl(db, f"start={site.base_url}/", "since=2020-01-01")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        site.stop()
    base, done = site.base_url, fetches(db, 1)
    assert base + NOVEMBER_2019 not in done and base + PAGE_2019 not in done
    assert (done[base + APRIL_2020]["status"], done[base + PAGE_2020]["outcome"]) == (200, "new")
    with Archive(db) as archive:
        titles = [a["title"] for a in archive.db["articles"].rows]
        assert titles == [EXPECTED["en_sputniknews_2020_radio_critical_hour"]["title"]]
        assert archive.crawls()[0]["arguments"]["since"] == "2020-01-01"
