"""Every fetched article page is kept: a 2xx HTML page under an article URL that the extractor
cannot read (no article found, or an error) is an ``unreadable`` fetch with its raw capture,
listed by ``archive stats --check`` and read again by ``archive reparse`` once a page object
can read it."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from scrapy.http import Request, Response, TextResponse

from archive import Archive, Capture, Fetch, FrontierEntry, stats
from archive.cli import cli
from archive.reparse import extract, reparse
from crawler.spiders.sputnik import SputnikSpider
from extraction.items import ROLE_ARTICLE
from extraction.pages import SputnikArticlePage

from .test_frontier_spider import ROOT, ChokingPage, Crawl, html

URL = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"
OTHER = "http://127.0.0.1:8000/international/201706211031850425-autre/"
RELATED = "http://127.0.0.1:8000/international/201706211031850421-lavrov/"

#: An article page whose headline sits in markup the Sputnik page object does not know (and
#: no <title>, og:title or JSON-LD to fall back on): it finds no title, so no article.
UNTITLED_PAGE = f"""<html lang="fr"><head><meta charset="utf-8"></head><body>
<div class="b-article">
<div class="titre-nouveau">La Syrie et la Russie signent un accord</div>
<div class="b-article__lead"><p>Le chapeau de l’accord.</p></div>
<div class="b-article__text" itemprop="articleBody"><p>Premier paragraphe.</p><p>Second.</p>
<div class="b-inject"><strong>Lire aussi:</strong><ul>
<li><a href="{RELATED}">Lavrov parle</a></li></ul></div></div>
<div class="tags"><a href="/tags/syrie/">Syrie</a><a href="/tags/russie/">Russie</a></div>
</div></body></html>"""
TITLE = "La Syrie et la Russie signent un accord"

HTML_UTF8 = {"Content-Type": ["text/html; charset=utf-8"]}


class TitledPage(SputnikArticlePage):
    """A page object that knows the new headline markup: it reads :data:`UNTITLED_PAGE`."""

    extractor_version = "2-test"

    @property
    def title(self) -> str | None:
        found = self.css(".titre-nouveau")
        return super().title or (found[0].text_content().strip() if found else None)


def untitled_response(url: str = URL) -> Any:
    return html(url, UNTITLED_PAGE, related_hop=0)


def fetch_rows(archive: Archive) -> list[dict[str, Any]]:
    return archive.rows("SELECT * FROM fetches ORDER BY id")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_the_page_object_reads_no_article_and_the_test_page_object_does() -> None:
    # What the other tests rest on: the default extractor cannot read the page, TitledPage can.
    body = UNTITLED_PAGE.encode()
    assert not extract(URL, body, HTML_UTF8).is_article
    assert extract(URL, body, HTML_UTF8, TitledPage).title == TITLE


# -- the archive --------------------------------------------------------------------------


def test_an_unreadable_fetch_keeps_its_capture_and_settles_its_frontier_row(db: Path) -> None:
    body = UNTITLED_PAGE.encode()
    fetched_at = "2024-05-01T03:00:00.000+00:00"
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        archive.add_to_frontier([FrontierEntry(URL)], crawl_id=crawl)
        fetch = Fetch(url=URL, status=200, bytes=len(body), fetched_at=fetched_at)
        capture = Capture(url=URL, status=200, headers=HTML_UTF8, body=body)
        fetch_id = archive.record_fetch(crawl, fetch, "unreadable", frontier=URL, capture=capture)
        counts = archive.finish_crawl(crawl, "finished")
        [row] = fetch_rows(archive)
        [stored] = archive.rows("SELECT * FROM captures")
        frontier = archive.frontier_counts()
        [crawl_row] = archive.crawls()
        pages = archive.unreadable_pages()
    assert (row["id"], row["outcome"], row["article_id"]) == (fetch_id, "unreadable", None)
    assert row["capture_id"] == stored["id"]
    assert (stored["url"], stored["status"], stored["crawl_id"]) == (URL, 200, crawl)
    assert stored["fetched_at"] == fetched_at
    assert json.loads(stored["headers"]) == HTML_UTF8
    assert stored["compression"] == "zlib"
    assert zlib.decompress(stored["body"]) == body
    assert stored["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert stored["body_size"] == len(body)
    assert frontier == {"pending": 0, "done": 1}
    assert (counts["unreadable"], counts["not_article"], counts["fetched"]) == (1, 0, 1)
    assert crawl_row["unreadable"] == 1
    assert [(p["id"], p["url"], p["capture_id"], p["error"]) for p in pages] == [
        (fetch_id, URL, stored["id"], None)
    ]


def test_the_same_unreadable_page_fetched_twice_is_kept_once(db: Path) -> None:
    capture = Capture(url=URL, status=200, headers=HTML_UTF8, body=UNTITLED_PAGE.encode())
    with Archive(db) as archive:
        for _ in range(2):
            crawl = archive.begin_crawl("sputnik", {})
            archive.record_fetch(crawl, Fetch(url=URL, status=200), "unreadable", capture=capture)
        ids = [row["capture_id"] for row in fetch_rows(archive)]
        assert archive.counts()["captures"] == 1
    assert ids[0] == ids[1] is not None


def test_an_unreadable_fetch_without_its_capture_is_refused(db: Path) -> None:
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        with pytest.raises(ValueError, match="needs its capture"):
            archive.record_fetch(crawl, Fetch(url=URL, status=200), "unreadable")
        assert fetch_rows(archive) == []


# -- the spider and the store pipeline ------------------------------------------------------


def crawl_one(db: Path, response: Any, page_class: type[SputnikArticlePage] | None = None) -> None:
    """One crawl that requests URL (a pending frontier row) and gets ``response``."""
    crawl = Crawl(db, start=ROOT)
    if page_class is not None:
        crawl.spider.page_class = page_class
    crawl.spider._admit([crawl.spider._article_request(URL, hop=0)], ROOT)
    assert crawl.run(crawl.spider.parse_article(response)) == []
    crawl.close()


@pytest.mark.parametrize(
    ("page_class", "error"),
    [
        pytest.param(None, None, id="no_title"),
        pytest.param(ChokingPage, "extraction failed: ValueError: Invalid IPv6 URL", id="raises"),
    ],
)
def test_an_html_page_the_extractor_cannot_read_is_unreadable_with_its_capture(
    db: Path, page_class: type[SputnikArticlePage] | None, error: str | None
) -> None:
    crawl_one(db, untitled_response(), page_class)
    with Archive(db) as archive:
        [fetch] = fetch_rows(archive)
        [crawl] = archive.crawls()
        assert (fetch["url"], fetch["status"], fetch["outcome"]) == (URL, 200, "unreadable")
        assert (fetch["error"], fetch["article_id"]) == (error, None)
        capture = archive.capture(fetch["capture_id"])
        assert (capture.url, capture.status, capture.body) == (URL, 200, UNTITLED_PAGE.encode())
        assert archive.counts()["articles"] == 0
        assert archive.pending_frontier() == []
    assert (crawl["status"], crawl["unreadable"], crawl["not_article"]) == ("finished", 1, 0)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(Response(URL, body=b"%PDF-1.4", request=Request(URL)), id="pdf"),
        pytest.param(
            TextResponse(
                URL,
                body=b"Pas une page",
                encoding="utf-8",
                headers={"Content-Type": "text/plain; charset=utf-8"},
                request=Request(URL),
            ),
            id="plain_text",
        ),
    ],
)
def test_a_page_that_is_not_html_stays_not_article_without_capture(
    db: Path, response: Response
) -> None:
    crawl_one(db, response)
    with Archive(db) as archive:
        [fetch] = fetch_rows(archive)
        [crawl] = archive.crawls()
        assert (fetch["outcome"], fetch["capture_id"]) == ("not_article", None)
        assert archive.counts()["captures"] == 0
        assert archive.pending_frontier() == []
    assert (crawl["unreadable"], crawl["not_article"]) == (0, 1)


def test_the_spider_keeps_the_raw_body_of_html_pages_only() -> None:
    spider = SputnikSpider(urls=URL)
    [untitled] = list(spider.parse_article(untitled_response()))
    plain = TextResponse(URL, body=b"<p>x</p>", encoding="utf-8", request=Request(URL))
    [text] = list(spider.parse_article(plain))
    assert (untitled.role, untitled.body) == (ROLE_ARTICLE, UNTITLED_PAGE.encode())
    assert untitled.article is not None and not untitled.article.is_article
    assert (text.role, text.body) == (ROLE_ARTICLE, None)


# -- archive stats --check -----------------------------------------------------------------


def record_unreadable(
    archive: Archive, crawl: int, url: str, fetched_at: str, error: str | None = None
) -> int:
    body = UNTITLED_PAGE.replace(URL, url).encode()
    capture = Capture(url=url, status=200, headers=HTML_UTF8, body=body)
    fetch = Fetch(url=url, status=200, fetched_at=fetched_at, error=error)
    return archive.record_fetch(crawl, fetch, "unreadable", capture=capture)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_stats_check_lists_the_unreadable_pages_of_the_latest_crawl(db: Path) -> None:
    with Archive(db) as archive:
        older = archive.begin_crawl("sputnik", {})
        record_unreadable(archive, older, OTHER, "2024-04-30T03:00:00.000+00:00")
        archive.finish_crawl(older, "finished")
        latest = archive.begin_crawl("sputnik", {})
        first = record_unreadable(archive, latest, URL, "2024-05-01T03:00:00.000+00:00")
        failed = "extraction failed: ValueError: x"
        second = record_unreadable(archive, latest, OTHER, "2024-05-01T03:00:01.000+00:00", failed)
        archive.finish_crawl(latest, "interrupted", status="interrupted")
        archive.begin_crawl("sputnik", {})  # running: not looked at
        result = stats.check(archive)
    assert not result.ok and result.alerts == []
    assert result.unreadable_crawl_id == latest
    assert [(p.fetch_id, p.url, p.crawl_id, p.error) for p in result.unreadable] == [
        (first, URL, latest, None),
        (second, OTHER, latest, failed),
    ]
    human = run(db, "stats", "--check")
    assert human.exit_code == 1, human.output
    lines = human.stdout.splitlines()
    assert lines[0] == (
        f"unreadable: 2 pages of crawl {latest} kept but not read as articles"
        " (archive reparse reads them again)"
    )
    assert lines[1].split() == ["url", "crawl", "fetched", "error"]
    assert lines[2].split() == [
        URL,
        str(latest),
        "2024-05-01",
        "03:00:00",
        "UTC",
        "no",
        "article",
        "found",
    ]
    assert lines[3].split()[:5] == [OTHER, str(latest), "2024-05-01", "03:00:01", "UTC"]
    assert lines[3].endswith(failed)
    assert len(lines) == 4
    as_json = run(db, "stats", "--check", "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["unreadable_crawl_id"] == latest
    assert [
        (p["url"], p["crawl_id"], p["fetched_at"], p["error"]) for p in report["unreadable"]
    ] == [
        (URL, latest, "2024-05-01T03:00:00.000+00:00", None),
        (OTHER, latest, "2024-05-01T03:00:01.000+00:00", failed),
    ]


def test_stats_check_is_ok_when_the_latest_crawl_read_every_page(db: Path) -> None:
    with Archive(db) as archive:
        older = archive.begin_crawl("sputnik", {})
        record_unreadable(archive, older, URL, "2024-04-30T03:00:00.000+00:00")
        archive.finish_crawl(older, "finished")
        latest = archive.begin_crawl("sputnik", {})
        archive.finish_crawl(latest, "finished")
    result = run(db, "stats", "--check")
    assert (result.exit_code, result.stdout) == (0, "ok\n")


# -- archive reparse -------------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reparse_json(db: Path, *args: str) -> dict[str, Any]:
    result = run(db, "reparse", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


PAGE_CLASS = f"{__name__}.TitledPage"


def test_reparse_turns_an_unreadable_page_into_the_article_the_crawl_would_have_stored(
    db: Path,
) -> None:
    crawl_one(db, untitled_response())
    with Archive(db) as archive:
        [fetch] = fetch_rows(archive)
    assert run(db, "stats", "--check").exit_code == 1

    # The default page object still cannot read it: nothing is written.
    before = sha(db)
    report = reparse_json(db)
    assert (report["unreadable_examined"], report["read_count"]) == (1, 0)
    [still] = report["still_unreadable"]
    assert (still["fetch_id"], still["capture_id"]) == (fetch["id"], fetch["capture_id"])
    assert still["reason"] == "no article found (no title, or neither lead nor body)"
    # --dry-run with a page object that can: reported, nothing written.
    dry = reparse_json(db, "--dry-run", "--page-class", PAGE_CLASS)
    assert dry["dry_run"] is True and dry["extractor"] == "TitledPage"
    assert dry["read"] == [
        {
            "fetch_id": fetch["id"],
            "url": URL,
            "crawl_id": fetch["crawl_id"],
            "capture_id": fetch["capture_id"],
            "title": TITLE,
            "article_id": None,
            "outcome": None,
        }
    ]
    assert sha(db) == before

    human = run(db, "reparse", "--page-class", PAGE_CLASS)
    assert human.exit_code == 0, human.output
    assert human.stdout.splitlines()[1:] == [
        "unreadable pages: examined 1; read as articles 1, still unreadable 0",
        f"  read fetch {fetch['id']} {URL} (crawl {fetch['crawl_id']}) -> article 1 (new)",
    ]
    with Archive(db) as archive:
        article = archive.get_article(URL)
        [version] = archive.versions(URL)
        [after] = fetch_rows(archive)
        hits = archive.search("accord")
    assert article is not None
    assert (article["id"], article["title"], article["lead"]) == (
        1,
        TITLE,
        "Le chapeau de l’accord.",
    )
    assert article["body"] == "Premier paragraphe.\n\nSecond."
    assert article["tags"] == ["Syrie", "Russie"]
    assert [(r["url"], r["title"]) for r in article["related"]] == [(RELATED, "Lavrov parle")]
    assert (article["first_crawl_id"], article["last_crawl_id"]) == (fetch["crawl_id"],) * 2
    assert article["first_seen_at"] == article["last_seen_at"] == fetch["fetched_at"]
    assert (version["capture_id"], version["crawl_id"]) == (fetch["capture_id"], fetch["crawl_id"])
    assert version["fetched_at"] == fetch["fetched_at"]
    assert (version["extractor"], version["extractor_version"]) == ("TitledPage", "2-test")
    # The fetch row says what the crawl saw, and now which article the page is: no new row.
    assert {**fetch, "article_id": 1} == after
    assert [hit["id"] for hit in hits] == [1]
    check = run(db, "stats", "--check")
    assert (check.exit_code, check.stdout) == (0, "ok\n")

    # A second reparse has nothing left to read, and writes nothing.
    before = sha(db)
    again = reparse_json(db, "--page-class", PAGE_CLASS)
    assert (again["unreadable_examined"], again["read"], again["still_unreadable"]) == (0, [], [])
    assert (again["examined"], again["unchanged"], again["changed"]) == (1, 1, [])
    assert sha(db) == before


def test_an_unreadable_page_fetched_in_two_crawls_is_read_in_their_order(db: Path) -> None:
    with Archive(db) as archive:
        crawls = []
        for day in ("2024-05-01", "2024-05-02"):
            crawl = archive.begin_crawl("sputnik", {})
            record_unreadable(archive, crawl, URL, f"{day}T03:00:00.000+00:00")
            archive.finish_crawl(crawl, "finished")
            crawls.append(crawl)
        report = reparse(archive, page_class=TitledPage)
        article = archive.get_article(URL)
        resolved = [row["article_id"] for row in fetch_rows(archive)]
        versions = archive.versions(URL)
    assert [(r.crawl_id, r.outcome) for r in report.read] == [
        (crawls[0], "new"),
        (crawls[1], "unchanged"),
    ]
    assert article is not None and resolved == [article["id"]] * 2
    assert (article["first_crawl_id"], article["last_crawl_id"]) == tuple(crawls)
    assert article["first_seen_at"] == "2024-05-01T03:00:00.000+00:00"
    assert article["last_seen_at"] == "2024-05-02T03:00:00.000+00:00"
    assert len(versions) == 1


def test_an_unreadable_page_older_than_the_archived_article_is_not_stored_over_it(
    db: Path,
) -> None:
    with Archive(db) as archive:
        old = archive.begin_crawl("sputnik", {})
        fetch_id = record_unreadable(archive, old, URL, "2024-05-01T03:00:00.000+00:00")
        archive.finish_crawl(old, "finished")
        # A later crawl, with a fixed extractor, read the page as it was by then.
        later = archive.begin_crawl("sputnik", {})
        current = extract(URL, UNTITLED_PAGE.encode(), HTML_UTF8, TitledPage).to_dict()
        current["title"] = "Un titre corrigé depuis"
        fetch = Fetch(url=URL, status=200, fetched_at="2024-05-03T03:00:00.000+00:00")
        stored = archive.store_article(current, crawl_id=later, fetch=fetch)
        archive.finish_crawl(later, "finished")
        report = reparse(archive, page_class=TitledPage)
        article = archive.get_article(URL)
        [row] = archive.rows("SELECT article_id FROM fetches WHERE id = ?", [fetch_id])
        versions = archive.versions(URL)
    assert [(r.fetch_id, r.article_id, r.outcome) for r in report.read] == [
        (fetch_id, stored.article_id, "superseded")
    ]
    assert article is not None and article["title"] == "Un titre corrigé depuis"
    assert article["last_seen_at"] == "2024-05-03T03:00:00.000+00:00"
    assert [v["title"] for v in versions] == ["Un titre corrigé depuis"]
    assert row["article_id"] == stored.article_id


def test_a_damaged_capture_stays_unreadable(db: Path) -> None:
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        fetch_id = record_unreadable(archive, crawl, URL, "2024-05-01T03:00:00.000+00:00")
        archive.db.execute("UPDATE captures SET body_sha256 = :bad", {"bad": "0" * 64})
        archive.db.conn.commit()
        report = reparse(archive, page_class=TitledPage)
        assert archive.counts()["articles"] == 0
    assert report.read == []
    [still] = report.still_unreadable
    assert still.fetch_id == fetch_id
    assert still.reason.endswith("is damaged: body does not match its sha256")


@pytest.mark.parametrize(
    "name",
    ["tests.nowhere.Page", "archive.store.Archive", "TitledPage", f"{__name__}.Missing"],
)
def test_a_page_class_that_cannot_be_loaded_is_bad_usage(db: Path, name: str) -> None:
    with Archive(db):
        pass
    result = run(db, "reparse", "--page-class", name)
    assert result.exit_code == 2, result.output
    assert "--page-class" in result.output
