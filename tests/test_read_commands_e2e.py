"""End to end: every ``archive`` read command against an archive built by crawling mocksite.

A 100-article replica is crawled from its home page on days 1 to 3 (versions, unpublished and
returning articles, "Lire aussi" links), then every planted duplicate URL is fed to the spider
(aliases and near-duplicates). The commands then run as a user runs them: click's CliRunner on
``archive.cli:cli`` and, where the process matters (exit status, stderr, no traceback, no
terminal), the real ``.venv/bin/archive`` in a subprocess.

What they print is checked against the replica's own ground truth (what it served, day by
day: ``Site.article``, ``status``, ``changes``, ``planted_duplicates``), never against numbers
written here nor only against the archive's own SQL.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import json
import os
import pty
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from archive.cli import cli
from archive.stats import DEFAULT_MIN_ARTICLES
from mocksite.pages import Renderer
from mocksite.server import RunningSite, start
from mocksite.site import Site

from .conftest import content, fold, fold_line, run_crawl

pytestmark = pytest.mark.e2e

ARTICLES = 100
SEED = 4
DAYS = (1, 2, 3)
LAST = DAYS[-1]
#: The installed ``archive`` command of the interpreter running the tests (the venv's).
ARCHIVE_BIN = Path(sys.executable).with_name("archive")
#: Edits that change an article's content (whitespace-only edits do not).
VISIBLE_EDITS = {"corrected_paragraph", "new_title", "tags_changed", "paragraph_added"}
#: Every field ``archive export`` writes, in order (docs/cli.md, "export").
EXPORT_FIELDS = [
    "id", "url", "canonical_url", "site", "language", "title", "lead", "body", "authors",
    "category", "tags", "published_at", "published_at_raw", "modified_at", "modified_at_raw",
    "image_url", "image_caption", "image_credit", "short_url", "views", "related", "status",
    "duplicate_of", "similarity", "first_seen_at", "last_seen_at", "last_changed_at",
]  # fmt: skip
ARTICLE_ROW_KEYS = ["id", "published_at", "category", "status", "title", "url"]
READONLY = "Error: refused, sql only reads: attempt to write a readonly database\n"
NO_DOT = "Error: Graphviz's dot is not installed; use --format dot and render it elsewhere\n"
EMPTY_QUERY = "Error: empty search query: give at least one word to search for\n"
LEADING_NOT = "Error: NOT needs something before it: write 'syrie NOT russie', not 'NOT russie'\n"


# -- ground truth -------------------------------------------------------------------------


@dataclass
class Page:
    """One article page as the replica served it (its last content, for a gone one)."""

    url: str
    index: int
    syndicated: bool
    truth: dict[str, Any]
    live: bool
    contents: list[tuple[Any, ...]]
    """Each distinct content served, oldest first: the versions the archive must hold."""
    events: list[tuple[str, int | None]]
    """``gone`` (with the status) and ``returned``, in the order the crawls met them."""
    related: list[tuple[str, str, str]]
    """(url, title, kind) of its "Lire aussi" links, in page order."""

    @property
    def tags(self) -> list[str]:
        return [fold_line(t) for t in self.truth["tags"]]

    @property
    def published_day(self) -> str:
        return str(self.truth["published_at"])[:10]

    def texts(self) -> tuple[str, str, str, str]:
        """(title, lead, body, tags) as search reads them."""
        return (
            fold(self.truth["title"]) or "",
            fold(self.truth["lead"]) or "",
            fold(self.truth["body"]) or "",
            ", ".join(self.tags),
        )


@dataclass
class World:
    db: Path
    running: RunningSite
    base: str
    sites: dict[int, Site]
    pages: dict[str, Page]
    ids: dict[str, int]
    """Page URL -> article id, from ``archive articles --json``."""
    planted: list[dict[str, Any]]
    crawl_ids: list[int]
    """The day crawls, then the duplicates crawl, in the order they ran."""

    def page(self, article_id: int) -> Page:
        return self.by_id[article_id]

    @cached_property
    def by_id(self) -> dict[int, Page]:
        return {self.ids[url]: page for url, page in self.pages.items()}

    def ids_where(self, predicate: Callable[[Page], bool]) -> set[int]:
        return {self.ids[url] for url, page in self.pages.items() if predicate(page)}

    def edges(self) -> list[tuple[int, int, str]]:
        """(from, to, kind) of every "Lire aussi" link the pages carry, by article id."""
        return [
            (self.ids[url], self.ids[target], kind)
            for url, page in self.pages.items()
            for target, _, kind in page.related
        ]


def build_pages(
    base: str, sites: dict[int, Site], planted: list[dict[str, Any]]
) -> dict[str, Page]:
    final = sites[LAST]
    pages: dict[str, Page] = {}
    for index in range(final.articles_on(LAST)):
        served: list[tuple[Any, ...]] = []
        events: list[tuple[str, int | None]] = []
        live: bool | None = None
        for day in DAYS:
            site = sites[day]
            if index >= site.articles_on(day):
                continue
            status, _ = site.status(index)
            if status == 200:
                served_now = content(site.article(index))
                if not served or served[-1] != served_now:
                    served.append(served_now)
                if live is False:
                    events.append(("returned", None))
                live = True
            elif live:
                events.append(("gone", status))
                live = False
        truth = final.article(index)
        url = base + truth["url_path"]
        pages[url] = Page(
            url, index, False, truth, bool(live), served, events, related(base, truth)
        )
    for planted_page in planted:
        if planted_page["kind"] != "syndicated":
            continue
        truth = final.planted_article(planted_page["original_index"])
        url = planted_page["absolute_url"]
        pages[url] = Page(
            url,
            planted_page["original_index"],
            True,
            truth,
            True,
            [content(truth)],
            [],
            related(base, truth),
        )
    return pages


def related(base: str, truth: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(base + r["path"], fold_line(r["title"]), r["kind"]) for r in truth["related"]]


# -- running the command ------------------------------------------------------------------


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner(env=env).invoke(cli, ["--db", str(db), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def run_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def judged(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The crawls of a ``stats`` report that ``--check`` judges and compares with: finished,
    at least DEFAULT_MIN_ARTICLES articles stored (all of one spider here), newest first."""
    return [
        c
        for c in report["crawls"]
        if c["status"] == "finished" and c["stored"] >= DEFAULT_MIN_ARTICLES
    ]


def run_check(db: Path, *args: str) -> Any:
    """``stats --check --json``: its verdict, the exit status agreeing with it."""
    result = run(db, "stats", "--check", *args, "--json")
    verdict = json.loads(result.stdout)
    assert result.exit_code == (0 if verdict["ok"] else 1), result.output
    assert result.stderr == ""
    return verdict


def run_binary(
    db: Path, *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """The installed ``archive`` command in a subprocess (stderr a pipe, not a terminal)."""
    assert ARCHIVE_BIN.exists(), ARCHIVE_BIN
    return subprocess.run(
        [str(ARCHIVE_BIN), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
        **kwargs,
    )


def crawl_ok(db: Path, *args: str) -> None:
    result = run_crawl(db, *args)
    assert result.returncode == 0, result.stderr[-3000:]


# -- the archive --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = tmp_path_factory.mktemp("read") / "archive.db"
    with start(articles=ARTICLES, seed=SEED) as running:
        for day in DAYS:
            running.set_day(day)
            # The replica's articles are from 2017: never due, so every one is revisited.
            crawl_ok(db, f"start={running.base_url}/", "revisit=all")
        planted = running.planted_duplicates()
        crawl_ok(db, "urls=" + ",".join(p["absolute_url"] for p in planted), "related_depth=0")
        sites = {day: running.site.on_day(day) for day in DAYS}
        pages = build_pages(running.base_url, sites, planted)
        rows = run_json(db, "articles")
        ids = {row["url"]: row["id"] for row in rows}
        assert len(ids) == len(rows)
        crawls = run_json(db, "crawls")
        yield World(
            db=db,
            running=running,
            base=running.base_url,
            sites=sites,
            pages=pages,
            ids=ids,
            planted=planted,
            crawl_ids=sorted(c["id"] for c in crawls),
        )


def test_the_archive_holds_exactly_the_pages_served(world: World) -> None:
    assert set(world.ids) == set(world.pages)
    kinds = {c["kind"] for day in DAYS[1:] for c in world.sites[day].changes(day)}
    assert kinds >= {"new", "gone_404", "gone_410", "gone_451", "redirected", "returned"}
    assert kinds >= VISIBLE_EDITS
    assert any(len(p.contents) > 1 for p in world.pages.values())
    assert any(not p.live for p in world.pages.values())
    assert any(p.syndicated for p in world.pages.values())
    assert len(world.crawl_ids) == len(DAYS) + 1


# -- (1) search ---------------------------------------------------------------------------

ELISION = re.compile(r"\b(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu|quoiqu)['’ʼ]", re.IGNORECASE)


def plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """The words of ``text``, casefolded, without accents nor elided articles."""
    return re.findall(r"[^\W_]+", plain(ELISION.sub(" ", text)))


def page_tokens(page: Page) -> list[list[str]]:
    return [tokens(text) for text in page.texts()]


def with_word(world: World, test: Callable[[str], bool]) -> set[int]:
    return world.ids_where(
        lambda page: any(test(word) for words in page_tokens(page) for word in words)
    )


def hits(world: World, query: str, *args: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = run_json(world.db, "search", query, "--limit", "1000", *args)
    return found


def hit_ids(world: World, query: str, *args: str) -> set[int]:
    return {hit["id"] for hit in hits(world, query, *args)}


@pytest.mark.parametrize(
    ("query", "forms", "prefix", "witness", "literal"),
    [
        # accents: the unaccented query finds the accented word
        ("securite", {"securite", "securites"}, "securit", r"sécurité", r"\bsecurite\b"),
        # elision: "aviation" finds "l'aviation" / "l’aviation"
        (
            "aviation",
            {"aviation", "aviations"},
            "aviat",
            r"\bl['’]aviation",
            r"(?<![\w'’])aviation",
        ),
        # stemming: the plural finds the singular
        ("frappes", {"frappe", "frappes"}, "frapp", r"\bfrappe\b", r"\bfrappes\b"),
    ],
)
def test_search_is_french_aware(
    world: World, query: str, forms: set[str], prefix: str, witness: str, literal: str
) -> None:
    found = hit_ids(world, query)
    must = with_word(world, lambda word: word in forms)
    may = with_word(world, lambda word: word.startswith(prefix))
    assert must, query
    assert must <= found <= may, (sorted(must - found), sorted(found - may))

    def has(pattern: str) -> set[int]:
        return world.ids_where(
            lambda page: any(re.search(pattern, text.casefold()) for text in page.texts())
        )

    # pages only the folding finds: the word is there, never as the query spells it
    witnesses = has(witness) - has(literal)
    assert witnesses and witnesses <= found, query


def adjacent(world: World, first: Callable[[str], bool], second: Callable[[str], bool]) -> set[int]:
    return world.ids_where(
        lambda page: any(
            first(a) and second(b)
            for words in page_tokens(page)
            for a, b in itertools.pairwise(words)
        )
    )


def test_search_exact_phrase(world: World) -> None:
    phrase = hit_ids(world, '"sécurité aérienne"')
    words = hit_ids(world, "sécurité aérienne")
    must = adjacent(world, lambda a: a == "securite", lambda b: b in ("aerienne", "aerien"))
    may = adjacent(world, lambda a: a.startswith("securit"), lambda b: b.startswith("aerien"))
    assert must and must <= phrase <= may
    assert phrase < words  # somewhere both words, not side by side
    # the phrase keeps its order
    assert hit_ids(world, '"aérienne sécurité"') <= adjacent(
        world, lambda a: a.startswith("aerien"), lambda b: b.startswith("securit")
    )


def test_search_and_or_not(world: World) -> None:
    a, b, c = hit_ids(world, "securite"), hit_ids(world, "frappes"), hit_ids(world, "syrie")
    assert a - c and a & c and b - a and a - b
    assert hit_ids(world, "securite OR frappes") == a | b
    assert hit_ids(world, "securite frappes") == a & b
    assert hit_ids(world, "securite AND frappes") == a & b
    assert hit_ids(world, "securite NOT syrie") == a - c
    assert hit_ids(world, "securite AND NOT syrie") == a - c
    assert hit_ids(world, "(securite OR frappes) NOT syrie") == (a | b) - c
    # a term next to a parenthesis is an implicit AND (FTS5 needs it spelled out)
    assert hit_ids(world, "syrie (securite OR frappes)") == c & (a | b)
    assert hit_ids(world, "(securite OR frappes) syrie") == c & (a | b)
    # lower-case operators are words
    assert hit_ids(world, "securite or frappes") <= a & b


def test_search_is_ranked_and_highlighted(world: World) -> None:
    found = hits(world, "securite")
    ranks = [hit["rank"] for hit in found]
    assert ranks == sorted(ranks)
    in_title = with_word(world, lambda w: w.startswith("securit"))
    in_title = {
        i
        for i in in_title
        if any(w.startswith("securit") for w in tokens(world.page(i).texts()[0]))
    }
    assert in_title and found[0]["id"] in in_title  # a title match counts most
    for hit in found:
        page = world.page(hit["id"])
        assert (hit["url"], hit["title"]) == (page.url, fold(page.truth["title"]))
        marked = re.findall(r"\[([^\]]+)\]", hit["snippet"])
        assert marked and all(plain(word).startswith("securit") for word in marked), hit
        text = hit["snippet"].removeprefix("…").removesuffix("…").replace("[", "").replace("]", "")
        assert any(text in original for original in page.texts()), hit["snippet"]
        assert len(tokens(text)) <= 16
    # the text output shows the same hits, numbered
    result = run(world.db, "search", "securite", "--limit", "3")
    assert result.exit_code == 0
    expected = []
    for number, hit in enumerate(found[:3], start=1):
        expected += [f"{number}. {hit['title']}", f"   {hit['url']}", f"   {hit['snippet']}"]
    assert result.stdout.splitlines() == expected


#: Queries with no word at all: nothing matches, and nothing fails.
WORDLESS = ["*", '"', '""', "AND", "OR", "(", ")", "()", "-", "^", "title:", ":", "NEAR(", "**"]
#: (query with stray syntax, the plain words it searches for)
STRAY = [
    ("(securite", "securite"),
    ("securite)", "securite"),
    ('"securite', "securite"),
    ('securite"', "securite"),
    ("securite AND", "securite"),
    ("securite NOT", "securite"),
    ("^securite", "securite"),
    ("securite -syrie", "securite syrie"),
    ("NEAR(securite", "near securite"),
    ("NEAR(securite frappes)", "near securite frappes"),
    ("securite(frappes)", "securite frappes"),
    ("securite NEAR/2 frappes", "securite near 2 frappes"),
]


@pytest.mark.parametrize("query", WORDLESS)
def test_search_without_words_matches_nothing(world: World, query: str) -> None:
    result = run(world.db, "search", query)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "no match\n", "")
    assert run_json(world.db, "search", query) == []


@pytest.mark.parametrize(("query", "words"), STRAY)
def test_search_stray_syntax_searches_the_words(world: World, query: str, words: str) -> None:
    expected = [h["id"] for h in hits(world, words)]
    assert [h["id"] for h in hits(world, query)] == expected
    assert bool(expected) != ("near" in words)  # "near" is a word no French article holds


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", EMPTY_QUERY),
        ("   ", EMPTY_QUERY),
        ("NOT syrie", LEADING_NOT),
        ("(NOT syrie)", LEADING_NOT),
    ],
)
def test_search_unsearchable_query_says_why(world: World, query: str, message: str) -> None:
    result = run(world.db, "search", query)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def test_search_bad_queries_in_a_real_process(world: World) -> None:
    for query, status, out, err in [
        ("NEAR(", 0, "no match\n", ""),
        ('"', 0, "no match\n", ""),
        ("", 1, "", EMPTY_QUERY),
        ("NOT syrie", 1, "", LEADING_NOT),
    ]:
        done = run_binary(world.db, "search", query)
        assert (done.returncode, done.stdout, done.stderr) == (status, out, err), query
    done = run_binary(world.db, "search", "syrie (securite OR frappes)", "--json")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert {h["id"] for h in json.loads(done.stdout)} == hit_ids(
        world, "syrie AND (securite OR frappes)"
    )


# -- (2) filters, shared by search, articles and export -----------------------------------


def most_common(values: list[str]) -> str:
    counted = Counter(values)
    return sorted(counted, key=lambda v: (-counted[v], v))[0]


def filter_spec(world: World, name: str) -> tuple[list[str], Callable[[Page], bool]]:
    """The options of filter ``name`` and which pages of the replica they select."""
    pages = list(world.pages.values())
    days = sorted({p.published_day for p in pages})
    if name == "tag":
        tag = most_common([t for p in pages for t in p.tags])
        return ["--tag", tag], lambda p: tag in p.tags
    if name == "tag_other_case":
        tag = most_common([t for p in pages for t in p.tags if t.isascii() and t.upper() != t])
        return ["--tag", tag.upper()], lambda p: tag in p.tags
    if name == "category":
        category = most_common([p.truth["category"] for p in pages])
        return ["--category", category], lambda p: p.truth["category"] == category
    if name == "author":
        author = most_common([a for p in pages for a in p.truth["authors"]])
        return ["--author", author], lambda p: author in p.truth["authors"]
    if name == "since_until":
        since, until = days[1], days[-3]
        return ["--since", since, "--until", until], lambda p: since <= p.published_day <= until
    if name == "since":
        return ["--since", days[-2]], lambda p: p.published_day >= days[-2]
    if name == "until":
        return ["--until", days[1]], lambda p: p.published_day <= days[1]
    if name == "one_day":
        return ["--since", days[2], "--until", days[2]], lambda p: p.published_day == days[2]
    if name == "gone":
        return ["--status", "gone"], lambda p: not p.live
    if name == "live":
        return ["--status", "live"], lambda p: p.live
    if name == "site":
        return ["--site", "sputnik"], lambda p: True
    if name == "other_site":
        return ["--site", "ria"], lambda p: False
    if name == "combined":
        category = most_common([p.truth["category"] for p in pages])
        return (
            ["--category", category, "--status", "live", "--since", days[1]],
            lambda p: p.truth["category"] == category and p.live and p.published_day >= days[1],
        )
    raise AssertionError(name)


FILTERS = [
    "tag", "tag_other_case", "category", "author", "since_until", "since", "until", "one_day",
    "gone", "live", "site", "other_site", "combined",
]  # fmt: skip


def export_rows(world: World, export_format: str, *args: str) -> list[dict[str, Any]]:
    result = run(world.db, "export", "--format", export_format, "-o", "-", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not a terminal: no progress bar
    text = result.stdout_bytes.decode("utf-8")
    if export_format == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(io.StringIO(text, newline="")))


def utc_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        rows,
        key=lambda r: (datetime.fromisoformat(r["published_at"]).timestamp(), r["id"]),
        reverse=True,
    )


@pytest.mark.parametrize("name", FILTERS)
def test_filters_select_what_the_site_says(world: World, name: str) -> None:
    args, predicate = filter_spec(world, name)
    expected = world.ids_where(predicate)
    if name not in ("site", "other_site"):
        assert 0 < len(expected) < len(world.pages), name  # a filter that filters
    # articles: exactly those, newest first
    rows = run_json(world.db, "articles", *args)
    assert {row["id"] for row in rows} == expected
    assert rows == utc_order(rows)
    for row in rows:
        page = world.page(row["id"])
        assert row["status"] == ("live" if page.live else "gone")
        assert row["published_at"] == page.truth["published_at"]
        assert row["category"] == page.truth["category"]
    # export: the same rows, by id
    exported = export_rows(world, "jsonl", *args)
    assert [r["id"] for r in exported] == sorted(expected)
    projected = [{key: r[key] for key in ARTICLE_ROW_KEYS} for r in exported]
    assert projected == sorted(rows, key=lambda r: r["id"])
    assert [int(r["id"]) for r in export_rows(world, "csv", *args)] == sorted(expected)
    # search: the unfiltered hits that pass, in the same order
    everything = [h["id"] for h in hits(world, "securite OR syrie")]
    assert [h["id"] for h in hits(world, "securite OR syrie", *args)] == [
        i for i in everything if i in expected
    ]
    # the text listing
    result = run(world.db, "articles", *args)
    assert result.exit_code == 0
    if expected:
        header, *lines = result.stdout.splitlines()
        assert header.split() == ["id", "published", "category", "status", "title", "url"]
        assert [int(line.split()[0]) for line in lines] == [row["id"] for row in rows]
    else:
        assert result.stdout == "no articles\n"


def test_limit_and_offset_page_every_listing(world: World) -> None:
    listed = [row["id"] for row in run_json(world.db, "articles")]
    by_id = sorted(listed)
    found = [h["id"] for h in hits(world, "securite OR syrie")]
    assert len(found) > 12
    for limit, offset in [(5, 0), (5, 5), (7, 10), (1, len(listed) - 1), (3, len(listed) + 5)]:
        window = ["--limit", str(limit), "--offset", str(offset)]
        assert [r["id"] for r in run_json(world.db, "articles", *window)] == listed[
            offset : offset + limit
        ]
        assert [r["id"] for r in export_rows(world, "jsonl", *window)] == by_id[
            offset : offset + limit
        ]
        assert [h["id"] for h in run_json(world.db, "search", "securite OR syrie", *window)] == (
            found[offset : offset + limit]
        )
    # with a filter, the window applies after it
    live = [row["id"] for row in run_json(world.db, "articles", "--status", "live")]
    window = ["--status", "live", "--limit", "4", "--offset", "3"]
    assert [r["id"] for r in run_json(world.db, "articles", *window)] == live[3:7]
    assert [r["id"] for r in export_rows(world, "jsonl", *window)] == sorted(live)[3:7]
    # search numbers its hits from the offset
    result = run(world.db, "search", "securite OR syrie", "--limit", "2", "--offset", "4")
    assert [line.split(".")[0] for line in result.stdout.splitlines()[::3]] == ["5", "6"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "Error: Invalid value for '--limit': 0 is not in the range x>=1."),
        (
            ["--since", "23/06/2017"],
            "Error: Invalid value for '--since': '23/06/2017' is not a date in the form YYYY-MM-DD",
        ),
        (
            ["--since", "2017-06-23", "--until", "2017-06-22"],
            "Error: Invalid value for '--until': 2017-06-22 is before --since 2017-06-23",
        ),
        (["--offset", "-1"], "Error: Invalid value for '--offset': -1 is not in the range x>=0."),
        (
            ["--status", "dead"],
            "Error: Invalid value for '--status': 'dead' is not one of 'live', 'gone'.",
        ),
    ],
)
def test_bad_filter_values_are_usage_errors(world: World, args: list[str], message: str) -> None:
    for command in (["articles"], ["search", "syrie"], ["export", "--format", "jsonl", "-o", "-"]):
        result = run(world.db, *command, *args)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.splitlines()[-1] == message, command
        assert result.stdout == ""


# -- (3) show and history -----------------------------------------------------------------


def linked_from(world: World) -> dict[int, set[tuple[int, str]]]:
    found: dict[int, set[tuple[int, str]]] = {i: set() for i in world.ids.values()}
    for source, target, kind in world.edges():
        found[target].add((source, kind))
    return found


def test_show_is_what_the_page_carried(world: World) -> None:
    links_in = linked_from(world)
    originals = {p["original_index"]: p for p in world.planted}
    base = world.base
    for url, page in world.pages.items():
        article_id = world.ids[url]
        shown = run_json(world.db, "show", url)
        truth = page.truth
        assert shown["id"] == article_id
        assert shown["url"] == shown["canonical_url"] == url
        assert (shown["title"], shown["lead"], shown["body"], tuple(shown["tags"])) == (
            page.contents[-1]
        )
        assert shown["category"] == truth["category"]
        assert shown["authors"] == [fold_line(a) for a in truth["authors"]]
        assert shown["published_at"] == truth["published_at"]
        assert shown["modified_at"] == truth["modified_at"]
        assert shown["image_url"] == (base + truth["image_url"] if truth["image_url"] else None)
        assert shown["image_caption"] == (
            truth["image_caption"] and fold_line(truth["image_caption"])
        )
        assert shown["image_credit"] == (truth["image_credit"] and fold_line(truth["image_credit"]))
        assert shown["short_url"] == (base + truth["short_path"] if truth["short_path"] else None)
        assert shown["status"] == ("live" if page.live else "gone")
        # "Lire aussi": exactly the links the page carried, in page order, and those to it
        assert [(r["url"], r["title"], r["kind"]) for r in shown["related"]] == page.related
        assert [r["position"] for r in shown["related"]] == list(range(len(page.related)))
        assert {(s["id"], s["kind"]) for s in shown["linked_from"]} == links_in[article_id]
        # versions and events
        assert shown["versions_count"] == len(page.contents)
        events = [(e["kind"], e["status"]) for e in shown["events"]]
        assert [e for e in events if e[0] in ("gone", "returned")] == page.events
        urls = {u["url"]: u["kind"] for u in shown["urls"]}
        assert urls.get(url) == "canonical"
        if shown["short_url"]:
            assert urls[shown["short_url"]] == "short"
        planted = originals.get(page.index) if not page.syndicated else None
        if page.syndicated:
            original = world.ids[base + world.sites[LAST].url_path(page.index)]
            assert shown["duplicate_of"] == original and 0.6 <= shown["similarity"] < 1
            assert [e[0] for e in events] == ["duplicate"]
        elif planted and planted["kind"] != "syndicated":
            assert planted["absolute_url"] in urls  # the alias leads here
            assert shown["duplicate_of"] is None
            if planted["kind"] in ("amp", "mobile"):
                assert ("alias", None) in events
        else:
            assert shown["duplicate_of"] is None
            assert all(e[0] in ("gone", "returned") for e in events)


def test_show_finds_an_article_by_any_of_its_urls(world: World) -> None:
    checked = 0
    for url, page in world.pages.items():
        if page.syndicated or page.index % 7:
            continue
        expected = world.ids[url]
        short = world.base + page.truth["short_path"]
        for variant in (short, url + "?utm_source=twitter&utm_medium=social", url + "#comments"):
            assert run_json(world.db, "show", variant)["id"] == expected, variant
        checked += 1
    for planted in world.planted:
        original = world.ids[world.base + world.sites[LAST].url_path(planted["original_index"])]
        found = run_json(world.db, "show", planted["absolute_url"])["id"]
        assert (found == original) == (planted["kind"] != "syndicated"), planted
    assert checked > 5
    missing = world.base + "/international/209912311099999999-nulle-part/"
    for command in ("show", "history", "related"):
        for what in (missing, "999999"):
            result = run(world.db, command, what)
            assert (result.exit_code, result.stderr) == (1, f"Error: no article matches {what}\n")


def section(text: str, start: str, end: str) -> list[str]:
    """The lines of a section of ``archive show``, between its title and the next one."""
    match = re.search(rf"\n{start}\n(.*?)\n{end}", text, re.S)
    assert match, start
    return [line for line in match.group(1).splitlines() if line]


def test_show_text_matches_its_json(world: World) -> None:
    seed = world.base + world.sites[LAST].url_path(0)
    gone = next(url for url, p in world.pages.items() if not p.live and p.related)
    syndicated = next(url for url, p in world.pages.items() if p.syndicated)
    for url in (seed, gone, syndicated):
        shown = run_json(world.db, "show", url)
        result = run(world.db, "show", url)
        assert result.exit_code == 0
        text = result.stdout
        assert f"title: {shown['title']}\n" in text
        assert f"status: {shown['status']}\n" in text
        assert section(text, "related:", "linked from:") == [
            f"  {r['position']}. [{r['kind']}] {r['title']} {r['url']}" for r in shown["related"]
        ]
        assert section(text, "linked from:", "versions:") == [
            f"  [{s['kind']}] {s['title']} (id {s['id']})" for s in shown["linked_from"]
        ]
        assert f"\nversions: {shown['versions_count']}\n" in text
        assert [line.split()[2:] for line in section(text, "events:", "tags:")] == [
            [e["kind"], *([str(e["status"])] if e["status"] else [])] for e in shown["events"]
        ]
        assert f"\ntags: {', '.join(shown['tags']) or '-'}\n" in text
        assert text.split("\nurls:\n")[1].splitlines() == [
            f"  [{u['kind']}] {u['url']}" for u in shown["urls"]
        ]


def test_history_is_the_distinct_contents_served_and_agrees_with_show(world: World) -> None:
    fields = ("title", "lead", "body", "tags")
    retitled = 0
    for url, page in world.pages.items():
        history = run_json(world.db, "history", url)
        shown = run_json(world.db, "show", url)
        versions = history["versions"]
        assert [(v["title"], v["lead"], v["body"], tuple(v["tags"])) for v in versions] == (
            page.contents
        ), page.index
        assert [v["number"] for v in versions] == list(range(1, len(versions) + 1))
        assert len(versions) == shown["versions_count"]
        assert history["article"] == {"id": shown["id"], "url": url, "title": shown["title"]}
        assert [(e["kind"], e["at"]) for e in history["events"]] == [
            (e["kind"], e["at"]) for e in shown["events"]
        ]
        assert [(d["from"], d["to"]) for d in history["diffs"]] == [
            (n, n + 1) for n in range(1, len(versions))
        ]
        for diff, old, new in zip(
            history["diffs"], page.contents[:-1], page.contents[1:], strict=True
        ):
            changed = {name for name, a, b in zip(fields, old, new, strict=True) if a != b}
            assert set(diff["changes"]) & set(fields) == changed, page.index
            if "title" in changed:
                retitled += 1
                assert (diff["changes"]["title"]["old"], diff["changes"]["title"]["new"]) == (
                    old[0],
                    new[0],
                )
        result = run(world.db, "history", url)
        lines = result.stdout.splitlines()
        assert lines[:2] == [f"article {shown['id']}: {shown['title']}", url]
        assert lines[3].split() == ["version", "fetched", "crawl", "extractor", "hash"]
        assert [line.split()[0] for line in lines[4 : 4 + len(versions)]] == [
            str(v["number"]) for v in versions
        ]
        assert sum(line.startswith("v") and " -> v" in line for line in lines) == len(
            history["diffs"]
        )
    assert retitled > 0


# -- (4) related --------------------------------------------------------------------------


def bfs(
    edges: list[tuple[int, int, str]], root: int, depth: int, direction: str
) -> tuple[dict[int, int], list[tuple[int, int, str]]]:
    """The nodes within ``depth`` hops (with their distance) and the edges met expanding
    the nodes nearer than ``depth``: the replica's own related map, walked."""
    distance = {root: 0}
    frontier = [root]
    for hop in range(1, depth + 1):
        reached = []
        for node in frontier:
            for source, target, _ in edges:
                for here, there, way in ((source, target, "out"), (target, source, "in")):
                    if here == node and direction in (way, "both") and there not in distance:
                        distance[there] = hop
                        reached.append(there)
        frontier = reached
    expanded = {node for node, d in distance.items() if d < depth}
    met = [
        (s, t, k)
        for s, t, k in edges
        if (s in expanded and direction in ("out", "both"))
        or (t in expanded and direction in ("in", "both"))
    ]
    return distance, met


def related_roots(world: World) -> list[int]:
    seed = world.ids[world.base + world.sites[LAST].url_path(0)]
    gone = next(world.ids[u] for u, p in world.pages.items() if not p.live and p.related)
    syndicated = next(world.ids[u] for u, p in world.pages.items() if p.syndicated)
    inline = next(
        world.ids[u] for u, p in world.pages.items() if any(r[2] == "inline" for r in p.related)
    )
    return [seed, gone, syndicated, inline]


@pytest.mark.parametrize(
    ("depth", "direction"),
    [(0, "both"), (1, "both"), (2, "both"), (2, "out"), (2, "in"), (3, "out")],
)
def test_related_reaches_what_the_site_links(world: World, depth: int, direction: str) -> None:
    edges = world.edges()
    for root in related_roots(world):
        graph = run_json(
            world.db, "related", str(root), "--depth", str(depth), "--direction", direction
        )
        distance, met = bfs(edges, root, depth, direction)
        assert (graph["root"], graph["depth"], graph["direction"]) == (root, depth, direction)
        assert {n["id"]: n["depth"] for n in graph["nodes"]} == distance, root
        for node in graph["nodes"]:
            page = world.page(node["id"])
            assert node["url"] == page.url
            assert node["status"] == ("live" if page.live else "gone")
        assert Counter((e["from"], e["to"], e["kind"]) for e in graph["edges"]) == Counter(met)
        for edge in graph["edges"]:
            carried = world.page(edge["from"]).related
            assert (edge["url"], edge["anchor"], edge["kind"]) == carried[edge["position"]]
    # the same walk by URL
    root = related_roots(world)[0]
    by_url = run_json(
        world.db, "related", world.page(root).url, "--depth", str(depth), "--direction", direction
    )
    assert by_url == run_json(
        world.db, "related", str(root), "--depth", str(depth), "--direction", direction
    )


TREE_LINE = re.compile(r"^((?:  )+)(→|←) \[(\d+)\] (.*) \[(lire_aussi|inline)\]( \(above\))?$")


def test_related_text_tree_and_dot_draw_the_json(world: World) -> None:
    for root in related_roots(world):
        graph = run_json(world.db, "related", str(root), "--depth", "2")
        nodes = {n["id"]: n for n in graph["nodes"]}
        result = run(world.db, "related", str(root), "--depth", "2")
        assert result.exit_code == 0
        first, second, *lines = result.stdout.splitlines()
        gone = "" if nodes[root]["status"] == "live" else " (gone)"
        assert first == f"[{root}] {nodes[root]['title']}{gone}"
        assert second == f"  {nodes[root]['url']}"
        drawn: Counter[tuple[int, int, str]] = Counter()
        parents = {0: root}  # the node each indentation level expands
        seen = []
        for line in lines:
            match = TREE_LINE.match(line)
            assert match, line
            pad, arrow, other_id, _, kind, above = match.groups()
            level, other = len(pad) // 2, int(other_id)
            parent = parents[level - 1]
            drawn[(parent, other, kind) if arrow == "→" else (other, parent, kind)] += 1
            if not above:
                assert nodes[other]["depth"] == level, line
                parents[level] = other
                seen.append(other)
        assert drawn == Counter((e["from"], e["to"], e["kind"]) for e in graph["edges"])
        assert sorted(seen) == sorted(set(nodes) - {root})
        # dot: one box per node, one arrow per edge, the root bold, gone grey, inline dashed
        dot = run(world.db, "related", str(root), "--depth", "2", "--format", "dot").stdout
        dot_lines = dot.splitlines()
        assert dot_lines[0] == "digraph related {" and dot_lines[-1] == "}"
        boxes = {
            int(m.group(1)): m.group(2)
            for m in re.finditer(
                r'^  "a(\d+)" \[label="[^\n]*?"((?:, [a-z]+=[a-z]+)*)\];$', dot, re.M
            )
        }
        assert set(boxes) == set(nodes)
        for node_id, style in boxes.items():
            assert ("style=bold" in style) == (node_id == root)
            assert ("color=gray" in style) == (nodes[node_id]["status"] == "gone")
        arrows = re.findall(
            r'^  "a(\d+)" -> "a(\d+)" \[label="(\w+)"(, style=dashed)?\];$', dot, re.M
        )
        assert Counter((int(a), int(b), k) for a, b, k, _ in arrows) == Counter(
            (e["from"], e["to"], e["kind"]) for e in graph["edges"]
        )
        assert all((k == "inline") == bool(d) for _, _, k, d in arrows)
        assert len(boxes) + len(arrows) + 5 == len(dot_lines)


def test_related_svg_and_png(world: World, tmp_path: Path) -> None:
    root = str(related_roots(world)[0])
    no_dot = tmp_path / "empty-path"
    no_dot.mkdir()
    for image in ("svg", "png"):
        target = tmp_path / f"graph.{image}"
        # Without Graphviz on the PATH: a clear message, nothing written.
        result = run(
            world.db,
            "related",
            root,
            "--format",
            image,
            "-o",
            str(target),
            env={"PATH": str(no_dot)},
        )
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", NO_DOT)
        assert not target.exists()
        if image == "svg":
            done = run_binary(
                world.db, "related", root, "--format", image, "-o", str(target),
                env={"PATH": str(no_dot)},
            )  # fmt: skip
            assert (done.returncode, done.stdout, done.stderr) == (1, "", NO_DOT)
        assert shutil.which("dot"), "Graphviz's dot is missing: `make test` installs it"
        graph = run_json(world.db, "related", root, "--depth", "2")
        result = run(
            world.db, "related", root, "--depth", "2", "--format", image, "-o", str(target)
        )
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            f"wrote {len(graph['nodes'])} nodes, {len(graph['edges'])} edges to {target}\n"
        )
        data = target.read_bytes()
        assert data.startswith(b"\x89PNG") if image == "png" else b"<svg" in data
        # without -o: the same image on standard output, as dot writes it
        result = run(world.db, "related", root, "--depth", "2", "--format", image)
        assert (result.exit_code, result.stdout_bytes) == (0, data)


# -- (5) export ---------------------------------------------------------------------------


def test_export_rows_are_the_articles(world: World, tmp_path: Path) -> None:
    args, _ = filter_spec(world, "combined")
    exported = export_rows(world, "jsonl", *args)
    assert exported and all(list(row) == EXPORT_FIELDS for row in exported)
    for row in exported:
        shown = run_json(world.db, "show", str(row["id"]))
        assert row == {key: shown[key] for key in EXPORT_FIELDS}
    # csv: the same rows, lists joined, related as JSON, missing values empty
    text = run(world.db, "export", "--format", "csv", "-o", "-", *args).stdout_bytes.decode()
    reader = csv.reader(io.StringIO(text, newline=""))
    assert next(reader) == EXPORT_FIELDS
    for cells, row in zip(reader, exported, strict=True):
        expected = []
        for name in EXPORT_FIELDS:
            value = row[name]
            if name == "related":
                expected.append(json.dumps(value, ensure_ascii=False))
            elif isinstance(value, list):
                expected.append(" | ".join(value))
            else:
                expected.append("" if value is None else str(value))
        assert cells == expected
    # to a file: a summary line, nothing on stderr
    for export_format in ("jsonl", "csv"):
        target = tmp_path / f"out.{export_format}"
        result = run(world.db, "export", "--format", export_format, "-o", str(target), *args)
        assert result.exit_code == 0 and result.stderr == ""
        size = target.stat().st_size
        assert result.stdout == f"wrote {len(exported)} articles ({size} bytes) to {target}\n"
        summary = run_json(world.db, "export", "--format", export_format, "-o", str(target), *args)
        assert summary == {
            "path": str(target),
            "format": export_format,
            "articles": len(exported),
            "records": len(exported),
            "bytes": size,
        }


def test_export_progress_bar_only_on_a_terminal(world: World, tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    done = run_binary(world.db, "export", "--format", "jsonl", "-o", str(target))
    assert done.returncode == 0
    assert done.stderr == ""
    assert (
        done.stdout
        == f"wrote {len(world.pages)} articles ({target.stat().st_size} bytes) to {target}\n"
    )
    done = run_binary(world.db, "export", "--format", "csv", "-o", "-", "--status", "gone")
    assert done.returncode == 0 and done.stderr == ""
    assert len(list(csv.reader(io.StringIO(done.stdout)))) == 1 + len(
        world.ids_where(lambda p: not p.live)
    )
    # The same export with stderr on a terminal draws the bar there: the check above means
    # something.
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [
            str(ARCHIVE_BIN),
            "--db",
            str(world.db),
            "export",
            "--format",
            "jsonl",
            "-o",
            str(tmp_path / "tty.jsonl"),
        ],
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert b"export" in shown and b"100%" in shown
    assert out.decode().startswith(f"wrote {len(world.pages)} articles")


def test_warc_export_holds_every_version_served_and_verifies(world: World, tmp_path: Path) -> None:
    target = tmp_path / "archive.warc.gz"
    result = run(world.db, "export", "--format", "warc", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    versions = sum(len(p.contents) for p in world.pages.values())
    db = sqlite3.connect(world.db)
    try:
        photos = dict(db.execute("SELECT url, sha256 FROM media").fetchall())
    finally:
        db.close()
    assert photos  # the replica's articles have photos
    size = target.stat().st_size
    records = versions + len(photos) + 1
    assert result.stdout == (
        f"wrote {versions} captures and {len(photos)} photos ({records} records, {size} bytes)"
        f" to {target}\n"
    )
    kinds: list[str] = []
    per_url: Counter[str] = Counter()
    last_body: dict[str, bytes] = {}
    with target.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            kinds.append(record.rec_type)
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                per_url[uri] += 1
                assert record.http_headers.get_statuscode() == "200"
                last_body[uri] = record.content_stream().read()
    assert kinds == ["warcinfo"] + ["response"] * (versions + len(photos))
    pages = Counter({url: len(p.contents) for url, p in world.pages.items()})
    assert per_url == pages + Counter(dict.fromkeys(photos, 1))  # each photo once
    for url, digest in photos.items():
        assert hashlib.sha256(last_body[url]).hexdigest() == digest
    for url, page in world.pages.items():
        title = page.contents[-1][0]
        assert title in fold_line(html.unescape(last_body[url].decode("utf-8"))), url
    summary = run_json(
        world.db, "export", "--format", "warc", "-o", str(tmp_path / "b.warc"), "--no-gzip"
    )
    assert summary["captures"] == versions and summary["records"] == records
    assert summary["media"] == len(photos)
    assert summary["gzip"] is False
    # filtered: every version's capture of the selected articles, and nothing else
    args, selects = filter_spec(world, "tag")
    filtered = run(world.db, "export", "--format", "warc", "--no-gzip", *args)
    assert filtered.exit_code == 0, filtered.output
    chosen: Counter[str] = Counter()
    for record in ArchiveIterator(io.BytesIO(filtered.stdout_bytes), check_digests="raise"):
        if record.rec_type == "response":
            chosen[record.rec_headers.get_header("WARC-Target-URI")] += 1
    expected = {url: len(p.contents) for url, p in world.pages.items() if selects(p)}
    # and the photos their versions showed, each once
    db = sqlite3.connect(world.db)
    try:
        marks = ", ".join("?" for _ in expected)
        shown = db.execute(
            "SELECT DISTINCT m.url FROM media m JOIN version_media vm ON vm.sha256 = m.sha256"
            " JOIN versions v ON v.id = vm.version_id JOIN articles a ON a.id = v.article_id"
            f" WHERE a.url IN ({marks})",
            list(expected),
        ).fetchall()
    finally:
        db.close()
    assert shown
    expected.update({url: 1 for (url,) in shown})
    assert chosen == Counter(expected) and 0 < len(expected) - len(shown) < len(world.pages)


# -- (6) crawls and stats -----------------------------------------------------------------


def test_crawls_count_what_each_day_changed(world: World) -> None:
    rows = run_json(world.db, "crawls")
    assert [c["id"] for c in rows] == sorted(world.crawl_ids, reverse=True)
    by_id = {c["id"]: c for c in rows}
    assert all(c["status"] == "finished" and c["finish_reason"] == "finished" for c in rows)
    *day_crawls, duplicates_crawl = world.crawl_ids
    archived: set[int] = set()
    for crawl_id, day in zip(day_crawls, DAYS, strict=True):
        crawl, site = by_id[crawl_id], world.sites[day]
        assert crawl["arguments"]["start"] == world.base + "/"
        changes = site.changes(day)
        new = (
            range(site.articles_on(day))
            if day == 1
            else [c["index"] for c in changes if c["kind"] == "new"]
        )
        assert crawl["new"] == len(new)
        assert crawl["updated"] == len({c["index"] for c in changes if c["kind"] in VISIBLE_EDITS})
        assert crawl["gone"] == sum(site.status(i)[0] != 200 for i in archived)
        assert crawl["errors"] == 0
        archived |= {i for i in range(site.articles_on(day)) if site.status(i)[0] == 200}
    crawl = by_id[duplicates_crawl]
    syndicated = sum(p["kind"] == "syndicated" for p in world.planted)
    assert crawl["new"] == syndicated
    assert crawl["aliases"] + crawl["unchanged"] == len(world.planted) - syndicated
    assert run_json(world.db, "crawls", "--limit", "2") == rows[:2]
    # the table says the same
    result = run(world.db, "crawls")
    header, *lines = result.stdout.splitlines()
    assert header.split() == [
        "id", "spider", "started", "finished", "reason", "status",
        "fetched", "new", "updated", "unchanged", "not_due", "gone", "aliases", "not_article",
        "unreadable", "errors", "node",
    ]  # fmt: skip
    names = [
        "fetched", "new", "updated", "unchanged", "not_due", "gone", "aliases", "not_article",
        "unreadable", "errors",
    ]  # fmt: skip
    assert [[int(line.split()[0]), *map(int, line.split()[-11:-1])] for line in lines] == [
        [c["id"], *(c[n] for n in names)] for c in rows
    ]
    assert [line.split()[-1] for line in lines] == [c["node"] for c in rows]


def missing_share(pages: list[Page], field: str) -> float:
    def missing(page: Page) -> bool:
        if field == "short_url":
            return not page.truth["short_path"]
        value = page.truth[field]
        return value is None or value == [] or value == ""

    return round(sum(map(missing, pages)) / len(pages), 4)


def test_stats_count_what_the_site_served(world: World) -> None:
    report = run_json(world.db, "stats")
    pages = list(world.pages.values())
    [site] = report["sites"]
    assert site["site"] == "sputnik"
    assert site["articles"] == len(pages)
    assert site["live"] == sum(p.live for p in pages)
    assert site["gone"] == sum(not p.live for p in pages)
    assert site["versions"] == sum(len(p.contents) for p in pages)
    assert site["duplicates"] == sum(p.syndicated for p in pages)
    per_day = Counter(p.published_day for p in pages)
    assert site["per_day"] == [
        {"day": d, "articles": per_day[d]} for d in sorted(per_day, reverse=True)
    ]
    crawls = {c["id"]: c for c in report["crawls"]}
    assert sorted(crawls) == world.crawl_ids
    crawl_rows = {c["id"]: c for c in run_json(world.db, "crawls")}
    for crawl_id, crawl in crawls.items():
        assert crawl["stored"] == crawl_rows[crawl_id]["new"] + crawl_rows[crawl_id]["updated"]
        assert crawl["fetched"] == crawl_rows[crawl_id]["fetched"]
    # The first crawl stored every day-1 article: its missing shares are the site's.
    first = [p for p in pages if not p.syndicated and p.index < world.sites[1].articles_on(1)]
    fields = ["authors", "tags", "image_url", "image_caption", "image_credit", "short_url"]
    expected = {field: missing_share(first, field) for field in fields}
    assert {f: crawls[world.crawl_ids[0]]["missing"][f] for f in fields} == expected
    assert 0 < expected["authors"] < 1 and 0 < expected["image_caption"] < 1
    for field in ("title", "lead", "body", "published_at", "category", "views"):
        assert crawls[world.crawl_ids[0]]["missing"][field] == 0
    # The duplicates crawl stored only the partners' copies: no short URL on those pages.
    syndicated = [p for p in pages if p.syndicated]
    assert (
        crawls[world.crawl_ids[-1]]["missing"]["short_url"]
        == missing_share(syndicated, "short_url")
        == 1
    )
    # the text report
    lines = run(world.db, "stats").stdout.splitlines()
    assert lines[0].split() == ["site", "articles", "live", "gone", "versions", "duplicates"]
    assert lines[1].split() == [
        "sputnik",
        *(str(site[k]) for k in ("articles", "live", "gone", "versions", "duplicates")),
    ]
    assert lines[2] == "sputnik per day: " + ", ".join(
        f"{d['day']} {d['articles']}" for d in site["per_day"]
    )
    table = lines[lines.index("missing share of the articles each crawl stored:") + 1 :]
    assert [int(line.split()[0]) for line in table[1:]] == sorted(world.crawl_ids, reverse=True)


@pytest.fixture(scope="module")
def layout_change(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path]]:
    """Two copies of the archive crawled on day 5: one as the site is, one after a layout
    change that lost every photo caption."""
    folder = tmp_path_factory.mktemp("check")
    control, broken = folder / "control.db", folder / "broken.db"
    for copy in (control, broken):
        source, target = sqlite3.connect(world.db), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    day = LAST + 1
    world.running.set_day(day)
    try:
        crawl_ok(control, f"start={world.base}/", "revisit=all")
        original = Renderer.article_page

        def captionless(self: Renderer, spec: Any, **options: Any) -> str:
            return original(self, replace(spec, image_caption=None), **options)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Renderer, "article_page", captionless)
            world.running.set_day(day)  # a fresh response cache
            crawl_ok(broken, f"start={world.base}/", "revisit=all")
    finally:
        world.running.set_day(LAST)
    yield control, broken


def test_stats_check_names_the_field_a_layout_change_lost(
    world: World, layout_change: tuple[Path, Path]
) -> None:
    control, broken = layout_change
    site = world.sites[LAST].on_day(LAST + 1)
    changed = {c["index"] for c in site.changes(LAST + 1) if c["kind"] in VISIBLE_EDITS | {"new"}}
    # Every page served with a caption lost it, so changed: the partners' copies too.
    lost = [
        i
        for i in range(site.articles_on())
        if site.status(i)[0] == 200 and (site.article(i)["image_caption"] or i in changed)
    ]
    lost_copies = [p for p in world.pages.values() if p.syndicated and p.truth["image_caption"]]
    report = run_json(broken, "stats")
    latest, *previous = judged(report)[:6]
    assert latest["id"] == max(world.crawl_ids) + 1
    assert latest["missing"]["image_caption"] == 1
    assert latest["stored"] == len(lost) + len(lost_copies)
    median = statistics.median(c["missing"]["image_caption"] for c in previous)
    result = run(broken, "stats", "--check")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"image_caption: missing in 100% of the {latest['stored']} articles of crawl"
        f" {latest['id']}, median {median:.0%} over the previous {len(previous)} crawls"
        " (threshold +20%)\n"
    )
    checked = run(broken, "stats", "--check", "--json")
    assert checked.exit_code == 1
    verdict = json.loads(checked.stdout)
    assert verdict["ok"] is False and verdict["crawl_id"] == latest["id"]
    assert verdict["compared_with"] == [c["id"] for c in previous]
    assert verdict["alerts"] == [{"field": "image_caption", "share": 1.0, "median": median}]
    done = run_binary(broken, "stats", "--check")
    assert (done.returncode, done.stdout, done.stderr) == (1, result.stdout, "")
    assert run(broken, "stats", "--check", "--threshold", "1").stdout == "ok\n"
    # The same day crawled as the site is: the shares are the site's, the verdict the medians'.
    report = run_json(control, "stats")
    newest = report["crawls"][0]
    assert newest["stored"] == len(changed)
    without = sum(site.article(i)["image_caption"] is None for i in changed)
    assert newest["missing"]["image_caption"] == round(without / len(changed), 4)
    # A crawl that stored too few articles is neither judged nor compared with.
    latest, *previous = judged(report)[:6]
    assert (latest["id"] == newest["id"]) is (len(changed) >= DEFAULT_MIN_ARTICLES)
    verdict = run_check(control)
    assert verdict["crawl_id"] == latest["id"]
    expected = [
        field
        for field, share in latest["missing"].items()
        if previous
        and share - statistics.median(c["missing"][field] for c in previous) > 0.2 + 1e-9
    ]
    assert [alert["field"] for alert in verdict["alerts"]] == expected
    assert verdict["ok"] is (expected == [])


# -- (7) sql ------------------------------------------------------------------------------


def fingerprint(db: Path) -> tuple[Any, ...]:
    files = tuple(
        (path.name, path.read_bytes())
        for path in sorted(db.parent.glob(db.name + "*"))
        if path.suffix != ".lock"
    )
    return files


def test_sql_reads(world: World) -> None:
    assert run_json(world.db, "sql", "SELECT COUNT(*) AS n FROM articles") == [
        {"n": len(world.pages)}
    ]
    gone = run_json(
        world.db, "sql", "SELECT id FROM articles WHERE status = :s ORDER BY id", "-p", "s=gone"
    )
    assert [r["id"] for r in gone] == sorted(world.ids_where(lambda p: not p.live))
    result = run(
        world.db, "sql", "SELECT id, status FROM articles WHERE status = 'gone' ORDER BY id"
    )
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["id", "status"]
    assert [line.split() for line in lines] == [[str(r["id"]), "gone"] for r in gone]
    blob = run_json(world.db, "sql", "SELECT body FROM captures LIMIT 1")
    assert blob[0]["body"]["$base64"] is True
    assert run(world.db, "sql", "SELECT 1 WHERE 0").stdout == "no rows\n"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("INSERT INTO tags (name) VALUES ('x')", READONLY),
        ("UPDATE articles SET title = 'x'", READONLY),
        ("DELETE FROM articles", READONLY),
        ("REPLACE INTO tags (id, name) VALUES (1, 'x')", READONLY),
        ("WITH doomed AS (SELECT id FROM articles) DELETE FROM links", READONLY),
        ("DROP TABLE links", READONLY),
        ("CREATE TABLE mine (a)", READONLY),
        ("PRAGMA user_version = 42", "Error: refused, sql only reads: not authorized\n"),
        ("ANALYZE", READONLY),
        ("ATTACH DATABASE 'other.db' AS other", "Error: refused, sql only reads: not authorized\n"),
        ("VACUUM", "Error: refused, sql only reads: authorization denied\n"),
        (
            "SELECT 1; DELETE FROM articles",
            "Error: SQL error: You can only execute one statement at a time.\n",
        ),
        ("SELEC 1", 'Error: SQL error: near "SELEC": syntax error\n'),
        ("PRAGMA journal_mode = DELETE", "Error: refused, sql only reads: not authorized\n"),
    ],
)
def test_sql_never_writes(
    world: World,
    statement: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # where ATTACH would create its file
    before = fingerprint(world.db)
    result = run(world.db, "sql", statement)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message
    assert fingerprint(world.db) == before
    assert list(tmp_path.iterdir()) == []
    assert run_json(world.db, "sql", "PRAGMA journal_mode") == [{"journal_mode": "wal"}]
    assert run_json(world.db, "sql", "SELECT COUNT(*) AS n FROM articles") == [
        {"n": len(world.pages)}
    ]


def test_sql_refusal_in_a_real_process(world: World) -> None:
    before = fingerprint(world.db)
    done = run_binary(world.db, "sql", "DELETE FROM articles")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", READONLY)
    done = run_binary(world.db, "sql", "SELECT :x", "-p", "x")
    assert done.returncode == 2 and "'x' is not NAME=VALUE" in done.stderr
    assert fingerprint(world.db) == before


# -- (9) every read command speaks JSON ---------------------------------------------------


def test_every_read_command_prints_json_only(world: World, tmp_path: Path) -> None:
    seed = world.base + world.sites[LAST].url_path(0)
    commands: list[tuple[list[str], type]] = [
        (["crawls"], list),
        (["show", seed], dict),
        (["history", seed], dict),
        (["search", "syrie"], list),
        (["articles", "--tag", "Syrie"], list),
        (["related", seed, "--depth", "2"], dict),
        (["export", "--format", "jsonl", "-o", str(tmp_path / "a.jsonl")], dict),
        (["export", "--format", "warc", "-o", str(tmp_path / "a.warc.gz")], dict),
        (["stats"], dict),
        (["sql", "SELECT id, title FROM articles LIMIT 3"], list),
        (["reparse", "--dry-run"], dict),
    ]
    for args, kind in commands:
        value = run_json(world.db, *args)
        assert isinstance(value, kind) and value, args
    assert run_check(world.db)["crawl_id"] == judged(run_json(world.db, "stats"))[0]["id"]
    assert run_json(world.db, "reparse", "--dry-run")["changed"] == []
    done = run_binary(world.db, "crawls", "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout) == run_json(world.db, "crawls")
