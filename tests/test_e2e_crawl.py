"""End to end: ``scrapy crawl sputnik`` in a subprocess against the replica site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from mocksite.server import RunningSite

from .conftest import SEED_TEXT, run_crawl

pytestmark = pytest.mark.e2e

TABLES = ("articles", "urls", "links", "tags", "article_tags")


def seed_expectations() -> dict[str, Any]:
    """The seed article's fields, read from the seed text itself (not from the replica's code)."""
    lines = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    related_at = lines.index("Lire aussi:")
    tags_at = lines.index("Tags:")
    fold = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    assert lines[5] == "URL courte" and lines[7] == "S'abonner"
    return {
        "image_caption": lines[1],
        "title": lines[2],
        "image_credit": lines[3],
        "category": lines[4],
        "views": int(lines[6]),
        "lead": fold(lines[8]),
        "body": "\n\n".join(fold(p) for p in lines[9:related_at]),
        "related_titles": lines[related_at + 1 : tags_at],
        "tags": lines[tags_at + 1].split(", "),
    }


def row_counts(db: Path) -> dict[str, int]:
    with Archive(db) as archive:
        return {t: archive.db[t].count for t in TABLES}


def crawl_ok(db: Path, *args: str) -> None:
    result = run_crawl(db, *args)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def seed_crawl(replica: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "archive.db"
    site = replica.site
    crawl_ok(db, f"urls={replica.base_url}{site.article(site.seed_index)['url_path']}")
    return db


def test_seed_article_is_archived_with_every_field(seed_crawl: Path, replica: RunningSite) -> None:
    site = replica.site
    truth = site.article(site.seed_index)
    expected = seed_expectations()
    url = replica.base_url + truth["url_path"]
    with Archive(seed_crawl) as archive:
        stored = archive.get_article(url)
    assert stored is not None
    for name in ("title", "lead", "body", "category", "views", "image_caption", "image_credit"):
        assert stored[name] == expected[name], name
    assert stored["tags"] == expected["tags"]
    assert [r["title"] for r in stored["related"]] == expected["related_titles"]
    assert [r["kind"] for r in stored["related"]] == ["lire_aussi"] * 4
    assert [r["url"] for r in stored["related"]] == [
        replica.base_url + r["path"] for r in truth["related"]
    ]
    assert stored["url"] == url
    assert stored["canonical_url"] == url
    assert stored["short_url"] == replica.base_url + truth["short_path"]
    assert stored["image_url"] == replica.base_url + truth["image_url"]
    assert stored["published_at"] == truth["published_at"]
    assert stored["modified_at"] == truth["modified_at"]
    assert stored["authors"] == []
    assert stored["language"] == "fr"
    assert stored["site"] == "sputnik"
    assert stored["status"] == "live"
    assert stored["duplicate_of"] is None
    for chrome in ("Ecoutez Radio Sputnik", "S'abonner", "Lire aussi", "Tags", "Commenter via"):
        assert chrome not in stored["body"]


def test_every_url_of_the_seed_article_finds_it(seed_crawl: Path, replica: RunningSite) -> None:
    site = replica.site
    truth = site.article(site.seed_index)
    url = replica.base_url + truth["url_path"]
    variants = [
        replica.base_url + truth["short_path"],
        url + "?utm_source=twitter&utm_medium=social",
        url + "?fbclid=IwAR0abc#comments",
        url.replace("http://", "HTTP://"),
    ]
    with Archive(seed_crawl) as archive:
        seed = archive.get_article(url)
        assert seed is not None
        for variant in variants:
            found = archive.get_article(variant)
            assert found is not None and found["id"] == seed["id"], variant


def test_related_depth_1_archives_the_four_related_articles(
    seed_crawl: Path, replica: RunningSite
) -> None:
    site = replica.site
    truth = site.article(site.seed_index)
    with Archive(seed_crawl) as archive:
        seed = archive.get_article(replica.base_url + truth["url_path"])
        assert seed is not None
        related_ids = []
        for link in truth["related"]:
            article = archive.get_article(replica.base_url + link["path"])
            assert article is not None, link
            assert article["title"] == link["title"]
            assert [(s["id"], s["kind"]) for s in article["linked_from"]] == [
                (seed["id"], "lire_aussi")
            ]
            related_ids.append(article["id"])
        edges = list(
            archive.db.query(
                "select kind, target_article_id, anchor from links where from_article_id = ?"
                " order by position",
                [seed["id"]],
            )
        )
        assert [(e["kind"], e["target_article_id"]) for e in edges] == [
            ("lire_aussi", i) for i in related_ids
        ]
        assert archive.db["articles"].count == 5


def test_crawl_row_of_a_urls_crawl(seed_crawl: Path, replica: RunningSite) -> None:
    with Archive(seed_crawl) as archive:
        [crawl] = archive.crawls()
        fetches = list(archive.db.query("select outcome, status from fetches"))
    assert crawl["spider"] == "sputnik"
    assert crawl["status"] == "finished" and crawl["finish_reason"] == "finished"
    assert crawl["arguments"]["related_depth"] == "1"
    assert (
        crawl["started_at"] and crawl["finished_at"] and crawl["finished_at"] >= crawl["started_at"]
    )
    # Five articles and the site's robots.txt; their photos apart.
    assert (crawl["fetched"], crawl["new"], crawl["unchanged"], crawl["errors"]) == (6, 5, 0, 0)
    photos = sum(1 for f in fetches if f["outcome"] == "media")
    assert 0 < photos <= 5
    assert sorted((f["outcome"], f["status"]) for f in fetches) == [("media", 200)] * photos + [
        ("new", 200)
    ] * 5 + [("robots", 200)]


def test_related_depth_0_stores_edges_but_follows_none(
    replica: RunningSite, tmp_path: Path
) -> None:
    site = replica.site
    truth = site.article(site.seed_index)
    db = tmp_path / "archive.db"
    crawl_ok(db, f"urls={replica.base_url}{truth['url_path']}", "related_depth=0")
    with Archive(db) as archive:
        assert archive.db["articles"].count == 1
        for link in truth["related"]:
            assert archive.get_article(replica.base_url + link["path"]) is None
        edges = list(
            archive.db.query("select kind, url, target_article_id from links order by position")
        )
    assert [(e["kind"], e["url"], e["target_article_id"]) for e in edges] == [
        ("lire_aussi", replica.base_url + r["path"], None) for r in truth["related"]
    ]


def test_pages_that_are_not_articles_and_errors_are_fetches_only(
    replica: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    home = replica.base_url + "/"
    missing = replica.base_url + "/international/209912311099999999-nulle-part/"
    # robots.txt disallows /search; as the third start URL it waits for robots.txt with others.
    forbidden = replica.base_url + "/search?q=syrie"
    crawl_ok(db, f"urls={home},{missing},{forbidden}", "related_depth=0")
    with Archive(db) as archive:
        assert archive.db["articles"].count == 0
        fetches = {f["url"]: f for f in archive.db.query("select * from fetches")}
        [crawl] = archive.crawls()
    # The home page under an article URL: HTML, no article in it, so kept for a later reading.
    assert fetches[home]["outcome"] == "unreadable"
    assert fetches[home]["status"] == 200
    assert fetches[home]["capture_id"] is not None
    assert fetches[missing]["outcome"] == "http_error"
    assert fetches[missing]["status"] == 404
    assert fetches[forbidden]["outcome"] == "skipped"
    assert fetches[forbidden]["status"] is None
    assert fetches[forbidden]["error"] == "IgnoreRequest: Forbidden by robots.txt"
    assert fetches[replica.base_url + "/robots.txt"]["outcome"] == "robots"
    # robots.txt, the home page and the 404; the refused page was never fetched.
    assert (crawl["fetched"], crawl["new"], crawl["errors"]) == (3, 0, 1)
    assert (crawl["not_article"], crawl["unreadable"]) == (0, 1)


def test_full_crawl_from_home_then_an_idempotent_second_run(
    replica: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl_ok(db, f"start={replica.base_url}/")
    first = row_counts(db)
    assert first["articles"] == 200
    with Archive(db) as archive:
        stored_paths = {
            r["url"].removeprefix(replica.base_url)
            for r in archive.db.query("select url from articles")
        }
        seen_before = {
            r["id"]: r["last_seen_at"]
            for r in archive.db.query("select id, last_seen_at from articles")
        }
    assert stored_paths == set(replica.site.article_paths())

    # Every article again (not only those due): each is unchanged, nothing is duplicated.
    crawl_ok(db, f"start={replica.base_url}/", "revisit=all")
    assert row_counts(db) == first
    with Archive(db) as archive:
        crawls = archive.crawls()
        seen_after = {
            r["id"]: r["last_seen_at"]
            for r in archive.db.query("select id, last_seen_at from articles")
        }
        duplicates = list(
            archive.db.query(
                "select 'urls' t, count(*) n from urls group by url having n > 1"
                " union all select 'links', count(*) n from links"
                " group by from_article_id, url_key, kind having n > 1"
                " union all select 'article_tags', count(*) n from article_tags"
                " group by article_id, tag_id having n > 1"
            )
        )
    assert duplicates == []
    assert len(crawls) == 2
    by_id = {c["id"]: c for c in crawls}
    newest = by_id[max(by_id)]
    oldest = by_id[min(by_id)]
    assert oldest["new"] == 200 and oldest["unchanged"] == 0
    assert newest["status"] == "finished"
    assert newest["new"] == 0 and newest["updated"] == 0 and newest["unchanged"] == 200
    assert all(seen_after[i] > seen_before[i] for i in seen_before)
