"""The archive and crawl row one Scrapy crawl writes to, shared by its components.

The store pipeline and the crawl-history extension both need them and either may be set up
first, so the session is opened lazily by whichever asks first and kept per crawler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from archive import Archive, resolve_path
from archive.writer import ArchiveWriter
from crawler.middlewares.redaction import redact

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


@dataclass
class ArchiveSession:
    """An open archive and the id of this crawl's ``crawls`` row.

    ``archive`` is the crawl's connection: its reads, and its writes until a ``writer``
    process takes them over (see :mod:`archive.writer` and ``crawler.extensions.crawl_history``).
    """

    archive: Archive
    crawl_id: int
    path: Path
    writer: ArchiveWriter | None = None

    def write(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Make a per-page write whose result nobody needs: sent to the writer process when
        there is one (its failure is logged there), else made here."""
        if self.writer is not None:
            self.writer.submit(method, *args, wait=False, **kwargs)
        else:
            getattr(self.archive, method)(*args, **kwargs)


_sessions: WeakKeyDictionary[Crawler, ArchiveSession] = WeakKeyDictionary()


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
        path = archive_path(crawler)
        archive = Archive(path, revisit=crawler.settings.get("ARCHIVE_REVISIT_SCHEDULE"))
        archive.close_dead_crawls()
        spider = crawler.spider
        arguments = redact(dict(getattr(spider, "arguments", {}) or {}))
        crawl_id = archive.begin_crawl(spider.name if spider else "?", arguments)
        session = ArchiveSession(archive=archive, crawl_id=crawl_id, path=path)
        _sessions[crawler] = session
        logger.info("Archiving into %s (crawl %s)", path, crawl_id)
    return session


def close_session(crawler: Crawler) -> ArchiveSession | None:
    """Forget the crawl's session (the caller closes the archive); ``None`` if never opened."""
    return _sessions.pop(crawler, None)
