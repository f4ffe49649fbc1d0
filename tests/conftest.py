from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mocksite.server import RunningSite, start

ROOT = Path(__file__).resolve().parents[1]
#: The seed page as text; test_mocksite proves it is shared/seed/sputnik-fr-article.txt.
SEED_TEXT = ROOT / "mocksite" / "data" / "sputnik-fr-article.txt"


@pytest.fixture(scope="session")
def replica() -> Iterator[RunningSite]:
    """A 200-article replica of Sputnik France on a free loopback port."""
    with start(articles=200, seed=1) as running:
        yield running


def run_crawl(
    db: Path, *args: str, settings: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl sputnik -a ARG... -s NAME=VALUE...`` in a subprocess writing to ``db``,
    as a user runs it."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-s", "LOG_LEVEL=INFO"]
    for arg in args:
        command += ["-a", arg]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
