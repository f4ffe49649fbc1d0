"""One crawl of an archive at a time: an exclusive ``flock`` on ``<ARCHIVE_PATH>.lock``
(:mod:`archive.lock`, which ``archive merge`` takes too).

The lock is taken when the extension is built, which Scrapy does after creating the spider
but before the engine, the pipelines and ``spider_opened``: a refused run has written nothing,
not even a ``crawls`` row. It is released when the engine stops, after the crawl row is closed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.lock import (
    LOCK_SUFFIX,
    ArchiveBusy,
    ArchiveLockFile,
    acquire,
    busy_message,
    holder_text,
    lock_path,
)
from crawler.session import archive_path, archiving

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = [
    "LOCK_SUFFIX",
    "ArchiveBusy",
    "ArchiveLock",
    "ArchiveLockFile",
    "acquire",
    "busy_message",
    "holder_text",
    "lock_path",
]


class ArchiveLock:
    """Hold the archive's lock for the whole crawl; refuse the crawl if another run has it."""

    def __init__(self, crawler: Crawler, held: ArchiveLockFile) -> None:
        self.crawler = crawler
        self.held = held

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveLock:
        if not archiving(crawler):
            raise NotConfigured  # a debugging command: the archive is not opened at all
        extension = cls(crawler, acquire(archive_path(crawler)))
        logger.debug("Locked %s", extension.held.path)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        self.held.release()
