"""The archive's Python API: one SQLite file of articles, their URLs, links, tags and crawls.

The CLI (``archive.cli``) and the Scrapy pipeline are thin layers over :class:`Archive`.
This module never imports Scrapy, and takes articles as plain mappings (``Article.to_dict()``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from archive import migrations, queries
from archive.urls import canonical_key

logger = logging.getLogger(__name__)

#: Where the archive lives unless told otherwise.
DEFAULT_PATH = "archive.db"

#: Values of ``fetches.outcome``.
FETCH_OUTCOMES: tuple[str, ...] = (
    "new",
    "updated",
    "unchanged",
    "not_article",
    "discovery",
    "robots",
    "http_error",
    "error",
    "skipped",
)
#: Values of ``crawls.status``.
CRAWL_STATUSES: tuple[str, ...] = ("running", "finished", "failed", "interrupted")

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


class ArchiveError(Exception):
    """A problem with the archive file itself (missing, not an archive, read-only)."""


class ArchiveNotFoundError(ArchiveError, FileNotFoundError):
    """No archive at the given path (raised when opening read-only, which never creates)."""


class ReadOnlyArchiveError(ArchiveError):
    """A write was attempted on an archive opened with ``readonly=True``."""


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


@dataclass
class StoreResult:
    """What :meth:`Archive.store_article` did."""

    article_id: int
    outcome: str
    """``new``, ``updated`` or ``unchanged``."""


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


class Archive:
    """An archive file, opened (and migrated) for reading and writing.

    Use as a context manager, or call :meth:`close`. Every write method runs in one
    ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue instead of failing.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        """Open the archive at ``path``.

        Read-write (the default) creates the file if needed and applies pending migrations;
        an existing SQLite database that is not an archive raises :class:`ArchiveError`.
        ``readonly=True`` opens an existing file with ``mode=ro``, runs no migration, and
        every write method raises :class:`ReadOnlyArchiveError`; a missing file raises
        :class:`ArchiveNotFoundError` instead of creating one.
        """
        self.path = os.fspath(path)
        self.readonly = readonly
        self._depth = 0
        self.pending_migrations: list[str] = []
        """Migrations this file lacks (only ever non-empty when opened read-only)."""
        if readonly and not os.path.isfile(self.path):
            raise ArchiveNotFoundError(f"no archive at {self.path}")
        conn = self._connect()
        self.db: sqlite_utils.Database = sqlite_utils.Database(conn)
        try:
            self._configure()
        except sqlite3.DatabaseError as error:
            conn.close()
            raise ArchiveError(f"cannot open {self.path} as an archive: {error}") from error
        except BaseException:
            conn.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.readonly:
            if not self.db[migrations.MIGRATIONS_TABLE].exists():
                raise ArchiveError(f"{self.path} is not an archive (no _migrations table)")
            self.pending_migrations = [m.__name__ for m in migrations.pending(self.db)]
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
        migrations.migrate(self.db)

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

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
        """One ``BEGIN IMMEDIATE`` transaction; nested uses join the outer one."""
        if self.readonly:
            raise ReadOnlyArchiveError(f"archive {self.path} is open read-only")
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def _run(self, query: queries.Query) -> sqlite3.Cursor:
        sql, params = query
        return self.db.execute(sql, params)

    def _rows(self, query: queries.Query) -> list[dict[str, Any]]:
        sql, params = query
        return list(self.db.query(sql, params))

    def _one(self, query: queries.Query) -> dict[str, Any] | None:
        rows = self._rows(query)
        return rows[0] if rows else None

    # -- crawls and fetches -----------------------------------------------------------

    def begin_crawl(self, spider: str, arguments: Mapping[str, str]) -> int:
        """Start a crawl row (status ``running``) and return its id.

        ``arguments`` are the spider arguments, stored as a JSON object; the row also
        records this process's pid, the host name and the package version.
        """
        values = {
            "spider": spider,
            "arguments": json.dumps(dict(arguments), ensure_ascii=False, sort_keys=True),
            "started_at": utc_now(),
            "status": "running",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "version": package_version(),
        }
        with self._transaction():
            cursor = self._run(queries.insert_crawl(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_crawl(
        self, crawl_id: int, finish_reason: str, status: str = "finished"
    ) -> dict[str, int]:
        """Close a crawl: set ``finished_at``, the reason, the status and its counts.

        The counts come from the crawl's ``fetches`` rows: ``fetched`` is the number of
        rows with an HTTP status, ``new``/``updated``/``unchanged``/``not_article`` count
        outcomes, ``errors`` counts ``http_error`` and ``error``. Returns the counts.
        Raises ``ValueError`` for an unknown crawl or status.
        """
        if status not in CRAWL_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}; expected one of {CRAWL_STATUSES}")
        with self._transaction():
            if self._one(queries.crawl_exists(crawl_id)) is None:
                raise ValueError(f"no crawl with id {crawl_id}")
            row = self._one(queries.crawl_counts(crawl_id))
            assert row is not None
            counts = {name: int(value) for name, value in row.items()}
            self._run(
                queries.finish_crawl(
                    crawl_id,
                    finished_at=utc_now(),
                    finish_reason=finish_reason,
                    status=status,
                    counts=counts,
                )
            )
        return counts

    def record_fetch(
        self, crawl_id: int, fetch: Fetch, outcome: str, article_id: int | None = None
    ) -> int:
        """Add a ``fetches`` row for one response or failure and return its id.

        ``outcome`` is one of :data:`FETCH_OUTCOMES`; ``fetched_at`` defaults to now.
        """
        if outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {outcome!r}; expected one of {FETCH_OUTCOMES}")
        values = {
            "crawl_id": crawl_id,
            "url": fetch.url,
            "requested_url": fetch.requested_url,
            "status": fetch.status,
            "bytes": fetch.bytes,
            "ms": fetch.ms,
            "fetched_at": fetch.fetched_at or utc_now(),
            "outcome": outcome,
            "error": fetch.error,
            "article_id": article_id,
        }
        with self._transaction():
            cursor = self._run(queries.insert_fetch(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def crawls(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Crawl rows, newest first, ``arguments`` decoded to a dict; at most ``limit``."""
        rows = self._rows(queries.list_crawls(limit))
        for row in rows:
            row["arguments"] = json.loads(row["arguments"] or "{}")
        return rows

    # -- articles ---------------------------------------------------------------------

    def store_article(
        self, article: Mapping[str, Any], *, crawl_id: int, fetch: Fetch
    ) -> StoreResult:
        """Store one extracted article (``Article.to_dict()``) and its fetch, atomically.

        The article is found by any URL that led to it before (canonical URL, page URL,
        requested URL, redirects, short URL, compared by :func:`canonical_key`); else it is
        new, keyed by ``canonical_key(canonical_url or url)``. Its content hash decides the
        outcome: ``new``, ``updated`` (fields rewritten, ``last_changed_at`` set) or
        ``unchanged`` (only ``last_seen_at``, ``last_crawl_id`` and ``views`` move, and
        missing non-content fields such as ``short_url`` are filled in). Then its URLs,
        tags (positions) and "Lire aussi" links are recorded, links elsewhere that pointed
        at one of its URLs are resolved to it, and a ``fetches`` row is added.
        Storing the same article again never duplicates a row.

        Raises ``ValueError`` when ``article`` has no URL, no title, or neither lead nor body.
        """
        url = _clean(article.get("url"))
        if url is None:
            raise ValueError("article has no url")
        if _clean(article.get("title")) is None:
            raise ValueError(f"not an article (no title): {url}")
        if _clean(article.get("lead")) is None and _clean(article.get("body")) is None:
            raise ValueError(f"not an article (no lead or body): {url}")
        seen_at = fetch.fetched_at or utc_now()
        fetch = replace(fetch, fetched_at=seen_at)
        seen_urls = self._seen_urls(article, fetch)
        digest = content_hash(article)
        with self._transaction():
            article_id = self._find(seen_urls)
            if article_id is None:
                key = canonical_key(_clean(article.get("canonical_url")) or url)
                article_id = self._insert_article(article, key, digest, seen_at, crawl_id)
                outcome = "new"
            else:
                outcome = self._update_article(article, article_id, digest, seen_at, crawl_id)
            for seen_url, kind in seen_urls:
                self._run(
                    queries.upsert_url(seen_url, canonical_key(seen_url), article_id, kind, seen_at)
                )
            self._store_tags(article_id, _names(article.get("tags")))
            self._store_links(article_id, article.get("related") or [], seen_at, crawl_id)
            self._run(queries.resolve_links_to(article_id))
            self.record_fetch(crawl_id, fetch, outcome, article_id)
        return StoreResult(article_id=article_id, outcome=outcome)

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

    def _find(self, seen_urls: list[tuple[str, str]]) -> int | None:
        """The stored article one of these URLs (in order) already led to."""
        for seen_url, _kind in seen_urls:
            row = self._one(queries.article_by_key(canonical_key(seen_url)))
            if row is not None:
                return int(row["id"])
        return None

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

    def _insert_article(
        self, article: Mapping[str, Any], key: str, digest: str, seen_at: str, crawl_id: int
    ) -> int:
        values = {
            "url": key,
            **self._field_values(article),
            "views": article.get("views"),
            "content_hash": digest,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
            "last_changed_at": seen_at,
            "first_crawl_id": crawl_id,
            "last_crawl_id": crawl_id,
        }
        cursor = self._run(queries.insert_article(values))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _update_article(
        self, article: Mapping[str, Any], article_id: int, digest: str, seen_at: str, crawl_id: int
    ) -> str:
        """Rewrite a known article; returns ``updated`` or ``unchanged``."""
        row = self._one(queries.article_by_id(article_id))
        assert row is not None
        if row["content_hash"] == digest:
            fill = {c: self._field_values(article)[c] for c in queries.FILLABLE_COLUMNS}
            self._run(
                queries.touch_article(
                    article_id,
                    seen_at=seen_at,
                    crawl_id=crawl_id,
                    views=article.get("views"),
                    fill=fill,
                )
            )
            return "unchanged"
        values = {
            **self._field_values(article),
            "views": article.get("views") if article.get("views") is not None else row["views"],
            "content_hash": digest,
            "last_seen_at": seen_at,
            "last_changed_at": seen_at,
            "last_crawl_id": crawl_id,
        }
        self._run(queries.update_article_content(article_id, values))
        return "updated"

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

    def _article_id(self, url_or_id: str | int) -> int | None:
        if isinstance(url_or_id, int) or (
            url_or_id.strip().isascii() and url_or_id.strip().isdigit()
        ):
            return int(url_or_id)
        url = url_or_id.strip()
        for query in (
            queries.article_by_exact_url(url),
            queries.article_by_key(canonical_key(url)),
        ):
            row = self._one(query)
            if row is not None:
                return int(row["id"])
        return None

    def get_article(self, url_or_id: str | int) -> dict[str, Any] | None:
        """The article with this id, or that this URL (any URL that ever led to it) finds.

        Returns ``None`` when nothing matches. The dict has every ``Article`` field
        (``authors`` and ``tags`` as lists, ``related`` as ``{url, title, kind, position}``
        in page order as of the last store), plus ``id``, ``status``, ``duplicate_of``,
        ``similarity``, ``first_seen_at``, ``last_seen_at``, ``last_changed_at``,
        ``first_crawl_id``, ``last_crawl_id``, ``content_hash`` and ``urls`` (every URL that
        led to it, ``{url, kind}``). ``url`` is the article's key URL (``articles.url``).
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
        ):
            result[column] = row[column]
        result["urls"] = self._rows(queries.urls_of_article(article_id))
        return result

    # -- search and stats -------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over title, lead, body and tags, best match first (bm25).

        ``query`` is FTS5 syntax (``sécurité AND syrie``, ``"phrase exacte"``, ``title:x``);
        accents are ignored. A query that is not valid FTS5 is retried as plain words, so
        stray quotes or operators never raise. Each hit has ``id``, ``url``, ``title``,
        ``published_at``, ``category``, ``snippet`` (hits marked ``[ ]``) and ``rank``
        (bm25 score, lower is better). Raises ``ValueError`` for an empty query.
        """
        if not query.strip():
            raise ValueError("empty search query: give at least one word to search for")
        try:
            return self._rows(queries.search(query, limit))
        except sqlite3.OperationalError as error:
            logger.debug("not an FTS5 query (%s), searching for the words: %r", error, query)
        words = ['"' + word.replace('"', '""') + '"' for word in query.split()]
        try:
            return self._rows(queries.search(" ".join(words), limit))
        except sqlite3.OperationalError as error:
            # Only reachable for input made of nothing FTS5 can tokenise; nothing matches.
            logger.debug("search for %r failed: %s", query, error)
            return []

    def counts(self) -> dict[str, int]:
        """Number of rows of each archive table (FTS internals and ``_migrations`` left out)."""
        result: dict[str, int] = {}
        for row in self._rows(queries.user_tables()):
            counted = self._one(queries.count_rows(row["name"]))
            result[row["name"]] = int(counted["n"]) if counted else 0
        return result
