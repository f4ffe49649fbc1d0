"""A progress line every ``ARCHIVE_PROGRESS_INTERVAL`` seconds, and a last one at close::

    fetched 1234 (new 40, updated 3, unchanged 1100, gone 2) errors 5, 9.3 pages/s, frontier 32 left

``fetched`` counts responses (Scrapy's ``response_received_count``); the outcomes come from the
``archive/outcome/<outcome>`` stats the store pipeline keeps; ``errors`` are fetches that
failed (``http_error`` and ``error`` outcomes: error statuses, timeouts, refused connections);
the rate is over the last interval (over the whole crawl in the last line); ``frontier`` is
the number of requests waiting in Scrapy's scheduler.

With each periodic line the crawl's ``crawls`` row has its counts brought up to date (through
the archive's writer, like the crawl's other writes, so the crawl never waits for it): what
``archive crawls`` shows while the crawl runs is at most one interval behind.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from archive.faults import StorageError
from archive.writer import ArchiveWriterError
from crawler.extensions.crawl_history import NOT_DUE_STAT
from crawler.session import open_session

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)


def _warn_on_failure(future: Future[Any]) -> None:
    """A refresh of the crawl's counts the writer could not make: a warning (see
    :meth:`CrawlProgress._update_crawl_row`)."""
    error = future.exception()
    if error is not None and not isinstance(error, ArchiveWriterError):
        logger.warning("The crawl's counts were not brought up to date: %s", error)


OUTCOME_PREFIX = "archive/outcome/"
SHOWN_OUTCOMES = ("new", "updated", "unchanged", "gone")
ERROR_OUTCOMES = ("http_error", "error")


def progress_line(stats: StatsCollector, pages_per_second: float, frontier: int | None) -> str:
    """The progress line for the current stats."""

    def count(key: str) -> int:
        return int(stats.get_value(key, 0) or 0)

    outcomes = ", ".join(f"{name} {count(OUTCOME_PREFIX + name)}" for name in SHOWN_OUTCOMES)
    errors = sum(count(OUTCOME_PREFIX + name) for name in ERROR_OUTCOMES)
    left = "?" if frontier is None else str(frontier)
    return (
        f"fetched {count('response_received_count')} ({outcomes}) errors {errors}, "
        f"{pages_per_second:.1f} pages/s, frontier {left} left"
    )


class CrawlProgress:
    """Log how far the crawl has got, at INFO, every ``ARCHIVE_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: AsyncioLoopingCall | LoopingCall | None = None
        self.started = self.last_time = time.monotonic()
        self.last_pages = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.last_time = time.monotonic()
        self.last_pages = self._pages()
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        pages = self._pages()
        elapsed = time.monotonic() - self.started
        rate = pages / elapsed if elapsed > 0 else 0.0
        logger.info("%s (%s)", progress_line(self.crawler.stats, rate, self._frontier()), reason)

    def log(self) -> None:
        now, pages = time.monotonic(), self._pages()
        elapsed = now - self.last_time
        rate = (pages - self.last_pages) / elapsed if elapsed > 0 else 0.0
        self.last_time, self.last_pages = now, pages
        logger.info(progress_line(self.crawler.stats, rate, self._frontier()))
        self._update_crawl_row()

    def _update_crawl_row(self) -> None:
        """The crawl row's counts as of now (nothing without an open archive: a debugging
        command, or a crawl whose archive gave up).

        Best effort: the counts are only a view of the ``fetches`` rows, made again when the
        crawl ends, so a refresh that fails is a warning, never a failed write (which would
        make the crawl ``incomplete`` with every page archived); none is sent while the
        writer process is behind. A storage fault the archive gave up on still stops the
        crawl, as it would at the next page."""
        session = open_session(self.crawler)
        if session is None or session.gave_up is not None:
            return
        not_due = int(self.crawler.stats.get_value(NOT_DUE_STAT, 0) or 0)
        if session.writer is not None:
            if session.writer.room() is not None:
                return  # the writer has pages to store first
            try:
                future = session.writer.submit(
                    "update_crawl_counts", session.crawl_id, not_due=not_due
                )
            except ArchiveWriterError:
                return  # the writer is gone: that reports itself
            future.add_done_callback(_warn_on_failure)
            return
        try:
            session.archive.update_crawl_counts(session.crawl_id, not_due=not_due)
        except StorageError as error:
            session.storage_failed(error.cause)
        except Exception as error:
            logger.warning("The crawl's counts were not brought up to date: %s", error)

    def _pages(self) -> int:
        return int(self.crawler.stats.get_value("response_received_count", 0) or 0)

    def _frontier(self) -> int | None:
        """Requests waiting in the scheduler; ``None`` if it cannot tell."""
        scheduler = self.crawler.engine.scheduler
        # BaseScheduler does not promise a length; Scrapy's own Scheduler has one.
        if scheduler is None or not hasattr(scheduler, "__len__"):
            return None
        return len(scheduler)
