"""The archive and crawl row one Scrapy crawl writes to, shared by its components.

The store pipeline and the crawl-history extension both need them and either may be set up
first, so the session is opened lazily by whichever asks first and kept per crawler.

The session also keeps what went wrong with the crawl's writes, wherever they are made (the
writer process or the crawl's own connection), so that the crawl's verdict (its row, its
exit status, its stderr line) cannot miss it:

- a write that failed for its own reason (:meth:`ArchiveSession.write_failed`): logged,
  counted, and an error toward ``CLOSESPIDER_ERRORCOUNT`` (it is sent as a ``spider_error``);
- a storage fault the archive gave up on (:meth:`ArchiveSession.storage_failed`): nothing
  more can be archived, so the crawl stops at once (finish reason ``archive_write_failed``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from archive import Archive, ArchiveError, StorageError, faults, resolve_path
from archive.writer import ArchiveWriter, ArchiveWriterError
from crawler.hurry import Hurry
from crawler.middlewares.redaction import redact

if TYPE_CHECKING:
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The finish reason of a crawl stopped because the archive could not be written (a storage
#: fault outlasted ``ARCHIVE_WRITE_PATIENCE``).
WRITE_FAILED = "archive_write_failed"
#: The finish reason of a crawl whose writer process died.
WRITER_FAILED = "archive_writer_failed"
#: Stat: writes that failed for their own reason.
WRITE_ERRORS_STAT = "archive/write_errors"


class ArchiveWriteFailed(Exception):
    """A write of the crawl failed (sent as a ``spider_error``, so it counts as an error)."""


@dataclass
class ArchiveSession:
    """An open archive and the id of this crawl's ``crawls`` row.

    ``archive`` is the crawl's connection: its reads, and its writes until a ``writer``
    process takes them over (see :mod:`archive.writer` and ``crawler.extensions.crawl_history``).
    """

    archive: Archive
    crawl_id: int
    path: Path
    crawler: Crawler | None = None
    writer: ArchiveWriter | None = None
    failures: list[str] = field(default_factory=list)
    """Writes that failed for their own reason, each as its error's one line."""
    gave_up: str | None = None
    """The storage fault that stopped the crawl's writes, if one did."""
    stop_reason: str | None = None
    """The finish reason the session asked the crawl to close with."""

    def write(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Make a per-page write whose result nobody needs: sent to the writer process when
        there is one (its failure is reported from there), else made here."""
        if self.gave_up is not None:
            return  # nothing more can be archived; the frontier keeps the page for next time
        if self.writer is not None:
            self.writer.submit(method, *args, wait=False, **kwargs)
            return
        with self.reporting(method):
            getattr(self.archive, method)(*args, **kwargs)

    @contextmanager
    def reporting(self, what: str) -> Iterator[None]:
        """Report the failure of the write(s) made within, then go on: a storage fault the
        archive gave up on stops the crawl, any other error is a failed write (logged with
        ``what``). A writer process that is gone reports itself (see ``on_exit``)."""
        try:
            yield
        except ArchiveWriterError:
            pass
        except StorageError as error:
            self.storage_failed(error.cause)
        except Exception as error:
            logger.exception("Archiving %s failed", what)
            self.write_failed(f"{type(error).__name__}: {error}")

    def write_failed(self, message: str) -> None:
        """A write failed for its own reason (on the reactor's thread)."""
        self.failures.append(message)
        crawler = self.crawler
        if crawler is None:
            return
        if crawler.stats is not None:
            crawler.stats.inc_value(WRITE_ERRORS_STAT)
        spider = crawler.spider
        if spider is not None:
            crawler.signals.send_catch_log(
                signal=signals.spider_error,
                failure=Failure(ArchiveWriteFailed(message)),  # type: ignore[no-untyped-call]
                response=None,
                spider=spider,
            )

    def storage_failed(self, cause: str, reason: str = WRITE_FAILED) -> None:
        """The archive cannot be written any more: stop the crawl (on the reactor's thread)."""
        if self.gave_up is not None:
            return
        self.gave_up = cause
        logger.error("The archive cannot be written (%s): stopping the crawl", cause)
        self.stop(reason)

    def stop(self, reason: str) -> None:
        """Close the crawl's spider with ``reason``, unless it is closing already."""
        self.stop_reason = self.stop_reason or reason
        if self.crawler is not None:
            stop_crawl(self.crawler, reason)


def engine_of(crawler: Crawler) -> ExecutionEngine | None:
    """The crawl's engine, ``None`` before it starts (or for a crawler driven by hand)."""
    try:
        return crawler.engine
    except RuntimeError:  # Scrapy: "Crawler.engine is not set yet"
        return None


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the crawl's spider with ``reason``, if it runs (and is not closing already)."""
    engine = engine_of(crawler)
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=reason))


_sessions: WeakKeyDictionary[Crawler, ArchiveSession] = WeakKeyDictionary()
_hurries: WeakKeyDictionary[Crawler, Hurry] = WeakKeyDictionary()
#: Crawls whose archive could not be opened: the error, raised again without retrying.
_unopened: WeakKeyDictionary[Crawler, ArchiveError] = WeakKeyDictionary()


class ArchivingOff(RuntimeError):
    """The archive was asked for in a run that archives nothing (``ARCHIVE_ENABLED`` off)."""


def archiving(crawler: Crawler) -> bool:
    """Whether the run archives what it fetches: ``ARCHIVE_ENABLED``, which the debugging
    commands (``scrapy shell``, ``fetch``, ``view``, ``parse``) turn off. When it is off every
    archive component stands aside (``NotConfigured``, or no frontier) and nothing opens the
    archive, so it is left byte-for-byte as it was, lock file included."""
    return crawler.settings.getbool("ARCHIVE_ENABLED", True)


def archive_path(crawler: Crawler) -> Path:
    """``ARCHIVE_PATH`` setting, else the environment variable, else ``./archive.db``."""
    return Path(resolve_path(crawler.settings.get("ARCHIVE_PATH") or None))


def hurry_for(crawler: Crawler) -> Hurry:
    """The crawl's :class:`~crawler.hurry.Hurry`: its storage waits, cut short when it stops."""
    hurry = _hurries.get(crawler)
    if hurry is None:
        hurry = _hurries[crawler] = Hurry()
    return hurry


def session_for(crawler: Crawler) -> ArchiveSession:
    """The crawl's archive session, opening the archive and the crawl row on first use.

    Crawls left ``running`` by a process that died are closed as ``interrupted`` first. The
    spider arguments are stored with their secrets redacted (``user:***@`` in URLs).
    :class:`ArchivingOff` in a run that archives nothing (see :func:`archiving`).
    """
    if not archiving(crawler):
        # Every archive component stands aside when archiving is off: one that did not
        # fails here rather than writing into the archive.
        raise ArchivingOff("this run archives nothing (ARCHIVE_ENABLED is off)")
    session = _sessions.get(crawler)
    if session is None:
        if crawler in _unopened:
            raise _unopened[crawler]
        path = archive_path(crawler)
        settings = crawler.settings
        try:
            archive = Archive(
                path,
                revisit=settings.get("ARCHIVE_REVISIT_SCHEDULE"),
                patience=settings.getfloat("ARCHIVE_WRITE_PATIENCE", 60.0),
                busy_timeout=1.0,  # SQLite's own wait: short, so that a hurry is heard
            )
        except sqlite3.Error as error:
            fault = faults.storage_fault(error, str(path))
            cause = fault.cause if fault is not None else f"cannot open {path}: {error}"
            _unopened[crawler] = ArchiveError(cause)
            raise _unopened[crawler] from error
        except ArchiveError as error:
            _unopened[crawler] = error
            raise
        hurry_for(crawler).add(archive.hurry)
        try:
            archive.close_dead_crawls()
            spider = crawler.spider
            arguments = redact(dict(getattr(spider, "arguments", {}) or {}))
            crawl_id = archive.begin_crawl(
                spider.name if spider else "?", arguments, node=settings.get("ARCHIVE_NODE")
            )
        except ArchiveError as error:
            archive.db.close()
            _unopened[crawler] = error
            raise
        session = ArchiveSession(archive=archive, crawl_id=crawl_id, path=path, crawler=crawler)
        _sessions[crawler] = session
        logger.info("Archiving into %s (crawl %s)", path, crawl_id)
    return session


def open_session(crawler: Crawler) -> ArchiveSession | None:
    """The crawl's session if it was opened and not yet closed, else ``None``."""
    return _sessions.get(crawler)


def close_session(crawler: Crawler) -> ArchiveSession | None:
    """Forget the crawl's session (the caller closes the archive); ``None`` if never opened."""
    return _sessions.pop(crawler, None)
