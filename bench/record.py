"""The section a benchmark of extraction speed appends to bench/RESULTS.md: its title and
date, the machine, the load before and after, the command that reproduces it."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


def speed_parser(description: str, repeat: int) -> argparse.ArgumentParser:
    """The options of a speed benchmark: passes, extractions a pass, where to record."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--passes", type=int, default=9, help="timed passes, the best counts")
    parser.add_argument(
        "--repeat", type=int, default=repeat, help="extractions of each page a pass"
    )
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    parser.add_argument("--note", help="a few words for the recorded section's title")
    return parser


def version(package: str) -> str:
    """``package``'s installed version, ``not installed`` without it."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def record_section(
    path: Path,
    title: str,
    command: str,
    passes: int,
    load_start: tuple[float, float, float],
    lines: list[str],
    note: str | None = None,
) -> None:
    """Append ``lines`` to ``path`` under a ``## title — date`` header saying where, how
    loaded and by which ``command`` (``--record path`` added) they were measured."""
    load = " at start, ".join(
        ", ".join(f"{value:.2f}" for value in loads) for loads in (load_start, os.getloadavg())
    )
    header = (
        f"\n## {title} — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
        + (f" ({note})" if note else "")
        + "\n\n"
        f"Machine: {platform.node()}, {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, lxml {version('lxml')}, "
        f"trafilatura {version('trafilatura')}; one process, CPU time, best of "
        f"{passes} passes after a warm-up.  \n"
        f"Load average (1, 5, 15 min): {load} at end; other work shares the machine.  \n"
        f"Command: `{command} --record {path}`\n\n"
    )
    with path.open("a", encoding="utf-8") as out:
        out.write(header + "\n".join(lines) + "\n")
