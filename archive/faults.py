"""What can go wrong with the archive file itself, named the way a person reads it.

Two kinds of trouble, each an :class:`ArchiveError` with a one-line message:

- the file cannot be an archive for this release (:func:`check_file`): a directory, a file
  that is not SQLite, a truncated or foreign one, one without write permission, one made by
  a newer release (:class:`NewerArchiveError`). Checked before anything is written, so a
  refused file is left byte for byte as it was.
- storage faults while writing (:func:`storage_fault`): the disk is full, another process
  holds the write lock, an I/O error. Some pass (a disk freed, a lock released), so the
  archive retries them for a while (:attr:`archive.Archive.patience`) before giving up with
  :class:`StorageError`, whose message names the cause (``disk full``, ``archive locked by
  pid 1234 for 60 s``).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from archive import migrations


class ArchiveError(Exception):
    """A problem with the archive file itself (missing, not an archive, read-only)."""


class ArchiveNotFoundError(ArchiveError, FileNotFoundError):
    """No archive at the given path (raised when opening read-only, which never creates)."""


class ReadOnlyArchiveError(ArchiveError):
    """A write was attempted on an archive opened with ``readonly=True``."""


class NewerArchiveError(ArchiveError):
    """The archive was made by a newer release: its schema has migrations this one lacks."""

    def __init__(self, path: str, unknown: list[str]) -> None:
        self.unknown = unknown
        super().__init__(
            f"{path} was made by a newer release ({', '.join(unknown)}); "
            "upgrade the archiver to write to it"
        )


@dataclass(frozen=True)
class Fault:
    """A storage fault: its cause in a few words, and whether waiting may cure it."""

    cause: str
    transient: bool


class StorageError(ArchiveError):
    """The archive could not be written: ``cause`` says why in a few words (how long it
    was waited out included), ``fault`` what the fault itself was."""

    def __init__(
        self, cause: str, *, transient: bool = False, lost: int = 0, fault: Fault | None = None
    ) -> None:
        self.cause = cause
        self.transient = transient
        self.lost = lost
        """Writes already answered that were not committed and never will be."""
        self.fault = fault or Fault(cause, transient)
        super().__init__(cause)


# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

#: Byte of the ``-shm`` file a WAL writer holds an exclusive lock on (``WAL_WRITE_LOCK``: the
#: first of the lock bytes, which start at offset 120).
_WAL_WRITE_LOCK_BYTE = 120


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else int(code) & 0xFF


def storage_fault(error: BaseException, path: str | None = None) -> Fault | None:
    """The storage fault behind ``error``, or ``None`` when it is a write's own error (a
    constraint, a bug) that retrying would only repeat.

    ``path`` (the archive) lets a lock name the process that holds it.
    """
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        if error.errno == 28:  # ENOSPC, from a file SQLite does not write itself
            return Fault("disk full", transient=True)
        return None
    if not isinstance(error, sqlite3.Error):
        return None
    code, text = _primary_code(error), str(error).lower()
    if code == SQLITE_FULL or "disk is full" in text:
        return Fault("disk full", transient=True)
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        holder = lock_holder(path) if path else None
        who = f"pid {holder}" if holder is not None else "another process"
        return Fault(f"archive locked by {who}", transient=True)
    if code == SQLITE_IOERR or "disk i/o error" in text:
        return Fault("disk I/O error", transient=True)
    if code == SQLITE_READONLY or "readonly database" in text:
        return Fault("archive file is read-only", transient=False)
    if code == SQLITE_CANTOPEN or "unable to open database" in text:
        return Fault("cannot open the archive file", transient=False)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text:
        return Fault(f"archive file is damaged ({error})", transient=False)
    return None


def lock_holder(path: str | os.PathLike[str]) -> int | None:
    """The pid of another process holding the archive's SQLite write lock, when the system
    says (Linux's ``/proc/locks``); ``None`` when unknown."""
    targets: dict[tuple[str, int], bool] = {}
    for name, wal in ((f"{os.fspath(path)}-shm", True), (os.fspath(path), False)):
        try:
            info = os.stat(name)
        except OSError:
            continue
        device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}"
        targets[(device, info.st_ino)] = wal
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    own = os.getpid()
    for line in lines:
        fields = line.split()
        if "->" in fields:  # a waiter, not a holder
            continue
        if len(fields) < 8 or fields[1] != "POSIX" or fields[3] != "WRITE":
            continue
        device, _, inode = fields[5].rpartition(":")
        key = (device, int(inode)) if inode.isdigit() else None
        if key is None or key not in targets:
            continue
        wal = targets[key]
        if not fields[4].isdigit() or int(fields[4]) == own:
            continue
        start, end = fields[6], fields[7]
        if wal and not (start.isdigit() and int(start) <= _WAL_WRITE_LOCK_BYTE):
            continue
        if wal and end != "EOF" and end.isdigit() and int(end) < _WAL_WRITE_LOCK_BYTE:
            continue
        return int(fields[4])
    return None


#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def check_file(path: str | os.PathLike[str], *, create: bool = True, writing: bool = True) -> None:
    """Refuse, with one line, a path that cannot be opened as an archive of this release;
    touches nothing (the crawl and the ``archive`` command say the same of the same file).

    For writing (a crawl): a missing file is fine when ``create`` (its directory must exist
    and be writable), an empty file too (SQLite makes it an archive); refused are a file or
    directory without write permission and an archive made by a newer release
    (:class:`NewerArchiveError`). For reading (``writing=False``): a missing or empty file
    is refused, a read-only one or a newer release's archive is read. Refused either way: a
    directory, a file that is not SQLite or is shorter than its header says (truncated), a
    damaged one, a SQLite database that is not an archive.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        if not create or not writing:
            raise ArchiveNotFoundError(f"no archive at {name}") from None
        _check_directory(name, creating=True)
        return
    except OSError as error:
        raise ArchiveError(f"cannot open {name}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ArchiveError(f"{name} is a directory, not an archive file")
    if not os.access(name, os.R_OK):
        raise ArchiveError(f"{name} is not readable (permission denied)")
    if writing:
        if not os.access(name, os.W_OK):
            raise ArchiveError(f"{name} is read-only (no write permission)")
        _check_directory(name, creating=False)
    if info.st_size == 0:
        if writing:
            return
        raise ArchiveError(f"{name} is not an archive (an empty file)")
    with open(name, "rb") as file:
        header = file.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise ArchiveError(f"{name} is not an archive: not a SQLite database")
    if len(header) == 100:
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        valid = header[24:28] == header[92:96]  # the size field is trusted only then
        # A checkpoint killed half-way (kill -9, power loss) leaves the file shorter than
        # its new header says while the -wal still holds every page it lacks: SQLite's
        # recovery finishes it on the next open. Any other short file is damaged.
        short = valid and pages and info.st_size < pages * page_size
        if short and not _wal_holds_missing_pages(name, info.st_size, page_size, pages):
            raise ArchiveError(
                f"{name} is damaged: truncated to {info.st_size} bytes of {pages * page_size}"
            )
    check_schema(name, writing=writing)


#: The two magic numbers of a WAL header: checksums of little- or big-endian words.
_WAL_MAGIC = {0x377F0682: "<", 0x377F0683: ">"}
_WAL_HEADER = struct.Struct(">8I")
_WAL_FRAME_HEADER = struct.Struct(">6I")


def _wal_holds_missing_pages(name: str, size: int, page_size: int, pages: int) -> bool:
    """True when the archive's ``-wal`` holds, in frames of committed transactions, every
    page the file lacks (those after its last whole page, up to the ``pages`` its header
    gives): a checkpoint killed half-way, which SQLite completes on the next open.

    Read as SQLite reads a WAL (its file format, "The WAL File Format"): frames count while
    their salts are the header's and their running checksum holds; a transaction counts
    once its commit frame (one giving the database size) is read. A missing, empty, stale
    or garbled WAL holds nothing.
    """
    try:
        with open(f"{name}-wal", "rb") as wal:
            header = wal.read(_WAL_HEADER.size)
            if len(header) < _WAL_HEADER.size:
                return False
            magic, _version, wal_page_size, _sequence, *salts, sum1, sum2 = _WAL_HEADER.unpack(
                header
            )
            order = _WAL_MAGIC.get(magic)
            if order is None or wal_page_size != page_size:
                return False
            checksum = _wal_checksum(order, header[:24], (0, 0))
            if checksum != (sum1, sum2):
                return False
            pending: set[int] = set()
            committed: set[int] = set()
            db_pages = 0
            while True:
                frame = wal.read(_WAL_FRAME_HEADER.size)
                page = wal.read(page_size)
                if len(frame) < _WAL_FRAME_HEADER.size or len(page) < page_size:
                    break
                number, commit_size, salt1, salt2, sum1, sum2 = _WAL_FRAME_HEADER.unpack(frame)
                if [salt1, salt2] != salts:
                    break
                checksum = _wal_checksum(order, frame[:8] + page, checksum)
                if checksum != (sum1, sum2):
                    break
                pending.add(number)
                if commit_size:
                    committed |= pending
                    pending = set()
                    db_pages = commit_size
    except OSError:
        return False
    missing = range(size // page_size + 1, max(pages, db_pages) + 1)
    return bool(db_pages) and pages <= db_pages and all(n in committed for n in missing)


def _wal_checksum(order: str, data: bytes, start: tuple[int, int]) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (32-bit words in ``order``), carried on from
    ``start``."""
    s0, s1 = start
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _check_directory(name: str, *, creating: bool) -> None:
    directory = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(directory):
        raise ArchiveError(f"cannot create {name}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        what = "create" if creating else "write"
        raise ArchiveError(
            f"cannot {what} {name}: directory {directory} is read-only "
            "(SQLite keeps its -wal and -shm files beside the archive)"
        )


def _applied_migrations(path: str) -> list[str] | None:
    """The migration names recorded in the SQLite file at ``path``, ``None`` when it has no
    ``_migrations`` table; read without writing a byte.

    Read-only, a WAL-mode database still gets a ``-wal`` and a ``-shm`` file beside it.
    Without a ``-wal`` (or ``-journal``) file nobody is writing to it and the file holds all
    of it: it is read as immutable, which creates nothing. With one, a writer's latest
    commits (a new archive's schema) may be there only: it is read through SQLite's locks.
    """
    sidecars = (f"{path}{suffix}" for suffix in ("-wal", "-journal"))
    mode = "mode=ro" if any(os.path.exists(name) for name in sidecars) else "immutable=1"
    uri = f"{Path(path).resolve().as_uri()}?{mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=1.0)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if migrations.MIGRATIONS_TABLE not in tables:
            return None
        return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    finally:
        conn.close()


def check_schema(path: str, *, writing: bool = True) -> None:
    """Refuse a SQLite file that is not an archive, or, for ``writing``, was made by a newer
    release (see :func:`_applied_migrations`: nothing is written). A SQLite database with no
    table at all becomes an archive when written to; read, it is not one."""
    try:
        applied = _applied_migrations(path)
    except sqlite3.DatabaseError as error:
        fault = storage_fault(error, path)
        if fault is not None and fault.transient:
            return  # locked by a writer right now: opening it will wait, as it should
        raise ArchiveError(f"cannot open {path} as an archive: {error}") from error
    if applied is None:
        try:
            empty = _is_empty_database(path)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"cannot open {path} as an archive: {error}") from error
        if not empty or not writing:
            raise ArchiveError(f"{path} is a SQLite database but not an archive")
        return
    unknown = migrations.unknown(applied)
    if unknown and writing:
        raise NewerArchiveError(path, unknown)


def _is_empty_database(path: str) -> bool:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?immutable=1", uri=True)
    try:
        return bool(conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0)
    finally:
        conn.close()
