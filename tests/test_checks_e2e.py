"""``scrapy crawl sputnik`` refuses bad settings and empty arguments before it starts: exit
status 2, one line on stderr, nothing created (no archive, no lock file, no log file)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_BAD_ARGUMENTS
from crawler.extensions.lock import lock_path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "scrapy crawl sputnik: "
NO_LOG_DIR = (
    "setting LOG_FILE must be a file in an existing, writable directory, "
    "got '/no/such/dir/crawl.log' (no directory '/no/such/dir')"
)
URLS_EMPTY = "urls is empty: give at least one http(s) URL"
START_EMPTY = "start is empty: give the http(s) URL of the site's root"


def crawl(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy crawl ...`` in the project, as cron runs it, archiving to ``db``."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A loopback port where nothing listens: a crawl that was not refused fails there
    instead of reaching the live site."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["-s", "CLOSESPIDER_TIMEOUT=abc"],
            "setting CLOSESPIDER_TIMEOUT must be a number >= 0 (seconds), got 'abc'",
        ),
        (
            ["-s", "ARCHIVE_COMMIT_INTERVAL=abc"],
            "setting ARCHIVE_COMMIT_INTERVAL must be a number >= 0 (seconds), got 'abc'",
        ),
        (["-s", "LOG_FILE=/no/such/dir/crawl.log"], NO_LOG_DIR),
        (["--logfile", "/no/such/dir/crawl.log"], NO_LOG_DIR),
        (
            ["-L", "info"],
            "setting LOG_LEVEL must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG, got 'info'",
        ),
        (
            ["-s", "ARCHIVE_WRITER_PROCESS=yes"],
            "setting ARCHIVE_WRITER_PROCESS must be True or False (or 1, 0, true, false), "
            "got 'yes'",
        ),
        (
            ["-s", "ARCHIVE_PAGE_CLASS=nosuchmodule.Page"],
            "setting ARCHIVE_PAGE_CLASS must be the import path of a page class (module.Class), "
            "got 'nosuchmodule.Page' (ModuleNotFoundError: No module named 'nosuchmodule')",
        ),
        (
            ["-s", "ARCHIVE_REVISIT_SCHEDULE=1d"],
            "setting ARCHIVE_REVISIT_SCHEDULE must be MAX_AGE:INTERVAL steps such as "
            "1d:1h,7d:1d,30d:7d, got '1d' ('1d' is not AGE:INTERVAL)",
        ),
        (
            ["-s", "ARCHIVE_PATH="],
            "setting ARCHIVE_PATH must be the archive file's path, not empty, got ''",
        ),
        (
            ["-s", "CONCURRENT_REQUESTS=0"],
            "setting CONCURRENT_REQUESTS must be an integer >= 1, got '0'",
        ),
        (
            ["-s", "DOWNLOAD_HANDLERS=[1,2]"],
            "setting DOWNLOAD_HANDLERS must be a JSON object, got '[1,2]'",
        ),
    ],
)
def test_a_bad_setting_exits_2_with_one_line_and_creates_nothing(
    tmp_path: Path, closed_port: int, options: list[str], message: str
) -> None:
    db = tmp_path / "a.db"
    urls = f"urls=http://127.0.0.1:{closed_port}/20240115/a-1.html"
    result = crawl(db, "sputnik", "-a", urls, *options)
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert result.stderr == f"{PREFIX}{message}\n"
    assert not db.exists()
    assert not lock_path(db).exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_a_bad_setting_is_refused_before_the_log_file_is_opened(
    tmp_path: Path, closed_port: int
) -> None:
    db, log = tmp_path / "a.db", tmp_path / "crawl.log"
    urls = f"urls=http://127.0.0.1:{closed_port}/20240115/a-1.html"
    result = crawl(db, "sputnik", "-a", urls, "-s", f"LOG_FILE={log}", "-s", "RETRY_TIMES=-1")
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert result.stderr == f"{PREFIX}setting RETRY_TIMES must be an integer >= 0, got '-1'\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_a_usage_error_comes_before_a_bad_setting(tmp_path: Path) -> None:
    result = crawl(tmp_path / "a.db", "sputnik", "other", "-s", "CLOSESPIDER_TIMEOUT=abc")
    assert result.returncode == EXIT_BAD_ARGUMENTS
    assert (
        result.stderr.rstrip("\n").splitlines()[-1].endswith("error: give exactly one spider name")
    )
    assert list(tmp_path.iterdir()) == []


def empty_argument_cases(port: int) -> list[tuple[list[str], str]]:
    """Each empty argument beside a good one, so that a crawl not refused goes to the closed
    port, never to the live site."""
    closed = f"http://127.0.0.1:{port}/"
    return [
        (["-a", "urls=", "-a", f"start={closed}"], URLS_EMPTY),
        (["-a", "urls= , ,", "-a", f"start={closed}"], URLS_EMPTY),
        (["-a", "start=", "-a", f"urls={closed}20240115/a-1.html"], START_EMPTY),
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("case", range(3), ids=["urls=", "urls= , ,", "start="])
def test_an_empty_argument_exits_2_with_one_line(
    tmp_path: Path, closed_port: int, case: int
) -> None:
    arguments, message = empty_argument_cases(closed_port)[case]
    db, log = tmp_path / "a.db", tmp_path / "crawl.log"
    result = crawl(db, "sputnik", *arguments, "-s", f"LOG_FILE={log}")
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    assert result.stderr == f"{PREFIX}{message}\n"
    assert not db.exists()
    assert not lock_path(db).exists()
    assert message in log.read_text(encoding="utf-8")
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.mark.e2e
def test_an_empty_argument_without_a_log_file_ends_stderr_with_its_line(
    tmp_path: Path, closed_port: int
) -> None:
    db = tmp_path / "a.db"
    result = crawl(db, "sputnik", "-a", "urls=", "-a", f"start=http://127.0.0.1:{closed_port}/")
    assert result.returncode == EXIT_BAD_ARGUMENTS, result.stderr[-3000:]
    # Without LOG_FILE the log is stderr: Scrapy's start lines, then the verdict.
    assert result.stderr.rstrip("\n").splitlines()[-1] == PREFIX + URLS_EMPTY
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
