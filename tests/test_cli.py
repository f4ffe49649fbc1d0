"""The ``archive`` command, run in-process with click's CliRunner."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from archive import Archive, Capture, Fetch
from archive.cli import cli

SITE = "https://fr.sputniknews.com"
URL = f"{SITE}/international/201706211031893210-washington-moscou/"
SHORT = f"{SITE}/s/1031893210"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

ARTICLE: dict[str, Any] = {
    "url": URL + "?utm_source=twitter",
    "canonical_url": URL,
    "site": "sputnik",
    "language": "fr",
    "title": "Washington et Moscou discutent de la sécurité",
    "lead": "Les militaires russes et américains discutent.",
    "body": "Premier paragraphe.\n\nSecond paragraphe.",
    "authors": [],
    "category": "International",
    "tags": ["Syrie", "Russie"],
    "published_at": "2017-06-21T14:32:00+03:00",
    "published_at_raw": "14:32 21.06.2017",
    "modified_at": None,
    "modified_at_raw": None,
    "image_url": None,
    "image_caption": None,
    "image_credit": None,
    "short_url": SHORT,
    "views": 6822,
    "related": [
        {"url": f"{SITE}/russie/2017-x/", "title": "Lien X", "kind": "lire_aussi", "position": 0}
    ],
}
ARTICLE_KEYS = {
    *ARTICLE,
    "id",
    "status",
    "duplicate_of",
    "similarity",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "urls",
    "content_hash",
}
CRAWL_KEYS = {
    "id",
    "spider",
    "arguments",
    "started_at",
    "finished_at",
    "finish_reason",
    "status",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "not_due",
    "not_article",
    "unreadable",
    "errors",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {"related_depth": "1"})
        archive.store_article(ARTICLE, crawl_id=crawl, fetch=Fetch(url=ARTICLE["url"], status=200))
        archive.record_fetch(crawl, Fetch(url=f"{SITE}/missing", status=404), "http_error")
        page = Capture(url=f"{SITE}/captcha/", status=200, headers={}, body=b"<html></html>")
        archive.record_fetch(crawl, Fetch(url=page.url, status=200), "unreadable", capture=page)
        archive.finish_crawl(crawl, "finished")
        archive.begin_crawl("sputnik", {})
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, list(args))


def run_json(db: Path, *args: str) -> Any:
    result = run("--db", str(db), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- crawls ------------------------------------------------------------------------------


def test_crawls_table(db: Path) -> None:
    """Exact columns and cells: times to the second with their zone, numbers right-aligned,
    a running crawl's missing end as "-"."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE crawls SET started_at = '2026-12-07T21:40:03.250000+00:00', node = 'paris-1'"
        )
        conn.execute("UPDATE crawls SET node = 'paris-2' WHERE id = 2")
        conn.execute(
            "UPDATE crawls SET finished_at = '2026-12-07T21:42:10.900000+00:00', not_due = 12"
            " WHERE id = 1"
        )
    conn.close()
    result = run("--db", str(db), "crawls")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id  spider   started                  finished                 reason    status    "
        "fetched  new  updated  unchanged  not_due  gone  aliases  not_article  unreadable  "
        "errors  node",
        " 2  sputnik  2026-12-07 21:40:03 UTC  -                        -         running   "
        "      0    0        0          0        0     0        0            0           0  "
        "     0  paris-2",
        " 1  sputnik  2026-12-07 21:40:03 UTC  2026-12-07 21:42:10 UTC  finished  finished  "
        "      3    1        0          0       12     0        0            0           1  "
        "     1  paris-1",
    ]
    only = run("--db", str(db), "crawls", "--node", "paris-1").stdout.splitlines()
    assert [line.split()[0] for line in only[1:]] == ["1"]
    assert run("--db", str(db), "crawls", "--node", "lyon").stdout == "no crawls yet\n"


def test_crawls_json(db: Path) -> None:
    crawls = run_json(db, "crawls")
    assert [c["id"] for c in crawls] == [2, 1]
    assert all(set(c) >= CRAWL_KEYS for c in crawls)
    assert crawls[1]["arguments"] == {"related_depth": "1"}
    assert (crawls[1]["fetched"], crawls[1]["new"], crawls[1]["errors"]) == (3, 1, 1)
    assert (crawls[1]["not_article"], crawls[1]["unreadable"]) == (0, 1)
    assert [c["id"] for c in run_json(db, "crawls", "--limit", "1")] == [2]


def test_crawls_on_an_empty_archive(tmp_path: Path) -> None:
    Archive(tmp_path / "empty.db").close()
    result = run("--db", str(tmp_path / "empty.db"), "crawls")
    assert result.exit_code == 0
    assert "no crawls" in result.stdout
    assert run_json(tmp_path / "empty.db", "crawls") == []


# -- show --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["1", URL, SHORT, URL + "?fbclid=x#top", ARTICLE["url"]])
def test_show_json_by_any_url(db: Path, key: str) -> None:
    article = run_json(db, "show", key)
    assert set(article) >= ARTICLE_KEYS
    assert article["id"] == 1
    assert article["title"] == ARTICLE["title"]
    assert article["tags"] == ["Syrie", "Russie"]
    assert article["related"] == ARTICLE["related"]
    assert {"url": SHORT, "kind": "short"} in article["urls"]


def test_show_human(db: Path) -> None:
    result = run("--db", str(db), "show", SHORT)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"title: {ARTICLE['title']}" in out
    assert "category: International" in out
    assert out.index("lead:") < out.index("body:") < out.index("related:") < out.index("tags:")
    assert "Second paragraphe." in out
    assert "Lien X" in out
    assert "tags: Syrie, Russie" in out


def test_show_unknown_article(db: Path) -> None:
    result = run("--db", str(db), "show", f"{SITE}/nope/")
    assert result.exit_code == 1
    assert "no article matches" in result.output
    assert "Traceback" not in result.output
    assert run("--db", str(db), "show", "999").exit_code == 1


# -- search ------------------------------------------------------------------------------


def test_search_json(db: Path) -> None:
    hits = run_json(db, "search", "securite")
    assert len(hits) == 1
    assert set(hits[0]) >= {"id", "url", "title", "published_at", "category", "snippet"}
    assert "[sécurité]" in hits[0]["snippet"]
    assert run_json(db, "search", "introuvable") == []


def test_search_human(db: Path) -> None:
    result = run("--db", str(db), "search", "securite", "--limit", "5")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"1. {ARTICLE['title']}"
    assert URL in lines[1]
    assert "[sécurité]" in lines[2]
    assert "no match" in run("--db", str(db), "search", "introuvable").stdout


@pytest.mark.parametrize("query", ['"unbalanced', "(", "AND", "NEAR("])
def test_search_bad_syntax_is_no_traceback(db: Path, query: str) -> None:
    result = run("--db", str(db), "search", query)
    assert result.exit_code == 0, result.output


def test_search_empty_query(db: Path) -> None:
    result = run("--db", str(db), "search", " ")
    assert result.exit_code == 1
    assert "empty search query" in result.output


# -- history -----------------------------------------------------------------------------


@pytest.fixture
def history_db(db: Path) -> Path:
    """The article of ``db`` in three versions (retitled, then body and tags edited), gone."""
    edits: list[dict[str, Any]] = [
        {"title": "Washington et Moscou discutent de la sécurité en Syrie"},
        {
            "title": "Washington et Moscou discutent de la sécurité en Syrie",
            "body": "Premier paragraphe. Une phrase ajoutée.\n\nSecond paragraphe.",
            "tags": ["Syrie", "États-Unis"],
            "modified_at": "2017-06-22T09:00:00+03:00",
        },
    ]
    with Archive(db) as archive:
        for day, edit in enumerate(edits, start=2):
            crawl = archive.begin_crawl("sputnik", {})
            fetched_at = f"2024-05-0{day}T03:00:00+00:00"
            archive.store_article(
                {**ARTICLE, **edit},
                crawl_id=crawl,
                fetch=Fetch(url=URL, status=200, fetched_at=fetched_at),
            )
            archive.finish_crawl(crawl, "finished")
        crawl = archive.begin_crawl("sputnik", {})
        archive.mark_gone(
            URL,
            crawl_id=crawl,
            fetch=Fetch(url=URL, status=404, fetched_at="2024-05-04T03:00:00+00:00"),
            status=404,
            reason="http_404",
        )
        archive.finish_crawl(crawl, "finished")
    return db


def test_history_json(history_db: Path) -> None:
    result = run_json(history_db, "history", SHORT)
    assert set(result) >= {"article", "versions", "diffs"}
    assert result["article"] == {"id": 1, "url": URL, "title": result["versions"][-1]["title"]}
    versions = result["versions"]
    assert [v["number"] for v in versions] == [1, 2, 3]  # oldest first
    assert {"number", "fetched_at", "crawl_id", "extractor", "content_hash", "body"} <= set(
        versions[0]
    )
    assert versions[2]["tags"] == ["Syrie", "États-Unis"]
    first, second = result["diffs"]
    assert (first["from"], first["to"]) == (1, 2)
    assert first["changes"] == {
        "title": {"old": ARTICLE["title"], "new": versions[1]["title"]},
    }
    assert list(second["changes"]) == ["body", "tags", "modified_at"]
    body = second["changes"]["body"]
    assert body["old"] == ARTICLE["body"]
    assert "+Une phrase ajoutée." in body["diff"].splitlines()
    assert second["changes"]["tags"]["added"] == ["États-Unis"]
    assert [e["kind"] for e in result["events"]] == ["gone"]


def test_history_human(history_db: Path) -> None:
    result = run("--db", str(history_db), "history", "1")
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = out.splitlines()
    assert lines[0].startswith("article 1: Washington et Moscou")
    assert lines[1] == URL
    header = lines[3]
    assert header.split() == ["version", "fetched", "crawl", "extractor", "hash"]
    assert lines[4].split()[0] == "1" and lines[6].split()[0] == "3"
    assert "2024-05-03 03:00:00" in lines[6]
    assert "v1 -> v2 (2024-05-02 03:00:00 UTC)" in out
    assert f'  title: "{ARTICLE["title"]}" -> "Washington et Moscou' in out
    assert "    +Une phrase ajoutée." in lines
    assert "  tags: Syrie, Russie -> Syrie, États-Unis (+États-Unis, -Russie)" in lines
    assert out.index("v1 -> v2") < out.index("v2 -> v3") < out.index("events:")
    assert "gone 404" in out


def test_history_of_an_article_never_changed(db: Path) -> None:
    result = run("--db", str(db), "history", "1")
    assert result.exit_code == 0, result.output
    assert "v1 ->" not in result.stdout
    assert run_json(db, "history", "1")["diffs"] == []


def test_history_unknown_article(db: Path) -> None:
    result = run("--db", str(db), "history", f"{SITE}/nope/")
    assert result.exit_code == 1
    assert f"no article matches {SITE}/nope/" in result.output
    assert "Traceback" not in result.output
    assert run("--db", str(db), "history", "999", "--json").exit_code == 1


# -- the archive file and exit codes -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["crawls"],
        ["show", "1"],
        ["search", "x"],
        ["history", "1"],
        ["reparse"],
        ["export", "--format", "warc", "-o", "out.warc.gz"],
    ],
)
def test_missing_archive_is_an_error_and_never_created(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "missing.db"
    result = run("--db", str(path), *command)
    assert result.exit_code == 1
    assert f"no archive at {path}" in result.output
    assert not path.exists()


def test_archive_path_from_environment(db: Path) -> None:
    result = run("crawls", "--json", env={"ARCHIVE_PATH": str(db)})
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


def test_default_path_is_archive_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHIVE_PATH", raising=False)
    result = run("crawls")
    assert result.exit_code == 1
    assert "no archive at archive.db" in result.output


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not sqlite at all " * 100)
    result = run("--db", str(path), "crawls")
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(db: Path) -> None:
    assert run("--db", str(db), "crawls", "--limit", "0").exit_code == 2
    assert run("--db", str(db), "nope").exit_code == 2
    assert run("--db", str(db), "show").exit_code == 2


def test_json_is_only_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.warc.gz"
    for args in (["crawls"], ["show", "1"], ["search", "syrie"], ["history", "1"]):
        result = run("--db", str(db), *args, "--json")
        json.loads(result.stdout)
        assert "é" in result.stdout or args == ["crawls"]  # ensure_ascii=False
    for args in (["reparse", "--dry-run"], ["export", "--format", "warc", "-o", str(out)]):
        json.loads(run("--db", str(db), *args, "--json").stdout)


# -- docs/cli.md stays true --------------------------------------------------------------


def test_every_command_and_option_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## `(\w+)`", text, flags=re.MULTILINE))
    assert headings == set(cli.commands)
    for name, command in cli.commands.items():
        section = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        assert f"$ archive {name}" in section, f"no example of {name}"
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                shown = opt if opt.startswith("-") else opt.upper()
                assert shown in section, f"{name}: {shown} undocumented"
            if isinstance(param.type, click.Choice):
                for choice in param.type.choices:
                    assert f"`{choice}`" in section, f"{name}: {param.name}={choice} undocumented"
    for param in cli.params:
        for opt in param.opts:
            assert opt in text


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.output
