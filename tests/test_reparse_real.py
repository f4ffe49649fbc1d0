"""An archive the previous release made of two real Sputnik pages, healed by ``archive reparse``.

``fixtures/archives/release-sputnik-extractor-1.db`` is a real crawl (``make_release_archive.py``
beside it) by the release whose ``SputnikArticlePage`` was at extractor version 1. On the 2020
page that page object took the comment form's avatar for the photo, the date line for the photo
credit and the page's GMT time for Moscow time; on the 2019 page it found no title, so the crawl
kept the page as ``unreadable``. Today's page object, run by ``archive reparse`` as a user runs
it, must add a version with the page's real values (``fixtures/real/expected.json``) beside the
old one, never over it, and store the 2019 page as the article it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, migrations
from archive.cli import cli
from archive.reparse import EXTRACTOR
from extraction.pages import sputnik

from .test_migrations import ALL_MIGRATIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD_ARCHIVE = FIXTURES / "archives" / "release-sputnik-extractor-1.db"
#: The fixture as it was built (fixtures/archives/README.md): nothing may write into it.
OLD_ARCHIVE_SHA256 = "78644cb2f5cfd1eeb40b706688a18d6c8e65ff9f5ef20173a74b4a8b3269d0b4"
EXPECTED = json.loads((FIXTURES / "real" / "expected.json").read_text(encoding="utf-8"))
RADIO = EXPECTED["en_sputniknews_2020_radio_critical_hour"]
COLUMN = EXPECTED["en_sputniknews_2019_columnists_prince_andrew"]

#: The migrations of the release that made the fixture.
OLD_MIGRATIONS = ALL_MIGRATIONS[: ALL_MIGRATIONS.index("m006_unreadable_pages") + 1]
OLD_EXTRACTOR_VERSION = "1"
#: What the previous release stored of the 2020 page where it misread it.
OLD_RADIO_MISREAD = {
    "image_url": "https://cdn1.img.sputniknews.com/i/avatar-default.png",
    "image_caption": "avatar",
    "image_credit": "22:57 GMT 28.04.2020(updated 11:14 GMT 29.04.2020) Get short URL",
    "published_at": "2020-04-28T22:57:00+03:00",
}
#: The fields that misreading touched: a new version must change each of them.
MISREAD_FIELDS = set(OLD_RADIO_MISREAD)
#: Tables whose rows a reparse that changes nothing leaves exactly as they were.
TABLES = (
    "articles",
    "versions",
    "urls",
    "links",
    "tags",
    "article_tags",
    "captures",
    "fetches",
    "crawls",
    "events",
)


def instant(value: str | None) -> datetime:
    """An ISO 8601 time with offset, as an aware datetime (compared as an instant)."""
    assert value is not None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value} has no offset"
    return parsed


def read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def rows(path: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    conn = read_only(path)
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def fetch_of(page: dict[str, Any]) -> dict[str, Any]:
    """The fixture's fetch of a real page (served on 127.0.0.1 at the page's own path)."""
    pattern = "http://127.0.0.1:%" + str(page["url"]).removeprefix("https://sputniknews.com")
    [row] = rows(OLD_ARCHIVE, "SELECT * FROM fetches WHERE url LIKE ?", pattern)
    return row


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    finally:
        conn.close()


def reparse(path: Path) -> Result:
    """``archive --db PATH reparse``, as a user runs it."""
    result = CliRunner().invoke(cli, ["--db", str(path), "reparse"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress when stderr is not a terminal
    return result


@dataclass
class Healed:
    """A copy of the old archive after one ``archive reparse``, then a second one."""

    path: Path
    first: Result
    second: Result
    after_first: dict[str, list[tuple[Any, ...]]] = field(repr=False)
    after_second: dict[str, list[tuple[Any, ...]]] = field(repr=False)


@pytest.fixture(scope="module")
def healed(tmp_path_factory: pytest.TempPathFactory) -> Healed:
    path = tmp_path_factory.mktemp("old-release") / "archive.db"
    shutil.copyfile(OLD_ARCHIVE, path)
    first = reparse(path)
    after_first = snapshot(path)
    second = reparse(path)
    return Healed(path, first, second, after_first, snapshot(path))


# -- what the previous release stored --------------------------------------------------------


def test_the_fixture_holds_what_the_previous_release_stored() -> None:
    assert hashlib.sha256(OLD_ARCHIVE.read_bytes()).hexdigest() == OLD_ARCHIVE_SHA256
    conn = read_only(OLD_ARCHIVE)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
        [crawl] = conn.execute("SELECT * FROM crawls").fetchall()
        [version] = conn.execute("SELECT * FROM versions").fetchall()
        captures = {row["id"]: row["body_sha256"] for row in conn.execute("SELECT * FROM captures")}
    finally:
        conn.close()
    assert names == OLD_MIGRATIONS
    assert (crawl["id"], crawl["status"], crawl["version"]) == (1, "finished", "0.1.0")
    assert (crawl["new"], crawl["unreadable"], crawl["errors"]) == (1, 1, 0)
    assert (version["article_id"], version["number"], version["crawl_id"]) == (1, 1, 1)
    assert (version["extractor"], version["extractor_version"]) == (
        EXTRACTOR,
        OLD_EXTRACTOR_VERSION,
    )
    assert {name: version[name] for name in OLD_RADIO_MISREAD} == OLD_RADIO_MISREAD
    assert json.loads(version["authors"]) == RADIO["authors"]
    radio = fetch_of(RADIO)
    column = fetch_of(COLUMN)
    assert (radio["outcome"], radio["article_id"]) == ("new", 1)
    assert (column["id"], column["crawl_id"], column["status"]) == (3, 1, 200)
    assert (column["outcome"], column["article_id"], column["error"]) == ("unreadable", None, None)
    # Both pages kept byte for byte.
    assert captures == {version["capture_id"]: RADIO["html_sha256"], 2: COLUMN["html_sha256"]}
    assert column["capture_id"] == 2


# -- archive reparse with today's page object ----------------------------------------------


def test_reparse_upgrades_the_old_archive_in_place(healed: Healed) -> None:
    with Archive(healed.path, readonly=True) as archive:
        assert migrations.applied(archive.db) == ALL_MIGRATIONS
        assert archive.pending_migrations == []


def test_reparse_reports_one_article_changed_and_the_unreadable_page_read(healed: Healed) -> None:
    version = sputnik.EXTRACTOR_VERSION
    radio_url, column = fetch_of(RADIO)["url"], fetch_of(COLUMN)
    lines = healed.first.stdout.splitlines()
    assert lines[0] == (
        f"{EXTRACTOR} {version}: examined 1 captures; changed 1, unchanged 0, failed 0, skipped 0"
    )
    changed = re.fullmatch(rf"  changed 1 {re.escape(radio_url)}: (.+) -> version 2", lines[1])
    assert changed is not None, lines[1]
    assert set(changed.group(1).split(", ")) >= MISREAD_FIELDS
    assert lines[2:] == [
        "unreadable pages: examined 1; read as articles 1, still unreadable 0",
        f"  read fetch {column['id']} {column['url']} (crawl 1) -> article 2 (new)",
    ]


def test_the_2020_article_gets_a_new_version_with_the_pages_real_values(
    healed: Healed, tmp_path: Path
) -> None:
    shutil.copyfile(OLD_ARCHIVE, tmp_path / "old.db")  # an Archive never opens the fixture
    with Archive(tmp_path / "old.db", readonly=True) as old:
        [old_version] = old.versions(RADIO["url"])
    with Archive(healed.path, readonly=True) as archive:
        versions = archive.versions(RADIO["url"])
        article = archive.get_article(RADIO["url"])
    assert [v["number"] for v in versions] == [1, 2], "no new version: read as the old release did"
    assert versions[0] == old_version  # kept, never overwritten
    new = versions[1]
    assert new["image_url"] in RADIO["image_url_any_of"]
    assert new["image_credit"] == RADIO["image_credit"]
    assert new["image_caption"] in [RADIO["image_caption"], *RADIO["image_caption_also_ok"]]
    assert instant(new["published_at"]) == instant(RADIO["published_at"])
    assert new["authors"] == RADIO["authors"]
    # What the old release read right stays right.
    assert (new["title"], new["category"], new["tags"]) == (
        RADIO["title"],
        RADIO["category"],
        RADIO["tags"],
    )
    # Read again from the same capture, by the new extractor, in no crawl.
    assert (new["extractor"], new["extractor_version"]) == (EXTRACTOR, sputnik.EXTRACTOR_VERSION)
    assert sputnik.EXTRACTOR_VERSION != old_version["extractor_version"] == OLD_EXTRACTOR_VERSION
    assert (new["crawl_id"], new["capture_id"]) == (None, old_version["capture_id"])
    assert new["fetched_at"] == old_version["fetched_at"]
    # The new version is the article's current content.
    assert article is not None
    assert article["current_version_id"] == new["id"]
    for name in (*MISREAD_FIELDS, "authors", "title"):
        assert article[name] == new[name], name


def test_the_2019_page_unreadable_before_is_now_its_article(healed: Healed) -> None:
    fetch = fetch_of(COLUMN)
    with Archive(healed.path, readonly=True) as archive:
        article = archive.get_article(COLUMN["url"])
        versions = archive.versions(COLUMN["url"])
        unreadable = archive.unreadable_pages()
        [fetch_now] = archive.rows("SELECT * FROM fetches WHERE id = ?", (fetch["id"],))
    assert article is not None, f"no article at {COLUMN['url']}: the page is still unreadable"
    assert article["title"] == COLUMN["title"]
    assert instant(article["published_at"]) == instant(COLUMN["published_at"])
    assert article["authors"] == COLUMN["authors"]
    assert article["image_credit"] == COLUMN["image_credit"]
    # Stored as the crawl that fetched it would have stored it, by the new extractor.
    [version] = versions
    assert (version["crawl_id"], version["capture_id"]) == (fetch["crawl_id"], fetch["capture_id"])
    assert version["fetched_at"] == fetch["fetched_at"]
    assert (version["extractor"], version["extractor_version"]) == (
        EXTRACTOR,
        sputnik.EXTRACTOR_VERSION,
    )
    # Its fetch stays the record of what happened then, and is read once.
    assert (fetch_now["outcome"], fetch_now["article_id"]) == ("unreadable", article["id"])
    assert unreadable == []


def test_a_second_reparse_changes_nothing(healed: Healed) -> None:
    version = sputnik.EXTRACTOR_VERSION
    assert healed.second.stdout.splitlines() == [
        f"{EXTRACTOR} {version}: examined 2 captures; changed 0, unchanged 2, failed 0, skipped 0",
        "unreadable pages: examined 0; read as articles 0, still unreadable 0",
    ]
    assert healed.after_second == healed.after_first
    assert len(healed.after_first["articles"]) == 2
    assert len(healed.after_first["versions"]) == 3
