"""End to end: a crawl killed with SIGKILL at random moments, resumed each time by the same
command, ends with exactly the archive an uninterrupted crawl makes.

The kill moments are drawn from the archive's own fetch count, polled; set
``RESUME_TEST_SEED`` to replay a run (the seed is in the assertion messages).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from mocksite.server import RunningSite, start

from .conftest import ROOT, run_crawl

pytestmark = pytest.mark.e2e

ARTICLES = 300
POLL_S = 0.01
DEADLINE_S = 60.0
#: Ranges of the archive's total fetch count at which the three runs are killed.
KILL_RANGES = ((15, 40), (70, 120), (160, 230))
#: Tables whose rows an interrupted history must not change (fetches and crawls differ).
CONTENT_TABLES = (
    "articles",
    "versions",
    "captures",
    "urls",
    "links",
    "tags",
    "article_tags",
    "events",
    "dedupe_signatures",
    "dedupe_bands",
)


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    with start(articles=ARTICLES, seed=13) as running:
        yield running


def launch(db: Path, start_url: str, log: Path, *settings: str) -> subprocess.Popen[bytes]:
    """``scrapy crawl sputnik -a start=...`` as :func:`run_crawl` runs it, in the background;
    ``settings``: more ``NAME=VALUE`` for ``-s``."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        command += ["-s", setting]
    with log.open("ab") as output:
        return subprocess.Popen(
            [*command, "-a", f"start={start_url}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def fetch_count(db: Path) -> int:
    """Rows in ``fetches``, read as any other reader would while the crawl writes."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT COUNT(*) FROM fetches").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def kill_at(process: subprocess.Popen[bytes], db: Path, count: int) -> int:
    """SIGKILL the crawl once the archive holds ``count`` fetches, and at least one of its
    own; returns the count then. Crawls commit their pages in groups (up to a second or 100
    pages), so the count a reader sees jumps: the archive may already hold ``count`` when
    the run starts, and killing it then would kill it before it began."""
    count = max(count, fetch_count(db) + 1)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        seen = fetch_count(db)
        if seen >= count:
            assert process.poll() is None, f"the crawl ended before {count} fetches"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)  # reaped: its pid is gone, as after a real kill -9
            return seen
        assert process.poll() is None, f"the crawl ended before {count} fetches ({seen})"
        time.sleep(POLL_S)
    process.kill()
    process.wait()
    raise AssertionError(f"no {count} fetches within {DEADLINE_S} s")


def snapshot(db: Path) -> dict[str, Any]:
    """What the archive holds, independent of ids and times."""
    with Archive(db) as archive:
        return {
            "hashes": {
                r["url"]: r["content_hash"]
                for r in archive.db.query("SELECT url, content_hash FROM articles")
            },
            "counts": {t: archive.db[t].count for t in CONTENT_TABLES},
            "links": sorted(
                (r["src"], r["url"], r["target"] or "", r["kind"], r["position"])
                for r in archive.db.query(
                    "SELECT a.url AS src, l.url, t.url AS target, l.kind, l.position"
                    " FROM links l JOIN articles a ON a.id = l.from_article_id"
                    " LEFT JOIN articles t ON t.id = l.target_article_id"
                )
            ),
            "urls": sorted(
                (r["url"], r["article"], r["kind"])
                for r in archive.db.query(
                    "SELECT u.url, a.url AS article, u.kind"
                    " FROM urls u JOIN articles a ON a.id = u.article_id"
                )
            ),
        }


def test_killed_crawls_resume_to_the_archive_of_an_uninterrupted_one(
    site: RunningSite, tmp_path: Path
) -> None:
    start_url = f"{site.base_url}/"
    reference = tmp_path / "reference.db"
    result = run_crawl(reference, f"start={start_url}")
    assert result.returncode == 0, result.stderr[-3000:]

    seed = int(os.environ.get("RESUME_TEST_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    moments = [rng.randint(low, high) for low, high in KILL_RANGES]
    db, log = tmp_path / "archive.db", tmp_path / "crawls.log"
    killed_at = []
    for moment in moments:
        killed_at.append(kill_at(launch(db, start_url, log), db, moment))
    result = run_crawl(db, f"start={start_url}")
    about = f"seed {seed}, killed at {killed_at} fetches"
    assert result.returncode == 0, (about, result.stderr[-3000:])

    expected, got = snapshot(reference), snapshot(db)
    assert len(expected["hashes"]) == ARTICLES
    assert got["hashes"] == expected["hashes"], about
    assert got["counts"] == expected["counts"], about
    assert got["links"] == expected["links"], about
    assert got["urls"] == expected["urls"], about
    with Archive(db) as archive:
        crawls = sorted(archive.crawls(), key=lambda c: c["id"])
        assert [c["status"] for c in crawls] == ["interrupted"] * 3 + ["finished"], about
        assert {c["finish_reason"] for c in crawls[:3]} == {"process_gone"}
        for crawl in crawls[:3]:
            assert crawl["finished_at"] is not None and crawl["fetched"] > 0
        # Every article stored once ("new" once), then never fetched again: nothing is due.
        assert archive.db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT url) FROM fetches WHERE outcome = 'new'"
        ).fetchone() == (ARTICLES, ARTICLES), about
        assert archive.db.execute(
            "SELECT COUNT(*) FROM fetches"
            " WHERE outcome IN ('updated', 'unchanged') AND status = 200"
        ).fetchone() == (0,)
        # No page fetched twice within a crawl (discovery pages are fetched by every run).
        assert (
            archive.db.execute(
                "SELECT crawl_id, url FROM fetches GROUP BY crawl_id, url HAVING COUNT(*) > 1"
            ).fetchall()
            == []
        ), about
        assert archive.frontier_counts()["pending"] == 0, about
        assert archive.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
