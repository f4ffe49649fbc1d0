"""`scrapy crawl` with its archive writes in a process of their own (ARCHIVE_WRITER_PROCESS):
the same archive as without, and a writer that dies fails the crawl and loses nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from mocksite.server import RunningSite

from .conftest import run_crawl
from .test_resume import fetch_count, launch, snapshot

DEADLINE_S = 120.0
#: So that the crawl is still running when a process of it is killed.
SLOW = "DOWNLOAD_DELAY=0.02"


def state_of(pid: int) -> str | None:
    """The kernel's one-letter state of a process (``Z``: exited, not reaped), ``None`` once
    it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def writer_of(pid: int) -> int | None:
    """The pid of the crawl's ``python -m archive.writer`` child, if it runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"archive.writer" in command:
            return int(entry.name)
    return None


def writer_once_storing(crawl: subprocess.Popen[bytes], db: Path, log: Path) -> int:
    """The pid of the running crawl's writer, once the archive holds 20 fetches."""
    deadline = time.monotonic() + DEADLINE_S
    writer = None
    while time.monotonic() < deadline and (writer is None or fetch_count(db) < 20):
        assert crawl.poll() is None, log.read_text()[-3000:]
        writer = writer or writer_of(crawl.pid)
        time.sleep(0.05)
    assert writer is not None and fetch_count(db) >= 20
    return writer


def test_a_crawl_archives_the_same_with_its_writes_in_a_process_or_not(
    replica: RunningSite, tmp_path: Path
) -> None:
    apart, here = tmp_path / "apart.db", tmp_path / "here.db"
    start = f"start={replica.base_url}/"
    with_writer = run_crawl(apart, start)
    without = run_crawl(here, start, settings={"ARCHIVE_WRITER_PROCESS": "False"})
    assert with_writer.returncode == 0, with_writer.stderr[-3000:]
    assert without.returncode == 0, without.stderr[-3000:]
    # The final stats say whether a writer process ran (its CPU, its memory).
    assert "'archive/writer/cpu_seconds'" in with_writer.stderr
    assert "'archive/writer/cpu_seconds'" not in without.stderr
    assert snapshot(apart) == snapshot(here)
    assert len(snapshot(apart)["hashes"]) >= 200  # every article of the replica, and more


def test_a_crawl_whose_writer_dies_fails_and_the_next_one_loses_nothing(
    replica: RunningSite, tmp_path: Path
) -> None:
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    start = f"{replica.base_url}/"
    crawl = launch(db, start, log, SLOW)
    writer = writer_once_storing(crawl, db, log)
    os.kill(writer, signal.SIGKILL)
    assert crawl.wait(DEADLINE_S) == 1
    output = log.read_text()
    assert f"the archive writer exited with status {-signal.SIGKILL} during the crawl" in output
    assert (
        "scrapy crawl sputnik: crawl failed: the archive writer exited with status "
        f"{-signal.SIGKILL} during the crawl"
    ) in output
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT status, finish_reason FROM crawls").fetchall()
        stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert rows == [("failed", "archive_writer_failed")]
    assert stored < 200
    after = run_crawl(db, f"start={start}")
    assert after.returncode == 0, after.stderr[-3000:]
    reference = tmp_path / "reference.db"
    assert run_crawl(reference, f"start={start}").returncode == 0
    assert snapshot(db)["hashes"] == snapshot(reference)["hashes"]


def test_the_writer_ends_with_a_crawl_killed_outright(replica: RunningSite, tmp_path: Path) -> None:
    """kill -9 of the crawl: its writer sees the pipe close, rolls back and exits."""
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    crawl = launch(db, f"{replica.base_url}/", log, SLOW)
    writer = writer_once_storing(crawl, db, log)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(10)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline and state_of(writer) not in (None, "Z"):
        time.sleep(0.05)
    assert state_of(writer) in (None, "Z"), "the writer outlived its crawl"
    conn = sqlite3.connect(db, timeout=1)
    try:  # and it left no write lock behind
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_without_the_asyncio_reactor_the_crawl_writes_itself(
    replica: RunningSite, tmp_path: Path
) -> None:
    """The pipeline awaits the writer's answers as asyncio futures: with another reactor the
    crawl makes its writes in its own process, and archives the same."""
    db, reference = tmp_path / "archive.db", tmp_path / "reference.db"
    start = f"start={replica.base_url}/"
    # DEBUG: Scrapy names the reactor it installed.
    other = {"TWISTED_REACTOR": "twisted.internet.epollreactor.EPollReactor", "LOG_LEVEL": "DEBUG"}
    done = run_crawl(db, start, settings=other)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Using reactor: twisted.internet.epollreactor.EPollReactor" in done.stderr
    assert "'archive/writer/cpu_seconds'" not in done.stderr
    assert run_crawl(reference, start).returncode == 0
    assert snapshot(db) == snapshot(reference)
