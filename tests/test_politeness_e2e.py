"""Politeness end to end: ``scrapy crawl sputnik`` in a subprocess against the replica, whose
robots.txt fails in each way RFC 9309 names, asks for a Crawl-delay, or whose pages answer 429
and 503 with Retry-After. Times come from the fetch rows and the crawl's own log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from crawler import settings as project
from mocksite.server import start

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
#: Log lines with the exact time they were written (time.time() as a float).
TIMED_LOG = "%(created).6f [%(name)s] %(levelname)s: %(message)s"


def crawl(
    db: Path, *arguments: str, ok: bool = True, **settings: Any
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl sputnik -a ARGUMENT... -s NAME=VALUE...`` writing to ``db``; with ``ok``,
    the crawl must succeed (exit status 0), else fail."""
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik"]
    for argument in arguments:
        command += ["-a", argument]
    for name, value in {"LOG_LEVEL": "INFO", **settings}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert (result.returncode == 0) is ok, result.stderr[-4000:]
    return result


def fetches(db: Path) -> dict[str, dict[str, Any]]:
    with Archive(db) as archive:
        rows = list(archive.db.query("select * from fetches order by id"))
    return {row["url"]: row for row in rows}


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def timed_lines(log: str, pattern: str) -> list[tuple[float, re.Match[str]]]:
    """``(time, match)`` of the log lines (TIMED_LOG format) matching ``pattern``."""
    found = []
    for line in log.splitlines():
        head, _, rest = line.partition(" ")
        match = re.search(pattern, rest)
        if match and re.fullmatch(r"\d+\.\d+", head):
            found.append((float(head), match))
    return found


# -- robots.txt --------------------------------------------------------------------------

#: Scrapy's retries of a 5xx or a failed connection, plus the first try.
TRIES = 1 + getattr(project, "RETRY_TIMES", 2)
ROBOTS_CASES = {
    # mode: (the refused page's error, robots.txt status recorded, robots.txt requests made)
    "error_500": ("IgnoreRequest: Forbidden by robots.txt (unreachable: HTTP 500)", 500, TRIES),
    "error_503": ("IgnoreRequest: Forbidden by robots.txt (unreachable: HTTP 503)", 503, 2),
    "unreachable": (
        "IgnoreRequest: Forbidden by robots.txt (unreachable: DownloadFailedError)",
        None,
        TRIES,
    ),
    "disallow_all": ("IgnoreRequest: Forbidden by robots.txt", 200, 1),
}


@pytest.mark.parametrize("mode", sorted(ROBOTS_CASES))
def test_robots_txt_failing_or_disallowing_refuses_the_host(mode: str, tmp_path: Path) -> None:
    error, robots_status, robots_requests = ROBOTS_CASES[mode]
    with start(articles=5, seed=1, robots=mode) as site:
        article = site.url(site.site.article(0)["url_path"])
        # Scrapy retries the 500 and the reset (RETRY_TIMES); the 503 (Retry-After: 1) once.
        # The run fails: not one page could be fetched.
        crawl(
            tmp_path / "a.db",
            f"urls={article}",
            "related_depth=0",
            ok=False,
            ARCHIVE_RETRY_AFTER_TIMES=1,
        )
        hits = site.hits()
    rows = fetches(tmp_path / "a.db")
    assert rows[article]["outcome"] == "skipped"
    assert rows[article]["status"] is None
    assert rows[article]["error"] == error
    robots = rows.get(site.url("/robots.txt"))
    assert (robots["status"] if robots else None) == robots_status
    assert hits.get("robots") == robots_requests
    assert hits.get("article", 0) == 0


def test_crawl_delay_spaces_the_requests_to_the_host(tmp_path: Path) -> None:
    with start(articles=10, seed=1, robots="crawl_delay", crawl_delay=1.0) as site:
        urls = [site.url(site.site.article(i)["url_path"]) for i in range(3)]
        crawl(tmp_path / "a.db", "urls=" + ",".join(urls), "related_depth=0")
    rows = fetches(tmp_path / "a.db")
    assert [rows[u]["outcome"] for u in urls] == ["new"] * 3
    times = sorted(seconds(rows[u]["fetched_at"]) for u in urls)
    gaps = [b - a for a, b in pairwise(times)]
    # Requests leave at least 1 s apart; the rows are written after the response arrives,
    # so their spacing may differ from that by the difference of two response times (ms).
    assert all(gap >= 0.95 for gap in gaps), gaps


def test_loopback_hosts_the_user_named_are_not_throttled(tmp_path: Path) -> None:
    with start(articles=10, seed=1) as site:
        urls = [site.url(site.site.article(i)["url_path"]) for i in range(4)]
        result = crawl(
            tmp_path / "a.db",
            "urls=" + ",".join(urls),
            "related_depth=0",
            CONCURRENT_REQUESTS_PER_DOMAIN=1,
            AUTOTHROTTLE_DEBUG=True,
        )
    rows = fetches(tmp_path / "a.db")
    assert [rows[u]["outcome"] for u in urls] == ["new"] * 4
    # AutoThrottle logs every delay it adjusts; it adjusted none.
    assert "[scrapy.extensions.throttle] INFO: slot:" not in result.stderr
    # Throttled, one at a time from AUTOTHROTTLE_START_DELAY (1 s), four pages take 1.75 s.
    times = sorted(seconds(rows[u]["fetched_at"]) for u in urls)
    assert times[-1] - times[0] < 1.0


# -- Retry-After -------------------------------------------------------------------------


def test_429_and_503_are_retried_after_their_retry_after(tmp_path: Path) -> None:
    with start(articles=10, seed=1, hostile=True) as site:
        limited = site.url(site.hostile_article("rate_limited")["url_path"])
        unavailable = site.url(site.hostile_article("unavailable")["url_path"])
        result = crawl(
            tmp_path / "a.db",
            f"urls={limited},{unavailable}",
            "related_depth=0",
            LOG_LEVEL="DEBUG",
            LOG_FORMAT=TIMED_LOG,
        )
        counts = site.fault_counts()
    rows = fetches(tmp_path / "a.db")
    assert (rows[limited]["outcome"], rows[unavailable]["outcome"]) == ("new", "new")
    assert counts == {
        site.hostile_article("rate_limited")["url_path"]: 3,
        site.hostile_article("unavailable")["url_path"]: 3,
    }
    log = result.stderr
    for url, status in ((limited, "429"), (unavailable, "503")):
        tries = timed_lines(
            log, rf"Pausing 127\.0\.0\.1 for 1\.0 s \(HTTP (\d+) on <GET {re.escape(url)}>"
        )
        assert [m.group(1) for _, m in tries] == [status, status]
        [(done, _)] = timed_lines(log, rf"Crawled \(200\) <GET {re.escape(url)}>")
        steps = [*(t for t, _ in tries), done]
        # Each try left at least the Retry-After (1 s) after the answer to the one before.
        assert all(b - a >= 0.99 for a, b in pairwise(steps)), steps
    # A budget of their own: Scrapy's RetryMiddleware retried nothing.
    assert "'retry_after/count': 4" in log
    assert "'retry/count'" not in log


def test_the_whole_host_waits_out_a_retry_after(tmp_path: Path) -> None:
    with start(articles=10, seed=1, hostile=True) as site:
        limited = site.url(site.hostile_article("rate_limited")["url_path"])
        normal = [site.url(site.site.article(i)["url_path"]) for i in range(6)]
        result = crawl(
            tmp_path / "a.db",
            "urls=" + ",".join([limited, *normal]),
            "related_depth=0",
            # Two requests in the downloader at a time: the others come to the host one by
            # one as those leave, some of them while it is paused.
            CONCURRENT_REQUESTS=2,
            LOG_LEVEL="DEBUG",
            LOG_FORMAT=TIMED_LOG,
        )
    rows = fetches(tmp_path / "a.db")
    assert [rows[u]["outcome"] for u in [limited, *normal]] == ["new"] * 7
    log = result.stderr
    pauses = [t for t, _ in timed_lines(log, r"Pausing 127\.0\.0\.1 for 1\.0 s")]
    assert len(pauses) == 2
    answered = [
        t for t, m in timed_lines(log, r"Crawled \(200\) <GET (\S+)>") if m.group(1) in normal
    ]
    # Nothing was sent while the host was paused: the one page in flight when it paused
    # arrives at once, the next ones only once the pause is over.
    for paused in pauses:
        early = [t for t in answered if paused + 0.05 < t < paused + 1.0 - 0.01]
        assert not early, (paused, answered)
    assert [t for t in answered if t >= pauses[0] + 0.99], (pauses, answered)


def test_a_retry_after_over_the_limit_is_given_up_at_once(tmp_path: Path) -> None:
    with start(articles=10, seed=1, hostile=True) as site:
        limited = site.url(site.hostile_article("rate_limited")["url_path"])
        result = crawl(
            tmp_path / "a.db", f"urls={limited}", "related_depth=0", ARCHIVE_RETRY_AFTER_MAX=0.5
        )
        counts = site.fault_counts()
    row = fetches(tmp_path / "a.db")[limited]
    assert (row["outcome"], row["status"], row["error"]) == ("http_error", 429, "HTTP 429")
    assert counts == {site.hostile_article("rate_limited")["url_path"]: 1}
    assert "Retry-After 1 s is over ARCHIVE_RETRY_AFTER_MAX (0.5 s)" in result.stderr


def test_other_5xx_keep_scrapys_retries(tmp_path: Path) -> None:
    with start(articles=10, seed=1, hostile=True) as site:
        burst = site.url(site.hostile_article("server_error_burst")["url_path"])
        crawl(tmp_path / "a.db", f"urls={burst}", "related_depth=0", RETRY_TIMES=3)
        counts = site.fault_counts()
    assert fetches(tmp_path / "a.db")[burst]["outcome"] == "new"
    assert counts == {site.hostile_article("server_error_burst")["url_path"]: 4}
