"""Exit statuses of ``scrapy crawl sputnik``, as cron sees them (docs/cron.md)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import scrapy

from archive import Archive
from crawler import settings
from crawler.commands.crawl import (
    EXIT_BAD_ARGUMENTS,
    EXIT_FAILED,
    EXIT_FINISHED,
    EXIT_LOCKED,
    NOTHING_FETCHED,
    CrawlOutcome,
    accepted_arguments,
    exit_status,
    unknown_argument_message,
)
from crawler.extensions.lock import ArchiveBusy
from crawler.spiders.sputnik import BadSpiderArgument, SputnikSpider
from mocksite.server import RunningSite, start

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "scrapy crawl sputnik: "


def crawl(db: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy crawl ...`` as cron runs it; ``argv`` as on the command line."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", *argv, "-s", "LOG_LEVEL=INFO"]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.rstrip("\n").splitlines()[-1]


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=20) as running:
        yield running


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _ForbidAll(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"User-agent: *\nDisallow: /\n" if self.path == "/robots.txt" else b"<html></html>"
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def forbidding_site() -> Iterator[str]:
    """A site whose robots.txt disallows everything."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ForbidAll)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# -- the status of an outcome ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status", "message"),
    [
        (CrawlOutcome("finished", pages=3), EXIT_FINISHED, None),
        (CrawlOutcome("finished", pages=0), EXIT_FAILED, f"crawl failed: {NOTHING_FETCHED}"),
        (
            CrawlOutcome("closespider_timeout", pages=10),
            EXIT_FAILED,
            "crawl failed: closed before its end (closespider_timeout)",
        ),
        (
            CrawlOutcome("shutdown", pages=10),
            EXIT_FAILED,
            "crawl failed: closed before its end (shutdown)",
        ),
        (CrawlOutcome(None), EXIT_FAILED, "crawl failed: the spider never opened"),
        (
            CrawlOutcome(None, error=OSError("disk full")),
            EXIT_FAILED,
            "crawl failed: OSError: disk full",
        ),
        (CrawlOutcome(None, error=BadSpiderArgument("bad")), EXIT_BAD_ARGUMENTS, "bad"),
        (CrawlOutcome(None, error=ArchiveBusy("busy")), EXIT_LOCKED, "busy"),
    ],
)
def test_each_outcome_has_its_status_and_line(
    outcome: CrawlOutcome, status: int, message: str | None
) -> None:
    assert exit_status(outcome) == (status, message)


def test_statuses_are_distinct() -> None:
    assert len({EXIT_FINISHED, EXIT_FAILED, EXIT_BAD_ARGUMENTS, EXIT_LOCKED}) == 4


def test_accepted_arguments_come_from_the_spider() -> None:
    class Declared(scrapy.Spider):
        name = "declared"
        ARGUMENTS = ("a", "b")

    class Plain(scrapy.Spider):
        name = "plain"

    assert accepted_arguments(Declared) == ("a", "b")
    assert accepted_arguments(Plain) is None
    assert {"start", "urls", "related_depth"} <= set(accepted_arguments(SputnikSpider) or ())
    assert unknown_argument_message(Plain, {"anything": "1"}) is None
    assert unknown_argument_message(Declared, {"a": "1"}) is None
    assert unknown_argument_message(Declared, {"c": "1", "d": "2"}) == (
        "unknown spider arguments 'c', 'd'; declared takes a, b"
    )


# -- end to end ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_finished_crawl_exits_0_and_prints_nothing_of_its_own(
    tmp_path: Path, site: RunningSite
) -> None:
    result = crawl(tmp_path / "a.db", "sputnik", "-a", f"start={site.url()}")
    assert result.returncode == EXIT_FINISHED, result.stderr[-3000:]
    assert PREFIX not in result.stderr


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-a", "related_depth=-1"], "related_depth must be an integer >= 0, got '-1'"),
        (["-a", "related_depth=two"], "related_depth must be an integer >= 0, got 'two'"),
        (
            ["-a", "urls=ftp://example.org/a.html"],
            "urls: not an http(s) URL: 'ftp://example.org/a.html'",
        ),
        (["-a", "start=file:///etc/"], "start: not an http(s) URL: 'file:///etc/'"),
    ],
)
def test_a_bad_spider_argument_exits_2_with_one_line(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    db = tmp_path / "a.db"
    result = crawl(db, "sputnik", *argv)
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert last_line(result) == PREFIX + message
    assert "Traceback" not in result.stderr
    assert not db.exists()


@pytest.mark.e2e
def test_an_unknown_spider_argument_exits_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = crawl(db, "sputnik", "-a", "strat=http://127.0.0.1:1/")
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    takes = ", ".join(accepted_arguments(SputnikSpider) or ())
    assert last_line(result) == f"{PREFIX}unknown spider argument 'strat'; sputnik takes {takes}"
    assert "Traceback" not in result.stderr
    assert not db.exists()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["nosuchspider"], "error: no spider named 'nosuchspider'"),
        (["sputnik", "-a", "related_depth"], "error: Invalid -a value, use -a NAME=VALUE"),
        (["sputnik", "-s", "NOEQUALSIGN"], "error: Invalid -s value, use -s NAME=VALUE"),
    ],
)
def test_a_usage_error_exits_2(tmp_path: Path, argv: list[str], error: str) -> None:
    result = crawl(tmp_path / "a.db", *argv)
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert last_line(result).endswith(error)
    assert "Traceback" not in result.stderr


def crawl_row(db: Path) -> tuple[str, str]:
    """(status, finish_reason) of the archive's only crawl."""
    with Archive(db, readonly=True) as archive:
        [row] = archive.crawls()
    return row["status"], row["finish_reason"]


@pytest.mark.e2e
def test_an_unreachable_site_exits_1(tmp_path: Path, closed_port: int) -> None:
    result = crawl(tmp_path / "a.db", "sputnik", "-a", f"start=http://127.0.0.1:{closed_port}/")
    assert result.returncode == EXIT_FAILED, result.stderr[-3000:]
    assert last_line(result) == f"{PREFIX}crawl failed: {NOTHING_FETCHED}"
    # An outage is never recorded as a healthy run.
    assert crawl_row(tmp_path / "a.db") == ("failed", "nothing_fetched")


@pytest.mark.e2e
def test_a_site_forbidden_by_robots_txt_exits_1(tmp_path: Path, forbidding_site: str) -> None:
    result = crawl(tmp_path / "a.db", "sputnik", "-a", f"start={forbidding_site}")
    assert result.returncode == EXIT_FAILED, result.stderr[-3000:]
    assert last_line(result) == f"{PREFIX}crawl failed: {NOTHING_FETCHED}"
    assert crawl_row(tmp_path / "a.db") == ("failed", "nothing_fetched")


@pytest.mark.e2e
def test_a_crawl_stopped_by_a_closespider_bound_exits_1(tmp_path: Path, site: RunningSite) -> None:
    result = crawl(
        tmp_path / "a.db", "sputnik", "-a", f"start={site.url()}", "-s", "CLOSESPIDER_PAGECOUNT=3"
    )
    assert result.returncode == EXIT_FAILED, result.stderr[-3000:]
    assert (
        last_line(result) == f"{PREFIX}crawl failed: closed before its end (closespider_pagecount)"
    )


@pytest.mark.e2e
def test_an_archive_in_a_missing_directory_is_refused_in_one_line(
    tmp_path: Path, site: RunningSite
) -> None:
    directory = tmp_path / "no such directory"
    result = crawl(directory / "a.db", "sputnik", "-a", f"start={site.url()}")
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert last_line(result) == (
        f"{PREFIX}cannot create {directory / 'a.db'}: directory {directory} does not exist"
    )
    assert "Traceback" not in result.stderr
    assert not directory.exists()


@pytest.mark.e2e
def test_with_a_log_file_stderr_has_only_the_failure_line(tmp_path: Path, closed_port: int) -> None:
    log = tmp_path / "crawl.log"
    result = crawl(
        tmp_path / "a.db",
        "sputnik",
        "-a",
        f"start=http://127.0.0.1:{closed_port}/",
        "-s",
        f"LOG_FILE={log}",
    )
    assert result.returncode == EXIT_FAILED
    assert result.stderr == f"{PREFIX}crawl failed: {NOTHING_FETCHED}\n"
    assert f"crawl failed: {NOTHING_FETCHED}" in log.read_text(encoding="utf-8")


# -- the documentation stays true ------------------------------------------------------------


def documented_statuses(path: Path) -> set[int]:
    text = path.read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^\| `(\d+)` \|", text, flags=re.MULTILINE)}


@pytest.mark.parametrize("doc", ["docs/cron.md", "README.md"])
def test_the_exit_statuses_are_documented(doc: str) -> None:
    assert documented_statuses(ROOT / doc) == {
        EXIT_FINISHED,
        EXIT_FAILED,
        EXIT_BAD_ARGUMENTS,
        EXIT_LOCKED,
    }


def test_the_documented_bounds_are_the_settings() -> None:
    text = (ROOT / "docs" / "cron.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `(CLOSESPIDER_\w+)` \| `(\d+)`", text, flags=re.MULTILINE))
    assert documented == {
        "CLOSESPIDER_TIMEOUT": str(settings.CLOSESPIDER_TIMEOUT),
        "CLOSESPIDER_ERRORCOUNT": str(settings.CLOSESPIDER_ERRORCOUNT),
    }
    interval = re.search(r"`ARCHIVE_PROGRESS_INTERVAL` in seconds \(default `(\d+)`", text)
    assert interval is not None and float(interval.group(1)) == settings.ARCHIVE_PROGRESS_INTERVAL
