"""The README's main job and the benchmark harness run end to end, on tiny sites."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from archive import Archive

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo(db: Path, port: int, articles: int = 40) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VENV": str(Path(sys.executable).parents[1]),
        "DEMO_ARTICLES": str(articles),
        "DEMO_PORT": str(port),
        "ARCHIVE_PATH": str(db),
    }
    return subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_demo_crawls_the_replica_then_shows_the_archives_memory(tmp_path: Path) -> None:
    """The first run archives the replica at a fixed address; the second crawls it again at
    that address (nothing due: all not_due, no article stored again), then the replica a
    week later (new, edited and unpublished articles) and an edited article's history."""
    db, port = tmp_path / "demo.db", free_port()
    first = demo(db, port)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    assert f"Replica of Sputnik France with 40 articles at http://127.0.0.1:{port}\n" in out
    assert "title: Washington et Moscou discutent de la sécurité des opérations en Syrie" in out
    assert "views: 6822" in out
    assert re.search(r"Rows in the archive: .*articles 40\b", out), out
    with Archive(db) as archive:
        [crawl] = archive.crawls()
    assert (crawl["status"], crawl["new"]) == ("finished", 40)

    second = demo(db, port)
    assert second.returncode == 0, second.stderr[-3000:]
    out = second.stdout
    base = f"http://127.0.0.1:{port}"
    assert f"40 articles at {base}, day 1, as the archive last saw it\n" in out
    assert "The same replica 7 days later (day 8): new articles, edited ones" in out
    header = "id  spider   started                  finished                 reason    status    "
    assert out.count(header + "fetched  new  updated  unchanged  not_due  gone") == 2
    with Archive(db, readonly=True) as archive:
        again, later = archive.crawls()[1], archive.crawls()[0]
        counts = archive.counts()
        edited = int(re.findall(r"^History of an edited article \(archive history (\d+)\):$",
                                out, re.M)[0])  # fmt: skip
        versions = archive.versions(edited)
    keys = ("status", "new", "updated", "unchanged", "not_due", "gone", "aliases")
    assert [again[k] for k in keys] == ["finished", 0, 0, 0, 40, 0, 0]
    # Day 8 of the replica: 7 new articles (one a day), edits and unpublished ones found.
    assert (later["status"], later["new"], later["aliases"]) == ("finished", 7, 0)
    assert later["updated"] > 0 and later["gone"] > 0
    assert counts["articles"] == 47 and counts["crawls"] == 3
    assert [(v["number"], v["crawl_id"]) for v in versions] == [(1, 1), (2, 3)]
    assert "v1 -> v2 (" in out


def test_demo_on_a_taken_port_says_so_and_serves_on_a_free_one(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = demo(tmp_path / "demo.db", port, articles=5)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = result.stdout.splitlines()[:2]
    assert first == (
        f"127.0.0.1:{port} is not free: serving the replica on a free port instead. Its articles"
        " then have other URLs than in an earlier demo (stored again, as aliases); set DEMO_PORT"
        " to a free port to keep one address."
    )
    assert result.stderr.splitlines()[0] == (
        f"mocksite: cannot listen on 127.0.0.1:{port}: [Errno 98] Address already in use"
    )
    assert second.startswith("Replica of Sputnik France with 5 articles at http://127.0.0.1:")
    assert not second.endswith(f":{port}")


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
