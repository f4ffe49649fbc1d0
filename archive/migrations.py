"""Schema changes of the archive, one function per change, applied in order.

Each migration runs in its own transaction together with its row in ``_migrations``
(name, applied_at), so a failed migration leaves nothing behind and stays pending.
Released migrations are never edited: a later change is a new function appended to
:data:`MIGRATIONS`. Their names are what ``_migrations.name`` records, so they never change
either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

import sqlite_utils

logger = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS_TABLE = "_migrations"

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS _migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)
"""

_SCHEMA_1 = (
    """
    CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        spider TEXT NOT NULL,
        arguments TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        finished_at TEXT,
        finish_reason TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        fetched INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        not_article INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        host TEXT,
        version TEXT
    )
    """,
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        canonical_url TEXT,
        site TEXT,
        language TEXT,
        title TEXT,
        lead TEXT,
        body TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        category TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        published_at TEXT,
        published_at_raw TEXT,
        modified_at TEXT,
        modified_at_raw TEXT,
        image_url TEXT,
        image_caption TEXT,
        image_credit TEXT,
        short_url TEXT,
        views INTEGER,
        content_hash TEXT,
        first_seen_at TEXT,
        last_seen_at TEXT,
        last_changed_at TEXT,
        first_crawl_id INTEGER REFERENCES crawls(id),
        last_crawl_id INTEGER REFERENCES crawls(id),
        status TEXT NOT NULL DEFAULT 'live',
        duplicate_of INTEGER REFERENCES articles(id),
        similarity REAL
    )
    """,
    "CREATE INDEX idx_articles_published_at ON articles(published_at)",
    "CREATE INDEX idx_articles_category ON articles(category)",
    "CREATE INDEX idx_articles_status ON articles(status)",
    "CREATE INDEX idx_articles_site ON articles(site)",
    """
    CREATE TABLE urls (
        url TEXT PRIMARY KEY,
        url_key TEXT NOT NULL,
        article_id INTEGER REFERENCES articles(id),
        kind TEXT NOT NULL,
        first_seen_at TEXT,
        last_seen_at TEXT
    )
    """,
    "CREATE INDEX idx_urls_url_key ON urls(url_key)",
    "CREATE INDEX idx_urls_article_id ON urls(article_id)",
    """
    CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        from_article_id INTEGER NOT NULL REFERENCES articles(id),
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        target_article_id INTEGER REFERENCES articles(id),
        anchor TEXT,
        position INTEGER,
        kind TEXT NOT NULL,
        first_seen_at TEXT,
        last_seen_at TEXT,
        first_crawl_id INTEGER REFERENCES crawls(id),
        last_crawl_id INTEGER REFERENCES crawls(id),
        UNIQUE (from_article_id, url_key, kind)
    )
    """,
    "CREATE INDEX idx_links_url_key ON links(url_key)",
    "CREATE INDEX idx_links_target_article_id ON links(target_article_id)",
    """
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (article_id, tag_id)
    )
    """,
    "CREATE INDEX idx_article_tags_tag_id ON article_tags(tag_id)",
    """
    CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        crawl_id INTEGER NOT NULL REFERENCES crawls(id),
        url TEXT NOT NULL,
        requested_url TEXT,
        status INTEGER,
        bytes INTEGER NOT NULL DEFAULT 0,
        ms REAL,
        fetched_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT,
        article_id INTEGER REFERENCES articles(id)
    )
    """,
    "CREATE INDEX idx_fetches_crawl_id ON fetches(crawl_id)",
    "CREATE INDEX idx_fetches_url ON fetches(url)",
)


_FTS_UPDATE_TRIGGER = """
CREATE TRIGGER articles_au AFTER UPDATE OF title, lead, body, tags ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, title, lead, body, tags)
    VALUES ('delete', old.rowid, old.title, old.lead, old.body, old.tags);
  INSERT INTO articles_fts (rowid, title, lead, body, tags)
    VALUES (new.rowid, new.title, new.lead, new.body, new.tags);
END
"""


def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Articles, their URLs, links, tags, crawls and fetches, and the full-text index."""
    for statement in _SCHEMA_1:
        db.execute(statement)
    # unicode61 with remove_diacritics 2 lets "securite" find "sécurité"; sqlite-utils'
    # naming (articles_fts + triggers) is what Datasette looks for.
    db.table("articles").enable_fts(
        ["title", "lead", "body", "tags"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    # sqlite-utils' update trigger re-indexes a row on any update; a re-crawl that only bumps
    # last_seen_at or views must not rewrite the article's whole index entry.
    db.execute("DROP TRIGGER articles_au")
    db.execute(_FTS_UPDATE_TRIGGER)


_SCHEMA_2 = (
    """
    CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        crawl_id INTEGER REFERENCES crawls(id),
        fetched_at TEXT NOT NULL,
        status INTEGER,
        headers TEXT NOT NULL DEFAULT '{}',
        body BLOB NOT NULL,
        compression TEXT NOT NULL DEFAULT 'zlib',
        body_size INTEGER NOT NULL,
        body_sha256 TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_captures_body_sha256 ON captures(body_sha256)",
    """
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        number INTEGER NOT NULL,
        crawl_id INTEGER REFERENCES crawls(id),
        fetched_at TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        lead TEXT,
        body TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        category TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        published_at TEXT,
        published_at_raw TEXT,
        modified_at TEXT,
        modified_at_raw TEXT,
        image_url TEXT,
        image_caption TEXT,
        image_credit TEXT,
        extractor TEXT,
        extractor_version TEXT,
        capture_id INTEGER REFERENCES captures(id),
        UNIQUE (article_id, number)
    )
    """,
    "CREATE INDEX idx_versions_crawl_id ON versions(crawl_id)",
    "CREATE INDEX idx_versions_capture_id ON versions(capture_id)",
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        article_id INTEGER REFERENCES articles(id),
        crawl_id INTEGER REFERENCES crawls(id),
        url TEXT,
        kind TEXT NOT NULL,
        status INTEGER,
        at TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX idx_events_article_id ON events(article_id)",
    "CREATE INDEX idx_events_kind ON events(kind)",
    "ALTER TABLE articles ADD COLUMN text_hash TEXT",
    "ALTER TABLE articles ADD COLUMN current_version_id INTEGER REFERENCES versions(id)",
    "CREATE INDEX idx_articles_text_hash ON articles(text_hash)",
    """
    CREATE TABLE dedupe_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        signature BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE dedupe_bands (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID
    """,
    "ALTER TABLE crawls ADD COLUMN gone INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE crawls ADD COLUMN aliases INTEGER NOT NULL DEFAULT 0",
)


def m002_versions_captures_events(db: sqlite_utils.Database) -> None:
    """Versions of every article, raw captures, events, and the duplicate-detection index.

    Articles already archived get their current content as version 1, so their history
    starts at the content the archive holds (its capture is unknown: ``capture_id`` NULL).
    Their ``text_hash`` and near-duplicate signatures are filled in by
    ``Archive.backfill_dedupe()`` on first open, which needs Python code a migration may not
    depend on.
    """
    for statement in _SCHEMA_2:
        db.execute(statement)
    # Version 1's crawl is the one that stored the current content: the article's latest
    # new/updated fetch (SQLite takes the bare crawl_id from the MAX row), not last_crawl_id,
    # which is merely the last crawl that saw it unchanged.
    db.execute(
        """
        WITH changed AS (
            SELECT article_id, crawl_id, MAX(fetched_at) AS fetched_at FROM fetches
            WHERE article_id IS NOT NULL AND outcome IN ('new', 'updated')
            GROUP BY article_id
        )
        INSERT INTO versions (
            article_id, number, crawl_id, fetched_at, content_hash, title, lead, body,
            authors, category, tags, published_at, published_at_raw, modified_at,
            modified_at_raw, image_url, image_caption, image_credit, extractor,
            extractor_version, capture_id
        )
        SELECT a.id, 1,
            COALESCE(
                changed.crawl_id,
                CASE WHEN a.last_changed_at = a.first_seen_at THEN a.first_crawl_id
                     ELSE a.last_crawl_id END
            ),
            COALESCE(a.last_changed_at, a.last_seen_at, a.first_seen_at),
            a.content_hash, a.title, a.lead, a.body, a.authors, a.category, a.tags,
            a.published_at, a.published_at_raw, a.modified_at, a.modified_at_raw,
            a.image_url, a.image_caption, a.image_credit, NULL, NULL, NULL
        FROM articles AS a LEFT JOIN changed ON changed.article_id = a.id
        ORDER BY a.id
        """
    )
    db.execute(
        "UPDATE articles SET current_version_id ="
        " (SELECT v.id FROM versions v WHERE v.article_id = articles.id AND v.number = 1)"
    )


_SCHEMA_3 = (
    """
    CREATE TABLE frontier (
        url TEXT PRIMARY KEY,
        url_key TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'article',
        hop INTEGER NOT NULL DEFAULT 0,
        found_in_crawl INTEGER REFERENCES crawls(id),
        found_at TEXT NOT NULL,
        referer TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        done_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT
    )
    """,
    "CREATE INDEX idx_frontier_state ON frontier(state)",
    "CREATE INDEX idx_frontier_url_key ON frontier(url_key)",
    "ALTER TABLE articles ADD COLUMN next_visit_at TEXT",
    "CREATE INDEX idx_articles_next_visit_at ON articles(next_visit_at)",
    "ALTER TABLE crawls ADD COLUMN not_due INTEGER NOT NULL DEFAULT 0",
)

#: ``next_visit_at`` of the articles already archived, by the default revisit schedule
#: (``archive.revisit.DEFAULT_SCHEDULE``, written out: a migration never depends on code that
#: may change): hourly for the first day of an article's age, daily for the first week, weekly
#: for the first month, then never (NULL). Age: from ``published_at`` (else ``first_seen_at``)
#: to the last fetch. SQLite's time functions keep milliseconds, hence the padding.
_BACKFILL_NEXT_VISIT = """
WITH aged AS (
    SELECT id, last_seen_at AS seen,
        julianday(last_seen_at)
            - COALESCE(julianday(published_at), julianday(first_seen_at)) AS age
    FROM articles
)
UPDATE articles SET next_visit_at = (
    SELECT strftime('%Y-%m-%dT%H:%M:%f', aged.seen,
                    CASE WHEN aged.age < 1 THEN '+1 hours'
                         WHEN aged.age < 7 THEN '+1 days'
                         ELSE '+7 days' END) || '000+00:00'
    FROM aged
    WHERE aged.id = articles.id AND aged.age IS NOT NULL AND aged.age < 30
)
"""


def m003_frontier_and_revisits(db: sqlite_utils.Database) -> None:
    """The crawl frontier (what a killed crawl resumes), conditional-request validators,
    each article's next visit by the revisit schedule, and the crawls' ``not_due`` count."""
    for statement in _SCHEMA_3:
        db.execute(statement)
    db.execute(_BACKFILL_NEXT_VISIT)


def m004_french_search(db: sqlite_utils.Database) -> None:
    """``articles_fts_fr``: the French search index (stemmed, accent- and elision-free words).

    A plain FTS5 table (rowid = ``articles.id``): its text is computed in Python
    (``archive.french.fold_text``), so neither triggers nor an external-content table can
    keep it. The archive writes it whenever an article's content changes, and
    ``Archive.backfill_search()`` fills it in for the articles already archived on the first
    read-write open.
    """
    db.execute(
        """
        CREATE VIRTUAL TABLE articles_fts_fr USING fts5(
            title, lead, body, tags, tokenize = 'unicode61'
        )
        """
    )


def m005_listing_order_index(db: sqlite_utils.Database) -> None:
    """An index in the order ``archive articles`` lists (newest first by ``published_at``
    compared in UTC, undated last, then by id): a page of the listing reads 20 rows of the
    index instead of sorting every article (15 ms to 0.03 ms at 10,000 articles)."""
    db.execute(
        """
        CREATE INDEX IF NOT EXISTS idx_articles_listing_order ON articles (
            datetime(published_at) IS NULL, datetime(published_at) DESC, id DESC
        )
        """
    )


def m006_unreadable_pages(db: sqlite_utils.Database) -> None:
    """Pages fetched under an article URL that no article could be read from (fetch outcome
    ``unreadable``) keep their raw response: ``fetches.capture_id`` points at it (NULL for
    the fetches before), ``crawls.unreadable`` counts them (0 for the crawls before, which
    had none), and a partial index finds them for ``archive reparse`` and ``stats --check``
    without reading every fetch."""
    db.execute("ALTER TABLE fetches ADD COLUMN capture_id INTEGER REFERENCES captures(id)")
    db.execute("ALTER TABLE crawls ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "CREATE INDEX idx_fetches_unreadable ON fetches(crawl_id) WHERE outcome = 'unreadable'"
    )


def m007_french_lemmas(db: sqlite_utils.Database) -> None:
    """The French search index folds words to their lemma before stemming ("malentendus"
    finds "malentendu", "chevaux" finds "cheval"; see ``archive.french``): the rows folded
    the old way are dropped with the index, which is made again empty with its own
    definition. It is derived from the articles, never the user's data:
    ``Archive.backfill_search()`` fills it in again on the same read-write open, in
    batches that resume if interrupted. A read-only open of an archive lacking this
    migration searches its old index with the old folding."""
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts_fr'"
    ).fetchone()
    if row is None:
        return
    db.execute("DROP TABLE articles_fts_fr")
    db.execute(row[0])


def m008_media(db: sqlite_utils.Database) -> None:
    """The photos of the articles: ``media`` keeps each image once, by the sha256 of its bytes
    (the URL it was first fetched from, its type as served, its size, its bytes, its pixel
    size when cheaply known); ``version_media`` links each version to the photos its page
    showed (position 0 the main photo, then the body's images in page order), with the
    caption and credit shown there, the sha256 of the bytes fetched (NULL until fetched, or
    when the fetch was refused or failed) and the fetch that got them or failed to. The
    versions stored before have no rows: their photos were never fetched (a current version
    gets its rows when its page is next seen)."""
    db.execute(
        """
        CREATE TABLE media (
            sha256 TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            type TEXT,
            size INTEGER NOT NULL,
            body BLOB NOT NULL,
            width INTEGER,
            height INTEGER,
            first_seen_at TEXT NOT NULL,
            crawl_id INTEGER REFERENCES crawls(id)
        )
        """
    )
    db.execute("CREATE INDEX idx_media_url ON media(url)")
    db.execute(
        """
        CREATE TABLE version_media (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            url TEXT NOT NULL,
            sha256 TEXT REFERENCES media(sha256),
            caption TEXT,
            credit TEXT,
            fetch_id INTEGER REFERENCES fetches(id),
            PRIMARY KEY (version_id, position)
        )
        """
    )
    db.execute("CREATE INDEX idx_version_media_url ON version_media(url)")
    db.execute("CREATE INDEX idx_version_media_sha256 ON version_media(sha256)")


def m009_nodes_and_merges(db: sqlite_utils.Database) -> None:
    """Archives crawled on several machines and folded into one (``archive merge``):
    ``crawls.node`` names the machine (or Scrapyd node) a crawl ran on, from the setting
    ``ARCHIVE_NODE`` (default: the host name); NULL for the crawls before, which ran here.
    ``merges`` records each archive folded into this one: the file, its node, when, and
    what it brought. A crawl keeps its node through any number of merges. An index finds an
    article's fetches."""
    db.execute("ALTER TABLE crawls ADD COLUMN node TEXT")
    # A merge reads each article's fetches; so do `archive history` and the web view.
    db.execute("CREATE INDEX IF NOT EXISTS idx_fetches_article_id ON fetches(article_id)")
    db.execute(
        """
        CREATE TABLE merges (
            id INTEGER PRIMARY KEY,
            shard TEXT NOT NULL,
            node TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            snapshot INTEGER NOT NULL DEFAULT 0,
            crawls INTEGER NOT NULL DEFAULT 0,
            fetches INTEGER NOT NULL DEFAULT 0,
            articles_new INTEGER NOT NULL DEFAULT 0,
            articles_changed INTEGER NOT NULL DEFAULT 0,
            versions INTEGER NOT NULL DEFAULT 0,
            captures INTEGER NOT NULL DEFAULT 0,
            media INTEGER NOT NULL DEFAULT 0,
            version TEXT,
            fingerprint TEXT,
            shard_key TEXT,
            marks TEXT
        )
        """
    )


#: Every migration, in the order they apply. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    m001_initial_schema,
    m002_versions_captures_events,
    m003_frontier_and_revisits,
    m004_french_search,
    m005_listing_order_index,
    m006_unreadable_pages,
    m007_french_lemmas,
    m008_media,
    m009_nodes_and_merges,
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def applied(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations already applied to ``db``, in the order they were applied."""
    if not db[MIGRATIONS_TABLE].exists():
        return []
    rows = db.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()
    return [str(row[0]) for row in rows]


def pending(db: sqlite_utils.Database) -> list[Migration]:
    """The migrations not yet applied to ``db``, in order."""
    done = set(applied(db))
    return [migration for migration in MIGRATIONS if migration.__name__ not in done]


def unknown(names: list[str]) -> list[str]:
    """The names among ``names`` (applied to some archive) that this release does not know:
    that archive was made by a newer release."""
    known = {migration.__name__ for migration in MIGRATIONS}
    return [name for name in names if name not in known]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration, each in its own ``BEGIN IMMEDIATE`` transaction.

    Returns the names of the migrations applied by this call (empty when up to date).
    Two processes opening the same new archive at once are safe: the second one waits for
    the first one's transaction, then sees the migration recorded and skips it.
    """
    done: list[str] = []
    # Checked before writing anything, so opening an up-to-date archive takes no write lock.
    if not pending(db):
        return done
    db.execute(_CREATE_MIGRATIONS_TABLE)
    for migration in MIGRATIONS:
        name = migration.__name__
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                db.execute("COMMIT")
                continue
            migration(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, _now()])
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        logger.info("applied migration %s", name)
        done.append(name)
    return done
