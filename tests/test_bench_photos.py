"""The photos benchmark's harness runs end to end on a tiny replica (no timing checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.photos import order

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


def test_modes_alternate_their_order_from_one_pass_to_the_next() -> None:
    assert order(3) == [
        (1, "none"), (1, "main"), (1, "all"),
        (2, "all"), (2, "main"), (2, "none"),
        (3, "none"), (3, "main"), (3, "all"),
    ]  # fmt: skip


def test_photos_benchmark_harness_runs_on_a_tiny_replica(tmp_path: Path) -> None:
    record = tmp_path / "RESULTS.md"
    record.write_text("# Benchmark results\n", encoding="utf-8")
    command = [sys.executable, "bench/photos.py", "--articles", str(ARTICLES), "--passes", "1"]
    result = subprocess.run(
        [*command, "--record", str(record)], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]

    text = record.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n")  # appended, not rewritten
    section = text[text.index("\n## ") :]
    assert section.strip() == result.stdout.strip()
    assert re.search(
        rf"^## Photos benchmark, {ARTICLES} articles — \d{{4}}-\d\d-\d\d \d\d:\d\d UTC$",
        section,
        re.M,
    )
    assert re.search(r"^Machine: .*\d+ cores.*GiB\.  $", section, re.M)
    assert re.search(
        r"^Load average \(1, 5, 15 min\): [\d., ]+ at start, [\d., ]+ at end", section, re.M
    )
    assert f"Command: `python bench/photos.py --articles {ARTICLES} --passes 1 --record " in section

    header = section.splitlines()[
        next(i for i, line in enumerate(section.splitlines()) if line.startswith("| mode | wall"))
    ]
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns == [
        "mode", "wall s", "CPU s", "pages/s", "requests", "pages", "photo requests",
        "photos stored", "photo errors", "media KB", "archive MB", "wall / none",
        "CPU / none", "archive / none",
    ]  # fmt: skip
    modes = {
        row[0]: dict(zip(columns, row, strict=True)) for row in table_rows(section, "mode | wall s")
    }
    assert list(modes) == ["none", "main", "all"]
    none, main, every = modes["none"], modes["main"], modes["all"]
    # none fetches no photo: its requests are its pages.
    assert (none["photo requests"], none["photos stored"], none["media KB"]) == ("0", "0", "0.0")
    assert none["requests"] == none["pages"]
    assert (none["wall / none"], none["CPU / none"], none["archive / none"]) == ("1.00",) * 3
    # Every mode crawls the same pages; main and all add photo requests, and keep photos.
    assert main["pages"] == none["pages"] == every["pages"] and int(none["pages"]) > ARTICLES
    assert int(main["photos stored"]) > 0 and float(main["media KB"]) > 0
    assert int(every["photos stored"]) >= int(main["photos stored"])
    for row in (main, every):
        assert int(row["requests"]) == int(row["pages"]) + int(row["photo requests"])
        assert row["photo errors"] == "0"  # the replica serves every photo
        assert int(row["photo requests"]) >= int(row["photos stored"])  # same bytes: one row
        assert float(row["archive MB"]) > float(none["archive MB"])

    runs = table_rows(section, "mode | pass")
    assert [(row[0], row[1]) for row in runs] == [("none", "1"), ("main", "1"), ("all", "1")]
    assert [row[6] for row in runs] == [
        none["photos stored"],
        main["photos stored"],
        every["photos stored"],
    ]
