"""An answered write is durable: the archive under storage faults (a full disk, a write lock
held by another process), an archive of a newer release, and files that are not archives.

The full disk is real as far as SQLite can tell: libfiu makes its file writes fail with
ENOSPC (tests/faults.py), in a process of its own (tests/fault_archive_script.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, ArchiveError, NewerArchiveError, StorageError, faults
from archive.writer import ArchiveWriter, ArchiveWriterError
from tests.conftest import ROOT
from tests.fault_archive_script import BATCH, PAGES
from tests.faults import LockHolder, as_ordinary_user, disk_full, fiu_environment, under_fiu
from tests.test_archive import fetch_for, make_article


def run_case(case: str, directory: Path) -> dict[str, Any]:
    command = under_fiu([sys.executable, "-m", "tests.fault_archive_script", case, str(directory)])
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.splitlines()[-1]))


def split(stored: list[str]) -> tuple[list[str], list[str]]:
    """The keys of the writes found in the archive, and the URLs whose frontier row is done."""
    done = [key.removeprefix("done ") for key in stored if key.startswith("done ")]
    return [key for key in stored if not key.startswith("done ")], done


def test_every_answered_write_survives_a_failed_commit_wherever_it_lands(tmp_path: Path) -> None:
    result = run_case("every_point", tmp_path)
    runs = result["runs"]
    assert len(runs) == PAGES * 3 + 1
    for run in runs:
        writes, done = split(run["stored"])
        assert writes == run["answered"], f"failure before write {run['point']}"
        articles = sorted(k.removeprefix("article ") for k in writes if k.startswith("article "))
        assert sorted(done) == articles  # every stored page settled its frontier row
        # The fault did land, once, and was waited out (it is not a test of nothing).
        recovered = [w for w in run["warnings"] if "disk full for" in w and "then written" in w]
        assert len(recovered) == 1, (run["point"], run["warnings"])
    assert len(runs[0]["answered"]) == PAGES * 3


def test_a_full_disk_that_lasts_gives_up_names_it_and_keeps_a_prefix(tmp_path: Path) -> None:
    result = run_case("lasting", tmp_path)
    # The first BATCH writes were committed before the disk filled; the 6th was answered,
    # then lost with its batch, and said so; the later writes were refused outright.
    committed = result["answered"]
    writes, _ = split(result["stored"])
    assert len(committed) == 6
    assert len(writes) == BATCH and set(writes) < set(committed)
    assert result["errors"] == [
        {"cause": "disk full", "lost": 1, "transient": True},
        {"cause": "disk full", "lost": 1, "transient": True},
    ]
    assert result["waited"] >= 0.3


def test_a_full_disk_for_half_a_second_loses_nothing(tmp_path: Path) -> None:
    result = run_case("passing", tmp_path)
    writes, done = split(result["stored"])
    assert writes == result["answered"]
    assert len(done) == 4
    assert result["waited"] >= 0.5  # the commit did wait for the disk


def test_the_writer_says_exactly_which_answered_writes_a_lasting_fault_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the writer process: 12 writes answered (10 committed by size, 2 held), the
    disk fills, 3 more are sent; the writer gives up, and the crawl's side knows that exactly
    the 10 first are in the archive and 5 are lost."""
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        crawl_id = archive.begin_crawl("sputnik", {})
    for name, value in fiu_environment().items():
        monkeypatch.setenv(name, value)
    troubles: list[Any] = []
    writer = ArchiveWriter(db, interval=3600, size=5, patience=0.5, on_trouble=troubles.append)
    answered = [
        writer.submit(
            "store_article", make_article(n), crawl_id=crawl_id, fetch=fetch_for(make_article(n))
        ).result(30)
        for n in range(1, 13)
    ]
    assert [result.outcome for result in answered] == ["new"] * 12
    disk_full(writer.process.pid)
    later = [
        writer.submit(
            "store_article", make_article(n), crawl_id=crawl_id, fetch=fetch_for(make_article(n))
        )
        for n in range(13, 16)
    ]
    with pytest.raises(ArchiveWriterError) as raised:
        later[-1].result(30)
    assert str(raised.value) == "disk full"
    with pytest.raises(ArchiveWriterError):
        writer.close()
    assert writer.state.committed == 10
    assert writer.state.lost() == 5
    assert writer.state.gave_up == "disk full"
    assert [type(t).__name__ for t in troubles] == ["GaveUp"]
    assert committed_urls(db) == [make_article(n)["url"] for n in range(1, 11)]


# -- a write lock held by another process ---------------------------------------------------


def store(archive: Archive, crawl_id: int, number: int) -> str:
    # Long enough that storing it always needs new pages of the file.
    article = make_article(number, body=f"Paragraphe {number} sur la Syrie. " * 2000)
    archive.store_article(article, crawl_id=crawl_id, fetch=fetch_for(article))
    return str(article["url"])


def committed_urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as other:
        return [row[0] for row in other.execute("SELECT url FROM articles ORDER BY id")]


def test_a_lock_held_for_a_while_is_waited_out(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=30, busy_timeout=0.05)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    first = store(archive, crawl_id, 1)
    archive.flush()
    with LockHolder(db) as holder:
        threading.Timer(0.5, holder.release).start()
        started = time.monotonic()
        urls = [store(archive, crawl_id, n) for n in (2, 3)]  # the first one begins a batch
        archive.flush()
        assert time.monotonic() - started >= 0.4  # it did wait for the lock
    archive.close()
    assert committed_urls(db) == [first, *urls]


def test_without_batches_a_lock_is_waited_out_too(tmp_path: Path) -> None:
    """Batching off (ARCHIVE_COMMIT_INTERVAL=0): each write is its own transaction, made
    again until the lock is free."""
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=30, busy_timeout=0.05)
    crawl_id = archive.begin_crawl("sputnik", {})
    with LockHolder(db) as holder:
        threading.Timer(0.5, holder.release).start()
        started = time.monotonic()
        url = store(archive, crawl_id, 1)
        assert time.monotonic() - started >= 0.4
    archive.close()
    assert committed_urls(db) == [url]


def full_database(archive: Archive) -> None:
    """No page more for the file: the next write that needs one fails with SQLITE_FULL at
    its statement (not at COMMIT), as on a full disk."""
    pages = archive.db.execute("PRAGMA page_count").fetchone()[0]
    archive.db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_at_a_batchs_first_write_gives_up_in_time(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=1.0)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    first = store(archive, crawl_id, 1)
    archive.flush()
    full_database(archive)
    started = time.monotonic()
    with pytest.raises(StorageError) as raised:
        store(archive, crawl_id, 2)
    assert time.monotonic() - started < 10  # the patience, not a loop without end
    assert raised.value.cause == "disk full for 1 s"
    assert raised.value.lost == 0  # nothing answered was waiting
    assert archive.broken is raised.value
    archive.db.execute("PRAGMA max_page_count = 1000000")
    with pytest.raises(StorageError):
        store(archive, crawl_id, 3)  # the disk has room again: still no later write
    archive.db.close()
    assert committed_urls(db) == [first]


def test_a_full_disk_at_a_write_that_passes_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk is full at the third write of a batch, then has room again (after the first
    pause): the batch is made again and the write with it."""
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=30)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    urls = [store(archive, crawl_id, n) for n in (1, 2)]
    full_database(archive)
    pause = archive._pause

    def room_again(seconds: float) -> None:
        archive.db.execute("PRAGMA max_page_count = 1000000")
        pause(seconds)

    monkeypatch.setattr(archive, "_pause", room_again)
    urls += [store(archive, crawl_id, n) for n in (3, 4)]
    archive.close()
    assert committed_urls(db) == urls


def test_a_lock_held_too_long_gives_up_naming_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=1.5, busy_timeout=0.05)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    first = store(archive, crawl_id, 1)
    archive.flush()
    with LockHolder(db) as holder:
        assert faults.lock_holder(db) == holder.pid
        with pytest.raises(StorageError) as raised:
            store(archive, crawl_id, 2)
        with pytest.raises(StorageError) as again:
            store(archive, crawl_id, 3)
    assert raised.value.cause == f"archive locked by pid {holder.pid} for 2 s"
    assert raised.value.lost == 0 and raised.value.transient
    assert again.value is raised.value  # refused at once: the archive keeps a prefix
    assert archive.broken is raised.value
    archive.db.close()
    assert committed_urls(db) == [first]


def test_hurry_cuts_the_wait_short(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=600, busy_timeout=0.05)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    with LockHolder(db):
        threading.Timer(0.3, archive.hurry).start()
        started = time.monotonic()
        with pytest.raises(StorageError) as raised:
            store(archive, crawl_id, 1)
        assert time.monotonic() - started < 10  # not the patience of 600 s
    assert raised.value.cause.startswith("archive locked by pid ")
    archive.db.close()


def test_a_crawl_row_waits_for_the_lock_then_names_it(tmp_path: Path) -> None:
    """Writes outside a batch (the crawl row) wait out a lock too, then say whose it is."""
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=0.5, busy_timeout=0.05)
    with LockHolder(db) as holder, pytest.raises(StorageError) as raised:
        archive.begin_crawl("sputnik", {})
    assert raised.value.cause == f"archive locked by pid {holder.pid}"
    assert archive.begin_crawl("sputnik", {}) == 1  # and goes on once it is free
    archive.close()


# -- what cannot be an archive -----------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def newer_archive(db: Path) -> None:
    """An archive a later release wrote: one migration more than this release knows."""
    with Archive(db) as archive:
        archive.begin_crawl("sputnik", {})
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(
        "INSERT INTO _migrations (name, applied_at) VALUES ('m099_from_the_future', '2030')"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_an_archive_of_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    newer_archive(db)
    before = digest(db)
    listing = sorted(os.listdir(tmp_path))
    expected = (
        f"{db} was made by a newer release (m099_from_the_future); "
        "upgrade the archiver to write to it"
    )
    with pytest.raises(NewerArchiveError) as raised:
        Archive(db)
    assert str(raised.value) == expected
    with pytest.raises(NewerArchiveError) as checked:
        faults.check_file(db)
    assert str(checked.value) == expected
    assert digest(db) == before
    assert sorted(os.listdir(tmp_path)) == listing
    with Archive(db, readonly=True) as archive:  # still readable, as far as this release knows
        assert len(archive.crawls()) == 1
    assert digest(db) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "{p} is a directory, not an archive file"),
        (lambda p: p.write_bytes(b"hello, world\n" * 20),
         "{p} is not an archive: not a SQLite database"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (x)").connection.commit(),
            "{p} is a SQLite database but not an archive",
        ),
    ],
    ids=["directory", "not-sqlite", "foreign"],
)  # fmt: skip
def test_what_is_not_an_archive_is_refused_in_one_line(
    tmp_path: Path, make: Any, message: str
) -> None:
    path = tmp_path / "archive.db"
    make(path)
    with pytest.raises(ArchiveError) as raised:
        faults.check_file(path)
    assert str(raised.value) == message.format(p=path)


def test_a_truncated_archive_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        for number in range(1, 30):
            archive.store_article(make_article(number), crawl_id=archive.begin_crawl("s", {}),
                                  fetch=fetch_for(make_article(number)))  # fmt: skip
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    with open(db, "r+b") as file:
        file.truncate(size // 2)
    with pytest.raises(ArchiveError) as raised:
        faults.check_file(db)
    assert str(raised.value) == f"{db} is damaged: truncated to {size // 2} bytes of {size}"


def test_a_missing_directory_and_a_new_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "archive.db"
    with pytest.raises(ArchiveError) as raised:
        faults.check_file(missing)
    assert str(raised.value) == (
        f"cannot create {missing}: directory {missing.parent} does not exist"
    )
    faults.check_file(tmp_path / "new.db")  # may be created
    (tmp_path / "empty.db").touch()
    faults.check_file(tmp_path / "empty.db")  # an empty file becomes an archive too
    assert not (tmp_path / "new.db").exists()


READ_ONLY = """
import sys
from archive import ArchiveError, faults
try:
    faults.check_file(sys.argv[1])
except ArchiveError as error:
    print(error)
"""


def test_an_archive_without_write_permission_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.begin_crawl("sputnik", {})
    db.chmod(0o444)
    command = as_ordinary_user([sys.executable, "-c", READ_ONLY, str(db)])
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{db} is read-only (no write permission)"


# -- what a storage error is called ----------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "cause", "transient"),
    [
        (sqlite3.OperationalError("database or disk is full"), "disk full", True),
        (sqlite3.OperationalError("database is locked"), "archive locked by another process", True),
        (sqlite3.OperationalError("disk I/O error"), "disk I/O error", True),
        (sqlite3.OperationalError("attempt to write a readonly database"),
         "archive file is read-only", False),
        (sqlite3.DatabaseError("database disk image is malformed"),
         "archive file is damaged (database disk image is malformed)", False),
        (OSError(28, "No space left on device"), "disk full", True),
    ],
)  # fmt: skip
def test_storage_faults_are_named(error: BaseException, cause: str, transient: bool) -> None:
    assert faults.storage_fault(error) == faults.Fault(cause, transient)


def test_a_writes_own_error_is_not_a_storage_fault() -> None:
    assert faults.storage_fault(sqlite3.IntegrityError("UNIQUE constraint failed: x")) is None
    assert faults.storage_fault(ValueError("not an article")) is None


def test_without_batches_a_lock_held_too_long_is_named_once(tmp_path: Path) -> None:
    """Batching off: the write's transaction waits for the lock, then the write gives up;
    the cause says how long, once."""
    db = tmp_path / "archive.db"
    archive = Archive(db, patience=1.0, busy_timeout=0.05)
    crawl_id = archive.begin_crawl("sputnik", {})
    with LockHolder(db) as holder, pytest.raises(StorageError) as raised:
        store(archive, crawl_id, 1)
    assert raised.value.cause == f"archive locked by pid {holder.pid} for 1 s"
    assert archive.broken is raised.value
    archive.db.close()


def test_a_checkpoint_killed_half_way_is_no_truncation(tmp_path: Path) -> None:
    """kill -9 during a checkpoint: the file's new first page (a larger page count) is
    written, the pages after it not yet; the WAL still holds them all. SQLite's recovery
    completes it on the next open, so the archive is neither refused nor short of a row."""
    live, db = tmp_path / "live.db", tmp_path / "archive.db"
    with Archive(live) as archive:
        archive.store_article(make_article(1), crawl_id=archive.begin_crawl("s", {}),
                              fetch=fetch_for(make_article(1)))  # fmt: skip
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    before = live.stat().st_size
    writer.execute("CREATE TABLE notes (text TEXT)")
    writer.executemany("INSERT INTO notes VALUES (?)", [("x" * 500,) for _ in range(400)])
    # The state a kill leaves: the files as they are while the writer still has them open.
    db.write_bytes(live.read_bytes())
    wal = Path(f"{live}-wal").read_bytes()
    Path(f"{db}-wal").write_bytes(wal)
    writer.close()
    page_size = int.from_bytes(wal[8:12], "big")
    frames = [
        wal[at + 24 : at + 24 + page_size]
        for at in range(32, len(wal) - 24 - page_size + 1, 24 + page_size)
        if int.from_bytes(wal[at : at + 4], "big") == 1
    ]
    with open(db, "r+b") as file:  # the checkpoint's first write: the newest page 1
        file.write(frames[-1])
    pages = int.from_bytes(frames[-1][28:32], "big")
    assert db.stat().st_size == before < pages * page_size  # shorter than its header says
    killed = db.read_bytes()
    faults.check_file(db)  # not refused
    with Archive(db) as archive:
        assert archive.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 400
        assert archive.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the same file without a WAL is what it looks like: damaged
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    db.write_bytes(killed)
    with pytest.raises(ArchiveError) as raised:
        faults.check_file(db)
    assert str(raised.value) == (
        f"{db} is damaged: truncated to {before} bytes of {pages * page_size}"
    )


@pytest.mark.parametrize("wal", ["a later commit", "zeros", "stale salts"])
def test_a_truncated_archive_is_refused_whatever_wal_lies_beside_it(
    tmp_path: Path, wal: str
) -> None:
    """A WAL that does not hold the pages the file lacks (a later small commit, garbage, a
    WAL of an older checkpoint generation) makes no truncated file whole: refused, and
    nothing created beside it (no -shm)."""
    live, db = tmp_path / "live.db", tmp_path / "data" / "archive.db"
    db.parent.mkdir()
    with Archive(live) as archive:
        crawl = archive.begin_crawl("s", {})
        for number in range(1, 30):
            article = make_article(number)
            archive.store_article(article, crawl_id=crawl, fetch=fetch_for(article))
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE articles SET title = 'x' WHERE id = 1")
    size = live.stat().st_size
    db.write_bytes(live.read_bytes())
    log = bytearray(Path(f"{live}-wal").read_bytes())
    writer.close()
    if wal == "zeros":
        log = bytearray(len(log))
    elif wal == "stale salts":
        log[16:24] = bytes(8)  # the header's salts: no frame belongs to it any more
    Path(f"{db}-wal").write_bytes(bytes(log))
    with open(db, "r+b") as file:
        file.truncate(size - 3 * 4096)
    before = files_in(db.parent)
    with pytest.raises(ArchiveError) as raised:
        faults.check_file(db)
    assert str(raised.value) == f"{db} is damaged: truncated to {size - 3 * 4096} bytes of {size}"
    assert files_in(db.parent) == before


def files_in(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}
