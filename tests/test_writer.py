"""The archive writer process (archive/writer.py): the same archive as writes made in the
crawl's process, errors returned or logged, and what a death of either side leaves."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, FrontierEntry, StoreResult
from archive.writer import ArchiveWriter, ArchiveWriterError
from tests.conftest import ROOT
from tests.test_archive import LONG_BODY, fetch_for, make_article
from tests.test_writer_crawl import state_of

#: Long enough that no batch is committed by its age during a test.
NEVER = 3600.0


def committed(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """What another connection sees: what a commit made durable."""
    with sqlite3.connect(db) as other:
        return list(other.execute(sql))


def committed_urls(db: Path) -> list[str]:
    return [row[0] for row in committed(db, "SELECT url FROM articles ORDER BY id")]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def crawl_id(db: Path) -> int:
    with Archive(db) as archive:
        return archive.begin_crawl("sputnik", {})


@pytest.fixture
def writer(db: Path, crawl_id: int) -> Iterator[ArchiveWriter]:
    opened = ArchiveWriter(db, interval=NEVER, size=1000)
    yield opened
    if opened.process.poll() is None:
        opened.close()


def store(writer: ArchiveWriter, crawl_id: int, number: int, **changes: Any) -> Any:
    article = make_article(number, **changes)
    future = writer.submit(
        "store_article", article, crawl_id=crawl_id, fetch=fetch_for(article), frontier=None
    )
    return future.result(timeout=30)


# -- what it writes -------------------------------------------------------------------


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the tables a crawl writes, without the times of the clock."""
    queries = {
        "articles": "SELECT id, url, canonical_url, title, lead, body, status, content_hash,"
        " duplicate_of, similarity, text_hash, current_version_id FROM articles ORDER BY id",
        "versions": "SELECT id, article_id, number, title, body, content_hash FROM versions"
        " ORDER BY id",
        "urls": "SELECT url, url_key, article_id, kind FROM urls ORDER BY 1",
        "links": "SELECT * FROM links ORDER BY 1, 2",
        "events": "SELECT article_id, kind FROM events ORDER BY id",
        "dedupe": "SELECT * FROM dedupe_bands ORDER BY 1, 2, 3",
        "fetches": "SELECT id, url, status, outcome, article_id FROM fetches ORDER BY id",
        "frontier": "SELECT url, state, hop, referer FROM frontier ORDER BY url",
        "tags": "SELECT * FROM article_tags ORDER BY 1, 2",
        "search": "SELECT rowid, title, body FROM articles_fts ORDER BY rowid",
        "search_fr": "SELECT rowid FROM articles_fts_fr ORDER BY rowid",
    }
    return {name: committed(db, sql) for name, sql in queries.items()}


def writes(crawl_id: int) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """A crawl's worth of writes: frontier rows, new articles, an edit, a near duplicate,
    a gone page, a discovery page."""
    first = make_article(1, body=LONG_BODY)
    second = make_article(2, body="Un autre texte sur la Russie.")
    edited = make_article(1, body=LONG_BODY, title="Washington et Moscou, nouveau titre")
    copy = make_article(3, body=LONG_BODY.replace("point numéro 7.", "point numéro sept."))
    entries = [FrontierEntry(url=a["url"], hop=0, referer=None) for a in (first, second, copy)]
    page = {"crawl_id": crawl_id, "frontier": None}
    return [
        ("add_to_frontier", (entries,), {"crawl_id": crawl_id}),
        ("store_article", (first,), {**page, "fetch": fetch_for(first)}),
        ("store_article", (second,), {**page, "fetch": fetch_for(second)}),
        ("store_article", (edited,), {**page, "fetch": fetch_for(edited)}),
        ("store_article", (copy,), {**page, "fetch": fetch_for(copy)}),
        ("mark_gone", (second["url"],), {**page, "fetch": fetch_for(second, status=404),
                                         "status": 404, "reason": "http_404"}),
        ("record_fetch", (crawl_id, fetch_for({"url": "http://x.test/sitemap.xml"}),
                          "discovery"), {}),
    ]  # fmt: skip


def test_the_writer_leaves_the_archive_writes_in_the_process_leave(tmp_path: Path) -> None:
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    results_here, results_there = [], []
    for db in (here, there):
        with Archive(db) as archive:
            crawl_id = archive.begin_crawl("sputnik", {})
        if db == here:
            with Archive(db) as archive:
                archive.batch_commits(NEVER, 1000)
                for method, args, kwargs in writes(crawl_id):
                    results_here.append(getattr(archive, method)(*args, **kwargs))
        else:
            writer = ArchiveWriter(db, interval=NEVER, size=1000)
            futures = [writer.submit(m, *a, **k) for m, a, k in writes(crawl_id)]
            results_there = [future.result(timeout=30) for future in futures]
            writer.close()
    assert results_there == results_here
    assert [r.outcome for r in results_there if isinstance(r, StoreResult)] == [
        "new",
        "new",
        "updated",
        "new",
    ]
    assert results_there[4].duplicate_of == results_there[1].article_id  # the near copy
    assert dump(there) == dump(here)
    assert dump(there)["articles"]  # the comparison compared something


def test_writes_are_committed_when_the_batch_is_due_and_at_close(db: Path, crawl_id: int) -> None:
    writer = ArchiveWriter(db, interval=2.0, size=1000)
    store(writer, crawl_id, 1)
    assert committed_urls(db) == []  # answered before its commit, due in 2 s
    deadline = time.monotonic() + 10
    while not committed_urls(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(committed_urls(db)) == 1  # the writer's own timer, with nothing more sent
    store(writer, crawl_id, 2)
    writer.close()
    assert len(committed_urls(db)) == 2
    assert writer.process.returncode == 0
    assert writer.usage["cpu_seconds"] > 0
    assert writer.usage["max_rss_kb"] > 1000


def test_a_full_batch_is_committed(db: Path, crawl_id: int) -> None:
    writer = ArchiveWriter(db, interval=NEVER, size=2)
    store(writer, crawl_id, 1)
    store(writer, crawl_id, 2)
    store(writer, crawl_id, 3)
    assert len(committed_urls(db)) == 2
    writer.close()
    assert len(committed_urls(db)) == 3


# -- errors ---------------------------------------------------------------------------------


def test_a_failed_write_raises_for_its_caller_and_undoes_only_itself(
    writer: ArchiveWriter, db: Path, crawl_id: int
) -> None:
    store(writer, crawl_id, 1)
    with pytest.raises(ArchiveWriterError) as raised:
        store(writer, crawl_id, 2, title="  ")
    url = make_article(2)["url"]
    assert str(raised.value) == f"ValueError: not an article (no title): {url}"
    store(writer, crawl_id, 3)
    writer.close()
    assert committed_urls(db) == [make_article(1)["url"], make_article(3)["url"]]
    assert writer.errors == 0


def test_a_failed_write_nobody_waits_for_is_logged_and_counted(
    writer: ArchiveWriter, db: Path, crawl_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    article = make_article(1, body=None, lead=None)
    done = writer.submit("store_article", article, wait=False, crawl_id=crawl_id,
                         fetch=fetch_for(article))  # fmt: skip
    assert done.result(timeout=0) is None  # not waited for
    store(writer, crawl_id, 2)  # answered after the failure was
    with caplog.at_level(logging.ERROR, logger="archive.writer"):
        writer.close()
    assert writer.errors == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "archive.writer"]
    assert len(messages) == 1
    assert messages[0].startswith(
        "archive write failed in the writer process: "
        f"ValueError: not an article (no lead or body): {article['url']}\nTraceback"
    )
    assert committed_urls(db) == [make_article(2)["url"]]


def test_only_the_archive_writes_are_accepted(writer: ArchiveWriter) -> None:
    with pytest.raises(ValueError, match=r"^not a write the archive writer makes: sql$"):
        writer.submit("sql", "DELETE FROM articles")
    with pytest.raises(ValueError, match=r"^not a write the archive writer makes: close$"):
        writer.submit("close")


def test_a_file_that_is_not_an_archive_fails_the_writer(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    exits: list[int] = []
    writer = ArchiveWriter(other, on_exit=exits.append)
    writer._reader.join(30)
    expected = (
        f"the archive writer gave up: ArchiveError: {other} is a SQLite database but not an archive"
    )
    with pytest.raises(ArchiveWriterError) as raised:
        writer.submit("record_fetch", 1, fetch_for({"url": "http://x.test/"}), "discovery")
    assert str(raised.value) == expected
    assert exits == [1]
    with pytest.raises(ArchiveWriterError) as closed:
        writer.close()
    assert str(closed.value) == expected
    assert committed(other, "SELECT name FROM sqlite_master") == [("notes",)]


# -- deaths ---------------------------------------------------------------------------------


def test_a_dead_crawl_leaves_only_what_the_writer_had_committed(db: Path, crawl_id: int) -> None:
    """The crawl's process dies (its end of the pipe closes without a word): the writer rolls
    back its open batch, as the crawl's own connection would have lost it, and exits."""
    writer = ArchiveWriter(db, interval=NEVER, size=2)
    for number in (1, 2, 3):
        store(writer, crawl_id, number)
    os.close(writer._request_fd)  # what the kernel does when the crawl's process dies
    assert writer.process.wait(30) == 0
    assert committed_urls(db) == [make_article(n)["url"] for n in (1, 2)]
    with Archive(db) as archive:  # and the archive is not left locked
        archive.record_fetch(crawl_id, fetch_for({"url": "http://x.test/"}), "discovery")


def test_a_dead_writer_fails_the_waiting_writes_and_every_later_one(
    db: Path, crawl_id: int
) -> None:
    exited = threading.Event()
    statuses: list[int] = []

    def on_exit(status: int) -> None:
        statuses.append(status)
        exited.set()

    writer = ArchiveWriter(db, interval=NEVER, size=1000, on_exit=on_exit)
    store(writer, crawl_id, 1)
    os.kill(writer.process.pid, signal.SIGSTOP)  # so that the next write is still waiting
    article = make_article(2)
    waiting = writer.submit("store_article", article, crawl_id=crawl_id, fetch=fetch_for(article))
    os.kill(writer.process.pid, signal.SIGKILL)
    assert exited.wait(30)
    assert statuses == [-signal.SIGKILL]
    message = f"the archive writer exited with status {-signal.SIGKILL} during the crawl"
    with pytest.raises(ArchiveWriterError) as raised:
        waiting.result(timeout=30)
    assert str(raised.value) == message
    with pytest.raises(ArchiveWriterError) as later:
        store(writer, crawl_id, 3)
    assert str(later.value) == message
    with pytest.raises(ArchiveWriterError):
        writer.close()
    assert committed_urls(db) == []  # its batch was never committed


def test_interrupts_are_left_to_the_crawl(writer: ArchiveWriter, db: Path, crawl_id: int) -> None:
    """Ctrl-C reaches the whole process group: the writer goes on until the crawl closes it."""
    store(writer, crawl_id, 1)
    os.kill(writer.process.pid, signal.SIGINT)
    os.kill(writer.process.pid, signal.SIGTERM)
    store(writer, crawl_id, 2)
    writer.close()
    assert writer.process.returncode == 0
    assert len(committed_urls(db)) == 2


def test_the_writer_runs_in_a_session_of_its_own(writer: ArchiveWriter) -> None:
    """Ctrl-C at a terminal signals the foreground process group: the crawl's, not the
    writer's."""
    assert os.getsid(writer.process.pid) == writer.process.pid != os.getsid(0)


def test_an_answer_nobody_waits_for_any_more_is_dropped(
    writer: ArchiveWriter, db: Path, crawl_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    article = make_article(1)
    with caplog.at_level(logging.WARNING, logger="archive.writer"):
        future = writer.submit(
            "store_article", article, crawl_id=crawl_id, fetch=fetch_for(article)
        )
        assert future.cancel()  # its waiter gave up (an asyncio task cancelled)
        store(writer, crawl_id, 2)  # the answers still flow
        writer.close()
    assert len(committed_urls(db)) == 2
    assert [r.getMessage() for r in caplog.records if r.name == "archive.writer"] == []


def test_what_the_writer_prints_is_logged_by_the_crawl(
    db: Path, crawl_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    exited = threading.Event()
    writer = ArchiveWriter(db, on_exit=lambda status: exited.set())
    with caplog.at_level(logging.WARNING, logger="archive.writer"):
        writer._send_raw(b"not a pickle")  # the writer crashes on it
        assert exited.wait(30)
        with pytest.raises(ArchiveWriterError, match=r"^the archive writer exited with status 1"):
            writer.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "archive.writer"]
    assert "archive writer: Traceback (most recent call last):" in lines
    assert any(line.startswith("archive writer: _pickle.UnpicklingError") for line in lines)


CRAWL = """
import os, sys, time
from archive import Archive
from archive.writer import ArchiveWriter
from tests.test_archive import fetch_for, make_article
db = sys.argv[1]
with Archive(db) as archive:
    crawl_id = archive.begin_crawl("sputnik", {})
writer = ArchiveWriter(db, interval=3600, size=1000)
article = make_article(1)
writer.submit("store_article", article, crawl_id=crawl_id, fetch=fetch_for(article)).result(30)
print(writer.process.pid, flush=True)
time.sleep(600)
"""


def test_the_writer_dies_with_the_crawl_and_commits_nothing_after(db: Path) -> None:
    """kill -9 of the crawl's process: the kernel kills its writer too (Linux), which had
    a stored article in its open batch: the archive does not get it."""
    crawl = subprocess.Popen(
        [sys.executable, "-c", CRAWL, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert crawl.stdout is not None
    with crawl.stdout:
        writer = int(crawl.stdout.readline())
    crawl.kill()
    crawl.wait(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and state_of(writer) not in (None, "Z"):
        time.sleep(0.05)
    assert state_of(writer) in (None, "Z")
    assert committed_urls(db) == []
    with Archive(db) as archive:  # and the archive is not left locked
        assert archive.counts()["articles"] == 0


def test_a_hurry_sent_at_its_birth_does_not_kill_the_writer(db: Path, crawl_id: int) -> None:
    """The crawl may be stopped while its writer is still importing: the hurry signal then
    waits for the writer's handler instead of killing it (its default action)."""
    writer = ArchiveWriter(db, interval=NEVER, size=1000)
    writer.hurry()
    store(writer, crawl_id, 1)
    writer.hurry()
    writer.close()
    assert writer.process.returncode == 0
    assert len(committed_urls(db)) == 1


def test_the_crawl_never_waits_on_a_stalled_writer(db: Path, crawl_id: int) -> None:
    """The writer stopped (a disk that does not answer): the pipe fills, and the crawl's
    writes go on being taken at once, queued; room() then tells it to hold its pages until
    the writer catches up."""
    writer = ArchiveWriter(db, interval=NEVER, size=1000, backlog=1 << 20)
    store(writer, crawl_id, 1)
    os.kill(writer.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        for number in range(2, 62):  # ~6 MB: more than the pipe and the backlog hold
            article = make_article(number, body="Paragraphe sur la Syrie. " * 4000)
            writer.submit("store_article", article, wait=False, crawl_id=crawl_id,
                          fetch=fetch_for(article))  # fmt: skip
        assert time.monotonic() - started < 10  # never blocked on the stopped writer
        room = writer.room()
        assert room is not None and not room.done()
    finally:
        os.kill(writer.process.pid, signal.SIGCONT)
    room.result(timeout=60)  # the writer caught up
    writer.close()
    assert len(committed_urls(db)) == 61
