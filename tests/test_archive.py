"""The archive's Python API: migrations, storing articles, links, tags, crawls, search."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

from archive import (
    DEFAULT_PATH,
    Archive,
    ArchiveError,
    ArchiveNotFoundError,
    Capture,
    Fetch,
    ReadOnlyArchiveError,
    content_hash,
    dedupe,
    migrations,
    resolve_path,
)

SITE = "https://fr.sputniknews.com"
SCHEMA_TABLES = {
    "articles",
    "urls",
    "links",
    "tags",
    "article_tags",
    "crawls",
    "fetches",
    "versions",
    "captures",
    "events",
    "dedupe_signatures",
    "dedupe_bands",
    "frontier",
    "media",
    "version_media",
    "merges",
}
FTS_TABLES = {
    "articles_fts",
    "articles_fts_data",
    "articles_fts_idx",
    "articles_fts_docsize",
    "articles_fts_config",
    "articles_fts_fr",
    "articles_fts_fr_data",
    "articles_fts_fr_idx",
    "articles_fts_fr_content",
    "articles_fts_fr_docsize",
    "articles_fts_fr_config",
}


def make_article(number: int = 1, **changes: Any) -> dict[str, Any]:
    """An ``Article.to_dict()``-shaped mapping."""
    url = f"{SITE}/international/2017062110{number:08d}-article-{number}/"
    article: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "site": "sputnik",
        "language": "fr",
        "title": f"Washington et Moscou discutent de la sécurité ({number})",
        "lead": "Les militaires russes et américains discutent.",
        "body": "Premier paragraphe.\n\nDeuxième paragraphe sur la Syrie.",
        "authors": ["Jean Dupont"],
        "category": "International",
        "tags": ["Syrie", "Russie", "États-Unis"],
        "published_at": "2017-06-21T14:32:00+03:00",
        "published_at_raw": "14:32 21.06.2017",
        "modified_at": None,
        "modified_at_raw": None,
        "image_url": f"{SITE}/images/{number}.jpg",
        "image_caption": "Un chasseur russe Sukhoi Su-30 SM",
        "image_credit": "© Sputnik . Ramil Sitdikov",
        "short_url": f"{SITE}/s/{number:04d}",
        "views": 6822,
        "related": [],
    }
    article.update(changes)
    return article


def link(number: int, position: int, kind: str = "lire_aussi") -> dict[str, Any]:
    url = make_article(number)["url"]
    return {"url": url, "title": f"Titre {number}", "kind": kind, "position": position}


def fetch_for(article: dict[str, Any], **changes: Any) -> Fetch:
    values: dict[str, Any] = {"url": article["url"], "status": 200, "bytes": 1000, "ms": 12.5}
    values.update(changes)
    return Fetch(**values)


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


@pytest.fixture
def crawl_id(archive: Archive) -> int:
    return archive.begin_crawl("sputnik", {"related_depth": "1"})


def store(archive: Archive, crawl_id: int, article: dict[str, Any], **fetch: Any) -> Any:
    return archive.store_article(article, crawl_id=crawl_id, fetch=fetch_for(article, **fetch))


def row_counts(archive: Archive) -> dict[str, int]:
    counts = archive.counts()
    del counts["fetches"]  # one per store, by design
    return counts


# -- opening and migrations --------------------------------------------------------------


def test_migrations_create_exactly_the_tables(archive: Archive) -> None:
    assert set(archive.db.table_names()) == SCHEMA_TABLES | FTS_TABLES | {"_migrations"}


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    Archive(path).close()
    with Archive(path) as again:
        names = [r["name"] for r in again.db.query("SELECT name FROM _migrations")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS]
        assert migrations.migrate(again.db) == []
        assert all(r["applied_at"] for r in again.db.query("SELECT * FROM _migrations"))


def test_failed_migration_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def m999_broken(db: Any) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    path = tmp_path / "archive.db"
    Archive(path).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, m999_broken))
    with pytest.raises(RuntimeError, match="boom"):
        Archive(path)
    monkeypatch.undo()
    with Archive(path) as reopened:
        assert "half_done" not in reopened.db.table_names()
        assert migrations.pending(reopened.db) == []


def test_connection_settings(archive: Archive) -> None:
    assert archive.db.journal_mode == "wal"
    assert archive.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert archive.db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert archive.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_fts_is_visible_to_datasette_style_detection(archive: Archive) -> None:
    assert archive.db.table("articles").detect_fts() == "articles_fts"


# -- storing articles --------------------------------------------------------------------


def test_store_new_then_unchanged_without_duplicates(archive: Archive, crawl_id: int) -> None:
    article = make_article(1, related=[link(2, 0), link(3, 1, "inline")])
    first = store(archive, crawl_id, article)
    assert first.outcome == "new"
    counts = row_counts(archive)
    for _ in range(3):
        again = store(archive, crawl_id, article)
        assert again.outcome == "unchanged"
        assert again.article_id == first.article_id
    assert row_counts(archive) == counts
    assert counts["articles"] == 1
    assert counts["links"] == 2
    assert counts["tags"] == 3
    assert counts["article_tags"] == 3
    assert archive.counts()["fetches"] == 4


def test_stored_fields_round_trip(archive: Archive, crawl_id: int) -> None:
    article = make_article(1, related=[link(2, 0)])
    result = store(archive, crawl_id, article)
    stored = archive.get_article(result.article_id)
    assert stored is not None
    for name, value in article.items():
        if name != "related":
            assert stored[name] == value, name
    assert stored["related"] == article["related"]
    assert stored["status"] == "live"
    assert stored["duplicate_of"] is None
    assert stored["first_seen_at"] == stored["last_seen_at"] == stored["last_changed_at"]
    assert len(stored["content_hash"]) == 64
    assert {u["kind"] for u in stored["urls"]} == {"canonical", "short"}


def test_whitespace_only_change_is_unchanged(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    store(archive, crawl_id, article)
    spaced = make_article(
        1,
        title="  Washington  et Moscou\u00a0discutent de la sécurité (1) ",
        body="Premier paragraphe.\n\n\n  Deuxième   paragraphe sur la Syrie.\n",
        views=9999,
    )
    result = store(archive, crawl_id, spaced)
    assert result.outcome == "unchanged"
    stored = archive.get_article(result.article_id)
    assert stored is not None
    assert stored["title"] == article["title"]  # the first text is kept
    assert stored["views"] == 9999  # views never count as content, but are kept current


def test_title_change_is_updated(archive: Archive, crawl_id: int) -> None:
    first = store(archive, crawl_id, make_article(1), fetched_at="2024-01-01T00:00:00+00:00")
    changed = make_article(1, title="Nouveau titre", tags=["Syrie"])
    result = store(archive, crawl_id, changed, fetched_at="2024-01-02T00:00:00+00:00")
    assert (result.article_id, result.outcome) == (first.article_id, "updated")
    assert result.version_id is not None
    stored = archive.get_article(first.article_id)
    assert stored is not None
    assert stored["title"] == "Nouveau titre"
    assert stored["tags"] == ["Syrie"]
    assert stored["first_seen_at"] == "2024-01-01T00:00:00+00:00"
    assert stored["last_changed_at"] == stored["last_seen_at"] == "2024-01-02T00:00:00+00:00"
    assert archive.counts()["articles"] == 1


def test_unchanged_fills_missing_non_content_fields(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, short_url=None))
    result = store(archive, crawl_id, make_article(1))
    assert result.outcome == "unchanged"
    stored = archive.get_article(result.article_id)
    assert stored is not None
    assert stored["short_url"] == make_article(1)["short_url"]


def test_lookup_by_any_url(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    requested = f"{SITE}/international/old-address-1/"
    result = store(archive, crawl_id, article, requested_url=requested, redirect_urls=[requested])
    tracking = article["url"] + "?utm_source=twitter&fbclid=abc#comments"
    for url in (article["short_url"], tracking, requested, article["url"], str(result.article_id)):
        found = archive.get_article(url)
        assert found is not None, url
        assert found["id"] == result.article_id
    assert archive.get_article(f"{SITE}/international/unknown/") is None
    assert archive.get_article(999) is None


def test_known_urls_find_the_article_when_stored_again(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    first = store(archive, crawl_id, article)
    via_short = make_article(1, url=article["short_url"], canonical_url=None)
    via_tracking = make_article(1, url=article["url"] + "?utm_medium=rss", canonical_url=None)
    for variant in (via_short, via_tracking):
        assert store(archive, crawl_id, variant) == first.__class__(
            first.article_id, "unchanged", version=1
        )
    assert archive.counts()["articles"] == 1


def test_requested_url_finds_a_moved_article(archive: Archive, crawl_id: int) -> None:
    old = make_article(1)
    first = store(archive, crawl_id, old)
    moved_url = f"{SITE}/russie/2017062110-moved/"
    moved = make_article(1, url=moved_url, canonical_url=moved_url, short_url=None)
    result = store(archive, crawl_id, moved, requested_url=old["url"], redirect_urls=[old["url"]])
    assert result.article_id == first.article_id
    found = archive.get_article(moved_url)
    assert found is not None
    assert found["id"] == first.article_id
    assert {"url": moved_url, "kind": "canonical"} in found["urls"]


def test_not_an_article_is_refused(archive: Archive, crawl_id: int) -> None:
    with pytest.raises(ValueError, match="no title"):
        store(archive, crawl_id, make_article(1, title=" "))
    with pytest.raises(ValueError, match="no lead or body"):
        store(archive, crawl_id, make_article(1, lead=None, body=None))
    assert archive.counts()["articles"] == 0


def test_store_is_one_transaction(archive: Archive) -> None:
    article = make_article(1, related=[link(2, 0)])
    with pytest.raises(sqlite3.IntegrityError):
        archive.store_article(article, crawl_id=12345, fetch=fetch_for(article))  # no such crawl
    assert set(archive.counts().values()) == {0}


# -- links -------------------------------------------------------------------------------


def test_links_keep_kind_and_position(archive: Archive, crawl_id: int) -> None:
    related = [link(2, 0, "inline"), link(3, 1), link(4, 2)]
    result = store(archive, crawl_id, make_article(1, related=related))
    rows = list(archive.db.query("SELECT * FROM links ORDER BY position"))
    assert [(r["kind"], r["position"], r["anchor"]) for r in rows] == [
        ("inline", 0, "Titre 2"),
        ("lire_aussi", 1, "Titre 3"),
        ("lire_aussi", 2, "Titre 4"),
    ]
    assert all(r["from_article_id"] == result.article_id for r in rows)
    assert all(r["first_crawl_id"] == r["last_crawl_id"] == crawl_id for r in rows)


def test_link_target_resolved_when_target_arrives_later(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, related=[link(2, 0)]))
    assert archive.db.execute("SELECT target_article_id FROM links").fetchone()[0] is None
    target = store(archive, crawl_id, make_article(2))
    assert archive.db.execute("SELECT target_article_id FROM links").fetchone()[0] == (
        target.article_id
    )


def test_link_target_resolved_when_target_came_first(archive: Archive, crawl_id: int) -> None:
    target = store(archive, crawl_id, make_article(2))
    tracked = dict(link(2, 0), url=make_article(2)["url"] + "?utm_source=sputnik")
    store(archive, crawl_id, make_article(1, related=[tracked]))
    assert archive.db.execute("SELECT target_article_id FROM links").fetchone()[0] == (
        target.article_id
    )


def test_link_to_short_url_resolved(archive: Archive, crawl_id: int) -> None:
    target = store(archive, crawl_id, make_article(2))
    short = {"url": make_article(2)["short_url"], "title": "court", "kind": "lire_aussi"}
    store(archive, crawl_id, make_article(1, related=[short]))
    assert archive.db.execute("SELECT target_article_id FROM links").fetchone()[0] == (
        target.article_id
    )


def test_links_are_kept_but_related_is_current(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, related=[link(2, 0), link(3, 1)]))
    result = store(archive, crawl_id, make_article(1, related=[link(3, 0)]))
    assert archive.counts()["links"] == 2  # never deleted
    stored = archive.get_article(result.article_id)
    assert stored is not None
    assert stored["related"] == [link(3, 0)]


# -- tags --------------------------------------------------------------------------------


def article_tags(archive: Archive, article_id: int) -> list[tuple[str, int]]:
    rows = archive.db.execute(
        "SELECT tags.name, article_tags.position FROM article_tags"
        " JOIN tags ON tags.id = article_tags.tag_id"
        " WHERE article_id = ? ORDER BY position",
        [article_id],
    ).fetchall()
    return [(name, position) for name, position in rows]


def test_tags_many_to_many_with_positions(archive: Archive, crawl_id: int) -> None:
    one = store(archive, crawl_id, make_article(1, tags=["Syrie", "Russie"]))
    two = store(archive, crawl_id, make_article(2, tags=["Russie", "Défense"]))
    assert archive.counts()["tags"] == 3  # "Russie" shared, not duplicated
    assert article_tags(archive, one.article_id) == [("Syrie", 0), ("Russie", 1)]
    assert article_tags(archive, two.article_id) == [("Russie", 0), ("Défense", 1)]


def test_tag_list_is_replaced(archive: Archive, crawl_id: int) -> None:
    first = store(archive, crawl_id, make_article(1, tags=["Syrie", "Russie"]))
    store(archive, crawl_id, make_article(1, tags=["Russie", "OTAN", "Russie"]))
    assert article_tags(archive, first.article_id) == [("Russie", 0), ("OTAN", 1)]
    stored = archive.get_article(first.article_id)
    assert stored is not None
    assert stored["tags"] == ["Russie", "OTAN"]


# -- crawls and fetches ------------------------------------------------------------------


def test_crawl_counts_come_from_fetches(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    store(archive, crawl_id, make_article(1))
    store(archive, crawl_id, make_article(1, title="Autre titre"))
    page = Fetch(url=f"{SITE}/international/", status=200)
    archive.record_fetch(crawl_id, page, "not_article")
    unreadable = Capture(url=page.url, status=200, headers={}, body=b"<html></html>")
    archive.record_fetch(crawl_id, page, "unreadable", capture=unreadable)
    archive.record_fetch(crawl_id, page, "discovery")
    archive.record_fetch(crawl_id, Fetch(url=f"{SITE}/missing", status=404), "http_error")
    archive.record_fetch(crawl_id, Fetch(url=f"{SITE}/down", status=None, error="timeout"), "error")
    other = archive.begin_crawl("sputnik", {})
    archive.record_fetch(other, page, "not_article")

    counts = archive.finish_crawl(crawl_id, "finished")
    expected = {
        "fetched": 7,  # the network failure has no status
        "new": 1,
        "updated": 1,
        "unchanged": 1,
        "not_article": 1,
        "unreadable": 1,
        "errors": 2,
        "gone": 0,
        "aliases": 0,
    }
    assert counts == expected
    row = archive.crawls()[-1]
    assert row["id"] == crawl_id
    assert {k: row[k] for k in expected} == expected
    assert row["status"] == "finished"
    assert row["finish_reason"] == "finished"
    assert row["finished_at"] >= row["started_at"]
    assert row["arguments"] == {"related_depth": "1"}
    assert row["pid"] and row["host"] and row["version"]


def test_a_running_crawls_counts_are_brought_up_to_date(archive: Archive, crawl_id: int) -> None:
    """Counts so far, status and times untouched; a closed crawl keeps its final counts."""
    store(archive, crawl_id, make_article(1))
    archive.record_fetch(crawl_id, Fetch(url=f"{SITE}/missing", status=404), "http_error")
    counts = archive.update_crawl_counts(crawl_id, not_due=7)
    assert (counts["fetched"], counts["new"], counts["errors"], counts["not_due"]) == (2, 1, 1, 7)
    row = archive.crawls()[0]
    assert (row["status"], row["finished_at"], row["finish_reason"]) == ("running", None, None)
    assert (row["fetched"], row["new"], row["errors"], row["not_due"]) == (2, 1, 1, 7)
    store(archive, crawl_id, make_article(2))
    archive.update_crawl_counts(crawl_id)  # not_due kept as it was
    assert (archive.crawls()[0]["new"], archive.crawls()[0]["not_due"]) == (2, 7)
    archive.finish_crawl(crawl_id, "finished", not_due=3)
    store(archive, crawl_id, make_article(3))  # a late write cannot move a closed crawl's row
    archive.update_crawl_counts(crawl_id, not_due=9)
    row = archive.crawls()[0]
    assert (row["status"], row["new"], row["not_due"]) == ("finished", 2, 3)
    with pytest.raises(ValueError, match=f"no crawl with id {crawl_id + 1}"):
        archive.update_crawl_counts(crawl_id + 1)


def test_crawls_newest_first_and_limit(archive: Archive) -> None:
    ids = [archive.begin_crawl("sputnik", {"n": str(n)}) for n in range(3)]
    assert [c["id"] for c in archive.crawls()] == ids[::-1]
    assert [c["id"] for c in archive.crawls(limit=2)] == ids[:0:-1]
    assert archive.crawls()[0]["status"] == "running"


def test_finish_crawl_refuses_unknowns(archive: Archive, crawl_id: int) -> None:
    with pytest.raises(ValueError, match="no crawl"):
        archive.finish_crawl(crawl_id + 1, "finished")
    with pytest.raises(ValueError, match="status"):
        archive.finish_crawl(crawl_id, "finished", status="done")
    with pytest.raises(ValueError, match="outcome"):
        archive.record_fetch(crawl_id, Fetch(url=SITE, status=200), "fine")


def test_fetch_rows(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    requested = f"{SITE}/old/"
    result = store(archive, crawl_id, article, requested_url=requested)
    row = next(archive.db.query("SELECT * FROM fetches"))
    assert row["crawl_id"] == crawl_id
    assert row["url"] == article["url"]
    assert row["requested_url"] == requested
    assert (row["status"], row["bytes"], row["ms"]) == (200, 1000, 12.5)
    assert row["outcome"] == "new"
    assert row["article_id"] == result.article_id
    assert row["fetched_at"]


# -- search ------------------------------------------------------------------------------


def test_search_ignores_accents(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    store(archive, crawl_id, make_article(2, title="Autre chose", lead="Rien.", body="Rien."))
    hits = archive.search("securite")
    assert [h["id"] for h in hits] == [1]
    assert set(hits[0]) >= {"id", "url", "title", "published_at", "category", "snippet"}
    assert "[sécurité]" in hits[0]["snippet"]
    assert archive.search("SÉCURITÉ")[0]["id"] == 1
    assert {h["id"] for h in archive.search("Russie")} == {1, 2}  # tags are indexed too


def test_search_follows_updates(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    store(archive, crawl_id, make_article(1, title="Un titre sur les frégates"))
    assert [h["id"] for h in archive.search("fregates")] == [1]
    assert archive.search("Washington") == []


def test_search_ranks_and_limits(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, title="Syrie Syrie Syrie"))
    store(archive, crawl_id, make_article(2, title="Autre"))
    hits = archive.search("syrie")
    assert [h["id"] for h in hits] == [1, 2]
    assert len(archive.search("syrie", limit=1)) == 1


@pytest.mark.parametrize(
    "query", ['"unbalanced', "(", ")", "AND", "NEAR(", "sécurité OR", "*", "title:", '"', "a-b"]
)
def test_search_survives_bad_syntax(archive: Archive, crawl_id: int, query: str) -> None:
    store(archive, crawl_id, make_article(1))
    assert isinstance(archive.search(query), list)


def test_search_falls_back_to_words(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    assert [h["id"] for h in archive.search('"sécurité')] == [1]
    assert [h["id"] for h in archive.search("Moscou (")] == [1]


@pytest.mark.parametrize("query", ["", "   "])
def test_search_refuses_empty_query(archive: Archive, query: str) -> None:
    with pytest.raises(ValueError, match="empty search query"):
        archive.search(query)


# -- read-only ---------------------------------------------------------------------------


def test_readonly_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive(path) as writable:
        crawl = writable.begin_crawl("sputnik", {})
        writable.store_article(make_article(1), crawl_id=crawl, fetch=fetch_for(make_article(1)))
    with Archive(path, readonly=True) as readonly:
        assert readonly.get_article(1) is not None
        assert readonly.search("securite")
        with pytest.raises(ReadOnlyArchiveError):
            readonly.begin_crawl("sputnik", {})
        with pytest.raises(ReadOnlyArchiveError):
            readonly.store_article(
                make_article(2), crawl_id=crawl, fetch=fetch_for(make_article(2))
            )
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            readonly.db.execute("DELETE FROM articles")


def test_readonly_never_creates(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(ArchiveNotFoundError):
        Archive(path, readonly=True)
    assert not path.exists()


def test_a_foreign_sqlite_database_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    with pytest.raises(ArchiveError, match="not an archive"):
        Archive(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == ["notes"]


def test_resolve_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_PATH", raising=False)
    assert resolve_path() == DEFAULT_PATH == "archive.db"
    monkeypatch.setenv("ARCHIVE_PATH", "/data/news.db")
    assert resolve_path() == "/data/news.db"
    assert resolve_path("given.db") == "given.db"
    assert resolve_path(Path("p.db")) == "p.db"


def test_content_hash_ignores_whitespace_views_and_repeats() -> None:
    base = make_article(1)
    assert content_hash(base) == content_hash(
        make_article(
            1, title=base["title"].replace(" ", "  "), views=1, tags=[*base["tags"], "Syrie"]
        )
    )
    assert content_hash(base) != content_hash(make_article(1, tags=base["tags"][::-1]))
    assert content_hash(base) != content_hash(make_article(1, image_caption="Autre légende"))


# -- versions ----------------------------------------------------------------------------

T1, T2, T3, T4 = (f"2024-01-0{day}T00:00:00+00:00" for day in (1, 2, 3, 4))


def versions_table(archive: Archive) -> list[tuple[int, int, str]]:
    rows = archive.db.execute("SELECT article_id, number, title FROM versions ORDER BY id")
    return [(a, n, t) for a, n, t in rows.fetchall()]


def test_new_article_is_version_1(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    result = store(archive, crawl_id, article, fetched_at=T1)
    assert result.outcome == "new"
    versions = archive.versions(result.article_id)
    assert len(versions) == 1
    version = versions[0]
    assert version["id"] == result.version_id
    assert (version["number"], version["crawl_id"], version["fetched_at"]) == (1, crawl_id, T1)
    assert version["content_hash"] == content_hash(article)
    for name in ("title", "lead", "body", "authors", "tags", "category", "published_at_raw"):
        assert version[name] == article[name], name
    stored = archive.get_article(result.article_id)
    assert stored is not None
    assert stored["current_version_id"] == result.version_id
    assert stored["versions_count"] == 1
    assert stored["content_hash"] == version["content_hash"]


def test_edits_make_versions_whitespace_does_not(archive: Archive, crawl_id: int) -> None:
    first = store(archive, crawl_id, make_article(1), fetched_at=T1)
    retitled = store(archive, crawl_id, make_article(1, title="Nouveau titre"), fetched_at=T2)
    spaced = make_article(
        1,
        title="  Nouveau\u00a0 titre ",
        body="Premier paragraphe.\n\n\n  Deuxième   paragraphe sur la Syrie.\n",
    )
    again = store(archive, crawl_id, spaced, fetched_at=T3)
    retagged = store(archive, crawl_id, make_article(1, title="Nouveau titre", tags=["Syrie"]))
    assert [r.outcome for r in (first, retitled, again, retagged)] == [
        "new",
        "updated",
        "unchanged",
        "updated",
    ]
    assert again.version_id is None
    versions = archive.versions(make_article(1)["url"])  # by URL too
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert [v["id"] for v in versions] == [
        first.version_id,
        retitled.version_id,
        retagged.version_id,
    ]
    assert [v["title"] for v in versions] == [
        make_article(1)["title"],
        "Nouveau titre",
        "Nouveau titre",
    ]
    assert versions[1]["fetched_at"] == T2
    assert versions[2]["tags"] == ["Syrie"]
    stored = archive.get_article(first.article_id)
    assert stored is not None
    assert stored["current_version_id"] == retagged.version_id
    assert stored["versions_count"] == 3
    assert archive.versions(999) == []
    assert archive.versions(f"{SITE}/nowhere/") == []


def test_the_same_article_in_two_crawls(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1), fetched_at=T1)
    second = archive.begin_crawl("sputnik", {})
    result = store(archive, second, make_article(1, lead="Chapeau réécrit."), fetched_at=T2)
    assert [v["crawl_id"] for v in archive.versions(result.article_id)] == [crawl_id, second]


# -- captures ----------------------------------------------------------------------------

HEADERS = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": ["a=1", "b=2"]}


def capture_for(article: dict[str, Any], body: bytes = b"<html>page</html>") -> Capture:
    return Capture(url=article["url"], status=200, headers=HEADERS, body=body)


def store_captured(
    archive: Archive, crawl_id: int, article: dict[str, Any], body: bytes, **fetch: Any
) -> Any:
    return archive.store_article(
        article,
        crawl_id=crawl_id,
        fetch=fetch_for(article, **fetch),
        capture=capture_for(article, body),
        extractor="SputnikArticlePage",
        extractor_version="3",
    )


def test_captures_are_kept_for_new_versions_only(archive: Archive, crawl_id: int) -> None:
    first = store_captured(archive, crawl_id, make_article(1), b"<html>v1</html>", fetched_at=T1)
    same = store_captured(archive, crawl_id, make_article(1, views=7000), b"<html>v1 7000</html>")
    edited = store_captured(archive, crawl_id, make_article(1, title="Autre"), b"<html>v2</html>")
    assert [r.outcome for r in (first, same, edited)] == ["new", "unchanged", "updated"]
    assert archive.counts()["captures"] == 2
    versions = archive.versions(first.article_id)
    assert [v["extractor"] for v in versions] == ["SputnikArticlePage"] * 2
    assert [v["extractor_version"] for v in versions] == ["3", "3"]
    assert [archive.capture_body(v["capture_id"]) for v in versions] == [
        b"<html>v1</html>",
        b"<html>v2</html>",
    ]
    (capture,) = archive.db.query(
        "SELECT * FROM captures WHERE id = ?", [versions[0]["capture_id"]]
    )
    assert json.loads(capture["headers"]) == {
        "Content-Type": ["text/html; charset=utf-8"],
        "Set-Cookie": ["a=1", "b=2"],
    }
    assert zlib.decompress(capture["body"]) == b"<html>v1</html>"  # stored compressed
    assert capture["compression"] == "zlib"
    assert capture["body_size"] == len(b"<html>v1</html>")
    assert capture["body_sha256"] == hashlib.sha256(b"<html>v1</html>").hexdigest()
    assert (capture["url"], capture["status"], capture["crawl_id"]) == (
        make_article(1)["url"],
        200,
        crawl_id,
    )
    assert capture["fetched_at"] == T1 == versions[0]["fetched_at"]


def test_an_identical_response_reuses_its_capture(archive: Archive, crawl_id: int) -> None:
    store_captured(archive, crawl_id, make_article(1), b"<html>A</html>")
    store_captured(archive, crawl_id, make_article(1, title="B"), b"<html>B</html>")
    store_captured(archive, crawl_id, make_article(1), b"<html>A</html>")  # reverted
    versions = archive.versions(1)
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert versions[2]["capture_id"] == versions[0]["capture_id"]
    assert archive.counts()["captures"] == 2


def test_a_store_without_capture_keeps_none(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    assert archive.versions(1)[0]["capture_id"] is None
    assert archive.counts()["captures"] == 0


def test_capture_body_detects_damage(archive: Archive, crawl_id: int) -> None:
    store_captured(archive, crawl_id, make_article(1), b"<html>good</html>")
    archive.db.execute("UPDATE captures SET body = ?", [zlib.compress(b"<html>evil</html>")])
    with pytest.raises(ArchiveError, match="sha256"):
        archive.capture_body(1)
    archive.db.execute("UPDATE captures SET body = ?", [b"not zlib at all"])
    with pytest.raises(ArchiveError, match="decompress"):
        archive.capture_body(1)
    with pytest.raises(ValueError, match="no capture"):
        archive.capture_body(2)


def test_iter_captures_streams_every_capture(archive: Archive, crawl_id: int) -> None:
    for number in range(1, 41):  # more than one batch
        store_captured(archive, crawl_id, make_article(number), f"<p>{number}</p>".encode())
    store_captured(archive, crawl_id, make_article(1, title="Autre"), b"<p>1 bis</p>")
    seen = []
    for capture in archive.iter_captures():
        if capture["id"] == 1:  # writing between two yields is allowed
            store_captured(archive, crawl_id, make_article(99), b"<p>99</p>")
        seen.append(capture)
    assert [c["id"] for c in seen] == list(range(1, 43))
    first = seen[0]
    assert set(first) >= {
        "id",
        "url",
        "fetched_at",
        "status",
        "headers",
        "body",
        "body_sha256",
        "article_id",
        "version_id",
    }
    assert first["body"] == b"<p>1</p>"
    assert first["headers"]["Set-Cookie"] == ["a=1", "b=2"]
    assert (first["article_id"], first["error"]) == (1, None)
    assert first["version_id"] == archive.versions(1)[0]["id"]
    assert [c["body"] for c in archive.iter_captures(make_article(1)["url"])] == [
        b"<p>1</p>",
        b"<p>1 bis</p>",
    ]
    assert len(list(archive.iter_captures(crawl_id=crawl_id))) == 42
    assert list(archive.iter_captures(crawl_id=crawl_id + 1)) == []
    assert list(archive.iter_captures(f"{SITE}/nowhere/")) == []


def test_iter_captures_reports_damage(archive: Archive, crawl_id: int) -> None:
    store_captured(archive, crawl_id, make_article(1), b"<p>1</p>")
    store_captured(archive, crawl_id, make_article(2), b"<p>2</p>")
    archive.db.execute("UPDATE captures SET body = ? WHERE id = 1", [b"garbage"])
    damaged, fine = archive.iter_captures()
    assert damaged["body"] is None and "decompress" in damaged["error"]
    assert (fine["body"], fine["error"]) == (b"<p>2</p>", None)
    with pytest.raises(ArchiveError, match="capture 1"):
        list(archive.iter_captures(verify=True))


# -- exact and near duplicates -----------------------------------------------------------

LONG_BODY = "\n\n".join(
    f"Paragraphe {n} : les militaires russes et américains ont discuté de la sécurité des "
    f"vols au-dessus de la Syrie, selon le ministère de la Défense, point numéro {n}."
    for n in range(1, 13)
)


def test_same_text_under_another_url_is_an_alias(archive: Archive, crawl_id: int) -> None:
    original = store(archive, crawl_id, make_article(1), fetched_at=T1)
    counts = archive.counts()
    copy_url = f"{SITE}/russie/201706211099999999-copie/"
    copy = make_article(
        1, url=copy_url, canonical_url=copy_url, short_url=None, tags=["Autre"], views=1
    )
    result = store(archive, crawl_id, copy, fetched_at=T2)
    assert (result.article_id, result.outcome) == (original.article_id, "alias")
    assert result.version_id is None
    after = archive.counts()
    assert after["articles"] == counts["articles"]
    assert after["versions"] == counts["versions"]
    assert after["urls"] == counts["urls"] + 1
    stored = archive.get_article(copy_url)  # the alias finds the original
    assert stored is not None
    assert stored["id"] == original.article_id
    assert {"url": copy_url, "kind": "alias"} in stored["urls"]
    assert stored["tags"] == make_article(1)["tags"]  # the original's, untouched
    assert stored["last_seen_at"] == T2
    assert [(e["kind"], e["url"], e["detail"]) for e in stored["events"]] == [
        ("alias", copy_url, {"url": copy_url})
    ]
    fetch = archive.db.execute("SELECT outcome, article_id FROM fetches ORDER BY id DESC")
    assert fetch.fetchone() == ("alias", original.article_id)

    again = store(archive, crawl_id, copy, fetched_at=T3)  # seen again: no new event
    assert (again.article_id, again.outcome) == (original.article_id, "alias")
    assert len(archive.events(original.article_id)) == 1
    assert archive.counts()["versions"] == counts["versions"]


def test_an_alias_whose_text_diverges_becomes_an_article(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    copy_url = f"{SITE}/russie/201706211099999999-copie/"
    copy = make_article(1, url=copy_url, canonical_url=copy_url, short_url=None)
    store(archive, crawl_id, copy)
    rewritten = dict(copy, title="Un tout autre sujet", lead="Rien à voir.", body="Vraiment.")
    result = store(archive, crawl_id, rewritten)
    assert result.outcome == "new"
    assert result.article_id != 1
    found = archive.get_article(copy_url)
    assert found is not None
    assert found["id"] == result.article_id
    assert {"url": copy_url, "kind": "canonical"} in found["urls"]
    assert archive.get_article(1)["title"] == make_article(1)["title"]  # type: ignore[index]


def test_near_duplicate_is_its_own_article(archive: Archive, crawl_id: int) -> None:
    original = store(archive, crawl_id, make_article(1, body=LONG_BODY))
    near = make_article(2, body=LONG_BODY.replace("point numéro 7.", "point numéro sept."))
    result = store(archive, crawl_id, near)
    assert result.outcome == "new"
    assert result.article_id != original.article_id
    assert result.duplicate_of == original.article_id
    assert result.similarity is not None and 0.5 < result.similarity < 1
    stored = archive.get_article(result.article_id)
    assert stored is not None
    assert (stored["duplicate_of"], stored["similarity"]) == (
        original.article_id,
        result.similarity,
    )
    assert stored["body"] == near["body"]  # text is never thrown away
    events = [(e["kind"], e["detail"]) for e in stored["events"]]
    assert events == [("duplicate", {"of": original.article_id, "similarity": result.similarity})]
    assert archive.events(original.article_id) == []


def test_unrelated_text_is_no_duplicate(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, body=LONG_BODY))
    other = make_article(
        2,
        title="Le prix du blé atteint un record",
        lead="Les marchés agricoles s'affolent.",
        body="La récolte est mauvaise en Europe.\n\nLes cours montent à Chicago et à Paris.",
    )
    result = store(archive, crawl_id, other)
    assert (result.outcome, result.duplicate_of, result.similarity) == ("new", None, None)
    assert archive.events(result.article_id) == []


def test_every_stored_article_is_indexed(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    store(archive, crawl_id, make_article(2, title="Autre", body=LONG_BODY))
    store(archive, crawl_id, make_article(1, title="Retitré"))
    rows = archive.db.execute(
        "SELECT articles.id, text_hash, signature FROM articles"
        " LEFT JOIN dedupe_signatures ON dedupe_signatures.article_id = articles.id"
    ).fetchall()
    assert len(rows) == 2
    assert all(text_hash and signature for _id, text_hash, signature in rows)
    retitled = archive.get_article(1)
    assert retitled is not None
    assert retitled["text_hash"] == dedupe.text_hash("Retitré", retitled["lead"], retitled["body"])


def test_backfill_fills_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        store(archive, crawl, make_article(1))
        store(archive, crawl, make_article(2, title="Autre", body=LONG_BODY))
        expected = archive.db.execute("SELECT id, text_hash FROM articles").fetchall()
        archive.db.execute("UPDATE articles SET text_hash = NULL")
        archive.db.execute("DELETE FROM dedupe_bands")
        archive.db.execute("DELETE FROM dedupe_signatures")
    with Archive(path) as reopened:
        assert reopened.db.execute("SELECT id, text_hash FROM articles").fetchall() == expected
        assert reopened.counts()["dedupe_signatures"] == 2
        assert reopened.backfill_dedupe() == 0


# -- gone and returned -------------------------------------------------------------------


def gone_fetch(url: str, status: int, **changes: Any) -> Fetch:
    return Fetch(**{"url": url, "status": status, "fetched_at": T2, **changes})


def test_a_live_article_goes_and_returns(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    first = store(archive, crawl_id, article, fetched_at=T1)
    found = archive.mark_gone(
        article["url"],
        crawl_id=crawl_id,
        fetch=gone_fetch(article["url"], 404),
        status=404,
        reason="http_404",
    )
    assert found == first.article_id
    stored = archive.get_article(first.article_id)
    assert stored is not None
    assert stored["status"] == "gone"
    assert stored["title"] == article["title"]  # text stays
    assert stored["versions_count"] == 1
    assert [(e["kind"], e["status"], e["at"], e["url"], e["detail"]) for e in stored["events"]] == [
        ("gone", 404, T2, article["url"], {"reason": "http_404"})
    ]
    again = archive.mark_gone(
        article["url"],
        crawl_id=crawl_id,
        fetch=gone_fetch(article["url"], 410, fetched_at=T3),
        status=410,
        reason="http_410",
    )
    assert again == first.article_id
    assert len(archive.events(first.article_id)) == 1  # already gone: no new event
    outcomes = archive.db.execute("SELECT outcome, article_id FROM fetches ORDER BY id").fetchall()
    assert outcomes[1:] == [("gone", first.article_id)] * 2

    back = store(archive, crawl_id, article, fetched_at=T4)
    assert back.outcome == "unchanged"
    stored = archive.get_article(first.article_id)
    assert stored is not None
    assert stored["status"] == "live"
    assert [e["kind"] for e in stored["events"]] == ["gone", "returned"]
    assert stored["events"][1]["at"] == T4


def test_a_gone_article_returning_changed_is_updated(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    store(archive, crawl_id, article)
    fetch = gone_fetch(article["url"], 451)
    archive.mark_gone(article["url"], crawl_id=crawl_id, fetch=fetch, status=451, reason="http_451")
    result = store(archive, crawl_id, make_article(1, title="Censuré puis rétabli"))
    assert result.outcome == "updated"
    assert archive.versions(1)[-1]["title"] == "Censuré puis rétabli"
    assert [e["kind"] for e in archive.events(1)] == ["gone", "returned"]
    assert archive.get_article(1)["status"] == "live"  # type: ignore[index]


def test_a_redirect_to_a_listing_is_gone_with_its_location(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    store(archive, crawl_id, article)
    listing = f"{SITE}/international/"
    fetch = gone_fetch(listing, 200, requested_url=article["url"], redirect_urls=[article["url"]])
    found = archive.mark_gone(
        article["url"], crawl_id=crawl_id, fetch=fetch, status=301, reason="redirect_to_listing"
    )
    assert found == 1
    (event,) = archive.events(1)
    assert (event["kind"], event["status"]) == ("gone", 301)
    assert event["detail"] == {"reason": "redirect_to_listing", "location": listing}


def test_gone_for_an_unknown_url_is_only_a_fetch(archive: Archive, crawl_id: int) -> None:
    missing = f"{SITE}/international/missing/"
    assert (
        archive.mark_gone(
            missing,
            crawl_id=crawl_id,
            fetch=gone_fetch(missing, 404),
            status=404,
            reason="http_404",
        )
        is None
    )
    listing = f"{SITE}/international/"
    fetch = gone_fetch(listing, 200, requested_url=missing)
    assert (
        archive.mark_gone(
            missing, crawl_id=crawl_id, fetch=fetch, status=302, reason="redirect_to_listing"
        )
        is None
    )
    outcomes = archive.db.execute("SELECT outcome, article_id FROM fetches ORDER BY id").fetchall()
    assert outcomes == [("http_error", None), ("not_article", None)]
    assert archive.counts()["events"] == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
def test_a_transient_status_never_makes_an_article_gone(
    archive: Archive, crawl_id: int, status: int
) -> None:
    # The caller's rule (the crawler records 5xx as http_error and retries later); mark_gone
    # refuses them so a server having a bad moment can never unpublish an article.
    article = make_article(1)
    store(archive, crawl_id, article)
    counts = archive.counts()
    with pytest.raises(ValueError, match="transient"):
        archive.mark_gone(
            article["url"],
            crawl_id=crawl_id,
            fetch=gone_fetch(article["url"], status),
            status=status,
            reason=f"http_{status}",
        )
    assert archive.counts() == counts
    assert archive.get_article(1)["status"] == "live"  # type: ignore[index]


def test_crawl_counts_gone_and_aliases(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    store(archive, crawl_id, article)
    copy_url = f"{SITE}/russie/copie/"
    store(archive, crawl_id, make_article(1, url=copy_url, canonical_url=None, short_url=None))
    archive.mark_gone(
        article["url"],
        crawl_id=crawl_id,
        fetch=gone_fetch(article["url"], 404),
        status=404,
        reason="http_404",
    )
    counts = archive.finish_crawl(crawl_id, "finished")
    assert (counts["new"], counts["aliases"], counts["gone"], counts["errors"]) == (1, 1, 1, 0)
    assert {k: archive.crawls()[0][k] for k in ("gone", "aliases")} == {"gone": 1, "aliases": 1}


# -- copies naming the article as canonical (AMP, mobile) --------------------------------


def test_copies_become_aliases(archive: Archive, crawl_id: int) -> None:
    article = make_article(1)
    amp = article["url"] + "amp/"
    early = archive.record_alias(
        amp, article["url"], crawl_id=crawl_id, fetch=Fetch(url=amp, status=200)
    )
    assert early is None  # the canonical page is not archived yet
    result = archive.store_article(
        article, crawl_id=crawl_id, fetch=fetch_for(article, alias_urls=[amp])
    )
    mobile = article["url"].replace("https://fr.", "https://m.")
    late = archive.record_alias(
        mobile, article["url"], crawl_id=crawl_id, fetch=Fetch(url=mobile, status=200)
    )
    assert late == result.article_id
    store(archive, crawl_id, article, alias_urls=[amp])  # known alias: no new event
    for url in (amp, mobile):
        found = archive.get_article(url)
        assert found is not None
        assert found["id"] == result.article_id
        assert {"url": url, "kind": "alias"} in found["urls"]
    assert [(e["kind"], e["url"]) for e in archive.events(result.article_id)] == [
        ("alias", amp),
        ("alias", mobile),
    ]
    outcomes = archive.db.execute("SELECT outcome, article_id FROM fetches ORDER BY id").fetchall()
    assert outcomes == [
        ("alias", None),
        ("new", result.article_id),
        ("alias", result.article_id),
        ("unchanged", result.article_id),
    ]


# -- re-extraction -----------------------------------------------------------------------


def test_add_version(archive: Archive, crawl_id: int) -> None:
    first = store_captured(archive, crawl_id, make_article(1), b"<html>1</html>", fetched_at=T1)
    capture_id = archive.versions(1)[0]["capture_id"]
    stored_before = archive.get_article(1)
    assert stored_before is not None
    same = archive.add_version(
        first.article_id,
        make_article(1, views=1, title=" " + make_article(1)["title"]),
        crawl_id=None,
        fetched_at=T1,
        capture_id=capture_id,
        extractor="SputnikArticlePage",
        extractor_version="4",
    )
    assert same is None
    assert archive.counts()["versions"] == 1
    better = make_article(
        1,
        body="Premier paragraphe.\n\nDeuxième paragraphe, complet.",
        tags=["Syrie"],
        short_url=None,
        site=None,
    )
    version_id = archive.add_version(
        first.article_id,
        better,
        crawl_id=None,
        fetched_at=T1,
        capture_id=capture_id,
        extractor="SputnikArticlePage",
        extractor_version="4",
    )
    assert version_id is not None
    versions = archive.versions(1)
    assert [v["number"] for v in versions] == [1, 2]
    new = versions[1]
    assert (new["id"], new["crawl_id"], new["fetched_at"], new["capture_id"]) == (
        version_id,
        None,
        T1,
        capture_id,
    )
    assert (new["extractor"], new["extractor_version"]) == ("SputnikArticlePage", "4")
    stored = archive.get_article(1)
    assert stored is not None
    assert stored["body"] == better["body"]
    assert stored["tags"] == ["Syrie"]
    assert article_tags(archive, 1) == [("Syrie", 0)]
    assert stored["content_hash"] == content_hash(better) == new["content_hash"]
    assert stored["current_version_id"] == version_id
    assert stored["text_hash"] == dedupe.text_hash(better["title"], better["lead"], better["body"])
    # What the re-extraction did not see stays as the crawl left it.
    for name in ("short_url", "site", "last_seen_at", "last_changed_at", "status", "views"):
        assert stored[name] == stored_before[name], name
    assert search_ids(archive, "complet") == [1]
    # A crawl that now sees the page as the new extractor read it: unchanged.
    assert store(archive, crawl_id, better).outcome == "unchanged"


def test_add_version_refuses_unknowns(archive: Archive, crawl_id: int) -> None:
    arguments: dict[str, Any] = {
        "crawl_id": None,
        "fetched_at": T1,
        "capture_id": None,
        "extractor": None,
        "extractor_version": None,
    }
    with pytest.raises(ValueError, match="no article"):
        archive.add_version(1, make_article(1), **arguments)
    store(archive, crawl_id, make_article(1))
    with pytest.raises(ValueError, match="no title"):
        archive.add_version(1, make_article(1, title=None), **arguments)
    assert archive.counts()["versions"] == 1


def search_ids(archive: Archive, query: str) -> list[int]:
    return [hit["id"] for hit in archive.search(query)]


# -- one transaction ---------------------------------------------------------------------


class Boom(Exception):
    pass


#: A page of each kind store_article handles (stored over article 1 with a link), and where
#: a failure is injected in each: the last steps of the transaction.
MIDWAY: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "new": (make_article(2, body=LONG_BODY), ("_store_links", "_record_aliases", "record_fetch")),
    "updated": (
        make_article(1, title="Autre", related=[link(3, 0)]),
        ("_store_links", "_record_aliases", "record_fetch"),
    ),
    "alias": (
        make_article(1, url=f"{SITE}/copie/", canonical_url=None, short_url=None),
        ("_record_aliases", "record_fetch"),
    ),
}


@pytest.mark.parametrize(
    ("kind", "stage"), [(kind, stage) for kind, (_, stages) in MIDWAY.items() for stage in stages]
)
def test_a_failure_midway_leaves_no_partial_rows(
    archive: Archive, crawl_id: int, monkeypatch: pytest.MonkeyPatch, kind: str, stage: str
) -> None:
    store_captured(archive, crawl_id, make_article(1, related=[link(2, 0)]), b"<p>1</p>")
    before = archive.counts()
    dumped = list(archive.db.conn.iterdump())

    def explode(*args: Any, **kwargs: Any) -> None:
        raise Boom(stage)

    monkeypatch.setattr(archive, stage, explode)
    article = MIDWAY[kind][0]
    with pytest.raises(Boom):
        store_captured(archive, crawl_id, article, b"<p>x</p>")
    assert archive.counts() == before
    assert list(archive.db.conn.iterdump()) == dumped  # captures, versions, index included
    monkeypatch.undo()
    assert store_captured(archive, crawl_id, article, b"<p>x</p>").outcome == kind


def test_mark_gone_is_one_transaction(
    archive: Archive, crawl_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article(1)
    store(archive, crawl_id, article)

    def explode(*args: Any, **kwargs: Any) -> None:
        raise Boom

    monkeypatch.setattr(archive, "record_fetch", explode)
    with pytest.raises(Boom):
        archive.mark_gone(
            article["url"],
            crawl_id=crawl_id,
            fetch=gone_fetch(article["url"], 404),
            status=404,
            reason="http_404",
        )
    monkeypatch.undo()
    assert archive.get_article(1)["status"] == "live"  # type: ignore[index]
    assert archive.counts()["events"] == 0


def test_an_alias_leaves_the_article_s_links_and_tags(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1, related=[link(2, 0), link(3, 1)]), fetched_at=T1)
    copy_url = f"{SITE}/russie/copie/"
    copy = make_article(
        1, url=copy_url, canonical_url=None, short_url=None, tags=["Autre"], related=[link(4, 0)]
    )
    assert store(archive, crawl_id, copy, fetched_at=T2).outcome == "alias"
    stored = archive.get_article(1)
    assert stored is not None
    assert stored["related"] == [link(2, 0), link(3, 1)]
    assert stored["tags"] == make_article(1)["tags"]
    assert article_tags(archive, 1)[0] == ("Syrie", 0)
    assert archive.counts()["links"] == 2


def test_an_alias_going_away_leaves_the_article_live(archive: Archive, crawl_id: int) -> None:
    store(archive, crawl_id, make_article(1))
    copy_url = f"{SITE}/russie/copie/"
    store(archive, crawl_id, make_article(1, url=copy_url, canonical_url=None, short_url=None))
    for _ in range(2):
        found = archive.mark_gone(
            copy_url,
            crawl_id=crawl_id,
            fetch=gone_fetch(copy_url, 404),
            status=404,
            reason="http_404",
        )
        assert found == 1
    stored = archive.get_article(1)
    assert stored is not None
    assert stored["status"] == "live"
    gone = [e for e in stored["events"] if e["kind"] == "gone"]
    assert [(e["url"], e["detail"]) for e in gone] == [
        (copy_url, {"reason": "http_404", "alias": True})
    ]
    # The article's own page going away still makes it gone.
    own = make_article(1)["url"]
    archive.mark_gone(
        own, crawl_id=crawl_id, fetch=gone_fetch(own, 410), status=410, reason="http_410"
    )
    assert archive.get_article(1)["status"] == "gone"  # type: ignore[index]
