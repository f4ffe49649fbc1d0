"""End to end: incremental runs fetch only what is new, edited or due, and ask servers what
changed.

The replica's articles date from 2017: by the default revisit schedule none is ever due again,
so a second run of an unchanged site fetches discovery pages only, and a run of a later day
fetches exactly its new articles and those its monthly sitemaps date (``<lastmod>``) later than
the archive's copy: the edited ones.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from mocksite.server import RunningSite, start
from mocksite.site import RUBRIQUE_SLUGS, Site
from mocksite.sitemaps import articles_between, months

from .conftest import content as version_content
from .conftest import run_crawl

pytestmark = pytest.mark.e2e

ARTICLE_OUTCOMES = ("new", "updated", "unchanged", "not_article", "gone", "alias")
#: Changes of an article's content (a whitespace-only edit is not one).
EDITS = {"corrected_paragraph", "new_title", "tags_changed", "paragraph_added"}


def crawl_ok(db: Path, *args: str) -> None:
    result = run_crawl(db, *args)
    assert result.returncode == 0, result.stderr[-3000:]


def fetches(db: Path, crawl: int) -> list[dict[str, Any]]:
    with Archive(db) as archive:
        return list(archive.db.query("SELECT * FROM fetches WHERE crawl_id = ?", [crawl]))


def crawl_row(db: Path, crawl: int) -> dict[str, Any]:
    with Archive(db) as archive:
        [row] = [c for c in archive.crawls() if c["id"] == crawl]
    return row


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=300, seed=7) as running:
        yield running


@dataclass
class Runs:
    db: Path
    """Crawls 1 and 2 of the unchanged site (day 1), 3 of day 2 and 4 of day 3, by default."""
    every: Path
    """A copy of ``db`` after crawl 2, then crawl 3 of day 2 revisiting all."""
    due: dict[int, list[str]]
    """Crawl -> the URLs of ``db`` due by the revisit schedule just before it ran."""


def copy_archive(source: Path, target: Path) -> None:
    """A consistent copy of an archive (SQLite's backup: WAL included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="module")
def runs(site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    folder = tmp_path_factory.mktemp("incremental")
    db, every = folder / "archive.db", folder / "every.db"
    root = f"start={site.base_url}/"
    due: dict[int, list[str]] = {}

    def crawl_due(crawl: int) -> None:
        with Archive(db) as archive:
            due[crawl] = archive.due_articles(site.base_url + "/")
        crawl_ok(db, root)

    site.set_day(1)
    crawl_ok(db, root)
    crawl_due(2)
    copy_archive(db, every)
    site.set_day(2)
    crawl_due(3)
    crawl_ok(every, root, "revisit=all")
    site.set_day(3)
    crawl_due(4)
    return Runs(db, every, due)


def test_an_unchanged_site_costs_only_its_discovery_pages(runs: Runs) -> None:
    assert runs.due[2] == []
    first, second = fetches(runs.db, 1), fetches(runs.db, 2)
    assert sum(f["outcome"] == "new" for f in first) == 300
    assert [f for f in second if f["outcome"] in ARTICLE_OUTCOMES] == []
    # The discovery pages it needs: robots.txt, home, feed, sitemaps, the first page of each
    # section linked from the home page (all archived: no paging further).
    needed = {f["url"] for f in first if f["outcome"] in ("robots", "discovery")}
    needed = {url for url in needed if "?page=" not in url}
    assert sorted(f["url"] for f in second) == sorted(needed)
    assert len(second) * 10 < len(first)
    # The monthly sitemap and the feed answered "not modified" to the validators kept.
    unchanged = {f["url"] for f in second if f["status"] == 304}
    assert any("/sitemap_article.xml?" in url for url in unchanged)
    assert any("rss" in url for url in unchanged)
    row = crawl_row(runs.db, 2)
    assert (row["status"], row["fetched"], row["new"], row["unchanged"]) == (
        "finished",
        len(second),
        0,
        0,
    )
    # Every archived article it found on the pages it fetched, left alone.
    assert 0 < row["not_due"] <= 300


def content(article: dict[str, Any]) -> tuple[Any, ...]:
    """What an edit changes, from the ground truth or an archived article."""
    return (*version_content(article), article["modified_at"])


def changes_of(site: Site, day: int) -> tuple[set[int], set[int]]:
    """The articles new on ``day`` and those edited that day (visibly: a whitespace-only
    change is no edit), by the replica's ground truth."""
    kinds: dict[int, set[str]] = {}
    for change in site.changes(day):
        kinds.setdefault(change["index"], set()).add(change["kind"])
    new = {i for i, k in kinds.items() if "new" in k}
    edited = {i for i, k in kinds.items() if k & EDITS and "new" not in k}
    return new, edited


@pytest.mark.parametrize(("day", "crawl"), [(2, 3), (3, 4)])
def test_a_later_day_fetches_exactly_its_new_and_edited_articles(
    runs: Runs, site: RunningSite, day: int, crawl: int
) -> None:
    """By default (``revisit=due``), found by their monthly sitemap's ``<lastmod>``; on day 3
    the articles edited on day 2 are not fetched again (their lastmod did not move)."""
    today = site.site.on_day(day)
    new, edited = changes_of(today, day)
    assert new and edited
    # The replica's articles are from 2017: none due by the default schedule.
    assert runs.due[crawl] == []

    def url(index: int) -> str:
        return site.base_url + today.url_path(index)

    done = fetches(runs.db, crawl)
    articles = {f["url"]: f for f in done if f["outcome"] in ARTICLE_OUTCOMES}
    assert sorted(articles) == sorted({url(i) for i in new | edited} | set(runs.due[crawl]))
    assert {articles[url(i)]["outcome"] for i in new} == {"new"}
    assert {articles[url(i)]["outcome"] for i in edited} == {"updated"}
    with Archive(runs.db) as archive:
        for index in new | edited:
            stored = archive.get_article(url(index))
            assert stored is not None, index
            assert content(stored) == content(today.article(index)), index
            assert stored["last_crawl_id"] == crawl, index
            if index in new:
                assert stored["first_crawl_id"] == crawl, index
            # A version per visible edit since it was first stored: none was missed.
            edits = [kind for _, kind in today.history(index) if kind in EDITS]
            assert len(archive.versions(url(index))) == 1 + len(edits), index
    row = crawl_row(runs.db, crawl)
    assert (row["new"], row["updated"], row["unchanged"]) == (len(new), len(edited), 0)
    # Paging through a rubrique went on only from a page listing a new article: an edited
    # one, archived already, is no reason to page further.
    for fetch in done:
        paged = re.fullmatch(r".*/([a-z_]+)/\?page=(\d+)", fetch["url"])
        if paged:
            rubrique, page = RUBRIQUE_SLUGS.index(paged.group(1)), int(paged.group(2))
            assert set(today.rubrique_page(rubrique, page - 1)[0]) & new, fetch["url"]
    first_pages = [today.rubrique_page(r, 1) for r in range(len(RUBRIQUE_SLUGS))]
    assert any(
        set(listed) & edited and not set(listed) & new and more for listed, more in first_pages
    )
    # The monthly sitemaps holding a new or edited article answered with their content (the
    # current month's under a new URL: it ends on the new day); any other was either skipped,
    # dated before the last crawl by the index, or answered "not modified". These 300
    # articles are all of June 2017: one monthly sitemap.
    sitemaps = {f["url"]: f["status"] for f in done if "/sitemap_article.xml?" in f["url"]}
    changed = {
        site.base_url + month.path
        for month in months(today)
        if set(articles_between(today, month.start, month.end)) & (new | edited)
    }
    assert changed == {
        f"{site.base_url}/sitemap_article.xml?date_start=20170601&date_end="
        f"{today.day_date(today.first_days_back):%Y%m%d}"
    }
    assert {u: s for u, s in sitemaps.items() if u in changed} == dict.fromkeys(changed, 200)
    assert set(sitemaps.values()) <= {200, 304}
    assert {f["url"] for f in done if f["url"].endswith("/sitemap_article_index.xml")}


def test_revisit_all_finds_the_edits_and_the_rest_answers_not_modified(
    runs: Runs, site: RunningSite
) -> None:
    day2 = site.site.on_day(2)
    changes: dict[int, set[str]] = {}
    for change in day2.changes(2):
        changes.setdefault(change["index"], set()).add(change["kind"])
    _, edited = changes_of(day2, 2)
    assert edited
    third = {f["url"]: f for f in fetches(runs.every, 3)}
    seen = {"updated": 0, "304": 0}
    with Archive(runs.every) as archive:
        for index in range(day2.articles_on(2)):
            url = site.base_url + day2.url_path(index)
            fetch = third[url]
            status, _ = day2.status(index)
            if status != 200:
                assert fetch["outcome"] == "gone", index
            elif index in edited:
                assert fetch["outcome"] == "updated", (index, changes[index])
                assert len(archive.versions(url)) == 2
                seen["updated"] += 1
            else:
                assert fetch["outcome"] in ("unchanged", "new"), (index, changes.get(index))
                if not changes.get(index, set()) & {"whitespace_only", "new"}:
                    assert fetch["status"] == 304, index
                    seen["304"] += 1
                assert len(archive.versions(url)) == 1
    assert seen["updated"] == len(edited)
    assert seen["304"] > 250
    row = crawl_row(runs.every, 3)
    assert (row["updated"], row["not_due"]) == (len(edited), 0)
