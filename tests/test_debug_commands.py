"""``scrapy shell``, ``fetch``, ``view`` and ``parse`` leave the archive alone: no ``crawls``
row, no lock, not a byte written; and they fetch the host they are given, loopback included
(crawler/commands/debugging.py)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.cmdline import _get_commands_dict
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from archive import Archive
from crawler.commands import fetch, parse, shell, view
from crawler.commands.debugging import leave_archive_alone, url_hosts
from crawler.extensions.crawl_history import CrawlHistory
from crawler.extensions.lock import ArchiveLock, acquire
from crawler.middlewares.safety import link_refusal, named_hosts
from crawler.pipelines.store import ArchivePipeline
from crawler.session import ArchivingOff, session_for
from crawler.spiders.sputnik import SputnikSpider
from mocksite.server import RunningSite, start
from tests.conftest import run_crawl

ROOT = Path(__file__).resolve().parents[1]

#: A browser for ``scrapy view`` (webbrowser runs ``$BROWSER`` with the file:// URL): prints
#: the page it is given.
BROWSER = """
import sys
from urllib.parse import unquote, urlsplit
print(open(unquote(urlsplit(sys.argv[1]).path), encoding="utf-8").read())
"""


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=20) as running:
        yield running


@pytest.fixture(scope="module")
def seed(site: RunningSite) -> dict[str, Any]:
    """The seed article as the replica serves it, with its absolute ``url``."""
    truth = site.site.article(site.site.seed_index)
    related = [site.url(link["path"]) for link in truth["related"]]
    return {**truth, "url": site.url(truth["url_path"]), "related_urls": related}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, seed: dict[str, Any]) -> Path:
    """An archive of one finished crawl (the seed article), as a user's archive is."""
    db = tmp_path_factory.mktemp("template") / "archive.db"
    result = run_crawl(db, f"urls={seed['url']}", "related_depth=0")
    assert result.returncode == 0, result.stderr[-3000:]
    # The crawl checkpointed its WAL when it closed: the file alone is the whole archive.
    assert sorted(p.name for p in db.parent.iterdir()) == ["archive.db", "archive.db.lock"]
    return db


@pytest.fixture
def archive(tmp_path: Path, template: Path) -> Path:
    """A copy of the template archive in a directory of its own, without a lock file."""
    db = tmp_path / "archive" / "archive.db"
    db.parent.mkdir()
    shutil.copyfile(template, db)
    return db


def files(directory: Path) -> dict[str, bytes]:
    """Every file of a directory, by name: the archive, its WAL, its lock."""
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def crawl_rows(db: Path) -> list[tuple[int, str, str]]:
    with Archive(db, readonly=True) as archive:
        return [(row["id"], row["spider"], row["status"]) for row in reversed(archive.crawls())]


def scrapy(
    command: str, db: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``scrapy COMMAND ARGV... -s ARCHIVE_PATH=db`` in the project, as a user runs it."""
    line = [sys.executable, "-m", "scrapy", command, *argv, "-s", f"ARCHIVE_PATH={db}"]
    return subprocess.run(
        line,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- end to end ----------------------------------------------------------------------------


def _shell(seed: dict[str, Any], tmp_path: Path) -> tuple[list[str], dict[str, str], list[str]]:
    code = "(response.status, response.css('title::text').get())"
    return [seed["url"], "-c", code], {}, [f"(200, '{seed['title']} - Sputnik France')"]


def _fetch(seed: dict[str, Any], tmp_path: Path) -> tuple[list[str], dict[str, str], list[str]]:
    return [seed["url"]], {}, [f"{seed['title']} - Sputnik France</title>"]


def _fetch_asking_to_archive(
    seed: dict[str, Any], tmp_path: Path
) -> tuple[list[str], dict[str, str], list[str]]:
    return [seed["url"], "-s", "ARCHIVE_ENABLED=True"], {}, [f"{seed['title']} - Sputnik"]


def _view(seed: dict[str, Any], tmp_path: Path) -> tuple[list[str], dict[str, str], list[str]]:
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER, encoding="utf-8")
    # The page goes to a temporary file that Scrapy leaves behind: in tmp_path, not /tmp.
    env = {"BROWSER": f"{sys.executable} {browser} %s", "TMPDIR": str(tmp_path)}
    expected = [f'<base href="{seed["url"]}">', f"{seed['title']} - Sputnik France</title>"]
    return [seed["url"]], env, expected


def _parse(seed: dict[str, Any], tmp_path: Path) -> tuple[list[str], dict[str, str], list[str]]:
    # No --spider, no --callback: the project's spider, its callback for an article page.
    related = [f"<GET {url}>" for url in seed["related_urls"]]
    expected = ["# Scraped Items", f"'title': '{seed['title']}'", "# Requests", *related]
    return [seed["url"], "--nocolour"], {}, expected


COMMANDS = {
    "shell": _shell,
    "fetch": _fetch,
    "view": _view,
    "parse": _parse,
    "fetch -s ARCHIVE_ENABLED=True": _fetch_asking_to_archive,
}


@pytest.mark.e2e
@pytest.mark.parametrize("case", list(COMMANDS))
def test_a_debugging_command_fetches_the_replica_and_leaves_the_archive_alone(
    case: str, archive: Path, seed: dict[str, Any], tmp_path: Path
) -> None:
    argv, env, expected = COMMANDS[case](seed, tmp_path)
    before = files(archive.parent)
    result = scrapy(case.split()[0], archive, *argv, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    # pprint (scrapy parse) splits long strings into adjacent literals over lines: joined.
    stdout = re.sub(r"'\n *'", "", result.stdout)
    for text in expected:
        assert text in stdout, result.stdout[-3000:]
    assert "Refused" not in result.stderr
    assert "Archiving into" not in result.stderr
    # Not a byte of the archive changed, and no lock file, WAL or crawl row appeared.
    assert files(archive.parent) == before
    assert crawl_rows(archive) == [(1, "sputnik", "finished")]
    # A crawl afterwards finds nothing to clean up: no row left running, no stale lock.
    crawled = run_crawl(archive, f"urls={seed['url']}", "related_depth=0")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert "died without closing" not in crawled.stderr
    assert crawl_rows(archive) == [(1, "sputnik", "finished"), (2, "sputnik", "finished")]


@pytest.mark.e2e
def test_a_debugging_command_runs_while_a_crawl_holds_the_lock(
    archive: Path, seed: dict[str, Any]
) -> None:
    held = acquire(archive)
    try:
        result = scrapy("fetch", archive, seed["url"])
    finally:
        held.release()
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{seed['title']} - Sputnik France</title>" in result.stdout


# -- the pieces ----------------------------------------------------------------------------


def test_the_project_replaces_scrapys_debugging_commands() -> None:
    commands = _get_commands_dict(get_project_settings(), inproject=True)
    assert {name: type(commands[name]) for name in ("shell", "fetch", "view", "parse")} == {
        "shell": shell.Command,
        "fetch": fetch.Command,
        "view": view.Command,
        "parse": parse.Command,
    }
    assert "debugging" not in commands


@pytest.mark.parametrize("module", [shell, fetch, view, parse])
def test_each_command_turns_archiving_off_whatever_the_command_line_says(module: Any) -> None:
    command = module.Command()
    command.settings = Settings({"ARCHIVE_ENABLED": True})
    parser = argparse.ArgumentParser(conflict_handler="resolve")
    command.add_options(parser)
    url = "http://127.0.0.1:8000/a"
    argv = [url, "-s", "ARCHIVE_ENABLED=True", "-s", "ARCHIVE_ALLOWED_HOSTS=h"]
    opts, args = parser.parse_known_args(argv)  # as scrapy.cmdline.execute does
    command.process_options(args, opts)
    assert command.settings.getbool("ARCHIVE_ENABLED") is False
    assert command.settings.getlist("ARCHIVE_ALLOWED_HOSTS") == ["h", "127.0.0.1"]
    assert "Never writes to the archive" in command.long_desc()


def test_url_hosts_are_those_of_http_urls() -> None:
    args = ["http://127.0.0.1:8000/a", "Example.org/b", "./page.html", "https://[::1]:8443/"]
    assert url_hosts(args) == ["127.0.0.1", "example.org", "::1"]


def test_leave_archive_alone_keeps_hosts_already_allowed_once() -> None:
    settings = Settings({"ARCHIVE_ALLOWED_HOSTS": "10.0.0.5,127.0.0.1"})
    leave_archive_alone(settings, ["http://127.0.0.1/"])
    assert settings.getlist("ARCHIVE_ALLOWED_HOSTS") == ["10.0.0.5", "127.0.0.1"]
    assert settings.getbool("ARCHIVE_ENABLED") is False


def test_no_archive_component_opens_the_archive_when_archiving_is_off(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db), "ARCHIVE_ENABLED": False})
    crawler.spider = SputnikSpider.from_crawler(crawler, urls="http://127.0.0.1:8000/a")
    for component in (ArchiveLock, CrawlHistory, ArchivePipeline):
        with pytest.raises(NotConfigured):
            component.from_crawler(crawler)
    assert crawler.spider.frontier is None
    with pytest.raises(ArchivingOff, match=r"ARCHIVE_ENABLED is off"):
        session_for(crawler)
    assert list(tmp_path.iterdir()) == []


def test_the_hosts_allowed_by_setting_are_named_and_part_of_the_site() -> None:
    settings = {"ARCHIVE_ALLOWED_HOSTS": "10.0.0.5, Mirror.Example"}
    crawler = get_crawler(SputnikSpider, settings)
    spider = SputnikSpider.from_crawler(crawler, start="https://fr.sputniknews.africa/")
    assert spider.allowed_domains == ["10.0.0.5", "fr.sputniknews.africa", "mirror.example"]
    assert named_hosts(spider) == {"10.0.0.5", "fr.sputniknews.africa", "mirror.example"}
    assert link_refusal("http://10.0.0.5/a", named_hosts(spider)) is None
    assert link_refusal("http://10.0.0.6/a", named_hosts(spider)) == "private address 10.0.0.6"


@pytest.mark.parametrize(
    ("path", "callback"),
    [
        ("/international/201706211031882478-washington-moscou-discutent/", "parse_article"),
        ("/20170621/russie-explique-frappe-base-coalition-syrie-1031882284.html", "parse_article"),
        ("/radio_the_critical_hour/202004281079127690-some-us-states-begin/", "parse_article"),
        ("/20260729/1072541907.html", "parse_article"),
        ("/export/rss2/archive/index.xml", "parse_feed"),
        ("/robots.txt", "parse_robots"),
        ("/sitemap_article_index.xml", "parse_sitemap"),
        ("/sitemap_article.xml?date_start=20200401&date_end=20200430", "parse_sitemap"),
        ("/sitemap_index.xml", "parse_sitemap"),
        ("/international/", "parse_rubrique"),
        ("/radio_the_critical_hour/", "parse_rubrique"),
        ("/", "parse_home"),
    ],
)
def test_scrapy_parse_without_a_callback_gets_the_one_for_the_page(
    path: str, callback: str
) -> None:
    spider = SputnikSpider(start="http://127.0.0.1:8000/")
    assert spider.callback_for(f"http://127.0.0.1:8000{path}").__name__ == callback
