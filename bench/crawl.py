"""Crawl throughput: the full archiver against the plain Scrapy floor, on one replica site.

Both crawls run one after the other in this one invocation, against the same ``mocksite``
process, with the same Scrapy settings (concurrency, robots.txt). The figure that matters
is the ratio of their pages per second; absolute rates depend on the machine.

    python bench/crawl.py --articles 5000 [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STATS_EXTENSION = {"bench.stats_file.StatsToFile": 900}


def archiver_settings() -> list[str]:
    """The project's own extensions, plus the one that writes the stats file."""
    from crawler import settings

    return ["-s", f"EXTENSIONS={json.dumps({**settings.EXTENSIONS, **STATS_EXTENSION})}"]


#: The floor is plain Scrapy: none of the project's pipelines, extensions or middlewares,
#: only Scrapy's defaults (robots.txt obeyed) and the stats file. It shares the project's
#: concurrency and timeouts, since ``runspider`` in the project reads its settings.
FLOOR_SETTINGS = [
    "-s", f"EXTENSIONS={json.dumps(STATS_EXTENSION)}",
    "-s", "ITEM_PIPELINES={}",
    "-s", "DOWNLOADER_MIDDLEWARES={}",
    "-s", "SPIDER_MIDDLEWARES={}",
    "-s", "COMMANDS_MODULE=",
    "-s", "AUTOTHROTTLE_ENABLED=False",  # Scrapy's default; the project's is for live sites
]  # fmt: skip


@dataclass
class Run:
    name: str
    pages: int
    seconds: float
    items: int

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def start_site(articles: int, seed: int) -> tuple[subprocess.Popen[str], str]:
    """``python -m mocksite`` on a free port; returns the process and its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mocksite",
            "--port",
            "0",
            "--articles",
            str(articles),
            "--seed",
            str(seed),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    base = process.stdout.readline().strip()
    if not base.startswith("http"):
        process.kill()
        raise SystemExit(f"mocksite did not start: {base!r}")
    return process, base


def crawl(name: str, command: list[str], workdir: Path, env: dict[str, str]) -> Run:
    """Run one crawl command; pages and time come from its own Scrapy stats."""
    stats_file = workdir / f"{name}.stats.json"
    full = [*command, "-s", f"BENCH_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=WARNING"]
    started = time.perf_counter()
    result = subprocess.run(full, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0 or not stats_file.exists():
        raise SystemExit(f"{name} crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    stats = json.loads(stats_file.read_text())
    # Scrapy's own elapsed time: from engine start to close, without interpreter start-up.
    seconds = float(stats.get("elapsed_time_seconds") or wall)
    return Run(
        name=name,
        pages=int(stats.get("response_received_count", 0)),
        seconds=seconds,
        items=int(stats.get("item_scraped_count", 0)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_PATH"}
    env["PYTHONPATH"] = str(ROOT)
    server, base = start_site(args.articles, args.seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            scrapy = [sys.executable, "-m", "scrapy"]
            floor = crawl(
                "floor",
                [
                    *scrapy,
                    "runspider",
                    str(ROOT / "bench" / "floor_spider.py"),
                    "-a",
                    f"start={base}/",
                    *FLOOR_SETTINGS,
                    "-s",
                    f"ARCHIVE_PATH={workdir / 'floor.db'}",
                ],
                workdir,
                env,
            )
            ours = crawl(
                "archiver",
                [
                    *scrapy,
                    "crawl",
                    "sputnik",
                    "-a",
                    f"start={base}/",
                    "-s",
                    f"ARCHIVE_PATH={workdir / 'archive.db'}",
                    *archiver_settings(),
                ],
                workdir,
                env,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)

    ratio = ours.rate / floor.rate if floor.rate else 0.0
    lines = [
        "| crawl | pages | seconds | pages/s |",
        "|---|---:|---:|---:|",
        *(f"| {r.name} | {r.pages} | {r.seconds:.1f} | {r.rate:.0f} |" for r in (floor, ours)),
        "",
        f"archiver / floor = **{ratio:.2f}**",
    ]
    print("\n".join(lines))
    if args.record:
        header = (
            f"\n## Crawl throughput, {args.articles} articles — "
            f"{datetime.now(timezone.utc):%Y-%m-%d}\n\n"
            f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}.  \n"
            f"Command: `python bench/crawl.py --articles {args.articles} --seed {args.seed}`\n\n"
        )
        with args.record.open("a", encoding="utf-8") as out:
            out.write(header + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
