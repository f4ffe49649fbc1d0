"""One crawl of an archive at a time: an exclusive ``flock`` on ``<ARCHIVE_PATH>.lock``.

The lock file sits beside the archive's real file (``ARCHIVE_PATH`` with its symlinks
resolved), so two crawls reaching one archive by different paths contend for one lock.

The lock is taken when the extension is built, which Scrapy does after creating the spider
but before the engine, the pipelines and ``spider_opened``: a refused run has written nothing,
not even a ``crawls`` row. It is released when the engine stops, after the crawl row is closed.

The kernel drops a ``flock`` when its process dies, so a lock left by a killed run (``kill
-9``, a reboot) is free for the next one. The file itself stays; while locked it says who holds
it (pid, host, start time) for the refusal message and for people looking at it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.session import archive_path, archiving

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"


class ArchiveBusy(RuntimeError):
    """Another live process holds the archive's lock; the crawl is refused."""


@dataclass
class ArchiveLockFile:
    """A held lock: release it to let the next crawl in."""

    path: Path
    file: TextIO

    def release(self) -> None:
        if self.file.closed:
            return
        self.file.truncate(0)
        self.file.close()  # closing the descriptor releases the flock


def lock_path(archive: str | os.PathLike[str]) -> Path:
    """The lock file of an archive: ``archive.db`` -> ``/abs/path/archive.db.lock``, beside
    the real file: symlinks, ``..`` and relative paths resolved first, so that every way of
    naming one archive leads to the same lock (a symlink ``news.db`` to ``/srv/a.db`` is
    locked by ``/srv/a.db.lock``)."""
    path = Path(archive).resolve()
    return path.with_name(path.name + LOCK_SUFFIX)


def acquire(archive: str | os.PathLike[str]) -> ArchiveLockFile:
    """Lock ``archive`` for this process without waiting; :class:`ArchiveBusy` if held."""
    path = lock_path(archive)
    file = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.seek(0)
        holder = file.read()
        file.close()
        raise ArchiveBusy(busy_message(Path(archive), holder)) from None
    file.truncate(0)
    file.write(holder_text())
    file.flush()
    return ArchiveLockFile(path=path, file=file)


def holder_text() -> str:
    """What the lock file says about its holder, one ``key: value`` a line."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return f"pid: {os.getpid()}\nhost: {socket.gethostname()}\nstarted: {started}\n"


def busy_message(archive: Path, holder: str) -> str:
    """``archive.db is being crawled by pid 1234 on host since ...; exiting``."""
    fields = dict(line.split(": ", 1) for line in holder.splitlines() if ": " in line)
    pid = fields.get("pid")
    if pid is None:  # the holder has the lock but has not written its line yet
        return f"{archive} is being crawled by another process; exiting"
    return (
        f"{archive} is being crawled by pid {pid} on {fields.get('host', '?')} "
        f"since {fields.get('started', '?')}; exiting"
    )


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
