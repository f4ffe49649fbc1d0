"""The reading benchmark's harness runs end to end on a tiny archive (no timing checked)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from bench.reading import ensure_archive

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 30

pytestmark = pytest.mark.e2e


def table_rows(section: str, first_header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``first_header``."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def run_bench(workdir: Path, record: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "bench/reading.py",
        "--articles",
        str(ARTICLES),
        "--workdir",
        str(workdir),
        "--queries",
        "20",
        "--record",
        str(record),
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_reading_benchmark_harness_runs_on_a_tiny_archive(tmp_path: Path) -> None:
    workdir, record = tmp_path / "work", tmp_path / "RESULTS.md"
    record.write_text("# Benchmark results\n", encoding="utf-8")
    result = run_bench(workdir, record)
    assert result.returncode == 0, result.stderr[-3000:]

    text = record.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n")  # appended, not rewritten
    section = text[text.index("\n## ") :]
    assert section.strip() == result.stdout.strip()
    assert re.search(
        rf"^## Reading the archive, {ARTICLES} articles — \d{{4}}-\d\d-\d\d$", section, re.M
    )
    assert re.search(
        r"^Machine: .*\d+ cores.*Python 3[\d.]+, SQLite [\d.]+, Scrapy [\d.]+", section, re.M
    )
    assert f"Command: `python bench/reading.py --articles {ARTICLES} --workdir" in section

    [build] = table_rows(section, "articles | stored")
    assert build[:2] == [str(ARTICLES), str(ARTICLES)] and build[5] == "this run"
    assert re.fullmatch(r"[0-9a-f]{7,}(\+dirty)?|not recorded", build[6]), build

    exports = {row[1]: row for row in table_rows(section, "articles | export")}
    assert {"baseline", "jsonl", "csv", "warc"} <= set(exports)
    assert any(name.startswith("jsonl --tag ") for name in exports)
    assert any(name.startswith("jsonl --since ") for name in exports)
    for name in ("jsonl", "csv", "warc"):
        assert exports[name][2] == str(ARTICLES), exports[name]  # every article / capture
        assert float(exports[name][6]) > 0  # a peak RSS was read
    assert float(exports["baseline"][6]) > 0

    memory = {row[0] for row in table_rows(section, "export")}
    assert {"baseline", "jsonl", "csv", "warc"} <= memory

    searches = {row[1]: row for row in table_rows(section, "articles | queries")}
    kinds = {"word", "unaccented", "two words", "phrase", "OR", "all"}
    assert kinds | {"articles --tag X --limit 20", "articles --limit 20"} <= set(searches)
    assert searches["all"][2] == "20"
    assert int(searches["word"][6].replace(",", "")) > 0  # words drawn from the archive match

    [size] = table_rows(section, "articles | file MB")
    assert size[0] == str(ARTICLES)
    with_captures, without = float(size[2]), float(size[4])
    assert 0 < without < with_captures

    assert "- Search p95 under 100 ms at 100,000 articles: not measured" in section
    assert "- Exports in constant memory at 100,000 articles: not measured" in section

    # The archive is cached: built through the crawl's code, and reused by the next run.
    folder = workdir / f"archive-{ARTICLES}-seed1"
    assert json.loads((folder / "build.json").read_text())["stored"] == ARTICLES
    with Archive(folder / "archive.db", readonly=True) as archive:
        counts = archive.counts()
        [crawl] = archive.crawls()
        frontier = [row["state"] for row in archive.db.query("SELECT state FROM frontier")]
    assert counts["articles"] == counts["captures"] == counts["versions"] == ARTICLES
    assert counts["links"] > 0 and counts["article_tags"] > 0
    assert crawl["status"] == "finished" and crawl["new"] == ARTICLES
    assert frontier == ["done"] * ARTICLES  # listed as a rubrique page lists them, then stored

    path, cached_build, cached = ensure_archive(workdir, ARTICLES, seed=1, workers=0)
    assert cached and path == folder / "archive.db" and cached_build.stored == ARTICLES
