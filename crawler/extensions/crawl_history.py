"""Crawl history: one ``crawls`` row per run, opened when the spider opens, closed with the
reason Scrapy gives, the counts of the crawl's ``fetches`` rows, and the number of archived
articles it left alone as not due (``crawls.not_due``). A run killed before closing its row
(``kill -9``) has it closed as ``interrupted`` by the next run (see ``crawler.session``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed

from archive import Fetch
from archive.writer import ArchiveWriter, ArchiveWriterError
from crawler.session import archiving, close_session, session_for

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

OUTCOME_ROBOTS = "robots"
#: Archived articles found but not fetched, not being due (set by the spider's frontier).
NOT_DUE_STAT = "archive/frontier/not_due"

#: The finish reason of a crawl whose writer process died or failed to commit (the crawl
#: then fails).
WRITER_FAILED = "archive_writer_failed"
#: Stat: the finish reason recorded in the crawl's row (Scrapy's, unless the writer failed).
FINISH_REASON_STAT = "archive/finish_reason"

#: Scrapy finish reasons that mean the crawl was stopped from outside before it was done.
INTERRUPTED_REASONS = frozenset({"shutdown", "cancelled"})


def crawl_status(reason: str) -> str:
    """``finished`` for a crawl that ran to its end, ``interrupted`` or ``failed`` otherwise."""
    if reason == "finished":
        return "finished"
    if reason in INTERRUPTED_REASONS:
        return "interrupted"
    return "failed"


class CrawlHistory:
    """Record the run in the archive's ``crawls`` table."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.flusher: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlHistory:
        if not archiving(crawler):
            raise NotConfigured  # a debugging command: no crawls row
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        session = session_for(self.crawler)
        # Group commit (see Archive.batch_commits): in a writer process of its own
        # (archive.writer) or here, with a timer that commits a quiet crawl's last writes
        # too. Without a reactor (the extension driven by hand) no timer could run, so each
        # write stays its own transaction, made here.
        settings = self.crawler.settings
        interval = settings.getfloat("ARCHIVE_COMMIT_INTERVAL", 1.0)
        size = settings.getint("ARCHIVE_COMMIT_SIZE", 100)
        if interval <= 0 or not is_reactor_installed():
            return
        # The pipeline waits for the writer's answers as asyncio futures.
        if settings.getbool("ARCHIVE_WRITER_PROCESS") and is_asyncio_reactor_installed():
            session.writer = ArchiveWriter(
                session.path,
                revisit=settings.get("ARCHIVE_REVISIT_SCHEDULE"),
                interval=interval,
                size=size,
                on_exit=self._writer_exited,
            )
            return
        session.archive.batch_commits(interval, size)
        self.flusher = create_looping_call(session.archive.flush_if_due)
        self.flusher.start(interval, now=False)

    def _writer_exited(self, status: int) -> None:
        """The writer process died during the crawl (called from its reply thread)."""
        from twisted.internet import reactor

        reactor.callFromThread(self._stop_for_writer)

    def _stop_for_writer(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=WRITER_FAILED))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """robots.txt responses never reach a callback; record them here."""
        if request.meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt":
            session = session_for(self.crawler)
            latency = request.meta.get("download_latency")
            fetch = Fetch(
                url=response.url,
                status=response.status,
                bytes=len(response.body),
                ms=round(latency * 1000, 1) if latency is not None else None,
            )
            session.write("record_fetch", session.crawl_id, fetch, OUTCOME_ROBOTS)

    def _close_writer(self, writer: ArchiveWriter) -> bool:
        """Close the writer process, its figures into the stats; whether it committed all."""
        committed = True
        try:
            writer.close()
        except ArchiveWriterError as error:
            logger.error("Archive writer: %s", error)
            committed = False
        stats = self.crawler.stats
        if stats is not None:
            if writer.errors:
                stats.set_value("archive/writer/errors", writer.errors)
            for name, value in writer.usage.items():
                stats.set_value(f"archive/writer/{name}", value)
        return committed

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        session = close_session(self.crawler)
        if session is None:
            return
        stats = self.crawler.stats
        if session.writer is not None and not self._close_writer(session.writer):
            reason = WRITER_FAILED
        if stats is not None:  # first: the exit status follows it
            stats.set_value(FINISH_REASON_STAT, reason)
        status = crawl_status(reason)
        not_due = int(stats.get_value(NOT_DUE_STAT, 0) or 0) if stats is not None else 0
        counts = session.archive.finish_crawl(
            session.crawl_id, reason, status=status, not_due=not_due
        )
        if stats is not None:
            stats.set_value("archive/crawl_id", session.crawl_id)
        logger.info(
            "Crawl %s %s (%s): %s",
            session.crawl_id,
            status,
            reason,
            ", ".join(f"{k}={v}" for k, v in counts.items()),
        )
        pending = session.archive.frontier_counts()["pending"]
        if pending:
            logger.info("%d URLs left pending in the frontier for the next run", pending)
        session.archive.close()
