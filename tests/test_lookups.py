"""Forgiving lookups: an article found by any common form of its URL, name filters that
ignore case, accents and hyphens and suggest the closest names."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive.cli import cli
from archive.filters import ArticleFilters
from archive.urls import AmbiguousURLError
from archive.web import ARTICLE_VERSIONS_SQL, ARTICLES_BY_TAG_SQL, register_sql_functions

#: name -> (URL, fields). ``slash`` and ``noslash`` differ only by a trailing slash: looser
#: forms of either must not pick one of them.
ARTICLES: dict[str, tuple[str, dict[str, Any]]] = {
    "washington": (
        "http://www.exemple.fr/international/2017-washington-moscou/",
        {
            "site": "exemple",
            "category": "Défense",
            "tags": ["États-Unis", "Russie"],
            "authors": ["Jean-Loïc Dupont"],
        },
    ),
    "baltes": (
        "https://exemple.fr/economie/gaz-baltes",
        {
            "site": "exemple",
            "category": "Économie",
            "tags": ["États baltes", "Gaz"],
            "authors": ["Marie Curie"],
        },
    ),
    "slash": (
        "https://autre.fr/a/",
        {"site": "autre", "category": "Société", "tags": ["Œuvres d’art"], "authors": []},
    ),
    "noslash": (
        "http://autre.fr/a",
        {"site": "autre2", "category": "Société", "tags": ["France"], "authors": []},
    ),
}
IDS = {name: number for number, name in enumerate(ARTICLES, start=1)}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lookups") / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("exemple", {})
        for name, (url, fields) in ARTICLES.items():
            article = {"url": url, "language": "fr", "title": f"Article {name}", **fields}
            article["body"] = f"Texte de l'article {name}."
            archive.store_article(article, crawl_id=crawl, fetch=Fetch(url=url, status=200))
        archive.finish_crawl(crawl, "finished")
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def shown_id(db: Path, command: str, value: str, *args: str) -> int:
    result = run(db, command, value, *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    if command == "history":
        return int(data["article"]["id"])
    if command == "related":
        return int(data["root"])
    return int(data["id"])


# -- URL forms ------------------------------------------------------------------------------

WASHINGTON = "www.exemple.fr/international/2017-washington-moscou"


@pytest.mark.parametrize(
    "form",
    [
        "http://www.exemple.fr/international/2017-washington-moscou/",  # as archived
        "https://www.exemple.fr/international/2017-washington-moscou/",  # scheme
        "http://www.exemple.fr/international/2017-washington-moscou",  # trailing slash
        "https://exemple.fr/international/2017-washington-moscou",  # www., scheme, slash
        "http://www.exemple.fr/international/2017-washington-moscou/?utm_source=x#top",
        "https://amp.exemple.fr/international/2017-washington-moscou/",  # AMP host
        "https://www.exemple.fr/amp/international/2017-washington-moscou/",  # AMP segment
        "https://www.exemple.fr/international/2017-washington-moscou/amp/",
        "https://www.exemple.fr/international/2017-washington-moscou.amp",  # AMP suffix
        "https://www.exemple.fr/international/2017-washington-moscou/?amp",  # AMP query
        "https://www.exemple.fr/international/2017-washington-moscou/?amp=1&fbclid=a",
        "https://www.exemple.fr/international/2017-washington-moscou/?outputType=amp",
        "HTTPS://WWW.EXEMPLE.FR/international/2017-washington-moscou",  # case of host
        "www.exemple.fr/international/2017-washington-moscou/",  # no scheme
        "exemple.fr/international/2017-washington-moscou",
        "  https://www.exemple.fr/international/2017-washington-moscou  ",
    ],
)
@pytest.mark.parametrize("command", ["show", "history", "related"])
def test_every_common_form_finds_the_article(db: Path, form: str, command: str) -> None:
    assert shown_id(db, command, form) == IDS["washington"]


@pytest.mark.parametrize(
    "form",
    [
        "https://exemple.fr/economie/gaz-baltes",  # as archived
        "http://www.exemple.fr/economie/gaz-baltes/",
        "https://exemple.fr/economie/gaz%2Dbaltes",  # percent-encoded hyphen
        "https://exemple.fr/%65conomie/gaz-baltes",
    ],
)
def test_encoding_and_slash_forms(db: Path, form: str) -> None:
    assert shown_id(db, "show", form) == IDS["baltes"]


@pytest.mark.parametrize(
    ("form", "name"),
    [("https://autre.fr/a/", "slash"), ("http://autre.fr/a", "noslash")],
)
def test_exact_forms_win_over_loose_ones(db: Path, form: str, name: str) -> None:
    assert shown_id(db, "show", form) == IDS[name]


@pytest.mark.parametrize("command", ["show", "history", "related"])
@pytest.mark.parametrize("form", ["https://www.autre.fr/a", "https://autre.fr/a"])
def test_a_loose_form_of_two_articles_is_refused(db: Path, command: str, form: str) -> None:
    result = run(db, command, form)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"Error: {form} may mean several articles: "
        "3 (https://autre.fr/a/), 4 (http://autre.fr/a); give the id or the exact URL\n",
    )


def test_site_settles_an_ambiguous_form(db: Path) -> None:
    assert shown_id(db, "show", "https://www.autre.fr/a", "--site", "autre2") == IDS["noslash"]
    assert shown_id(db, "history", "https://www.autre.fr/a", "--site", "autre") == IDS["slash"]
    result = run(db, "show", "https://www.autre.fr/a", "--site", "exemple")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no article matches https://www.autre.fr/a in site exemple\n",
    )


def test_python_api_raises_with_the_candidates(db: Path) -> None:
    with Archive(db, readonly=True) as archive:
        with pytest.raises(AmbiguousURLError) as caught:
            archive.get_article("autre.fr/a/")
        assert caught.value.candidates == [(3, "https://autre.fr/a/"), (4, "http://autre.fr/a")]
        # Versions and events find the article the same way.
        assert [v["number"] for v in archive.versions(WASHINGTON)] == [1]


@pytest.mark.parametrize(
    "form",
    [
        "https://www.exemple.fr/international/2017-washington-moscou-2/",  # another path
        "https://www.exemple.com/international/2017-washington-moscou/",  # another host
        "https://www.exemple.fr/International/2017-washington-moscou/",  # path case kept
        "ftp://www.exemple.fr/international/2017-washington-moscou/",
        "washington",
    ],
)
def test_other_urls_find_nothing(db: Path, form: str) -> None:
    result = run(db, "show", form)
    assert (result.exit_code, result.stderr) == (1, f"Error: no article matches {form}\n")


def test_datasette_target_finds_loose_forms(db: Path) -> None:
    conn = sqlite3.connect(db)
    register_sql_functions(conn)
    try:

        def versions_of(value: str) -> list[int]:
            rows = conn.execute(ARTICLE_VERSIONS_SQL, {"article": value}).fetchall()
            return sorted({int(row[0]) for row in rows})

        assert versions_of("https://amp.exemple.fr/international/2017-washington-moscou") == [1]
        assert versions_of("exemple.fr/economie/gaz-baltes/") == [2]
        assert versions_of("https://www.autre.fr/a") == []  # two candidates: none
        assert versions_of("http://autre.fr/a") == [4]
    finally:
        conn.close()


# -- name filters ---------------------------------------------------------------------------


def listed(db: Path, *args: str) -> list[int]:
    result = run(db, "articles", *args, "--json")
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--tag", "États-Unis"], ["washington"]),
        (["--tag", "états-unis"], ["washington"]),
        (["--tag", "etats-unis"], ["washington"]),
        (["--tag", "ETATS UNIS"], ["washington"]),
        (["--tag", "etats  -  unis"], ["washington"]),
        (["--tag", "oeuvres d'art"], ["slash"]),  # ligature, curly apostrophe
        (["--category", "defense"], ["washington"]),
        (["--category", "DÉFENSE"], ["washington"]),
        (["--category", "societe"], ["noslash", "slash"]),
        (["--author", "jean loic dupont"], ["washington"]),
        (["--author", "Jean-Loïc Dupont", "--tag", "russie"], ["washington"]),
    ],
)
def test_names_match_whatever_case_accents_and_hyphens(
    db: Path, args: list[str], names: list[str]
) -> None:
    assert listed(db, *args) == [IDS[name] for name in names]


def test_whole_names_only(db: Path) -> None:
    assert listed(db, "--tag", "etats") == []
    assert listed(db, "--author", "dupont") == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--tag", "etats-unsi"], 'no tag "etats-unsi"; closest: États-Unis, États baltes'),
        (["--category", "defence"], 'no category "defence"; closest: Défense'),
        (["--author", "Marie Curry"], 'no author "Marie Curry"; closest: Marie Curie'),
        (["--tag", "zzz"], 'no tag "zzz"'),
        (
            ["--tag", "etat-unis", "--category", "economi"],
            'no tag "etat-unis"; closest: États-Unis\nno category "economi"; closest: Économie',
        ),
    ],
)
def test_unknown_names_suggest_the_closest(db: Path, args: list[str], said: str) -> None:
    result = run(db, "articles", *args)
    assert (result.exit_code, result.stdout) == (0, said + "\n")
    result = run(db, "search", "texte", *args)
    assert (result.exit_code, result.stdout) == (0, said + "\n")
    result = run(db, "search", "texte", *args, "--json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", said + "\n")


def test_export_warns_of_an_unknown_name(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run(db, "export", "--format", "jsonl", "--tag", "etats-unsi", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == ('warning: no tag "etats-unsi"; closest: États-Unis, États baltes\n')
    assert out.read_text() == ""


def test_filter_notes_api(db: Path) -> None:
    with Archive(db, readonly=True) as archive:
        assert archive.filter_notes(ArticleFilters(tag="États-Unis")) == []
        assert archive.filter_notes(ArticleFilters(author="curie")) == [
            'no author "curie"; closest: Marie Curie'
        ]


def test_datasette_articles_by_tag_folds_names(db: Path) -> None:
    conn = sqlite3.connect(db)
    register_sql_functions(conn)
    try:
        rows = conn.execute(ARTICLES_BY_TAG_SQL, {"tag": "etats-unis"}).fetchall()
        assert [row[0] for row in rows] == [IDS["washington"]]
        assert conn.execute("SELECT archive_fold('Œuvres d’art  -  Paris')").fetchone() == (
            "oeuvres d art paris",
        )
        assert (
            conn.execute("SELECT archive_url_keys('exemple.fr/a')")
            .fetchone()[0]
            .startswith('["exemple.fr/a", "http://exemple.fr/a", ')
        )
    finally:
        conn.close()


def test_sql_command_knows_archive_fold(db: Path) -> None:
    result = run(db, "sql", "SELECT name FROM tags WHERE archive_fold(name) = 'gaz'")
    assert (result.exit_code, result.stdout) == (0, "name\nGaz\n")
