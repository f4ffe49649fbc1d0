"""Runs under ``fiu-run -x`` (see tests/faults.py): an archive's writes with the disk made to
fail at chosen points, each case printing what was answered as one JSON object.

``python -m tests.fault_archive_script CASE DIRECTORY``; used by tests/test_faults_archive.py.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

from archive import Archive, FrontierEntry, StorageError
from tests.faults import FiuControl
from tests.test_archive import fetch_for, make_article

#: Writes per run of :func:`every_point`: articles with their frontier rows and fetch rows.
PAGES = 12
#: Batch size: a commit every few writes, so that the fault lands on commits and on writes.
BATCH = 5


class Lines(logging.Handler):
    """The archive's warnings, kept to be printed with the result."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def write_pages(archive: Archive, crawl_id: int, numbers: range, before: Any = None) -> list[str]:
    """Per page: its frontier row, its article, a discovery fetch; ``before(i)`` is called
    before the i-th write. Returns a key per write answered OK."""
    answered = []
    index = 0
    for number in numbers:
        article = make_article(number)
        url = article["url"]
        writes = [
            (
                f"frontier {url}",
                lambda url=url: archive.add_to_frontier(
                    [FrontierEntry(url=url)], crawl_id=crawl_id
                ),
            ),
            (
                f"article {url}",
                lambda article=article: archive.store_article(
                    article, crawl_id=crawl_id, fetch=fetch_for(article), frontier=article["url"]
                ),
            ),
            (
                f"fetch {url}listing",
                lambda url=url: archive.record_fetch(
                    crawl_id, fetch_for({"url": f"{url}listing"}), "discovery"
                ),
            ),
        ]
        for key, write in writes:
            if before is not None:
                before(index)
            index += 1
            write()
            answered.append(key)
    return answered


def in_archive(db: Path) -> list[str]:
    """The same keys, for what is committed in the file."""
    with Archive(db, readonly=True) as archive:
        keys = [f"frontier {r['url']}" for r in archive.rows("SELECT url FROM frontier")]
        keys += [f"article {r['url']}" for r in archive.rows("SELECT url FROM articles")]
        keys += [
            f"fetch {r['url']}"
            for r in archive.rows("SELECT url FROM fetches WHERE outcome = 'discovery'")
        ]
        done = archive.rows("SELECT url FROM frontier WHERE state = 'done'")
    return sorted(keys) + [f"done {r['url']}" for r in done]


def every_point(directory: Path) -> dict[str, Any]:
    """For each write of a run, a fresh archive whose disk fails once just before it (the
    failure lands on the next file write: a commit, or a page spilled mid-batch)."""
    fiu = FiuControl()
    runs = []
    total = PAGES * 3
    for point in range(total + 1):
        db = directory / f"point-{point}.db"
        lines = Lines()
        logging.getLogger("archive").addHandler(lines)
        archive = Archive(db, patience=10)
        crawl_id = archive.begin_crawl("sputnik", {})
        archive.batch_commits(3600, BATCH)

        def before(index: int, point: int = point) -> None:
            if index == point:
                fiu.disk_full(once=True)

        answered = write_pages(archive, crawl_id, range(1, PAGES + 1), before)
        if point == total:
            fiu.disk_full(once=True)  # the last commit itself
        archive.close()
        logging.getLogger("archive").removeHandler(lines)
        runs.append(
            {
                "point": point,
                "answered": sorted(answered),
                "stored": in_archive(db),
                "warnings": lines.lines,
            }
        )
    return {"runs": runs}


def lasting(directory: Path) -> dict[str, Any]:
    """The disk stays full: the archive gives up after its patience, refuses what follows,
    and the file holds exactly the writes committed before."""
    fiu = FiuControl()
    db = directory / "lasting.db"
    archive = Archive(db, patience=0.3)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, BATCH)
    committed = write_pages(archive, crawl_id, range(1, 3))  # 6 writes: one commit of 5
    fiu.disk_full()
    started = time.monotonic()
    errors = []
    try:
        archive.flush()
    except StorageError as error:
        errors.append({"cause": error.cause, "lost": error.lost, "transient": error.transient})
    waited = time.monotonic() - started
    try:
        write_pages(archive, crawl_id, range(3, 4))
    except StorageError as error:
        errors.append({"cause": error.cause, "lost": error.lost, "transient": error.transient})
    fiu.disk_back()
    archive.db.close()
    return {
        "answered": sorted(committed),
        "stored": in_archive(db),
        "errors": errors,
        "waited": waited,
    }


def passing(directory: Path) -> dict[str, Any]:
    """The disk is full for half a second while a batch is committed: the commit waits it
    out and loses nothing."""
    fiu = FiuControl()
    db = directory / "passing.db"
    archive = Archive(db, patience=30)
    crawl_id = archive.begin_crawl("sputnik", {})
    archive.batch_commits(3600, 100)
    answered = write_pages(archive, crawl_id, range(1, 5))
    fiu.disk_full()
    threading.Timer(0.5, fiu.disk_back).start()
    started = time.monotonic()
    archive.flush()
    waited = time.monotonic() - started
    archive.close()
    return {"answered": sorted(answered), "stored": in_archive(db), "waited": waited}


CASES = {"every_point": every_point, "lasting": lasting, "passing": passing}

if __name__ == "__main__":
    case, directory = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(CASES[case](directory)))
