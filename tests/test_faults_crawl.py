"""The fault-injection suite: ``scrapy crawl`` under every fault a months-long cron job meets.

For each fault, the exact exit status, stderr line and crawl row, and that a following run
reaches the archive an uninterrupted crawl makes (the same canonical URLs with the same
content hashes). The rule every case obeys: **exit 0 only when everything the crawl
acknowledged is archived**; a lost or failed write makes the status non-zero and the row not
``finished``, with one stderr line naming the cause; and the health check of docs/cron.md
(the last crawl's status is ``finished``) sees every failure.

Faults: kill -9 of the crawl and of its writer at random moments; a full disk for two seconds
and for good (libfiu, tests/faults.py); the archive's write lock held by another process for a
while and for too long; SIGTERM and SIGINT, once and twice, a signal and a time bound while
the archive is locked; a corrupt, truncated, read-only, foreign, empty or newer archive.
Set ``FAULTS_TEST_SEED`` to replay the random moments (the seed is in the messages).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.cli import cli
from mocksite.server import RunningSite, start
from tests.conftest import ROOT, run_crawl
from tests.faults import LockHolder, as_ordinary_user, disk_back, disk_full, under_fiu
from tests.refused_page import REFUSED
from tests.test_resume import fetch_count
from tests.test_writer_crawl import state_of, writer_of

pytestmark = pytest.mark.e2e

ARTICLES = 120
PREFIX = "scrapy crawl sputnik: "
#: Slow enough that a fault lands mid-crawl: about 40 pages a second.
SLOW = "DOWNLOAD_DELAY=0.025"
#: Slower still where the writer must give up (or a signal land) before the crawl is done.
LOCKED_SLOW = "DOWNLOAD_DELAY=0.1"
DEADLINE_S = 120.0
#: A stopped crawl must end within this many seconds of its signal or bound, however long the
#: archive's patience (a minute by default): far below it, far above a healthy close.
PROMPT_S = 15.0
NOT_ARCHIVED = r"(\d+) writes? not archived, their pages are fetched again by the next run"
SEED = int(os.environ.get("FAULTS_TEST_SEED") or random.randrange(1 << 30))


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=ARTICLES, seed=21) as running:
        yield running


@pytest.fixture(scope="module")
def reference(site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Canonical URL -> content hash of an uninterrupted crawl of the site."""
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    result = run_crawl(db, f"start={site.base_url}/")
    assert result.returncode == 0, result.stderr[-3000:]
    hashes = archived(db)
    assert len(hashes) == ARTICLES
    return hashes


def archived(db: Path) -> dict[str, str]:
    """Canonical URL -> content hash of every article in the archive."""
    with Archive(db, readonly=True) as archive:
        rows = archive.rows(
            "SELECT COALESCE(canonical_url, url) AS url, content_hash FROM articles"
        )
    return {row["url"]: row["content_hash"] for row in rows}


def crawl_rows(db: Path) -> list[tuple[str, str | None]]:
    """(status, finish_reason) of every crawl, oldest first."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT status, finish_reason FROM crawls ORDER BY id").fetchall()
    conn.close()
    return [(str(status), reason) for status, reason in rows]


def healthy(db: Path) -> bool:
    """The health check of docs/cron.md: the last crawl's status is ``finished``."""
    result = CliRunner().invoke(cli, ["--db", str(db), "crawls", "--limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    return bool(json.loads(result.output)[0]["status"] == "finished")


class Crawl:
    """``scrapy crawl sputnik -a start=...`` in the background, its log in ``LOG_FILE`` and
    its stderr (the verdict line) apart, as cron runs it."""

    def __init__(self, db: Path, site: RunningSite, *settings: str, fiu: bool = False) -> None:
        self.db, self.log = db, db.with_suffix(".log")
        command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-a",
                   f"start={site.base_url}/", "-s", f"LOG_FILE={self.log}", "-s", SLOW]  # fmt: skip
        for setting in settings:
            command += ["-s", setting]
        env = {**os.environ, "ARCHIVE_PATH": str(db)}
        self.process = subprocess.Popen(
            under_fiu(command) if fiu else command,
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.stderr = ""

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not condition():
            assert self.process.poll() is None, f"the crawl ended before {what}: {self.tail()}"
            assert time.monotonic() < deadline, f"no {what} within {DEADLINE_S} s"
            time.sleep(0.02)

    def fetched(self, count: int) -> None:
        self.wait_for(lambda: fetch_count(self.db) >= count, f"{count} fetches")

    def logged(self, text: str) -> None:
        self.wait_for(lambda: text in self.log_text(), repr(text))

    def writer(self) -> int:
        found: list[int] = []

        def running() -> bool:
            pid = writer_of(self.process.pid)
            if pid is not None:
                found.append(pid)
            return bool(found)

        self.wait_for(running, "its writer")
        return found[0]

    def end(self, timeout: float = DEADLINE_S) -> int:
        _, self.stderr = self.process.communicate(timeout=timeout)
        return int(self.process.returncode)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def tail(self) -> str:
        return self.log_text()[-3000:]


def lock_mid_crawl(crawl: Crawl) -> LockHolder:
    """Another process takes the archive's write lock while the crawl runs. The crawl is
    paused meanwhile (its writer is not): the writer commits its open batch within a second
    and the lock is free at last; a writer sent pages without a pause would keep taking it
    back before the other process's busy handler looks again."""
    crawl.process.send_signal(signal.SIGSTOP)
    try:
        return LockHolder(crawl.db)
    finally:
        crawl.process.send_signal(signal.SIGCONT)


def resume_to(db: Path, site: RunningSite, reference: dict[str, str]) -> None:
    """A following, healthy run leaves the archive of an uninterrupted crawl."""
    result = run_crawl(db, f"start={site.base_url}/")
    assert result.returncode == 0, result.stderr[-3000:]
    assert archived(db) == reference
    assert healthy(db)


def moment(low: int, high: int) -> int:
    return random.Random(f"{SEED}-{low}-{high}").randint(low, high)


# -- processes killed ----------------------------------------------------------------------


def test_kill_9_of_the_crawl(site: RunningSite, reference: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    at = moment(20, 90)
    crawl.fetched(at)
    writer = crawl.writer()
    crawl.process.send_signal(signal.SIGKILL)
    assert crawl.end() == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while state_of(writer) not in (None, "Z") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state_of(writer) in (None, "Z"), "the writer outlived its crawl"
    assert crawl_rows(db) == [("running", None)]
    assert not healthy(db)
    resume_to(db, site, reference)
    assert crawl_rows(db) == [("interrupted", "process_gone"), ("finished", "finished")]


def test_kill_9_of_the_writer(site: RunningSite, reference: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(20, 90))
    os.kill(crawl.writer(), signal.SIGKILL)
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert re.fullmatch(
        f"{PREFIX}crawl failed: the archive writer exited with status -9 during the crawl"
        f"(: {NOT_ARCHIVED})?\n",
        crawl.stderr,
    ), (SEED, crawl.stderr)
    assert crawl_rows(db) == [("failed", "archive_writer_failed")]
    assert not healthy(db)
    resume_to(db, site, reference)


# -- a full disk ---------------------------------------------------------------------------


def test_a_full_disk_for_two_seconds_loses_nothing(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site, fiu=True)
    crawl.fetched(moment(20, 60))
    writer = crawl.writer()
    disk_full(writer)
    time.sleep(2)  # the fault's duration, not a wait for something to happen
    disk_back(writer)
    assert crawl.end() == 0, (SEED, crawl.stderr, crawl.tail())
    assert crawl.stderr == ""
    assert re.search(r"disk full for \d(\.\d)? s, then written", crawl.log_text())
    assert crawl_rows(db) == [("finished", "finished")]
    assert archived(db) == reference  # everything, in this very run
    assert healthy(db)


def test_a_disk_that_stays_full_stops_the_crawl_and_says_so(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site, "ARCHIVE_WRITE_PATIENCE=2", fiu=True)
    crawl.fetched(moment(20, 60))
    writer = crawl.writer()
    disk_full(crawl.process.pid)  # the whole disk: the crawl's own connection too
    disk_full(writer)
    started = time.monotonic()
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert time.monotonic() - started < 2 + PROMPT_S
    assert re.fullmatch(
        f"{PREFIX}crawl failed: disk full for 2 s: {NOT_ARCHIVED}; "
        r"and its crawl row could not be closed \(disk full\)\n",
        crawl.stderr,
    ), (SEED, crawl.stderr)
    # The row could not be written: it stays running (the health check sees it) and the
    # next run closes it.
    assert crawl_rows(db) == [("running", None)]
    assert not healthy(db)
    resume_to(db, site, reference)
    assert crawl_rows(db)[0] == ("interrupted", "process_gone")


# -- the archive locked by another process ---------------------------------------------------


def test_a_lock_held_for_two_seconds_is_waited_out(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(20, 60))
    with lock_mid_crawl(crawl):
        time.sleep(2)  # the fault's duration
    assert crawl.end() == 0, (SEED, crawl.stderr, crawl.tail())
    assert crawl.stderr == ""
    assert crawl_rows(db) == [("finished", "finished")]
    assert archived(db) == reference


def test_a_lock_held_too_long_stops_the_crawl_naming_its_holder(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site, "ARCHIVE_WRITE_PATIENCE=2", LOCKED_SLOW)
    crawl.fetched(moment(20, 60))
    with lock_mid_crawl(crawl) as holder:
        crawl.logged("The archive cannot be written")
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert re.fullmatch(
        f"{PREFIX}crawl failed: archive locked by pid {holder.pid} for 2 s: {NOT_ARCHIVED}\n",
        crawl.stderr,
    ), (SEED, crawl.stderr)
    assert crawl_rows(db) == [("failed", "archive_write_failed")]
    assert not healthy(db)
    resume_to(db, site, reference)


# -- signals and bounds ----------------------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_one_signal_stops_the_crawl_in_order(
    site: RunningSite, reference: dict[str, str], tmp_path: Path, number: int
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(20, 90))
    crawl.process.send_signal(number)
    started = time.monotonic()
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert time.monotonic() - started < PROMPT_S
    assert crawl.stderr == f"{PREFIX}crawl failed: closed before its end (shutdown)\n"
    assert crawl_rows(db) == [("interrupted", "shutdown")]
    assert not healthy(db)
    resume_to(db, site, reference)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_second_signal_stops_it_at_once_and_still_closes_its_row(
    site: RunningSite, reference: dict[str, str], tmp_path: Path, number: int
) -> None:
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(20, 90))
    crawl.process.send_signal(number)
    crawl.process.send_signal(number)
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert crawl.stderr in (
        f"{PREFIX}crawl interrupted: stopped at once by a second signal\n",
        # The first signal's orderly close may be over before the second one lands.
        f"{PREFIX}crawl failed: closed before its end (shutdown)\n",
    ), crawl.stderr
    assert crawl_rows(db)[0][0] == "interrupted"
    assert crawl_rows(db)[0][1] in ("forced_shutdown", "shutdown")
    resume_to(db, site, reference)


def test_two_signals_at_once_force_the_stop_and_still_close_its_row(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    """SIGINT and SIGTERM delivered together (the process was stopped while both came):
    Scrapy takes the second for "force", stops without closing the spider, and the crawl
    still closes its row and its writer."""
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(20, 90))
    crawl.process.send_signal(signal.SIGSTOP)
    crawl.process.send_signal(signal.SIGINT)
    crawl.process.send_signal(signal.SIGTERM)
    crawl.process.send_signal(signal.SIGCONT)
    assert crawl.end() == 1, (SEED, crawl.tail())
    assert crawl.stderr == f"{PREFIX}crawl interrupted: stopped at once by a second signal\n"
    assert crawl_rows(db) == [("interrupted", "forced_shutdown")]
    assert not healthy(db)
    resume_to(db, site, reference)


def test_a_signal_is_obeyed_while_the_archive_is_locked(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    """The writer waits (a minute by default) for the lock: SIGTERM ends the crawl anyway,
    and says what it could not archive."""
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site, LOCKED_SLOW)
    crawl.fetched(moment(20, 60))
    with lock_mid_crawl(crawl) as holder:
        time.sleep(1.5)  # so that the writer is waiting for the lock
        crawl.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert crawl.end() == 1, crawl.tail()
        assert time.monotonic() - started < PROMPT_S
    assert re.fullmatch(
        rf"{PREFIX}crawl failed: archive locked by pid {holder.pid}( for \d+ s)?: "
        rf"{NOT_ARCHIVED}; and its crawl row could not be closed "
        rf"\(archive locked by pid {holder.pid}( for \d+ s)?\)\n",
        crawl.stderr,
    ), crawl.stderr
    assert crawl_rows(db) == [("running", None)]
    assert not healthy(db)
    resume_to(db, site, reference)


def test_a_signal_is_obeyed_while_a_finished_crawl_waits_for_a_locked_archive(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    """The crawl ran to its end while the archive was locked: closing, it waits for the
    lock (its minute of patience); SIGTERM then ends the wait at once."""
    db = tmp_path / "archive.db"
    crawl = Crawl(db, site)
    crawl.fetched(moment(60, 100))
    with lock_mid_crawl(crawl) as holder:
        crawl.logged("Closing spider (finished)")
        time.sleep(1)  # into the wait
        crawl.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert crawl.end() == 1, crawl.tail()
        assert time.monotonic() - started < PROMPT_S
    assert re.fullmatch(
        rf"{PREFIX}crawl failed: archive locked by pid {holder.pid}( for \d+ s)?: "
        rf"{NOT_ARCHIVED}; and its crawl row could not be closed "
        rf"\(archive locked by pid {holder.pid}( for \d+ s)?\)\n",
        crawl.stderr,
    ), crawl.stderr
    assert crawl_rows(db) == [("running", None)]
    resume_to(db, site, reference)


def test_a_signal_is_obeyed_while_the_crawl_waits_to_open_a_locked_archive(
    site: RunningSite, tmp_path: Path
) -> None:
    """Another process holds the lock when the crawl starts: it waits (patience) to write
    its crawl row; SIGTERM ends that wait at once, with the cause."""
    db = tmp_path / "archive.db"
    a_real_archive(db)
    with LockHolder(db) as holder:
        crawl = Crawl(db, site)
        crawl.logged("Spider opened")
        time.sleep(1)  # into the wait
        crawl.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert crawl.end() == 1, crawl.tail()
        assert time.monotonic() - started < PROMPT_S
    assert re.fullmatch(
        rf"{PREFIX}crawl failed: archive locked by pid {holder.pid}( for \d+ s)?\n", crawl.stderr
    ), crawl.stderr
    assert crawl_rows(db) == [("running", None)]  # a_real_archive's own row: no new one


def test_a_time_bound_is_obeyed_while_the_archive_is_locked(tmp_path: Path) -> None:
    """The lock is taken early in a crawl bounded to 4 s, whose pages soon fill the pipe to
    the writer and the little room it has beside it, so that the crawl holds its pages
    waiting for the writer (and Scrapy, closing, waits for them): the bound ends it within
    seconds (not the writer's minute of patience), and it says what it could not archive."""
    db = tmp_path / "archive.db"
    with start(articles=500, seed=22) as big:
        crawl = Crawl(
            db,
            big,
            "DOWNLOAD_DELAY=0.01",
            "CLOSESPIDER_TIMEOUT=4",
            "ARCHIVE_WRITER_BACKLOG_MB=0.05",
        )
        crawl.fetched(5)
        with lock_mid_crawl(crawl) as holder:
            assert crawl.end(timeout=4 + PROMPT_S) == 1, crawl.tail()
            assert time.monotonic() - holder.since < 4 + PROMPT_S
    log = crawl.log_text()
    assert "Closing spider (closespider_timeout)" in log
    assert re.search(r"'archive/writer/waits': \d+", log), "no page was held for the writer"
    assert re.fullmatch(
        rf"{PREFIX}crawl failed: archive locked by pid {holder.pid}( for \d+ s)?: "
        rf"{NOT_ARCHIVED}; and its crawl row could not be closed "
        rf"\(archive locked by pid {holder.pid}( for \d+ s)?\)\n",
        crawl.stderr,
    ), crawl.stderr
    assert crawl_rows(db) == [("running", None)]


# -- writes the archive refuses ------------------------------------------------------------

REFUSED_LINE = (
    r"(\d+) writes failed "
    r"\(first: OverflowError: Python int too large to convert to SQLite INTEGER\)"
)
REFUSING = {"ARCHIVE_PAGE_CLASS": "tests.refused_page.RefusedViewsPage"}


def pending(db: Path) -> set[str]:
    with Archive(db, readonly=True) as archive:
        return {row["url"] for row in archive.pending_frontier()}


def test_writes_the_archive_refuses_leave_the_crawl_incomplete(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    """A page object with a bug gives some articles a value SQLite cannot hold: each of
    those writes fails on its own, the others are archived, and the run says so."""
    db = tmp_path / "archive.db"
    refused = {url for url in reference if REFUSED.search(url)}
    assert 10 < len(refused) < len(reference)
    result = run_crawl(db, f"start={site.base_url}/",
                       settings={**REFUSING, "CLOSESPIDER_ERRORCOUNT": "0"})  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    line = result.stderr.rstrip("\n").splitlines()[-1]
    match = re.fullmatch(f"{PREFIX}crawl incomplete: {REFUSED_LINE}", line)
    assert match, line
    assert int(match.group(1)) == len(refused)
    assert crawl_rows(db) == [("incomplete", "finished")]
    assert not healthy(db)
    # Everything else is archived as it should be; the refused pages wait in the frontier.
    assert archived(db) == {url: h for url, h in reference.items() if url not in refused}
    assert pending(db) == refused
    resume_to(db, site, reference)


def test_refused_writes_count_toward_the_error_bound(
    site: RunningSite, reference: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    settings = {**REFUSING, "CLOSESPIDER_ERRORCOUNT": "5", "DOWNLOAD_DELAY": "0.05"}
    result = run_crawl(db, f"start={site.base_url}/", settings=settings)
    assert result.returncode == 1, result.stderr[-3000:]
    line = result.stderr.rstrip("\n").splitlines()[-1]
    match = re.fullmatch(f"{PREFIX}crawl failed: {REFUSED_LINE}", line)
    assert match, line
    assert int(match.group(1)) >= 5
    assert crawl_rows(db) == [("failed", "closespider_errorcount")]
    assert len(archived(db)) < len(reference)
    resume_to(db, site, reference)


# -- archives that cannot be written -----------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_real_archive(db: Path) -> None:
    with Archive(db) as archive:
        archive.begin_crawl("sputnik", {})
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def newer(db: Path) -> str:
    a_real_archive(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO _migrations VALUES ('m099_from_the_future', '2030')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return (
        f"{db} was made by a newer release (m099_from_the_future); "
        "upgrade the archiver to write to it"
    )


def truncated(db: Path) -> str:
    with Archive(db) as archive:
        crawl_id = archive.begin_crawl("sputnik", {})
        for number in range(40):
            archive.record_fetch(crawl_id, _fetch(number), "discovery")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    with open(db, "r+b") as file:
        file.truncate(size - 4096)
    return f"{db} is damaged: truncated to {size - 4096} bytes of {size}"


def corrupt(db: Path) -> str:
    a_real_archive(db)
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, garbled
    db.write_bytes(bytes(data))
    return f"cannot open {db} as an archive: database disk image is malformed"


def foreign(db: Path) -> str:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    return f"{db} is a SQLite database but not an archive"


def not_sqlite(db: Path) -> str:
    db.write_text("this is a shopping list\n" * 100)
    return f"{db} is not an archive: not a SQLite database"


def directory(db: Path) -> str:
    db.mkdir()
    return f"{db} is a directory, not an archive file"


def _fetch(number: int) -> Any:
    from archive import Fetch

    return Fetch(url=f"http://x.test/{number}/" + "x" * 300, status=200)


@pytest.mark.parametrize(
    "make", [newer, truncated, corrupt, foreign, not_sqlite, directory],
    ids=lambda make: make.__name__,
)  # fmt: skip
def test_an_archive_that_cannot_be_written_is_refused_untouched(
    site: RunningSite, tmp_path: Path, make: Callable[[Path], str]
) -> None:
    db = tmp_path / "archive.db"
    line = make(db)
    before = digest(db) if db.is_file() else None
    listing = sorted(os.listdir(tmp_path))
    result = run_crawl(db, f"start={site.base_url}/")
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr == f"{PREFIX}{line}\n"
    assert sorted(os.listdir(tmp_path)) == listing  # no lock, no WAL, no log
    if before is not None:
        assert digest(db) == before


def test_a_read_only_archive_is_refused_untouched(site: RunningSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    a_real_archive(db)
    db.chmod(0o444)
    before = digest(db)
    command = as_ordinary_user([sys.executable, "-m", "scrapy", "crawl", "sputnik", "-a",
                                f"start={site.base_url}/", "-s", f"ARCHIVE_PATH={db}"])  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr == f"{PREFIX}{db} is read-only (no write permission)\n"
    assert digest(db) == before
