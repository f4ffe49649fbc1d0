"""An archive made by the previous release (schema 1) opens and upgrades in place."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive import Archive, Capture, Fetch, content_hash, dedupe, migrations, queries

#: A real archive written by release 0.1.0 (schema 1): 20 articles, 2 crawls of the replica.
SCHEMA_1 = Path(__file__).resolve().parent / "fixtures" / "archives" / "schema-001.db"
OLD_TABLES = ("articles", "urls", "links", "tags", "article_tags", "fetches", "crawls")
ALL_MIGRATIONS = [
    "m001_initial_schema",
    "m002_versions_captures_events",
    "m003_frontier_and_revisits",
    "m004_french_search",
    "m005_listing_order_index",
    "m006_unreadable_pages",
    "m007_french_lemmas",
    "m008_media",
    "m009_nodes_and_merges",
]


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    shutil.copyfile(SCHEMA_1, path)
    return path


def snapshot(path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row of the schema-1 tables, with the columns schema 1 had."""
    conn = sqlite3.connect(path)
    try:
        tables = {}
        for table in OLD_TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
            tables[table] = (columns, rows.fetchall())
        return tables
    finally:
        conn.close()


def rows_now(archive: Archive, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid"
    return archive.db.execute(query).fetchall()


def test_the_fixture_is_a_schema_1_archive() -> None:
    conn = sqlite3.connect(f"{SCHEMA_1.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT name FROM _migrations").fetchall() == [("m001_initial_schema",)]
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone() == (20,)
        assert conn.execute("SELECT COUNT(*) FROM crawls").fetchone() == (2,)
    finally:
        conn.close()


def test_schema_1_upgrades_keeping_every_row(old_archive: Path) -> None:
    before = snapshot(old_archive)
    with Archive(old_archive) as archive:
        assert migrations.applied(archive.db) == ALL_MIGRATIONS
        for table, (columns, rows) in before.items():
            assert rows_now(archive, table, columns) == rows, table
        assert archive.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert [hit["id"] for hit in archive.search("Syrie")]  # the FTS index survived


def test_a_sample_article_reads_as_before(old_archive: Path) -> None:
    conn = sqlite3.connect(old_archive)
    conn.row_factory = sqlite3.Row
    old = dict(conn.execute("SELECT * FROM articles WHERE id = 1").fetchone())
    conn.close()
    with Archive(old_archive) as archive:
        article = archive.get_article(1)
    assert article is not None
    for column, value in old.items():
        if column not in ("authors", "tags"):
            assert article[column] == value, column
    assert (
        article["title"] == "Washington et Moscou discutent de la sécurité des opérations en Syrie"
    )
    assert article["related"] and article["urls"]


def test_every_article_gets_version_1(old_archive: Path) -> None:
    with Archive(old_archive) as archive:
        articles = list(archive.db.query("SELECT * FROM articles ORDER BY id"))
        assert len(articles) == 20
        for row in articles:
            versions = archive.versions(row["id"])
            assert len(versions) == 1, row["id"]
            version = versions[0]
            assert version["number"] == 1
            assert version["id"] == row["current_version_id"]
            assert version["content_hash"] == row["content_hash"]
            assert version["fetched_at"] == row["last_changed_at"]
            # Crawl 1 stored every article; crawl 2 only saw them unchanged.
            assert version["crawl_id"] == 1 != row["last_crawl_id"]
            assert version["capture_id"] is version["extractor"] is None
            for column in queries.VERSION_FIELD_COLUMNS:
                stored = version[column]
                if column in ("authors", "tags"):
                    stored = json.dumps(stored, ensure_ascii=False)
                assert stored == row[column], (row["id"], column)
            # The old release hashed content the way this one does: no spurious version 2.
            current = archive.get_article(row["id"])
            assert current is not None
            assert content_hash(current) == row["content_hash"]


def test_duplicate_detection_is_backfilled(old_archive: Path) -> None:
    with Archive(old_archive) as archive:
        rows = archive.db.execute("SELECT id, title, lead, body, text_hash FROM articles")
        for article_id, title, lead, body, text_hash in rows.fetchall():
            assert text_hash == dedupe.text_hash(title, lead, body), article_id
        signatures = archive.db.execute("SELECT article_id FROM dedupe_signatures").fetchall()
        assert sorted(a for (a,) in signatures) == list(range(1, 21))
        assert archive.counts()["dedupe_bands"] > 0
        # Exact duplicates of a migrated article are now recognised.
        original = archive.get_article(3)
        assert original is not None
        copy_url = "http://127.0.0.1:40091/international/copie-de-l-article-3/"
        copy = {**original, "url": copy_url, "canonical_url": None, "short_url": None}
        crawl = archive.begin_crawl("sputnik", {})
        result = archive.store_article(copy, crawl_id=crawl, fetch=Fetch(url=copy_url, status=200))
        assert (result.article_id, result.outcome) == (3, "alias")


def test_reopening_applies_nothing(old_archive: Path) -> None:
    Archive(old_archive).close()
    with Archive(old_archive) as archive:
        applied_at = archive.db.execute("SELECT * FROM _migrations").fetchall()
        assert migrations.pending(archive.db) == []
        assert migrations.migrate(archive.db) == []
        assert archive.backfill_dedupe() == 0
        assert archive.db.execute("SELECT * FROM _migrations").fetchall() == applied_at
        assert archive.counts()["versions"] == 20


def test_read_only_opening_changes_nothing(old_archive: Path) -> None:
    digest = hashlib.sha256(old_archive.read_bytes()).hexdigest()
    with Archive(old_archive, readonly=True) as archive:
        assert archive.pending_migrations == ALL_MIGRATIONS[1:]
        article = archive.get_article(1)  # reads as it can: no versions, events or captures yet
        assert article is not None
        assert (article["versions_count"], article["events"], article["text_hash"]) == (0, [], None)
        assert archive.versions(1) == archive.events(1) == list(archive.iter_captures()) == []
    assert hashlib.sha256(old_archive.read_bytes()).hexdigest() == digest


def test_an_edit_after_the_upgrade_is_version_2(old_archive: Path) -> None:
    with Archive(old_archive) as archive:
        article = archive.get_article(1)
        assert article is not None
        crawl = archive.begin_crawl("sputnik", {})
        fetch = Fetch(url=article["canonical_url"], status=200)
        unchanged = archive.store_article(article, crawl_id=crawl, fetch=fetch)
        assert (unchanged.article_id, unchanged.outcome) == (1, "unchanged")
        edited = {**article, "title": "Washington et Moscou se parlent enfin"}
        result = archive.store_article(edited, crawl_id=crawl, fetch=fetch)
        assert (result.article_id, result.outcome) == (1, "updated")
        versions = archive.versions(1)
        assert [(v["number"], v["title"]) for v in versions] == [
            (1, article["title"]),
            (2, edited["title"]),
        ]
        assert versions[1]["crawl_id"] == crawl
        assert archive.get_article(1)["current_version_id"] == versions[1]["id"]  # type: ignore[index]
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize(
    "done",
    [
        pytest.param(n, id=f"upto_{ALL_MIGRATIONS[n - 1]}")
        for n in range(1, ALL_MIGRATIONS.index("m006_unreadable_pages") + 1)
    ],
)
def test_every_earlier_schema_upgrades_and_then_keeps_unreadable_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, done: int
) -> None:
    path = tmp_path / "archive.db"
    # The archive an earlier release made: its migrations only, a crawl and a fetch of it.
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:done])
    old = sqlite_utils.Database(path)
    migrations.migrate(old)
    old.execute(
        "INSERT INTO crawls (spider, started_at, finished_at, status, not_article)"
        " VALUES ('sputnik', '2024-05-01T03:00:00+00:00', '2024-05-01T03:01:00+00:00',"
        " 'finished', 1)"
    )
    old.execute(
        "INSERT INTO fetches (crawl_id, url, status, fetched_at, outcome)"
        " VALUES (1, 'https://fr.sputniknews.com/a/', 200, '2024-05-01T03:00:30+00:00',"
        " 'not_article')"
    )
    old.conn.commit()
    old.close()
    monkeypatch.undo()
    with Archive(path) as archive:
        assert migrations.applied(archive.db) == ALL_MIGRATIONS
        [crawl] = archive.crawls()
        [fetch] = archive.rows("SELECT * FROM fetches")
        assert (crawl["not_article"], crawl["unreadable"]) == (1, 0)
        assert (fetch["outcome"], fetch["capture_id"]) == ("not_article", None)
        assert archive.unreadable_pages() == []
        new = archive.begin_crawl("sputnik", {})
        page = Capture(url="https://fr.sputniknews.com/b/", status=200, headers={}, body=b"<p>")
        archive.record_fetch(new, Fetch(url=page.url, status=200), "unreadable", capture=page)
        assert archive.finish_crawl(new, "finished")["unreadable"] == 1
        assert [p["url"] for p in archive.unreadable_pages()] == [page.url]
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_archive_made_before_photos_upgrades_and_keeps_them_from_then_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive.db"
    article = {
        "url": "https://fr.sputniknews.com/a/",
        "title": "Avant les photos",
        "lead": "Un chapeau.",
        "image_url": "https://cdn.example/a.jpg",
        "image_caption": "Une légende",
    }
    with Archive(path) as made:
        crawl = made.begin_crawl("sputnik", {})
        made.store_article(article, crawl_id=crawl, fetch=Fetch(url=article["url"], status=200))
    # The same archive as the release before photos left it: no tables, no migration row.
    old = sqlite3.connect(path)
    old.executescript(
        "DROP TABLE version_media; DROP TABLE media;"
        " DROP TABLE merges; ALTER TABLE crawls DROP COLUMN node;"
        " DELETE FROM _migrations WHERE name IN ('m008_media', 'm009_nodes_and_merges');"
    )
    old.close()
    with Archive(path, readonly=True) as reader:  # an older file reads without its photos
        assert reader.get_article(1)["photos"] == []  # type: ignore[index]
        assert list(reader.iter_media()) == []
        assert reader.media("0" * 64) is None
    with Archive(path) as archive:
        assert migrations.applied(archive.db) == ALL_MIGRATIONS
        assert archive.db["media"].count == archive.db["version_media"].count == 0
        [version] = archive.versions(1)
        assert archive.photos([version["id"]]) == {}  # never fetched: no rows made up
        assert archive.get_article(1)["photos"] == []  # type: ignore[index]
        assert archive.get_article(1)["image_url"] == article["image_url"]  # type: ignore[index]
        crawl = archive.begin_crawl("sputnik", {})
        edited = {**article, "title": "Après les photos", "image_url": "https://cdn.example/b.jpg"}
        fetch = Fetch(url=article["url"], status=200)
        assert archive.store_article(edited, crawl_id=crawl, fetch=fetch).outcome == "updated"
        [photo] = archive.get_article(1)["photos"]  # type: ignore[index]
        assert (photo["url"], photo["role"], photo["sha256"]) == (edited["image_url"], "main", None)
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
