"""SQL builders: each function returns ``(sql, params)`` for one statement.

All SQL the archive runs lives here (migrations apart), so the queries a user may want to
reuse are in one place. Identifiers in the SQL only ever come from the constants below,
never from input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Query = tuple[str, dict[str, Any]]

#: Fields an "unchanged" article may still fill in when they were missing: they do not count
#: as content (see ``content_hash``) but a later extraction may find them.
FILLABLE_COLUMNS: tuple[str, ...] = (
    "canonical_url",
    "site",
    "language",
    "published_at_raw",
    "modified_at_raw",
    "short_url",
)

#: ``versions`` columns holding an article's content (JSON text for the lists); the same
#: columns of ``articles`` are its current content.
VERSION_FIELD_COLUMNS: tuple[str, ...] = (
    "title",
    "lead",
    "body",
    "authors",
    "category",
    "tags",
    "published_at",
    "published_at_raw",
    "modified_at",
    "modified_at_raw",
    "image_url",
    "image_caption",
    "image_credit",
)

#: ``articles`` columns written from an article's fields (JSON text for the lists): its
#: content, plus where and how it was read.
ARTICLE_FIELD_COLUMNS: tuple[str, ...] = (
    "canonical_url",
    "site",
    "language",
    *VERSION_FIELD_COLUMNS,
    "short_url",
)

#: Fetch outcomes that count as errors in ``crawls.errors``.
ERROR_OUTCOMES: tuple[str, ...] = ("http_error", "error")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _insert(table: str, values: Mapping[str, Any]) -> Query:
    """One row into ``table``; ``values`` maps its column names (from the schema) to values."""
    columns = list(values)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        _quote(table), ", ".join(_quote(c) for c in columns), ", ".join(f":{c}" for c in columns)
    )
    return sql, dict(values)


# -- articles -----------------------------------------------------------------------------


def article_by_key(key: str) -> Query:
    """The article a URL key leads to: ``articles.url`` first, then the freshest ``urls`` row.

    ``kind`` says how: ``key`` (it is the article's own ``articles.url``) or the ``urls.kind``.
    """
    sql = """
        SELECT id, kind FROM (
            SELECT id, 0 AS priority, '' AS seen, 'key' AS kind FROM articles WHERE url = :key
            UNION ALL
            SELECT article_id, 1, COALESCE(last_seen_at, ''), kind FROM urls
            WHERE url_key = :key AND article_id IS NOT NULL
        )
        ORDER BY priority, seen DESC, id
        LIMIT 1
    """
    return sql, {"key": key}


def url_kinds(key: str) -> Query:
    """Every way a URL key leads to an article: ``(id, kind)``, kinds as ``article_by_key``'s."""
    sql = """
        SELECT id, 'key' AS kind FROM articles WHERE url = :key
        UNION ALL
        SELECT article_id, kind FROM urls WHERE url_key = :key AND article_id IS NOT NULL
    """
    return sql, {"key": key}


def article_by_text_hash(digest: str) -> Query:
    """The earliest article whose normalised text hashes to ``digest``."""
    sql = "SELECT id FROM articles WHERE text_hash = :digest ORDER BY id LIMIT 1"
    return sql, {"digest": digest}


def articles_by_keys(keys: Sequence[str]) -> Query:
    """The articles any of ``keys`` leads to (``articles.url`` or a ``urls`` row), with the
    key URL of each: ``(id, url)`` by id. Both lookups use an index (``IN`` over the keys)."""
    marks = ", ".join(f":k{i}" for i in range(len(keys)))
    sql = f"""
        SELECT DISTINCT articles.id, articles.url FROM articles
        WHERE articles.id IN (
            SELECT id FROM articles WHERE url IN ({marks})
            UNION
            SELECT article_id FROM urls WHERE url_key IN ({marks}) AND article_id IS NOT NULL
        )
        ORDER BY articles.id
    """
    return sql, {f"k{i}": key for i, key in enumerate(keys)}


#: The names each name filter is matched against: tags, rubriques, authors.
FILTER_NAMES: dict[str, str] = {
    "tag": "SELECT name FROM tags",
    "category": "SELECT DISTINCT category AS name FROM articles WHERE category IS NOT NULL",
    "author": "SELECT DISTINCT json_each.value AS name FROM articles, json_each(articles.authors)"
    " WHERE json_valid(articles.authors)",
}


def filter_names(kind: str) -> Query:
    """Every name of ``kind`` (``tag``, ``category``, ``author``) the archive holds."""
    return FILTER_NAMES[kind], {}


def article_by_exact_url(url: str) -> Query:
    """The article a URL exactly as seen leads to."""
    sql = "SELECT article_id AS id FROM urls WHERE url = :url AND article_id IS NOT NULL"
    return sql, {"url": url}


def article_by_id(article_id: int) -> Query:
    """One ``articles`` row."""
    return "SELECT * FROM articles WHERE id = :id", {"id": article_id}


def insert_article(values: Mapping[str, Any]) -> Query:
    """A new ``articles`` row; ``values`` maps column names (from the schema) to values."""
    return _insert("articles", values)


def update_article_content(article_id: int, values: Mapping[str, Any]) -> Query:
    """Overwrite the article's fields with changed content (``values``: column -> value)."""
    assignments = ", ".join(f"{_quote(c)} = :{c}" for c in values)
    sql = f"UPDATE articles SET {assignments}, status = 'live' WHERE id = :id"
    return sql, {**values, "id": article_id}


def update_article_version(article_id: int, values: Mapping[str, Any]) -> Query:
    """Make a re-extracted version the article's current content; the status stays."""
    assignments = ", ".join(f"{_quote(c)} = :{c}" for c in values)
    sql = f"UPDATE articles SET {assignments} WHERE id = :id"
    return sql, {**values, "id": article_id}


def fill_article(article_id: int, fill: Mapping[str, Any]) -> Query:
    """Fill in the article's missing non-content fields (``fill``: column -> value)."""
    assignments = ", ".join(f"{_quote(c)} = COALESCE({_quote(c)}, :{c})" for c in fill)
    return f"UPDATE articles SET {assignments} WHERE id = :id", {**fill, "id": article_id}


def set_current_version(article_id: int, version_id: int) -> Query:
    """Point the article at its current version."""
    sql = "UPDATE articles SET current_version_id = :version_id WHERE id = :id"
    return sql, {"version_id": version_id, "id": article_id}


def set_text_hash(article_id: int, digest: str) -> Query:
    """Record the hash of the article's normalised text (exact-duplicate detection)."""
    return "UPDATE articles SET text_hash = :digest WHERE id = :id", {
        "digest": digest,
        "id": article_id,
    }


def set_duplicate_of(article_id: int, original_id: int, similarity: float) -> Query:
    """Mark the article as a near duplicate of an earlier one."""
    sql = "UPDATE articles SET duplicate_of = :of, similarity = :similarity WHERE id = :id"
    return sql, {"of": original_id, "similarity": similarity, "id": article_id}


def set_status(article_id: int, status: str) -> Query:
    """``live`` or ``gone``."""
    return "UPDATE articles SET status = :status WHERE id = :id", {
        "status": status,
        "id": article_id,
    }


def touch_alias(article_id: int, *, seen_at: str, crawl_id: int) -> Query:
    """Record that the article's text was seen again, under one of its aliases."""
    sql = """
        UPDATE articles SET last_seen_at = :seen_at, last_crawl_id = :crawl_id WHERE id = :id
    """
    return sql, {"seen_at": seen_at, "crawl_id": crawl_id, "id": article_id}


def touch_current_links(article_id: int, seen_at: str) -> Query:
    """Keep the article's current links current when it is seen under an alias.

    Run before ``touch_alias``: the current links are those seen with the article's
    ``last_seen_at`` (see ``current_links``), which the alias then moves forward.
    """
    sql = """
        UPDATE links SET last_seen_at = :seen_at
        WHERE from_article_id = :id
          AND last_seen_at = (SELECT last_seen_at FROM articles WHERE id = :id)
    """
    return sql, {"seen_at": seen_at, "id": article_id}


def first_article_missing_dedupe() -> Query:
    """1 when some article has no ``text_hash`` (cheap: uses the ``text_hash`` index)."""
    return "SELECT 1 AS missing FROM articles WHERE text_hash IS NULL LIMIT 1", {}


def articles_missing_dedupe(limit: int) -> Query:
    """Articles lacking their ``text_hash`` or their near-duplicate signature, by id."""
    sql = """
        SELECT id, title, lead, body FROM articles
        WHERE text_hash IS NULL
           OR NOT EXISTS (SELECT 1 FROM dedupe_signatures s WHERE s.article_id = articles.id)
        ORDER BY id
        LIMIT :limit
    """
    return sql, {"limit": limit}


def touch_article(
    article_id: int, *, seen_at: str, crawl_id: int, views: int | None, fill: Mapping[str, Any]
) -> Query:
    """Record that unchanged content was seen again; fill in missing non-content fields."""
    fills = "".join(f", {_quote(c)} = COALESCE({_quote(c)}, :{c})" for c in fill)
    sql = f"""
        UPDATE articles
        SET last_seen_at = :seen_at, last_crawl_id = :crawl_id,
            views = COALESCE(:views, views), status = 'live'{fills}
        WHERE id = :id
    """
    params = {**fill, "seen_at": seen_at, "crawl_id": crawl_id, "views": views, "id": article_id}
    return sql, params


# -- urls ---------------------------------------------------------------------------------


def upsert_url(url: str, url_key: str, article_id: int, kind: str, seen_at: str) -> Query:
    """Record a URL that led to an article; a known URL keeps its first kind and first time.

    A URL that now leads to another article takes the kind it was seen with this time (an
    alias whose text diverged becomes its own article's ``fetched`` URL, not an alias).
    """
    sql = """
        INSERT INTO urls (url, url_key, article_id, kind, first_seen_at, last_seen_at)
        VALUES (:url, :url_key, :article_id, :kind, :seen_at, :seen_at)
        ON CONFLICT (url) DO UPDATE SET
            kind = CASE WHEN urls.article_id IS excluded.article_id THEN urls.kind
                        ELSE excluded.kind END,
            article_id = excluded.article_id,
            last_seen_at = excluded.last_seen_at
    """
    params = {
        "url": url,
        "url_key": url_key,
        "article_id": article_id,
        "kind": kind,
        "seen_at": seen_at,
    }
    return sql, params


def urls_of_article(article_id: int) -> Query:
    """Every URL that led to the article, oldest first."""
    sql = """
        SELECT url, kind FROM urls WHERE article_id = :id
        ORDER BY first_seen_at, rowid
    """
    return sql, {"id": article_id}


# -- versions -----------------------------------------------------------------------------


def insert_version(values: Mapping[str, Any]) -> Query:
    """A new ``versions`` row."""
    return _insert("versions", values)


def next_version_number(article_id: int) -> Query:
    """The number the article's next version takes (1 for its first)."""
    sql = "SELECT COALESCE(MAX(number), 0) + 1 AS number FROM versions WHERE article_id = :id"
    return sql, {"id": article_id}


def current_version_number(article_id: int) -> Query:
    """The number of the article's current version (no row when it has none)."""
    sql = """
        SELECT versions.number FROM articles
        JOIN versions ON versions.id = articles.current_version_id
        WHERE articles.id = :id
    """
    return sql, {"id": article_id}


def current_version_hash(article_id: int) -> Query:
    """The content hash of the article's current version (``articles.content_hash`` if none)."""
    sql = """
        SELECT COALESCE(versions.content_hash, articles.content_hash) AS content_hash
        FROM articles LEFT JOIN versions ON versions.id = articles.current_version_id
        WHERE articles.id = :id
    """
    return sql, {"id": article_id}


def versions_of_article(article_id: int) -> Query:
    """Every version of the article, oldest first."""
    return "SELECT * FROM versions WHERE article_id = :id ORDER BY number", {"id": article_id}


def versions_of_articles(article_ids: Sequence[int]) -> Query:
    """Every version of these articles, by article id, oldest first."""
    sql = """
        SELECT * FROM versions
        WHERE article_id IN (SELECT value FROM json_each(:ids))
        ORDER BY article_id, number
    """
    return sql, {"ids": json.dumps(list(article_ids))}


def count_versions(article_id: int) -> Query:
    """How many versions the article has."""
    return "SELECT COUNT(*) AS n FROM versions WHERE article_id = :id", {"id": article_id}


# -- captures -----------------------------------------------------------------------------


def capture_by_body(url: str, body_sha256: str) -> Query:
    """A stored capture of this URL with this body, to reuse instead of storing it twice."""
    sql = """
        SELECT id FROM captures WHERE body_sha256 = :sha AND url = :url ORDER BY id LIMIT 1
    """
    return sql, {"sha": body_sha256, "url": url}


def insert_capture(values: Mapping[str, Any]) -> Query:
    """A new ``captures`` row."""
    return _insert("captures", values)


def capture_by_id(capture_id: int) -> Query:
    """One ``captures`` row, compressed body included."""
    return "SELECT * FROM captures WHERE id = :id", {"id": capture_id}


def captures_after(
    after_id: int,
    limit: int,
    *,
    article_id: int | None,
    crawl_id: int | None,
    capture_ids: Sequence[int] | None = None,
) -> Query:
    """The next ``limit`` captures after id ``after_id`` (keyset paging), with their version;
    only those of ``capture_ids`` when given.

    ``version_id`` / ``article_id`` are those of the first version made from the capture
    (restricted to ``article_id``'s versions when given).
    """
    sql = """
        SELECT
            captures.id, captures.url, captures.crawl_id, captures.fetched_at, captures.status,
            captures.headers, captures.body, captures.compression, captures.body_size,
            captures.body_sha256, versions.article_id, versions.id AS version_id
        FROM captures
        LEFT JOIN versions ON versions.id = (
            SELECT MIN(v.id) FROM versions AS v
            WHERE v.capture_id = captures.id
              AND (:article_id IS NULL OR v.article_id = :article_id)
        )
        WHERE captures.id > :after
          AND (:crawl_id IS NULL OR captures.crawl_id = :crawl_id)
          AND (:article_id IS NULL OR versions.article_id = :article_id)
          AND (:capture_ids IS NULL
               OR captures.id IN (SELECT value FROM json_each(:capture_ids)))
        ORDER BY captures.id
        LIMIT :limit
    """
    params = {
        "after": after_id,
        "limit": limit,
        "article_id": article_id,
        "crawl_id": crawl_id,
        "capture_ids": None if capture_ids is None else json.dumps(list(capture_ids)),
    }
    return sql, params


def capture_ids_of_articles(article_ids: Sequence[int]) -> Query:
    """The ids of the captures the versions of these articles were read from."""
    sql = """
        SELECT DISTINCT capture_id FROM versions
        WHERE capture_id IS NOT NULL
          AND article_id IN (SELECT value FROM json_each(:ids))
    """
    return sql, {"ids": json.dumps(list(article_ids))}


# -- events -------------------------------------------------------------------------------


def insert_event(values: Mapping[str, Any]) -> Query:
    """A new ``events`` row."""
    return _insert("events", values)


def last_event_about(article_id: int, url: str) -> Query:
    """The latest event of the article about this URL."""
    sql = """
        SELECT kind FROM events WHERE article_id = :id AND url = :url ORDER BY id DESC LIMIT 1
    """
    return sql, {"id": article_id, "url": url}


def events_of_article(article_id: int) -> Query:
    """The article's events, oldest first."""
    sql = "SELECT * FROM events WHERE article_id = :id ORDER BY at, id"
    return sql, {"id": article_id}


# -- tags ---------------------------------------------------------------------------------


def insert_tag(name: str) -> Query:
    """Create a tag unless it exists."""
    return "INSERT OR IGNORE INTO tags (name) VALUES (:name)", {"name": name}


def tag_id(name: str) -> Query:
    """The id of a tag."""
    return "SELECT id FROM tags WHERE name = :name", {"name": name}


def clear_article_tags(article_id: int) -> Query:
    """Forget the article's tag list (it is then written again in full)."""
    return "DELETE FROM article_tags WHERE article_id = :id", {"id": article_id}


def insert_article_tag(article_id: int, tag: int, position: int) -> Query:
    """One tag of the article at its 0-based position."""
    sql = """
        INSERT OR REPLACE INTO article_tags (article_id, tag_id, position)
        VALUES (:article_id, :tag_id, :position)
    """
    return sql, {"article_id": article_id, "tag_id": tag, "position": position}


# -- links --------------------------------------------------------------------------------


def upsert_link(
    *,
    from_article_id: int,
    url: str,
    url_key: str,
    target_article_id: int | None,
    anchor: str | None,
    position: int,
    kind: str,
    seen_at: str,
    crawl_id: int,
) -> Query:
    """An edge article -> related URL; a known edge is refreshed, never duplicated."""
    sql = """
        INSERT INTO links (
            from_article_id, url, url_key, target_article_id, anchor, position, kind,
            first_seen_at, last_seen_at, first_crawl_id, last_crawl_id
        ) VALUES (
            :from_article_id, :url, :url_key, :target_article_id, :anchor, :position, :kind,
            :seen_at, :seen_at, :crawl_id, :crawl_id
        )
        ON CONFLICT (from_article_id, url_key, kind) DO UPDATE SET
            url = excluded.url,
            anchor = excluded.anchor,
            position = excluded.position,
            target_article_id = COALESCE(excluded.target_article_id, target_article_id),
            last_seen_at = excluded.last_seen_at,
            last_crawl_id = excluded.last_crawl_id
    """
    params = {
        "from_article_id": from_article_id,
        "url": url,
        "url_key": url_key,
        "target_article_id": target_article_id,
        "anchor": anchor,
        "position": position,
        "kind": kind,
        "seen_at": seen_at,
        "crawl_id": crawl_id,
    }
    return sql, params


def resolve_links_to(article_id: int) -> Query:
    """Point the dangling links whose key is one of the article's URL keys at the article.

    Found by URL key (``+`` keeps SQLite off the target index: during a crawl every link to
    a page not yet stored is dangling, and walking them all cost more the bigger the crawl).
    """
    sql = """
        UPDATE links SET target_article_id = :id
        WHERE +target_article_id IS NULL AND url_key IN (
            SELECT url_key FROM urls WHERE article_id = :id
            UNION SELECT url FROM articles WHERE id = :id
        )
    """
    return sql, {"id": article_id}


def linking_articles(article_id: int) -> Query:
    """Articles whose current "Lire aussi" links lead to the article, oldest link first."""
    sql = """
        SELECT src.id, src.url, src.title, links.kind, links.position
        FROM links
        JOIN articles AS src ON src.id = links.from_article_id
        WHERE links.target_article_id = :id AND links.last_seen_at = src.last_seen_at
          AND src.id != :id
        ORDER BY links.first_seen_at, links.id
    """
    return sql, {"id": article_id}


def current_links(article_id: int) -> Query:
    """The article's related links as of its last store, in page order.

    Edges are never deleted; the current ones are those seen when the article itself was
    last seen (both times come from the same fetch).
    """
    sql = """
        SELECT links.url, links.anchor AS title, links.kind, links.position
        FROM links JOIN articles ON articles.id = links.from_article_id
        WHERE links.from_article_id = :id AND links.last_seen_at = articles.last_seen_at
        ORDER BY links.position, links.id
    """
    return sql, {"id": article_id}


# -- crawls and fetches -------------------------------------------------------------------


def insert_crawl(values: Mapping[str, Any]) -> Query:
    """A new ``crawls`` row."""
    return _insert("crawls", values)


def crawl_counts(crawl_id: int) -> Query:
    """The crawl's counts, computed from its ``fetches`` rows (``fetched``: the pages, its
    photos left out)."""
    sql = """
        SELECT
            COUNT(status) - COALESCE(SUM(outcome IN ('media', 'media_error')
                AND status IS NOT NULL), 0) AS fetched,
            COALESCE(SUM(outcome = 'new'), 0) AS new,
            COALESCE(SUM(outcome = 'updated'), 0) AS updated,
            COALESCE(SUM(outcome = 'unchanged'), 0) AS unchanged,
            COALESCE(SUM(outcome = 'not_article'), 0) AS not_article,
            COALESCE(SUM(outcome = 'unreadable'), 0) AS unreadable,
            COALESCE(SUM(outcome IN ('http_error', 'error')), 0) AS errors,
            COALESCE(SUM(outcome = 'gone'), 0) AS gone,
            COALESCE(SUM(outcome = 'alias'), 0) AS aliases
        FROM fetches WHERE crawl_id = :id
    """
    return sql, {"id": crawl_id}


def finish_crawl(
    crawl_id: int, *, finished_at: str, finish_reason: str, status: str, counts: Mapping[str, int]
) -> Query:
    """Close a crawl with its end time, reason, status and counts."""
    assignments = "".join(f", {_quote(c)} = :{c}" for c in counts)
    sql = f"""
        UPDATE crawls
        SET finished_at = :finished_at, finish_reason = :finish_reason, status = :status
            {assignments}
        WHERE id = :id
    """
    params = {
        **counts,
        "finished_at": finished_at,
        "finish_reason": finish_reason,
        "status": status,
        "id": crawl_id,
    }
    return sql, params


def update_crawl_counts(crawl_id: int, counts: Mapping[str, int]) -> Query:
    """Set a running crawl's counts (a closed one keeps those it was closed with)."""
    assignments = ", ".join(f"{_quote(c)} = :{c}" for c in counts)
    sql = f"UPDATE crawls SET {assignments} WHERE id = :id AND status = 'running'"
    return sql, {**counts, "id": crawl_id}


def crawl_exists(crawl_id: int) -> Query:
    """1 when the crawl exists."""
    return "SELECT 1 FROM crawls WHERE id = :id", {"id": crawl_id}


def list_crawls(limit: int | None, site: str | None = None, node: str | None = None) -> Query:
    """Crawls, newest first; with ``site``, those of that site: its own spider's, those
    whose ``site`` argument names it, and those that fetched an article of it; with
    ``node``, those that ran on that node (``crawls.node``, see ``archive merge``)."""
    where = [] if site is None else [f"({CRAWLS_OF_SITE})"]
    if node is not None:
        where.append("node = :node")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # LIMIT -1 is SQLite for "no limit".
    sql = f"SELECT * FROM crawls {clause} ORDER BY id DESC LIMIT :limit"
    return sql, {"limit": -1 if limit is None else limit, "site": site, "node": node}


#: The ``WHERE`` of :func:`list_crawls` for one site.
CRAWLS_OF_SITE = """
    spider = :site
       OR :site IN (SELECT trim(value) FROM json_each(
            '["' || replace(coalesce(json_extract(arguments, '$.site'), ''), ',', '","') || '"]'))
       OR EXISTS (SELECT 1 FROM fetches f JOIN articles a ON a.id = f.article_id
                  WHERE f.crawl_id = crawls.id AND a.site = :site)
"""


def insert_fetch(values: Mapping[str, Any]) -> Query:
    """A new ``fetches`` row."""
    return _insert("fetches", values)


def fetch_by_id(fetch_id: int) -> Query:
    """One ``fetches`` row."""
    return "SELECT * FROM fetches WHERE id = :id", {"id": fetch_id}


def resolve_fetch(fetch_id: int, article_id: int) -> Query:
    """Record the article a fetched page turned out to be (an ``unreadable`` page read later)."""
    sql = "UPDATE fetches SET article_id = :article_id WHERE id = :id"
    return sql, {"article_id": article_id, "id": fetch_id}


def unreadable_fetches(crawl_id: int | None, *, include_read: bool) -> Query:
    """The ``unreadable`` fetches (of one crawl, when given), oldest first; only those not
    yet read as an article unless ``include_read``. Served by ``idx_fetches_unreadable``."""
    sql = """
        SELECT id, crawl_id, url, requested_url, status, bytes, ms, fetched_at, error,
               capture_id, article_id
        FROM fetches
        WHERE outcome = 'unreadable'
          AND (:crawl_id IS NULL OR crawl_id = :crawl_id)
          AND (:include_read OR article_id IS NULL)
        ORDER BY fetched_at, id
    """
    return sql, {"crawl_id": crawl_id, "include_read": include_read}


def latest_ended_crawl() -> Query:
    """The newest crawl that is not ``running`` (finished, failed or interrupted)."""
    sql = "SELECT id, spider, status FROM crawls WHERE status != 'running' ORDER BY id DESC LIMIT 1"
    return sql, {}


# -- frontier and revisits ----------------------------------------------------------------


def add_to_frontier(values: Mapping[str, Any]) -> Query:
    """A URL to fetch, ``pending``; a URL already pending stays as it was, a ``done`` one is
    pending again (found anew), with its attempts reset."""
    sql = """
        INSERT INTO frontier (
            url, url_key, kind, hop, found_in_crawl, found_at, referer, state, attempts
        ) VALUES (
            :url, :url_key, :kind, :hop, :found_in_crawl, :found_at, :referer, 'pending', 0
        )
        ON CONFLICT (url) DO UPDATE SET
            kind = excluded.kind,
            hop = excluded.hop,
            found_in_crawl = excluded.found_in_crawl,
            found_at = excluded.found_at,
            referer = excluded.referer,
            state = 'pending',
            done_at = NULL,
            attempts = 0
        WHERE frontier.state <> 'pending'
    """
    return sql, dict(values)


def close_frontier(urls: list[str], *, at: str, retry: bool, max_attempts: int) -> Query:
    """Count a fetch of the pending rows of ``urls`` and make them ``done``; with ``retry``
    (a transient failure) a row stays pending until its ``max_attempts``-th fetch.

    Found by URL (``+`` keeps SQLite off the state index, which walked every pending row:
    the whole frontier, on every page, during a first crawl)."""
    sql = """
        UPDATE frontier SET
            attempts = attempts + 1,
            state = CASE WHEN :retry AND attempts + 1 < :max THEN 'pending' ELSE 'done' END,
            done_at = CASE WHEN :retry AND attempts + 1 < :max THEN NULL ELSE :at END
        WHERE +state = 'pending' AND url IN (SELECT value FROM json_each(:urls))
    """
    params = {"urls": json.dumps(urls), "at": at, "retry": retry, "max": max_attempts}
    return sql, params


def set_validators(url: str, etag: str | None, last_modified: str | None) -> Query:
    """Remember (or forget, with ``None``) the validators of a URL's frontier row."""
    sql = "UPDATE frontier SET etag = :etag, last_modified = :lm WHERE url = :url"
    return sql, {"url": url, "etag": etag, "lm": last_modified}


def upsert_discovery_validators(values: Mapping[str, Any]) -> Query:
    """A discovery page's validators, on a ``done`` row of kind ``discovery``."""
    sql = """
        INSERT INTO frontier (
            url, url_key, kind, hop, found_in_crawl, found_at, state, done_at, attempts,
            etag, last_modified
        ) VALUES (
            :url, :url_key, 'discovery', 0, :crawl_id, :at, 'done', :at, 1, :etag, :lm
        )
        ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified
    """
    return sql, dict(values)


def validators_of(url: str, url_key: str) -> Query:
    """The validators kept for a URL: of its own frontier row, else of one with its key."""
    sql = """
        SELECT etag, last_modified FROM (
            SELECT etag, last_modified, 0 AS rank, done_at FROM frontier WHERE url = :url
            UNION ALL
            SELECT etag, last_modified, 1, done_at FROM frontier WHERE url_key = :key
        )
        WHERE etag IS NOT NULL OR last_modified IS NOT NULL
        ORDER BY rank, done_at DESC
        LIMIT 1
    """
    return sql, {"url": url, "key": url_key}


def pending_frontier(key_prefix: str | None) -> Query:
    """``pending`` article rows, oldest first; only those whose key starts with the prefix."""
    sql = """
        SELECT url, url_key, hop, referer, found_in_crawl, attempts FROM frontier
        WHERE state = 'pending' AND kind = 'article'
          AND (:prefix IS NULL OR substr(url_key, 1, length(:prefix)) = :prefix)
        ORDER BY found_at, rowid
    """
    return sql, {"prefix": key_prefix}


def frontier_counts() -> Query:
    """Rows of the frontier by state."""
    return "SELECT state, COUNT(*) AS n FROM frontier GROUP BY state", {}


def known_articles(keys: list[str]) -> Query:
    """For each URL key that leads to an archived article: the article's ``id``,
    ``next_visit_at``, ``first_crawl_id``, ``published_at``, ``modified_at`` and
    ``last_seen_at`` (keys leading nowhere are left out)."""
    sql = """
        WITH wanted(key) AS (SELECT DISTINCT value FROM json_each(:keys)),
        found AS (
            SELECT key, COALESCE(
                (SELECT id FROM articles WHERE url = key),
                (SELECT article_id FROM urls WHERE url_key = key AND article_id IS NOT NULL
                 ORDER BY last_seen_at DESC LIMIT 1)
            ) AS article_id
            FROM wanted
        )
        SELECT found.key, articles.id, articles.next_visit_at, articles.first_crawl_id,
               articles.published_at, articles.modified_at, articles.last_seen_at
        FROM found JOIN articles ON articles.id = found.article_id
    """
    return sql, {"keys": json.dumps(keys)}


def due_articles(now: str, key_prefix: str) -> Query:
    """Articles under a URL prefix whose next visit is due at ``now``, most overdue first."""
    sql = """
        SELECT id, url FROM articles
        WHERE next_visit_at IS NOT NULL AND next_visit_at <= :now
          AND substr(url, 1, length(:prefix)) = :prefix
        ORDER BY next_visit_at, id
    """
    return sql, {"now": now, "prefix": key_prefix}


def articles_under(key_prefix: str) -> Query:
    """Every article under a URL prefix, by id."""
    sql = """
        SELECT id, url FROM articles WHERE substr(url, 1, length(:prefix)) = :prefix ORDER BY id
    """
    return sql, {"prefix": key_prefix}


def set_next_visit(article_id: int, next_visit_at: str | None) -> Query:
    """When the article is next due for a fetch (``None``: never)."""
    sql = "UPDATE articles SET next_visit_at = :next WHERE id = :id"
    return sql, {"next": next_visit_at, "id": article_id}


def last_finished_crawl(spider: str, start: str | None, site: str | None = None) -> Query:
    """The latest ``finished`` discovery crawl of this spider from this ``start`` argument
    (``None``: the live site; a crawl of ``urls`` alone discovered nothing and never counts)
    and of these sites (its ``site`` argument, ``None`` for none: the news spider's crawls of
    other sites are not comparable)."""
    sql = """
        SELECT * FROM crawls
        WHERE spider = :spider AND status = 'finished'
          AND json_extract(arguments, '$.start') IS :start
          AND json_extract(arguments, '$.site') IS :site
          AND (:start IS NOT NULL OR json_extract(arguments, '$.urls') IS NULL)
        ORDER BY id DESC
        LIMIT 1
    """
    return sql, {"spider": spider, "start": start, "site": site}


def running_crawls() -> Query:
    """Crawls still marked ``running``."""
    return "SELECT id, pid, host, started_at FROM crawls WHERE status = 'running' ORDER BY id", {}


def pages_fetched(crawl_id: int) -> Query:
    """How many responses of the site the crawl recorded (robots.txt answers and photos are
    not its pages)."""
    sql = """
        SELECT COUNT(status) AS pages FROM fetches
        WHERE crawl_id = :id AND outcome NOT IN ('robots', 'media', 'media_error')
    """
    return sql, {"id": crawl_id}


def last_fetch_at(crawl_id: int) -> Query:
    """The time of the crawl's latest fetch (NULL when it has none)."""
    return "SELECT MAX(fetched_at) AS at FROM fetches WHERE crawl_id = :id", {"id": crawl_id}


# -- search and counts --------------------------------------------------------------------


def search(match: str, limit: int, *, where: Query = ("1", {}), offset: int = 0) -> Query:
    """Full-text search, best first (bm25), with a snippet whose hits are marked ``[ ]``.

    ``where`` is a further condition over ``articles`` (see ``ArticleFilters.where``).
    """
    condition, params = where
    sql = f"""
        SELECT
            articles.id, articles.url, articles.title, articles.published_at,
            articles.category,
            snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet,
            bm25(articles_fts) AS rank
        FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
        WHERE articles_fts MATCH :match AND ({condition})
        ORDER BY rank, articles.id
        LIMIT :limit OFFSET :offset
    """
    return sql, {**params, "match": match, "limit": limit, "offset": offset}


#: bm25 weights of ``articles_fts_fr``'s columns (title, lead, body, tags): a word in the
#: title counts most, one in the body least.
FRENCH_SEARCH_WEIGHTS: tuple[float, ...] = (10.0, 4.0, 1.0, 4.0)


def search_french(match: str, limit: int, *, where: Query = ("1", {}), offset: int = 0) -> Query:
    """Search of the French index ``articles_fts_fr`` (``match`` over folded words), best
    first (weighted bm25), with the original text the snippet is cut from."""
    condition, params = where
    weights = ", ".join(str(w) for w in FRENCH_SEARCH_WEIGHTS)
    # The page of hits is ranked inside the index first, then joined to its articles:
    # joining every match before the LIMIT read one articles row per match (42,000 rows
    # for a common word at 60,000 articles).
    filtered = (
        "" if condition == "1" else f"AND rowid IN (SELECT id FROM articles WHERE {condition})"
    )
    sql = f"""
        WITH hits AS (
            SELECT rowid AS id, bm25(articles_fts_fr, {weights}) AS rank
            FROM articles_fts_fr
            WHERE articles_fts_fr MATCH :match {filtered}
            ORDER BY rank, rowid
            LIMIT :limit OFFSET :offset
        )
        SELECT
            articles.id, articles.url, articles.title, articles.published_at,
            articles.category, articles.lead, articles.body, articles.tags, hits.rank
        FROM hits JOIN articles ON articles.id = hits.id
        ORDER BY hits.rank, articles.id
    """
    return sql, {**params, "match": match, "limit": limit, "offset": offset}


def article_search_text(article_id: int) -> Query:
    """The columns of the article the search indexes."""
    return "SELECT id, title, lead, body, tags FROM articles WHERE id = :id", {"id": article_id}


def delete_search_entry(article_id: int) -> Query:
    """Drop the article's row of ``articles_fts_fr``."""
    return "DELETE FROM articles_fts_fr WHERE rowid = :id", {"id": article_id}


def insert_search_entry(article_id: int, values: Mapping[str, str]) -> Query:
    """The article's folded text as a row of ``articles_fts_fr``."""
    sql = """
        INSERT INTO articles_fts_fr (rowid, title, lead, body, tags)
        VALUES (:id, :title, :lead, :body, :tags)
    """
    return sql, {**values, "id": article_id}


def first_article_missing_search() -> Query:
    """1 when some article has no ``articles_fts_fr`` row.

    Looks in the index's ``_docsize`` shadow table (one row per indexed row, keyed by rowid):
    a plain b-tree lookup per article, about 3 times faster than asking the FTS5 table.
    """
    sql = """
        SELECT 1 AS missing FROM articles
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_fr_docsize d WHERE d.id = articles.id)
        LIMIT 1
    """
    return sql, {}


def articles_missing_search(limit: int) -> Query:
    """Articles without an ``articles_fts_fr`` row, by id."""
    sql = """
        SELECT id, title, lead, body, tags FROM articles
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_fr f WHERE f.rowid = articles.id)
        ORDER BY id
        LIMIT :limit
    """
    return sql, {"limit": limit}


def list_articles(limit: int | None, offset: int, *, where: Query = ("1", {})) -> Query:
    """Articles newest first by ``published_at`` (compared in UTC; undated ones last)."""
    condition, params = where
    sql = f"""
        SELECT id, published_at, category, status, title, url
        FROM articles
        WHERE {condition}
        ORDER BY datetime(published_at) IS NULL, datetime(published_at) DESC, id DESC
        LIMIT :limit OFFSET :offset
    """
    return sql, {**params, "limit": -1 if limit is None else limit, "offset": offset}


def count_rows(table: str) -> Query:
    """Number of rows of a table (its name comes from ``sqlite_master``, not from input)."""
    return f"SELECT COUNT(*) AS n FROM {_quote(table)}", {}


def user_tables() -> Query:
    """The archive's own tables: no SQLite internals, no FTS shadow tables, no ``_migrations``."""
    sql = """
        SELECT name FROM sqlite_master
        WHERE type = 'table'
          AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
          AND name NOT LIKE '\\_%' ESCAPE '\\'
          AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
          AND NOT EXISTS (
              SELECT 1 FROM sqlite_master AS v
              WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
                AND sqlite_master.name LIKE v.name || '\\_%' ESCAPE '\\'
          )
        ORDER BY name
    """
    return sql, {}


# -- export and stats (archive/export.py, archive/stats.py) ---------------------------------

#: Fields whose share of articles missing them ``archive stats`` reports per crawl.
QUALITY_FIELDS: tuple[str, ...] = (
    "title",
    "lead",
    "body",
    "published_at",
    "authors",
    "tags",
    "category",
    "image_url",
    "image_caption",
    "image_credit",
    "views",
    "short_url",
)

#: Where each of :data:`QUALITY_FIELDS` is read: the version the crawl stored, or the article
#: for the fields versions do not keep.
_QUALITY_SOURCE = {"views": "articles", "short_url": "articles"}


def export_first_id(offset: int, *, where: Query = ("1", {})) -> Query:
    """The id of the first article to export after skipping ``offset`` (by id)."""
    condition, params = where
    sql = f"SELECT id FROM articles WHERE {condition} ORDER BY id LIMIT 1 OFFSET :offset"
    return sql, {**params, "offset": offset}


def export_count(*, where: Query = ("1", {})) -> Query:
    """How many articles the filters select."""
    condition, params = where
    return f"SELECT COUNT(*) AS n FROM articles WHERE {condition}", params


def export_version_count(limit: int | None, offset: int, *, where: Query = ("1", {})) -> Query:
    """How many versions the articles the filters select (by id, ``limit`` and ``offset``
    too) have."""
    condition, params = where
    sql = f"""
        SELECT COUNT(*) AS n FROM versions WHERE article_id IN (
            SELECT id FROM articles WHERE {condition}
            ORDER BY id LIMIT :export_limit OFFSET :export_offset
        )
    """
    limits = {"export_limit": -1 if limit is None else limit, "export_offset": offset}
    return sql, {**params, **limits}


def export_page(
    after_id: int, limit: int, *, where: Query = ("1", {}), columns: str = "*"
) -> Query:
    """The next ``limit`` articles with an id above ``after_id`` (keyset paging), by id:
    ``columns`` of them (SQL, all by default)."""
    condition, params = where
    sql = f"""
        SELECT {columns} FROM articles
        WHERE articles.id > :export_after AND ({condition})
        ORDER BY articles.id
        LIMIT :export_limit
    """
    return sql, {**params, "export_after": after_id, "export_limit": limit}


def site_stats() -> Query:
    """Per site: articles, live, gone, duplicates, versions."""
    sql = """
        SELECT
            COALESCE(articles.site, '') AS site,
            COUNT(*) AS articles,
            COALESCE(SUM(articles.status = 'live'), 0) AS live,
            COALESCE(SUM(articles.status = 'gone'), 0) AS gone,
            COALESCE(SUM(articles.duplicate_of IS NOT NULL), 0) AS duplicates,
            COALESCE(SUM(
                (SELECT COUNT(*) FROM versions WHERE versions.article_id = articles.id)
            ), 0) AS versions
        FROM articles
        GROUP BY COALESCE(articles.site, '')
        ORDER BY site
    """
    return sql, {}


def site_days(site: str, days: int) -> Query:
    """The site's articles per day of publication (as published), the latest ``days`` days."""
    sql = """
        SELECT substr(published_at, 1, 10) AS day, COUNT(*) AS articles
        FROM articles
        WHERE COALESCE(site, '') = :site AND published_at IS NOT NULL
        GROUP BY day
        ORDER BY day DESC
        LIMIT :days
    """
    return sql, {"site": site, "days": days}


def crawl_quality(crawl_id: int) -> Query:
    """Responses of a crawl, articles it stored (``new``/``updated``), and how many of those
    miss each of :data:`QUALITY_FIELDS` (NULL, blank or an empty list)."""

    def missing(field: str) -> str:
        column = f"{_QUALITY_SOURCE.get(field, 'versions')}.{_quote(field)}"
        return (
            f"COALESCE(SUM({column} IS NULL OR trim(CAST({column} AS TEXT)) IN ('', '[]')), 0)"
            f" AS {_quote(field)}"
        )

    sql = f"""
        SELECT
            (SELECT COUNT(status) FROM fetches
             WHERE crawl_id = :id AND outcome NOT IN ('media', 'media_error')) AS fetched,
            COUNT(*) AS stored,
            {", ".join(missing(field) for field in QUALITY_FIELDS)}
        FROM fetches
        JOIN articles ON articles.id = fetches.article_id
        LEFT JOIN versions ON versions.id = (
            SELECT MAX(v.id) FROM versions AS v
            WHERE v.article_id = fetches.article_id AND v.crawl_id = :id
        )
        WHERE fetches.crawl_id = :id AND fetches.outcome IN ('new', 'updated')
    """
    return sql, {"id": crawl_id}


def finished_crawls(limit: int) -> Query:
    """The latest ``limit`` finished crawls, newest first."""
    sql = """
        SELECT id, spider, started_at, finished_at FROM crawls
        WHERE status = 'finished' ORDER BY id DESC LIMIT :limit
    """
    return sql, {"limit": limit}
