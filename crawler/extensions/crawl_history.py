"""Crawl history: one ``crawls`` row per run, opened when the spider opens, closed with the
crawl's verdict, the counts of the crawl's ``fetches`` rows, and the number of archived
articles it left alone as not due (``crawls.not_due``). A run killed before closing its row
(``kill -9``) has it closed as ``interrupted`` by the next run (see ``crawler.session``).

The verdict is honest about the archive: a run whose writes could not all be archived is
never ``finished``. It is ``failed`` when a storage fault stopped it (``archive_write_failed``:
the disk full, the archive locked for longer than ``ARCHIVE_WRITE_PATIENCE``), when its writer
process died (``archive_writer_failed``) or when it fetched no page at all
(``nothing_fetched``); ``incomplete`` when it ran to its end but some writes failed on their
own. The row's finish reason, its status and the one line that says why are left in the
stats (:data:`FINISH_REASON_STAT`, :data:`STATUS_STAT`, :data:`FAILURE_STAT`) for the exit
status of ``scrapy crawl``.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed

from archive import ArchiveError, Fetch, StorageError
from archive.writer import HURRIED_CLOSE_S, ArchiveWriter, ArchiveWriterError, Failed, GaveUp
from crawler.session import (
    WRITE_FAILED,
    WRITER_FAILED,
    ArchiveSession,
    archiving,
    close_session,
    engine_of,
    hurry_for,
    open_session,
    session_for,
    stop_crawl,
)

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

#: Stat: the finish reason recorded in the crawl's row (Scrapy's, or the archive's own).
FINISH_REASON_STAT = "archive/finish_reason"
#: Stat: the status recorded in the crawl's row.
STATUS_STAT = "archive/status"
#: Stat: the one line that says what the archive lost, when it lost something.
FAILURE_STAT = "archive/failure"

#: The finish reason of a crawl that ran to its end without fetching a single page of the site.
NOTHING_FETCHED = "nothing_fetched"
#: The finish reason of a crawl stopped by a second signal, which Scrapy does not close.
FORCED_SHUTDOWN = "forced_shutdown"

#: The finish reason of a crawl whose archive could not be opened (no row records it).
ARCHIVE_UNUSABLE = "archive_unusable"

#: Scrapy finish reasons that mean the crawl was stopped from outside before it was done.
INTERRUPTED_REASONS = frozenset({"shutdown", "cancelled", FORCED_SHUTDOWN})

#: ``crawls.status`` of a run that ran to its end but could not archive every page it fetched.
INCOMPLETE = "incomplete"


def crawl_status(reason: str) -> str:
    """``finished`` for a crawl that ran to its end, ``interrupted`` or ``failed`` otherwise."""
    if reason == "finished":
        return "finished"
    if reason in INTERRUPTED_REASONS:
        return "interrupted"
    return "failed"


def verdict(
    reason: str, pages: int, session: ArchiveSession, lost: int, died: str | None = None
) -> tuple[str, str, str | None]:
    """The crawl's finish reason, status and, when the archive is short of something, the
    line that says what and why. ``died``: how the writer process ended, if it died."""
    not_archived = (
        f": {lost} write{'s' if lost != 1 else ''} not archived, their pages are fetched "
        "again by the next run"
        if lost
        else ""
    )
    if session.gave_up is not None:
        # The crawl's own reason when it was stopped for another (a signal, a bound).
        stopped = reason if reason != "finished" else WRITE_FAILED
        return session.stop_reason or stopped, "failed", f"{session.gave_up}{not_archived}"
    if died is not None:
        return WRITER_FAILED, "failed", f"{died}{not_archived}"
    if session.failures:
        count = len(session.failures)
        status = INCOMPLETE if reason == "finished" else crawl_status(reason)
        line = f"{count} write{'s' if count != 1 else ''} failed (first: {session.failures[0]})"
        return reason, status, line
    if reason == "finished" and pages <= 0:
        return NOTHING_FETCHED, "failed", None
    return reason, crawl_status(reason), None


class CrawlHistory:
    """Record the run in the archive's ``crawls`` table."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.flusher: AsyncioLoopingCall | LoopingCall | None = None
        self.hurry = hurry_for(crawler)
        self._row_closed = False

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
        self.hurry.install()  # first: opening the archive may wait for it already
        try:
            session = session_for(self.crawler)
        except ArchiveError as error:
            self._unusable(str(error))
            return
        # Group commit (see Archive.batch_commits): in a writer process of its own
        # (archive.writer) or here, with a timer that commits a quiet crawl's last writes
        # too. Without a reactor (the extension driven by hand) no timer could run, so each
        # write stays its own transaction, made here.
        settings = self.crawler.settings
        interval = settings.getfloat("ARCHIVE_COMMIT_INTERVAL", 1.0)
        size = settings.getint("ARCHIVE_COMMIT_SIZE", 100)
        self._hurry_when_stopped()
        if interval <= 0 or not is_reactor_installed():
            return
        # The pipeline counts the writer's answers; the asyncio reactor lets it wait for room.
        if settings.getbool("ARCHIVE_WRITER_PROCESS") and is_asyncio_reactor_installed():
            session.writer = ArchiveWriter(
                session.path,
                revisit=settings.get("ARCHIVE_REVISIT_SCHEDULE"),
                interval=interval,
                size=size,
                patience=settings.getfloat("ARCHIVE_WRITE_PATIENCE", 60.0),
                backlog=int(settings.getfloat("ARCHIVE_WRITER_BACKLOG_MB", 8.0) * (1 << 20)),
                on_exit=self._writer_exited,
                on_trouble=self._writer_trouble,
            )
            self.hurry.add(session.writer.hurry)
            return
        session.archive.batch_commits(interval, size)
        self.flusher = create_looping_call(self._flush_if_due, session)
        self.flusher.start(interval, now=False)

    def _hurry_when_stopped(self) -> None:
        """Hurry the archive's waits as soon as the crawl is being stopped (a time or error
        bound, a signal), not once Scrapy has closed it: Scrapy first waits for the pages in
        hand, which may be waiting for the writer. Scrapy has no signal for a close that
        begins, so the engine's ``close_spider_async`` is wrapped."""
        engine = engine_of(self.crawler)
        if engine is None:
            return
        close_spider = engine.close_spider_async

        async def closing(*, reason: str = "cancelled") -> None:
            if reason not in ("finished", WRITE_FAILED):
                self.hurry.now()
            await close_spider(reason=reason)

        engine.close_spider_async = closing  # type: ignore[method-assign]

    def _unusable(self, cause: str) -> None:
        """The archive could not be opened (after the checks before the crawl): stop."""
        logger.error("The archive cannot be used: %s", cause)
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value(FINISH_REASON_STAT, ARCHIVE_UNUSABLE)
            stats.set_value(STATUS_STAT, "failed")
            stats.set_value(FAILURE_STAT, cause)
        stop_crawl(self.crawler, ARCHIVE_UNUSABLE)

    def _flush_if_due(self, session: ArchiveSession) -> None:
        if session.gave_up is not None:
            return
        try:
            session.archive.flush_if_due()
        except StorageError as error:
            session.storage_failed(error.cause)

    def _writer_exited(self, status: int) -> None:
        """The writer process died during the crawl (called from its reply thread)."""
        from twisted.internet import reactor

        reactor.callFromThread(self._stop_for_writer, status)

    def _stop_for_writer(self, status: int) -> None:
        session = open_session(self.crawler)
        if session is None or session.writer is None:
            return
        if session.writer.state.gave_up is None:
            session.stop(WRITER_FAILED)

    def _writer_trouble(self, message: Failed | GaveUp) -> None:
        """A write failed, or the writer gave up (called from its reply thread)."""
        from twisted.internet import reactor

        reactor.callFromThread(self._trouble, message)

    def _trouble(self, message: Failed | GaveUp) -> None:
        session = open_session(self.crawler)
        if session is None:
            return
        if isinstance(message, Failed):
            session.write_failed(message.message)
        else:
            session.storage_failed(message.cause)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """robots.txt responses never reach a callback; record them here."""
        if request.meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt":
            session = open_session(self.crawler)
            if session is None:
                return
            latency = request.meta.get("download_latency")
            fetch = Fetch(
                url=response.url,
                status=response.status,
                bytes=len(response.body),
                ms=round(latency * 1000, 1) if latency is not None else None,
            )
            session.write("record_fetch", session.crawl_id, fetch, OUTCOME_ROBOTS)

    def _close_writer(
        self, session: ArchiveSession, writer: ArchiveWriter, reason: str
    ) -> tuple[int, str | None]:
        """Close the writer process, its figures into the stats; the writes it lost, and how
        it died if it did."""
        # Only a crawl that ran to its end waits for a storage fault to pass: a stopped one
        # (a signal, a time or error bound, the archive given up) ends within seconds.
        hurried = reason != "finished" or session.gave_up is not None or self.hurry.hurried
        if hurried:
            writer.hurry()
        died = None
        try:
            writer.close(timeout=HURRIED_CLOSE_S if hurried else None)
        except ArchiveWriterError as error:
            logger.error("Archive writer: %s", error)
            if writer.state.gave_up is not None:
                if session.gave_up is None:
                    session.gave_up = writer.state.gave_up
            else:
                died = str(error)
        stats = self.crawler.stats
        if stats is not None:
            if writer.errors:
                stats.set_value("archive/writer/errors", writer.errors)
            for name, value in writer.usage.items():
                stats.set_value(f"archive/writer/{name}", value)
        lost = writer.state.lost()
        if lost:
            logger.error(
                "%d writes sent to the archive writer were not committed "
                "(their pages stay pending in the frontier)",
                lost,
            )
        return lost, died

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.close(reason)

    def close(self, reason: str) -> None:
        """Close the crawl's row (and its writer) with the crawl's verdict. A signal while it
        closes still cuts short its waits for the archive (the hurry is left in place until
        the end), and closing that fails midway fails the crawl, never the other way."""
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        session = close_session(self.crawler)
        try:
            if session is not None:
                self._close(session, reason)
        except Exception as error:
            logger.exception("Closing the crawl failed")
            stats = self.crawler.stats
            if stats is not None and not self._row_closed:
                stats.set_value(STATUS_STAT, "failed")
                self._also_failed(f"closing the crawl failed: {type(error).__name__}: {error}")
        finally:
            self.hurry.uninstall()
            if session is not None:
                with contextlib.suppress(Exception):
                    session.archive.db.close()  # closed already when all went well

    def _also_failed(self, line: str) -> None:
        """Add ``line`` to what the crawl's failure line says (or make it that line)."""
        stats = self.crawler.stats
        if stats is not None:
            earlier = stats.get_value(FAILURE_STAT)
            stats.set_value(FAILURE_STAT, f"{earlier}; and {line}" if earlier else line)

    def _close(self, session: ArchiveSession, reason: str) -> None:
        lost, died = 0, None
        if session.writer is not None:
            lost, died = self._close_writer(session, session.writer, reason)
            # The writer's own account: failures it reported while closing reach the
            # reactor's thread only after this.
            session.failures = [message for _, message in session.writer.state.failed]
        elif session.gave_up is None:
            try:
                session.archive.flush()
            except StorageError as error:
                session.gave_up = error.cause
                lost = error.lost
        if reason not in ("finished", WRITE_FAILED):
            # Stopped (a signal, a bound) means stopped: the crawl row does not wait for the
            # archive either. One that ran to its end, or that the archive itself stopped,
            # waits for its row as long as for its pages.
            self.hurry.now()
        stats = self.crawler.stats
        pages = session.archive.pages_fetched(session.crawl_id)
        reason, status, failure = verdict(reason, pages, session, lost, died)
        if stats is not None:  # first: the exit status follows them
            stats.set_value(FINISH_REASON_STAT, reason)
            stats.set_value(STATUS_STAT, status)
            if failure is not None:
                stats.set_value(FAILURE_STAT, failure)
            stats.set_value("archive/crawl_id", session.crawl_id)
        not_due = int(stats.get_value(NOT_DUE_STAT, 0) or 0) if stats is not None else 0
        try:
            counts = session.archive.finish_crawl(
                session.crawl_id, reason, status=status, not_due=not_due
            )
        except StorageError as error:
            logger.error("The crawl's row could not be closed: %s", error.cause)
            self._also_failed(f"its crawl row could not be closed ({error.cause})")
            return
        self._row_closed = True
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


def close_abandoned(crawler: Crawler) -> bool:
    """Close the row of a crawl Scrapy stopped without closing its spider (a second signal):
    its writer is told to hurry and closed, its row closed as ``interrupted``. Whether there
    was one to close."""
    if open_session(crawler) is None:
        return False
    history = crawler.extensions.middlewares if crawler.extensions is not None else ()
    for extension in history:
        if isinstance(extension, CrawlHistory):
            extension.close(FORCED_SHUTDOWN)
            return True
    return False
