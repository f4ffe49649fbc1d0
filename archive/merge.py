"""Fold archives crawled apart (``archive merge SHARD... --into ARCHIVE``) into one, exactly.

Each machine (a Scrapyd node, a cron host) writes its own archive, a *shard*; the merger folds
shards into one archive. Everything is matched by what it is, never by its id, so that merging
a shard twice changes nothing, merging A then B gives what B then A gives, and merging the
result into a third archive again changes nothing:

- a crawl by its spider, start time, host and pid (it keeps its ``node``: the machine it ran
  on, else the shard's name); a later merge of the same shard brings the rest of a crawl that
  was still running and its final counts;
- a fetch by its crawl, URL, time and outcome; a capture by its URL and the sha256 of its
  body; a photo by the sha256 of its bytes; a tag by its name;
- an article by its canonical URL, else by any URL that led to it (``urls``);
- a link by its article, the key of the URL it leads to and its kind, re-resolved to the
  merged article ids; a URL by itself, leading to the article it led to last.

An article seen by several shards gets the history one machine making all their fetches would
have written: every fetch of it, from every shard, says which content the page had then (the
content its own archive held at that time); in time order, each change of content is a
version (``A`` seen at 10:00 on one node, ``B`` at 11:00 on another, ``A`` again at 12:00 on
the first: three versions). Its current fields are those of the last version, ``first_seen_at``
and ``last_seen_at`` the first and last fetch, ``views`` and the next visit those of the last
fetch. ``gone`` and ``returned`` events are made again from the merged fetches: gone when a
node found it gone while it was live, back at the next fetch that read it, from any node.
Near duplicates are looked for across shards (the earlier article is the original).

Rows are only added or brought up to date: nothing of the target is deleted but the ``gone``
and ``returned`` events the merged history contradicts (an article one node found gone at
10:00 and back at 14:00, that another node read at 12:00, came back at 12:00). The frontier
(what a killed crawl resumes) is the shard's own business and is not merged.

A shard is read in one read transaction (a consistent snapshot, even while a crawl writes it)
and folded in one write transaction: killed at any point, the target is as it was before, and
merging again starts that shard over. A shard made by an earlier release is upgraded first (in
place when it is free and writable, else a copy of it); one made by a newer release is refused
untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import dedupe, lock, queries
from archive.faults import ArchiveError, NewerArchiveError, check_file
from archive.revisit import parse_time
from archive.store import Archive, package_version, utc_now
from archive.urls import canonical_key

logger = logging.getLogger(__name__)

#: Fetch outcomes at which the page was read as the article: each says which content it had.
READ_OUTCOMES = ("new", "updated", "unchanged")

#: Fetches that found an article URL gone (404, 410, 451): outcome ``gone`` when the archive
#: held the article, ``http_error`` when it did not.
_LOST_PAGE = "outcome = 'http_error' AND status IN (404, 410, 451)"

#: The tables :func:`canonical` describes, in order.
CANONICAL_TABLES = (
    "crawls",
    "articles",
    "versions",
    "urls",
    "links",
    "tags",
    "events",
    "fetches",
    "captures",
    "media",
    "version_media",
)

_CRAWL_KEY = ("spider", "started_at", "host", "pid")
#: Crawl columns a later merge of the same crawl brings up to date (it was running before).
_CRAWL_PROGRESS = (
    "finished_at",
    "finish_reason",
    "status",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "not_article",
    "errors",
    "gone",
    "aliases",
    "not_due",
    "unreadable",
)


class MergeError(ArchiveError):
    """A shard that cannot be merged (the target itself, not an archive, a newer release)."""


@dataclass
class MergeReport:
    """What merging one shard brought."""

    shard: str
    node: str | None = None
    snapshot: bool = False
    incremental: bool = False
    """Only what the shard gained since it was last merged here was read."""
    upgraded: list[str] = field(default_factory=list)
    crawls: int = 0
    fetches: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    versions: int = 0
    captures: int = 0
    media: int = 0
    seconds: float = 0.0

    @property
    def nothing_new(self) -> bool:
        return not (
            self.crawls
            or self.fetches
            or self.articles_new
            or self.articles_changed
            or self.versions
            or self.captures
            or self.media
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "shard": self.shard,
            "node": self.node,
            "snapshot": self.snapshot,
            "incremental": self.incremental,
            "upgraded": self.upgraded,
            "crawls": self.crawls,
            "fetches": self.fetches,
            "articles_new": self.articles_new,
            "articles_changed": self.articles_changed,
            "versions": self.versions,
            "captures": self.captures,
            "media": self.media,
            "seconds": round(self.seconds, 3),
        }


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _one(conn: sqlite3.Connection, sql: str, params: Any = ()) -> dict[str, Any] | None:
    found = _rows(conn, sql, params)
    return found[0] if found else None


def _columns(conn: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _insert(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    sql, params = queries._insert(table, values)
    cursor = conn.execute(sql, params)
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _update(
    conn: sqlite3.Connection, table: str, key: str, value: Any, values: Mapping[str, Any]
) -> None:
    if not values:
        return
    assignments = ", ".join(f'"{column}" = :{column}' for column in values)
    conn.execute(
        f'UPDATE "{table}" SET {assignments} WHERE "{key}" = :_key', {**values, "_key": value}
    )


@dataclass
class _Observation:
    """One moment the article's page was read: its time, the content it had, and where the
    fact comes from (a version row, or a fetch that read the content then current)."""

    at: str
    rank: int
    content: str
    side: str  # "target" or "shard"
    version: dict[str, Any] | None = None
    fetch: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.at, self.rank, self.content)


def _weight(observation: _Observation) -> tuple[int, int]:
    """How much an observation says of the version it may start: a version with its raw
    page, a version, a fetch; between equals, the target's (already merged) first."""
    version = observation.version
    return (
        0 if version is None else 2 if version["capture_id"] is not None else 1,
        observation.side == "target",
    )


def _gone_event(fetch: Mapping[str, Any]) -> dict[str, Any]:
    """The ``gone`` event a crawl records for a fetch that found an article gone."""
    asked = fetch["requested_url"] or fetch["url"]
    status = fetch["status"]
    about: dict[str, Any] = {
        "reason": f"http_{status}" if status in (404, 410, 451) else "redirect_to_listing"
    }
    if fetch["url"] != asked:
        about["location"] = fetch["url"]
    return {
        "crawl_id": fetch["crawl_id"],
        "url": asked,
        "kind": "gone",
        "status": status or None,
        "at": fetch["fetched_at"],
        "detail": json.dumps(about, ensure_ascii=False, sort_keys=True),
    }


class _ShardMerge:
    """Folds one shard (an open read connection on it) into the target archive."""

    def __init__(
        self,
        target: Archive,
        src: sqlite3.Connection,
        report: MergeReport,
        since: Mapping[str, int] | None = None,
    ) -> None:
        self.target = target
        #: The shard's rows merged before (largest rowid of each table, see :func:`marks`):
        #: only what came since, and the articles it touched, are read. Empty: all of it.
        self.since = dict(since or {})
        self.db = target.db.conn
        self.src = src
        self.report = report
        self.crawls: dict[int, int] = {}
        self.new_crawls: set[int] = set()
        self.captures: dict[int, int] = {}
        self.articles: dict[int, int] = {}
        self.inserted: set[int] = set()  # target ids of the articles this merge created
        self.fetch_ids: dict[int, int] = {}
        self.photo_fetches: list[tuple[int, int, int]] = []
        self.temporary = -(2**40)
        self.src_tables = {
            str(row[0]) for row in src.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if self.since:
            self._scope()

    def _after(self, table: str, column: str = "rowid") -> str:
        """SQL: the shard's rows of ``table`` not merged before."""
        return f"{column} > {int(self.since.get(table, 0))}"

    def _in_scope(self, column: str) -> str:
        """SQL: rows of the shard articles this merge reads (all of them, unless it only
        reads what came since the last merge)."""
        return f"{column} IN (SELECT id FROM temp.merge_scope)" if self.since else "1"

    def _scope(self) -> None:
        """The shard articles touched since the last merge: new, or fetched, given a version,
        an event, a URL, a link or a photo since (every change to an article's rows comes
        with one of those)."""
        after = self._after
        self.src.execute("CREATE TEMP TABLE IF NOT EXISTS merge_scope (id INTEGER PRIMARY KEY)")
        self.src.execute("DELETE FROM temp.merge_scope")
        photos = ""
        if "version_media" in self.src_tables:
            photos = f"""
                UNION SELECT v.article_id FROM version_media vm
                JOIN versions v ON v.id = vm.version_id
                WHERE vm.{after("version_media")} OR vm.{after("fetches", "fetch_id")}"""
        self.src.execute(
            f"""
            INSERT INTO temp.merge_scope (id)
            SELECT id FROM articles WHERE {after("articles", "id")}
            UNION SELECT article_id FROM fetches
                WHERE {after("fetches", "id")} AND article_id IS NOT NULL
            UNION SELECT article_id FROM versions WHERE {after("versions", "id")}
            UNION SELECT article_id FROM events
                WHERE {after("events", "id")} AND article_id IS NOT NULL
            UNION SELECT article_id FROM urls WHERE {after("urls")} AND article_id IS NOT NULL
            UNION SELECT from_article_id FROM links WHERE {after("links", "id")}
            {photos}
            """
        )

    # -- rows matched by what they are ----------------------------------------------------

    def merge_crawls(self) -> None:
        target_columns = _columns(self.db, "crawls")
        for row in _rows(self.src, "SELECT * FROM crawls ORDER BY id"):
            found = _one(
                self.db,
                "SELECT * FROM crawls WHERE spider = ? AND started_at = ?"
                " AND host IS ? AND pid IS ?",
                [row[c] for c in _CRAWL_KEY],
            )
            if found is not None:
                self.crawls[int(row["id"])] = int(found["id"])
                # Running at an earlier merge (or closed since by a crawl here that took it
                # for dead): the shard now has how it ended.
                unfinished = (
                    found["status"] == "running" or found["finish_reason"] == "process_gone"
                )
                values = {c: row[c] for c in _CRAWL_PROGRESS if c in row}
                changed = {c: v for c, v in values.items() if found.get(c) != v}
                if unfinished and row["status"] != "running" and changed:
                    _update(self.db, "crawls", "id", found["id"], changed)
                    self.report.crawls += 1
                continue
            values = {c: row[c] for c in target_columns if c in row and c != "id"}
            values["node"] = row.get("node") or self.report.node
            new_id = _insert(self.db, "crawls", values)
            self.crawls[int(row["id"])] = new_id
            self.new_crawls.add(new_id)
            self.report.crawls += 1

    def _crawl(self, crawl_id: Any) -> int | None:
        return None if crawl_id is None else self.crawls.get(int(crawl_id))

    def merge_captures(self) -> None:
        columns = [c for c in _columns(self.db, "captures") if c != "id"]
        cursor = self.src.execute(
            f"SELECT * FROM captures WHERE {self._after('captures', 'id')} ORDER BY id"
        )
        names = [column[0] for column in cursor.description or ()]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            found = self.db.execute(
                "SELECT id, fetched_at FROM captures WHERE body_sha256 = ? AND url = ?",
                [row["body_sha256"], row["url"]],
            ).fetchone()
            if found is not None:
                self.captures[int(row["id"])] = int(found[0])
                if row["fetched_at"] < found[1]:  # the same bytes, kept since first fetched
                    values = {c: row[c] for c in ("fetched_at", "status", "headers")}
                    values["crawl_id"] = self._crawl(row["crawl_id"])
                    _update(self.db, "captures", "id", found[0], values)
                continue
            new = {c: row[c] for c in columns if c in row}
            new["crawl_id"] = self._crawl(row["crawl_id"])
            self.captures[int(row["id"])] = _insert(self.db, "captures", new)
            self.report.captures += 1

    def _capture(self, capture_id: Any) -> int | None:
        if capture_id is None:
            return None
        if int(capture_id) not in self.captures:  # merged before: found by what it is
            row = self.src.execute(
                "SELECT url, body_sha256 FROM captures WHERE id = ?", [capture_id]
            ).fetchone()
            found = None
            if row is not None:
                found = self.db.execute(
                    "SELECT id FROM captures WHERE body_sha256 = ? AND url = ?", [row[1], row[0]]
                ).fetchone()
            if found is None:
                return None
            self.captures[int(capture_id)] = int(found[0])
        return self.captures[int(capture_id)]

    def merge_media(self) -> None:
        if "media" not in self.src_tables:
            return
        cursor = self.src.execute(f"SELECT * FROM media WHERE {self._after('media')}")
        names = [column[0] for column in cursor.description or ()]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            row["crawl_id"] = self._crawl(row["crawl_id"])
            sql, params = queries._insert("media", row)
            cursor2 = self.db.execute(sql.replace("INSERT", "INSERT OR IGNORE", 1), params)
            self.report.media += cursor2.rowcount
            if not cursor2.rowcount:  # held already: kept with its first sighting
                self.db.execute(
                    "UPDATE media SET first_seen_at = ?, crawl_id = ?, url = ?"
                    " WHERE sha256 = ? AND first_seen_at > ?",
                    [row["first_seen_at"], row["crawl_id"], row["url"], row["sha256"],
                     row["first_seen_at"]],
                )  # fmt: skip

    def match_articles(self) -> None:
        """Find each shard article in the target (canonical URL, else any URL that led to
        it), or add it (its versions come with :meth:`merge_history`)."""
        columns = [c for c in _columns(self.db, "articles") if c != "id"]
        query = f"SELECT * FROM articles WHERE {self._in_scope('id')} ORDER BY id"
        for row in _rows(self.src, query):
            found = self._find(int(row["id"]), str(row["url"]))
            if found is not None:
                self.articles[int(row["id"])] = found
                continue
            values = {c: row.get(c) for c in columns}
            values.update(
                current_version_id=None,
                duplicate_of=None,
                similarity=None,
                first_crawl_id=self._crawl(row["first_crawl_id"]),
                last_crawl_id=self._crawl(row["last_crawl_id"]),
            )
            new_id = _insert(self.db, "articles", values)
            self.articles[int(row["id"])] = new_id
            self.inserted.add(new_id)
            self.report.articles_new += 1

    def _find(self, shard_id: int, url: str) -> int | None:
        """The target's article a shard article is: by canonical URL, else by any URL that
        led to it."""
        found = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
        if found is None:
            for (seen,) in self.src.execute(
                "SELECT url FROM urls WHERE article_id = ? ORDER BY first_seen_at, url",
                [shard_id],
            ):
                found = self.db.execute(
                    "SELECT article_id FROM urls WHERE url = ? AND article_id IS NOT NULL",
                    [seen],
                ).fetchone()
                if found is not None:
                    break
        return None if found is None else int(found[0])

    def _article(self, article_id: Any) -> int | None:
        if article_id is None:
            return None
        if int(article_id) not in self.articles and self.since:  # merged before
            row = self.src.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
            return None if row is None else self._find(int(article_id), str(row[0]))
        return self.articles.get(int(article_id))

    def merge_fetches(self) -> None:
        wanted: set[int] = set()
        if "version_media" in self.src_tables:
            wanted = {
                int(r[0])
                for r in self.src.execute(
                    "SELECT DISTINCT fetch_id FROM version_media WHERE fetch_id IS NOT NULL"
                )
            }
        columns = [c for c in _columns(self.db, "fetches") if c != "id"]
        known: dict[int, set[tuple[str, str, str]]] = {}
        # An unreadable page read since by reparse changed its fetch row in place.
        cursor = self.src.execute(
            f"SELECT * FROM fetches WHERE {self._after('fetches', 'id')}"
            " OR (outcome = 'unreadable' AND article_id IS NOT NULL) ORDER BY id"
        )
        names = [column[0] for column in cursor.description or ()]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            crawl = self._crawl(row["crawl_id"])
            assert crawl is not None, "a fetch of a crawl the shard does not hold"
            key = (row["url"], row["fetched_at"], row["outcome"])
            if crawl not in self.new_crawls:
                if crawl not in known:
                    known[crawl] = self._fetch_keys(crawl)
                if key in known[crawl]:
                    found = self._fetch_id(crawl, key) if int(row["id"]) in wanted else None
                    if found is not None:
                        self.fetch_ids[int(row["id"])] = found
                    if row["article_id"] is not None:  # an unreadable page read since
                        self.db.execute(
                            "UPDATE fetches SET article_id = ? WHERE crawl_id = ? AND url = ?"
                            " AND fetched_at = ? AND outcome = ? AND article_id IS NULL",
                            [self._article(row["article_id"]), crawl, *key],
                        )
                    continue
            new = {c: row.get(c) for c in columns}
            new.update(
                crawl_id=crawl,
                article_id=self._article(row["article_id"]),
                capture_id=self._capture(row.get("capture_id")),
            )
            new_id = _insert(self.db, "fetches", new)
            if int(row["id"]) in wanted:
                self.fetch_ids[int(row["id"])] = new_id
            self.report.fetches += 1

    def _fetch(self, fetch_id: int) -> int | None:
        """The target's fetch that is the shard's ``fetch_id`` (merged now or before)."""
        if fetch_id not in self.fetch_ids:
            row = self.src.execute(
                "SELECT crawl_id, url, fetched_at, outcome FROM fetches WHERE id = ?", [fetch_id]
            ).fetchone()
            crawl = None if row is None else self._crawl(row[0])
            found = None if crawl is None else self._fetch_id(crawl, (row[1], row[2], row[3]))
            if found is None:
                return None
            self.fetch_ids[fetch_id] = found
        return self.fetch_ids[fetch_id]

    def _fetch_keys(self, crawl: int) -> set[tuple[str, str, str]]:
        return {
            (str(r[0]), str(r[1]), str(r[2]))
            for r in self.db.execute(
                "SELECT url, fetched_at, outcome FROM fetches WHERE crawl_id = ?", [crawl]
            )
        }

    def _fetch_id(self, crawl: int, key: tuple[str, str, str]) -> int | None:
        """The target's fetch of ``crawl`` with this URL, time and outcome."""
        found = self.db.execute(
            "SELECT MIN(id) FROM fetches WHERE crawl_id = ? AND url = ? AND fetched_at = ?"
            " AND outcome = ?",
            [crawl, *key],
        ).fetchone()
        return None if found is None or found[0] is None else int(found[0])

    def merge_tags_names(self) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO tags (name) VALUES (?)",
            self.src.execute("SELECT name FROM tags ORDER BY id"),
        )

    def merge_urls(self) -> None:
        query = f"SELECT * FROM urls WHERE {self._in_scope('article_id')} ORDER BY rowid"
        for row in _rows(self.src, query):
            article = self._article(row["article_id"])
            found = _one(self.db, "SELECT * FROM urls WHERE url = ?", [row["url"]])
            if found is None:
                _insert(self.db, "urls", {**row, "article_id": article})
                continue
            first = min(filter(None, [found["first_seen_at"], row["first_seen_at"]]), default=None)
            later = row if (row["last_seen_at"] or "") > (found["last_seen_at"] or "") else found
            values: dict[str, Any] = {
                "first_seen_at": first,
                "last_seen_at": later["last_seen_at"],
            }
            if article is not None and later is row and found["article_id"] != article:
                values.update(article_id=article, kind=row["kind"])
            elif found["article_id"] == article and (row["first_seen_at"] or "") < (
                found["first_seen_at"] or ""
            ):
                values["kind"] = row["kind"]  # a URL keeps the kind it was first seen with
            changed = {k: v for k, v in values.items() if found[k] != v}
            _update(self.db, "urls", "url", row["url"], changed)

    def merge_links(self) -> None:
        query = f"SELECT * FROM links WHERE {self._in_scope('from_article_id')} ORDER BY id"
        for row in _rows(self.src, query):
            source = self._article(row["from_article_id"])
            if source is None:
                continue
            found = _one(
                self.db,
                "SELECT * FROM links WHERE from_article_id = ? AND url_key = ? AND kind = ?",
                [source, row["url_key"], row["kind"]],
            )
            mapped = {
                **{c: row[c] for c in row if c != "id"},
                "from_article_id": source,
                "target_article_id": None,
                "first_crawl_id": self._crawl(row["first_crawl_id"]),
                "last_crawl_id": self._crawl(row["last_crawl_id"]),
            }
            if found is None:
                _insert(self.db, "links", mapped)
                continue
            values: dict[str, Any] = {}
            if (row["first_seen_at"] or "") < (found["first_seen_at"] or ""):
                values.update(
                    first_seen_at=row["first_seen_at"], first_crawl_id=mapped["first_crawl_id"]
                )
            if (row["last_seen_at"] or "") > (found["last_seen_at"] or ""):
                values.update(
                    last_seen_at=row["last_seen_at"],
                    last_crawl_id=mapped["last_crawl_id"],
                    url=row["url"],
                    anchor=row["anchor"],
                    position=row["position"],
                )
            _update(self.db, "links", "id", found["id"], values)

    def merge_events(self) -> None:
        """Copy the shard's events but ``gone`` and ``returned`` of an article's own URL
        (made again from the merged history) and ``duplicate`` (looked for again)."""
        query = f"SELECT * FROM events WHERE {self._after('events', 'id')} ORDER BY id"
        for row in _rows(self.src, query):
            detail = json.loads(row["detail"] or "{}")
            if row["kind"] == "duplicate" or (
                row["kind"] in ("gone", "returned") and not detail.get("alias")
            ):
                continue
            article = self._article(row["article_id"])
            exists = self.db.execute(
                "SELECT 1 FROM events WHERE article_id IS ? AND kind = ? AND at = ? AND url IS ?",
                [article, row["kind"], row["at"], row["url"]],
            ).fetchone()
            if exists:
                continue
            values = {c: row[c] for c in row if c != "id"}
            values.update(article_id=article, crawl_id=self._crawl(row["crawl_id"]))
            _insert(self.db, "events", values)

    # -- the merged history of each article -----------------------------------------------

    def merge_history(self) -> None:
        by_target: dict[int, list[int]] = {}
        for shard_id, target_id in self.articles.items():
            by_target.setdefault(target_id, []).append(shard_id)
        # A node that never archived an article records its 404 as a plain HTTP error: in
        # the merged archive, where the URL leads to an article, that is the article gone.
        for (url,) in self.src.execute(
            f"SELECT DISTINCT url FROM fetches WHERE {_LOST_PAGE} AND article_id IS NULL"
            f" AND {self._after('fetches', 'id')}"
        ):
            found = self.db.execute(*queries.article_by_key(canonical_key(url))).fetchone()
            if found is not None:
                by_target.setdefault(int(found[0]), [])
        for target_id, shard_ids in sorted(by_target.items()):
            self._article_history(target_id, shard_ids)

    def _observations(
        self, conn: sqlite3.Connection, article_ids: Sequence[int], side: str, urls: list[str]
    ) -> tuple[list[_Observation], list[dict[str, Any]]]:
        """The moments ``conn``'s archive read these articles, and when it found them gone
        (its ``gone`` events, and its 404s for their ``urls`` when it had no article there)."""
        marks = ",".join("?" * len(article_ids))
        versions = _rows(
            conn,
            f"SELECT * FROM versions WHERE article_id IN ({marks}) ORDER BY fetched_at, number",
            list(article_ids),
        )
        found: list[_Observation] = [
            _Observation(v["fetched_at"], int(v["number"]), v["content_hash"], side, version=v)
            for v in versions
        ]
        fetches = _rows(
            conn,
            f"SELECT * FROM fetches WHERE article_id IN ({marks})"
            f" AND outcome IN {READ_OUTCOMES!r} ORDER BY fetched_at, id",
            list(article_ids),
        )
        for fetch in fetches:
            current = None
            for version in versions:
                if version["article_id"] != fetch["article_id"]:
                    continue
                if version["fetched_at"] <= fetch["fetched_at"]:
                    current = version
            if current is not None:
                found.append(
                    _Observation(
                        fetch["fetched_at"], 1 << 30, current["content_hash"], side, fetch=fetch
                    )
                )
        gone_events = _rows(
            conn,
            f"SELECT * FROM events WHERE article_id IN ({marks}) AND kind = 'gone'",
            list(article_ids),
        )
        gone = [g for g in gone_events if not json.loads(g["detail"] or "{}").get("alias")]
        lost = _rows(
            conn,
            f"SELECT * FROM fetches WHERE {_LOST_PAGE} AND article_id IS NULL"
            f" AND url IN ({','.join('?' * len(urls))})",
            urls,
        )
        # Every fetch that found it gone: the first of a run is the gone event (the node's
        # own, or made from the fetch when the node had found it gone before, from its
        # point of view; one machine may have read it in between), the others move its next
        # visit. A fetch that found only an alias gone says nothing of the article.
        alias_times = {g["at"] for g in gone_events if json.loads(g["detail"] or "{}").get("alias")}
        event_times = {g["at"] for g in gone}
        lost = _rows(
            conn,
            f"SELECT * FROM fetches WHERE article_id IN ({marks}) AND outcome = 'gone'",
            list(article_ids),
        )
        lost += _rows(
            conn,
            f"SELECT * FROM fetches WHERE {_LOST_PAGE} AND article_id IS NULL"
            f" AND url IN ({','.join('?' * len(urls))})",
            urls,
        )
        for fetch in lost:
            if fetch["fetched_at"] in alias_times or fetch["fetched_at"] in event_times:
                continue
            gone.append(_gone_event(fetch))
        return found, gone

    def _article_history(self, target_id: int, shard_ids: list[int]) -> None:
        before = _one(self.db, "SELECT * FROM articles WHERE id = ?", [target_id])
        assert before is not None
        urls = [
            str(r[0])
            for r in self.db.execute(
                "SELECT url FROM urls WHERE article_id = ? UNION SELECT url FROM articles"
                " WHERE id = ?",
                [target_id, target_id],
            )
        ]
        # An article this merge added has no history here yet, but the 404s of its URLs.
        here = [] if target_id in self.inserted else [target_id]
        mine, my_gone = self._observations(self.db, here, "target", urls)
        theirs, their_gone = self._observations(self.src, shard_ids, "shard", urls)
        shard_rows = _rows(
            self.src,
            f"SELECT * FROM articles WHERE id IN ({','.join('?' * len(shard_ids))})",
            shard_ids,
        )
        observations = sorted(mine + theirs, key=lambda o: (o.key, o.side != "target"))
        # Readings of one content at one moment are one fetch seen from two archives: the
        # one that says most (a version with its capture, then a version) stands for it.
        best: dict[tuple[str, str], _Observation] = {}
        for observation in observations:
            moment = (observation.at, observation.content)
            if moment not in best or _weight(observation) > _weight(best[moment]):
                best[moment] = observation
        runs: list[_Observation] = []
        for observation in observations:
            if not runs or runs[-1].content != observation.content:
                runs.append(best[(observation.at, observation.content)])
        if not runs:
            return
        existing = {int(v.version["id"]): v for v in mine if v.version is not None}
        placed = self._place_versions(target_id, runs, existing, theirs)
        self._renumber(target_id, placed)
        self._set_current(target_id, before, shard_rows, runs, placed)
        self._recompute_status(target_id, mine + theirs, my_gone, their_gone)
        after = _one(self.db, "SELECT * FROM articles WHERE id = ?", [target_id])
        if target_id not in self.inserted and after != before:
            self.report.articles_changed += 1

    def _source_version(
        self, run: _Observation, mine: Mapping[int, _Observation], theirs: list[_Observation]
    ) -> tuple[str, dict[str, Any]]:
        """A version row holding the run's content: the run's own when it starts at one,
        else the target's (then the shard's) row of that content."""
        if run.version is not None:
            return run.side, run.version
        for observation in mine.values():
            if observation.content == run.content and observation.version is not None:
                return "target", observation.version
        for observation in theirs:
            if observation.content == run.content and observation.version is not None:
                return "shard", observation.version
        raise AssertionError(f"no version holds content {run.content}")

    def _place_versions(
        self,
        target_id: int,
        runs: list[_Observation],
        existing: dict[int, _Observation],
        theirs: list[_Observation],
    ) -> list[tuple[tuple[str, int, str], int]]:
        """Make the target's versions of the article the runs of content: a target version
        inside a run is that run's (moved to its start when the run starts earlier), a run
        with none gets a new row. Returns (order key, version id) of every version."""
        placed: list[tuple[tuple[str, int, str], int]] = []
        bounds = [run.at for run in runs[1:]] + ["\uffff"]
        claimed: set[int] = set()
        for run, end in zip(runs, bounds, strict=True):
            match = None
            for version_id, observation in sorted(existing.items(), key=lambda kv: kv[1].key):
                if version_id in claimed or observation.content != run.content:
                    continue
                if run.at <= observation.at < end:
                    match = version_id
                    break
            if match is not None:
                claimed.add(match)
                old = existing[match]
                assert old.version is not None
                start = self._start_of(run)
                if run.at < old.at:  # seen first by the shard: it starts then
                    _update(self.db, "versions", "id", match, start)
                elif old.version["capture_id"] is None and start["capture_id"] is not None:
                    keep = ("capture_id", "extractor", "extractor_version")
                    _update(self.db, "versions", "id", match, {k: start[k] for k in keep})
                placed.append((run.key, match))
                continue
            side, source = self._source_version(run, existing, theirs)
            placed.append((run.key, self._add_version(target_id, run, side, source)))
        for version_id, observation in existing.items():
            if version_id not in claimed:  # kept, never deleted, in its time order
                placed.append((observation.key, version_id))
        return placed

    def _start_of(self, run: _Observation) -> dict[str, Any]:
        """fetched_at, crawl, capture and extractor of a version starting at ``run``."""
        if run.version is not None:
            row = run.version
            crawl, capture = row["crawl_id"], row["capture_id"]
            if run.side == "shard":
                crawl, capture = self._crawl(crawl), self._capture(capture)
            return {
                "fetched_at": row["fetched_at"],
                "crawl_id": crawl,
                "capture_id": capture,
                "extractor": row["extractor"],
                "extractor_version": row["extractor_version"],
            }
        assert run.fetch is not None
        crawl = run.fetch["crawl_id"]
        return {
            "fetched_at": run.fetch["fetched_at"],
            "crawl_id": self._crawl(crawl) if run.side == "shard" else crawl,
            "capture_id": None,
        }

    def _add_version(
        self, target_id: int, run: _Observation, side: str, source: Mapping[str, Any]
    ) -> int:
        values: dict[str, Any] = {c: source[c] for c in queries.VERSION_FIELD_COLUMNS}
        values.update(
            article_id=target_id,
            number=self._temporary_number(),
            content_hash=source["content_hash"],
            extractor=source["extractor"],
            extractor_version=source["extractor_version"],
        )
        values.update(self._start_of(run))
        version_id = _insert(self.db, "versions", values)
        self.report.versions += 1
        self._copy_photos(int(source["id"]), side, version_id)
        return version_id

    def _temporary_number(self) -> int:
        """A version number no other version has until :meth:`_renumber` (negative)."""
        self.temporary -= 1
        return self.temporary

    def _copy_photos(self, source_id: int, side: str, version_id: int) -> None:
        conn = self.src if side == "shard" else self.db
        if side == "shard" and "version_media" not in self.src_tables:
            return
        for row in _rows(conn, "SELECT * FROM version_media WHERE version_id = ?", [source_id]):
            fetch = row["fetch_id"]
            if side == "shard" and fetch is not None:
                # The shard's fetches are merged after the histories: pointed at then.
                self.photo_fetches.append((version_id, int(row["position"]), int(fetch)))
                fetch = None
            _insert(self.db, "version_media", {**row, "version_id": version_id, "fetch_id": fetch})

    def sync_photos(self) -> None:
        """The shard's photo rows of versions the archive holds too (same article, content and
        fetch time): those it lacks are added, and those still waiting for their bytes take
        the bytes (or the failed fetch) the shard has since (a photo is fetched after its
        page, so a shard merged mid-crawl brings it the next time)."""
        if "version_media" not in self.src_tables:
            return
        cursor = self.src.execute(
            "SELECT vm.*, v.article_id AS _article, v.content_hash AS _content,"
            " v.fetched_at AS _at FROM version_media vm JOIN versions v ON v.id = vm.version_id"
            f" WHERE {self._in_scope('v.article_id')}"
        )
        names = [column[0] for column in cursor.description or ()]
        versions: dict[tuple[int, str, str], int | None] = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            article = self.articles.get(int(row.pop("_article")))
            if article is None:
                continue
            key = (article, row.pop("_content"), row.pop("_at"))
            if key not in versions:
                found = self.db.execute(
                    "SELECT id FROM versions WHERE article_id = ? AND content_hash = ?"
                    " AND fetched_at = ?",
                    list(key),
                ).fetchone()
                versions[key] = None if found is None else int(found[0])
            version = versions[key]
            if version is None:
                continue
            fetch = None if row["fetch_id"] is None else self._fetch(int(row["fetch_id"]))
            have = _one(
                self.db,
                "SELECT sha256, fetch_id FROM version_media WHERE version_id = ? AND position = ?",
                [version, row["position"]],
            )
            if have is None:
                _insert(self.db, "version_media", {**row, "version_id": version, "fetch_id": fetch})
            elif have["sha256"] is None and row["sha256"] is not None:
                self.db.execute(
                    "UPDATE version_media SET sha256 = ?, fetch_id = ?"
                    " WHERE version_id = ? AND position = ?",
                    [row["sha256"], fetch, version, row["position"]],
                )
            elif have["sha256"] is None and have["fetch_id"] is None and fetch is not None:
                self.db.execute(
                    "UPDATE version_media SET fetch_id = ? WHERE version_id = ? AND position = ?",
                    [fetch, version, row["position"]],
                )

    def link_photo_fetches(self) -> None:
        self.db.executemany(
            "UPDATE version_media SET fetch_id = ? WHERE version_id = ? AND position = ?",
            [
                (self._fetch(fetch), version_id, position)
                for version_id, position, fetch in self.photo_fetches
            ],
        )

    def _renumber(self, target_id: int, placed: list[tuple[tuple[str, int, str], int]]) -> None:
        ordered = [version_id for _, version_id in sorted(placed)]
        current = dict(
            self.db.execute(
                "SELECT id, number FROM versions WHERE article_id = ?", [target_id]
            ).fetchall()
        )
        wanted = {version_id: number for number, version_id in enumerate(ordered, start=1)}
        if all(current.get(v) == n for v, n in wanted.items()):
            return
        self.db.execute(
            "UPDATE versions SET number = -number - 1000000000000 WHERE article_id = ?",
            [target_id],
        )
        self.db.executemany(
            "UPDATE versions SET number = ? WHERE id = ?",
            [(number, version_id) for version_id, number in wanted.items()],
        )

    def _set_current(
        self,
        target_id: int,
        before: Mapping[str, Any],
        shard_rows: list[dict[str, Any]],
        runs: list[_Observation],
        placed: list[tuple[tuple[str, int, str], int]],
    ) -> None:
        """The article's row from the merged history: its last version's content, its first
        and last fetch, and the other fields of whichever copy was seen last."""
        last_id = max(placed)[1]
        version = _one(self.db, "SELECT * FROM versions WHERE id = ?", [last_id])
        assert version is not None
        copies: list[tuple[Mapping[str, Any], bool]] = [(before, False)]
        if target_id in self.inserted:
            copies = []
        copies += [(row, True) for row in shard_rows]

        def crawl_of(row: Mapping[str, Any], column: str, from_shard: bool) -> Any:
            return self._crawl(row[column]) if from_shard else row[column]

        first = min(copies, key=lambda c: (c[0]["first_seen_at"] or "\uffff", not c[1]))
        last = max(copies, key=lambda c: (c[0]["last_seen_at"] or "", c[1]))
        values: dict[str, Any] = {c: version[c] for c in queries.VERSION_FIELD_COLUMNS}
        values.update(
            content_hash=version["content_hash"],
            current_version_id=last_id,
            last_changed_at=version["fetched_at"],
            first_seen_at=first[0]["first_seen_at"],
            first_crawl_id=crawl_of(first[0], "first_crawl_id", first[1]),
            last_seen_at=last[0]["last_seen_at"],
            last_crawl_id=crawl_of(last[0], "last_crawl_id", last[1]),
            views=last[0]["views"],
            next_visit_at=last[0].get("next_visit_at"),
        )
        if values["views"] is None:
            values["views"] = next((c[0]["views"] for c in copies if c[0]["views"]), None)
        for column in queries.FILLABLE_COLUMNS:
            values[column] = last[0][column] or next(
                (c[0][column] for c in copies if c[0][column]), None
            )
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        _update(self.db, "articles", "id", target_id, changed)
        new = target_id in self.inserted
        if new or any(c in changed for c in (*queries.VERSION_FIELD_COLUMNS, "content_hash")):
            donor = next(
                (r for r in shard_rows if r["content_hash"] == values["content_hash"]), None
            )
            if donor is None or not self._copy_indexes(int(donor["id"]), target_id):
                self.target._index_search(target_id)
                text = (values["title"], values["lead"], values["body"])
                self.target._index_text(target_id, dedupe.text_hash(*text), dedupe.signature(*text))
        if new or "tags" in changed:
            tags = json.loads(values["tags"] or "[]")
            self.target._store_tags(target_id, [str(t) for t in tags])

    def _copy_indexes(self, shard_id: int, target_id: int) -> bool:
        """Give the article the shard's French index row and near-duplicate signature of
        the same text (folding French words is most of a merge's work otherwise); ``False``
        when the shard lacks either, which are then computed."""
        folded = _one(
            self.src,
            "SELECT title, lead, body, tags FROM articles_fts_fr WHERE rowid = ?",
            [shard_id],
        )
        signed = self.src.execute(
            "SELECT a.text_hash, s.signature FROM articles a"
            " JOIN dedupe_signatures s ON s.article_id = a.id WHERE a.id = ?",
            [shard_id],
        ).fetchone()
        if folded is None or signed is None or signed[0] is None:
            return False
        try:
            signature = dedupe.Signature.from_bytes(bytes(signed[1]))
        except ValueError:
            return False
        for sql, params in (
            queries.delete_search_entry(target_id),
            queries.insert_search_entry(target_id, folded),
            queries.set_text_hash(target_id, str(signed[0])),
        ):
            self.db.execute(sql, params)
        self.target._index.add(target_id, signature)
        return True

    def _recompute_status(
        self,
        target_id: int,
        observations: list[_Observation],
        my_gone: list[dict[str, Any]],
        their_gone: list[dict[str, Any]],
    ) -> None:
        """``gone`` and ``returned`` events, and the status, from the merged history."""
        moments: list[tuple[str, int, str, dict[str, Any]]] = []
        for event in my_gone:
            moments.append((event["at"], 0, "gone", event))
        for event in their_gone:
            moments.append(
                (event["at"], 0, "gone", {**event, "crawl_id": self._crawl(event["crawl_id"])})
            )
        for observation in observations:
            if observation.fetch is None:
                continue
            fetch = observation.fetch
            crawl = fetch["crawl_id"]
            if observation.side == "shard":
                crawl = self._crawl(crawl)
            moments.append((fetch["fetched_at"], 1, "read", {**fetch, "crawl_id": crawl}))
        row_now = _one(self.db, "SELECT * FROM articles WHERE id = ?", [target_id])
        assert row_now is not None
        born = row_now["first_seen_at"] or ""
        wanted: list[dict[str, Any]] = []
        status = "live"
        last_gone: str | None = None
        for at, _, kind, row in sorted(
            moments, key=lambda m: (m[0], m[1], json.dumps(m[3]["url"]))
        ):
            if at < born:
                continue  # a 404 before any node archived it: no article was gone then
            if kind == "gone":
                last_gone = at
            if kind == "gone" and status == "live":
                status = "gone"
                wanted.append({c: row[c] for c in row if c != "id"} | {"article_id": target_id})
            elif kind == "read" and status == "gone":
                status = "live"
                url = row["url"]
                wanted.append(
                    {
                        "article_id": target_id,
                        "crawl_id": row["crawl_id"],
                        "url": url,
                        "kind": "returned",
                        "status": None,
                        "at": at,
                        "detail": json.dumps({"url": url}, ensure_ascii=False, sort_keys=True),
                    }
                )
        have = [
            row
            for row in _rows(
                self.db,
                "SELECT * FROM events WHERE article_id = ? AND kind IN ('gone', 'returned')",
                [target_id],
            )
            if not json.loads(row["detail"] or "{}").get("alias")
        ]
        keep: set[int] = set()
        for event in wanted:
            same = next(
                (
                    h
                    for h in have
                    if h["kind"] == event["kind"] and h["at"] == event["at"] and h["id"] not in keep
                ),
                None,
            )
            if same is not None:
                keep.add(int(same["id"]))
            else:
                _insert(self.db, "events", event)
        for row in have:
            if int(row["id"]) not in keep:
                self.db.execute("DELETE FROM events WHERE id = ?", [row["id"]])
        self.db.execute(
            "UPDATE articles SET status = ? WHERE id = ? AND status IS NOT ?",
            [status, target_id, status],
        )
        if last_gone is not None and last_gone > (row_now["last_seen_at"] or ""):
            # Found gone after its last reading: the next visit follows from that fetch, as
            # a crawl schedules it (the target's revisit schedule).
            published = row_now["published_at"]
            reference = published if parse_time(published) else row_now["first_seen_at"]
            next_visit = self.target.revisit.next_visit(reference, last_gone)
            self.db.execute(
                "UPDATE articles SET next_visit_at = ? WHERE id = ?", [next_visit, target_id]
            )

    # -- across articles --------------------------------------------------------------------

    def resolve_links(self) -> None:
        """Point every link still dangling at the article its URL now leads to (one pass
        over the dangling links, each looked up by its URL key, whatever the archive's
        size), as a crawl does when it stores the article a link leads to."""
        self.db.execute(
            """
            UPDATE links SET target_article_id = COALESCE(
                (SELECT id FROM articles WHERE articles.url = links.url_key),
                (SELECT article_id FROM urls
                 WHERE urls.url_key = links.url_key AND urls.article_id IS NOT NULL
                 ORDER BY urls.last_seen_at DESC, urls.url LIMIT 1)
            )
            WHERE target_article_id IS NULL
            """
        )

    def find_duplicates(self) -> None:
        """``duplicate_of`` across shards: each article the merge touched is the near
        duplicate of the most similar article first seen before it (one ``duplicate``
        event, at its first sighting), and the original of those first seen after it."""
        index = dedupe.NearDuplicateIndex(self.db)
        touched = sorted(set(self.articles.values()))
        recheck: set[int] = set(touched)
        for article_id in touched:
            for other in self._similar(index, article_id):
                recheck.add(other[0])
        for article_id in sorted(recheck):
            self._set_duplicate(index, article_id)

    def _signature(self, article_id: int) -> dedupe.Signature | None:
        row = self.db.execute(
            "SELECT signature FROM dedupe_signatures WHERE article_id = ?", [article_id]
        ).fetchone()
        if row is None:
            return None
        try:
            return dedupe.Signature.from_bytes(bytes(row[0]))
        except ValueError:
            return None

    def _similar(
        self, index: dedupe.NearDuplicateIndex, article_id: int
    ) -> list[tuple[int, float, str, str]]:
        """(id, similarity, first_seen_at, url) of the near duplicates of an article."""
        signature = self._signature(article_id)
        if signature is None or signature.empty:
            return []
        found = []
        for other in sorted(index.candidates(signature)):
            if other == article_id:
                continue
            theirs = self._signature(other)
            if theirs is None:
                continue
            similarity = signature.similarity(theirs)
            if similarity >= index.threshold:
                row = self.db.execute(
                    "SELECT first_seen_at, url FROM articles WHERE id = ?", [other]
                ).fetchone()
                found.append((other, similarity, str(row[0] or ""), str(row[1])))
        return found

    def _set_duplicate(self, index: dedupe.NearDuplicateIndex, article_id: int) -> None:
        row = _one(self.db, "SELECT * FROM articles WHERE id = ?", [article_id])
        assert row is not None
        mine = (str(row["first_seen_at"] or ""), str(row["url"]))
        earlier = [s for s in self._similar(index, article_id) if (s[2], s[3]) < mine]
        best = min(earlier, key=lambda s: (-s[1], s[2], s[3]), default=None)
        original, similarity = (best[0], best[1]) if best is not None else (None, None)
        if original is None and row["duplicate_of"] is not None:
            return  # found by its own crawl against an article the merge does not see again
        if row["duplicate_of"] == original and row["similarity"] == similarity:
            return
        self.db.execute(
            "UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?",
            [original, similarity, article_id],
        )
        self.db.execute(
            "DELETE FROM events WHERE article_id = ? AND kind = 'duplicate'", [article_id]
        )
        if original is not None:
            _insert(
                self.db,
                "events",
                {
                    "article_id": article_id,
                    "crawl_id": row["first_crawl_id"],
                    "url": row["url"],
                    "kind": "duplicate",
                    "status": None,
                    "at": row["first_seen_at"],
                    "detail": json.dumps(
                        {"of": original, "similarity": similarity}, sort_keys=True
                    ),
                },
            )

    def run(self) -> None:
        self.merge_crawls()
        self.merge_captures()
        self.merge_media()
        self.match_articles()
        self.merge_tags_names()
        self.merge_urls()
        self.merge_history()  # before the shard's fetches: it reads both archives apart
        self.merge_fetches()
        self.link_photo_fetches()
        self.sync_photos()
        self.merge_links()
        self.merge_events()
        self.resolve_links()
        self.find_duplicates()


# -- opening shards -----------------------------------------------------------------------


def _applied(path: str) -> list[str] | None:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return [str(row[0]) for row in rows]


@contextlib.contextmanager
def _readable_shard(
    path: str, report: MergeReport, workdir: str, *, in_place: bool = True
) -> Iterator[str]:
    """The shard's path, up to date with this release's schema: upgraded in place when it
    is free and writable (and ``in_place``), else a copy of it upgraded in ``workdir``
    (removed afterwards)."""
    from archive import migrations  # the list of what this release knows

    applied = _applied(path)
    if applied is None:
        raise MergeError(f"{path} is not an archive")
    unknown = migrations.unknown(applied)
    if unknown:
        raise NewerArchiveError(path, unknown)
    missing = [m.__name__ for m in migrations.MIGRATIONS if m.__name__ not in applied]
    if not missing:
        yield path
        return
    report.upgraded = missing
    # A file without any write bit was made read-only on purpose (even for root, who could).
    writable = (
        in_place
        and os.access(path, os.W_OK)
        and bool(os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        and os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)
    )
    if writable and lock.holder(path) is None:
        Archive(path).close()
        yield path
        return
    fd, copy = tempfile.mkstemp(prefix=".merge-", suffix=".db", dir=workdir)
    os.close(fd)
    try:
        copy_archive(path, copy)
        Archive(copy).close()
        yield copy
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(copy + suffix)


#: Tables whose rows only ever grow in an archive (a change to any row comes with a new
#: fetch, version or event): their count and largest rowid say whether anything changed.
_GROWING = (
    "articles",
    "versions",
    "urls",
    "links",
    "tags",
    "article_tags",
    "events",
    "fetches",
    "captures",
    "media",
    "version_media",
)


def fingerprint(conn: sqlite3.Connection) -> str:
    """What an archive holds, in a few dozen bytes: every ``crawls`` row (a crawl's row
    changes when it ends) and the count and largest rowid of each growing table. Two
    readings of one archive with no write between them give the same fingerprint; any
    crawl, merge or reparse written in between changes it."""
    digest = hashlib.sha256()
    for row in conn.execute("SELECT * FROM crawls ORDER BY id"):
        digest.update(repr(row).encode())
    for table in _GROWING:
        count, largest = conn.execute(f"SELECT COUNT(*), MAX(rowid) FROM {table}").fetchone()
        digest.update(f"{table}:{count}:{largest};".encode())
    (read,) = conn.execute(
        "SELECT COUNT(*) FROM fetches WHERE outcome = 'unreadable' AND article_id IS NOT NULL"
    ).fetchone()
    digest.update(f"unreadable read:{read};".encode())
    return digest.hexdigest()


#: For each table a merge reads from where it stopped, the columns of a row that never change
#: once written: the last row merged before must still be there, the same, for the merge to
#: read only what came after it (else the shard is not the file merged before, but an older
#: copy, or another node's clone of it: it is read whole).
_MARKED: dict[str, tuple[str, ...]] = {
    "articles": ("id", "url"),
    "versions": ("id", "article_id", "content_hash"),
    "urls": ("url",),
    "links": ("id", "from_article_id", "url_key", "kind"),
    "events": ("id", "article_id", "kind", "at"),
    "fetches": ("id", "crawl_id", "url", "fetched_at", "outcome"),
    "captures": ("id", "url", "body_sha256"),
    "media": ("sha256",),
    "version_media": ("version_id", "position"),
}


def _row_key(conn: sqlite3.Connection, table: str, rowid: int) -> str | None:
    columns = ", ".join(_MARKED[table])
    row = conn.execute(f"SELECT {columns} FROM {table} WHERE rowid = ?", [rowid]).fetchone()
    return None if row is None else hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:16]


def marks(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    """Where each table of an archive ends: its largest rowid and that row's key."""
    found: dict[str, list[Any]] = {}
    for table in _MARKED:
        (largest,) = conn.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()
        found[table] = [largest, None if largest is None else _row_key(conn, table, largest)]
    return found


def shard_key(conn: sqlite3.Connection) -> str | None:
    """Who an archive is: its first crawl (spider, start, host, pid); ``None`` before any."""
    row = conn.execute(
        "SELECT spider, started_at, host, pid FROM crawls ORDER BY id LIMIT 1"
    ).fetchone()
    return None if row is None else hashlib.sha256(repr(tuple(row)).encode()).hexdigest()


def _since(target: sqlite3.Connection, src: sqlite3.Connection, key: str | None) -> dict[str, int]:
    """The rowids up to which this shard was merged into ``target`` before, when the shard
    still holds those rows unchanged; empty (read it whole) otherwise."""
    if key is None:
        return {}
    row = target.execute(
        "SELECT marks FROM merges WHERE shard_key = ? AND marks IS NOT NULL ORDER BY id DESC"
        " LIMIT 1",
        [key],
    ).fetchone()
    if row is None:
        return {}
    before: dict[str, list[Any]] = json.loads(row[0])
    since: dict[str, int] = {}
    for table in _MARKED:
        largest, digest = before.get(table, [None, None])
        if largest is None:
            since[table] = 0
            continue
        if _row_key(src, table, int(largest)) != digest:
            return {}
        since[table] = int(largest)
    return since if any(since.values()) else {}


def _merged_before(conn: sqlite3.Connection, print_: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM merges WHERE fingerprint = ?", [print_]).fetchone() is not None
    )


def copy_archive(path: str | os.PathLike[str], copy: str | os.PathLike[str]) -> None:
    """A consistent copy of the archive at ``path`` (its WAL included), as ``sqlite3 PATH
    ".backup COPY"`` makes it, whatever writes to it meanwhile: SQLite's online backup."""
    source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(copy)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def shard_name(path: str | os.PathLike[str]) -> str:
    """The node a shard's crawls ran on when they do not say: the file's name, less ``.db``."""
    name = Path(path).name
    return name[:-3] if name.endswith(".db") else name


def merge(
    target: Archive,
    shard: str | os.PathLike[str],
    *,
    node: str | None = None,
    upgrade_in_place: bool = False,
) -> MergeReport:
    """Fold the archive at ``shard`` into ``target`` (see the module's docstring), in one
    transaction; returns what it brought. ``node`` names the machine the shard's crawls ran
    on when their rows do not (default: the shard's file name). The shard is never written:
    one made by an earlier release is upgraded in a copy (a node still on that release
    keeps crawling into it), unless ``upgrade_in_place`` (when free and writable)."""
    path = os.fspath(shard)
    started = time.monotonic()
    report = MergeReport(shard=path, node=node or shard_name(path))
    check_file(path, writing=False)  # missing, empty, damaged, not an archive: refused
    if os.path.exists(target.path) and os.path.samefile(path, target.path):
        raise MergeError(f"{path} is the archive merged into; nothing to merge")
    report.snapshot = lock.holder(path) is not None
    workdir = os.path.dirname(os.path.abspath(target.path))
    with _readable_shard(path, report, workdir, in_place=upgrade_in_place) as readable:
        src = sqlite3.connect(f"{Path(readable).resolve().as_uri()}?mode=ro", uri=True)
        try:
            src.execute("BEGIN")  # one read transaction: a consistent snapshot throughout
            merge_started = utc_now()
            print_ = fingerprint(src)
            with target.merging():
                if _merged_before(target.db.conn, print_):
                    report.seconds = time.monotonic() - started
                    return report  # as it stood when it was last merged: nothing new
                key = shard_key(src)
                since = _since(target.db.conn, src, key)
                report.incremental = bool(since)
                _ShardMerge(target, src, report, since).run()
                if not report.nothing_new:
                    values = {
                        "fingerprint": print_,
                        "shard_key": key,
                        "marks": json.dumps(marks(src)),
                        "shard": os.path.abspath(path),
                        "node": report.node,
                        "started_at": merge_started,
                        "finished_at": utc_now(),
                        "snapshot": int(report.snapshot),
                        "version": package_version(),
                        **{
                            k: getattr(report, k)
                            for k in (
                                "crawls",
                                "fetches",
                                "articles_new",
                                "articles_changed",
                                "versions",
                                "captures",
                                "media",
                            )
                        },
                    }
                    _insert(target.db.conn, "merges", values)
        finally:
            src.close()
    report.seconds = time.monotonic() - started
    return report


# -- what two archives hold, ids aside ----------------------------------------------------


def canonical(
    path: str | os.PathLike[str], tables: Sequence[str] = CANONICAL_TABLES
) -> dict[str, list[Any]]:
    """Every row of the archive at ``path`` that merging must keep, each id replaced by
    what it stands for (a crawl by its spider, start, host and pid; an article by its URL; a
    version by its article and number; a capture by its URL and sha256; a fetch by its crawl,
    URL, time and outcome), sorted: two archives holding the same things are equal."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _canonical(conn, tables)
    finally:
        conn.close()


def _canonical(conn: sqlite3.Connection, tables: Sequence[str]) -> dict[str, list[Any]]:
    crawls = {
        int(r["id"]): tuple(r[c] for c in _CRAWL_KEY) for r in _rows(conn, "SELECT * FROM crawls")
    }
    articles = {int(r[0]): r[1] for r in conn.execute("SELECT id, url FROM articles")}
    captures = {
        int(r[0]): (r[1], r[2]) for r in conn.execute("SELECT id, url, body_sha256 FROM captures")
    }
    versions = {
        int(r[0]): (articles.get(r[1]), r[2])
        for r in conn.execute("SELECT id, article_id, number FROM versions")
    }
    fetches = {
        int(r["id"]): (crawls.get(r["crawl_id"]), r["url"], r["fetched_at"], r["outcome"])
        for r in _rows(conn, "SELECT id, crawl_id, url, fetched_at, outcome FROM fetches")
    }

    def mapped(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
        row = dict(row)
        row.pop("id", None)
        for column in list(row):
            value = row[column]
            if value is None:
                continue
            if column.endswith("crawl_id") or (table == "crawls" and column == "id"):
                row[column] = crawls.get(value)
            elif column in ("article_id", "from_article_id", "target_article_id", "duplicate_of"):
                row[column] = articles.get(value)
            elif column == "capture_id":
                row[column] = captures.get(value)
            elif column in ("current_version_id", "version_id"):
                row[column] = versions.get(value)
            elif column == "fetch_id":
                row[column] = fetches.get(value)
            elif column == "tag_id":
                row[column] = value
        if table == "events" and row.get("kind") == "duplicate":
            detail = json.loads(row["detail"])
            detail["of"] = articles.get(detail.get("of"))
            row["detail"] = json.dumps(detail, sort_keys=True)
        if table == "captures":
            row.pop("body", None)  # its sha256 says it
        if table == "media":
            row.pop("body", None)
        return tuple(sorted((k, repr(v)) for k, v in row.items()))

    result: dict[str, list[Any]] = {}
    for table in tables:
        if table == "tags":
            rows = _rows(
                conn,
                "SELECT a.url AS article, t.name, at.position FROM article_tags at"
                " JOIN tags t ON t.id = at.tag_id JOIN articles a ON a.id = at.article_id",
            )
            result[table] = sorted(tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows)
            continue
        result[table] = sorted(mapped(table, row) for row in _rows(conn, f"SELECT * FROM {table}"))
    return result
