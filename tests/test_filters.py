"""``ArticleFilters`` and the ``archive articles`` / ``archive search`` filter options."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive.cli import cli
from archive.filters import ArticleFilters, FilterError

SITE = "https://fr.sputniknews.com"

#: name -> (overrides of the base article); every body mentions "Moscou" for search.
ARTICLES: dict[str, dict[str, Any]] = {
    "syrie": {
        "category": "International",
        "tags": ["Syrie", "Russie"],
        "authors": ["Jean Dupont"],
        "published_at": "2017-06-21T14:32:00+03:00",
        "body": "Moscou et Damas signent un accord sur les couloirs humanitaires.",
    },
    "gaz": {
        "category": "Economie",
        "tags": ["Russie", "Gaz"],
        "authors": ["Marie Curie", "Jean Dupont"],
        "published_at": "2017-06-22T23:30:00+03:00",
        "body": "Moscou relève le prix du gaz livré vers les pays baltes cet hiver.",
    },
    "paris": {
        "category": "International",
        "tags": ["France"],
        "authors": [],
        "published_at": "2017-06-23T00:10:00+03:00",
        "body": "Moscou convoque l'ambassadeur de France après une déclaration à Paris.",
    },
    "afrique": {
        "site": "sputnik-afrique",
        "category": "Société",
        "tags": ["Syrie"],
        "authors": ["Marie Curie"],
        "published_at": "2017-07-01T08:00:00+02:00",
        "body": "Moscou ouvre un centre culturel à Dakar, une première en Afrique de l'Ouest.",
    },
    "undated": {
        "category": "International",
        "tags": [],
        "authors": [],
        "published_at": None,
        "body": "Moscou accueille un festival de cinéma consacré aux documentaires polaires.",
    },
}
#: Article ids in storage order.
IDS = {name: number for number, name in enumerate(ARTICLES, start=1)}


def url_of(name: str) -> str:
    return f"{SITE}/rubrique/2017-{name}/"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five articles of two sites, one of them gone, one undated."""
    path = tmp_path_factory.mktemp("filters") / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for name, fields in ARTICLES.items():
            article = {
                "url": url_of(name),
                "site": "sputnik",
                "language": "fr",
                "title": f"Article {name}",
                "lead": f"Chapeau de l'article {name}.",
                **fields,
            }
            archive.store_article(
                article, crawl_id=crawl, fetch=Fetch(url=url_of(name), status=200)
            )
        archive.mark_gone(
            url_of("paris"),
            crawl_id=crawl,
            fetch=Fetch(url=url_of("paris"), status=404),
            status=404,
            reason="http_404",
        )
        archive.finish_crawl(crawl, "finished")
    return path


def listed(db: Path, **filters: Any) -> list[str]:
    """Names of the articles ``Archive.articles`` gives, in its order."""
    names = {number: name for name, number in IDS.items()}
    with Archive(db, readonly=True) as archive:
        return [names[row["id"]] for row in archive.articles(ArticleFilters(**filters))]


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def run_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the Python API -------------------------------------------------------------------------


def test_no_filter_lists_everything_newest_first(db: Path) -> None:
    assert listed(db) == ["afrique", "paris", "gaz", "syrie", "undated"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"site": "sputnik-afrique"}, ["afrique"]),
        ({"site": "SPUTNIK"}, ["paris", "gaz", "syrie", "undated"]),
        ({"tag": "Syrie"}, ["afrique", "syrie"]),
        ({"tag": "russie"}, ["gaz", "syrie"]),
        ({"tag": "Absent"}, []),
        ({"category": "International"}, ["paris", "syrie", "undated"]),
        ({"category": "Société"}, ["afrique"]),
        ({"author": "Jean Dupont"}, ["gaz", "syrie"]),
        ({"author": "marie curie"}, ["afrique", "gaz"]),
        ({"author": "Jean"}, []),  # whole names only
        ({"status": "gone"}, ["paris"]),
        ({"status": "live"}, ["afrique", "gaz", "syrie", "undated"]),
        ({"since": dt.date(2017, 6, 22)}, ["afrique", "paris", "gaz"]),
        ({"until": dt.date(2017, 6, 22)}, ["gaz", "syrie"]),  # 23:30 on the 22nd included
        ({"since": dt.date(2017, 6, 22), "until": dt.date(2017, 6, 22)}, ["gaz"]),
        ({"since": dt.date(2017, 6, 23), "until": dt.date(2017, 6, 30)}, ["paris"]),
        ({"limit": 2}, ["afrique", "paris"]),
        ({"limit": 2, "offset": 2}, ["gaz", "syrie"]),
        ({"offset": 4}, ["undated"]),
    ],
)
def test_each_filter_narrows(db: Path, filters: dict[str, Any], expected: list[str]) -> None:
    assert listed(db, **filters) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tag": "Russie", "author": "Marie Curie"}, ["gaz"]),
        ({"category": "International", "status": "live"}, ["syrie", "undated"]),
        ({"tag": "Syrie", "site": "sputnik"}, ["syrie"]),
        ({"category": "International", "since": dt.date(2017, 6, 1)}, ["paris", "syrie"]),
        ({"author": "Jean Dupont", "status": "gone"}, []),
        ({"tag": "Russie", "limit": 1}, ["gaz"]),
    ],
)
def test_filters_combine(db: Path, filters: dict[str, Any], expected: list[str]) -> None:
    assert listed(db, **filters) == expected


@pytest.mark.parametrize(
    ("filters", "option", "message"),
    [
        ({"status": "deleted"}, "--status", "'deleted' is not one of live, gone"),
        (
            {"since": dt.date(2017, 6, 22), "until": dt.date(2017, 6, 21)},
            "--until",
            "2017-06-21 is before --since 2017-06-22",
        ),
        ({"limit": 0}, "--limit", "0 is less than 1"),
        ({"offset": -1}, "--offset", "-1 is less than 0"),
    ],
)
def test_bad_filters_raise(filters: dict[str, Any], option: str, message: str) -> None:
    with pytest.raises(FilterError) as raised:
        ArticleFilters(**filters)
    assert (raised.value.option, str(raised.value)) == (option, message)


def test_where_without_filters_is_true() -> None:
    assert ArticleFilters().where() == ("1", {})


def test_search_with_filters(db: Path) -> None:
    with Archive(db, readonly=True) as archive:
        assert len(archive.search("moscou")) == 5
        hits = archive.search("moscou", filters=ArticleFilters(tag="Syrie"))
        assert sorted(h["id"] for h in hits) == [IDS["syrie"], IDS["afrique"]]
        hits = archive.search("moscou", limit=1, filters=ArticleFilters(status="gone"))
        assert [h["id"] for h in hits] == [IDS["paris"]]
        assert archive.search("gaz", filters=ArticleFilters(category="International")) == []


# -- archive articles -------------------------------------------------------------------------


def test_articles_table(db: Path) -> None:
    result = run(db, "articles")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "published", "category", "status", "title", "url"]
    assert [row.split()[0] for row in rows] == ["4", "3", "2", "1", "5"]
    assert rows[1].split() == [
        "3", "2017-06-23", "00:10:00", "+03:00", "International", "gone", "Article", "paris",
        url_of("paris"),
    ]  # fmt: skip
    assert rows[4].split()[:3] == ["5", "-", "International"]
    title = header.index("title")  # aligned columns
    assert all(row[title:].startswith("Article ") for row in rows)


def test_articles_json(db: Path) -> None:
    rows = run_json(db, "articles", "--limit", "2")
    assert rows == [
        {
            "id": 4,
            "published_at": "2017-07-01T08:00:00+02:00",
            "category": "Société",
            "status": "live",
            "title": "Article afrique",
            "url": url_of("afrique"),
        },
        {
            "id": 3,
            "published_at": "2017-06-23T00:10:00+03:00",
            "category": "International",
            "status": "gone",
            "title": "Article paris",
            "url": url_of("paris"),
        },
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "Syrie"], [4, 1]),
        (["--author", "Jean Dupont", "--category", "Economie"], [2]),
        (["--site", "sputnik", "--status", "live", "--until", "2017-06-22"], [2, 1]),
        (["--since", "2017-06-22", "--until", "2017-06-23", "--offset", "1"], [2]),
        (["--status", "gone"], [3]),
    ],
)
def test_articles_options(db: Path, args: list[str], expected: list[int]) -> None:
    assert [row["id"] for row in run_json(db, "articles", *args)] == expected


def test_articles_nothing_matches(db: Path) -> None:
    # Names that exist, together selecting nothing: the usual words.
    result = run(db, "articles", "--tag", "France", "--category", "Economie")
    assert (result.exit_code, result.stdout) == (0, "no articles\n")
    assert run_json(db, "articles", "--tag", "France", "--category", "Economie") == []


def test_articles_unknown_name_says_so(db: Path) -> None:
    # A name the archive does not hold, nothing close to it: said instead of "no articles".
    result = run(db, "articles", "--tag", "Absent")
    assert (result.exit_code, result.stdout) == (0, 'no tag "Absent"\n')
    result = run(db, "articles", "--tag", "Absent", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert result.stderr == 'no tag "Absent"\n'


@pytest.mark.parametrize("command", [["articles"], ["search", "moscou"]])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "2017-06-22", "--until", "2017-06-21"],
            "Invalid value for '--until': 2017-06-21 is before --since 2017-06-22",
        ),
        (
            ["--since", "22/06/2017"],
            "Invalid value for '--since': '22/06/2017' is not a date in the form YYYY-MM-DD",
        ),
        (
            ["--since", "2017-W25-3"],
            "Invalid value for '--since': '2017-W25-3' is not a date in the form YYYY-MM-DD",
        ),
        (
            ["--until", "2017-02-30"],
            "Invalid value for '--until': '2017-02-30' is not a date in the form YYYY-MM-DD",
        ),
        (["--limit", "0"], "Invalid value for '--limit': 0 is not in the range x>=1."),
        (
            ["--status", "deleted"],
            "Invalid value for '--status': 'deleted' is not one of 'live', 'gone'.",
        ),
    ],
)
def test_bad_values_are_usage_errors(
    db: Path, command: list[str], args: list[str], message: str
) -> None:
    result = run(db, *command, *args)
    assert result.exit_code == 2
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output


# -- archive search with filters ----------------------------------------------------------


def test_search_without_filters_is_unchanged(db: Path) -> None:
    assert len(run_json(db, "search", "moscou")) == 5
    assert len(run_json(db, "search", "moscou", "--limit", "2")) == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "Syrie"], [1, 4]),
        (["--author", "Marie Curie"], [2, 4]),
        (["--category", "International", "--status", "live"], [1, 5]),
        (["--since", "2017-06-23"], [3, 4]),
        (["--site", "sputnik-afrique"], [4]),
    ],
)
def test_search_filters(db: Path, args: list[str], expected: list[int]) -> None:
    assert sorted(hit["id"] for hit in run_json(db, "search", "moscou", *args)) == expected


def test_search_offset_numbers_hits(db: Path) -> None:
    hits = run_json(db, "search", "moscou")
    result = run(db, "search", "moscou", "--offset", "3", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"4. {hits[3]['title']}"
