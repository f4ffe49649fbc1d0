"""``scrapy crawl sputnik -O articles.jsonl``: one flat record per stored article, nothing for
any other page, in a subprocess against the replica."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from extraction.items import ARTICLE_FIELDS
from mocksite.server import start

ROOT = Path(__file__).resolve().parents[1]
RECORD_FIELDS = [*ARTICLE_FIELDS, "outcome", "article_id", "version", "crawl_id", "fetched_at"]

pytestmark = pytest.mark.e2e


def crawl_to_feed(db: Path, feed: Path, *args: str) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-s", "LOG_LEVEL=INFO"]
    result = subprocess.run(
        [*command, *args, "-O", str(feed)],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_PATH": str(db)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Dropped:" not in result.stderr  # the other pages are left out quietly
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("writer", ["True", "False"], ids=["writer-process", "in-process"])
def test_the_feed_has_one_flat_record_per_stored_article(tmp_path: Path, writer: str) -> None:
    db = tmp_path / "a.db"
    process = ("-s", f"ARCHIVE_WRITER_PROCESS={writer}")
    with start(articles=20) as site:
        first = crawl_to_feed(db, tmp_path / "first.jsonl", "-a", f"start={site.url()}", *process)
        port = int(site.url().rsplit(":", 1)[1].strip("/"))
    # The same replica a week later, at the same address: new, edited, unpublished articles.
    with start(articles=20, day=8, port=port) as site:
        later = crawl_to_feed(
            db, tmp_path / "later.jsonl", "-a", f"start={site.url()}", "-a", "revisit=all", *process
        )
    with Archive(db, readonly=True) as archive:
        second_crawl, first_crawl = archive.crawls()
        # Exactly the articles stored: 20 new, then every one fetched again, by outcome.
        assert len(first) == first_crawl["new"] == 20
        assert Counter(record["outcome"] for record in later) == {
            outcome: second_crawl[outcome]
            for outcome in ("new", "updated", "unchanged")
            if second_crawl[outcome]
        }
        assert second_crawl["updated"] > 0 and second_crawl["new"] > 0
        assert len(later) == sum(second_crawl[o] for o in ("new", "updated", "unchanged"))
        for record in first + later:
            assert list(record) == RECORD_FIELDS
            article = archive.get_article(record["article_id"])
            assert article is not None
            versions = archive.versions(record["article_id"])
            crawl = first_crawl if record in first else second_crawl
            assert record["crawl_id"] == crawl["id"]
            # The record is the article as that crawl left it, with its version's number.
            stored = versions[record["version"] - 1]
            assert stored["number"] == record["version"]
            assert (record["title"], record["body"]) == (stored["title"], stored["body"])
            assert record["url"].startswith("http://127.0.0.1:")
            assert isinstance(record["tags"], list) and isinstance(record["authors"], list)
    assert {r["version"] for r in first} == {1}
    assert {r["version"] for r in later if r["outcome"] == "updated"} == {2}
    assert {r["version"] for r in later if r["outcome"] == "unchanged"} == {1}
