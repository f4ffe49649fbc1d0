"""End to end: incremental runs fetch only what is new or due, and ask servers what changed.

The replica's articles date from 2017: by the default revisit schedule none is ever due again,
so a second run of an unchanged site fetches discovery pages only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from mocksite.server import RunningSite, start

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


@pytest.fixture(scope="module")
def runs(site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Crawls 1 and 2 of the unchanged site (day 1), 3 of day 2, 4 of day 2 revisiting all."""
    db = tmp_path_factory.mktemp("incremental") / "archive.db"
    root = f"start={site.base_url}/"
    site.set_day(1)
    crawl_ok(db, root)
    crawl_ok(db, root)
    site.set_day(2)
    crawl_ok(db, root)
    crawl_ok(db, root, "revisit=all")
    return db


def test_an_unchanged_site_costs_only_its_discovery_pages(runs: Path) -> None:
    first, second = fetches(runs, 1), fetches(runs, 2)
    assert sum(f["outcome"] == "new" for f in first) == 300
    assert [f for f in second if f["outcome"] in ARTICLE_OUTCOMES] == []
    # The discovery pages it needs: robots.txt, home, feed, sitemaps, the first page of each
    # section linked from the home page (all archived: no paging further).
    needed = {f["url"] for f in first if f["outcome"] in ("robots", "discovery")}
    needed = {url for url in needed if "?page=" not in url}
    assert sorted(f["url"] for f in second) == sorted(needed)
    assert len(second) * 10 < len(first)
    # Daily sitemaps and the feed answered "not modified" to the validators kept.
    unchanged = {f["url"] for f in second if f["status"] == 304}
    assert any("sitemap_article_index" in url for url in unchanged)
    assert any("rss" in url for url in unchanged)
    row = crawl_row(runs, 2)
    assert (row["status"], row["fetched"], row["new"], row["unchanged"]) == (
        "finished",
        len(second),
        0,
        0,
    )
    # Every archived article it found on the pages it fetched, left alone.
    assert 0 < row["not_due"] <= 300


def test_new_articles_are_all_archived_and_nothing_else_fetched(
    runs: Path, site: RunningSite
) -> None:
    day2 = site.site.on_day(2)
    new = [c["index"] for c in day2.changes(2) if c["kind"] == "new"]
    assert new
    with Archive(runs) as archive:
        for index in new:
            stored = archive.get_article(site.base_url + day2.url_path(index))
            assert stored is not None, index
            assert stored["first_crawl_id"] == 3
    third = fetches(runs, 3)
    articles = [f for f in third if f["outcome"] in ARTICLE_OUTCOMES]
    assert sorted(f["url"] for f in articles) == sorted(
        site.base_url + day2.url_path(i) for i in new
    )
    assert {f["outcome"] for f in articles} == {"new"}
    assert crawl_row(runs, 3)["new"] == len(new)


def test_revisit_all_finds_the_edits_and_the_rest_answers_not_modified(
    runs: Path, site: RunningSite
) -> None:
    day2 = site.site.on_day(2)
    changes: dict[int, set[str]] = {}
    for change in day2.changes(2):
        changes.setdefault(change["index"], set()).add(change["kind"])
    edited = {i for i, kinds in changes.items() if kinds & EDITS and "new" not in kinds}
    assert edited
    fourth = {f["url"]: f for f in fetches(runs, 4)}
    seen = {"updated": 0, "304": 0}
    with Archive(runs) as archive:
        for index in range(day2.articles_on(2)):
            url = site.base_url + day2.url_path(index)
            fetch = fourth[url]
            status, _ = day2.status(index)
            if status != 200:
                assert fetch["outcome"] == "gone", index
            elif index in edited:
                assert fetch["outcome"] == "updated", (index, changes[index])
                assert len(archive.versions(url)) == 2
                seen["updated"] += 1
            else:
                assert fetch["outcome"] == "unchanged", (index, changes.get(index))
                if "whitespace_only" not in changes.get(index, set()):
                    assert fetch["status"] == 304, index
                    seen["304"] += 1
                assert len(archive.versions(url)) == 1
    assert seen["updated"] == len(edited)
    assert seen["304"] > 250
    row = crawl_row(runs, 4)
    assert (row["updated"], row["not_due"]) == (len(edited), 0)
