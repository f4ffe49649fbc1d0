"""The section a benchmark of extraction speed appends to bench/RESULTS.md: its title and
date, the machine, the load before and after, the command that reproduces it."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


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
