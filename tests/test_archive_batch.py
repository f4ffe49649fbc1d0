"""Group commit: a crawl's per-page writes share a transaction (Archive.batch_commits)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive, Fetch, FrontierEntry
from tests.test_archive import fetch_for, make_article


def committed_urls(db: Path) -> list[str]:
    """Article URLs another connection sees (what a commit made durable)."""
    with sqlite3.connect(db) as other:
        return [row[0] for row in other.execute("SELECT url FROM articles ORDER BY id")]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def archive(db: Path) -> Iterator[Archive]:
    with Archive(db) as opened:
        yield opened


def store(archive: Archive, crawl_id: int, number: int) -> str:
    article = make_article(number)
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch_for(article))
    return str(article["url"])


def test_writes_wait_for_the_batch_to_be_committed(archive: Archive, db: Path) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    urls = [store(archive, crawl_id, n) for n in (1, 2, 3)]
    assert committed_urls(db) == []
    assert archive.counts()["articles"] == 3  # the writer sees its own writes
    archive.flush()
    assert committed_urls(db) == urls


def test_a_full_batch_commits_itself(archive: Archive, db: Path) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 2)
    first = [store(archive, crawl_id, n) for n in (1, 2)]
    assert committed_urls(db) == first
    store(archive, crawl_id, 3)
    assert committed_urls(db) == first


def test_a_batch_older_than_the_interval_commits(
    archive: Archive, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(5, 100)
    clock = [1000.0]
    monkeypatch.setattr("archive.store.time.monotonic", lambda: clock[0])
    url = store(archive, crawl_id, 1)
    archive.flush_if_due()
    assert committed_urls(db) == []
    clock[0] += 5
    archive.flush_if_due()
    assert committed_urls(db) == [url]


def test_other_writes_and_close_commit_the_batch(db: Path) -> None:
    archive = Archive(db)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    url = store(archive, crawl_id, 1)
    archive.finish_crawl(crawl_id, "finished")  # not a batched write: commits first
    assert committed_urls(db) == [url]
    second = store(archive, crawl_id, 2)
    archive.close()
    assert committed_urls(db) == [url, second]


def test_a_failed_write_is_undone_alone(archive: Archive, db: Path) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    entries = iter(
        [
            FrontierEntry(url="http://127.0.0.1:8000/a/"),
            FrontierEntry(url="http://127.0.0.1:8000/b/"),
        ]
    )
    archive.add_to_frontier(entries, crawl_id=crawl_id)  # an iterator: kept to be made again
    before = [store(archive, crawl_id, n) for n in (1, 2)]
    broken = make_article(3)
    with pytest.raises(sqlite3.IntegrityError):  # no crawl 12345: fails half-way through
        archive.store_article(broken, crawl_id=12345, fetch=fetch_for(broken))
    after = store(archive, crawl_id, 4)
    archive.flush()
    assert committed_urls(db) == [*before, after]
    assert {row["url"] for row in archive.pending_frontier()} == {
        "http://127.0.0.1:8000/a/",
        "http://127.0.0.1:8000/b/",
    }
    counts = archive.counts()
    assert (counts["articles"], counts["versions"], counts["fetches"]) == (3, 3, 3)


def test_batching_off_commits_every_write(archive: Archive, db: Path) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(0, 100)
    url = store(archive, crawl_id, 1)
    assert committed_urls(db) == [url]


def test_a_killed_writer_leaves_the_committed_prefix(db: Path) -> None:
    """The process dies with a batch open: the file holds the writes up to the last commit."""
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from archive import Archive
        from tests.test_archive import fetch_for, make_article
        archive = Archive({str(db)!r})
        crawl = archive.begin_crawl("sputnik", {{}})
        archive.batch_commits(3600, 2)
        for number in (1, 2, 3):
            article = make_article(number)
            archive.store_article(article, crawl_id=crawl, fetch=fetch_for(article))
        os._exit(9)  # no close, no commit of the third
        """
    )
    subprocess.run([sys.executable, "-c", script], check=False)
    assert committed_urls(db) == [make_article(n)["url"] for n in (1, 2)]
    with Archive(db) as reopened:
        assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert reopened.counts()["fetches"] == 2


def test_fetch_rows_are_batched_too(archive: Archive, db: Path) -> None:
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    archive.record_fetch(crawl_id, Fetch(url="http://127.0.0.1:8000/", status=200), "discovery")
    with sqlite3.connect(db) as other:
        assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    archive.flush()
    with sqlite3.connect(db) as other:
        assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 1
