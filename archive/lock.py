"""One writer of an archive at a time: an exclusive ``flock`` on ``<archive>.lock``.

A crawl holds it for its whole run, and so does ``archive merge`` on the archive it merges
into; either is refused (never made to wait) while the other holds it. The lock file sits
beside the archive's real file (the path with its symlinks resolved), so two processes
reaching one archive by different paths contend for one lock.

The kernel drops a ``flock`` when its process dies, so a lock left by a killed run (``kill
-9``, a reboot) is free for the next one. The file itself stays; while locked it says who holds
it (pid, host, start time, what it does) for the refusal message and for people looking at it.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

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


def acquire(archive: str | os.PathLike[str], *, doing: str = "crawl") -> ArchiveLockFile:
    """Lock ``archive`` for this process without waiting; :class:`ArchiveBusy` if held.
    ``doing``: what the holder does with it (``crawl``, ``merge``), for the message."""
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
    file.write(holder_text(doing))
    file.flush()
    return ArchiveLockFile(path=path, file=file)


def acquire_waiting(
    archive: str | os.PathLike[str],
    *,
    doing: str,
    on_wait: Callable[[str], None] | None = None,
) -> ArchiveLockFile:
    """Lock ``archive`` for this process, waiting as long as another holds it; ``on_wait``
    is told the holder's text (see :func:`holder_text`) once, when waiting begins."""
    path = lock_path(archive)
    file = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait is not None:
            file.seek(0)
            on_wait(file.read())
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
    file.truncate(0)
    file.write(holder_text(doing))
    file.flush()
    return ArchiveLockFile(path=path, file=file)


def holder_text(doing: str = "crawl") -> str:
    """What the lock file says about its holder, one ``key: value`` a line."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return f"pid: {os.getpid()}\nhost: {socket.gethostname()}\nstarted: {started}\ndoing: {doing}\n"


def holder(archive: str | os.PathLike[str]) -> str | None:
    """What holds ``archive``'s lock right now (the lock file's text), or ``None`` when it
    is free; takes the lock for an instant to know, and never creates the lock file."""
    path = lock_path(archive)
    try:
        file = path.open("r", encoding="utf-8")  # flock needs no write access
    except FileNotFoundError:
        return None
    except OSError:
        return None  # unreadable: nothing to say of a holder
    with file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return file.read()
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)
        return None


def busy_message(archive: Path, holder: str) -> str:
    """``archive.db is being crawled by pid 1234 on host since ...; exiting``."""
    fields = dict(line.split(": ", 1) for line in holder.splitlines() if ": " in line)
    pid = fields.get("pid")
    doing = "merged into" if fields.get("doing") == "merge" else "crawled"
    if pid is None:  # the holder has the lock but has not written its line yet
        return f"{archive} is being {doing} by another process; exiting"
    return (
        f"{archive} is being {doing} by pid {pid} on {fields.get('host', '?')} "
        f"since {fields.get('started', '?')}; exiting"
    )
