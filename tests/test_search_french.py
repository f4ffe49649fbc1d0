"""French search: accents, elisions, inflections, phrases, operators, ranking, snippets, and
queries that are not valid FTS5."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import Archive, Fetch, french
from archive.cli import cli

SITE = "https://fr.sputniknews.com"
SCHEMA_1 = Path(__file__).resolve().parent / "fixtures" / "archives" / "schema-001.db"


def article(
    number: int, title: str, lead: str = "Chapeau.", body: str = "Corps.", **more: Any
) -> dict[str, Any]:
    url = f"{SITE}/international/2017062110{number:08d}-article-{number}/"
    values: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "site": "sputnik",
        "language": "fr",
        "title": title,
        "lead": lead,
        "body": body,
        "authors": [],
        "category": "International",
        "tags": [],
        "published_at": "2017-06-21T14:32:00+03:00",
    }
    values.update(more)
    return values


def put(archive: Archive, values: dict[str, Any]) -> int:
    crawl = archive.begin_crawl("sputnik", {})
    result = archive.store_article(
        values, crawl_id=crawl, fetch=Fetch(url=values["url"], status=200)
    )
    return int(result.article_id)


def ids(archive: Archive, query: str) -> list[int]:
    return [hit["id"] for hit in archive.search(query)]


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with Archive(tmp_path / "archive.db") as opened:
        put(opened, article(1, "Washington et Moscou discutent de la sécurité en Syrie"))
        put(opened, article(2, "Un avion", body="Le ministère a évoqué l’aviation russe."))
        put(opened, article(3, "Bilan", lead="Une frappe aérienne a visé la ville."))
        put(opened, article(4, "Autre", body="La Syrie et la Russie, puis la sécurité du pays."))
        yield opened


# -- folding -----------------------------------------------------------------------------


def test_fold_tokens() -> None:
    assert french.fold_tokens("Sécurité") == french.fold_tokens("securite")
    assert french.fold_tokens("l'aviation") == french.fold_tokens("l’aviation")
    assert french.fold_tokens("l'aviation") == french.fold_tokens("aviation")
    assert french.fold_tokens("jusqu'à lorsqu'il") == french.fold_tokens("à il")
    assert french.fold_tokens("frappes") == french.fold_tokens("frappe")
    assert french.fold_tokens(None) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("securite", '"securit"'),
        ('"la sécurité"', '"la securit"'),
        ("a AND NOT b", '"a" NOT "b"'),
        ("(a OR b) c", '( "a" OR "b" ) AND "c"'),
        ("NEAR(a", '"near" "a"'),
        ("a-b", '"a b"'),
        ("secur*", '"secur"*'),
        ("title:syrie", 'title : "syr"'),
        ('"unbalanced', '"unbalanced"'),
        ("a OR", '"a"'),
        ("( ) AND * - ^", ""),
    ],
)
def test_parse_query(query: str, expected: str) -> None:
    assert french.parse_query(query).match == expected


# -- matching ----------------------------------------------------------------------------


def test_accents_are_ignored(archive: Archive) -> None:
    assert ids(archive, "securite") == ids(archive, "SÉCURITÉ")
    assert set(ids(archive, "securite")) == {1, 4}
    hit = archive.search("securite")[0]
    assert "[sécurité]" in hit["snippet"]


@pytest.mark.parametrize("query", ["aviation", "l'aviation", "l’aviation", "AVIATION"])
def test_elisions_are_ignored(archive: Archive, query: str) -> None:
    hits = archive.search(query)
    assert [hit["id"] for hit in hits] == [2]
    assert "l’[aviation]" in hits[0]["snippet"]


def test_inflections_match(archive: Archive) -> None:
    hits = archive.search("frappes")
    assert [hit["id"] for hit in hits] == [3]
    assert "[frappe]" in hits[0]["snippet"]
    assert ids(archive, "aériennes") == [3]


def test_phrase_against_words(archive: Archive) -> None:
    assert set(ids(archive, "syrie russie")) == {4}
    assert ids(archive, '"syrie et la russie"') == [4]
    assert ids(archive, '"russie et la syrie"') == []
    assert set(ids(archive, "moscou syrie")) == {1}
    assert ids(archive, '"moscou syrie"') == []


def test_boolean_operators(archive: Archive) -> None:
    assert set(ids(archive, "securite AND moscou")) == {1}
    assert set(ids(archive, "moscou OR aviation")) == {1, 2}
    assert set(ids(archive, "securite NOT moscou")) == {4}
    assert set(ids(archive, "securite AND NOT moscou")) == {4}
    assert set(ids(archive, "(moscou OR aviation) AND washington")) == {1}
    assert ids(archive, "securite and moscou") == []  # lower case: words, "and" is in no text


def test_prefix_and_column(archive: Archive) -> None:
    assert set(ids(archive, "secur*")) == {1, 4}
    assert ids(archive, "title:syrie") == [1]
    assert set(ids(archive, "syrie")) == {1, 4}


def test_title_match_ranks_above_body_match(archive: Archive) -> None:
    hits = archive.search("syrie")
    assert [hit["id"] for hit in hits] == [1, 4]
    assert hits[0]["rank"] < hits[1]["rank"]
    assert "[Syrie]" in hits[1]["snippet"]


def test_snippet_shows_the_matching_window(tmp_path: Path) -> None:
    body = " ".join(["remplissage"] * 40 + ["les frappes"] + ["suite"] * 40)
    with Archive(tmp_path / "archive.db") as archive:
        put(archive, article(1, "Titre", body=body))
        snippet = archive.search("frappe")[0]["snippet"]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "[frappes]" in snippet
    assert len(snippet.split()) <= 17


@pytest.mark.parametrize(
    "query", ['"', '"unbalanced', "(", ")", "AND", "NEAR(", "*", "-", "a-b", "title:", "^x", "x OR"]
)
def test_stray_syntax_never_raises(archive: Archive, query: str) -> None:
    assert isinstance(archive.search(query), list)


def test_stray_syntax_still_searches(archive: Archive) -> None:
    assert ids(archive, '"moscou') == [1]
    assert ids(archive, "moscou (") == [1]
    assert ids(archive, "NEAR(moscou") == []  # "near" is a word no article holds
    assert ids(archive, "moscou AND") == [1]


@pytest.mark.parametrize(
    ("query", "message"), [("  ", "empty search query"), ("NOT moscou", "NOT")]
)
def test_unsearchable_query_says_why(archive: Archive, query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        archive.search(query)


# -- index upkeep ------------------------------------------------------------------------


def test_index_follows_updates_and_reparses(archive: Archive) -> None:
    put(archive, article(3, "Bilan", lead="Des bombardements ont visé la ville."))
    assert ids(archive, "frappe") == []
    assert ids(archive, "bombardement") == [3]
    changed = article(3, "Bilan", lead="Des frappes répétées.")
    version = archive.add_version(
        3, changed, crawl_id=None, fetched_at="2024-01-01T00:00:00+00:00", capture_id=None,
        extractor=None, extractor_version=None,
    )  # fmt: skip
    assert version is not None
    assert ids(archive, "frappe") == [3]
    assert ids(archive, "bombardement") == []


def test_tags_are_searched(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        put(archive, article(1, "Titre", tags=["Défense", "États-Unis"]))
        assert ids(archive, "etats-unis") == [1]
        assert ids(archive, "tags:defense") == [1]


def test_archive_made_before_french_search_is_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copyfile(SCHEMA_1, path)
    with Archive(path) as archive:
        indexed = archive.db.execute("SELECT COUNT(*) FROM articles_fts_fr").fetchone()[0]
        assert indexed == archive.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        assert archive.search("syries")  # stemmed: "Syrie" in the fixture's articles
        assert archive.backfill_search() == 0
    with Archive(path, readonly=True) as readonly:
        assert readonly.search("syries")


def test_readonly_archive_before_french_search_still_searches(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copyfile(SCHEMA_1, path)
    with Archive(path, readonly=True) as readonly:
        assert readonly.pending_migrations
        hits = readonly.search("syrie")
        assert hits and "[" in hits[0]["snippet"]
        assert isinstance(readonly.search('"('), list)


# -- command line ------------------------------------------------------------------------


def test_cli_search(archive: Archive) -> None:
    runner = CliRunner()
    db = archive.path
    result = runner.invoke(cli, ["--db", db, "search", "frappes", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [hit["id"] for hit in hits] == [3]
    for query in ['"', "(", "AND", "NEAR(", "*", "-"]:
        result = runner.invoke(cli, ["--db", db, "search", query])
        assert result.exit_code == 0, (query, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(cli, ["--db", db, "search", "NOT moscou"])
    assert result.exit_code == 1
    assert "NOT needs something before it" in result.output
