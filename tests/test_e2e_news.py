"""End to end: one ``scrapy crawl news`` over two replicas, read as two sites, into one
archive; the archive then read by site (``--site``) and re-extracted by each article's site.

Both replicas serve the Sputnik layout today; the second is declared as the site ``replica``
by ``tests.sites_for_tests``, loaded through ``ARCHIVE_SITE_MODULES``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.cli import cli
from extraction import sites
from mocksite.server import RunningSite, start

from .conftest import ROOT

pytestmark = pytest.mark.e2e

SITE_MODULES = "tests.sites_for_tests"


def run_news(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl news -a ARG...`` with the test sites declared, writing to ``db``."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", "LOG_LEVEL=INFO"]
    command += ["-s", f"ARCHIVE_SITE_MODULES={SITE_MODULES}"]
    for arg in args:
        command += ["-a", arg]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def archive_cli(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    return result


@pytest.fixture(scope="module")
def replicas() -> Iterator[tuple[RunningSite, RunningSite]]:
    with start(articles=10, seed=1) as first, start(articles=10, seed=2) as second:
        yield first, second


@pytest.fixture(scope="module")
def crawled(
    replicas: tuple[RunningSite, RunningSite], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    db = tmp_path_factory.mktemp("news") / "archive.db"
    first, second = replicas
    result = run_news(db, "site=sputnik,replica", f"start={first.base_url}/,{second.base_url}/")
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def stored(db: Path) -> list[dict[str, Any]]:
    with Archive(db, readonly=True) as archive:
        rows = archive.db.execute(
            "SELECT a.url, a.site, v.extractor FROM articles a JOIN versions v"
            " ON v.id = a.current_version_id ORDER BY a.id"
        ).fetchall()
    return [{"url": url, "site": site, "extractor": extractor} for url, site, extractor in rows]


def test_each_replica_s_articles_are_stored_as_its_site(
    crawled: Path, replicas: tuple[RunningSite, RunningSite]
) -> None:
    first, second = replicas
    rows = stored(crawled)
    of_first = [row for row in rows if row["url"].startswith(first.base_url + "/")]
    of_second = [row for row in rows if row["url"].startswith(second.base_url + "/")]
    assert of_first and of_second
    assert len(of_first) + len(of_second) == len(rows)
    assert {row["site"] for row in of_first} == {"sputnik"}
    assert {row["site"] for row in of_second} == {"replica"}
    assert {row["extractor"] for row in rows} == {"SputnikArticlePage"}


def test_one_crawl_row_names_both_sites(crawled: Path, replicas: Any) -> None:
    with Archive(crawled, readonly=True) as archive:
        [crawl] = archive.crawls()
    first, second = replicas
    assert (crawl["spider"], crawl["status"]) == ("news", "finished")
    assert crawl["arguments"]["site"] == "sputnik,replica"
    assert crawl["arguments"]["start"] == f"{first.base_url}/,{second.base_url}/"


def test_read_commands_filter_by_site(crawled: Path, replicas: Any) -> None:
    _, second = replicas
    listed = json.loads(archive_cli(crawled, "articles", "--site", "replica", "--json").stdout)
    assert listed and all(row["url"].startswith(second.base_url + "/") for row in listed)
    crawls = json.loads(archive_cli(crawled, "crawls", "--site", "replica", "--json").stdout)
    assert [crawl["spider"] for crawl in crawls] == ["news"]
    assert json.loads(archive_cli(crawled, "crawls", "--site", "other", "--json").stdout) == []
    url = listed[0]["url"]
    shown = archive_cli(crawled, "show", url, "--site", "replica", "--json")
    assert json.loads(shown.stdout)["site"] == "replica"
    refused = archive_cli(crawled, "show", url, "--site", "sputnik")
    assert refused.exit_code == 1
    assert f"no article matches {url} in site sputnik" in refused.output
    history = archive_cli(crawled, "history", url, "--site", "replica", "--json")
    assert history.exit_code == 0, history.output


def reparse(db: Path, *args: str) -> dict[str, Any]:
    """``archive reparse --dry-run --json ARG...`` in its own process, as a user runs it: the
    sites ``--site-module`` declares are its own."""
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    command += ["--db", str(db), "reparse", "--dry-run", "--json", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_reparse_reads_each_article_as_its_own_site(crawled: Path) -> None:
    rows = stored(crawled)
    report = reparse(crawled, "--site-module", SITE_MODULES)
    # Read as Sputnik's by the site each was archived as, whatever the host (127.0.0.1).
    assert (report["extractor"], report["examined"]) == ("SputnikArticlePage", len(rows))
    assert (report["changed_count"], report["failed_count"]) == (0, 0)
    only = reparse(crawled, "--site", "replica", "--site-module", SITE_MODULES)
    assert only["examined"] == len([row for row in rows if row["site"] == "replica"])
    assert only["changed_count"] == 0


def test_extract_reads_a_replica_page_as_the_site_named(crawled: Path, replicas: Any) -> None:
    url = next(row["url"] for row in stored(crawled) if row["site"] == "sputnik")
    as_sputnik = archive_cli(crawled, "extract", url, "--site", "sputnik", "--json")
    assert as_sputnik.exit_code == 0, as_sputnik.output
    shown = json.loads(archive_cli(crawled, "show", url, "--json").stdout)
    extracted = json.loads(as_sputnik.stdout)
    assert (extracted["site"], extracted["title"], extracted["body"]) == (
        "sputnik",
        shown["title"],
        shown["body"],
    )


def test_an_unknown_site_is_bad_arguments(tmp_path: Path, with_test_sites: None) -> None:
    result = run_news(tmp_path / "archive.db", "site=sputnik,nowhere")
    # Every site of the package and of the test module the crawl loads.
    known = ", ".join(site.name for site in sites.all_sites())
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"scrapy crawl news: site: no site named 'nowhere'; known sites: {known}"
    )
    assert not (tmp_path / "archive.db").exists()


def test_stats_keeps_the_site_asked_for(crawled: Path) -> None:
    report = json.loads(archive_cli(crawled, "stats", "--site", "replica", "--json").stdout)
    assert [row["site"] for row in report["sites"]] == ["replica"]
    assert [crawl["spider"] for crawl in report["crawls"]] == ["news"]
    refused = archive_cli(crawled, "stats", "--site", "replica", "--check")
    assert refused.exit_code == 2
