"""The progress line: built with get_crawler and fake stats, then seen in a real crawl's log."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions import progress
from crawler.extensions.progress import CrawlProgress, progress_line
from mocksite.server import start

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"fetched \d+ \(new \d+, updated \d+, unchanged \d+, gone \d+\) errors \d+, "
    r"\d+\.\d pages/s, frontier (\d+|\?) left"
)
NOTHING_STORED = "(new 0, updated 0, unchanged 0, gone 0) errors 0"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Task:
    """Stands in for the looping call, which needs a running reactor or loop."""

    def __init__(self, function: object) -> None:
        self.function = function
        self.interval: float | None = None
        self.running = False

    def start(self, interval: float, now: bool = True) -> None:
        self.interval, self.running = interval, True

    def stop(self) -> None:
        self.running = False


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    monkeypatch.setattr(progress, "create_looping_call", Task)
    return fake


def crawler_with(stats: dict[str, int], waiting: int = 0, **settings: object):  # type: ignore[no-untyped-def]
    crawler = get_crawler(Spider, {"ARCHIVE_PROGRESS_INTERVAL": 60, **settings})
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    crawler.engine = SimpleNamespace(scheduler=[None] * waiting)
    return crawler


def test_the_line_counts_outcomes_errors_and_the_frontier() -> None:
    crawler = crawler_with(
        {
            "response_received_count": 1234,
            "archive/outcome/new": 40,
            "archive/outcome/updated": 3,
            "archive/outcome/unchanged": 1100,
            "archive/outcome/gone": 2,
            "archive/outcome/http_error": 4,
            "archive/outcome/error": 1,
            "archive/outcome/discovery": 80,
        }
    )
    assert progress_line(crawler.stats, 12.34, 321) == (
        "fetched 1234 (new 40, updated 3, unchanged 1100, gone 2) errors 5, "
        "12.3 pages/s, frontier 321 left"
    )
    assert progress_line(crawler.stats, 0, None).endswith("0.0 pages/s, frontier ? left")


def test_the_rate_is_over_the_last_interval(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    crawler = crawler_with({"response_received_count": 100}, waiting=7)
    extension = CrawlProgress.from_crawler(crawler)
    extension.spider_opened(crawler.spider)
    assert isinstance(extension.task, Task) and extension.task.interval == 60
    assert extension.task.function == extension.log
    clock.now += 60
    crawler.stats.set_value("response_received_count", 160)
    with caplog.at_level(logging.INFO, logger=progress.__name__):
        extension.log()
        clock.now += 60
        crawler.stats.set_value("response_received_count", 190)
        extension.log()
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        f"fetched 160 {NOTHING_STORED}, 1.0 pages/s, frontier 7 left",
        f"fetched 190 {NOTHING_STORED}, 0.5 pages/s, frontier 7 left",
    ]


def test_a_last_line_at_close_with_the_whole_crawl_rate(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = crawler_with({})
    extension = CrawlProgress.from_crawler(crawler)
    extension.spider_opened(crawler.spider)
    clock.now += 100
    crawler.stats.set_value("response_received_count", 250)
    with caplog.at_level(logging.INFO, logger=progress.__name__):
        extension.spider_closed(crawler.spider, "finished")
    assert extension.task is not None and not extension.task.running
    assert [r.getMessage() for r in caplog.records] == [
        f"fetched 250 {NOTHING_STORED}, 2.5 pages/s, frontier 0 left (finished)"
    ]


@pytest.mark.parametrize("interval", [0, "0", -1])
def test_an_interval_of_0_disables_it(interval: object) -> None:
    crawler = get_crawler(Spider, {"ARCHIVE_PROGRESS_INTERVAL": interval})
    with pytest.raises(NotConfigured):
        CrawlProgress.from_crawler(crawler)


@pytest.mark.e2e
def test_a_crawl_logs_progress_lines(tmp_path: Path) -> None:
    env = {**os.environ, "ARCHIVE_PATH": str(tmp_path / "a.db")}
    with start(articles=20) as site:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "sputnik",
                "-a",
                f"start={site.url()}",
                "-s",
                "ARCHIVE_PROGRESS_INTERVAL=0.05",
                "-s",
                "LOG_LEVEL=INFO",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [
        line for line in result.stderr.splitlines() if "[crawler.extensions.progress] INFO:" in line
    ]
    # 0.05 s is far shorter than a 20-article crawl: at least one periodic line, then the last.
    assert len(lines) >= 2, result.stderr[-3000:]
    assert all(LINE.search(line) for line in lines)
    assert lines[-1].endswith(" left (finished)")
    assert re.search(r"fetched \d+ \(new 20, ", lines[-1])


@pytest.mark.e2e
def test_a_running_crawls_row_has_its_counts_before_it_finishes(tmp_path: Path) -> None:
    """The crawl's row is brought up to date with each progress line, through the writer
    process: read from the archive (read-only, as `archive crawls` does) while the crawl is
    still running, it already counts fetches and new articles, and once closed it has the
    counts of the whole crawl."""
    db = tmp_path / "a.db"
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-s", "LOG_LEVEL=WARNING"]
    command += ["-s", "ARCHIVE_PROGRESS_INTERVAL=0.2", "-s", f"ARCHIVE_PATH={db}"]
    # A Crawl-delay of 0.1 s: 25 articles and their discovery pages take seconds.
    with start(articles=25, robots="crawl_delay", crawl_delay=0.1) as site:
        crawl = subprocess.Popen(
            [*command, "-a", f"start={site.url()}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: list[dict[str, object]] = []
        try:
            while crawl.poll() is None and not seen:
                seen = [row for row in _crawl_rows(db) if row["status"] == "running"]
                seen = [row for row in seen if int(row["new"]) > 0]  # type: ignore[call-overload]
                time.sleep(0.05)  # polling: the crawl has the machine's cores
            _, stderr = crawl.communicate(timeout=120)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    assert crawl.returncode == 0, stderr[-3000:]
    assert seen, "the crawl ended before its row showed any count"
    [running] = seen
    assert running["finished_at"] is None
    assert 0 < int(running["new"]) < 25  # type: ignore[call-overload]
    assert int(running["fetched"]) >= int(running["new"])  # type: ignore[call-overload]
    [done] = _crawl_rows(db)
    assert (done["status"], done["new"], done["not_due"]) == ("finished", 25, 0)


def _crawl_rows(db: Path) -> list[dict[str, object]]:
    """The archive's crawl rows, read-only; none while the archive is not made yet."""
    from archive import Archive, ArchiveError

    if not db.exists():
        return []
    try:
        with Archive(db, readonly=True) as archive:
            return archive.crawls()
    except (ArchiveError, sqlite3.OperationalError):
        return []  # being created: not an archive yet


def test_a_refresh_of_the_counts_that_fails_is_a_warning_not_a_failed_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The counts are made again when the crawl ends: a refresh that fails must not make a
    crawl whose every page was archived ``incomplete``."""
    from archive import Archive
    from crawler import session as session_module

    crawler = crawler_with({"response_received_count": 3})
    with Archive(tmp_path / "a.db") as archive:
        crawl_id = archive.begin_crawl("sputnik", {})
        opened = session_module.ArchiveSession(
            archive=archive, crawl_id=crawl_id + 1, path=tmp_path / "a.db", crawler=crawler
        )  # a crawl the archive does not know: update_crawl_counts raises ValueError
        session_module._sessions[crawler] = opened
        try:
            with caplog.at_level(logging.WARNING, logger=progress.__name__):
                CrawlProgress(crawler, 60)._update_crawl_row()
        finally:
            session_module.close_session(crawler)
        assert opened.failures == [] and opened.gave_up is None
        assert crawler.stats.get_value("archive/write_errors") is None
        [record] = [r for r in caplog.records if r.name == progress.__name__]
        assert record.getMessage().startswith("The crawl's counts were not brought up to date: ")
        # The crawl's own row is brought up to date as before.
        opened.crawl_id = crawl_id
        session_module._sessions[crawler] = opened
        try:
            CrawlProgress(crawler, 60)._update_crawl_row()
        finally:
            session_module.close_session(crawler)
        [row] = archive.crawls()
        assert (row["status"], row["fetched"], row["new"]) == ("running", 0, 0)
