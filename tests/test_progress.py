"""The progress line: built with get_crawler and fake stats, then seen in a real crawl's log."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
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
