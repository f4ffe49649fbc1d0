"""The archive's Python API: one SQLite file of articles, their versions, raw captures, URLs,
links, tags, events and crawls.

The CLI (``archive.cli``) and the Scrapy pipeline are thin layers over :class:`Archive`.
This module never imports Scrapy, and takes articles as plain mappings (``Article.to_dict()``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import sqlite_utils

from archive import dedupe, faults, french, media, migrations, queries
from archive.faults import (
    ArchiveError,
    ArchiveNotFoundError,
    ReadOnlyArchiveError,
    StorageError,
)
from archive.filters import ArticleFilters
from archive.names import fold_name, unknown_name_message
from archive.revisit import RevisitSchedule, parse_time
from archive.urls import AmbiguousURLError, canonical_key, lookup_keys

logger = logging.getLogger(__name__)

#: Where the archive lives unless told otherwise.
DEFAULT_PATH = "archive.db"

#: Values of ``fetches.outcome``.
FETCH_OUTCOMES: tuple[str, ...] = (
    "new",
    "updated",
    "unchanged",
    "not_article",
    "unreadable",
    "discovery",
    "robots",
    "http_error",
    "error",
    "skipped",
    "refused",
    "gone",
    "alias",
    media.OUTCOME_MEDIA,
    media.OUTCOME_MEDIA_ERROR,
)
#: Values of ``crawls.status``.
CRAWL_STATUSES: tuple[str, ...] = ("running", "finished", "incomplete", "failed", "interrupted")

#: Values of ``frontier.state`` and ``frontier.kind``.
FRONTIER_STATES: tuple[str, ...] = ("pending", "done")
FRONTIER_KINDS: tuple[str, ...] = ("article", "discovery")

#: Fetches of a URL failing transiently (5xx, 408, 429, network errors) before its frontier
#: row is given up (``done``); until then each later crawl tries it again.
FRONTIER_MAX_ATTEMPTS = 3

#: Network failures worth another try in a later crawl, as ``Fetch.error`` names them (the
#: exception's name first): timeouts, refused or lost connections, DNS failures, cut bodies.
#: Anything else (a body too large, a redirect loop, a refusal) will fail the same way.
TRANSIENT_ERRORS: tuple[str, ...] = (
    "TimeoutError",
    "DownloadTimeoutError",
    "TCPTimedOutError",
    "ConnectionRefusedError",
    "ConnectError",
    "ConnectionDone",
    "ConnectionLost",
    "DNSLookupError",
    "ResponseFailed",
    "ResponseNeverReceived",
    "ResponseDataLossError",
)

#: ``finish_reason`` of a crawl whose process died without closing it.
PROCESS_GONE = "process_gone"

#: A ``running`` crawl of another host is taken for dead once this long passed since its
#: last fetch (the pid of another machine cannot be checked).
FOREIGN_CRAWL_TIMEOUT = timedelta(hours=1)

#: Outcomes that store an article read from the page: its validators are worth keeping.
STORED_OUTCOMES = frozenset({"new", "updated", "unchanged"})

#: The fields whose change makes a new version; ``views`` and the raw dates never count.
HASHED_FIELDS: tuple[str, ...] = (
    "title",
    "lead",
    "body",
    "authors",
    "category",
    "tags",
    "published_at",
    "modified_at",
    "image_url",
    "image_caption",
    "image_credit",
)

BUSY_TIMEOUT_S = 10.0

#: Seconds a storage fault (disk full, the write lock held by another process, an I/O
#: error) may last before a write gives up (:attr:`Archive.patience`).
DEFAULT_PATIENCE_S = 60.0

#: Longest pause between two attempts while a storage fault lasts.
RETRY_PAUSE_MAX_S = 1.0

#: Size the WAL is cut back to once a checkpoint has emptied it (``journal_size_limit``):
#: a reader kept open for hours stops checkpoints, and the WAL grows until it is closed.
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024

#: zlib level of stored capture bodies (6: zlib's default, most of the gain of 9, much faster).
CAPTURE_COMPRESSION_LEVEL = 6

#: Statuses :meth:`Archive.mark_gone` refuses: a server failing or pushing back says nothing
#: about the article (429 and 5xx are transient; the crawler retries them later).
TRANSIENT_STATUSES = frozenset({408, 429})

#: Reason of :meth:`Archive.mark_gone` for an article URL that now redirects to a listing.
REDIRECT_TO_LISTING = "redirect_to_listing"

#: ``text_hash`` of a text without a single word.
EMPTY_TEXT_HASH = dedupe.text_hash(None, None, None)

#: Articles backfilled per transaction by :meth:`Archive.backfill_dedupe`.
BACKFILL_BATCH = 500

#: Captures read per query by :meth:`Archive.iter_captures`.
CAPTURE_BATCH = 32
#: Article ids looked up per query (a JSON array parameter).
ID_BATCH = 500


@dataclass
class Fetch:
    """One response (or network failure) as the crawler saw it."""

    url: str
    """Final URL of the response."""
    status: int | None
    """HTTP status; ``None`` for network failures."""
    bytes: int = 0
    """Body size."""
    ms: float | None = None
    """Download latency in milliseconds."""
    requested_url: str | None = None
    """The URL first requested, when redirected."""
    redirect_urls: list[str] = field(default_factory=list)
    """Every URL of the redirect chain before ``url``."""
    fetched_at: str | None = None
    """ISO 8601 UTC time of the fetch; the time of recording when ``None``."""
    error: str | None = None
    """What went wrong, for failures."""
    alias_urls: list[str] = field(default_factory=list)
    """Copies of the page (AMP, mobile) that named it as their canonical URL; stored as
    aliases of the article."""
    etag: str | None = None
    """The response's ``ETag`` header, kept to ask next time whether the page changed."""
    last_modified: str | None = None
    """The response's ``Last-Modified`` header, kept for the same purpose."""


@dataclass(frozen=True)
class FrontierEntry:
    """A URL a crawl found and means to fetch (a ``frontier`` row)."""

    url: str
    """The URL as it will be requested."""
    hop: int = 0
    """"Lire aussi" hops from a discovery page (0: found in a listing, sitemap or feed)."""
    kind: str = "article"
    """``article`` (the only kind a crawl resumes) or ``discovery``."""
    referer: str | None = None
    """The page it was found on; ``None`` for start URLs and resumed rows."""


@dataclass(frozen=True)
class KnownArticle:
    """What the archive knows of an article a URL leads to, for deciding whether to fetch it."""

    id: int
    next_visit_at: str | None
    """When it is next due (ISO 8601 UTC); ``None``: never."""
    first_crawl_id: int | None
    """The crawl that first stored it."""
    published_at: str | None = None
    modified_at: str | None = None
    """Its dates as last read on its page (ISO 8601 with offset): the site's own clock."""
    last_seen_at: str | None = None
    """When the archive last fetched it (ISO 8601 UTC)."""

    def due(self, now: str) -> bool:
        """Whether a fetch at ``now`` (ISO 8601 UTC, as :func:`utc_now`) is due."""
        return self.next_visit_at is not None and self.next_visit_at <= now


@dataclass
class Capture:
    """One raw HTTP response, kept for re-extraction and WARC export."""

    url: str
    """Final URL of the response."""
    status: int
    """HTTP status."""
    headers: Mapping[str, str | list[str]]
    """Response headers as received: name -> value, or the list of values of a repeated one."""
    body: bytes
    """The body exactly as received (before any decoding)."""


@dataclass
class StoreResult:
    """What :meth:`Archive.store_article` did."""

    article_id: int
    """The article stored, or that the page is an alias of."""
    outcome: str
    """``new``, ``updated``, ``unchanged`` or ``alias`` (the same text as an archived article
    under another URL: no article of its own); from :meth:`Archive.read_unreadable` also
    ``superseded`` (nothing stored: the archive holds the article from a later fetch)."""
    version_id: int | None = None
    """The version this store created (``new`` and ``updated``), else ``None``."""
    duplicate_of: int | None = None
    """For a ``new`` article nearly duplicating an earlier one: that article's id."""
    similarity: float | None = None
    """Its similarity to ``duplicate_of`` (0 to 1)."""
    version: int | None = None
    """The number of the article's current version once stored (``versions.number``: 1 for
    a ``new`` article, the new one's for ``updated``, the one it still has for
    ``unchanged``); ``None`` for an alias."""


def resolve_path(path: str | os.PathLike[str] | None = None) -> str:
    """The archive path to use: ``path`` if given, else ``$ARCHIVE_PATH``, else ``./archive.db``."""
    if path is not None and os.fspath(path) != "":
        return os.fspath(path)
    return os.environ.get("ARCHIVE_PATH") or DEFAULT_PATH


def utc_now() -> str:
    """The current time, ISO 8601 UTC with microseconds: ``2024-05-01T10:00:00.123456+00:00``."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def normalise_text(value: str) -> str | None:
    """NFC text with every whitespace run (NBSP and newlines included) made one space."""
    collapsed = " ".join(unicodedata.normalize("NFC", value).split())
    return collapsed or None


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, (list, tuple)):
        # Same list the archive stores: no empty names, no repeats, page order.
        items: list[Any] = []
        for item in (_normalise(v) for v in value):
            if item is not None and item not in items:
                items.append(item)
        return items
    return value


def content_hash(article: Mapping[str, Any]) -> str:
    """sha256 (hex) of the article's content (:data:`HASHED_FIELDS`), whitespace-insensitive.

    Two extractions that differ only in whitespace, or in ``views``, hash the same.
    """
    content = {name: _normalise(article.get(name)) for name in HASHED_FIELDS}
    for name in ("authors", "tags"):
        content[name] = content[name] or []
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def package_version() -> str:
    """This package's version, ``unknown`` when it is not installed."""
    try:
        return metadata.version("sputnik-archiver")
    except metadata.PackageNotFoundError:
        return "unknown"


def _clean(value: Any) -> str | None:
    """A stripped non-empty string, or ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _names(values: Any) -> list[str]:
    """A list of stripped, non-empty, distinct names in their order."""
    names: list[str] = []
    for value in values or []:
        name = _clean(value)
        if name is not None and name not in names:
            names.append(name)
    return names


def _get(item: Any, name: str) -> Any:
    """``item[name]`` for mappings, ``item.name`` for objects such as ``RelatedLink``."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _text_of(article: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(title, lead, body): the text duplicate detection compares."""
    values = (article.get("title"), article.get("lead"), article.get("body"))
    title, lead, body = (None if value is None else str(value) for value in values)
    return title, lead, body


def _decoded_body(row: Mapping[str, Any]) -> tuple[bytes | None, str | None]:
    """A ``captures`` row's body, decompressed, and what is wrong with it (``None``: nothing)."""
    if row["compression"] != "zlib":
        return None, f"unknown compression {row['compression']!r}"
    try:
        body = zlib.decompress(row["body"])
    except (zlib.error, TypeError) as error:
        return None, f"body cannot be decompressed ({error})"
    if hashlib.sha256(body).hexdigest() != row["body_sha256"]:
        return body, "body does not match its sha256"
    return body, None


def _is_transient_error(error: str | None) -> bool:
    """Whether a network failure (``Fetch.error``) is one of :data:`TRANSIENT_ERRORS`."""
    name = (error or "").split(":", 1)[0].strip()
    return name.rsplit(".", 1)[-1] in TRANSIENT_ERRORS


def _process_started_at(pid: int) -> datetime | None:
    """When a process of this machine started (Linux ``/proc``); ``None`` when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as system:
            boot = next(int(line.split()[1]) for line in system if line.startswith("btime "))
        ticks = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return datetime.fromtimestamp(boot + ticks, timezone.utc)


def _process_alive(pid: int, since: datetime | None) -> bool:
    """Whether process ``pid`` of this machine runs, and has since before ``since``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # somebody else's process: it exists
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return False  # dead, waiting for its parent to reap it
    except (OSError, IndexError):
        pass
    started = _process_started_at(pid)
    # /proc counts from boot in clock ticks, boot time in whole seconds: allow some slack.
    return not (since and started and started > since + timedelta(seconds=2))


def _crawl_is_dead(row: Mapping[str, Any], last_at: str) -> bool:
    """Whether a ``running`` crawl row belongs to a process that is gone."""
    started = parse_time(row["started_at"])
    if row["host"] == socket.gethostname() and row["pid"] is not None:
        pid = int(row["pid"])
        return not _process_alive(pid, started)
    last = parse_time(last_at)
    return last is None or datetime.now(timezone.utc) - last > FOREIGN_CRAWL_TIMEOUT


@dataclass
class _Page:
    """One article page on its way into the archive: what ``store_article`` works from."""

    article: Mapping[str, Any]
    url: str
    seen_urls: list[tuple[str, str]]
    digest: str
    """Its content hash."""
    text_hash: str
    signature: dedupe.Signature
    seen_at: str
    crawl_id: int
    capture: Capture | None
    extractor: str | None
    extractor_version: str | None


_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass
class _Batch:
    """The writes of an open group-commit transaction (see :meth:`Archive.batch_commits`)."""

    started: float = field(default_factory=lambda: time.monotonic())
    writes: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=list
    )

    def age(self) -> float:
        return time.monotonic() - self.started


class _Wait:
    """A storage fault being waited out: attempts spaced by pauses that double up to
    :data:`RETRY_PAUSE_MAX_S`, within the archive's patience counted from ``since`` (default:
    now), cut short by :meth:`Archive.hurry`."""

    def __init__(self, archive: Archive, since: float | None = None) -> None:
        self.archive = archive
        self.since = time.monotonic() if since is None else since
        self.next_pause = 0.05

    def waited(self) -> float:
        return time.monotonic() - self.since

    def over(self, fault: faults.Fault) -> bool:
        """Whether to give up on ``fault`` now rather than try again."""
        archive = self.archive
        return not fault.transient or self.waited() >= archive.patience or archive._hurry

    def pause(self) -> None:
        self.archive._pause(min(self.next_pause, self.archive.patience - self.waited()))
        self.next_pause = min(self.next_pause * 2, RETRY_PAUSE_MAX_S)

    def cause(self, fault: faults.Fault) -> str:
        """The fault's cause, with how long it was waited out (``disk full for 60 s``)."""
        waited = self.waited()
        return (
            f"{fault.cause} for {waited:.0f} s" if fault.transient and waited >= 1 else fault.cause
        )


def _batchable(method: _F) -> _F:
    """A per-page write of a crawl, which may share a transaction with the next ones."""

    @functools.wraps(method)
    def write(self: Archive, *args: Any, **kwargs: Any) -> Any:
        if self._depth or self.readonly:
            return method(self, *args, **kwargs)
        if self._broken is not None:
            raise self._broken  # the archive keeps a prefix of the writes: none after that
        # Made again after a storage fault: an iterator must still hold its items then.
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
        if self._batch_size <= 1:
            return self._patiently(method, args, kwargs)
        return self._batched(method, args, kwargs)

    return cast(_F, write)


class Archive:
    """An archive file, opened (and migrated) for reading and writing.

    Use as a context manager, or call :meth:`close`. Every write method runs in one
    ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue instead of failing.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        revisit: RevisitSchedule | str | None = None,
        patience: float = DEFAULT_PATIENCE_S,
        busy_timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        """Open the archive at ``path``.

        Read-write (the default) creates the file if needed, applies pending migrations and
        fills in duplicate detection for articles stored before it existed
        (:meth:`backfill_dedupe`); an existing SQLite database that is not an archive raises
        :class:`ArchiveError`.
        ``readonly=True`` opens an existing file with ``mode=ro``, runs no migration, and
        every write method raises :class:`ReadOnlyArchiveError`; a missing file raises
        :class:`ArchiveNotFoundError` instead of creating one.
        ``revisit`` is the revisit schedule that sets each stored article's ``next_visit_at``
        (:class:`~archive.revisit.RevisitSchedule` or its text; default
        :data:`~archive.revisit.DEFAULT_SCHEDULE`); ``ValueError`` when it does not parse.
        ``patience``: seconds a storage fault may last before a write gives up (see
        :meth:`batch_commits`); ``busy_timeout``: seconds SQLite itself waits for another
        process's write lock before an attempt fails.
        An archive made by a newer release raises :class:`NewerArchiveError` read-write,
        before anything is written; read-only, it opens with a warning.
        """
        self.revisit = RevisitSchedule.parse(revisit)
        self.path = os.fspath(path)
        self.readonly = readonly
        self._depth = 0
        self._batch: _Batch | None = None
        self._batch_interval = 0.0
        self._batch_size = 0
        self._near_duplicates: dedupe.NearDuplicateIndex | None = None
        self._tables: frozenset[str] = frozenset()
        self.patience = patience
        self.busy_timeout = busy_timeout
        self._broken: StorageError | None = None
        self._hurry = False
        self.pending_migrations: list[str] = []
        self._warned_partial_search = False
        """Migrations this file lacks (only ever non-empty when opened read-only)."""
        if readonly and not os.path.isfile(self.path):
            raise ArchiveNotFoundError(f"no archive at {self.path}")
        if not readonly and os.path.isfile(self.path) and os.path.getsize(self.path):
            faults.check_schema(self.path)  # a newer or foreign file is refused untouched
        conn = self._connect()
        self.db: sqlite_utils.Database = sqlite_utils.Database(conn)
        try:
            self._configure()
        except sqlite3.DatabaseError as error:
            conn.close()
            fault = faults.storage_fault(error, self.path)
            if fault is not None and fault.transient:
                raise StorageError(fault.cause, transient=True) from error
            raise ArchiveError(f"cannot open {self.path} as an archive: {error}") from error
        except BaseException:
            conn.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout)
        else:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout)
        # The name filters compare folded names (see archive.filters).
        conn.create_function("archive_fold", 1, fold_name, deterministic=True)
        return conn

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.readonly:
            if not self.db[migrations.MIGRATIONS_TABLE].exists():
                raise ArchiveError(f"{self.path} is not an archive (no _migrations table)")
            self.pending_migrations = [m.__name__ for m in migrations.pending(self.db)]
            self._tables = frozenset(self.db.table_names())
            newer = migrations.unknown(migrations.applied(self.db))
            if newer:
                logger.warning(
                    "archive %s was made by a newer release (%s); read as this release knows it",
                    self.path,
                    ", ".join(newer),
                )
            if self.pending_migrations:
                logger.warning(
                    "archive %s is not up to date (pending: %s); open it read-write once",
                    self.path,
                    ", ".join(self.pending_migrations),
                )
            return
        if not self.db[migrations.MIGRATIONS_TABLE].exists() and self.db.table_names():
            # Never turn somebody else's SQLite database into an archive.
            raise ArchiveError(f"{self.path} is a SQLite database but not an archive")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        # A WAL grown past this while a long reader held it back is cut back to it (not
        # to nothing: reusing the file is cheaper) the next time it is reset.
        self.db.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        migrations.migrate(self.db)
        if self._needs_backfill():
            self.backfill_dedupe()
        if self._needs_search_backfill():
            self.backfill_search()

    def close(self) -> None:
        """Commit what a batch holds (see :meth:`batch_commits`) and close the connection."""
        try:
            self.flush()
        finally:
            self.db.close()

    # -- group commit -------------------------------------------------------------------

    def batch_commits(self, interval: float, size: int) -> None:
        """Group the writes of a crawl: commit every ``interval`` seconds or ``size`` writes.

        A commit per page is most of what storing an article costs (SQLite writes each of
        the two full-text indexes as a new segment per transaction). With batching on, the
        crawl's per-page writes (:meth:`store_article`, :meth:`record_fetch`,
        :meth:`add_to_frontier`, :meth:`mark_gone`, :meth:`record_alias`,
        :meth:`record_not_modified`) share one ``BEGIN IMMEDIATE`` transaction until it is
        due; :meth:`flush`, :meth:`close` and every other write commit it first.

        Nothing a crash can do changes: the archive holds a prefix of the writes, as it would
        had the process died a moment earlier, and the frontier resumes what is missing.
        A write that fails for its own reason is undone alone (a savepoint), then the error
        is raised; the batch goes on.
        A storage fault (disk full, the write lock held by another process, an I/O error),
        at a write or at ``COMMIT``, loses nothing that was answered: SQLite has rolled the
        batch back (or it is rolled back), and the batch's writes are made again and
        committed once the fault has passed. While it lasts, attempts are repeated for
        :attr:`patience` seconds (less after :meth:`hurry`); then :class:`StorageError`
        names the cause, the batch's writes are lost (:attr:`StorageError.lost`, as a crash
        would lose them), and every later write raises the same error, so that the archive
        still holds a prefix of the writes.
        ``interval <= 0`` or ``size <= 1`` turns batching off (one transaction per write).
        """
        self.flush()
        self._batch_interval = interval
        self._batch_size = size if interval > 0 else 0

    def flush(self) -> None:
        """Commit the open batch of writes, if any (see :meth:`batch_commits` for faults)."""
        batch = self._batch
        if batch is None or self._depth:
            return
        try:
            if self.db.conn.in_transaction:
                self.db.execute("COMMIT")
        except sqlite3.Error as error:
            self._recover(batch, error)
        self._batch = None

    def batch_started(self) -> float | None:
        """When the open batch began (``time.monotonic()``), ``None`` when none is open."""
        return None if self._batch is None else self._batch.started

    def batch_length(self) -> int:
        """How many writes the open batch holds: the latest ones made, not yet committed."""
        return 0 if self._batch is None else len(self._batch.writes)

    def abandon_batch(self) -> None:
        """Roll back the open batch: its writes are lost, as if the process had died before
        committing them (see :mod:`archive.writer`)."""
        self._batch = None
        if self.db.conn.in_transaction:
            self.db.execute("ROLLBACK")

    def flush_if_due(self) -> None:
        """Commit the open batch if it is older than the batching interval."""
        if self._batch is not None and self._batch.age() >= self._batch_interval:
            self.flush()

    def hurry(self) -> None:
        """Stop waiting for storage faults to pass: the next attempt that fails gives up
        (the crawl is being stopped). Safe to call from a signal handler."""
        self._hurry = True

    @property
    def broken(self) -> StorageError | None:
        """The storage fault the archive gave up on, after which it refuses every write."""
        return self._broken

    def _batched(
        self, method: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> _T:
        """Run one batched write in the open batch (opening one if needed).

        The write runs under a savepoint: its own failure undoes it alone and is raised, the
        batch going on. A storage fault has SQLite roll back (or leaves unusable) the whole
        transaction: the batch is made again and the write tried again, until it is written
        or the archive's patience, counted from the fault, runs out."""
        first_fault: float | None = None
        if self._batch is None:
            self._batch = _Batch()
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                first_fault = time.monotonic()
                self._recover(self._batch, error, keep_open=True)
        batch = self._batch
        while True:
            self._depth = 1
            try:
                self.db.execute("SAVEPOINT archive_write")
                result = method(self, *args, **kwargs)
                self.db.execute("RELEASE archive_write")
            except BaseException as error:
                self._depth = 0
                fault = faults.storage_fault(error, self.path)
                if fault is None and self._undo_write():
                    raise  # the write's own error, undone alone
                first_fault = first_fault or time.monotonic()
                self._recover(batch, error, keep_open=True, since=first_fault)
                if fault is None:
                    raise  # its own error, which took the transaction with it
                continue
            self._depth = 0
            break
        batch.writes.append((method, args, kwargs))
        if len(batch.writes) >= self._batch_size or batch.age() >= self._batch_interval:
            self.flush()
        return result

    def _undo_write(self) -> bool:
        """Undo the failed write's savepoint; whether the batch around it is still whole."""
        if not self.db.conn.in_transaction:
            return False
        try:
            self.db.execute("ROLLBACK TO archive_write")
            self.db.execute("RELEASE archive_write")
        except sqlite3.Error:
            return False
        return True

    def _patiently(
        self, method: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> _T:
        """A write in a transaction of its own (batching off): one that fails for a storage
        fault was rolled back whole, so it is made again until written or out of patience."""
        wait = _Wait(self)
        while True:
            try:
                return method(self, *args, **kwargs)
            except StorageError as error:
                # Its own cause says how long its transaction waited; this wait counts all.
                if wait.over(error.fault):
                    self._give_up(error.fault, wait, _Batch())
                wait.pause()

    def _recover(
        self,
        batch: _Batch,
        error: BaseException,
        *,
        keep_open: bool = False,
        since: float | None = None,
    ) -> None:
        """Make the writes of ``batch`` again, in a transaction of their own, until they are
        committed (``keep_open``: made, the transaction left open for more). Gives up as
        :meth:`batch_commits` says, patience counted from ``since`` (default: now)."""
        # A write's own error that took the transaction with it is no fault of the disk:
        # the batch is made again, once, without waiting.
        fault = faults.storage_fault(error, self.path)
        storage = pause = fault is not None  # a fault of the disk needs time to pass
        fault = fault or faults.Fault(f"{type(error).__name__}: {error}", True)
        wait = _Wait(self, since)
        while True:
            self._depth = 0
            with contextlib.suppress(sqlite3.Error):
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
            waited = wait.waited()
            if wait.over(fault):
                self._give_up(fault, wait, batch)
            if pause:
                wait.pause()
            pause = True
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self._depth = 1
                for method, args, kwargs in batch.writes:
                    method(self, *args, **kwargs)
                self._depth = 0
                if not keep_open:
                    self.db.execute("COMMIT")
                    batch.writes.clear()
            except sqlite3.Error as again:
                fault = faults.storage_fault(again, self.path) or faults.Fault(str(again), False)
                continue
            except BaseException as again:  # a replayed write failing anew: no more writes
                self._depth = 0
                with contextlib.suppress(sqlite3.Error):
                    if self.db.conn.in_transaction:
                        self.db.execute("ROLLBACK")
                self._give_up(faults.Fault(f"{type(again).__name__}: {again}", False), None, batch)
            finally:
                self._depth = 0
            if storage:
                logger.warning(
                    "archive %s: %s for %.1f s, then written", self.path, fault.cause, waited
                )
            return

    def _pause(self, seconds: float) -> None:
        """Sleep, in short steps so that :meth:`hurry` cuts it short."""
        until = time.monotonic() + max(0.0, seconds)
        while not self._hurry and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))

    def _give_up(self, fault: faults.Fault, wait: _Wait | None, batch: _Batch) -> None:
        """Refuse every later write, ``batch``'s writes lost; raise the error that says so."""
        cause = fault.cause if wait is None else wait.cause(fault)
        self._broken = StorageError(
            cause, transient=fault.transient, lost=len(batch.writes), fault=fault
        )
        self._batch = None
        self._depth = 0
        raise self._broken

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction; nested uses join the outer one. An open
        batch (:meth:`batch_commits`) is committed first."""
        if self.readonly:
            raise ReadOnlyArchiveError(f"archive {self.path} is open read-only")
        if not self._depth:
            self.flush()
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException as error:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            fault = faults.storage_fault(error, self.path)
            if fault is not None:
                raise StorageError(fault.cause, transient=fault.transient) from error
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                fault = faults.storage_fault(error, self.path) or faults.Fault(str(error), False)
                raise StorageError(fault.cause, transient=fault.transient) from error
        finally:
            self._depth = 0

    def merging(self) -> contextlib.AbstractContextManager[None]:
        """The one write transaction ``archive merge`` folds a shard in (see
        :mod:`archive.merge`): all of it, or nothing if it fails or is killed."""
        return self._transaction()

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``, waiting up to :attr:`patience` for a storage fault to pass."""
        wait = _Wait(self)
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.Error as error:
                fault = faults.storage_fault(error, self.path)
                if fault is None:
                    raise
                if wait.over(fault):
                    raise StorageError(
                        wait.cause(fault), transient=fault.transient, fault=fault
                    ) from error
                wait.pause()

    def has_table(self, table: str) -> bool:
        """Whether the file has this table: always once migrated; a read-only file that is
        not up to date may lack the newer ones (it then reads as having none of their rows)."""
        return not self.readonly or table in self._tables

    def _has_column(self, table: str, column: str) -> bool:
        rows = self.db.execute(f"PRAGMA table_info({table})").fetchall()
        return any(row[1] == column for row in rows)

    def _run(self, query: queries.Query) -> sqlite3.Cursor:
        sql, params = query
        return self.db.execute(sql, params)

    def _rows(self, query: queries.Query) -> list[dict[str, Any]]:
        sql, params = query
        return self.rows(sql, params)

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """The rows of a read query, as dicts.

        Straight on the connection: sqlite-utils' ``Database.query`` wraps every statement in
        a SAVEPOINT and a RELEASE, two statements more per read (about 30 per stored article).
        """
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _one(self, query: queries.Query) -> dict[str, Any] | None:
        rows = self._rows(query)
        return rows[0] if rows else None

    # -- crawls and fetches -----------------------------------------------------------

    def begin_crawl(
        self, spider: str, arguments: Mapping[str, str], *, node: str | None = None
    ) -> int:
        """Start a crawl row (status ``running``) and return its id.

        ``arguments`` are the spider arguments, stored as a JSON object; the row also
        records this process's pid, the host name, the package version and ``node``, the
        machine the crawl runs on as its user names it (``ARCHIVE_NODE``; default the host
        name), which the crawl keeps when its archive is merged into another.
        """
        host = socket.gethostname()
        values = {
            "spider": spider,
            "arguments": json.dumps(dict(arguments), ensure_ascii=False, sort_keys=True),
            "started_at": utc_now(),
            "status": "running",
            "pid": os.getpid(),
            "host": host,
            "version": package_version(),
        }
        if self._has_column("crawls", "node"):  # came with m009
            values["node"] = _clean(node) or host
        with self._transaction():
            cursor = self._run(queries.insert_crawl(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_crawl(
        self,
        crawl_id: int,
        finish_reason: str,
        status: str = "finished",
        *,
        not_due: int | None = None,
        finished_at: str | None = None,
    ) -> dict[str, int]:
        """Close a crawl: set ``finished_at``, the reason, the status and its counts.

        The counts come from the crawl's ``fetches`` rows: ``fetched`` is the number of
        rows with an HTTP status, ``new``/``updated``/``unchanged``/``not_article``/
        ``unreadable``/``gone`` count outcomes, ``aliases`` counts ``alias``, ``errors``
        counts ``http_error`` and ``error``. ``not_due`` is the number of archived articles
        the crawl found but did not fetch because they were not due (kept as it was when
        ``None``). ``finished_at`` defaults to now. Returns the counts.
        Raises ``ValueError`` for an unknown crawl or status.
        """
        if status not in CRAWL_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}; expected one of {CRAWL_STATUSES}")
        with self._transaction():
            counts = self._crawl_counts(crawl_id, not_due)
            self._run(
                queries.finish_crawl(
                    crawl_id,
                    finished_at=finished_at or utc_now(),
                    finish_reason=finish_reason,
                    status=status,
                    counts=counts,
                )
            )
        return counts

    def _crawl_counts(self, crawl_id: int, not_due: int | None) -> dict[str, int]:
        """The crawl's counts from its ``fetches`` rows (and ``not_due`` when given)."""
        if self._one(queries.crawl_exists(crawl_id)) is None:
            raise ValueError(f"no crawl with id {crawl_id}")
        row = self._one(queries.crawl_counts(crawl_id))
        assert row is not None
        counts = {name: int(value) for name, value in row.items()}
        if not_due is not None:
            counts["not_due"] = int(not_due)
        return counts

    @_batchable
    def update_crawl_counts(self, crawl_id: int, *, not_due: int | None = None) -> dict[str, int]:
        """Bring a running crawl's counts up to date with its ``fetches`` rows so far (as
        :meth:`finish_crawl` computes them) and ``not_due`` (kept as it was when ``None``),
        leaving its status and times alone: what ``archive crawls`` shows while it runs.
        A crawl no longer ``running`` keeps the counts it was closed with. Returns the counts.
        Raises ``ValueError`` for an unknown crawl."""
        with self._transaction():
            counts = self._crawl_counts(crawl_id, not_due)
            self._run(queries.update_crawl_counts(crawl_id, counts))
        return counts

    @_batchable
    def record_fetch(
        self,
        crawl_id: int,
        fetch: Fetch,
        outcome: str,
        article_id: int | None = None,
        *,
        frontier: Iterable[str] | str | None = None,
        capture: Capture | None = None,
    ) -> int:
        """Add a ``fetches`` row for one response or failure and return its id.

        ``outcome`` is one of :data:`FETCH_OUTCOMES`; ``fetched_at`` defaults to now.
        ``capture``: the raw response to keep with the row (``fetches.capture_id``), required
        for an ``unreadable`` page, so that a later extractor can read it (see
        :meth:`unreadable_pages`); stored like an article's capture, an identical one reused.
        ``frontier``: the URL (or URLs: the one requested, its redirects) whose pending
        ``frontier`` rows this fetch settles, in the same transaction: they become ``done``,
        except after a transient failure (5xx, 408, 429, a network error of
        :data:`TRANSIENT_ERRORS`), which leaves a row
        pending for the next crawl until its :data:`FRONTIER_MAX_ATTEMPTS`-th attempt. The
        response's validators (:attr:`Fetch.etag`, :attr:`Fetch.last_modified`) are kept on
        the row of ``fetch.url`` when the page was stored as an article (forgotten when it
        was not), and on a ``discovery`` row for a discovery page.
        """
        if outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {outcome!r}; expected one of {FETCH_OUTCOMES}")
        if outcome == "unreadable" and capture is None:
            raise ValueError("an unreadable page is kept: record_fetch needs its capture")
        fetched_at = fetch.fetched_at or utc_now()
        values = {
            "crawl_id": crawl_id,
            "url": fetch.url,
            "requested_url": fetch.requested_url,
            "status": fetch.status,
            "bytes": fetch.bytes,
            "ms": fetch.ms,
            "fetched_at": fetched_at,
            "outcome": outcome,
            "error": fetch.error,
            "article_id": article_id,
        }
        with self._transaction():
            if capture is not None:
                values["capture_id"] = self._store_capture(capture, crawl_id, fetched_at)
            cursor = self._run(queries.insert_fetch(values))
            if frontier is not None:
                self._settle_frontier(crawl_id, fetch, outcome, fetched_at, frontier)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _settle_frontier(
        self, crawl_id: int, fetch: Fetch, outcome: str, at: str, urls: Iterable[str] | str
    ) -> None:
        wanted = [urls] if isinstance(urls, str) else list(dict.fromkeys(urls))
        status = fetch.status
        transient = (outcome == "error" and _is_transient_error(fetch.error)) or (
            outcome == "http_error"
            and status is not None
            and (status >= 500 or status in TRANSIENT_STATUSES)
        )
        self._run(
            queries.close_frontier(
                wanted, at=at, retry=transient, max_attempts=FRONTIER_MAX_ATTEMPTS
            )
        )
        if status == 304 or status is None:
            return  # validators unchanged (a 304 confirms them) or nothing answered
        if outcome == "discovery":
            if fetch.etag or fetch.last_modified:
                values = {
                    "url": fetch.url,
                    "url_key": canonical_key(fetch.url),
                    "crawl_id": crawl_id,
                    "at": at,
                    "etag": fetch.etag,
                    "lm": fetch.last_modified,
                }
                self._run(queries.upsert_discovery_validators(values))
        elif outcome in STORED_OUTCOMES and status == 200:
            self._run(queries.set_validators(fetch.url, fetch.etag, fetch.last_modified))
        else:
            self._run(queries.set_validators(fetch.url, None, None))

    def pages_fetched(self, crawl_id: int) -> int:
        """How many responses of its site a crawl recorded (``fetches`` rows with a status,
        robots.txt answers left out)."""
        row = self._one(queries.pages_fetched(crawl_id))
        return int(row["pages"]) if row else 0

    def crawls(
        self, *, limit: int | None = None, site: str | None = None, node: str | None = None
    ) -> list[dict[str, Any]]:
        """Crawl rows, newest first, ``arguments`` decoded to a dict; at most ``limit``; with
        ``site``, only the crawls of that site (its spider's, those whose ``site`` argument
        names it, those that fetched an article of it); with ``node``, only those that ran
        on that node (none in an archive older than nodes)."""
        if node is not None and not self._has_column("crawls", "node"):
            return []
        rows = self._rows(queries.list_crawls(limit, site, node))
        for row in rows:
            row["arguments"] = json.loads(row["arguments"] or "{}")
        return rows

    def close_dead_crawls(self) -> list[int]:
        """Close the crawls left ``running`` by a process that died (``kill -9``, a crash, a
        reboot) as ``interrupted`` (reason :data:`PROCESS_GONE`), with their counts and
        ``finished_at`` the time of their last fetch (else their start). Returns their ids.

        A crawl of this host is dead when its pid is gone, a zombie, or a process started
        after the crawl did (the pid was reused); a crawl of another host, once
        :data:`FOREIGN_CRAWL_TIMEOUT` passed since its last fetch.
        """
        closed: list[int] = []
        for row in self._rows(queries.running_crawls()):
            last = self._one(queries.last_fetch_at(int(row["id"])))
            last_at = (last or {}).get("at") or row["started_at"]
            if not _crawl_is_dead(row, last_at):
                continue
            self.finish_crawl(
                int(row["id"]), PROCESS_GONE, status="interrupted", finished_at=last_at
            )
            logger.warning(
                "crawl %s (pid %s on %s) died without closing: marked interrupted",
                row["id"],
                row["pid"],
                row["host"],
            )
            closed.append(int(row["id"]))
        return closed

    def last_finished_crawl(
        self, spider: str, start: str | None, site: str | None = None
    ) -> dict[str, Any] | None:
        """The latest ``finished`` crawl of ``spider`` that discovered from ``start`` (its
        ``-a start`` argument; ``None`` for the default root without ``urls``) with the same
        ``-a site`` argument (``None``: none), or ``None``."""
        return self._one(queries.last_finished_crawl(spider, start, site))

    # -- frontier and revisits ------------------------------------------------------------

    @_batchable
    def add_to_frontier(self, entries: Iterable[FrontierEntry], *, crawl_id: int) -> int:
        """Record URLs a crawl found and will fetch as ``pending`` ``frontier`` rows, in one
        transaction; returns how many rows were added or made pending again.

        A URL already pending keeps its row (it may come from an earlier crawl); one ``done``
        is pending again, found by this crawl, its attempts reset.
        """
        found_at = utc_now()
        added = 0
        with self._transaction():
            for entry in entries:
                if entry.kind not in FRONTIER_KINDS:
                    raise ValueError(f"unknown frontier kind {entry.kind!r}")
                values = {
                    "url": entry.url,
                    "url_key": canonical_key(entry.url),
                    "kind": entry.kind,
                    "hop": entry.hop,
                    "found_in_crawl": crawl_id,
                    "found_at": found_at,
                    "referer": entry.referer,
                }
                added += self._run(queries.add_to_frontier(values)).rowcount
        return added

    def pending_frontier(self, url_prefix: str | None = None) -> list[dict[str, Any]]:
        """The ``pending`` article rows of the frontier, oldest first: what a killed crawl
        left to do. Only URLs starting with ``url_prefix`` (compared as URL keys) if given."""
        if not self.has_table("frontier"):
            return []
        prefix = canonical_key(url_prefix) if url_prefix else None
        return self._rows(queries.pending_frontier(prefix))

    def frontier_counts(self) -> dict[str, int]:
        """Rows of the frontier by state: ``{"pending": n, "done": m}``."""
        counts = dict.fromkeys(FRONTIER_STATES, 0)
        if self.has_table("frontier"):
            for row in self._rows(queries.frontier_counts()):
                counts[str(row["state"])] = int(row["n"])
        return counts

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """``(etag, last_modified)`` kept for a URL (else for another URL with its key);
        ``(None, None)`` when none were."""
        if not self.has_table("frontier"):
            return None, None
        row = self._one(queries.validators_of(url, canonical_key(url)))
        return (None, None) if row is None else (row["etag"], row["last_modified"])

    def known_articles(self, urls: Iterable[str]) -> dict[str, KnownArticle]:
        """The archived article each URL leads to (compared by URL key), in one query; URLs
        that lead to none are left out."""
        keys = {url: canonical_key(url) for url in urls}
        if not keys:
            return {}
        found = {
            str(row["key"]): KnownArticle(
                id=int(row["id"]),
                next_visit_at=row["next_visit_at"],
                first_crawl_id=row["first_crawl_id"],
                published_at=row["published_at"],
                modified_at=row["modified_at"],
                last_seen_at=row["last_seen_at"],
            )
            for row in self._rows(queries.known_articles(sorted(set(keys.values()))))
        }
        return {url: found[key] for url, key in keys.items() if key in found}

    def due_articles(
        self, url_prefix: str, *, now: str | None = None, every: bool = False
    ) -> list[str]:
        """URLs (``articles.url``) of the articles under ``url_prefix`` due for a visit at
        ``now`` (default: now), most overdue first; with ``every``, all of them."""
        prefix = canonical_key(url_prefix)
        query = (
            queries.articles_under(prefix)
            if every
            else queries.due_articles(now or utc_now(), prefix)
        )
        return [str(row["url"]) for row in self._rows(query)]

    # -- articles ---------------------------------------------------------------------

    @_batchable
    def store_article(
        self,
        article: Mapping[str, Any],
        *,
        crawl_id: int,
        fetch: Fetch,
        capture: Capture | None = None,
        extractor: str | None = None,
        extractor_version: str | None = None,
        frontier: Iterable[str] | str | None = None,
        recorded_fetch: int | None = None,
        body_images: Iterable[Mapping[str, Any]] = (),
    ) -> StoreResult:
        """Store one extracted article (``Article.to_dict()``) and its fetch, atomically.

        The article is found by any URL that led to it before (canonical URL, page URL,
        requested URL, redirects, short URL, compared by :func:`canonical_key`). Its content
        hash then decides the outcome: ``updated`` (a new ``versions`` row, the article's
        fields rewritten, ``last_changed_at`` set) or ``unchanged`` (no version: only
        ``last_seen_at``, ``last_crawl_id`` and ``views`` move, and missing non-content fields
        such as ``short_url`` are filled in). A ``gone`` article seen again is ``live`` again,
        with a ``returned`` event.

        When no URL leads to an archived article: if one has the same normalised text
        (``text_hash``), the page's URLs become its aliases (``urls.kind`` ``alias``, an
        ``alias`` event, outcome ``alias``, no article and no version); else the article is
        ``new`` (version 1), keyed by ``canonical_key(canonical_url or url)``, and marked
        ``duplicate_of`` the most similar earlier article when its text nearly duplicates one
        (a ``duplicate`` event). An alias whose text no longer matches becomes an article of
        its own.

        ``capture`` (the raw response) is kept only with a new version; ``extractor`` and
        ``extractor_version`` are recorded on it. Then the URLs, tags (positions), "Lire
        aussi" links (an alias page's tags and links are not the article's: its current ones
        stay) and ``fetch.alias_urls`` are recorded, links elsewhere that pointed at one of
        its URLs are resolved to it, and a ``fetches`` row is added. All of it is one
        transaction; storing the same article again never duplicates a row.

        The article's ``next_visit_at`` follows from the revisit schedule and the fetch time
        (an alias page leaves it as it was), and the ``frontier`` rows of the given URLs
        become ``done`` (see :meth:`record_fetch`), in the same transaction.

        ``recorded_fetch``: the id of the ``fetches`` row already recorded for this response
        (an ``unreadable`` page read again, see :meth:`read_unreadable`); that row gets the
        article's id instead of a new row being added.

        A new version records the photos its page showed (``version_media``, see
        :mod:`archive.media`): the main photo of the article's ``image_*`` fields, then
        ``body_images`` (``{url, caption, credit}`` mappings, in page order), each linked to
        the bytes already held for its URL, else waiting for :meth:`store_media`. An
        unchanged page gives a current version stored before photos were kept its rows, and
        links those waiting to bytes held since.

        Raises ``ValueError`` when ``article`` has no URL, no title, or neither lead nor body.
        """
        url = self._check_article(article)
        seen_at = fetch.fetched_at or utc_now()
        fetch = replace(fetch, fetched_at=seen_at)
        page = _Page(
            article=article,
            url=url,
            seen_urls=self._seen_urls(article, fetch),
            digest=content_hash(article),
            text_hash=dedupe.text_hash(*_text_of(article)),
            signature=dedupe.signature(*_text_of(article)),
            seen_at=seen_at,
            crawl_id=crawl_id,
            capture=capture,
            extractor=extractor,
            extractor_version=extractor_version,
        )
        with self._transaction():
            match = self._match(page.seen_urls, page.text_hash)
            if match is None:
                result = self._store_new(page)
            elif match[1] == "known":
                result = self._store_known(page, match[0])
            else:
                result = self._store_alias(page, match[0], first=match[1] == "new_alias")
            if result.version_id is not None:
                self._link_photos(result.version_id, media.photos_of(article, body_images))
            elif result.outcome == "unchanged":
                self._complete_photos(result.article_id, media.photos_of(article, body_images))
            article_id = result.article_id
            alias = result.outcome == "alias"
            for seen_url, kind in page.seen_urls:
                self._run(
                    queries.upsert_url(
                        seen_url,
                        canonical_key(seen_url),
                        article_id,
                        "alias" if alias else kind,
                        seen_at,
                    )
                )
            if not alias:
                self._store_tags(article_id, _names(article.get("tags")))
                self._store_links(article_id, article.get("related") or [], seen_at, crawl_id)
                self._schedule_visit(article_id, seen_at)
                numbered = self._one(queries.current_version_number(article_id))
                if numbered is not None:
                    result = replace(result, version=int(numbered["number"]))
            self._record_aliases(article_id, fetch.alias_urls, seen_at, crawl_id)
            self._run(queries.resolve_links_to(article_id))
            if recorded_fetch is None:
                self.record_fetch(crawl_id, fetch, result.outcome, article_id, frontier=frontier)
            else:
                self._run(queries.resolve_fetch(recorded_fetch, article_id))
        return result

    def _match(self, seen_urls: list[tuple[str, str]], text_hash: str) -> tuple[int, str] | None:
        """The archived article a page with these URLs and this text is stored into, and
        how: ``known`` (a URL of its own led to it), ``alias`` (only alias URLs of it did,
        same text) or ``new_alias`` (no URL did, the same text); ``None``: a new article."""
        found = self._find(seen_urls)
        if found is not None and found[1] and self._text_hash_of(found[0]) != text_hash:
            found = None  # an alias whose text diverged: no longer the same article
        if found is not None:
            return found[0], "alias" if found[1] else "known"
        if text_hash == EMPTY_TEXT_HASH:
            return None  # a text without a word (all punctuation) is nobody's alias
        original = self._one(queries.article_by_text_hash(text_hash))
        return None if original is None else (int(original["id"]), "new_alias")

    def _schedule_visit(self, article_id: int, fetched_at: str) -> None:
        """Set the article's ``next_visit_at`` from the revisit schedule, after a fetch."""
        row = self._one(queries.article_by_id(article_id))
        assert row is not None
        published = row["published_at"]
        reference = published if parse_time(published) else row["first_seen_at"]
        next_visit = self.revisit.next_visit(reference, fetched_at)
        self._run(queries.set_next_visit(article_id, next_visit))

    @staticmethod
    def _check_article(article: Mapping[str, Any]) -> str:
        """The article's URL; ``ValueError`` unless it has one, a title, and a lead or body."""
        url = _clean(article.get("url"))
        if url is None:
            raise ValueError("article has no url")
        if _clean(article.get("title")) is None:
            raise ValueError(f"not an article (no title): {url}")
        if _clean(article.get("lead")) is None and _clean(article.get("body")) is None:
            raise ValueError(f"not an article (no lead or body): {url}")
        return url

    def _store_new(self, page: _Page) -> StoreResult:
        key = canonical_key(_clean(page.article.get("canonical_url")) or page.url)
        article_id = self._insert_article(page, key)
        self._index_search(article_id)
        version_id = self._new_version(article_id, page)
        result = StoreResult(article_id=article_id, outcome="new", version_id=version_id)
        match = self._index.best_match(page.signature, exclude=article_id)
        if match is not None:
            original_id, similarity = int(match[0]), float(match[1])
            self._run(queries.set_duplicate_of(article_id, original_id, similarity))
            self._event(
                article_id,
                "duplicate",
                crawl_id=page.crawl_id,
                at=page.seen_at,
                url=page.url,
                detail={"of": original_id, "similarity": similarity},
            )
            result = replace(result, duplicate_of=original_id, similarity=similarity)
        self._index.add(article_id, page.signature)
        return result

    def _store_known(self, page: _Page, article_id: int) -> StoreResult:
        """A page of an archived article: ``updated`` (a new version) or ``unchanged``."""
        row = self._one(queries.article_by_id(article_id))
        assert row is not None
        if row["status"] == "gone":
            self._event(
                article_id,
                "returned",
                crawl_id=page.crawl_id,
                at=page.seen_at,
                url=page.url,
                detail={"url": page.url},
            )
        if row["content_hash"] == page.digest:
            fill = {c: self._field_values(page.article)[c] for c in queries.FILLABLE_COLUMNS}
            self._run(
                queries.touch_article(
                    article_id,
                    seen_at=page.seen_at,
                    crawl_id=page.crawl_id,
                    views=page.article.get("views"),
                    fill=fill,
                )
            )
            if row["text_hash"] is None:  # stored before duplicate detection existed
                self._index_text(article_id, page.text_hash, page.signature)
            return StoreResult(article_id=article_id, outcome="unchanged")
        version_id = self._new_version(article_id, page)
        views = page.article.get("views")
        values = {
            **self._field_values(page.article),
            "views": views if views is not None else row["views"],
            "content_hash": page.digest,
            "last_seen_at": page.seen_at,
            "last_changed_at": page.seen_at,
            "last_crawl_id": page.crawl_id,
        }
        self._run(queries.update_article_content(article_id, values))
        self._index_search(article_id)
        self._index_text(article_id, page.text_hash, page.signature)
        return StoreResult(article_id=article_id, outcome="updated", version_id=version_id)

    def _store_alias(self, page: _Page, article_id: int, *, first: bool) -> StoreResult:
        """The same text as an archived article, under another URL: an alias, not an article.

        ``first``: the page's URLs were not yet the article's (an ``alias`` event).
        """
        # The alias page's own "Lire aussi" links are not the article's: its related links
        # stay those of its own page.
        self._run(queries.touch_current_links(article_id, page.seen_at))
        self._run(queries.touch_alias(article_id, seen_at=page.seen_at, crawl_id=page.crawl_id))
        if first:
            self._event(
                article_id,
                "alias",
                crawl_id=page.crawl_id,
                at=page.seen_at,
                url=page.url,
                detail={"url": page.url},
            )
        return StoreResult(article_id=article_id, outcome="alias")

    def _record_aliases(
        self, article_id: int, urls: Iterable[str], seen_at: str, crawl_id: int | None
    ) -> None:
        """Record copies of the article (AMP, mobile) as its aliases; an event for each new one."""
        for value in urls:
            url = _clean(value)
            if url is None:
                continue
            known = self._one(queries.article_by_exact_url(url))
            self._run(queries.upsert_url(url, canonical_key(url), article_id, "alias", seen_at))
            if known is None or int(known["id"]) != article_id:
                self._event(
                    article_id, "alias", crawl_id=crawl_id, at=seen_at, url=url, detail={"url": url}
                )

    @staticmethod
    def _seen_urls(article: Mapping[str, Any], fetch: Fetch) -> list[tuple[str, str]]:
        """(url, kind) of every URL that led to the article, strongest evidence first."""
        candidates: list[tuple[Any, str]] = [
            (article.get("canonical_url"), "canonical"),
            (article.get("url"), "fetched"),
            (fetch.url, "fetched"),
            (fetch.requested_url, "requested"),
            *((redirect, "redirect") for redirect in fetch.redirect_urls),
            (article.get("short_url"), "short"),
        ]
        seen: dict[str, str] = {}
        for value, kind in candidates:
            cleaned = _clean(value)
            if cleaned is not None and cleaned not in seen:
                seen[cleaned] = kind
        return list(seen.items())

    def _find(self, seen_urls: list[tuple[str, str]]) -> tuple[int, bool] | None:
        """The stored article one of these URLs (in order) already led to, and whether only
        aliases of it did (``urls.kind`` ``alias`` for every one of them that leads to it)."""
        found: int | None = None
        kinds: list[tuple[int, str]] = []
        for seen_url, _kind in seen_urls:
            key = canonical_key(seen_url)
            if found is None:
                row = self._one(queries.article_by_key(key))
                if row is None:
                    continue
                found = int(row["id"])
            kinds += [(int(r["id"]), str(r["kind"])) for r in self._rows(queries.url_kinds(key))]
        if found is None:
            return None
        return found, all(kind == "alias" for article_id, kind in kinds if article_id == found)

    def _lookup_url(self, url: str) -> int | None:
        """The article a URL, exactly as seen or by its URL key, leads to."""
        for query in (
            queries.article_by_exact_url(url),
            queries.article_by_key(canonical_key(url)),
        ):
            row = self._one(query)
            if row is not None:
                return int(row["id"])
        return None

    def _find_url(self, url: str) -> int | None:
        """The article a reader means by ``url``: as :meth:`_lookup_url` finds it, else by
        the looser forms of :func:`~archive.urls.lookup_keys` when they lead to one article
        only; :class:`~archive.urls.AmbiguousURLError` when they lead to several. Crawls
        never use it: a page is only ever stored under its own URL."""
        article_id = self._lookup_url(url)
        if article_id is not None:
            return article_id
        found = self._rows(queries.articles_by_keys(lookup_keys(url)))
        if len(found) > 1:
            raise AmbiguousURLError(url, [(int(row["id"]), row["url"]) for row in found])
        return int(found[0]["id"]) if found else None

    def _text_hash_of(self, article_id: int) -> str | None:
        row = self._one(queries.article_by_id(article_id))
        return None if row is None else row["text_hash"]

    @staticmethod
    def _field_values(article: Mapping[str, Any]) -> dict[str, Any]:
        """``articles`` column values from the article's fields."""
        values: dict[str, Any] = {}
        for column in queries.ARTICLE_FIELD_COLUMNS:
            if column in ("authors", "tags"):
                values[column] = json.dumps(_names(article.get(column)), ensure_ascii=False)
            else:
                values[column] = article.get(column)
        values["site"] = values["site"] or None
        return values

    def _insert_article(self, page: _Page, key: str) -> int:
        values = {
            "url": key,
            **self._field_values(page.article),
            "views": page.article.get("views"),
            "content_hash": page.digest,
            "text_hash": page.text_hash,
            "first_seen_at": page.seen_at,
            "last_seen_at": page.seen_at,
            "last_changed_at": page.seen_at,
            "first_crawl_id": page.crawl_id,
            "last_crawl_id": page.crawl_id,
        }
        cursor = self._run(queries.insert_article(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _new_version(self, article_id: int, page: _Page) -> int:
        """Keep the page's capture and add its content as the article's next version."""
        capture_id = None
        if page.capture is not None:
            capture_id = self._store_capture(page.capture, page.crawl_id, page.seen_at)
        return self._insert_version(
            article_id,
            page.article,
            digest=page.digest,
            crawl_id=page.crawl_id,
            fetched_at=page.seen_at,
            capture_id=capture_id,
            extractor=page.extractor,
            extractor_version=page.extractor_version,
        )

    def _insert_version(
        self,
        article_id: int,
        article: Mapping[str, Any],
        *,
        digest: str,
        crawl_id: int | None,
        fetched_at: str,
        capture_id: int | None,
        extractor: str | None,
        extractor_version: str | None,
    ) -> int:
        """Add the next ``versions`` row and make it the article's current version."""
        numbered = self._one(queries.next_version_number(article_id))
        assert numbered is not None
        fields = self._field_values(article)
        values = {
            "article_id": article_id,
            "number": int(numbered["number"]),
            "crawl_id": crawl_id,
            "fetched_at": fetched_at,
            "content_hash": digest,
            **{column: fields[column] for column in queries.VERSION_FIELD_COLUMNS},
            "extractor": extractor,
            "extractor_version": extractor_version,
            "capture_id": capture_id,
        }
        cursor = self._run(queries.insert_version(values))
        assert cursor.lastrowid is not None
        self._run(queries.set_current_version(article_id, cursor.lastrowid))
        return cursor.lastrowid

    def _index_text(self, article_id: int, digest: str, signature: dedupe.Signature) -> None:
        """Record the article's text hash, and its signature in the near-duplicate index
        (replacing the signature of its previous text)."""
        self._run(queries.set_text_hash(article_id, digest))
        self._index.add(article_id, signature)

    @property
    def _index(self) -> dedupe.NearDuplicateIndex:
        if self._near_duplicates is None:
            self._near_duplicates = dedupe.NearDuplicateIndex(self.db)
        return self._near_duplicates

    def _event(
        self,
        article_id: int | None,
        kind: str,
        *,
        crawl_id: int | None,
        at: str,
        url: str | None = None,
        status: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        values = {
            "article_id": article_id,
            "crawl_id": crawl_id,
            "url": url,
            "kind": kind,
            "status": status,
            "at": at,
            "detail": json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True),
        }
        cursor = self._run(queries.insert_event(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _store_tags(self, article_id: int, names: list[str]) -> None:
        self._run(queries.clear_article_tags(article_id))
        for position, name in enumerate(names):
            self._run(queries.insert_tag(name))
            row = self._one(queries.tag_id(name))
            assert row is not None
            self._run(queries.insert_article_tag(article_id, int(row["id"]), position))

    def _store_links(
        self, article_id: int, related: list[Any], seen_at: str, crawl_id: int
    ) -> None:
        for index, link in enumerate(related):
            url = _clean(_get(link, "url"))
            if url is None:
                continue
            key = canonical_key(url)
            target = self._one(queries.article_by_key(key))
            position = _get(link, "position")
            self._run(
                queries.upsert_link(
                    from_article_id=article_id,
                    url=url,
                    url_key=key,
                    target_article_id=int(target["id"]) if target else None,
                    anchor=_clean(_get(link, "title")),
                    position=int(position) if position is not None else index,
                    kind=_clean(_get(link, "kind")) or "lire_aussi",
                    seen_at=seen_at,
                    crawl_id=crawl_id,
                )
            )

    # -- versions -----------------------------------------------------------------------

    def add_version(
        self,
        article_id: int,
        article: Mapping[str, Any],
        *,
        crawl_id: int | None,
        fetched_at: str,
        capture_id: int | None,
        extractor: str | None,
        extractor_version: str | None,
    ) -> int | None:
        """Add ``article`` (``Article.to_dict()``) as a new version of an archived article.

        For re-extraction: the content of a stored capture read again by a newer extractor.
        Returns the new version's id, or ``None`` (nothing written) when its content hash
        equals the current version's. The new version becomes current: the article's content
        fields, tags, ``content_hash``, ``text_hash`` and near-duplicate signature follow it
        and missing non-content fields are filled in; its status, URLs, links, views and
        ``last_seen_at`` / ``last_changed_at`` stay (the page did not change, its reading did).
        One transaction. Raises ``ValueError`` for an unknown article or content that is not
        an article (no title, or neither lead nor body).
        """
        self._check_article(article)
        digest = content_hash(article)
        text = _text_of(article)
        with self._transaction():
            current = self._one(queries.current_version_hash(article_id))
            if current is None:
                raise ValueError(f"no article with id {article_id}")
            if current["content_hash"] == digest:
                return None
            version_id = self._insert_version(
                article_id,
                article,
                digest=digest,
                crawl_id=crawl_id,
                fetched_at=fetched_at,
                capture_id=capture_id,
                extractor=extractor,
                extractor_version=extractor_version,
            )
            held: dict[str, str] = {}
            if capture_id is not None:  # the same page read again: the same photos
                for row in self._rows(media.held_in_capture(capture_id)):
                    held.setdefault(row["url"], row["sha256"])
            self._link_photos(version_id, media.photos_of(article), held)
            fields = self._field_values(article)
            values = {column: fields[column] for column in queries.VERSION_FIELD_COLUMNS}
            self._run(
                queries.update_article_version(article_id, {**values, "content_hash": digest})
            )
            fill = {column: fields[column] for column in queries.FILLABLE_COLUMNS}
            self._run(queries.fill_article(article_id, fill))
            self._store_tags(article_id, _names(article.get("tags")))
            self._index_search(article_id)
            self._index_text(article_id, dedupe.text_hash(*text), dedupe.signature(*text))
        return version_id

    # -- photos (see archive.media) ------------------------------------------------------

    def _link_photos(
        self, version_id: int, photos: list[media.Photo], held: Mapping[str, str] | None = None
    ) -> None:
        """Record the photos a new version's page showed, without bytes (a fetch of their
        URL made for this version links them: the bytes a URL served for an earlier page are
        no proof of what this one showed), but those ``held`` names (URL -> sha256: the same
        page read again)."""
        held = held or {}
        for position, photo in enumerate(photos):
            sha = held.get(photo.url)
            self._run(media.insert_version_photo(version_id, position, photo, sha))

    def _complete_photos(self, article_id: int, photos: list[media.Photo]) -> None:
        """An unchanged page: its current version gets the photo rows it lacks (stored
        before photos were kept), without bytes (see :meth:`photos_to_fetch`)."""
        if self._rows(media.current_photos(article_id)):
            return
        row = self._one(queries.article_by_id(article_id))
        if row is not None and row["current_version_id"] is not None:
            self._link_photos(int(row["current_version_id"]), photos)

    def photos_to_fetch(self, article: Mapping[str, Any], urls: Iterable[str]) -> list[str]:
        """Which of a page's photo URLs a crawl should fetch, each once, in the order given:
        all of them for a page that makes a new version (new content, or an article new to
        the archive), even a URL whose bytes the archive holds (a site may replace the image
        behind a URL; identical bytes are kept once all the same); for a page the archive
        holds with this very content (stored ``unchanged``), only those its current version
        has never asked for (its rows were recorded while ``ARCHIVE_IMAGES`` left them out,
        or a crawl was stopped before their turn, or it was stored before photos were kept):
        an unchanged article's photo is never fetched again, whether it was kept or failed."""
        wanted = list(dict.fromkeys(urls))
        digest = content_hash(article)
        for url in (_clean(article.get("canonical_url")), _clean(article.get("url"))):
            article_id = self._lookup_url(url) if url else None
            if article_id is None:
                continue
            row = self._one(queries.article_by_id(article_id))
            if row is None or row["content_hash"] != digest:
                return wanted
            rows = self._rows(media.current_photos(article_id))
            if not rows:  # a version stored before photos were kept
                return wanted
            never = {r["url"] for r in rows if r["sha256"] is None and r["fetch_id"] is None}
            return [url for url in wanted if url in never]
        return wanted

    def pending_photos(self, url: str, roles: Iterable[str] | None = None) -> list[str]:
        """The photo URLs of the current version of the article ``url`` leads to that were
        never asked for (of these ``roles`` only, when given), each once, in position order:
        what a page answering "not modified" still owes."""
        article_id = self._lookup_url(url) if self.has_table("version_media") else None
        if article_id is None:
            return []
        wanted = None if roles is None else set(roles)
        found = []
        for row in self._rows(media.current_photos(article_id)):
            if row["sha256"] is not None or row["fetch_id"] is not None:
                continue
            if wanted is not None and row["role"] not in wanted:
                continue
            found.append(row["url"])
        return list(dict.fromkeys(found))

    @_batchable
    def store_media(self, crawl_id: int, fetch: Fetch, image: media.Image) -> str:
        """Keep the bytes an image URL answered and return their sha256, atomically with the
        fetch's ``fetches`` row (outcome ``media``).

        Bytes already held (the same sha256, from any URL) are not stored again. The photo
        rows waiting for ``image.url`` point at them (and at the fetch): those of the versions
        this crawl stored and of current versions; rows of older versions never change.
        """
        fetched_at = fetch.fetched_at or utc_now()
        sha = image.sha256
        with self._transaction():
            if self._one(media.media_exists(sha)) is None:
                self._run(media.insert_media(image, at=fetched_at, crawl_id=crawl_id))
            fetch = replace(fetch, fetched_at=fetched_at)
            fetch_id = self.record_fetch(crawl_id, fetch, media.OUTCOME_MEDIA)
            self._run(media.link_fetched(image.url, sha, crawl_id, fetch_id))
        return sha

    @_batchable
    def record_media_error(self, crawl_id: int, fetch: Fetch, url: str) -> int:
        """Record a photo that could not be kept (outcome ``media_error``, ``fetch.error``
        saying why) and return the ``fetches`` row's id; the photo rows waiting for ``url``
        (as :meth:`store_media` finds them) keep their NULL ``sha256`` and point at this
        fetch, so the photo is not asked for again while the article is unchanged."""
        with self._transaction():
            fetch_id = self.record_fetch(crawl_id, fetch, media.OUTCOME_MEDIA_ERROR)
            self._run(media.mark_failed(url, crawl_id, fetch_id))
        return fetch_id

    def photos(self, version_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """The photos of each version (version id -> ``version_media`` rows in position order,
        with the ``type``, ``size``, ``width`` and ``height`` of the bytes held; those of a
        photo not fetched are ``None``; ``fetch_id`` the fetch that got the bytes or failed
        to); a version without photos is left out."""
        found: dict[int, list[dict[str, Any]]] = {}
        wanted = list(dict.fromkeys(version_ids))
        if not wanted or not self.has_table("version_media"):
            return found
        for start in range(0, len(wanted), BACKFILL_BATCH):
            for row in self._rows(media.version_photos(wanted[start : start + BACKFILL_BATCH])):
                found.setdefault(int(row.pop("version_id")), []).append(row)
        return found

    def media(self, sha256: str) -> dict[str, Any] | None:
        """The ``media`` row of these bytes (``body`` included), or ``None``."""
        if not self.has_table("media"):
            return None
        return self._one(media.media_row(sha256.strip().lower()))

    def iter_media(self, article_ids: Iterable[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every ``media`` row (bytes included) any version of these articles showed, each
        once (all of them when ``None``), oldest first. Each has ``other_urls`` too: the
        other URLs whose photo rows among these articles are linked to the same bytes
        (``{url, fetched_at}``, ``fetched_at`` NULL when no fetch says, in URL order)."""
        if not self.has_table("media"):
            return
        chunks: list[list[int] | None] = [None]
        if article_ids is None:
            rows = self._rows(media.media_of_articles(None))
        else:
            ids = list(dict.fromkeys(article_ids))
            chunks = [ids[i : i + BACKFILL_BATCH] for i in range(0, len(ids), BACKFILL_BATCH)]
            seen: dict[str, dict[str, Any]] = {}
            for chunk in chunks:
                for row in self._rows(media.media_of_articles(chunk)):
                    seen.setdefault(row["sha256"], row)
            rows = sorted(seen.values(), key=lambda r: (r["first_seen_at"], r["sha256"]))
        for row in rows:
            full = self._one(media.media_row(row["sha256"]))
            if full is None:
                continue
            others: dict[str, str | None] = {}
            for chunk in chunks:
                for other in self._rows(media.other_urls(full["sha256"], full["url"], chunk)):
                    times = [t for t in (others.get(other["url"]), other["fetched_at"]) if t]
                    others[other["url"]] = min(times) if times else None
            full["other_urls"] = [{"url": url, "fetched_at": others[url]} for url in sorted(others)]
            yield full

    def versions(self, url_or_id: str | int) -> list[dict[str, Any]]:
        """Every version of the article (found as :meth:`get_article` finds it), oldest first.

        Each is a ``versions`` row (``authors`` and ``tags`` as lists); ``[]`` when no
        article matches.
        """
        article_id = self._article_id(url_or_id)
        if article_id is None or not self.has_table("versions"):
            return []
        rows = self._rows(queries.versions_of_article(article_id))
        for row in rows:
            for column in ("authors", "tags"):
                row[column] = json.loads(row[column] or "[]")
        return rows

    # -- captures -----------------------------------------------------------------------

    def _store_capture(self, capture: Capture, crawl_id: int | None, fetched_at: str) -> int:
        """The ``captures`` row of this response: an identical one (same URL, same body) is
        reused, else the body is stored zlib-compressed with its size and sha256."""
        digest = hashlib.sha256(capture.body).hexdigest()
        known = self._one(queries.capture_by_body(capture.url, digest))
        if known is not None:
            return int(known["id"])
        headers = {
            str(name): [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
            for name, value in capture.headers.items()
        }
        values = {
            "url": capture.url,
            "crawl_id": crawl_id,
            "fetched_at": fetched_at,
            "status": capture.status,
            "headers": json.dumps(headers, ensure_ascii=False),
            "body": zlib.compress(capture.body, CAPTURE_COMPRESSION_LEVEL),
            "compression": "zlib",
            "body_size": len(capture.body),
            "body_sha256": digest,
        }
        cursor = self._run(queries.insert_capture(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def capture_body(self, capture_id: int) -> bytes:
        """The body of a stored capture, decompressed and checked against its sha256.

        Raises :class:`ArchiveError` when the stored body is damaged (cannot be decompressed,
        or does not match its sha256), ``ValueError`` for an unknown capture id.
        """
        return self.capture(capture_id).body

    def capture(self, capture_id: int) -> Capture:
        """A stored capture: URL, status, headers (name -> list of values) and body, checked
        as :meth:`capture_body` checks it (and raising as it does)."""
        row = self._one(queries.capture_by_id(capture_id)) if self.has_table("captures") else None
        if row is None:
            raise ValueError(f"no capture with id {capture_id}")
        body, error = _decoded_body(row)
        if error is not None:
            raise ArchiveError(f"capture {capture_id} ({row['url']}) is damaged: {error}")
        assert body is not None
        headers = json.loads(row["headers"] or "{}")
        return Capture(url=row["url"], status=row["status"], headers=headers, body=body)

    def iter_captures(
        self,
        url_or_id: str | int | None = None,
        *,
        crawl_id: int | None = None,
        verify: bool = False,
        article_ids: Iterable[int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every stored capture, oldest first, with its body (for WARC export, re-extraction).

        Yields dicts: ``id``, ``url``, ``crawl_id``, ``fetched_at``, ``status``, ``headers``
        (name -> list of values), ``body`` (bytes, decompressed), ``body_size``,
        ``body_sha256``, ``article_id`` and ``version_id`` (of the first version made from
        it), and ``error``: ``None``, or why the stored body is damaged (then ``body`` is what
        could be decompressed, ``None`` if nothing). ``verify=True`` raises
        :class:`ArchiveError` on the first damaged capture instead. Only the captures of one
        article (found as :meth:`get_article` finds it) or of one crawl when asked; with
        ``article_ids``, only those of these articles' versions, each once.

        Streams: captures are read a few at a time, never all bodies at once, and no query
        stays open between two yields, so the caller may write to the archive meanwhile.
        """
        if not self.has_table("captures"):
            return
        article_id: int | None = None
        if url_or_id is not None:
            article_id = self._article_id(url_or_id)
            if article_id is None:
                return
        for rows in self._capture_pages(article_id, crawl_id, article_ids):
            for row in rows:
                body, error = _decoded_body(row)
                if error is not None and verify:
                    raise ArchiveError(f"capture {row['id']} ({row['url']}) is damaged: {error}")
                yield {
                    "id": row["id"],
                    "url": row["url"],
                    "crawl_id": row["crawl_id"],
                    "fetched_at": row["fetched_at"],
                    "status": row["status"],
                    "headers": json.loads(row["headers"] or "{}"),
                    "body": body,
                    "body_size": row["body_size"],
                    "body_sha256": row["body_sha256"],
                    "article_id": row["article_id"],
                    "version_id": row["version_id"],
                    "error": error,
                }

    def _capture_pages(
        self, article_id: int | None, crawl_id: int | None, article_ids: Iterable[int] | None
    ) -> Iterator[list[dict[str, Any]]]:
        """The ``captures`` rows :meth:`iter_captures` yields, :data:`CAPTURE_BATCH` a query."""
        if article_ids is None:
            after = 0
            while True:
                query = queries.captures_after(
                    after, CAPTURE_BATCH, article_id=article_id, crawl_id=crawl_id
                )
                rows = self._rows(query)
                if not rows:
                    return
                after = int(rows[-1]["id"])
                yield rows
        wanted: set[int] = set()
        ids = list(article_ids)
        for start in range(0, len(ids), ID_BATCH):
            query = queries.capture_ids_of_articles(ids[start : start + ID_BATCH])
            wanted.update(int(row["capture_id"]) for row in self._rows(query))
        ordered = sorted(wanted)
        for start in range(0, len(ordered), CAPTURE_BATCH):
            batch = ordered[start : start + CAPTURE_BATCH]
            yield self._rows(
                queries.captures_after(
                    0, CAPTURE_BATCH, article_id=None, crawl_id=crawl_id, capture_ids=batch
                )
            )

    # -- unreadable pages ---------------------------------------------------------------

    def unreadable_pages(
        self, *, crawl_id: int | None = None, include_read: bool = False
    ) -> list[dict[str, Any]]:
        """The ``unreadable`` fetches, oldest first: pages fetched under an article URL (2xx,
        HTML) in which the page object found no article, or failed, kept with their capture.

        Only those no extractor has read as an article since (``fetches.article_id`` NULL,
        see :meth:`read_unreadable`) unless ``include_read``; only those of ``crawl_id`` when
        given. Each is a ``fetches`` row: ``id``, ``crawl_id``, ``url``, ``requested_url``,
        ``status``, ``bytes``, ``ms``, ``fetched_at``, ``error`` (the extraction's, when it
        failed), ``capture_id`` and ``article_id``.
        """
        if self.readonly and "capture_id" not in self.db["fetches"].columns_dict:
            return []  # a read-only archive older than unreadable pages has none
        return self._rows(queries.unreadable_fetches(crawl_id, include_read=include_read))

    def read_unreadable(
        self,
        fetch_id: int,
        article: Mapping[str, Any],
        *,
        extractor: str | None = None,
        extractor_version: str | None = None,
    ) -> StoreResult:
        """Store the article an ``unreadable`` page now reads as (``archive reparse``).

        The page is stored as its crawl would have stored it, had the extractor read it
        then: :meth:`store_article` with the fetch's crawl, URL, requested URL, status and
        fetch time, and its capture (which a new version points at); the fetch row keeps
        its outcome and gets the article's id, so the page is read once. When the archive
        already holds that article from a later fetch (its ``last_seen_at`` is after this
        one), storing the older page would make old content current: nothing is stored,
        the fetch row gets that article's id, and the outcome is ``superseded``. One
        transaction. Raises ``ValueError`` when ``fetch_id`` is no ``unreadable`` fetch with
        a capture, or was read already, or ``article`` is not an article;
        :class:`ArchiveError` when its capture is damaged.
        """
        self._check_article(article)
        with self._transaction():
            row = self._one(queries.fetch_by_id(fetch_id))
            if row is None or row["outcome"] != "unreadable" or row["capture_id"] is None:
                raise ValueError(f"fetch {fetch_id} is not an unreadable page with a capture")
            if row["article_id"] is not None:
                raise ValueError(f"fetch {fetch_id} was read already: article {row['article_id']}")
            fetch = Fetch(
                url=row["url"],
                status=row["status"],
                bytes=row["bytes"],
                ms=row["ms"],
                requested_url=row["requested_url"],
                fetched_at=row["fetched_at"],
            )
            later = self._seen_after(article, fetch)
            if later is not None:
                self._run(queries.resolve_fetch(fetch_id, later))
                return StoreResult(article_id=later, outcome="superseded")
            return self.store_article(
                article,
                crawl_id=int(row["crawl_id"]),
                fetch=fetch,
                capture=self.capture(int(row["capture_id"])),
                extractor=extractor,
                extractor_version=extractor_version,
                recorded_fetch=fetch_id,
            )

    def _seen_after(self, article: Mapping[str, Any], fetch: Fetch) -> int | None:
        """The archived article this page would be stored into, when a fetch later than
        ``fetch`` saw it; else ``None``."""
        text_hash = dedupe.text_hash(*_text_of(article))
        match = self._match(self._seen_urls(article, fetch), text_hash)
        if match is None:
            return None
        row = self._one(queries.article_by_id(match[0]))
        assert row is not None
        seen, fetched = parse_time(row["last_seen_at"]), parse_time(fetch.fetched_at)
        return match[0] if seen and fetched and seen > fetched else None

    # -- events: gone, returned, aliases, duplicates ------------------------------------

    @_batchable
    def mark_gone(
        self,
        url: str,
        *,
        crawl_id: int,
        fetch: Fetch,
        status: int,
        reason: str,
        detail: Mapping[str, Any] | None = None,
        frontier: Iterable[str] | str | None = None,
    ) -> int | None:
        """Record that an article URL now answers "gone"; returns the article's id, if any.

        ``status`` is the HTTP status that says so (404, 410, 451, or the redirect's 3xx;
        0 when unknown) and ``reason`` why (``http_404``, ``http_410``, ``http_451``,
        ``redirect_to_listing``). When ``url`` leads to a ``live`` article, the article
        becomes ``gone`` with a ``gone`` event (status; detail: ``reason``, ``location`` the
        response's URL when it differs from ``url``, plus ``detail``); when it is already
        gone, no new event. When ``url`` is only an alias of the article (``urls.kind``
        ``alias``: a copy went away, not the article's own page), the article stays ``live``
        and the ``gone`` event has ``alias: true`` (once, until something else happens to
        that URL). Either way the fetch row's outcome is ``gone``. Its text and
        versions stay; storing it again makes it ``live`` (a ``returned`` event).
        When ``url`` leads to no article, the fetch row is ``http_error`` (``not_article``
        for ``redirect_to_listing``) and ``None`` is returned.

        A server error or a rate limit (5xx, 408, 429) says nothing about the article: the
        caller records those with :meth:`record_fetch` (``http_error``); they raise
        ``ValueError`` here. A gone article keeps being revisited by the schedule
        (``next_visit_at``), so that its return is noticed. ``frontier``: as for
        :meth:`record_fetch`, in the same transaction.
        """
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise ValueError(
                f"HTTP {status} is transient, not a gone article: record it with record_fetch"
            )
        seen_at = fetch.fetched_at or utc_now()
        fetch = replace(fetch, fetched_at=seen_at)
        about: dict[str, Any] = {"reason": reason}
        if _clean(fetch.url) and fetch.url != url:
            about["location"] = fetch.url
        about.update(detail or {})
        with self._transaction():
            found = self._find([(url, "gone")])
            if found is None:
                article_id = self._lookup_url(url)
                found = None if article_id is None else (article_id, False)
            if found is None:
                outcome = "not_article" if reason == REDIRECT_TO_LISTING else "http_error"
                self.record_fetch(crawl_id, fetch, outcome, frontier=frontier)
                return None
            article_id, alias_only = found
            if alias_only:
                # Only an alias went away (a copy taken down): the article's own page is not
                # known to be gone, so it stays live; the event says which URL went.
                last = self._one(queries.last_event_about(article_id, url))
                new_event = last is None or last["kind"] != "gone"
                about["alias"] = True
            else:
                row = self._one(queries.article_by_id(article_id))
                assert row is not None
                new_event = row["status"] != "gone"
                if new_event:
                    self._run(queries.set_status(article_id, "gone"))
                self._schedule_visit(article_id, seen_at)
            if new_event:
                self._event(
                    article_id,
                    "gone",
                    crawl_id=crawl_id,
                    at=seen_at,
                    url=url,
                    status=status or None,
                    detail=about,
                )
            self.record_fetch(crawl_id, fetch, "gone", article_id, frontier=frontier)
        return article_id

    @_batchable
    def record_alias(
        self,
        url: str,
        canonical_url: str,
        *,
        crawl_id: int,
        fetch: Fetch,
        frontier: Iterable[str] | str | None = None,
    ) -> int | None:
        """Record a copy of an article (AMP, mobile) that names ``canonical_url`` as canonical.

        When ``canonical_url`` leads to an archived article, ``url`` becomes its alias
        (``urls.kind`` ``alias``, an ``alias`` event the first time). The fetch row's outcome
        is ``alias`` either way (the canonical page, fetched next, records the alias itself
        via :attr:`Fetch.alias_urls`). Returns the article's id, or ``None``.
        The ``frontier`` rows are settled (as by :meth:`record_fetch`) only when the canonical
        URL leads to an archived article: otherwise the copy stays pending until its canonical
        page, fetched next, is stored with the copy among its ``alias_urls``.
        """
        seen_at = fetch.fetched_at or utc_now()
        fetch = replace(fetch, fetched_at=seen_at)
        with self._transaction():
            article_id = self._lookup_url(canonical_url)
            if article_id is not None:
                self._record_aliases(article_id, [url], seen_at, crawl_id)
                self._run(queries.resolve_links_to(article_id))
            settled = frontier if article_id is not None else None
            self.record_fetch(crawl_id, fetch, "alias", article_id, frontier=settled)
        return article_id

    @_batchable
    def record_not_modified(
        self,
        url: str,
        *,
        crawl_id: int,
        fetch: Fetch,
        frontier: Iterable[str] | str | None = None,
    ) -> int | None:
        """Record a ``304 Not Modified`` answer to a conditional request for an article URL.

        The article ``url`` leads to was seen again, unchanged: ``last_seen_at`` and
        ``last_crawl_id`` move (its current links with it), it is ``live`` again (a
        ``returned`` event if it was gone), its ``next_visit_at`` is recomputed, the URL is
        recorded as leading to it (a tracking variant asked with the validators of the
        article's own URL, say), and the fetch row's outcome is ``unchanged``. When ``url``
        leads to no article the fetch row is ``not_article`` and ``None`` is returned.
        ``frontier``: as for :meth:`record_fetch`. One transaction.
        """
        seen_at = fetch.fetched_at or utc_now()
        fetch = replace(fetch, fetched_at=seen_at)
        with self._transaction():
            article_id = self._lookup_url(url)
            if article_id is None:
                self.record_fetch(crawl_id, fetch, "not_article", frontier=frontier)
                return None
            row = self._one(queries.article_by_id(article_id))
            assert row is not None
            if row["status"] == "gone":
                self._event(
                    article_id, "returned", crawl_id=crawl_id, at=seen_at, url=url,
                    detail={"url": url},
                )  # fmt: skip
            self._run(queries.touch_current_links(article_id, seen_at))
            self._run(
                queries.touch_article(
                    article_id, seen_at=seen_at, crawl_id=crawl_id, views=None, fill={}
                )
            )
            # The server vouched that this URL serves what the archive holds: it led here.
            for seen_url in dict.fromkeys([url, fetch.url]):
                key = canonical_key(seen_url)
                self._run(queries.upsert_url(seen_url, key, article_id, "fetched", seen_at))
            self._schedule_visit(article_id, seen_at)
            self.record_fetch(crawl_id, fetch, "unchanged", article_id, frontier=frontier)
        return article_id

    def events(self, url_or_id: str | int) -> list[dict[str, Any]]:
        """The article's events (``gone``, ``returned``, ``alias``, ``duplicate``), oldest first.

        Each is an ``events`` row with ``detail`` decoded; ``[]`` when no article matches.
        """
        article_id = self._article_id(url_or_id)
        if article_id is None or not self.has_table("events"):
            return []
        rows = self._rows(queries.events_of_article(article_id))
        for row in rows:
            row["detail"] = json.loads(row["detail"] or "{}")
        return rows

    # -- near-duplicate index -------------------------------------------------------------

    def _needs_backfill(self) -> bool:
        return self._one(queries.first_article_missing_dedupe()) is not None

    def backfill_dedupe(self) -> int:
        """Fill in ``text_hash`` and near-duplicate signatures of articles lacking them.

        Archives made before duplicate detection (schema 1) get them on their first
        read-write open. ``duplicate_of`` of those articles is left as it was. Runs in
        batches of :data:`BACKFILL_BATCH` articles, one transaction each, so an interrupted
        backfill resumes where it stopped. Returns the number of articles filled in.
        """
        return self._backfill(
            queries.articles_missing_dedupe, self._index_row_text, "duplicate detection"
        )

    def _index_row_text(self, row: dict[str, Any]) -> None:
        text = (row["title"], row["lead"], row["body"])
        self._index_text(int(row["id"]), dedupe.text_hash(*text), dedupe.signature(*text))

    def _backfill(
        self,
        missing: Callable[[int], queries.Query],
        fill: Callable[[dict[str, Any]], None],
        what: str,
    ) -> int:
        """Fill ``what`` in for the rows ``missing`` finds, a batch per transaction, so an
        interrupted backfill resumes where it stopped; returns how many were filled in."""
        done = 0
        while True:
            with self._transaction():
                rows = self._rows(missing(BACKFILL_BATCH))
                for row in rows:
                    fill(row)
            done += len(rows)
            if len(rows) < BACKFILL_BATCH:
                break
        if done:
            logger.info("archive %s: %s filled in for %d articles", self.path, what, done)
        return done

    # -- French search index -------------------------------------------------------------

    def _index_search(self, article_id: int) -> None:
        """Write the article's ``articles_fts_fr`` row from its current content."""
        row = self._one(queries.article_search_text(article_id))
        if row is not None:
            self._write_search_entry(row)

    def _write_search_entry(self, row: Mapping[str, Any]) -> None:
        article_id = int(row["id"])
        title, lead, body, tags = _search_texts(row)
        values = {
            "title": french.fold_text(title),
            "lead": french.fold_text(lead),
            "body": french.fold_text(body),
            "tags": french.fold_text(tags),
        }
        self._run(queries.delete_search_entry(article_id))
        self._run(queries.insert_search_entry(article_id, values))

    def _needs_search_backfill(self) -> bool:
        return self._one(queries.first_article_missing_search()) is not None

    def backfill_search(self) -> int:
        """Fill in the French search index (``articles_fts_fr``) of articles lacking it.

        Archives made before French search (schemas 1 to 3) get it on their first
        read-write open, in batches of :data:`BACKFILL_BATCH` articles, one transaction
        each, so an interrupted backfill resumes where it stopped. Returns the number of
        articles indexed.
        """
        return self._backfill(
            queries.articles_missing_search, self._write_search_entry, "French search index"
        )

    # -- reading articles -------------------------------------------------------------

    def _article_id(self, url_or_id: str | int) -> int | None:
        if isinstance(url_or_id, int) or (
            url_or_id.strip().isascii() and url_or_id.strip().isdigit()
        ):
            return int(url_or_id)
        return self._find_url(url_or_id.strip())

    def get_article(self, url_or_id: str | int) -> dict[str, Any] | None:
        """The article with this id, or that this URL (any URL that ever led to it) finds.

        A URL is looked up exactly as seen, then by its URL key, then by its looser forms
        (``http``/``https``, trailing slash, ``www.``, AMP marks: see
        :func:`~archive.urls.lookup_keys`); when those lead to several articles,
        :class:`~archive.urls.AmbiguousURLError` lists them rather than pick one.
        Returns ``None`` when nothing matches. The dict has every ``Article`` field
        (``authors`` and ``tags`` as lists, ``related`` as ``{url, title, kind, position}``
        in page order as of the last store), plus ``id``, ``status``, ``duplicate_of``,
        ``similarity``, ``first_seen_at``, ``last_seen_at``, ``last_changed_at``,
        ``first_crawl_id``, ``last_crawl_id``, ``content_hash``, ``text_hash``,
        ``current_version_id``, ``versions_count``, ``urls`` (every URL that led to it,
        ``{url, kind}``), ``events`` (as :meth:`events` gives them) and ``photos`` (those of
        the current version, as :meth:`photos` gives them). ``url`` is the article's key URL
        (``articles.url``).
        """
        article_id = self._article_id(url_or_id)
        if article_id is None:
            return None
        row = self._one(queries.article_by_id(article_id))
        if row is None:
            return None
        result: dict[str, Any] = {"id": row["id"], "url": row["url"]}
        for column in queries.ARTICLE_FIELD_COLUMNS:
            value = row[column]
            result[column] = json.loads(value or "[]") if column in ("authors", "tags") else value
        result["views"] = row["views"]
        result["related"] = self._rows(queries.current_links(article_id))
        for column in (
            "status",
            "duplicate_of",
            "similarity",
            "first_seen_at",
            "last_seen_at",
            "last_changed_at",
            "first_crawl_id",
            "last_crawl_id",
            "content_hash",
            "text_hash",
            "current_version_id",
        ):
            result[column] = row.get(column)  # a read-only schema-1 file has no text_hash
        counted = (
            self._one(queries.count_versions(article_id)) if self.has_table("versions") else None
        )
        result["versions_count"] = int(counted["n"]) if counted else 0
        result["urls"] = self._rows(queries.urls_of_article(article_id))
        result["linked_from"] = self._rows(queries.linking_articles(article_id))
        result["events"] = self.events(article_id)
        current = row.get("current_version_id")
        result["photos"] = self.photos([current]).get(current, []) if current else []
        return result

    # -- search and stats -------------------------------------------------------------

    def articles(self, filters: ArticleFilters | None = None) -> list[dict[str, Any]]:
        """Articles newest first by ``published_at`` (undated ones last), narrowed by ``filters``.

        Each has ``id``, ``published_at``, ``category``, ``status``, ``title`` and ``url``.
        """
        filters = filters or ArticleFilters()
        return self._rows(
            queries.list_articles(filters.limit, filters.offset, where=filters.where())
        )

    def filter_notes(self, filters: ArticleFilters) -> list[str]:
        """What to tell a reader whose ``tag``, ``category`` or ``author`` filter names
        nothing the archive holds (once folded, see :mod:`archive.names`), with the
        closest names: ``no tag "etats-unsi"; closest: États-Unis, États baltes``. Empty
        when every name exists (the filters may still select nothing together)."""
        notes: list[str] = []
        for kind in ("tag", "category", "author"):
            value = getattr(filters, kind)
            if value is None:
                continue
            names = [str(row["name"]) for row in self._rows(queries.filter_names(kind))]
            note = unknown_name_message(kind, value, names)
            if note is not None:
                notes.append(note)
        return notes

    def search(
        self, query: str, *, limit: int = 20, filters: ArticleFilters | None = None
    ) -> list[dict[str, Any]]:
        """Full-text French search over title, lead, body and tags, best match first.

        Words match whatever their case, accents, elision or French inflection: "securite"
        finds "sécurité", "aviation" finds "l'aviation", "frappes" finds "frappe",
        "malentendus" finds "malentendu" (lemmas and Snowball stems, see
        :mod:`archive.french`). Several words must all match; ``"an exact
        phrase"`` matches those words in that order; ``AND``, ``OR``, ``NOT`` (upper case)
        and parentheses combine them; ``word*`` is a prefix, ``title:word`` (or ``lead``,
        ``body``, ``tags``) looks in one column. Other FTS5 syntax in the query is searched
        as words, and unbalanced quotes and parentheses are dropped, so no query fails for
        its syntax; one with no word at all finds nothing. Each hit has ``id``, ``url``,
        ``title``, ``published_at``, ``category``, ``snippet`` (up to 16 words of the
        original text, matching words marked ``[ ]``) and ``rank`` (bm25 score weighting
        title, then lead and tags, above body; lower is better). Raises ``ValueError`` for
        an empty query or one starting with ``NOT``.
        ``filters`` narrows the hits; its ``limit``, when set, replaces ``limit``.
        """
        filters = filters or ArticleFilters()
        limit = filters.limit if filters.limit is not None else limit
        where, offset = filters.where(), filters.offset
        french_index = self.has_table("articles_fts_fr")
        # A read-only archive indexed before lemmas is searched as it was folded.
        lemmas = french.LEMMAS_MIGRATION not in self.pending_migrations
        parsed = french.parse_query(query, stem=french_index, lemmas=lemmas)
        if not parsed.match:
            return []
        if french_index and self.readonly and not self._warned_partial_search:
            self._warned_partial_search = True
            if self._needs_search_backfill():
                # Being rebuilt (after an upgrade), or a rebuild was interrupted.
                logger.warning(
                    "archive %s: the French search index is not complete (being rebuilt, or "
                    "its rebuild was interrupted): some articles cannot be found yet; "
                    "open it read-write once to finish it",
                    self.path,
                )
        try:
            if not french_index:
                # A read-only archive older than French search: accents still fold.
                return self._rows(queries.search(parsed.match, limit, where=where, offset=offset))
            rows = self._rows(
                queries.search_french(parsed.match, limit, where=where, offset=offset)
            )
        except sqlite3.OperationalError as error:
            if not str(error).startswith("fts5:"):
                raise
            raise ValueError(f"cannot search for {query!r}: {error}") from error
        hits: list[dict[str, Any]] = []
        for row in rows:
            snippet = french.snippet(_search_texts(row), parsed)
            hit = {key: row[key] for key in ("id", "url", "title", "published_at", "category")}
            hits.append({**hit, "snippet": snippet, "rank": row["rank"]})
        return hits

    def sql(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one SQL statement on a read-only connection: ``(column names, rows)``.

        The connection is opened apart with ``mode=ro`` and ``PRAGMA query_only``, and
        ``ATTACH`` (which could create files) is denied, so anything that writes fails with
        ``sqlite3.Error``, as do syntax errors, several statements and missing parameters.
        """
        uri = Path(self.path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.create_function("archive_fold", 1, fold_name, deterministic=True)
            conn.set_authorizer(_read_only_authorizer)
            cursor = conn.execute(statement, dict(params or {}))
            rows = cursor.fetchall()
            columns = [column[0] for column in cursor.description or ()]
        finally:
            conn.close()
        return columns, rows

    def counts(self) -> dict[str, int]:
        """Number of rows of each archive table (FTS internals and ``_migrations`` left out)."""
        result: dict[str, int] = {}
        for row in self._rows(queries.user_tables()):
            counted = self._one(queries.count_rows(row["name"]))
            result[row["name"]] = int(counted["n"]) if counted else 0
        return result


def _search_texts(row: Mapping[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """(title, lead, body, tags) of an ``articles`` row as search reads them: the tags
    (stored as a JSON list) joined with commas."""
    try:
        tags = json.loads(row["tags"] or "[]")
    except (TypeError, ValueError):
        tags = []
    joined = ", ".join(str(tag) for tag in tags) if isinstance(tags, list) else ""
    return row["title"], row["lead"], row["body"], joined


#: PRAGMAs that only read even when given an argument (``PRAGMA table_info(articles)``).
_READING_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
    }
)


def _read_only_authorizer(
    action: int, arg1: str | None = None, arg2: str | None = None, *_: Any
) -> int:
    """SQLite authorizer of :meth:`Archive.sql`: ``ATTACH`` (and so ``VACUUM``) refused, and
    a PRAGMA that sets something (``journal_mode = DELETE``): on the read-only connection
    SQLite would fail it with a misleading "disk I/O error"."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    setting = action == sqlite3.SQLITE_PRAGMA and arg2 is not None
    if setting and (arg1 or "").lower() not in _READING_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK
