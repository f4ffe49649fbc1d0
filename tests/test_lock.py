"""One crawl of an archive at a time: the lock helper, the extension, and two runs meeting."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from archive import Archive
from crawler.commands.crawl import EXIT_BAD_ARGUMENTS, EXIT_FINISHED, EXIT_LOCKED
from crawler.extensions.lock import ArchiveBusy, ArchiveLock, acquire, busy_message, lock_path
from crawler.spiders.sputnik import SputnikSpider
from mocksite.server import RunningSite, start

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "scrapy crawl sputnik: "

#: A process that takes the lock, says so, and holds it until killed.
HOLDER = """
import sys
from crawler.extensions.lock import acquire
held = acquire(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


def crawl(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", *argv, "-s", "LOG_LEVEL=INFO"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@contextmanager
def killed_at_exit(db: Path) -> Iterator[int]:
    """A child process holding ``db``'s lock, killed with SIGKILL when the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"  # blocks until the child holds the lock
        yield child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)


def holder_fields(db: Path) -> dict[str, str]:
    text = lock_path(db).read_text(encoding="utf-8")
    return dict(line.split(": ", 1) for line in text.splitlines())


def crawl_rows(db: Path) -> list[dict[str, object]]:
    with Archive(db, readonly=True) as archive:
        return archive.crawls()


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=20) as running:
        yield running


def test_the_lock_file_sits_beside_the_archive(tmp_path: Path) -> None:
    assert lock_path(tmp_path / "archive.db") == tmp_path.resolve() / "archive.db.lock"


def test_a_symlink_to_the_archive_leads_to_its_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "news.db"
    real.parent.mkdir()
    Archive(real).close()
    link = tmp_path / "srv" / "archive.db"
    link.parent.mkdir()
    link.symlink_to(real)
    assert lock_path(link) == real.resolve().with_name("news.db.lock")
    held = acquire(real)
    try:
        with pytest.raises(ArchiveBusy, match=f"^{link} is being crawled by pid {os.getpid()} "):
            acquire(link)
    finally:
        held.release()
    held = acquire(link)
    try:
        with pytest.raises(ArchiveBusy):
            acquire(real)
    finally:
        held.release()
    assert sorted(p.name for p in link.parent.iterdir()) == ["archive.db"]


def test_a_symlink_to_an_archive_not_yet_made_leads_to_its_future_lock(tmp_path: Path) -> None:
    link = tmp_path / "archive.db"
    link.symlink_to(tmp_path / "real.db")
    held = acquire(link)
    try:
        with pytest.raises(ArchiveBusy):
            acquire(tmp_path / "real.db")
    finally:
        held.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db", "real.db.lock"]


def test_relative_and_absolute_paths_to_the_archive_share_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x").mkdir()
    monkeypatch.chdir(tmp_path)
    held = acquire("./x/../archive.db")
    try:
        with pytest.raises(ArchiveBusy):
            acquire(tmp_path / "archive.db")
        with pytest.raises(ArchiveBusy):
            acquire("archive.db")
    finally:
        held.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db.lock", "x"]


def test_a_held_lock_refuses_another_taker_and_says_who_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    held = acquire(db)
    fields = holder_fields(db)
    assert fields["pid"] == str(os.getpid())
    assert fields["host"] == socket.gethostname()
    with pytest.raises(ArchiveBusy) as refused:
        acquire(db)
    assert str(refused.value) == (
        f"{db} is being crawled by pid {os.getpid()} on {socket.gethostname()} "
        f"since {fields['started']}; exiting"
    )
    held.release()
    assert lock_path(db).read_text(encoding="utf-8") == ""
    acquire(db).release()


def test_a_holder_that_has_not_written_yet_is_still_reported(tmp_path: Path) -> None:
    assert busy_message(tmp_path / "a.db", "") == (
        f"{tmp_path / 'a.db'} is being crawled by another process; exiting"
    )


def test_the_extension_holds_the_lock_until_the_engine_stops(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db)})
    extension = ArchiveLock.from_crawler(crawler)
    with pytest.raises(ArchiveBusy):
        ArchiveLock.from_crawler(get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db)}))
    extension.engine_stopped()
    acquire(db).release()


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with killed_at_exit(db) as pid, pytest.raises(ArchiveBusy, match=f"by pid {pid} "):
        acquire(db)
    assert holder_fields(db)["pid"] == str(pid)  # the file outlives its holder
    acquire(db).release()


@pytest.mark.e2e
def test_a_crawl_while_another_run_holds_the_lock_exits_75_and_writes_nothing(
    tmp_path: Path, site: RunningSite
) -> None:
    db = tmp_path / "archive.db"
    Archive(db).close()
    held = acquire(db)
    try:
        result = crawl(db, "-a", f"start={site.url()}")
        started = holder_fields(db)["started"]
    finally:
        held.release()
    assert result.returncode == EXIT_LOCKED, result.stderr[-3000:]
    assert result.stderr.rstrip("\n").splitlines()[-1] == (
        f"{PREFIX}{db} is being crawled by pid {os.getpid()} on {socket.gethostname()} "
        f"since {started}; exiting"
    )
    assert "Traceback" not in result.stderr
    assert crawl_rows(db) == []


@pytest.mark.e2e
def test_bad_arguments_are_refused_before_the_lock_is_looked_at(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    held = acquire(db)
    try:
        result = crawl(db, "-a", "related_depth=-1")
    finally:
        held.release()
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]


@pytest.mark.e2e
def test_a_crawl_takes_over_the_lock_of_a_killed_run(tmp_path: Path, site: RunningSite) -> None:
    db = tmp_path / "archive.db"
    with killed_at_exit(db):
        pass
    result = crawl(db, "-a", f"start={site.url()}")
    assert result.returncode == EXIT_FINISHED, result.stderr[-3000:]
    assert [row["status"] for row in crawl_rows(db)] == ["finished"]
    assert lock_path(db).read_text(encoding="utf-8") == ""
