"""End to end: a crawl of the replica keeps the articles' photos (``scrapy crawl`` in a
subprocess, as a user runs it)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from crawler.commands.crawl import EXIT_BAD_ARGUMENTS
from mocksite.photos import photo
from mocksite.server import RunningSite, start

from .conftest import run_crawl

pytestmark = pytest.mark.e2e

ARTICLES = 40


@pytest.fixture(scope="module")
def evolving() -> Iterator[RunningSite]:
    """A replica of its own: the tests move it to a later day."""
    with start(articles=ARTICLES, seed=4) as running:
        yield running


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def crawl(db: Path, *args: str, **settings: str) -> None:
    result = run_crawl(db, *args, settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]


def discover(site: RunningSite) -> str:
    return f"start={site.base_url}/"


def rows(db: Path, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    with Archive(db, readonly=True) as archive:
        return archive.rows(sql, params)


@pytest.fixture(scope="module")
def day_one(evolving: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("photos") / "archive.db"
    evolving.set_day(1)
    crawl(db, discover(evolving), "related_depth=0")
    return db


def test_every_main_photo_is_kept_with_its_bytes(day_one: Path, evolving: RunningSite) -> None:
    site = evolving.site
    truth = [site.article(i) for i in range(ARTICLES)]
    with_photo = [t for t in truth if t["image_url"]]
    assert 0 < len(with_photo) < ARTICLES  # some articles have no photo
    with Archive(day_one, readonly=True) as archive:
        for expected in truth:
            stored = archive.get_article(evolving.base_url + expected["url_path"])
            assert stored is not None
            if not expected["image_url"]:
                assert stored["photos"] == []
                continue
            main, *body = stored["photos"]
            # The photos of the text are recorded, not fetched (ARCHIVE_IMAGES=main).
            assert [(p["role"], p["sha256"]) for p in body] == [
                ("body", None) for _ in site.body_photos(expected["index"])
            ]
            body = photo(expected["image_url"])
            assert main == {
                "position": 0,
                "role": "main",
                "url": evolving.base_url + expected["image_url"],
                "sha256": sha(body),
                "type": "image/jpeg",
                "size": len(body),
                "width": 160,
                "height": 90,
                "caption": stored["image_caption"],
                "credit": stored["image_credit"],
                "fetch_id": main["fetch_id"],
            }
            [fetch] = archive.rows(
                "SELECT url, outcome FROM fetches WHERE id = ?", [main["fetch_id"]]
            )
            assert fetch == {"url": main["url"], "outcome": "media"}
            kept = archive.media(main["sha256"])
            assert kept is not None and kept["body"] == body
    fetched = rows(day_one, "SELECT outcome, COUNT(*) AS n FROM fetches GROUP BY outcome")
    counts = {row["outcome"]: row["n"] for row in fetched}
    assert counts["media"] == len(with_photo)
    assert "media_error" not in counts
    [crawl_row] = rows(day_one, "SELECT status, fetched, new, errors FROM crawls")
    assert crawl_row == {
        "status": "finished",
        "fetched": counts["discovery"] + counts["new"] + counts["robots"],  # photos apart
        "new": ARTICLES,
        "errors": 0,
    }


def test_an_unchanged_article_never_fetches_its_photo_again(
    day_one: Path, evolving: RunningSite
) -> None:
    evolving.set_day(1)
    crawl(day_one, discover(evolving), "related_depth=0", "revisit=all")
    [second] = rows(day_one, "SELECT max(id) AS id FROM crawls")
    outcomes = rows(
        day_one,
        "SELECT outcome, COUNT(*) AS n FROM fetches WHERE crawl_id = ? GROUP BY outcome",
        [second["id"]],
    )
    counts = {row["outcome"]: row["n"] for row in outcomes}
    assert counts.get("unchanged") == ARTICLES
    assert "media" not in counts and "media_error" not in counts


def test_a_changed_photo_is_the_new_versions_and_the_old_one_stays(
    day_one: Path, evolving: RunningSite
) -> None:
    site = evolving.set_day(2)
    edited = [
        c["index"]
        for c in site.changes(2)
        if c["kind"] == "new_title"
        and c["index"] < ARTICLES
        and site.article(c["index"])["image_url"]
        and site.photo_changes(c["index"], 2)
    ]
    assert edited, "the replica changes no photo on day 2"
    before = evolving.site.on_day(1).article(edited[0])
    after = site.article(edited[0])
    assert before["image_url"] != after["image_url"]
    url = evolving.base_url + after["url_path"]
    crawl(day_one, f"urls={url}", "related_depth=0")
    with Archive(day_one, readonly=True) as archive:
        versions = archive.versions(url)
        assert len(versions) == 2
        photos = archive.photos([v["id"] for v in versions])
        old, new = photos[versions[0]["id"]], photos[versions[1]["id"]]
    assert [(p["url"], p["sha256"]) for p in old] == [
        (evolving.base_url + before["image_url"], sha(photo(before["image_url"])))
    ]
    assert [(p["url"], p["sha256"]) for p in new] == [
        (evolving.base_url + after["image_url"], sha(photo(after["image_url"])))
    ]
    for body in (photo(before["image_url"]), photo(after["image_url"])):
        [kept] = rows(day_one, "SELECT body FROM media WHERE sha256 = ?", [sha(body)])
        assert kept["body"] == body


def test_archive_images_none_stores_no_photo_until_photos_are_asked_for(
    evolving: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    evolving.set_day(1)
    crawl(db, discover(evolving), "related_depth=0", ARCHIVE_IMAGES="none")
    assert rows(db, "SELECT COUNT(*) AS n FROM media") == [{"n": 0}]
    assert rows(db, "SELECT COUNT(*) AS n FROM fetches WHERE outcome LIKE 'media%'") == [{"n": 0}]
    # What the pages showed is still recorded, without bytes.
    sql = "SELECT role, COUNT(*) AS n, COUNT(sha256) AS fetched FROM version_media GROUP BY role"
    with_photo = sum(1 for i in range(ARTICLES) if evolving.site.article(i)["image_url"])
    in_text = sum(len(evolving.site.body_photos(i)) for i in range(ARTICLES))
    assert rows(db, sql) == [
        {"role": "body", "n": in_text, "fetched": 0},
        {"role": "main", "n": with_photo, "fetched": 0},
    ]
    # The next visit, photos on: the unchanged articles' main photos, never asked for, are
    # fetched (those of the text too with ARCHIVE_IMAGES=all).
    crawl(db, discover(evolving), "related_depth=0", "revisit=all")
    assert rows(db, sql) == [
        {"role": "body", "n": in_text, "fetched": 0},
        {"role": "main", "n": with_photo, "fetched": with_photo},
    ]
    assert rows(db, "SELECT COUNT(*) AS n FROM versions") == [{"n": ARTICLES}]


def test_a_photo_over_the_size_cap_is_refused_and_recorded(
    evolving: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    evolving.set_day(1)
    crawl(db, discover(evolving), "related_depth=0", ARCHIVE_IMAGE_MAX_BYTES="100")
    assert rows(db, "SELECT COUNT(*) AS n FROM media") == [{"n": 0}]
    errors = rows(db, "SELECT DISTINCT error FROM fetches WHERE outcome = 'media_error'")
    assert errors == [{"error": "too large: over ARCHIVE_IMAGE_MAX_BYTES (100 bytes)"}]
    failed = rows(db, "SELECT COUNT(*) AS n FROM fetches WHERE outcome = 'media_error'")
    with_photo = sum(1 for i in range(ARTICLES) if evolving.site.article(i)["image_url"])
    assert failed == [{"n": with_photo}]
    assert rows(db, "SELECT status, errors FROM crawls") == [{"status": "finished", "errors": 0}]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "ARCHIVE_IMAGES",
            "some",
            "setting ARCHIVE_IMAGES must be one of main, all, none, got 'some'",
        ),
        (
            "ARCHIVE_IMAGE_MAX_BYTES",
            "0",
            "setting ARCHIVE_IMAGE_MAX_BYTES must be an integer >= 1 (bytes), got '0'",
        ),
    ],
)
def test_a_bad_photo_setting_refuses_the_crawl_with_one_line(
    evolving: RunningSite, tmp_path: Path, name: str, value: str, message: str
) -> None:
    db = tmp_path / "archive.db"
    result = run_crawl(db, discover(evolving), settings={name: value})
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert result.stderr.rstrip("\n").splitlines()[-1] == f"scrapy crawl sputnik: {message}"
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_archive_images_all_keeps_the_photos_of_the_text_too(
    evolving: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    site = evolving.set_day(1)
    with_body = [i for i in range(ARTICLES) if site.body_photos(i)]
    assert with_body, "the replica sets no photo in any article's text"
    crawl(db, discover(evolving), "related_depth=0", ARCHIVE_IMAGES="all")
    with Archive(db, readonly=True) as archive:
        for index in range(ARTICLES):
            truth = site.article(index)
            stored = archive.get_article(evolving.base_url + truth["url_path"])
            assert stored is not None
            expected = [(p["path"], p["caption"], p["credit"]) for p in site.body_photos(index)]
            body = [p for p in stored["photos"] if p["role"] == "body"]
            assert [
                (p["url"].removeprefix(evolving.base_url), p["caption"], p["credit"]) for p in body
            ] == expected
            assert [p["position"] for p in stored["photos"]] == list(range(len(stored["photos"])))
            for kept in body:
                held = archive.media(kept["sha256"])
                assert held is not None
                assert held["body"] == photo(kept["url"].removeprefix(evolving.base_url))


def test_photos_obey_robots_txt(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with start(articles=10, seed=4, robots="disallow_photos") as site:
        crawl(db, f"start={site.base_url}/", "related_depth=0")
        with_photo = sum(1 for i in range(10) if site.site.article(i)["image_url"])
        assert site.hits().get("photo", 0) == 0  # not one photo requested
    assert rows(db, "SELECT COUNT(*) AS n FROM media") == [{"n": 0}]
    refused = rows(
        db,
        "SELECT error, COUNT(*) AS n FROM fetches WHERE outcome = 'media_error' GROUP BY error",
    )
    assert refused == [{"error": "refused: Forbidden by robots.txt", "n": with_photo}]
    assert rows(db, "SELECT status, new FROM crawls") == [{"status": "finished", "new": 10}]
