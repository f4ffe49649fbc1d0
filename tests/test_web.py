"""The web view (``archive serve``): Datasette's metadata, search, facets and canned queries
over a crawled archive, through Datasette's own in-process client; read-only throughout."""

from __future__ import annotations

import asyncio
import hashlib
import html
import importlib.metadata
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from archive import Archive, replay_css, web, webview
from archive.cli import cli
from archive.filters import ArticleFilters
from archive.store import Fetch, utc_now
from mocksite.server import RunningSite

from .conftest import SEED_TEXT, run_crawl

pytestmark = pytest.mark.e2e

#: The title given to one article, as a page could carry it (stored as text, shown as text).
SCRIPT_TITLE = "Alerte <script>window.__pwned = 1</script> à Paris"
#: Articles marked gone: (index in id order, HTTP status, reason).
GONE = ((10, 404, "http_404"), (20, 410, "http_410"))


def seed_title() -> str:
    """The seed page's headline, read from the seed text (third non-blank line)."""
    lines = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line][2]


def build_archive(replica: RunningSite, db: Path) -> dict[str, Any]:
    """Crawl the replica into ``db``, then (through the Archive API) give one article a
    title holding a ``<script>`` tag (a second version) and mark two articles gone.

    Returns what was planted: ``seed`` (its id), ``script`` (its id) and ``gone`` ids.
    """
    result = run_crawl(db, f"start={replica.base_url}/", "related_depth=0")
    assert result.returncode == 0, result.stderr[-3000:]
    site = replica.site
    with Archive(db) as archive:
        seed = archive.get_article(replica.base_url + site.article(site.seed_index)["url_path"])
        assert seed is not None
        ids = [row["id"] for row in archive.db.query("SELECT id FROM articles ORDER BY id")]
        others = [i for i in ids if i != seed["id"]]
        script = archive.get_article(others[0])
        assert script is not None
        version = archive.add_version(
            script["id"],
            {**script, "title": SCRIPT_TITLE},
            crawl_id=None,
            fetched_at=utc_now(),
            capture_id=None,
            extractor="test",
            extractor_version="1",
        )
        assert version is not None
        crawl = archive.begin_crawl("sputnik", {"test": "gone"})
        gone = []
        for index, status, reason in GONE:
            url = archive.get_article(others[index])["url"]
            fetch = Fetch(url=url, status=status)
            gone.append(
                archive.mark_gone(url, crawl_id=crawl, fetch=fetch, status=status, reason=reason)
            )
        archive.finish_crawl(crawl, "finished")
    return {"seed": seed["id"], "script": script["id"], "gone": gone}


def get(datasette: Any, path: str) -> httpx.Response:
    """One request through Datasette's in-process client (no server, no port)."""
    response: httpx.Response = asyncio.run(datasette.client.get(path))
    return response


def rows(datasette: Any, path: str) -> list[dict[str, Any]]:
    """The rows of a table or query page, as JSON objects."""
    sep = "&" if "?" in path else "?"
    response = get(datasette, f"{path}{sep}_shape=array")
    assert response.status_code == 200, response.text[:500]
    result: list[dict[str, Any]] = response.json()
    return result


def close(datasette: Any) -> None:
    for database in datasette.databases.values():
        database.close()


def file_digests(db: Path) -> dict[str, str]:
    """sha256 of the archive file and of its WAL, when the WAL holds anything. (A reader of
    a WAL database may leave an empty -wal file; the -shm file is shared memory every reader
    writes its read marks to: neither is data.)"""
    digests = {}
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists() and path.stat().st_size:
            digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def crawled(
    replica: RunningSite, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    db = tmp_path_factory.mktemp("web") / "archive.db"
    return db, build_archive(replica, db)


@pytest.fixture(scope="module")
def served(crawled: tuple[Path, dict[str, Any]]) -> Iterator[Any]:
    db, _ = crawled
    datasette = web.make_datasette(db)
    yield datasette
    close(datasette)


def sql(db: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


# -- metadata ------------------------------------------------------------------------------


def test_every_column_of_a_new_archive_has_a_description(tmp_path: Path) -> None:
    """Fails when a migration adds a table or column that docs/schema.md does not describe."""
    tables = web.build_metadata("archive")["databases"]["archive"]["tables"]
    with Archive(tmp_path / "archive.db") as archive:
        fts = {t.name for t in archive.db.tables if t.virtual_table_using}
        schema = {
            table.name: [column.name for column in table.columns]
            for table in archive.db.tables
            if not any(table.name.startswith(f"{name}_") for name in fts)
        }
    missing = [
        f"{table}.{column}"
        for table, columns in schema.items()
        for column in columns
        if not tables.get(table, {}).get("columns", {}).get(column)
    ]
    assert not missing, f"columns without a description: {missing}"
    undescribed = [table for table in schema if not tables[table]["description"]]
    assert not undescribed, f"tables without a description: {undescribed}"
    for table in ("dedupe_signatures", "dedupe_bands", "frontier", "_migrations"):
        assert tables[table]["hidden"] is True
    assert not any(tables[t].get("hidden") for t in ("articles", "versions", "links", "events"))


def test_descriptions_are_the_schema_docs() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    assert web.schema_doc() == text  # from a source tree; a wheel ships it as archive/schema.md
    docs = web.parse_schema_doc(text)
    articles = docs["articles"]
    assert articles.description.startswith("One row per article, with its current fields")
    assert articles.columns["status"] == (
        "live, or gone once it answers 404/410/451 or redirects away. Default live."
    )
    assert "`" not in json.dumps(web.build_metadata())  # markdown made plain


def test_descriptions_show_on_the_table_page(served: Any) -> None:
    page = get(served, "/archive/articles")
    assert page.status_code == 200
    meta = web.build_metadata()["databases"]["archive"]["tables"]["articles"]
    text = html.unescape(page.text)
    assert meta["description"] in text
    for column in ("status", "content_hash", "published_at", "next_visit_at"):
        assert f"<dt>{column}</dt><dd>{meta['columns'][column]}</dd>" in text, column
    database = get(served, "/archive").text
    assert "dedupe_signatures" not in database.split("hidden table")[0]
    assert "/archive/articles_by_tag" in database  # canned queries listed


def test_facets_count_what_sql_counts(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, _ = crawled
    response = get(served, "/archive/articles.json?_size=0")
    facets = response.json()["facet_results"]
    assert set(facets) == {"category", "site", "status", "published_at"}
    expressions = {c: c for c in ("category", "site", "status")}
    expressions["published_at"] = "date(published_at)"
    for name, expression in expressions.items():
        truth = dict(
            sql(
                db,
                f"SELECT {expression}, COUNT(*) FROM articles "
                f"WHERE {expression} IS NOT NULL GROUP BY 1",
            )
        )
        shown = {item["value"]: item["count"] for item in facets[name]["results"]}
        assert shown, name
        assert all(shown[value] == truth[value] for value in shown), name
        if not facets[name]["truncated"]:
            assert shown == truth, name
    (total,) = sql(db, "SELECT COUNT(*) FROM articles")[0]
    assert {item["value"]: item["count"] for item in facets["status"]["results"]} == {
        "live": total - len(GONE),
        "gone": len(GONE),
    }
    assert len(dict(sql(db, "SELECT category, 1 FROM articles GROUP BY 1"))) > 1


def test_table_search_ignores_accents(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    _, planted = crawled
    hits = rows(served, "/archive/articles.json?_search=securite&_col=title")
    assert planted["seed"] in [hit["id"] for hit in hits]
    assert seed_title() in [hit["title"] for hit in hits]
    assert "sécurité" in seed_title()


# -- canned queries --------------------------------------------------------------------------


def test_french_search_finds_inflections(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, _ = crawled
    hits = rows(served, "/archive/search_fr.json?q=frappes")
    with Archive(db, readonly=True) as archive:
        expected = archive.search("frappes", limit=100)
        texts = {r[0]: " ".join(filter(None, r[1:])) for r in _texts(archive)}
    assert [hit["id"] for hit in hits] == [hit["id"] for hit in expected]
    assert [hit["snippet"] for hit in hits] == [hit["snippet"] for hit in expected]
    singular = {i for i, text in texts.items() if re.search(r"\bfrappe\b", text, re.I)}
    assert singular, "the replica has articles with 'frappe'"
    assert singular <= {hit["id"] for hit in hits}
    assert all("[frappe" in hit["snippet"].lower() for hit in hits)
    # the plain full-text index does not stem: "frappes" misses "la frappe"
    plain = {hit["id"] for hit in rows(served, "/archive/articles.json?_search=frappes&_col=id")}
    assert singular - plain
    with_accents = rows(served, "/archive/search_fr.json?q=S%C3%A9curit%C3%A9s")
    assert [hit["id"] for hit in with_accents] == [
        hit["id"] for hit in rows(served, "/archive/search_fr.json?q=securite")
    ]
    for nothing in ("", "NOT syrie", "*", '"'):
        assert rows(served, f"/archive/search_fr.json?{_query(q=nothing)}") == []


def _texts(archive: Archive) -> list[tuple[Any, ...]]:
    return [
        tuple(r.values()) for r in archive.db.query("SELECT id, title, lead, body FROM articles")
    ]


def test_articles_by_tag(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, planted = crawled
    ((tag,),) = sql(
        db,
        "SELECT name FROM tags JOIN article_tags ON tag_id = tags.id "
        "GROUP BY tags.id ORDER BY COUNT(*) DESC, name LIMIT 1",
    )
    with Archive(db, readonly=True) as archive:
        expected = archive.articles(ArticleFilters(tag=tag))
    found = rows(served, f"/archive/articles_by_tag.json?{_query(tag=tag.lower())}")
    assert len(found) > 1
    assert [r["id"] for r in found] == [r["id"] for r in expected]
    with Archive(db, readonly=True) as archive:
        seed = archive.get_article(planted["seed"])
    assert seed is not None and seed["tags"]
    for name in seed["tags"]:
        found = rows(served, f"/archive/articles_by_tag.json?{_query(tag=name)}")
        assert planted["seed"] in [r["id"] for r in found], name
    assert rows(served, "/archive/articles_by_tag.json?tag=no-such-tag") == []


def test_versions_of_an_article(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, planted = crawled
    with Archive(db, readonly=True) as archive:
        article = archive.get_article(planted["script"])
        assert article is not None
        expected = [(v["number"], v["title"]) for v in archive.versions(planted["script"])]
    assert len(expected) == 2 and expected[1][1] == SCRIPT_TITLE
    tracked = article["url"] + ("&" if "?" in article["url"] else "?") + "utm_source=x#top"
    short = article["short_url"]
    for name in (str(planted["script"]), article["url"], tracked, short):
        found = rows(served, f"/archive/article_versions.json?{_query(article=name)}")
        assert [(r["number"], r["title"]) for r in found] == expected, name
        assert {r["article_id"] for r in found} == {planted["script"]}
    for nothing in ("", "999999", "http://example.org/nope"):
        assert rows(served, f"/archive/article_versions.json?{_query(article=nothing)}") == []


def _query(**params: str) -> str:
    return str(httpx.QueryParams(params))


def test_gone_articles(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, planted = crawled
    found = rows(served, "/archive/gone_articles.json")
    assert sorted(r["id"] for r in found) == sorted(planted["gone"])
    assert sorted(r["id"] for r in found) == [
        i for (i,) in sql(db, "SELECT id FROM articles WHERE status = 'gone' ORDER BY id")
    ]
    by_id = {r["id"]: r for r in found}
    for article_id, (_, status, reason) in zip(planted["gone"], GONE, strict=True):
        assert by_id[article_id]["http_status"] == status
        assert by_id[article_id]["reason"] == reason
        assert by_id[article_id]["gone_at"]


def test_related_edges(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, planted = crawled
    seed = planted["seed"]
    with Archive(db, readonly=True) as archive:
        article = archive.get_article(seed)
        assert article is not None
        titles = dict(sql(db, "SELECT id, title FROM articles"))
    found = rows(served, f"/archive/related_edges.json?article={seed}")
    outgoing = [r for r in found if r["from_article_id"] == seed]
    incoming = [r for r in found if r["from_article_id"] != seed]
    assert [r["anchor"] for r in outgoing] == [link["title"] for link in article["related"]]
    assert [r["to_url"] for r in outgoing] == [link["url"] for link in article["related"]]
    assert all(r["from_title"] == seed_title() and r["current"] == 1 for r in outgoing)
    for row in found:
        assert row["from_title"] == titles[row["from_article_id"]]
        assert row["to_title"] == titles.get(row["target_article_id"])
    assert all(r["target_article_id"] == seed for r in incoming)
    expected = sql(
        db,
        "SELECT id FROM links WHERE from_article_id = ? OR target_article_id = ? ORDER BY id",
        seed,
        seed,
    )
    assert sorted(r["link_id"] for r in found) == [i for (i,) in expected]
    assert any(r["to_title"] for r in outgoing)  # targets archived: titles of both ends
    every = rows(served, "/archive/related_edges.json?article=")
    (count,) = sql(db, "SELECT COUNT(*) FROM links")[0]
    assert len(every) == min(count, 1000)


# -- safety: escaping, read-only -----------------------------------------------------------


def test_a_script_in_a_title_is_text(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    _, planted = crawled
    for path in (
        f"/archive/articles/{planted['script']}",
        "/archive/articles?_search=alerte",
        f"/archive/article_versions?article={planted['script']}",
    ):
        page = get(served, path).text
        assert "window.__pwned" in page, path
        assert "<script>window.__pwned" not in page, path
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page, path


def test_writes_are_refused(served: Any, crawled: tuple[Path, dict[str, Any]]) -> None:
    db, _ = crawled
    before = file_digests(db)
    (count,) = sql(db, "SELECT COUNT(*) FROM articles")[0]
    for statement in (
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "DROP TABLE articles",
        "ATTACH DATABASE 'x.db' AS x",
        "PRAGMA journal_mode = delete",
        "SELECT 1; DELETE FROM articles",
    ):
        response = get(served, f"/archive.json?{_query(sql=statement)}")
        assert response.status_code == 400, statement
    for path in ("/archive/articles/-/insert", "/archive/-/create", "/archive/articles/1/-/delete"):
        response = asyncio.run(served.client.post(path, json={"row": {"title": "x"}}))
        assert response.status_code >= 400, path
    # Datasette's own connections to the file are read-only (mode=ro)
    database = served.databases["archive"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute_fn(lambda conn: conn.execute("DELETE FROM articles")))
    assert sql(db, "SELECT COUNT(*) FROM articles")[0] == (count,)
    assert file_digests(db) == before


@pytest.mark.parametrize("wal_files", [False, True])
def test_read_only_over_a_wal_archive(
    crawled: tuple[Path, dict[str, Any]], tmp_path: Path, wal_files: bool
) -> None:
    """Datasette reads an archive in WAL mode, with the -wal/-shm files a crawl leaves while
    it runs (and changes it makes seen at once) or without them, and changes no byte."""
    source, planted = crawled
    db = tmp_path / "archive.db"
    shutil.copyfile(source, db)
    assert db.read_bytes()[18:20] == b"\x02\x02"  # WAL mode, in the header
    assert not db.with_name("archive.db-wal").exists()
    writer = None
    if wal_files:  # a crawl in progress: its connection open, its changes in the WAL
        writer = sqlite3.connect(db)
        writer.execute("UPDATE articles SET views = 111 WHERE id = ?", (planted["seed"],))
        writer.commit()
        assert db.with_name("archive.db-wal").stat().st_size > 0
    before = file_digests(db)
    datasette = web.make_datasette(db)
    try:
        seed = rows(datasette, f"/archive/articles.json?id={planted['seed']}&_col=views")
        assert seed[0]["views"] == (111 if wal_files else seed[0]["views"])
        assert rows(datasette, "/archive/search_fr.json?q=securite")
        get(datasette, "/archive/articles?_facet=category")
        assert file_digests(db) == before
        if writer is not None:  # the crawl goes on writing; the next page shows it
            writer.execute("UPDATE articles SET views = 222 WHERE id = ?", (planted["seed"],))
            writer.commit()
            seed = rows(datasette, f"/archive/articles.json?id={planted['seed']}&_col=views")
            assert seed[0]["views"] == 222
    finally:
        close(datasette)
        if writer is not None:
            writer.close()
    if not wal_files:
        wal = db.with_name("archive.db-wal")
        assert not wal.exists() or wal.stat().st_size == 0


# -- the plugin and the command --------------------------------------------------------------


def test_the_plugin_is_registered_by_the_entry_point() -> None:
    points = importlib.metadata.entry_points(group="datasette")
    assert [p.value for p in points if p.name == web.PLUGIN_NAME] == ["archive.datasette_plugin"]
    # A Datasette that never heard of archive.web loads it from the installed package.
    code = (
        "from datasette.plugins import pm; import sys; "
        f"plugin = pm.get_plugin({web.PLUGIN_NAME!r}); "
        "print(plugin.__name__, 'archive.web' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert out.stdout.split() == ["archive.datasette_plugin", "True"]


def test_sql_functions() -> None:
    conn = sqlite3.connect(":memory:")
    web.register_sql_functions(conn)
    assert conn.execute("SELECT french_match('Frappes aériennes')").fetchone() == (
        '"frapp" "aerien"',
    )
    assert conn.execute("SELECT french_match(''), french_match('NOT x')").fetchone() == (
        '""',
        '""',
    )
    assert conn.execute(
        "SELECT french_snippet('La frappe', NULL, NULL, '[\"Syrie\"]', 'frappes')"
    ).fetchone() == ("La [frappe]",)
    assert conn.execute("SELECT archive_url_key('HTTP://A.org/x?utm_source=1#f')").fetchone() == (
        "http://a.org/x",
    )
    assert conn.execute("SELECT archive_url_key(''), archive_url_key(NULL)").fetchone() == (
        None,
        None,
    )
    conn.close()


def test_serve_without_the_web_extra(
    crawled: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = crawled
    for module in ("datasette", "datasette.app", "uvicorn"):
        monkeypatch.setitem(sys.modules, module, None)
    result = CliRunner().invoke(cli, ["--db", str(db), "serve", "--port", "1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == web.WEB_EXTRA_MISSING + "\n"
    assert web.WEB_EXTRA_MISSING == (
        "archive serve needs the web extra: pip install 'sputnik-archiver[web]'"
    )
    # the metadata needs no Datasette
    printed = CliRunner().invoke(cli, ["--db", str(db), "serve", "--print-metadata"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == web.build_metadata("archive")


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.db")
    served = CliRunner().invoke(cli, ["--db", missing, "serve"])
    listed = CliRunner().invoke(cli, ["--db", missing, "crawls"])
    assert served.exit_code == listed.exit_code == 1
    assert served.output == listed.output == f"Error: no archive at {missing}\n"
    assert not Path(missing).exists()


# -- the archive's own pages: search, article, replay, photos ------------------------------


def test_canned_queries_hide_their_sql(served: Any) -> None:
    queries = web.build_metadata()["databases"]["archive"]["queries"]
    assert {name: q["hide_sql"] for name, q in queries.items()} == dict.fromkeys(queries, True)
    page = get(served, "/archive/search_fr?q=frappes").text
    assert 'id="sql-query"' not in page and "<textarea" not in page
    assert "articles_fts_fr MATCH" not in page
    assert re.search(r'<td class="col-id"><a href="/-/article/\d+">\d+</a></td>', page)


def test_the_french_search_query_is_not_cut_at_100(
    served: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, _ = crawled
    with Archive(db, readonly=True) as archive:
        word, count = next(
            (word, n)
            for word in ("de", "la", "le", "et", "france")
            if (n := len(archive.search(word, limit=100_000))) > 100
        )
    assert len(rows(served, f"/archive/search_fr.json?q={word}")) == count


def test_the_search_page_counts_and_pages_every_hit(
    served: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, _ = crawled
    with Archive(db, readonly=True) as archive:
        expected = [hit["id"] for hit in archive.search("france", limit=100_000)]
    pages = -(-len(expected) // webview.SEARCH_PAGE_SIZE)
    assert pages >= 3
    found = []
    for page in range(1, pages + 1):
        text = get(served, f"/-/search?q=france&page={page}").text
        assert f"<strong>{len(expected)}</strong> articles found, page {page} of {pages}" in text
        found += [
            int(i)
            for i in re.findall(r'<li class="archive-hit">\s*<a href="/-/article/(\d+)"', text)
        ]
    assert found == expected
    past = get(served, f"/-/search?q=france&page={pages + 5}").text  # the last page, clamped
    assert f"page {pages} of {pages}" in past
    assert 'id="search-count"' not in get(served, "/-/search?q=").text
    refused = get(served, "/-/search?q=NOT+syrie").text
    message = "NOT needs something before it: write 'syrie NOT russie', not 'NOT russie'"
    assert f'<p class="message-error">{message}</p>' in html.unescape(refused)
    assert 'id="search-count"' not in refused


def test_the_article_page_without_photo_tables(
    crawled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db, planted = crawled
    seed = planted["seed"]
    # An archive of a release before photos were kept: no media tables.
    old = tmp_path / "before-photos.db"
    source, copy = sqlite3.connect(db), sqlite3.connect(old)
    try:
        source.backup(copy)
        copy.executescript("DROP TABLE version_media; DROP TABLE media;")
    finally:
        source.close()
        copy.close()
    with Archive(old, readonly=True) as archive:
        article = archive.get_article(seed)
        assert article is not None
        assert "version_media" not in archive.db.table_names()
    served = web.make_datasette(old)
    try:
        _article_page_without_photos(served, planted, seed, article)
    finally:
        close(served)


def _article_page_without_photos(
    served: Any, planted: dict[str, Any], seed: str, article: dict[str, Any]
) -> None:
    page = get(served, f"/-/article/{seed}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f'<h1 id="article-title">{seed_title()}</h1>' in text
    assert 'id="photos"' not in text
    for tag in article["tags"]:
        assert f">{tag}</a></li>" in text
    assert 'id="links-out"' in text and 'id="versions"' in text
    assert get(served, f"/-/media/{'0' * 64}").status_code == 404
    # the script title, as text
    script_page = get(served, f"/-/article/{planted['script']}").text
    assert "<script>window.__pwned" not in script_page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in script_page
    assert 'id="diff-1-2"' in script_page


def test_the_article_page_names_the_zone_of_its_times(
    served: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, planted = crawled
    seed = planted["seed"]
    ((first_seen, published, fetched),) = sql(
        db,
        "SELECT articles.first_seen_at, articles.published_at, versions.fetched_at"
        " FROM articles JOIN versions ON versions.id = articles.current_version_id"
        " WHERE articles.id = ?",
        seed,
    )
    text = html.unescape(get(served, f"/-/article/{seed}").text)
    # The archive's own times in UTC, named; the page's with its own offset, as on the CLI.
    assert f"first seen {first_seen[:10]} {first_seen[11:19]} UTC" in text
    assert f'<td class="fetched" title="{fetched}">{fetched[:10]} {fetched[11:19]} UTC</td>' in text
    zone = "UTC" if published.endswith("+00:00") else published[-6:]
    assert f"<dt>Published</dt><dd>{published[:10]} {published[11:19]} {zone}</dd>" in text


def test_missing_pages_say_what_is_missing(
    served: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, planted = crawled
    (no_capture,) = sql(
        db, "SELECT id FROM versions WHERE article_id = ? AND number = 2", planted["script"]
    )[0]
    for path, message in (
        ("/-/article/999999", "No article with id 999999"),
        ("/-/replay/999999", "No version with id 999999"),
        (f"/-/replay/{no_capture}", f"Version {no_capture} kept no capture of its page"),
        ("/-/capture/999999", "No capture with id 999999"),
        (f"/-/media/{'ab' * 32}", f"No photo with sha256 {'ab' * 32}"),
    ):
        response = get(served, path)
        assert (response.status_code, response.text) == (404, message), path


def test_a_stored_page_is_replayed_under_the_policy(
    served: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, planted = crawled
    (version_id, capture_id) = sql(
        db,
        "SELECT id, capture_id FROM versions WHERE article_id = ? AND capture_id IS NOT NULL",
        planted["seed"],
    )[0]
    replay = get(served, f"/-/replay/{version_id}").text
    assert '<iframe id="archive-replay" sandbox="" referrerpolicy="no-referrer"' in replay
    assert f'src="/-/capture/{capture_id}"' in replay
    response = get(served, f"/-/capture/{capture_id}")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == webview.CAPTURE_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in response.text
    # the seed's "Lire aussi" links lead to the archive's captures of those articles
    targets = sql(
        db,
        "SELECT DISTINCT versions.capture_id FROM links JOIN versions "
        "ON versions.article_id = links.target_article_id "
        "WHERE links.from_article_id = ? AND versions.capture_id IS NOT NULL",
        planted["seed"],
    )
    assert targets
    for (target,) in targets:
        assert f'href="/-/capture/{target}"' in response.text


def test_a_damaged_capture_or_photo_is_an_error(
    crawled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, _ = crawled
    db = tmp_path / "archive.db"
    shutil.copyfile(source, db)
    photo = b"\x89PNG\r\n\x1a\n not really"
    good = hashlib.sha256(photo).hexdigest()
    bad = hashlib.sha256(b"other").hexdigest()
    conn = sqlite3.connect(db)
    (capture_id, url) = conn.execute("SELECT id, url FROM captures ORDER BY id LIMIT 1").fetchone()
    conn.execute("UPDATE captures SET body_sha256 = ? WHERE id = ?", ("0" * 64, capture_id))
    conn.executescript(
        "CREATE TABLE IF NOT EXISTS media (sha256 TEXT PRIMARY KEY, url TEXT, type TEXT, "
        "size INTEGER, body BLOB, width INTEGER, height INTEGER, first_seen_at TEXT, "
        "crawl_id INTEGER)"
    )
    conn.executemany(
        "INSERT INTO media (sha256, url, type, size, body, width, height, first_seen_at, "
        "crawl_id) VALUES (?, 'http://x/p.png', ?, ?, ?, 1, 1, '2024-01-01', NULL)",
        [(good, "image/png", len(photo), photo), (bad, "text/html", 5, b"<b>x")],
    )
    conn.commit()
    conn.close()
    datasette = web.make_datasette(db)
    try:
        response = get(datasette, f"/-/capture/{capture_id}")
        assert response.status_code == 500
        assert response.text.startswith(f"capture {capture_id} ({url}) is damaged: ")
        served_photo = get(datasette, f"/-/media/{good}")
        assert served_photo.status_code == 200
        assert served_photo.content == photo
        assert served_photo.headers["content-type"] == "image/png"
        assert served_photo.headers["content-security-policy"] == webview.MEDIA_CSP
        damaged = get(datasette, f"/-/media/{bad}")
        assert (damaged.status_code, damaged.text) == (
            500,
            f"photo {bad} is damaged: its bytes do not match their sha256",
        )
    finally:
        close(datasette)


def test_replay_html_keeps_the_text_and_nothing_that_runs_or_loads() -> None:
    page = b"""<html><head><base href="http://other.example/x/">
    <meta http-equiv="refresh" content="0; url=http://other.example/">
    <link rel="stylesheet" href="s.css"><script>alert(1)</script></head>
    <body onload="alert(2)"><p>Texte \xc3\xa0 garder</p>
    <a href="kept.html">kept</a> <a href="gone.html" onclick="x()">gone</a> <a href="#top">top</a>
    <img src="photo.jpg" srcset="big.jpg 2x"> <img src="outside.jpg">
    <iframe src="http://other.example/f"></iframe><form action="http://other.example/f"></form>
    </body></html>"""
    out = webview.replay_html(
        page,
        "http://site.example/a/",
        content_type="text/html; charset=utf-8",
        captures=lambda urls: {u: 7 for u in urls if u.endswith("kept.html")},
        media=lambda urls: {u: "f" * 64 for u in urls if u.endswith("photo.jpg")},
    ).decode()
    assert out.startswith("<!DOCTYPE html>\n<html><head>")
    assert out.count("<meta") == 1 and '<meta charset="utf-8"></head>' in out
    assert "<p>Texte à garder</p>" in out
    assert '<a href="/-/capture/7">kept</a>' in out
    assert (
        '<a data-archive-original-href="http://other.example/x/gone.html" '
        'title="Not in the archive: http://other.example/x/gone.html">gone</a>'
    ) in out
    assert '<a href="#top">top</a>' in out
    assert f'<img src="/-/media/{"f" * 64}">' in out
    assert '<img data-archive-original-src="http://other.example/x/outside.jpg">' in out
    assert "<form></form>" in out
    for gone in ("<script", "<link", "<iframe", "<base", "refresh", "onload", "onclick", "srcset"):
        assert gone not in out, gone
    xhtml = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b"<html><body><p>\xc3\xa9t\xc3\xa9</p></body></html>"
    )
    assert "<body><p>été</p></body>" in webview.replay_html(xhtml, "http://site.example/").decode()


#: A captured page naming other addresses in every way the replay knows of.
HOSTILE_PAGE = rb"""<html><head><style>@import url(http://evil.example/a.css);
@\69mport "http://evil.example/b.css";
body { background: url("photo.png") }
p { background: u\72l(http://evil.example/c.png) }
h1 { background-image: image-set("http://evil.example/d.png" 1x);
  cursor: -webkit-image-set(url(http://evil.example/e.png) 1x), auto }
@font-face { font-family: F; src: url(http://evil.example/f.woff) format("woff") }
.i::before { content: "\3c /style><img src=x>"; background: url(data:image/png;base64,AA) }
</style></head>
<body background="http://evil.example/body.png" style="background:url('http://evil.example/g')">
<table background="http://evil.example/t.png"><tr>
<td style="color: red; background-image: URL(&quot;gone.png&quot;)">cell</td></tr></table>
<a href="javascript:fetch('http://evil.example/js')">js</a>
<a href="data:text/html,&lt;script&gt;fetch('http://evil.example/dt')&lt;/script&gt;">dt</a>
<a href="http://evil.example/away" ping="http://evil.example/ping">away</a>
<img src="photo.png" srcset="http://evil.example/2x.png 2x">
<picture><source srcset="http://evil.example/s.webp"><img src="data:text/html,x"></picture>
<video src="http://evil.example/v.mp4" poster="http://evil.example/poster.png">
<source src="http://evil.example/v.webm"></video>
<form action="http://evil.example/form"><button formaction="http://evil.example/fa">go</button>
</form>
<object data="http://evil.example/o"><embed src="http://evil.example/e"></object>
<meta http-equiv="refresh" content="0; url=http://evil.example/refresh">
<svg><style>rect { fill: url(http://evil.example/h.svg#p) }</style>
<image href="http://evil.example/i.png"/><image xlink:href="http://evil.example/j.png"/>
<use href="#icon"/><use xlink:href="http://evil.example/k.svg#a"/>
<rect fill="url(#grad)" filter="url(http://evil.example/l.svg#f)"/>
<set attributeName="href" to="http://evil.example/m.png"/>
<animate attributeName="href" values="http://evil.example/n.png"/></svg>
</body></html>"""
#: :data:`HOSTILE_PAGE` replayed (MEDIA: the sha256 of the stored photo).
HOSTILE_REPLAY = (
    "<!DOCTYPE html>\n"
    '<html><head><meta charset="utf-8"><style>\n'
    "\n"
    "body { background: url(/-/media/MEDIA) }\n"
    "p { background: none }\n"
    "h1 { background-image: none;\n"
    "  cursor: none, auto }\n"
    '@font-face { font-family: F; src: none format("woff") }\n'
    '.i::before { content: "\\3c /style>\\3c img src=x>"; background: url(data:image/pn'
    "g;base64,AA) }\n"
    "</style></head>\n"
    '<body style="background:none">\n'
    "<table><tr>\n"
    '<td style="color: red; background-image: none">cell</td></tr></table>\n'
    "<a data-archive-original-href=\"javascript:fetch('http://evil.example/js')\" title"
    "=\"Not in the archive: javascript:fetch('http://evil.example/js')\">js</a>\n"
    "<a data-archive-original-href=\"data:text/html,&lt;script&gt;fetch('http://evil.e"
    'xample/dt\')&lt;/script&gt;" title="Not in the archive: data:text/html,&lt;script'
    "&gt;fetch('http://evil.example/dt')&lt;/script&gt;\">dt</a>\n"
    '<a data-archive-original-href="http://evil.example/away" title="Not in the archi'
    've: http://evil.example/away">away</a>\n'
    '<img src="/-/media/MEDIA">\n'
    '<picture><source><img data-archive-original-src="data:text/html,x"></source></picture>\n'
    '<video data-archive-original-src="http://evil.example/v.mp4">\n'
    '<source data-archive-original-src="http://evil.example/v.webm"></source></video>\n'
    "<form><button>go</button>\n"
    "</form>\n"
    "\n"
    "\n"
    "<svg><style>rect { fill: none }</style>\n"
    "<image></image><image></image>\n"
    '<use href="#icon"></use><use></use>\n'
    '<rect fill="url(#grad)" filter="none"></rect>\n'
    "\n"
    "</svg>\n"
    "</body></html>"
)


def test_replay_html_leaves_no_address_in_css_svg_or_attributes() -> None:
    """CSS (``@import``, escaped ``url()``, ``image-set()``, ``@font-face``), SVG
    (``<image>``, ``<use>``, paint attributes, animations) and the attributes that load:
    what the archive holds is rewritten to it, fragments and data images stay, the rest
    goes; only ``data-archive-original-*`` and the ``title`` that says so name a host."""
    media = "f" * 64
    out = webview.replay_html(
        HOSTILE_PAGE,
        "http://site.example/a/",
        content_type="text/html; charset=utf-8",
        media=lambda urls: {u: media for u in urls if u.endswith("photo.png")},
    ).decode()
    assert out == HOSTILE_REPLAY.replace("MEDIA", media)
    inert = re.sub(r' (?:data-archive-original-[a-z]+|title)="[^"]*"', "", out)
    assert "evil" not in inert
    addresses = re.findall(r"(?:https?:|//|javascript:|data:)[^\s\"'<>)]*", inert, re.I)
    assert addresses == ["data:image/png;base64,AA"]


def test_replay_html_asks_once_for_the_photos_of_the_css() -> None:
    asked: list[set[str]] = []

    def media(urls: Any) -> dict[str, str]:
        asked.append(set(urls))
        return {}

    page = (
        b'<style>a { background: url(one.png) }</style><img src="two.png">'
        b"<p style=\"background: url('//cdn.example/three.png')\">x</p>"
        b'<svg><rect fill="url(#local)"/></svg>'
    )
    out = webview.replay_html(page, "http://site.example/a/", media=media).decode()
    assert asked == [
        {
            "http://site.example/a/one.png",
            "http://site.example/a/two.png",
            "http://cdn.example/three.png",
        }
    ]
    assert (
        '<style>a { background: none }</style></head><body><img data-archive-original-src="'
        'http://site.example/a/two.png"><p style="background: none">x</p>'
        '<svg><rect fill="url(#local)"></rect></svg></body>'
    ) in out


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        # escapes are read as a browser reads them
        ("p { background: \\75 rl(http://evil.example/a) }", "p { background: none }"),
        ("p { background: url(\\68ttp://evil.example/b) }", "p { background: none }"),
        ('@\\69mport "http://evil.example/c.css"; p { color: red }', " p { color: red }"),
        ("@IMPORT url(http://evil.example/d.css) screen; p{}", " p{}"),
        ('p { background: src("http://evil.example/e") }', "p { background: none }"),
        ("p { background: cross-fade(url(http://evil.example/f) 50%) }", "p { background: none }"),
        # a comment splits tokens: u/**/rl( is no url(, and the split is kept
        ("p { x: u/**/rl(http://evil.example/g) }", "p { x: u/**/rl(http://evil.example/g) }"),
        # a broken url() is blanked
        ("p { background: url(http://evil.example/h i) }", "p { background: none }"),
        # what loads nothing stays, escapes and all
        (
            ".md\\:flex { display: flex } @media (width < 600px) { a { color: red } }",
            ".md\\:flex { display: flex } @media (width < 600px) { a { color: red } }",
        ),
        (
            "p { fill: url(#g); background: url(data:image/gif;base64,R0) }",
            "p { fill: url(#g); background: url(data:image/gif;base64,R0) }",
        ),
        # attr() gives text only
        (
            "a::after { content: attr(title); background: attr(data-u type(<url>)) }",
            "a::after { content: attr(title); background: none }",
        ),
        # the url() of @namespace names a namespace and loads nothing
        (
            "@namespace svg url(http://www.w3.org/2000/svg); svg|a { fill: url(x) }",
            "@namespace svg url(http://www.w3.org/2000/svg); svg|a { fill: none }",
        ),
        (
            '@namespace url("x") p { background: url(http://evil.example/j) }',
            '@namespace url("x") p { background: none }',
        ),
        # the HTML comment old pages put around their CSS goes, the CSS stays
        ("<!--\np { color: red }\n-->", "\np { color: red }\n"),
        # markup in a <style> (read as markup inside <svg>) is escaped...
        (
            'a::before { content: "</style><img src=x>" }',
            'a::before { content: "\\3c /style>\\3c img src=x>" }',
        ),
        # ...and a style sheet that does not read back the same is dropped whole
        ("<img src=http://evil.example/i>", ""),
    ],
)
def test_safe_css(css: str, expected: str) -> None:
    def resolve(url: str) -> str | None:
        return url if url.startswith("data:image/") else None

    assert replay_css.safe_css(css, resolve, in_element=True) == expected


def test_articles_come_first(served: Any) -> None:
    home = get(served, "/").text
    assert re.findall(r'<a (?:class="archive-articles" )?href="/archive/(\w+)"', home)[0] == (
        "articles"
    )
    database = get(served, "/archive").text
    tables = re.findall(r'<h3><a href="/archive/(\w+)"', database)
    assert tables[0] == "articles"
    assert sorted(tables[1:]) == tables[1:]  # the others in Datasette's order (by name)
    for hidden in web.HIDDEN_TABLES:
        assert f'<h3><a href="/archive/{hidden}"' not in database


def test_a_replayed_page_finds_its_photo_under_any_url_that_served_its_bytes(
    tmp_path: Path,
) -> None:
    from archive import Capture
    from archive.media import Image

    site = "https://fr.sputniknews.com"
    first, copy = f"{site}/images/1/a.jpg", f"{site}/images/2/b.jpg"
    jpeg, replaced = b"\xff\xd8 the photo \xff\xd9", b"\xff\xd8 replaced \xff\xd9"

    def page(n: int, image: str, body: str) -> dict[str, Any]:
        return {
            "url": f"{site}/a/{n}/",
            "canonical_url": f"{site}/a/{n}/",
            "site": "sputnik",
            "title": f"Article {n}",
            "body": body,
            "image_url": image,
        }

    def store(archive: Archive, crawl: int, article: dict[str, Any]) -> int:
        html = (
            f'<html><body><p>{article["body"]}</p><img src="{article["image_url"]}"></body></html>'
        )
        capture = Capture(url=article["url"], status=200, headers={}, body=html.encode())
        fetch = Fetch(url=article["url"], status=200, bytes=len(html), fetched_at=utc_now())
        archive.store_article(article, crawl_id=crawl, fetch=fetch, capture=capture)
        [row] = archive.rows(
            "SELECT capture_id FROM versions v JOIN articles a ON a.current_version_id = v.id "
            "WHERE a.canonical_url = ?",
            [article["url"]],
        )
        return int(row["capture_id"])

    def keep(archive: Archive, crawl: int, url: str, body: bytes) -> str:
        fetch = Fetch(url=url, status=200, bytes=len(body), fetched_at=utc_now())
        return archive.store_media(crawl, fetch, Image(url=url, type="image/jpeg", body=body))

    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        a_capture = store(archive, crawl, page(1, first, "Premier."))
        b_capture = store(archive, crawl, page(2, copy, "Second."))
        held = keep(archive, crawl, first, jpeg)
        assert keep(archive, crawl, copy, jpeg) == held
        # Article 1 edited, its photo replaced at the same URL.
        later = archive.begin_crawl("sputnik", {})
        edited_capture = store(archive, later, page(1, first, "Premier, réécrit."))
        new = keep(archive, later, first, replaced)
        assert webview.stored_media(archive, [first, copy, f"{site}/x.jpg"]) == {
            first: new,
            copy: held,
        }
        replays = {
            capture: webview.capture_replay(archive, capture).decode()
            for capture in (a_capture, b_capture, edited_capture)
        }
    assert f'<img src="/-/media/{held}">' in replays[b_capture]
    assert f'<img src="/-/media/{held}">' in replays[a_capture]  # what that page showed
    assert f'<img src="/-/media/{new}">' in replays[edited_capture]
