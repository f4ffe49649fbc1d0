"""The archive's Python API: migrations, storing articles, links, tags, crawls, search."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import (
    DEFAULT_PATH,
    Archive,
    ArchiveError,
    ArchiveNotFoundError,
    Fetch,
    ReadOnlyArchiveError,
    content_hash,
    migrations,
    resolve_path,
)

SITE = "https://fr.sputniknews.com"
SCHEMA_TABLES = {"articles", "urls", "links", "tags", "article_tags", "crawls", "fetches"}
FTS_TABLES = {
    "articles_fts",
    "articles_fts_data",
    "articles_fts_idx",
    "articles_fts_docsize",
    "articles_fts_config",
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
    assert result == type(result)(first.article_id, "updated")
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
        assert store(archive, crawl_id, variant) == first.__class__(first.article_id, "unchanged")
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
    archive.record_fetch(crawl_id, page, "discovery")
    archive.record_fetch(crawl_id, Fetch(url=f"{SITE}/missing", status=404), "http_error")
    archive.record_fetch(crawl_id, Fetch(url=f"{SITE}/down", status=None, error="timeout"), "error")
    other = archive.begin_crawl("sputnik", {})
    archive.record_fetch(other, page, "not_article")

    counts = archive.finish_crawl(crawl_id, "finished")
    expected = {
        "fetched": 6,  # the network failure has no status
        "new": 1,
        "updated": 1,
        "unchanged": 1,
        "not_article": 1,
        "errors": 2,
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
