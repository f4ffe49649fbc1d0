"""The scheduler keeps ARCHIVE_MEMORY_QUEUE_SIZE waiting requests in memory, the rest on disk
(crawler/scheduler.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.scheduler import DEFAULT_MEMORY_QUEUE_SIZE, SpillingScheduler


def open_scheduler(jobdir: Path | None, size: int | None) -> tuple[SpillingScheduler, Any]:
    settings: dict[str, Any] = {
        "SCHEDULER": "crawler.scheduler.SpillingScheduler",
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        # Scrapy's default (downloader-aware) needs a running engine; crawls use it
        # (tests/test_disk_queue.py), the spilling does not depend on it.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
    }
    if jobdir is not None:
        settings["JOBDIR"] = str(jobdir)
    if size is not None:
        settings["ARCHIVE_MEMORY_QUEUE_SIZE"] = size
    crawler = get_crawler(Spider, settings)
    crawler.spider = crawler._create_spider("test")
    crawler._apply_settings()
    scheduler = SpillingScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    return scheduler, crawler.stats


@pytest.fixture
def jobdir(tmp_path: Path) -> Path:
    return tmp_path / "job"


def requests(count: int, start: int = 0) -> list[Request]:
    return [Request(f"http://127.0.0.1:8000/page/{n}") for n in range(start, start + count)]


def drain(scheduler: SpillingScheduler) -> list[str]:
    urls = []
    while (request := scheduler.next_request()) is not None:
        urls.append(request.url)
    return urls


def files_under(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def test_a_burst_beyond_the_memory_size_waits_on_disk_and_leaves_in_order(jobdir: Path) -> None:
    scheduler, stats = open_scheduler(jobdir, 3)
    sent = requests(7)
    for request in sent:
        assert scheduler.enqueue_request(request)
    assert stats.get_value("scheduler/enqueued/memory") == 3
    assert stats.get_value("scheduler/enqueued/disk") == 4
    assert len(scheduler) == 7
    assert files_under(jobdir / "requests.queue")  # the four are in a file
    assert drain(scheduler) == [r.url for r in sent]  # memory (queued first), then disk
    assert stats.get_value("scheduler/dequeued/disk") == 4
    scheduler.close("finished")


def test_a_crawl_that_keeps_up_never_touches_the_disk(jobdir: Path) -> None:
    """A request popped as soon as it is queued (an incremental run) stays in memory."""
    scheduler, stats = open_scheduler(jobdir, 3)
    for request in requests(50):
        scheduler.enqueue_request(request)
        assert scheduler.next_request() is request
    assert stats.get_value("scheduler/enqueued/memory") == 50
    assert stats.get_value("scheduler/enqueued/disk") is None
    assert files_under(jobdir / "requests.queue") == []
    scheduler.close("finished")


def test_nothing_overtakes_the_requests_on_disk(jobdir: Path) -> None:
    """Memory has room again, but older requests wait on disk: the new one goes after them;
    once the disk is empty, memory is used again."""
    scheduler, stats = open_scheduler(jobdir, 2)
    first = requests(4)
    for request in first:
        scheduler.enqueue_request(request)  # 2 in memory, 2 on disk
    assert scheduler.next_request() is first[0]
    later = requests(1, start=100)[0]
    scheduler.enqueue_request(later)
    assert stats.get_value("scheduler/enqueued/disk") == 3
    assert drain(scheduler) == [first[1].url, first[2].url, first[3].url, later.url]
    last = requests(1, start=200)[0]
    scheduler.enqueue_request(last)
    assert stats.get_value("scheduler/enqueued/memory") == 3
    assert scheduler.next_request() is last
    scheduler.close("finished")


def test_without_a_jobdir_everything_waits_in_memory() -> None:
    scheduler, stats = open_scheduler(None, 2)
    for request in requests(10):
        scheduler.enqueue_request(request)
    assert stats.get_value("scheduler/enqueued/memory") == 10
    assert stats.get_value("scheduler/enqueued/disk") is None
    assert len(drain(scheduler)) == 10
    scheduler.close("finished")


def test_the_default_memory_size(jobdir: Path) -> None:
    scheduler, _ = open_scheduler(jobdir, None)
    assert scheduler.memory_queue_size == DEFAULT_MEMORY_QUEUE_SIZE == 1000
    scheduler.close("finished")


def test_the_project_uses_it() -> None:
    from crawler import settings

    assert settings.SCHEDULER == "crawler.scheduler.SpillingScheduler"
    assert settings.ARCHIVE_MEMORY_QUEUE_SIZE == DEFAULT_MEMORY_QUEUE_SIZE
