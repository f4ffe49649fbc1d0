"""``archive export --format jsonl|csv``: the articles, streamed (archive.export)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive import export as export_module
from archive.cli import cli
from archive.export import EXPORT_FIELDS, export_articles, iter_articles
from archive.filters import ArticleFilters

SITE = "https://fr.sputniknews.com"


def article(n: int, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "url": f"{SITE}/international/2017062{n}-article-{n}/",
        "canonical_url": f"{SITE}/international/2017062{n}-article-{n}/",
        "site": "sputnik",
        "language": "fr",
        "title": f"Titre numéro {n}",
        "lead": f"Chapeau {n} distinct du reste.",
        "body": f"Premier paragraphe {n} sur un sujet {n * 7919} bien à lui.",
        "authors": [],
        "category": "International",
        "tags": ["Syrie"],
        "published_at": f"2017-06-2{n}T10:00:00+03:00",
        "views": 10 * n,
        "related": [],
    }
    values.update(fields)
    return values


ODD_TEXT = 'Il a dit: "non, jamais", puis\nune autre ligne; et, encore, des virgules'
ARTICLES = [
    article(
        1,
        title='Titre, avec "guillemets"',
        body=ODD_TEXT,
        authors=["Jean Dupont", "Marie Curie"],
        tags=["Syrie", "Russie"],
        related=[{"url": f"{SITE}/russie/x/", "title": "Lien, X", "kind": "lire_aussi"}],
    ),
    article(2, category="Economie", tags=["Gaz"]),
    article(3, site="autre", tags=["Syrie"]),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for item in ARTICLES:
            archive.store_article(item, crawl_id=crawl, fetch=Fetch(url=item["url"], status=200))
        archive.finish_crawl(crawl, "finished")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_jsonl_to_stdout_has_every_field(db: Path) -> None:
    result = run("--db", str(db), "export", "--format", "jsonl", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not a terminal: no progress bar
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert list(first) == list(EXPORT_FIELDS)
    assert first["id"] == 1
    assert first["title"] == 'Titre, avec "guillemets"'
    assert first["body"] == ODD_TEXT
    assert first["authors"] == ["Jean Dupont", "Marie Curie"]
    assert first["tags"] == ["Syrie", "Russie"]
    assert first["status"] == "live"
    assert first["duplicate_of"] is None
    assert first["views"] == 10
    assert [link["url"] for link in first["related"]] == [f"{SITE}/russie/x/"]
    assert first["related"][0]["title"] == "Lien, X"
    assert "versions_count" not in first and "events" not in first


def test_jsonl_matches_show_json(db: Path) -> None:
    exported = json.loads(
        run("--db", str(db), "export", "--format", "jsonl", "-o", "-").stdout.split("\n")[0]
    )
    shown = json.loads(run("--db", str(db), "show", "1", "--json").stdout)
    for name in EXPORT_FIELDS:
        assert exported[name] == shown[name], name


def test_csv_parses_back_with_commas_quotes_and_newlines(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    result = run("--db", str(db), "export", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 3 articles ({out.stat().st_size} bytes) to {out}\n"
    with open(out, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == list(EXPORT_FIELDS)
    assert len(rows) == 4
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["title"] == 'Titre, avec "guillemets"'
    assert first["body"] == ODD_TEXT
    assert first["authors"] == "Jean Dupont | Marie Curie"
    assert first["tags"] == "Syrie | Russie"
    assert json.loads(first["related"])[0]["title"] == "Lien, X"
    assert first["image_caption"] == ""
    assert first["views"] == "10"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["authors"] == ""
    assert json.loads(second["related"]) == []


def test_csv_to_stdout(db: Path) -> None:
    result = run("--db", str(db), "export", "--format", "csv", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert [row[0] for row in rows] == ["id", "1", "2", "3"]


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--tag", "syrie"], [1, 3]),
        (["--site", "autre"], [3]),
        (["--category", "Economie"], [2]),
        (["--author", "marie curie"], [1]),
        (["--since", "2017-06-22"], [2, 3]),
        (["--until", "2017-06-21"], [1]),
        (["--status", "gone"], []),
        (["--limit", "2"], [1, 2]),
        (["--offset", "1"], [2, 3]),
        (["--offset", "1", "--limit", "1"], [2]),
        (["--offset", "5"], []),
    ],
)
def test_filters_apply(db: Path, args: list[str], ids: list[int]) -> None:
    for export_format in ("jsonl", "csv"):
        result = run("--db", str(db), "export", "--format", export_format, *args, "-o", "-")
        assert result.exit_code == 0, result.output
        if export_format == "jsonl":
            got = [json.loads(line)["id"] for line in result.stdout.splitlines()]
        else:
            got = [int(row[0]) for row in list(csv.reader(io.StringIO(result.stdout)))[1:]]
        assert got == ids, (export_format, args)


def test_bad_filter_is_a_usage_error(db: Path) -> None:
    result = run("--db", str(db), "export", "--format", "jsonl", "--since", "juin", "-o", "-")
    assert result.exit_code == 2


def test_json_summary_and_file_only_when_complete(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    result = run("--db", str(db), "export", "--format", "jsonl", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "path": str(out),
        "format": "jsonl",
        "articles": 3,
        "records": 3,
        "bytes": out.stat().st_size,
    }
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_progress_bar_only_on_a_terminal(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    with Archive(db) as archive:
        export_articles(archive, tmp_path / "a.csv", "csv", progress=seen.append)
    assert sum(seen) == 3
    import archive.cli as cli_module

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Tty()
    monkeypatch.setattr(cli_module.sys, "stderr", fake)
    # CliRunner swaps sys.stderr itself; call the helper directly instead.
    with Archive(db) as archive:
        cli_module._export_articles(archive, "jsonl", str(tmp_path / "b.jsonl"), ArticleFilters())
    assert "export" in fake.getvalue()


def test_warc_to_stdout(db: Path) -> None:
    result = run("--db", str(db), "export", "--format", "warc", "--no-gzip", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"WARC/1.1\r\n")


# -- constant memory ----------------------------------------------------------------------


def generated_archive(path: Path, count: int) -> Path:
    """An archive of ``count`` articles with ~3 KB of text each, inserted by SQL."""
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        archive.store_article(
            article(1), crawl_id=crawl, fetch=Fetch(url=article(1)["url"], status=200)
        )
        archive.finish_crawl(crawl, "finished")
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)") if row[1] != "id"]
    copied = [c for c in columns if c not in ("url", "body", "text_hash", "current_version_id")]
    select = ", ".join(copied)
    with conn:
        conn.executemany(
            f"INSERT INTO articles (url, body, {select})"
            f" SELECT :url, :body, {select} FROM articles WHERE id = 1",
            (
                {"url": f"{SITE}/gen/{n}/", "body": f"Texte {n} " + "mot " * 750}
                for n in range(2, count + 1)
            ),
        )
    conn.close()
    return path


def export_peak(tmp_path: Path, count: int, export_format: str) -> int:
    db = generated_archive(tmp_path / f"gen-{count}-{export_format}.db", count)
    out = tmp_path / f"gen-{count}.{export_format}"
    with Archive(db, readonly=True) as archive:
        tracemalloc.start()
        try:
            result = export_articles(archive, out, export_format)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.articles == count
    return peak


@pytest.mark.parametrize("export_format", ["jsonl", "csv"])
def test_export_memory_does_not_grow_with_the_archive(tmp_path: Path, export_format: str) -> None:
    small = export_peak(tmp_path, 1000, export_format)
    large = export_peak(tmp_path, 5000, export_format)
    # 5000 articles are ~15 MB of text: holding them would show; one page is ~0.6 MB.
    assert large < 8 * 1024 * 1024
    assert large / small < 1.5, (small, large)


def test_iter_articles_reads_pages(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "PAGE_SIZE", 2)
    with Archive(db) as archive:
        assert [a["id"] for a in iter_articles(archive)] == [1, 2, 3]
        filters = ArticleFilters(limit=3, offset=0)
        assert [a["id"] for a in iter_articles(archive, filters)] == [1, 2, 3]
