"""SQL builders: each function returns ``(sql, params)`` for one statement.

All SQL the archive runs lives here (migrations apart), so the queries a user may want to
reuse are in one place. Identifiers in the SQL only ever come from the constants below,
never from input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Query = tuple[str, dict[str, Any]]

#: ``articles`` columns written from an article's fields (JSON text for the lists).
ARTICLE_FIELD_COLUMNS: tuple[str, ...] = (
    "canonical_url",
    "site",
    "language",
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
    "short_url",
)

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

#: Fetch outcomes that count as errors in ``crawls.errors``.
ERROR_OUTCOMES: tuple[str, ...] = ("http_error", "error")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# -- articles -----------------------------------------------------------------------------


def article_by_key(key: str) -> Query:
    """The article a URL key leads to: ``articles.url`` first, then the freshest ``urls`` row."""
    sql = """
        SELECT id FROM (
            SELECT id, 0 AS priority, '' AS seen FROM articles WHERE url = :key
            UNION ALL
            SELECT article_id, 1, COALESCE(last_seen_at, '') FROM urls
            WHERE url_key = :key AND article_id IS NOT NULL
        )
        ORDER BY priority, seen DESC, id
        LIMIT 1
    """
    return sql, {"key": key}


def article_by_exact_url(url: str) -> Query:
    """The article a URL exactly as seen leads to."""
    sql = "SELECT article_id AS id FROM urls WHERE url = :url AND article_id IS NOT NULL"
    return sql, {"url": url}


def article_by_id(article_id: int) -> Query:
    """One ``articles`` row."""
    return "SELECT * FROM articles WHERE id = :id", {"id": article_id}


def insert_article(values: Mapping[str, Any]) -> Query:
    """A new ``articles`` row; ``values`` maps column names (from the schema) to values."""
    columns = list(values)
    sql = "INSERT INTO articles ({}) VALUES ({})".format(
        ", ".join(_quote(c) for c in columns), ", ".join(f":{c}" for c in columns)
    )
    return sql, dict(values)


def update_article_content(article_id: int, values: Mapping[str, Any]) -> Query:
    """Overwrite the article's fields with changed content (``values``: column -> value)."""
    assignments = ", ".join(f"{_quote(c)} = :{c}" for c in values)
    sql = f"UPDATE articles SET {assignments}, status = 'live' WHERE id = :id"
    return sql, {**values, "id": article_id}


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
    """Record a URL that led to an article; a known URL keeps its first kind and first time."""
    sql = """
        INSERT INTO urls (url, url_key, article_id, kind, first_seen_at, last_seen_at)
        VALUES (:url, :url_key, :article_id, :kind, :seen_at, :seen_at)
        ON CONFLICT (url) DO UPDATE SET
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
    """Point the dangling links whose key is one of the article's URL keys at the article."""
    sql = """
        UPDATE links SET target_article_id = :id
        WHERE target_article_id IS NULL AND url_key IN (
            SELECT url_key FROM urls WHERE article_id = :id
            UNION SELECT url FROM articles WHERE id = :id
        )
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
    columns = list(values)
    sql = "INSERT INTO crawls ({}) VALUES ({})".format(
        ", ".join(_quote(c) for c in columns), ", ".join(f":{c}" for c in columns)
    )
    return sql, dict(values)


def crawl_counts(crawl_id: int) -> Query:
    """The crawl's counts, computed from its ``fetches`` rows."""
    sql = """
        SELECT
            COUNT(status) AS fetched,
            COALESCE(SUM(outcome = 'new'), 0) AS new,
            COALESCE(SUM(outcome = 'updated'), 0) AS updated,
            COALESCE(SUM(outcome = 'unchanged'), 0) AS unchanged,
            COALESCE(SUM(outcome = 'not_article'), 0) AS not_article,
            COALESCE(SUM(outcome IN ('http_error', 'error')), 0) AS errors
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


def crawl_exists(crawl_id: int) -> Query:
    """1 when the crawl exists."""
    return "SELECT 1 FROM crawls WHERE id = :id", {"id": crawl_id}


def list_crawls(limit: int | None) -> Query:
    """Crawls, newest first."""
    # LIMIT -1 is SQLite for "no limit".
    sql = "SELECT * FROM crawls ORDER BY id DESC LIMIT :limit"
    return sql, {"limit": -1 if limit is None else limit}


def insert_fetch(values: Mapping[str, Any]) -> Query:
    """A new ``fetches`` row."""
    columns = list(values)
    sql = "INSERT INTO fetches ({}) VALUES ({})".format(
        ", ".join(_quote(c) for c in columns), ", ".join(f":{c}" for c in columns)
    )
    return sql, dict(values)


# -- search and counts --------------------------------------------------------------------


def search(match: str, limit: int) -> Query:
    """Full-text search, best first (bm25), with a snippet whose hits are marked ``[ ]``."""
    sql = """
        SELECT
            articles.id, articles.url, articles.title, articles.published_at,
            articles.category,
            snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet,
            bm25(articles_fts) AS rank
        FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
        WHERE articles_fts MATCH :match
        ORDER BY rank, articles.id
        LIMIT :limit
    """
    return sql, {"match": match, "limit": limit}


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
