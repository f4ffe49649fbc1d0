"""The extraction benchmark (``bench/extract.py``) runs on a few pages and records a section."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from bench import extract

#: Without the ``bench`` extra (``make test`` installs only ``dev``) trafilatura is left out.
HAS_TRAFILATURA = importlib.util.find_spec("trafilatura") is not None


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> str:
    record = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    record.write_text("# Benchmark results\n", encoding="utf-8")
    args = ["--pages", "10", "--rounds", "1", "--profile", "5", "--record", str(record)]
    extract.main(args if HAS_TRAFILATURA else [*args, "--skip-trafilatura"])
    text = record.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n"), "the record is appended to, not replaced"
    return text.split("\n", 1)[1]


def test_section_header_names_machine_versions_and_command(section: str) -> None:
    lines = section.strip().splitlines()
    assert re.fullmatch(r"## Extraction alone, 10 articles — \d{4}-\d{2}-\d{2}", lines[0])
    assert re.match(r"Machine: .+, Python \d+\.\d+\.\d+, lxml \d", lines[2])
    assert "trafilatura " in lines[2]
    command = re.fullmatch(r"Command: `(python bench/extract\.py [^`]+)`", lines[3])
    assert command is not None
    assert "--pages 10 --seed 1 --rounds 1" in command.group(1)


def test_timing_table_has_every_extractor_on_every_page(section: str) -> None:
    rows = dict(re.findall(r"^\| (lxml parse|ours|trafilatura) \| (\d+) \|", section, re.M))
    expected = {"lxml parse", "ours"} | ({"trafilatura"} if HAS_TRAFILATURA else set())
    assert set(rows) == expected
    assert set(rows.values()) == {"10"}
    assert re.search(r"^ours / lxml parse = \*\*\d+\.\d\d\*\*$", section, re.M)
    if HAS_TRAFILATURA:
        assert re.search(r"^ours / trafilatura = \*\*\d+\.\d\d\*\*", section, re.M)
    phases = r"^Ours per page: parse [\d.]+ ms, to_item [\d.]+ ms, clean [\d.]+ ms\.$"
    assert re.search(phases, section, re.M)


def test_field_table_scores_ours_right_on_every_field(section: str) -> None:
    header = re.search(r"^\| field, share of pages right \| (.+) \|$", section, re.M)
    assert header is not None
    columns = header.group(1).split(" | ")
    assert columns == (["ours", "trafilatura"] if HAS_TRAFILATURA else ["ours"])
    for label in extract.FIELD_LABELS.values():
        row = re.search(rf"^\| {re.escape(label)} \| (.+) \|$", section, re.M)
        assert row is not None, label
        ours = row.group(1).split(" | ")[0]
        assert ours in ("100.0%", "1.000"), (label, ours)


def test_profile_lists_the_top_functions(section: str) -> None:
    assert "cProfile of one pass of ours, top 5 by internal time:" in section
    assert re.search(r"^ {4}\s*ncalls\s+tottime", section, re.M)
    assert str(Path(extract.ROOT)) not in section, "paths are shown relative to the repo"
