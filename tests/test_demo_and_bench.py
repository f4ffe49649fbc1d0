"""The README's main job and the benchmark harness run end to end, on tiny sites."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.e2e


def test_demo_crawls_the_replica_and_shows_the_seed_article(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    env = {
        **os.environ,
        "VENV": str(Path(sys.executable).parents[1]),
        "DEMO_ARTICLES": "40",
        "ARCHIVE_PATH": str(db),
    }
    result = subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Replica of Sputnik France with 40 articles at http://127.0.0.1:" in out
    assert "title: Washington et Moscou discutent de la sécurité des opérations en Syrie" in out
    assert "views: 6822" in out
    assert re.search(r"Rows in the archive: .*articles 40\b", out), out
    with Archive(db) as archive:
        [crawl] = archive.crawls()
    assert (crawl["status"], crawl["new"]) == ("finished", 40)


def test_crawl_benchmark_harness_runs_on_a_tiny_site(tmp_path: Path) -> None:
    record = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, "bench/crawl.py", "--articles", "30", "--record", str(record)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = dict(re.findall(r"^\| (floor|archiver) \| (\d+) \|", result.stdout, re.M))
    # Both crawls fetched the same pages: 30 articles plus discovery pages and robots.txt.
    assert rows["floor"] == rows["archiver"] and int(rows["floor"]) > 30
    assert "archiver / floor = **" in record.read_text()
