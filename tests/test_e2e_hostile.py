"""End to end: a crawl of a hostile replica ends, with the right outcome for every bad page.

Each route's expected ``fetches`` outcome is the replica's ground truth (mocksite/hostile.py),
not read back from the archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.cli import cli
from mocksite import hostile as hostile_pages
from mocksite.server import RunningSite, start

from .conftest import run_crawl

pytestmark = pytest.mark.e2e

# A hung page must not hold the test for Scrapy's default 180 s; "slow" answers in 2 s.
SETTINGS = {"DOWNLOAD_TIMEOUT": "4"}


@pytest.fixture(scope="module")
def hostile() -> Iterator[RunningSite]:
    with start(articles=30, seed=1, hostile=True) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_crawl(hostile: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    result = run_crawl(db, f"start={hostile.base_url}/", settings=SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def fetch_rows(db: Path) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    with Archive(db) as archive:
        for row in archive.db.query("select * from fetches order by id"):
            rows.setdefault(row["url"], []).append(row)
    return rows


ARTICLE_ROUTES = (
    "rate_limited",
    "unavailable",
    "server_error_burst",
    "always_500",
    "slow",
    "hang_after_headers",
    "truncated",
    "gzip_bomb",
    "huge_page",
    "pdf_as_article",
    "image_as_article",
    "empty_200",
    "block_page",
    "script_title",
    "private_links",
)


@pytest.mark.parametrize("kind", ARTICLE_ROUTES)
def test_each_hostile_page_ends_as_its_expected_outcome(
    kind: str, hostile_crawl: Path, hostile: RunningSite
) -> None:
    [route] = [r for r in hostile.hostile_routes() if r["kind"] == kind]
    rows = fetch_rows(hostile_crawl).get(route["url"])
    assert rows, f"{kind}: no fetch row for {route['url']}"
    assert [r["outcome"] for r in rows] == [route["expected"]], (kind, rows)


def test_no_garbage_becomes_an_article(hostile_crawl: Path, hostile: RunningSite) -> None:
    not_articles = [r for r in hostile.hostile_routes() if r["expected"] != "new"]
    with Archive(hostile_crawl) as archive:
        for route in not_articles:
            assert archive.get_article(route["url"]) is None, route["kind"]
        assert archive.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [crawl] = archive.crawls()
    assert crawl["status"] == "finished"


def test_the_redirect_loop_is_an_error_and_the_traps_end(
    hostile_crawl: Path, hostile: RunningSite
) -> None:
    routes = {r["kind"]: r for r in hostile.hostile_routes()}
    rows = fetch_rows(hostile_crawl)
    loop = routes["redirect_loop"]
    # One row for the chain a -> b -> a: the URL that answered the last redirect, with the
    # URL first requested.
    chain = [r for url_rows in rows.values() for r in url_rows if r["requested_url"] == loop["url"]]
    assert [(r["outcome"], r["error"].split(":")[0]) for r in chain] == [("error", "redirect loop")]
    trap_pages = [url for url in rows if "/trap/" in url or "/calendar/" in url]
    assert len(trap_pages) <= 3, trap_pages


def test_script_and_sql_in_a_title_are_stored_as_text(
    hostile_crawl: Path, hostile: RunningSite
) -> None:
    [route] = [r for r in hostile.hostile_routes() if r["kind"] == "script_title"]
    with Archive(hostile_crawl) as archive:
        article = archive.get_article(route["url"])
        assert archive.db["articles"].count >= 30  # the table is still there
    assert article is not None
    assert article["title"] == route["title"]


def test_html_pages_without_an_article_are_kept_and_listed(
    hostile_crawl: Path, hostile: RunningSite
) -> None:
    routes = {r["kind"]: r for r in hostile.hostile_routes()}
    # What the replica served: the captcha page and an empty body, both text/html.
    served = {"block_page": hostile_pages.BLOCK_PAGE.encode("utf-8"), "empty_200": b""}
    with Archive(hostile_crawl) as archive:
        for kind, body in served.items():
            [row] = archive.rows("SELECT * FROM fetches WHERE url = ?", [routes[kind]["url"]])
            assert (row["outcome"], row["error"]) == ("unreadable", None), kind
            assert archive.capture_body(row["capture_id"]) == body, kind
        for kind in ("pdf_as_article", "image_as_article"):
            [row] = archive.rows("SELECT * FROM fetches WHERE url = ?", [routes[kind]["url"]])
            assert (row["outcome"], row["capture_id"]) == ("not_article", None), kind
        pending = {row["url"] for row in archive.pending_frontier()}
        [crawl] = archive.crawls()
    assert crawl["unreadable"] == len(served)
    assert not pending & {routes[kind]["url"] for kind in served}
    result = CliRunner().invoke(cli, ["--db", str(hostile_crawl), "stats", "--check", "--json"])
    assert result.exit_code == 1, result.output
    check = json.loads(result.stdout)
    assert check["unreadable_crawl_id"] == crawl["id"]
    assert sorted(page["url"] for page in check["unreadable"]) == sorted(
        routes[kind]["url"] for kind in served
    )


def test_links_to_private_addresses_and_other_schemes_are_refused(
    hostile_crawl: Path, hostile: RunningSite
) -> None:
    [route] = [r for r in hostile.hostile_routes() if r["kind"] == "private_links"]
    rows = fetch_rows(hostile_crawl)
    for link in route["links"]:
        outcomes = [r["outcome"] for r in rows.get(link["url"], [])]
        assert outcomes == ["refused"], (link["url"], outcomes)
    assert hostile.hits().get("hostile_private_leak", 0) == 0
