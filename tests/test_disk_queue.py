"""`scrapy crawl` keeps waiting requests in disk queues of its own, removed afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mocksite.server import RunningSite

from .conftest import ROOT

pytestmark = pytest.mark.e2e


def crawl(db: Path, tmp: Path, base_url: str, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-a", f"start={base_url}/"]
    command += ["-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        command += ["-s", setting]
    env = {**os.environ, "ARCHIVE_PATH": str(db), "TMPDIR": str(tmp)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def stat(log: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


def test_requests_wait_on_disk_and_the_queue_is_removed(
    replica: RunningSite, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = crawl(tmp_path / "archive.db", tmp, replica.base_url)
    assert done.returncode == 0, done.stderr[-3000:]
    enqueued = stat(done.stderr, "scheduler/enqueued")
    assert enqueued > 200  # every article and the discovery pages
    assert stat(done.stderr, "scheduler/enqueued/disk") == enqueued
    assert stat(done.stderr, "scheduler/enqueued/memory") == 0
    assert "Unable to serialize request" not in done.stderr
    # Scrapy 2.19's remote-control server (it runs POSTed Python code) stays off.
    assert "Remote control" not in done.stderr
    assert "remote_control" not in done.stderr
    assert list(tmp.iterdir()) == []  # the run's JOBDIR is gone


def test_memory_queues_when_turned_off(replica: RunningSite, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = crawl(tmp_path / "archive.db", tmp, replica.base_url, "ARCHIVE_DISK_QUEUE=False")
    assert done.returncode == 0, done.stderr[-3000:]
    assert stat(done.stderr, "scheduler/enqueued/disk") == 0
    assert stat(done.stderr, "scheduler/enqueued/memory") > 200
    assert list(tmp.iterdir()) == []
