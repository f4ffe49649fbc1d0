"""The archive's frontier: pending rows settled in the same transaction as the page's store,
revisit times, validators, dead crawls closed, and the m003 migration."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, Fetch, FrontierEntry, RevisitSchedule, StorageError, migrations
from archive.revisit import DEFAULT_SCHEDULE, parse_time
from archive.store import FRONTIER_MAX_ATTEMPTS, PROCESS_GONE

from .test_archive import fetch_for, make_article

FETCHED_AT = "2017-06-21T12:00:00.000000+00:00"  # the articles are published 11:32 UTC


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


@pytest.fixture
def crawl_id(archive: Archive) -> int:
    return archive.begin_crawl("sputnik", {"start": "https://fr.sputniknews.com/"})


def frontier_row(archive: Archive, url: str) -> dict[str, Any]:
    rows = list(archive.db.query("SELECT * FROM frontier WHERE url = ?", [url]))
    assert len(rows) == 1, url
    return rows[0]


def pend(archive: Archive, crawl_id: int, *urls: str, hop: int = 0) -> None:
    archive.add_to_frontier([FrontierEntry(u, hop=hop) for u in urls], crawl_id=crawl_id)


# -- pending and done ----------------------------------------------------------------------


def test_a_stored_article_settles_its_pending_row(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    pend(archive, crawl_id, article["url"], hop=1)
    row = frontier_row(archive, article["url"])
    assert (row["state"], row["kind"], row["hop"], row["found_in_crawl"]) == (
        "pending",
        "article",
        1,
        crawl_id,
    )
    fetch = fetch_for(article, fetched_at=FETCHED_AT, etag='"v1"', last_modified="Wed, x")
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch, frontier=[article["url"]])
    row = frontier_row(archive, article["url"])
    assert (row["state"], row["done_at"], row["attempts"]) == ("done", FETCHED_AT, 1)
    assert (row["etag"], row["last_modified"]) == ('"v1"', "Wed, x")
    assert archive.pending_frontier() == []


def test_the_store_and_its_frontier_row_are_one_transaction(
    archive: Archive, crawl_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article(1)
    pend(archive, crawl_id, article["url"])

    def broken(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(archive, "_store_links", broken)
    archive.patience = 0  # give up at the first fault: the test is of what it leaves
    with pytest.raises(StorageError, match=r"^disk I/O error$"):
        archive.store_article(
            article, crawl_id=crawl_id, fetch=fetch_for(article), frontier=article["url"]
        )
    assert frontier_row(archive, article["url"])["state"] == "pending"
    assert archive.db["articles"].count == archive.db["fetches"].count == 0


@pytest.mark.parametrize(
    ("status", "outcome", "error", "retried"),
    [
        (None, "error", "DownloadTimeoutError: took longer than 30.0 seconds", True),
        (None, "error", "twisted.internet.error.ConnectionRefusedError: refused", True),
        (None, "error", "ResponseTooLarge: exceeded DOWNLOAD_MAXSIZE", False),
        (None, "error", "redirect loop: 301 to http://x/", False),
        (503, "http_error", "HTTP 503", True),
        (429, "http_error", "HTTP 429", True),
        (404, "http_error", "HTTP 404", False),
        (200, "not_article", None, False),
        (None, "skipped", "IgnoreRequest: Forbidden by robots.txt", False),
    ],
)
def test_transient_failures_stay_pending_until_the_last_attempt(
    archive: Archive,
    crawl_id: int,
    status: int | None,
    outcome: str,
    error: str | None,
    retried: bool,
) -> None:
    url = make_article(1)["url"]
    pend(archive, crawl_id, url)
    states = []
    for _ in range(FRONTIER_MAX_ATTEMPTS):
        fetch = Fetch(url=url, status=status, error=error)
        archive.record_fetch(crawl_id, fetch, outcome, frontier=url)
        states.append(frontier_row(archive, url)["state"])
    if retried:
        assert states == ["pending"] * (FRONTIER_MAX_ATTEMPTS - 1) + ["done"]
    else:
        assert states[0] == "done"
    assert frontier_row(archive, url)["attempts"] == (FRONTIER_MAX_ATTEMPTS if retried else 1)


def test_found_again_a_done_row_is_pending_again_a_pending_one_unchanged(
    archive: Archive, crawl_id: int
) -> None:
    done, pending = make_article(1)["url"], make_article(2)["url"]
    pend(archive, crawl_id, done, pending, hop=1)
    archive.record_fetch(crawl_id, Fetch(url=done, status=200), "not_article", frontier=done)
    later = archive.begin_crawl("sputnik", {})
    archive.add_to_frontier([FrontierEntry(done), FrontierEntry(pending)], crawl_id=later)
    assert (frontier_row(archive, done)["state"], frontier_row(archive, done)["attempts"]) == (
        "pending",
        0,
    )
    assert frontier_row(archive, done)["found_in_crawl"] == later
    assert frontier_row(archive, pending)["found_in_crawl"] == crawl_id  # left as it was
    assert frontier_row(archive, pending)["hop"] == 1
    assert sorted(r["url"] for r in archive.pending_frontier()) == sorted([done, pending])
    assert archive.frontier_counts() == {"pending": 2, "done": 0}


def test_pending_rows_of_one_site_only(archive: Archive, crawl_id: int) -> None:
    here, there = make_article(1)["url"], "http://127.0.0.1:8000/international/1-x/"
    pend(archive, crawl_id, here, there)
    assert [r["url"] for r in archive.pending_frontier("https://FR.sputniknews.com/")] == [here]
    assert len(archive.pending_frontier()) == 2


def test_redirected_and_copied_urls_are_settled_with_the_page(
    archive: Archive, crawl_id: int
) -> None:
    article = make_article(1)
    moved = article["url"].replace("article-1", "ancien-titre")
    amp = article["url"].replace("/international/", "/amp/international/")
    pend(archive, crawl_id, moved, amp)
    fetch = fetch_for(article, requested_url=moved, redirect_urls=[moved])
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch, frontier=[moved, article["url"]])
    assert frontier_row(archive, moved)["state"] == "done"
    # A copy naming an article not yet archived waits for its canonical page.
    other = make_article(2)
    amp2 = other["url"].replace("/international/", "/amp/international/")
    pend(archive, crawl_id, amp2)
    assert (
        archive.record_alias(
            amp2, other["url"], crawl_id=crawl_id, fetch=Fetch(url=amp2, status=200), frontier=amp2
        )
        is None
    )
    assert frontier_row(archive, amp2)["state"] == "pending"
    archive.record_alias(
        amp, article["url"], crawl_id=crawl_id, fetch=Fetch(url=amp, status=200), frontier=amp
    )
    assert frontier_row(archive, amp)["state"] == "done"
    archive.store_article(
        other,
        crawl_id=crawl_id,
        fetch=fetch_for(other, alias_urls=[amp2]),
        frontier=[amp2, other["url"]],
    )
    assert frontier_row(archive, amp2)["state"] == "done"


def test_gone_settles_the_row(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch_for(article))
    pend(archive, crawl_id, article["url"])
    archive.mark_gone(
        article["url"],
        crawl_id=crawl_id,
        fetch=Fetch(url=article["url"], status=410),
        status=410,
        reason="http_410",
        frontier=article["url"],
    )
    assert frontier_row(archive, article["url"])["state"] == "done"


# -- revisit times -------------------------------------------------------------------------


def next_visit(archive: Archive, url: str) -> str | None:
    found = archive.get_article(url)
    assert found is not None
    row = archive.db.execute(
        "SELECT next_visit_at FROM articles WHERE id = ?", [found["id"]]
    ).fetchone()
    return None if row is None else row[0]


def test_each_fetch_sets_the_next_visit_by_age(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)  # published 2017-06-21T11:32Z
    for fetched_at, expected in [
        ("2017-06-21T12:00:00.000000+00:00", "2017-06-21T13:00:00.000000+00:00"),  # hourly
        ("2017-06-23T12:00:00.000000+00:00", "2017-06-24T12:00:00.000000+00:00"),  # daily
        ("2017-07-10T12:00:00.000000+00:00", "2017-07-17T12:00:00.000000+00:00"),  # weekly
        ("2017-08-01T12:00:00.000000+00:00", None),  # never
    ]:
        archive.store_article(
            article, crawl_id=crawl_id, fetch=fetch_for(article, fetched_at=fetched_at)
        )
        assert next_visit(archive, article["url"]) == expected, fetched_at


def test_without_publication_time_the_age_counts_from_first_seen(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", revisit="1h:10m,*:1d") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        article = make_article(1, published_at=None)
        for fetched_at, expected in [
            ("2020-01-01T00:00:00.000000+00:00", "2020-01-01T00:10:00.000000+00:00"),
            ("2020-01-01T00:30:00.000000+00:00", "2020-01-01T00:40:00.000000+00:00"),
            ("2020-03-01T00:00:00.000000+00:00", "2020-03-02T00:00:00.000000+00:00"),
        ]:
            archive.store_article(
                article, crawl_id=crawl, fetch=fetch_for(article, fetched_at=fetched_at)
            )
            assert next_visit(archive, article["url"]) == expected


def test_a_304_is_an_unchanged_visit(archive: Archive, crawl_id: int) -> None:
    article = make_article(1, related=[{"url": make_article(2)["url"], "title": "Deux"}])
    archive.store_article(
        article, crawl_id=crawl_id, fetch=fetch_for(article, fetched_at=FETCHED_AT)
    )
    later = archive.begin_crawl("sputnik", {})
    pend(archive, later, article["url"])
    at = "2017-06-21T12:30:00.000000+00:00"
    found = archive.record_not_modified(
        article["url"],
        crawl_id=later,
        fetch=Fetch(url=article["url"], status=304, fetched_at=at),
        frontier=article["url"],
    )
    stored = archive.get_article(article["url"])
    assert stored is not None and found == stored["id"]
    assert (stored["last_seen_at"], stored["last_crawl_id"], stored["versions_count"]) == (
        at,
        later,
        1,
    )
    assert [r["url"] for r in stored["related"]] == [make_article(2)["url"]]  # still current
    assert next_visit(archive, article["url"]) == "2017-06-21T13:30:00.000000+00:00"
    [fetch] = archive.db.query("SELECT * FROM fetches WHERE crawl_id = ?", [later])
    assert (fetch["outcome"], fetch["status"], fetch["article_id"]) == ("unchanged", 304, found)
    assert frontier_row(archive, article["url"])["state"] == "done"
    variant = article["url"] + "?utm_source=rss"
    assert (
        archive.record_not_modified(variant, crawl_id=later, fetch=Fetch(url=variant, status=304))
        == found
    )
    assert {"url": variant, "kind": "fetched"} in archive.get_article(found)["urls"]  # type: ignore[index]
    nowhere = make_article(9)["url"]
    assert (
        archive.record_not_modified(nowhere, crawl_id=later, fetch=Fetch(url=nowhere, status=304))
        is None
    )
    assert archive.finish_crawl(later, "finished")["unchanged"] == 2


def test_known_and_due_articles(archive: Archive, crawl_id: int) -> None:
    fresh = make_article(1)
    old = make_article(2)
    archive.store_article(fresh, crawl_id=crawl_id, fetch=fetch_for(fresh, fetched_at=FETCHED_AT))
    late = "2017-09-01T00:00:00.000000+00:00"
    archive.store_article(old, crawl_id=crawl_id, fetch=fetch_for(old, fetched_at=late))
    tracking = fresh["url"] + "?utm_source=x"
    unknown = make_article(3)["url"]
    known = archive.known_articles([fresh["short_url"], tracking, old["url"], unknown])
    assert set(known) == {fresh["short_url"], tracking, old["url"]}
    assert known[tracking].next_visit_at == "2017-06-21T13:00:00.000000+00:00"
    assert known[tracking].first_crawl_id == crawl_id
    assert known[old["url"]].next_visit_at is None
    assert known[tracking].due("2017-06-21T13:00:00.000000+00:00")
    assert not known[tracking].due("2017-06-21T12:59:59.999999+00:00")
    assert not known[old["url"]].due("2099-01-01T00:00:00.000000+00:00")
    site = "https://fr.sputniknews.com/"
    assert archive.due_articles(site, now="2017-06-21T12:30:00+00:00") == []
    assert archive.due_articles(site, now="2017-06-21T13:30:00.000000+00:00") == [fresh["url"]]
    assert archive.due_articles("http://127.0.0.1:8000/", now="2099-01-01") == []
    assert sorted(archive.due_articles(site, every=True)) == sorted([fresh["url"], old["url"]])


def test_validators_of_a_url_and_of_discovery_pages(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    pend(archive, crawl_id, article["url"])
    fetch = fetch_for(article, etag='"a1"', last_modified="Wed, 21 Jun 2017 11:32:00 GMT")
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch, frontier=article["url"])
    assert archive.validators(article["url"]) == ('"a1"', "Wed, 21 Jun 2017 11:32:00 GMT")
    assert archive.validators(article["url"] + "?utm_medium=x") == (
        '"a1"',
        "Wed, 21 Jun 2017 11:32:00 GMT",
    )
    sitemap = "https://fr.sputniknews.com/sitemap_article_index.xml?date=20170621"
    fetch = Fetch(url=sitemap, status=200, etag='"s1"')
    archive.record_fetch(crawl_id, fetch, "discovery", frontier=sitemap)
    row = frontier_row(archive, sitemap)
    assert (row["kind"], row["state"], row["etag"]) == ("discovery", "done", '"s1"')
    archive.record_fetch(crawl_id, Fetch(url=sitemap, status=304), "discovery", frontier=sitemap)
    assert archive.validators(sitemap) == ('"s1"', None)
    # A page no longer an article forgets its validators: next time it is asked in full.
    pend(archive, crawl_id, article["url"])
    archive.record_fetch(
        crawl_id, Fetch(url=article["url"], status=200, etag='"x"'), "not_article",
        frontier=article["url"],
    )  # fmt: skip
    assert archive.validators(article["url"]) == (None, None)
    assert archive.pending_frontier() == []


# -- crawls --------------------------------------------------------------------------------


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_crawls_of_dead_processes_are_closed_interrupted(archive: Archive) -> None:
    mine = archive.begin_crawl("sputnik", {})
    dead = archive.begin_crawl("sputnik", {})
    foreign = archive.begin_crawl("sputnik", {})
    foreign_alive = archive.begin_crawl("sputnik", {})
    recycled = archive.begin_crawl("sputnik", {})
    archive.db.execute("UPDATE crawls SET pid = ? WHERE id = ?", [dead_pid(), dead])
    archive.db.execute(
        "UPDATE crawls SET host = 'elsewhere' WHERE id IN (?, ?)", [foreign, foreign_alive]
    )
    # pid 1 runs since boot, long before this crawl "started" in 1970: not its process.
    archive.db.execute(
        "UPDATE crawls SET pid = 1, started_at = '1970-01-02T00:00:00+00:00' WHERE id = ?",
        [recycled],
    )
    archive.db.conn.commit()
    last = "2017-06-21T12:00:00.000000+00:00"
    archive.record_fetch(dead, Fetch(url="https://x/1", status=200, fetched_at=last), "discovery")
    archive.record_fetch(foreign, Fetch(url="https://x/2", status=200, fetched_at=last), "new")
    archive.record_fetch(foreign_alive, Fetch(url="https://x/3", status=200), "new")
    closed = archive.close_dead_crawls()
    expected = [dead, foreign] + ([recycled] if os.path.exists("/proc/1/stat") else [])
    assert closed == expected
    rows = {c["id"]: c for c in archive.crawls()}
    assert rows[mine]["status"] == rows[foreign_alive]["status"] == "running"
    assert rows[dead]["status"] == "interrupted"
    assert (rows[dead]["finish_reason"], rows[dead]["finished_at"]) == (PROCESS_GONE, last)
    assert rows[foreign]["new"] == 1
    assert archive.close_dead_crawls() == []
    assert socket.gethostname() == rows[mine]["host"]


def test_last_finished_crawl_is_a_discovery_crawl_from_the_same_start(archive: Archive) -> None:
    start = "http://127.0.0.1:8000/"
    first = archive.begin_crawl("sputnik", {"start": start})
    archive.finish_crawl(first, "finished")
    urls_only = archive.begin_crawl("sputnik", {"urls": start + "x/1-a/"})
    archive.finish_crawl(urls_only, "finished")
    failed = archive.begin_crawl("sputnik", {"start": start})
    archive.finish_crawl(failed, "shutdown", status="interrupted")
    live = archive.begin_crawl("sputnik", {"related_depth": "0"})
    archive.finish_crawl(live, "finished", not_due=12)
    found = archive.last_finished_crawl("sputnik", start)
    assert found is not None and found["id"] == first
    found = archive.last_finished_crawl("sputnik", None)
    assert found is not None and (found["id"], found["not_due"]) == (live, 12)
    assert archive.last_finished_crawl("sputnik", "http://127.0.0.1:9/") is None


# -- migration -----------------------------------------------------------------------------


def test_m003_backfills_next_visits_by_the_default_schedule(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        cases = {
            1: ("2017-06-21T14:32:00+03:00", "2017-06-21T12:00:00.123000+00:00"),  # < 1 day
            2: ("2017-06-21T14:32:00+03:00", "2017-06-25T12:00:00.000000+00:00"),  # < 1 week
            3: ("2017-06-21T14:32:00+03:00", "2017-07-15T12:00:00.000000+00:00"),  # < 1 month
            4: ("2017-06-21T14:32:00+03:00", "2018-01-01T00:00:00.000000+00:00"),  # older
            5: (None, "2020-01-01T00:00:00.000000+00:00"),  # first seen then: < 1 day
            6: ("pas une date", "2020-01-01T00:00:00.000000+00:00"),
        }
        for number, (published, seen) in cases.items():
            article = make_article(number, published_at=published)
            archive.store_article(
                article, crawl_id=crawl, fetch=fetch_for(article, fetched_at=seen)
            )
        expected = {
            row["id"]: row["next_visit_at"]
            for row in archive.db.query("SELECT id, next_visit_at FROM articles")
        }
        # Back to schema 2, as an archive of the previous release.
        archive.db.execute("DROP TABLE frontier")
        archive.db.execute("DROP INDEX idx_articles_next_visit_at")
        archive.db.execute("ALTER TABLE articles DROP COLUMN next_visit_at")
        archive.db.execute("ALTER TABLE crawls DROP COLUMN not_due")
        archive.db.execute("DELETE FROM _migrations WHERE name = 'm003_frontier_and_revisits'")
        archive.db.conn.commit()
    with Archive(path) as archive:
        assert migrations.applied(archive.db)[-1] == "m003_frontier_and_revisits"
        got = {
            row["id"]: row["next_visit_at"]
            for row in archive.db.query("SELECT id, next_visit_at FROM articles")
        }
        assert archive.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert got == expected
    assert [got[i] is None for i in sorted(got)] == [False, False, False, True, False, False]
    assert str(RevisitSchedule.parse(None)) == DEFAULT_SCHEDULE + ",never"


def test_schema_1_archive_upgrades_with_next_visits(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "archives" / "schema-001.db"
    path = tmp_path / "archive.db"
    shutil.copyfile(fixture, path)
    schedule = RevisitSchedule.parse(None)
    with Archive(path) as archive:
        rows = list(archive.db.query("SELECT * FROM articles"))
        assert rows and archive.frontier_counts() == {"pending": 0, "done": 0}
        for row in rows:
            published = row["published_at"]
            reference = published if parse_time(published) else row["first_seen_at"]
            expected = schedule.next_visit(reference, row["last_seen_at"])
            # SQLite's time functions keep milliseconds.
            assert row["next_visit_at"] == (expected and expected[:23] + "000+00:00")
