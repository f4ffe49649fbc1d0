"""`scrapy crawl` keeps waiting requests beyond ARCHIVE_MEMORY_QUEUE_SIZE in disk queues of
its own, removed afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
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
    # 10 in memory at most: the sitemaps' 200 articles arrive at once, most go to disk.
    done = crawl(tmp_path / "archive.db", tmp, replica.base_url, "ARCHIVE_MEMORY_QUEUE_SIZE=10")
    assert done.returncode == 0, done.stderr[-3000:]
    enqueued = stat(done.stderr, "scheduler/enqueued")
    assert enqueued > 200  # every article and the discovery pages
    on_disk = stat(done.stderr, "scheduler/enqueued/disk")
    assert on_disk > 100
    assert stat(done.stderr, "scheduler/dequeued/disk") == on_disk
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


def test_queues_of_killed_runs_are_removed_by_the_next_run(tmp_path: Path) -> None:
    from crawler.commands.crawl import QUEUE_PREFIX, remove_dead_queues

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    dead = tmp_path / f"{QUEUE_PREFIX}{gone.stdout.strip()}-abc123"
    live = tmp_path / f"{QUEUE_PREFIX}{os.getpid()}-def456"
    other = tmp_path / "sputnik-archiver-queue-notapid"
    for directory in (dead, live, other):
        (directory / "requests.queue").mkdir(parents=True)
    assert remove_dead_queues(str(tmp_path)) == [str(dead)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_a_killed_crawl_leaves_its_queue_for_the_next_run_to_remove(
    replica: RunningSite, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    db = tmp_path / "archive.db"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "sputnik",
        "-a",
        f"start={replica.base_url}/",
    ]
    env = {**os.environ, "ARCHIVE_PATH": str(db), "TMPDIR": str(tmp)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):  # its queue directory appears once the crawl starts
            if any(tmp.iterdir()):
                break
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    left = [p.name for p in tmp.iterdir()]
    assert len(left) == 1 and left[0].startswith(f"sputnik-archiver-queue-{process.pid}-")
    done = crawl(db, tmp, replica.base_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(tmp.iterdir()) == []
