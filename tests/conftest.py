from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extraction import sites
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


# -- the replica's ground truth as the archive stores it ------------------------------------


def fold_line(text: str) -> str:
    # A lone no-break space is French typography and stays; any other run is one space.
    return re.sub(r"\s+", lambda m: m.group() if m.group() in "\u00a0\u202f" else " ", text).strip()


def fold(text: str | None) -> str | None:
    """Whitespace folded per paragraph, as the archive's cleaning does."""
    if text is None:
        return None
    return "\n\n".join(fold_line(p) for p in text.split("\n\n") if p.strip())


def content(truth: dict[str, Any]) -> tuple[Any, ...]:
    """What a version is made of (title, lead, body, tags), as the archive stores it, from
    the replica's ground truth (``Site.article``) or an archived article."""
    return (
        fold(truth["title"]),
        fold(truth["lead"]),
        fold(truth["body"]),
        tuple(fold_line(t) for t in truth["tags"]),
    )


@pytest.fixture(autouse=True)
def site_registry() -> Iterator[None]:
    """Every test leaves the site registry as it found it: a test that imports a module
    declaring sites (``ARCHIVE_SITE_MODULES``, ``--site-module``) must not change which sites
    the next tests meet (a test site's politeness on a host, a site among the profiles)."""
    sites.all_sites()  # the package's own are loaded first
    before = dict(sites._SITES)
    yield
    sites._SITES.clear()
    sites._SITES.update(before)


@pytest.fixture
def with_test_sites(site_registry: None) -> None:
    """The sites of ``tests.sites_for_tests`` registered for one test (then forgotten)."""
    importlib.import_module("tests.sites_for_tests").register_all()
