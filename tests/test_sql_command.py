"""``archive sql``: read-only SQL over the archive."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive.cli import cli

SITE = "https://fr.sputniknews.com"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for number, (title, category) in enumerate(
            [("Moscou et Washington", "International"), ("Le prix du gaz", "Economie")], start=1
        ):
            article = {
                "url": f"{SITE}/a/{number}/",
                "title": title,
                "lead": f"Chapeau {number}: {title}.",
                "body": f"Corps de l'article numéro {number}, sur {title.lower()}.",
                "category": category,
                "tags": ["Russie"],
                "published_at": f"2017-06-2{number}T10:00:00+03:00",
            }
            archive.store_article(
                article, crawl_id=crawl, fetch=Fetch(url=article["url"], status=200)
            )
        archive.finish_crawl(crawl, "finished")
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "sql", *args])


def run_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rows_as_a_table(db: Path) -> None:
    result = run(db, "SELECT id, title, category, views FROM articles ORDER BY id")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id  title                 category       views",
        " 1  Moscou et Washington  International      -",
        " 2  Le prix du gaz        Economie           -",
    ]


def test_rows_as_json(db: Path) -> None:
    rows = run_json(db, "SELECT id, title, views, zeroblob(2) AS b FROM articles ORDER BY id")
    assert rows == [
        {"id": 1, "title": "Moscou et Washington", "views": None,
         "b": {"$base64": True, "encoded": "AAA="}},
        {"id": 2, "title": "Le prix du gaz", "views": None,
         "b": {"$base64": True, "encoded": "AAA="}},
    ]  # fmt: skip


def test_joins_and_json_functions(db: Path) -> None:
    sql = """
        SELECT tags.name, COUNT(*) AS n FROM article_tags JOIN tags ON tags.id = tag_id
        GROUP BY tags.name
    """
    assert run_json(db, sql) == [{"name": "Russie", "n": 2}]


def test_parameters(db: Path) -> None:
    sql = "SELECT id FROM articles WHERE category = :category AND id >= :low LIMIT :n"
    rows = run_json(db, sql, "-p", "category=Economie", "--param", "low=1", "-p", "n=5")
    assert rows == [{"id": 2}]
    result = run(db, "SELECT :missing")
    assert result.exit_code == 1
    assert "SQL error: You did not supply a value for binding parameter :missing." in result.output


def test_bad_parameter_form(db: Path) -> None:
    result = run(db, "SELECT 1", "-p", "novalue")
    assert result.exit_code == 2
    assert "Invalid value for '-p' / '--param': 'novalue' is not NAME=VALUE" in result.output


def test_no_rows(db: Path) -> None:
    result = run(db, "SELECT id FROM articles WHERE id > 99")
    assert (result.exit_code, result.stdout) == (0, "no rows\n")
    assert run_json(db, "SELECT id FROM articles WHERE id > 99") == []


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO tags (name) VALUES ('x')",
        "UPDATE articles SET title = 'x'",
        "DELETE FROM articles",
        "DROP TABLE articles",
        "CREATE TABLE t (x)",
        "CREATE TEMP TABLE t (x)",
        "PRAGMA user_version = 99",
        "PRAGMA journal_mode = DELETE",
        "ATTACH 'other.db' AS other",
        "VACUUM",
        "VACUUM INTO 'copy.db'",
        "REPLACE INTO tags (id, name) VALUES (1, 'x')",
        "WITH x AS (SELECT 1) DELETE FROM tags",
    ],
)
def test_writes_are_refused(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before = digest(db)
    files = sorted(p.name for p in tmp_path.iterdir())
    result = run(db, statement)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no file created
    assert run_json(db, "SELECT COUNT(*) AS n FROM articles") == [{"n": 2}]


def test_write_message(db: Path) -> None:
    result = run(db, "DELETE FROM articles")
    assert result.output == (
        "Error: refused, sql only reads: attempt to write a readonly database\n"
    )
    result = run(db, "ATTACH 'x.db' AS x")
    assert result.output == "Error: refused, sql only reads: not authorized\n"
    # SQLite itself answers "disk I/O error" to this one on a read-only connection.
    result = run(db, "PRAGMA journal_mode = DELETE")
    assert result.output == "Error: refused, sql only reads: not authorized\n"


def test_pragmas_that_read_are_allowed(db: Path) -> None:
    assert [row["name"] for row in run_json(db, "PRAGMA table_info(tags)")] == ["id", "name"]
    assert run_json(db, "PRAGMA journal_mode") == [{"journal_mode": "wal"}]
    assert run_json(db, "PRAGMA quick_check") == [{"quick_check": "ok"}]


def test_syntax_error(db: Path) -> None:
    result = run(db, "SELEC * FROM articles")
    assert result.exit_code == 1
    assert result.output == 'Error: SQL error: near "SELEC": syntax error\n'
    result = run(db, "SELECT * FROM nope")
    assert result.output == "Error: SQL error: no such table: nope\n"


def test_one_statement_only(db: Path) -> None:
    result = run(db, "SELECT 1; DELETE FROM articles")
    assert result.exit_code == 1
    assert "one statement at a time" in result.output
    assert run_json(db, "SELECT COUNT(*) AS n FROM articles") == [{"n": 2}]


def test_missing_archive(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    result = run(path, "SELECT 1")
    assert result.exit_code == 1
    assert f"no archive at {path}" in result.output
    assert not path.exists()


def test_python_api(db: Path) -> None:
    with Archive(db, readonly=True) as archive:
        columns, rows = archive.sql("SELECT id, title FROM articles WHERE id = :id", {"id": 2})
    assert (columns, rows) == (["id", "title"], [(2, "Le prix du gaz")])
