"""The README's main job and the benchmark harness run end to end, on tiny sites."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.util import find_spec
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
    """Every part of bench/crawl.py runs and is reported; its figures are not checked (a
    benchmark is not a test), only that the report is whole and the crawls agree. The
    trafilatura pipeline and the plots need the bench extra: left out without it."""
    extra = all(find_spec(name) for name in ("trafilatura", "matplotlib"))
    record = tmp_path / "RESULTS.md"
    command = [sys.executable, "bench/crawl.py", "--articles", "30", "--incremental-size", "30"]
    command += ["--trafilatura-sizes", "30" if extra else "", "--loadtest-seconds", "0.3"]
    result = subprocess.run(
        [*command, "--loadtest-clients", "2", "--label", "test", "--record", str(record)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = record.read_text()
    assert text.startswith("\n## Crawl benchmark (test), 30 articles — ")
    for line in ("Machine: ", "Versions: Python ", "Load average ", "Command: `python bench/"):
        assert line in text
    crawls = ["floor", "archiver", "trafilatura"][: 3 if extra else 2]
    rows = dict(re.findall(r"^\| 30 \| (\w+) \| (\d+) \| [\d-]+ \| [\d.]+ \|", text, re.M))
    # The same pages: 30 articles plus discovery pages and robots.txt.
    assert list(rows) == crawls and len(set(rows.values())) == 1 and int(rows["floor"]) > 30
    # The archive writer process's CPU and memory, apart: the archiver's crawls have one.
    columns = r"^\| 30 \| (\w+) (?:\| [^|]+ ){7}\| ([\d.-]+) \| [\d.]+ \| ([\d-]+) \|"
    writer = {name: (cpu, rss) for name, cpu, rss in re.findall(columns, text, re.M)}
    assert writer["floor"] == ("-", "-")
    assert float(writer["archiver"][0]) > 0 and int(writer["archiver"][1]) > 10  # MB
    ratios = re.findall(r"^\| 30 \| (\w+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$", text, re.M)
    assert ratios == crawls[::2]  # archiver / floor, archiver / trafilatura
    assert re.search(r"^\| 30 \| \d+ \| \d+ \| [\d.]+ \|$", text, re.M)  # serving rate
    runs = re.findall(r"^\| (first \(day 1\)|unchanged|day 2, revisit=\w+) \|", text, re.M)
    assert runs == ["first (day 1)", "unchanged", "day 2, revisit=due", "day 2, revisit=all"]
    # revisit=all finds every edit of day 2; the replica's ground truth is there to compare.
    edited = re.search(r"^\| day 2, revisit=all \|.* \| (\d+)/(\d+) \| \d+/\d+ \|$", text, re.M)
    assert edited and edited.group(1) == edited.group(2) != "0"
    # One line per target (flatness and RSS growth need two sizes): floor, trafilatura, peak
    # RSS, the two incremental runs, the replica's rate; revisit=all is a reference.
    verdict = r"^- .* — (?:not measured|\*\*(?:met|not met|met on \w+ time only)\*\*)$"
    targets = text.split("### Targets", 1)[1]
    assert len(re.findall(verdict, targets, re.M)) == 6
    assert len(re.findall(r"^- reference \(not a target\), .*revisit=all", targets, re.M)) == 1
    # Under the trafilatura target, how far ahead of it plain Scrapy itself is.
    ceiling = r"^  - ceiling: the floor itself is [\d.]+× at 30 the trafilatura pipeline"
    assert len(re.findall(ceiling, targets, re.M)) == (1 if extra else 0)
    plots = re.findall(r"!\[[^]]*\]\((plots/[^)]+\.png)\)", text)
    assert len(plots) == (2 if extra else 0)
    assert all((tmp_path / p).stat().st_size > 1000 for p in plots)
