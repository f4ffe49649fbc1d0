"""Settings checked before a crawl starts (crawler/checks.py): every setting, good and bad."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings, default_settings

from crawler import settings as project_settings
from crawler.checks import RULES, check_overrides, check_settings

ROOT = Path(__file__).resolve().parents[1]
BOOL = "True or False (or 1, 0, true, false)"
SECONDS = "a number >= 0 (seconds)"
LOG_FILE = "a file in an existing, writable directory"
LEVELS = "one of CRITICAL, ERROR, WARNING, INFO, DEBUG"
ENC = "a text encoding such as utf-8 or latin-1"
PAGE = "the import path of a page class (module.Class)"
SCHEDULE = "MAX_AGE:INTERVAL steps such as 1d:1h,7d:1d,30d:7d"
CODES = "HTTP status codes (100-599), separated by commas"
HANDLERS = 'a JSON object mapping schemes to handler import paths or null, e.g. {"ftp": null}'
JOB = "a directory that exists or can be created"


def project(**overrides: Any) -> Settings:
    """The project's settings, as ``scrapy crawl`` has them, with ``-s`` overrides."""
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def refusal(name: str, expected: str, value: Any, why: str = "") -> str:
    detail = f" ({why})" if why else ""
    return f"setting {name} must be {expected}, got {value!r}{detail}"


#: (setting, value as given with -s, the exact refusal line).
BAD: list[tuple[str, Any, str]] = [
    (
        "LOG_FILE",
        "/no/such/dir/crawl.log",
        refusal(
            "LOG_FILE",
            LOG_FILE,
            "/no/such/dir/crawl.log",
            "no directory '/no/such/dir'",
        ),
    ),
    (
        "LOG_FILE",
        "/",
        refusal("LOG_FILE", LOG_FILE, "/", "it is a directory"),
    ),
    (
        "LOG_FILE",
        "/dev/null/crawl.log",
        refusal(
            "LOG_FILE",
            LOG_FILE,
            "/dev/null/crawl.log",
            "no directory '/dev/null'",
        ),
    ),
    ("LOG_LEVEL", "verbose", refusal("LOG_LEVEL", LEVELS, "verbose")),
    ("LOG_LEVEL", "info", refusal("LOG_LEVEL", LEVELS, "info")),
    ("LOG_LEVEL", "10", refusal("LOG_LEVEL", LEVELS, "10")),
    ("LOG_ENABLED", "yes", refusal("LOG_ENABLED", BOOL, "yes")),
    ("LOG_FILE_APPEND", "2", refusal("LOG_FILE_APPEND", BOOL, "2")),
    ("LOG_ENCODING", "utf-9", refusal("LOG_ENCODING", ENC, "utf-9")),
    ("ARCHIVE_NODE", "", refusal("ARCHIVE_NODE", "one line of text, not empty", "")),
    (
        "ARCHIVE_NODE",
        "node-1\nnode-2",
        refusal("ARCHIVE_NODE", "one line of text, not empty", "node-1\nnode-2"),
    ),
    ("ARCHIVE_PATH", "", refusal("ARCHIVE_PATH", "the archive file's path, not empty", "")),
    ("ARCHIVE_PATH", "  ", refusal("ARCHIVE_PATH", "the archive file's path, not empty", "  ")),
    (
        "ARCHIVE_CONTACT_URL",
        "mailto:me@example.org",
        refusal("ARCHIVE_CONTACT_URL", "an http(s) URL", "mailto:me@example.org"),
    ),
    (
        "ARCHIVE_CONTACT_URL",
        "example.org",
        refusal("ARCHIVE_CONTACT_URL", "an http(s) URL", "example.org"),
    ),
    (
        "ARCHIVE_CONTACT_URL",
        "https://",
        refusal("ARCHIVE_CONTACT_URL", "an http(s) URL", "https://"),
    ),
    (
        "ARCHIVE_CONTACT_URL",
        "https://example.org/a b",
        refusal("ARCHIVE_CONTACT_URL", "an http(s) URL", "https://example.org/a b"),
    ),
    (
        "ARCHIVE_CONTACT_URL",
        "http://[::1",
        refusal("ARCHIVE_CONTACT_URL", "an http(s) URL", "http://[::1"),
    ),
    (
        "ARCHIVE_ENABLED",
        "maybe",
        "setting ARCHIVE_ENABLED must be True or False (or 1, 0, true, false), got 'maybe'",
    ),
    (
        "ARCHIVE_ALLOWED_HOSTS",
        "http://x.test/",
        "setting ARCHIVE_ALLOWED_HOSTS must be host names separated by commas, got 'http://x.test/'",
    ),
    (
        "ARCHIVE_ALLOWED_HOSTS",
        7,
        "setting ARCHIVE_ALLOWED_HOSTS must be host names separated by commas, got 7",
    ),
    (
        "ARCHIVE_WRITER_BACKLOG_MB",
        "0",
        "setting ARCHIVE_WRITER_BACKLOG_MB must be a number > 0 (megabytes), got '0'",
    ),
    ("ARCHIVE_WRITE_PATIENCE", "soon", refusal("ARCHIVE_WRITE_PATIENCE", SECONDS, "soon")),
    ("ARCHIVE_WRITE_PATIENCE", "-5", refusal("ARCHIVE_WRITE_PATIENCE", SECONDS, "-5")),
    ("ARCHIVE_COMMIT_INTERVAL", "abc", refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, "abc")),
    ("ARCHIVE_COMMIT_INTERVAL", "-1", refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, "-1")),
    ("ARCHIVE_COMMIT_INTERVAL", "nan", refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, "nan")),
    ("ARCHIVE_COMMIT_INTERVAL", "inf", refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, "inf")),
    ("ARCHIVE_COMMIT_INTERVAL", True, refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, True)),
    (
        "ARCHIVE_COMMIT_SIZE",
        "1.5",
        refusal("ARCHIVE_COMMIT_SIZE", "an integer >= 0 (pages)", "1.5"),
    ),
    ("ARCHIVE_COMMIT_SIZE", "-1", refusal("ARCHIVE_COMMIT_SIZE", "an integer >= 0 (pages)", "-1")),
    ("ARCHIVE_COMMIT_SIZE", 2.5, refusal("ARCHIVE_COMMIT_SIZE", "an integer >= 0 (pages)", 2.5)),
    ("ARCHIVE_WRITER_PROCESS", "yes", refusal("ARCHIVE_WRITER_PROCESS", BOOL, "yes")),
    ("ARCHIVE_WRITER_PROCESS", "2", refusal("ARCHIVE_WRITER_PROCESS", BOOL, "2")),
    ("ARCHIVE_WRITER_PROCESS", "TRUE", refusal("ARCHIVE_WRITER_PROCESS", BOOL, "TRUE")),
    ("ARCHIVE_DISK_QUEUE", "on", refusal("ARCHIVE_DISK_QUEUE", BOOL, "on")),
    (
        "ARCHIVE_MEMORY_QUEUE_SIZE",
        "-5",
        refusal("ARCHIVE_MEMORY_QUEUE_SIZE", "an integer >= 0 (requests)", "-5"),
    ),
    (
        "ARCHIVE_PROGRESS_INTERVAL",
        "1m",
        refusal("ARCHIVE_PROGRESS_INTERVAL", "a number >= 0 (seconds, 0 for none)", "1m"),
    ),
    (
        "ARCHIVE_PAGE_CLASS",
        "nosuchmodule.Page",
        refusal(
            "ARCHIVE_PAGE_CLASS",
            PAGE,
            "nosuchmodule.Page",
            "ModuleNotFoundError: No module named 'nosuchmodule'",
        ),
    ),
    ("ARCHIVE_PAGE_CLASS", "Page", refusal("ARCHIVE_PAGE_CLASS", PAGE, "Page")),
    (
        "ARCHIVE_PAGE_CLASS",
        "extraction.pages.NoSuchPage",
        refusal(
            "ARCHIVE_PAGE_CLASS",
            PAGE,
            "extraction.pages.NoSuchPage",
            "AttributeError: module 'extraction.pages' has no attribute 'NoSuchPage'",
        ),
    ),
    (
        "ARCHIVE_PAGE_CLASS",
        "archive.Archive",
        refusal("ARCHIVE_PAGE_CLASS", PAGE, "archive.Archive", "no to_item or extractor_version"),
    ),
    (
        "ARCHIVE_PAGE_CLASS",
        "extraction.pages.ArticlePage",
        refusal("ARCHIVE_PAGE_CLASS", PAGE, "extraction.pages.ArticlePage", "no extractor_version"),
    ),
    (
        "ARCHIVE_PAGE_CLASS",
        "archive.DEFAULT_SCHEDULE",
        refusal("ARCHIVE_PAGE_CLASS", PAGE, "archive.DEFAULT_SCHEDULE", "not a class"),
    ),
    (
        "ARCHIVE_SITE_MODULES",
        "tests.sites_for_tests,nosuchsites",
        refusal(
            "ARCHIVE_SITE_MODULES",
            "module names separated by commas",
            "tests.sites_for_tests,nosuchsites",
            "ModuleNotFoundError: No module named 'nosuchsites'",
        ),
    ),
    (
        "ARCHIVE_REVISIT_SCHEDULE",
        "abc",
        refusal("ARCHIVE_REVISIT_SCHEDULE", SCHEDULE, "abc", "'abc' is not AGE:INTERVAL"),
    ),
    (
        "ARCHIVE_REVISIT_SCHEDULE",
        "1d:0h",
        refusal(
            "ARCHIVE_REVISIT_SCHEDULE",
            SCHEDULE,
            "1d:0h",
            "not a duration: '0h' (expected e.g. 30m, 1h, 7d, 2w)",
        ),
    ),
    ("ARCHIVE_REVISIT", "some", refusal("ARCHIVE_REVISIT", "one of due, all", "some")),
    ("ARCHIVE_RETRY_AFTER_MAX", "-1", refusal("ARCHIVE_RETRY_AFTER_MAX", SECONDS, "-1")),
    (
        "ARCHIVE_RETRY_AFTER_TIMES",
        "3.5",
        refusal("ARCHIVE_RETRY_AFTER_TIMES", "an integer >= 0", "3.5"),
    ),
    ("ARCHIVE_RETRY_AFTER_BACKOFF", "x", refusal("ARCHIVE_RETRY_AFTER_BACKOFF", SECONDS, "x")),
    ("ARCHIVE_CRAWL_DELAY_MAX", "-0.5", refusal("ARCHIVE_CRAWL_DELAY_MAX", SECONDS, "-0.5")),
    ("ARCHIVE_IMAGES", "some", refusal("ARCHIVE_IMAGES", "one of main, all, none", "some")),
    ("ARCHIVE_IMAGES", "", refusal("ARCHIVE_IMAGES", "one of main, all, none", "")),
    (
        "ARCHIVE_IMAGE_MAX_BYTES",
        "0",
        refusal("ARCHIVE_IMAGE_MAX_BYTES", "an integer >= 1 (bytes)", "0"),
    ),
    (
        "ARCHIVE_IMAGE_MAX_BYTES",
        "5MB",
        refusal("ARCHIVE_IMAGE_MAX_BYTES", "an integer >= 1 (bytes)", "5MB"),
    ),
    (
        "CLOSESPIDER_TIMEOUT",
        "abc",
        "setting CLOSESPIDER_TIMEOUT must be a number >= 0 (seconds), got 'abc'",
    ),
    ("CLOSESPIDER_TIMEOUT", "-1", refusal("CLOSESPIDER_TIMEOUT", SECONDS, "-1")),
    ("CLOSESPIDER_TIMEOUT", "5h", refusal("CLOSESPIDER_TIMEOUT", SECONDS, "5h")),
    ("CLOSESPIDER_ERRORCOUNT", "ten", refusal("CLOSESPIDER_ERRORCOUNT", "an integer >= 0", "ten")),
    ("CLOSESPIDER_PAGECOUNT", "-3", refusal("CLOSESPIDER_PAGECOUNT", "an integer >= 0", "-3")),
    ("CLOSESPIDER_ITEMCOUNT", "1e3", refusal("CLOSESPIDER_ITEMCOUNT", "an integer >= 0", "1e3")),
    (
        "CLOSESPIDER_TIMEOUT_NO_ITEM",
        "1.5",
        refusal("CLOSESPIDER_TIMEOUT_NO_ITEM", "an integer >= 0 (seconds)", "1.5"),
    ),
    (
        "CLOSESPIDER_PAGECOUNT_NO_ITEM",
        "x",
        refusal("CLOSESPIDER_PAGECOUNT_NO_ITEM", "an integer >= 0", "x"),
    ),
    ("USER_AGENT", "", refusal("USER_AGENT", "one line of text, not empty", "")),
    (
        "USER_AGENT",
        "bot\r\nX-Evil: 1",
        refusal("USER_AGENT", "one line of text, not empty", "bot\r\nX-Evil: 1"),
    ),
    ("ROBOTSTXT_OBEY", "no", refusal("ROBOTSTXT_OBEY", BOOL, "no")),
    ("AUTOTHROTTLE_ENABLED", "enabled", refusal("AUTOTHROTTLE_ENABLED", BOOL, "enabled")),
    ("AUTOTHROTTLE_START_DELAY", "-1", refusal("AUTOTHROTTLE_START_DELAY", SECONDS, "-1")),
    ("AUTOTHROTTLE_MAX_DELAY", "x", refusal("AUTOTHROTTLE_MAX_DELAY", SECONDS, "x")),
    (
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        "0",
        refusal("AUTOTHROTTLE_TARGET_CONCURRENCY", "a number > 0", "0"),
    ),
    ("DOWNLOAD_DELAY", "-2", refusal("DOWNLOAD_DELAY", SECONDS, "-2")),
    ("CONCURRENT_REQUESTS", "0", refusal("CONCURRENT_REQUESTS", "an integer >= 1", "0")),
    (
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        "0",
        refusal("CONCURRENT_REQUESTS_PER_DOMAIN", "an integer >= 1", "0"),
    ),
    ("CONCURRENT_ITEMS", "many", refusal("CONCURRENT_ITEMS", "an integer >= 1", "many")),
    ("RETRY_TIMES", "-1", refusal("RETRY_TIMES", "an integer >= 0", "-1")),
    ("RETRY_HTTP_CODES", "500,abc", refusal("RETRY_HTTP_CODES", CODES, "500,abc")),
    ("RETRY_HTTP_CODES", "600", refusal("RETRY_HTTP_CODES", CODES, "600")),
    ("DOWNLOAD_TIMEOUT", "0", refusal("DOWNLOAD_TIMEOUT", "a number > 0 (seconds)", "0")),
    (
        "DOWNLOAD_MAXSIZE",
        "32MiB",
        refusal("DOWNLOAD_MAXSIZE", "an integer >= 0 (bytes, 0 for no limit)", "32MiB"),
    ),
    (
        "DOWNLOAD_WARNSIZE",
        "-1",
        refusal("DOWNLOAD_WARNSIZE", "an integer >= 0 (bytes, 0 for no warning)", "-1"),
    ),
    (
        "DOWNLOAD_HANDLERS",
        '{"file": 3}',
        refusal("DOWNLOAD_HANDLERS", HANDLERS, {"file": 3}, "scheme 'file'"),
    ),
    (
        "DOWNLOAD_HANDLERS",
        '{"http": ""}',
        refusal("DOWNLOAD_HANDLERS", HANDLERS, {"http": ""}, "scheme 'http'"),
    ),
    ("HTTPPROXY_AUTH_ENCODING", "nope", refusal("HTTPPROXY_AUTH_ENCODING", ENC, "nope")),
    (
        "JOBDIR",
        "/dev/null/jobs",
        refusal("JOBDIR", JOB, "/dev/null/jobs", "'/dev/null' is not a directory"),
    ),
    ("JOBDIR", "/dev/null", refusal("JOBDIR", JOB, "/dev/null", "it is not a directory")),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{n}={v!r}" for n, v, _ in BAD])
def test_a_bad_value_is_refused_with_one_line_naming_it(
    name: str, value: Any, message: str
) -> None:
    assert check_settings(project(**{name: value})) == message


#: (setting, value): values each setting takes.
GOOD: list[tuple[str, Any]] = [
    ("LOG_FILE", "crawl.log"),  # beside the project, as a relative path
    ("LOG_FILE", ""),  # Scrapy's "no log file": stderr
    ("LOG_LEVEL", "DEBUG"),
    ("LOG_LEVEL", "WARNING"),
    ("LOG_LEVEL", 10),
    ("LOG_ENABLED", "false"),
    ("LOG_FILE_APPEND", "0"),
    ("LOG_ENCODING", "latin-1"),
    ("ARCHIVE_PATH", "archive.db"),
    ("ARCHIVE_PATH", Path("/srv/news/archive.db")),
    ("ARCHIVE_CONTACT_URL", "http://127.0.0.1:8000/contact"),
    ("ARCHIVE_CONTACT_URL", "https://example.org/"),
    ("ARCHIVE_NODE", "scrapyd-paris-2"),
    ("ARCHIVE_ENABLED", "False"),
    ("ARCHIVE_ALLOWED_HOSTS", "127.0.0.1,localhost"),
    ("ARCHIVE_ALLOWED_HOSTS", ["[::1]", "news.test"]),
    ("ARCHIVE_WRITER_BACKLOG_MB", "0.5"),
    ("ARCHIVE_WRITE_PATIENCE", "0"),
    ("ARCHIVE_WRITE_PATIENCE", "600"),
    ("ARCHIVE_COMMIT_INTERVAL", "0"),
    ("ARCHIVE_COMMIT_INTERVAL", "0.25"),
    ("ARCHIVE_COMMIT_SIZE", "1"),
    ("ARCHIVE_COMMIT_SIZE", 100.0),
    ("ARCHIVE_WRITER_PROCESS", "False"),
    ("ARCHIVE_WRITER_PROCESS", "true"),
    ("ARCHIVE_WRITER_PROCESS", "1"),
    ("ARCHIVE_WRITER_PROCESS", False),
    ("ARCHIVE_DISK_QUEUE", 0),
    ("ARCHIVE_MEMORY_QUEUE_SIZE", "0"),
    ("ARCHIVE_PROGRESS_INTERVAL", "0"),
    ("ARCHIVE_PAGE_CLASS", "extraction.pages.SputnikArticlePage"),
    # named as before page objects had a package of their own, and as module:Class
    ("ARCHIVE_PAGE_CLASS", "crawler.pages.sputnik.SputnikArticlePage"),
    ("ARCHIVE_PAGE_CLASS", "extraction.pages.sputnik:SputnikArticlePage"),
    ("ARCHIVE_SITE_MODULES", "tests.sites_for_tests"),
    ("ARCHIVE_SITE_MODULES", ["tests.sites_for_tests", "extraction.sites.sputnik"]),
    ("ARCHIVE_SITE_MODULES", ""),
    ("ARCHIVE_REVISIT_SCHEDULE", "never"),
    ("ARCHIVE_REVISIT_SCHEDULE", "1h:10m,*:1d"),
    ("ARCHIVE_REVISIT", "all"),
    ("ARCHIVE_RETRY_AFTER_MAX", "0"),
    ("ARCHIVE_RETRY_AFTER_TIMES", "0"),
    ("ARCHIVE_RETRY_AFTER_BACKOFF", "2.5"),
    ("ARCHIVE_CRAWL_DELAY_MAX", "120"),
    ("ARCHIVE_IMAGES", "none"),
    ("ARCHIVE_IMAGES", "All"),
    ("ARCHIVE_IMAGE_MAX_BYTES", "1048576"),
    ("CLOSESPIDER_TIMEOUT", "0"),
    ("CLOSESPIDER_TIMEOUT", "36000"),
    ("CLOSESPIDER_TIMEOUT", "1.5"),
    ("CLOSESPIDER_ERRORCOUNT", "1000"),
    ("CLOSESPIDER_PAGECOUNT", " 3 "),  # as getint reads it
    ("CLOSESPIDER_ITEMCOUNT", "0"),
    ("CLOSESPIDER_TIMEOUT_NO_ITEM", "60"),
    ("CLOSESPIDER_PAGECOUNT_NO_ITEM", "10"),
    ("USER_AGENT", "research-bot/1.0 (+https://example.org/)"),
    ("ROBOTSTXT_OBEY", "False"),
    ("AUTOTHROTTLE_ENABLED", "0"),
    ("AUTOTHROTTLE_START_DELAY", "0"),
    ("AUTOTHROTTLE_MAX_DELAY", "120"),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", "0.5"),
    ("DOWNLOAD_DELAY", "2"),
    ("CONCURRENT_REQUESTS", "1"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "2"),
    ("CONCURRENT_ITEMS", "100"),
    ("RETRY_TIMES", "0"),
    ("RETRY_HTTP_CODES", "500, 502,504"),
    ("RETRY_HTTP_CODES", [500, 502]),
    ("DOWNLOAD_TIMEOUT", "0.5"),
    ("DOWNLOAD_MAXSIZE", "0"),
    ("DOWNLOAD_WARNSIZE", "1048576"),
    ("DOWNLOAD_HANDLERS", '{"ftp": null}'),
    (
        "DOWNLOAD_HANDLERS",
        '{"http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"}',
    ),
    ("HTTPPROXY_AUTH_ENCODING", "utf-8"),
    ("JOBDIR", ""),
]


@pytest.mark.parametrize(("name", "value"), GOOD, ids=[f"{n}={v!r}" for n, v in GOOD])
def test_a_good_value_is_taken(name: str, value: Any) -> None:
    assert check_settings(project(**{name: value})) is None


def test_the_project_settings_pass() -> None:
    assert check_settings(project()) is None


def test_every_rule_has_its_bad_and_good_values_in_the_tables() -> None:
    assert {name for name, _, _ in BAD} == set(RULES)
    assert {name for name, _ in GOOD} == set(RULES)


def test_every_archive_setting_is_checked() -> None:
    archive = {name for name in dir(project_settings) if name.startswith("ARCHIVE_")}
    assert archive, "no ARCHIVE_* setting found"
    assert archive - set(RULES) == set()


def test_every_setting_the_docs_name_is_checked() -> None:
    known = {n for n in dir(default_settings) if n.isupper()}
    known |= {n for n in dir(project_settings) if n.isupper()}
    named: set[str] = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named |= set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", doc.read_text(encoding="utf-8")))
    assert {"CLOSESPIDER_TIMEOUT", "LOG_FILE", "DOWNLOAD_MAXSIZE"} <= named & known
    assert (named & known) - set(RULES) == set()


def test_the_refusals_docs_cron_md_shows_are_the_real_ones() -> None:
    text = (ROOT / "docs" / "cron.md").read_text(encoding="utf-8")
    shown = re.findall(
        r"^scrapy crawl sputnik: (setting (\w+) must .*, got '(.*?)'.*)$", text, re.M
    )
    assert len(shown) >= 2
    for line, name, value in shown:
        assert check_settings(project(**{name: value})) == line


def test_the_first_bad_setting_is_the_one_named() -> None:
    settings = project(CLOSESPIDER_TIMEOUT="abc", ARCHIVE_COMMIT_INTERVAL="abc")
    assert check_settings(settings) == refusal("ARCHIVE_COMMIT_INTERVAL", SECONDS, "abc")


# -- paths -------------------------------------------------------------------------------------


def test_a_log_file_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "missing" / "crawl.log"
    assert check_settings(project(LOG_FILE=str(log))) == refusal(
        "LOG_FILE",
        LOG_FILE,
        str(log),
        f"no directory {str(tmp_path / 'missing')!r}",
    )
    assert not log.parent.exists()


def test_a_log_file_that_exists_or_can_be_created_is_taken(tmp_path: Path) -> None:
    assert check_settings(project(LOG_FILE=str(tmp_path / "crawl.log"))) is None
    assert list(tmp_path.iterdir()) == []  # checked, not created
    (tmp_path / "crawl.log").write_text("earlier runs\n", encoding="utf-8")
    assert check_settings(project(LOG_FILE=str(tmp_path / "crawl.log"))) is None


def test_a_log_file_that_cannot_be_written_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.access says yes to everything for root, who runs these tests in containers.
    denied = {str(tmp_path), str(tmp_path / "old.log")}
    real_access = os.access

    def access(path: Any, mode: int) -> bool:
        return str(path) not in denied and real_access(path, mode)

    monkeypatch.setattr(os, "access", access)
    expected = LOG_FILE
    new = str(tmp_path / "crawl.log")
    assert check_settings(project(LOG_FILE=new)) == refusal(
        "LOG_FILE", expected, new, f"directory {str(tmp_path)!r} is not writable"
    )
    (tmp_path / "old.log").touch()
    old = str(tmp_path / "old.log")
    assert check_settings(project(LOG_FILE=old)) == refusal(
        "LOG_FILE", expected, old, "the file is not writable"
    )


def test_a_job_directory_that_exists_or_can_be_created_is_taken(tmp_path: Path) -> None:
    assert check_settings(project(JOBDIR=str(tmp_path))) is None
    assert check_settings(project(JOBDIR=str(tmp_path / "a" / "b"))) is None
    assert not (tmp_path / "a").exists()


def test_a_job_directory_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").touch()
    jobdir = str(tmp_path / "file" / "jobs")
    assert check_settings(project(JOBDIR=jobdir)) == refusal(
        "JOBDIR",
        JOB,
        jobdir,
        f"{str(tmp_path / 'file')!r} is not a directory",
    )


# -- -s overrides Scrapy cannot store ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["DOWNLOAD_HANDLERS=[1,2]"],
            "setting DOWNLOAD_HANDLERS must be a JSON object, got '[1,2]'",
        ),
        (["DOWNLOAD_HANDLERS=ftp"], "setting DOWNLOAD_HANDLERS must be a JSON object, got 'ftp'"),
        (["ITEM_PIPELINES="], "setting ITEM_PIPELINES must be a JSON object, got ''"),
        (['DOWNLOAD_HANDLERS={"ftp": null}', "CLOSESPIDER_TIMEOUT=abc"], None),
        (["NOEQUALSIGN"], None),  # Scrapy's own "Invalid -s value"
    ],
)
def test_a_dict_setting_given_anything_but_a_json_object_is_refused(
    overrides: list[str], message: str | None
) -> None:
    assert check_overrides(project(), overrides) == message
