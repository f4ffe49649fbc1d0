"""Crawl benchmark: the archiver against the plain Scrapy floor and a trafilatura pipeline,
its scaling with the number of articles, incremental runs, and the replica's own serving rate.

    python bench/crawl.py --articles 1000,10000,100000 [--trafilatura-sizes 1000]
        [--incremental-size 10000] [--record bench/RESULTS.md] [--plots bench/plots]

For each size N, one replica process (``bench/replica.py``) serves N articles; its serving
rate is measured first with plain concurrent GETs of article pages (``mocksite.loadtest``),
then, one after the other against it:

- ``floor``: a plain Scrapy spider fetching and following the same pages, nothing else
  (``bench/floor_spider.py``);
- ``archiver``: ``scrapy crawl sputnik``, the full crawl (extraction, cleaning, dedupe,
  versions, captures, full-text index) into a fresh archive;
- ``trafilatura`` (sizes in ``--trafilatura-sizes``): the same crawl with trafilatura as the
  page object (``bench/trafilatura_page.py``). It finds no "Lire aussi" links, so it reaches
  only what the home page, rubriques, sitemaps and feed list: compare rates per page.

At ``--incremental-size`` the first archiver crawl is followed by a second one of the unchanged
site into the same archive, then the replica moves to day 2 (``--change-rate`` of the articles
new or edited) and two crawls of it run from copies of that archive: the default
(``revisit=due``) and ``revisit=all``. Each is checked against the replica's ground truth
(``Site.changes(2)``): every new article stored as new, every edited one updated.

Every crawl is a subprocess. Reported for each: Scrapy's elapsed time (wall) and pages per
second; the process's CPU (user + system, from its rusage), in all and per page of the crawl
proper (engine start to close, without start-up); its peak RSS (``ru_maxrss`` from ``wait4``);
the requests its scheduler enqueued and the archive's frontier rows; the replica's CPU
meanwhile; the 1-minute load average at its start and end. The machine has other work on it,
so wall rates are noisy: ratios are given on wall time and on CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mocksite import loadtest  # noqa: E402
from mocksite.evolution import EDIT_KINDS, GONE_KINDS  # noqa: E402
from mocksite.site import Site  # noqa: E402

STATS_EXTENSION = {"bench.stats_file.StatsToFile": 900}
TRAFILATURA_PAGE = "bench.trafilatura_page.TrafilaturaArticlePage"

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

#: Targets of issue 6.
FLOOR_TARGET = 0.6
TRAFILATURA_TARGET = 5.0
FLAT_TARGET = 0.15
RSS_TARGET_MB = 300.0
INCREMENTAL_TARGET = 0.05
SERVING_TARGET = 3.0
#: RSS growth from the smallest to the largest N allowed beyond the floor's (the plain Scrapy
#: frontier: scheduler queue and dupefilter): 25%, or 10 MB of allocator noise.
GROWTH_SLACK = (1.25, 10.0)

VISIBLE_EDITS = set(EDIT_KINDS) - {"whitespace_only"}


# -- measurements ------------------------------------------------------------------------


@dataclass
class Run:
    """One crawl subprocess and what it cost."""

    name: str
    articles: int
    pages: int
    items: int
    seconds: float
    """Scrapy's elapsed_time_seconds: engine start to close, no interpreter start-up."""
    process_seconds: float
    cpu: float
    """User + system CPU seconds of the whole process (rusage of the child)."""
    crawl_cpu: float
    """CPU seconds from the engine's start to the spider's close (bench/stats_file.py)."""
    rss_mb: float
    """Peak RSS of the crawl process plus that of its archive writer process (their sum: an
    upper bound of what both held at once)."""
    enqueued: int
    load: tuple[float, float]
    site_cpu: float | None = None
    frontier: int | None = None
    stored: int | None = None
    db: Path | None = None
    crawl_id: int | None = None
    writer_cpu: float = 0.0
    """CPU seconds of the archive writer process (in ``crawl_cpu`` and ``cpu`` too)."""
    writer_rss_mb: float = 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Process CPU per page, start-up included (ms)."""
        return 1000 * self.cpu / self.pages if self.pages else 0.0

    @property
    def crawl_cpu_ms(self) -> float:
        """CPU per page of the crawl proper (ms)."""
        return 1000 * self.crawl_cpu / self.pages if self.pages else 0.0

    @property
    def wall_ms(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


@dataclass
class Found:
    """Day-2 changes of the replica an incremental crawl picked up, by kind."""

    new: tuple[int, int] = (0, 0)
    edited: tuple[int, int] = (0, 0)
    gone: tuple[int, int] = (0, 0)

    @property
    def complete(self) -> bool:
        return self.new[0] == self.new[1] and self.edited[0] == self.edited[1]


@dataclass
class Incremental:
    articles: int
    change_rate: float
    first: Run
    runs: list[tuple[Run, Found | None]] = field(default_factory=list)


@dataclass
class Size:
    articles: int
    serving_rate: float
    runs: dict[str, Run] = field(default_factory=dict)
    page_sets: dict[str, int] = field(default_factory=dict)


# -- the replica -------------------------------------------------------------------------


class Replica:
    """``python -m bench.replica`` on a free port; ``set_day`` moves it to another day."""

    def __init__(self, articles: int, seed: int, change_rate: float, env: dict[str, str]) -> None:
        self.articles, self.seed, self.change_rate = articles, seed, change_rate
        command = [sys.executable, "-m", "bench.replica", "--articles", str(articles)]
        command += ["--seed", str(seed), "--change-rate", str(change_rate)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
        )
        self.base = self._answer()
        if not self.base.startswith("http"):
            self.stop()
            raise SystemExit(f"the replica did not start: {self.base!r}")

    def _answer(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def set_day(self, day: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"day {day}\n")
        self.process.stdin.flush()
        if self._answer() != f"day {day}":
            raise SystemExit(f"the replica did not move to day {day}")

    def site(self, day: int = 1) -> Site:
        return Site(self.articles, self.seed, day, change_rate=self.change_rate)

    def cpu(self) -> float | None:
        """User + system CPU seconds of the replica so far (Linux /proc; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def replica(articles: int, seed: int, change_rate: float, env: dict[str, str]) -> Iterator[Replica]:
    running = Replica(articles, seed, change_rate, env)
    try:
        yield running
    finally:
        running.stop()


def serving_rate(site: Replica, seconds: float, clients: int) -> float:
    """Article pages a second the replica answers to plain keep-alive GETs, each client
    cycling through its own pages (more than the replica's cache holds: rendered anew)."""
    model = site.site()
    stride = min(max(1, site.articles // clients), 2500)
    paths = [
        [model.url_path((c * stride + k) % site.articles) for k in range(stride)]
        for c in range(clients)
    ]
    return loadtest.measure(site.base, paths, seconds)


# -- one crawl ---------------------------------------------------------------------------


def archiver_settings() -> list[str]:
    """The project's own extensions, plus the one that writes the stats file; no photos
    (``ARCHIVE_IMAGES=none``): the floor and the trafilatura pipeline fetch pages only, so
    the ratios compare the same requests (what photos cost is ``bench/photos.py``'s; a
    later ``-s ARCHIVE_IMAGES=...`` wins)."""
    from crawler import settings

    extensions = json.dumps({**settings.EXTENSIONS, **STATS_EXTENSION})
    return ["-s", f"EXTENSIONS={extensions}", "-s", "ARCHIVE_IMAGES=none"]


def floor_command(base: str) -> list[str]:
    spider = str(ROOT / "bench" / "floor_spider.py")
    scrapy = [sys.executable, "-m", "scrapy", "runspider", spider]
    return [*scrapy, "-a", f"start={base}/", *FLOOR_SETTINGS]


def archiver_command(base: str, db: Path, *extra: str) -> list[str]:
    scrapy = [sys.executable, "-m", "scrapy", "crawl", "sputnik", "-a", f"start={base}/"]
    return [*scrapy, "-s", f"ARCHIVE_PATH={db}", *archiver_settings(), *extra]


def crawl(
    name: str,
    command: list[str],
    site: Replica,
    workdir: Path,
    env: dict[str, str],
    db: Path | None = None,
) -> Run:
    """Run one crawl; its pages and time come from its own Scrapy stats, its CPU and peak
    RSS from its rusage."""
    slug = f"{site.articles}-{name}".replace(" ", "-").replace(",", "").replace("=", "-")
    stats_file, log = workdir / f"{slug}.stats.json", workdir / f"{slug}.log"
    full = [*command, "-s", f"BENCH_STATS_FILE={stats_file}", "-s", "LOG_LEVEL=WARNING"]
    load_start, site_cpu = os.getloadavg()[0], site.cpu()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(full, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process_seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    site_after = site.cpu()
    if process.returncode != 0 or not stats_file.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{name} crawl failed ({process.returncode}):\n{tail}")
    stats = json.loads(stats_file.read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run = Run(
        name=name,
        articles=site.articles,
        pages=int(stats.get("response_received_count", 0)),
        items=int(stats.get("item_scraped_count", 0)),
        seconds=float(stats.get("elapsed_time_seconds") or process_seconds),
        process_seconds=process_seconds,
        cpu=cpu,
        crawl_cpu=float(stats.get("bench/crawl_cpu_seconds", cpu)),
        # Kilobytes on Linux. The writer's, from its own rusage (wait4 gives the larger of
        # the two, not their sum).
        rss_mb=(usage.ru_maxrss + float(stats.get("archive/writer/max_rss_kb", 0))) / 1024,
        writer_cpu=float(stats.get("bench/writer_cpu_seconds", 0.0)),
        writer_rss_mb=float(stats.get("archive/writer/max_rss_kb", 0)) / 1024,
        enqueued=int(stats.get("scheduler/enqueued", 0)),
        load=(load_start, os.getloadavg()[0]),
        site_cpu=None if site_cpu is None or site_after is None else site_after - site_cpu,
        db=db,
    )
    print(
        f"{site.articles} articles, {name}: {run.pages} pages in {run.seconds:.1f} s, "
        f"{run.cpu:.1f} s CPU, {run.rss_mb:.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    if db is not None:
        with read_only(db) as conn:
            run.frontier = conn.execute("SELECT count(*) FROM frontier").fetchone()[0]
            run.stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            run.crawl_id = conn.execute("SELECT max(id) FROM crawls").fetchone()[0]
    return run


@contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def copy_archive(source: Path, target: Path) -> None:
    """A consistent copy of an archive (SQLite's backup: WAL included)."""
    with read_only(source) as src:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()


def fetched_urls(db: Path, crawl_id: int | None = None) -> set[str]:
    with read_only(db) as conn:
        if crawl_id is None:
            rows = conn.execute("SELECT url FROM fetches")
        else:
            rows = conn.execute("SELECT url FROM fetches WHERE crawl_id = ?", [crawl_id])
        return {url for (url,) in rows}


# -- the three parts ---------------------------------------------------------------------


def scaling(
    articles: int, args: argparse.Namespace, workdir: Path, env: dict[str, str]
) -> tuple[Size, Incremental | None]:
    """Serving rate, floor, archiver (and trafilatura) at one size; the incremental runs too
    when this is the incremental size."""
    with replica(articles, args.seed, args.change_rate, env) as site:
        size = Size(articles, serving_rate(site, args.loadtest_seconds, args.loadtest_clients))
        size.runs["floor"] = crawl("floor", floor_command(site.base), site, workdir, env)
        db = workdir / f"archive-{articles}.db"
        ours = crawl("archiver", archiver_command(site.base, db), site, workdir, env, db)
        size.runs["archiver"] = ours
        if articles in args.trafilatura_sizes:
            tdb = workdir / f"trafilatura-{articles}.db"
            command = archiver_command(
                site.base, tdb, "-s", f"ARCHIVE_PAGE_CLASS={TRAFILATURA_PAGE}"
            )
            size.runs["trafilatura"] = crawl("trafilatura", command, site, workdir, env, tdb)
            ours_urls, theirs_urls = fetched_urls(db), fetched_urls(tdb)
            size.page_sets = {
                "only archiver": len(ours_urls - theirs_urls),
                "only trafilatura": len(theirs_urls - ours_urls),
            }
        found = None
        if articles == args.incremental_size:
            found = incremental(site, ours, workdir, env)
    return size, found


def incremental(site: Replica, first: Run, workdir: Path, env: dict[str, str]) -> Incremental:
    """A second crawl of the unchanged site, then day 2 crawled with and without
    ``revisit=all`` (each from a copy of the archive as the second crawl left it)."""
    assert first.db is not None
    result = Incremental(site.articles, site.change_rate, first)
    db = first.db
    again = crawl("unchanged", archiver_command(site.base, db), site, workdir, env, db)
    result.runs.append((again, None))
    copy = db.with_name(db.stem + "-all.db")
    copy_archive(db, copy)
    site.set_day(2)
    for name, path, extra in (
        ("day 2, revisit=due", db, ()),
        ("day 2, revisit=all", copy, ("-a", "revisit=all")),
    ):
        run = crawl(name, archiver_command(site.base, path, *extra), site, workdir, env, path)
        result.runs.append((run, found_changes(site, run)))
    return result


def found_changes(site: Replica, run: Run) -> Found:
    """Day 2's new, edited and unpublished articles (ground truth) that ``run`` recorded so."""
    assert run.db is not None
    day2 = site.site(2)
    kinds: dict[int, set[str]] = {}
    for change in day2.changes(2):
        kinds.setdefault(int(change["index"]), set()).add(str(change["kind"]))
    with read_only(run.db) as conn:
        rows = conn.execute(
            "SELECT url, requested_url, outcome FROM fetches WHERE crawl_id = ?", [run.crawl_id]
        ).fetchall()
    outcome = {url: out for url, _, out in rows}
    outcome.update({requested: out for _, requested, out in rows if requested})

    def count(indices: list[int], wanted: str) -> tuple[int, int]:
        urls = [site.base + day2.url_path(i) for i in indices]
        return sum(outcome.get(url) == wanted for url in urls), len(urls)

    new = [i for i, k in kinds.items() if "new" in k]
    edited = [i for i, k in kinds.items() if k & VISIBLE_EDITS and "new" not in k]
    gone = [i for i, k in kinds.items() if k & set(GONE_KINDS)]
    return Found(count(new, "new"), count(edited, "updated"), count(gone, "gone"))


# -- report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "node": platform.node(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": f"{os.cpu_count()} cores{', ' + cpu if cpu else ''}",
        "memory": f"{memory:.1f} GiB",
        "versions": (
            f"Python {platform.python_version()}, Scrapy {package('scrapy')}, "
            f"Twisted {package('twisted')}, SQLite {sqlite3.sqlite_version}, "
            f"lxml {package('lxml')}, trafilatura {package('trafilatura')}"
        ),
    }


def crawl_rows(sizes: list[Size]) -> list[str]:
    lines = [
        "| articles | crawl | pages | articles stored | wall s | pages/s | CPU s | "
        "CPU ms/page, process | CPU ms/page, crawl | of which writer | peak RSS MB "
        "| of which writer | enqueued | frontier rows | replica CPU ms/page | load |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in sizes:
        for run in size.runs.values():
            lines.append(run_row(run, str(size.articles)))
    return lines


def run_row(run: Run, first: str) -> str:
    writer_ms = f"{1000 * run.writer_cpu / run.pages:.2f}" if run.writer_cpu and run.pages else "-"
    writer_rss = f"{run.writer_rss_mb:.0f}" if run.writer_rss_mb else "-"
    site = (
        f"{1000 * run.site_cpu / run.pages:.2f}" if run.site_cpu is not None and run.pages else "-"
    )
    return (
        f"| {first} | {run.name} | {run.pages} | {dash(run.stored)} | {run.seconds:.1f} | "
        f"{run.rate:.0f} | {run.cpu:.1f} | {run.cpu_ms:.2f} | {run.crawl_cpu_ms:.2f} | "
        f"{writer_ms} | {run.rss_mb:.0f} | {writer_rss} | "
        f"{run.enqueued} | {dash(run.frontier)} | {site} | "
        f"{run.load[0]:.1f}→{run.load[1]:.1f} |"
    )


def dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def ratios(sizes: list[Size]) -> tuple[list[str], dict[str, list[tuple[int, float, float]]]]:
    """Table of archiver/floor and archiver/trafilatura, on wall rate and on CPU per page."""
    found: dict[str, list[tuple[int, float, float]]] = {"floor": [], "trafilatura": []}
    lines = [
        "| articles | archiver / | pages/s (wall) | CPU per page (crawl) | CPU (process) |",
        "|---:|---|---:|---:|---:|",
    ]
    for size in sizes:
        ours = size.runs["archiver"]
        for other in ("floor", "trafilatura"):
            them = size.runs.get(other)
            if them is None:
                continue
            wall = ours.rate / them.rate if them.rate else 0.0
            cpu = them.crawl_cpu_ms / ours.crawl_cpu_ms if ours.crawl_cpu_ms else 0.0
            process = them.cpu_ms / ours.cpu_ms if ours.cpu_ms else 0.0
            found[other].append((size.articles, wall, cpu))
            lines.append(f"| {size.articles} | {other} | {wall:.2f} | {cpu:.2f} | {process:.2f} |")
    return lines, found


def serving_rows(sizes: list[Size]) -> tuple[list[str], float]:
    lines = [
        "| articles | replica, article GETs/s | fastest crawl, pages/s | ratio |",
        "|---:|---:|---:|---:|",
    ]
    worst = float("inf")
    for size in sizes:
        fastest = max(run.rate for run in size.runs.values())
        ratio = size.serving_rate / fastest if fastest else 0.0
        worst = min(worst, ratio)
        lines.append(f"| {size.articles} | {size.serving_rate:.0f} | {fastest:.0f} | {ratio:.1f} |")
    return lines, worst


def incremental_rows(inc: Incremental) -> list[str]:
    first = inc.first
    lines = [
        "| run | pages | wall s | share of first (wall) | CPU s | share (CPU, crawl) | "
        "share (CPU, process) | new found | edited found | gone found |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| first (day 1) | {first.pages} | {first.seconds:.1f} | 100% | {first.cpu:.1f} | "
        "100% | 100% | - | - | - |",
    ]
    for run, found in inc.runs:
        shares = (
            run.seconds / first.seconds,
            run.crawl_cpu / first.crawl_cpu,
            run.cpu / first.cpu,
        )
        got = ["-"] * 3 if found is None else [f"{a}/{b}" for a, b in astuple(found)]
        lines.append(
            f"| {run.name} | {run.pages} | {run.seconds:.2f} | {shares[0]:.1%} | {run.cpu:.1f} | "
            f"{shares[1]:.1%} | {shares[2]:.1%} | {' | '.join(got)} |"
        )
    return lines


def astuple(found: Found) -> list[tuple[int, int]]:
    return [found.new, found.edited, found.gone]


def verdict(ok_wall: bool, ok_cpu: bool) -> str:
    if ok_wall and ok_cpu:
        return "**met**"
    if ok_wall or ok_cpu:
        return "**met on " + ("wall time" if ok_wall else "CPU time") + " only**"
    return "**not met**"


def targets(
    sizes: list[Size],
    ratio_values: dict[str, list[tuple[int, float, float]]],
    serving: float,
    inc: Incremental | None,
) -> list[str]:
    lines = []
    for other, target in (("floor", FLOOR_TARGET), ("trafilatura", TRAFILATURA_TARGET)):
        values = ratio_values[other]
        if not values:
            lines.append(f"- archiver ≥ {target:g} × {other}: no {other} crawl — not measured")
            continue
        shown = ", ".join(f"{w:.2f} wall / {c:.2f} CPU at {n}" for n, w, c in values)
        ok = verdict(all(w >= target for _, w, _ in values), all(c >= target for _, _, c in values))
        lines.append(f"- archiver ≥ {target:g} × {other} (rate per page): {shown} — {ok}")
        if other == "trafilatura":
            lines += trafilatura_ceiling(sizes, target)
    lines += scaling_targets(sizes)
    if inc is not None:
        lines += incremental_targets(inc)
    ok = "**met**" if serving >= SERVING_TARGET else "**not met**"
    lines.append(f"- replica ≥ {SERVING_TARGET:g} × the fastest crawl: {serving:.1f}× — {ok}")
    return lines


def trafilatura_ceiling(sizes: list[Size], target: float) -> list[str]:
    """How far any crawl of ours could be ahead of the trafilatura pipeline: the floor's
    lead over it (a crawl doing all the archiver's work cannot outrun plain Scrapy)."""
    leads = [
        (size.articles, size.runs["floor"].rate / size.runs["trafilatura"].rate)
        for size in sizes
        if "floor" in size.runs and "trafilatura" in size.runs and size.runs["trafilatura"].rate
    ]
    if not leads:
        return []
    shown = ", ".join(f"{lead:.2f}× at {n}" for n, lead in leads)
    reachable = all(lead >= target for _, lead in leads)
    return [
        f"  - ceiling: the floor itself is {shown} the trafilatura pipeline"
        + ("" if reachable else f", so {target:g}× cannot be reached by any crawl of Scrapy")
    ]


def scaling_targets(sizes: list[Size]) -> list[str]:
    small, large = sizes[0].runs["archiver"], sizes[-1].runs["archiver"]
    span = f"{sizes[0].articles} → {sizes[-1].articles} articles"
    lines = []
    if len(sizes) > 1:
        wall = large.wall_ms / small.wall_ms - 1
        cpu = large.crawl_cpu_ms / small.crawl_cpu_ms - 1
        ok = verdict(abs(wall) <= FLAT_TARGET, abs(cpu) <= FLAT_TARGET)
        lines.append(
            f"- time per page flat within {FLAT_TARGET:.0%} ({span}): "
            f"wall {small.wall_ms:.2f} → {large.wall_ms:.2f} ms ({wall:+.0%}), "
            f"CPU {small.crawl_cpu_ms:.2f} → {large.crawl_cpu_ms:.2f} ms ({cpu:+.0%}) — {ok}"
        )
    ok = "**met**" if large.rss_mb < RSS_TARGET_MB else "**not met**"
    lines.append(
        f"- peak RSS < {RSS_TARGET_MB:.0f} MB at {sizes[-1].articles} articles: "
        f"{large.rss_mb:.0f} MB — {ok}"
    )
    if len(sizes) > 1:
        lines.append(growth_target(sizes, span))
    return lines


def growth_target(sizes: list[Size], span: str) -> str:
    grown = {}
    for name in ("archiver", "floor"):
        small, large = sizes[0].runs[name], sizes[-1].runs[name]
        requests = max(1, large.enqueued - small.enqueued)
        grown[name] = (large.rss_mb - small.rss_mb, 1024 * (large.rss_mb - small.rss_mb) / requests)
    factor, slack = GROWTH_SLACK
    allowed = max(factor * grown["floor"][0], grown["floor"][0] + slack)
    ok = "**met**" if grown["archiver"][0] <= allowed else "**not met**"
    return (
        f"- RSS growth no more than the frontier's ({span}; the floor's growth is plain "
        f"Scrapy's scheduler queue and dupefilter): archiver {grown['archiver'][0]:+.0f} MB "
        f"({grown['archiver'][1]:.1f} KB per enqueued request), floor {grown['floor'][0]:+.0f} MB "
        f"({grown['floor'][1]:.1f} KB per request) — {ok}"
    )


def incremental_targets(inc: Incremental) -> list[str]:
    first = inc.first
    lines = []
    for run, found in inc.runs:
        share = run.seconds / first.seconds
        cpu = run.crawl_cpu / first.crawl_cpu
        fast = share < INCREMENTAL_TARGET
        if found is None:
            ok = "**met**" if fast else "**not met**"
            what = f"{share:.1%} of the first crawl's wall time ({cpu:.1%} of its crawl CPU)"
            lines.append(f"- incremental, unchanged site, < 5% of the first crawl: {what} — {ok}")
            continue
        if "revisit=all" in run.name:  # the cost of refetching everything: a reference
            lines.append(
                f"- reference (not a target), {inc.change_rate:.0%} new or edited ({run.name}):"
                f" {share:.1%} of the first crawl's wall time ({cpu:.1%} of its crawl CPU), new"
                f" {found.new[0]}/{found.new[1]}, edited {found.edited[0]}/{found.edited[1]}"
            )
            continue
        ok = "**met**" if fast and found.complete else "**not met**"
        lines.append(
            f"- incremental, {inc.change_rate:.0%} new or edited ({run.name}), < 5% and every "
            f"new and edited article found: {share:.1%} of the first crawl's wall time "
            f"({cpu:.1%} of its crawl CPU), new {found.new[0]}/{found.new[1]}, edited "
            f"{found.edited[0]}/{found.edited[1]} — {ok}"
        )
    return lines


def plots(sizes: list[Size], directory: Path, stamp: str) -> list[Path]:
    """Throughput and peak RSS against the number of articles, as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    names = ("floor", "archiver", "trafilatura")
    series = {name: [(s.articles, s.runs[name]) for s in sizes if name in s.runs] for name in names}
    throughput = directory / f"crawl-{stamp}-throughput.png"
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, points in series.items():
        if points:
            xs = [n for n, _ in points]
            left.plot(xs, [r.rate for _, r in points], marker="o", label=name)
            right.plot(xs, [r.crawl_cpu_ms for _, r in points], marker="o", label=name)
    ticks = [s.articles for s in sizes]
    for axis, label in ((left, "pages/s (wall)"), (right, "CPU ms per page (crawl)")):
        size_axis(axis, ticks, label)
    fig.suptitle("Crawl throughput against the number of articles")
    fig.tight_layout()
    fig.savefig(throughput, dpi=100)
    plt.close(fig)
    memory = directory / f"crawl-{stamp}-rss.png"
    fig, axis = plt.subplots(figsize=(6, 4))
    for name, points in series.items():
        if points:
            axis.plot([n for n, _ in points], [r.rss_mb for _, r in points], marker="o", label=name)
    axis.axhline(RSS_TARGET_MB, linestyle="--", color="grey", label="target")
    size_axis(axis, ticks, "peak RSS, MB")
    axis.set_title("Peak RSS of the crawl process")
    fig.tight_layout()
    fig.savefig(memory, dpi=100)
    plt.close(fig)
    return [throughput, memory]


def size_axis(axis: Any, ticks: list[int], label: str) -> None:
    """A logarithmic axis of article counts, labelled with the sizes measured."""
    axis.set_xscale("log")
    axis.set_xticks(ticks, [f"{n:,}" for n in ticks])
    axis.minorticks_off()
    axis.set_xlabel("articles")
    axis.set_ylabel(label)
    axis.set_ylim(bottom=0)
    axis.grid(True, alpha=0.3)
    axis.legend()


# -- main --------------------------------------------------------------------------------


def sizes_argument(text: str) -> list[int]:
    values = optional_sizes(text)
    if not values:
        raise argparse.ArgumentTypeError(f"no sizes given: {text!r}")
    return values


def optional_sizes(text: str) -> list[int]:
    """Comma-separated sizes (``1000,10_000``); an empty text is no size."""
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if values and min(values) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return values


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=sizes_argument, default=[1000, 10000, 100000])
    parser.add_argument(
        "--trafilatura-sizes",
        type=optional_sizes,
        default=None,
        help="sizes at which the trafilatura pipeline runs too (default: the smallest; '': none)",
    )
    parser.add_argument(
        "--incremental-size", type=int, default=10000, help="0: no incremental runs"
    )
    parser.add_argument("--change-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--loadtest-seconds", type=float, default=5.0)
    parser.add_argument("--loadtest-clients", type=int, default=4)
    parser.add_argument("--label", default="", help="a word for the section title (quick, full)")
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    parser.add_argument(
        "--plots", type=Path, help="PNG directory (default: plots/ beside the --record file)"
    )
    args = parser.parse_args(argv)
    args.no_plots = None
    args.articles = sorted(set(args.articles))
    if args.trafilatura_sizes is None:
        args.trafilatura_sizes = args.articles[:1]
    if args.plots is None and args.record is not None:
        args.plots = args.record.parent / "plots"
    if set(args.trafilatura_sizes) & set(args.articles) and not find_spec("trafilatura"):
        parser.error("the trafilatura pipeline needs the bench extra: pip install -e '.[bench]'")
    if args.plots and not find_spec("matplotlib"):
        args.plots, args.no_plots = None, "matplotlib (the bench extra) is not installed"
        print(f"No plots: {args.no_plots}.", file=sys.stderr)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    command = shlex.join(["python", "bench/crawl.py", *(sys.argv[1:] if argv is None else argv)])
    started, load_start = time.perf_counter(), os.getloadavg()
    now = datetime.now(timezone.utc)
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_PATH"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    sizes: list[Size] = []
    inc: Incremental | None = None
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        workdir = Path(tmp)
        for articles in args.articles:
            size, found = scaling(articles, args, workdir, env)
            sizes.append(size)
            inc = inc or found
        if args.incremental_size and inc is None:
            inc = separate_incremental(args, workdir, env)
    duration = time.perf_counter() - started
    load_end = os.getloadavg()
    images = plots(sizes, args.plots, f"{now:%Y%m%d-%H%M%S}") if args.plots else []
    section = report(args, sizes, inc, images, command, now, duration, (load_start, load_end))
    print(section)
    if args.record:
        with args.record.open("a", encoding="utf-8") as out:
            out.write("\n" + section)
    return 0


def separate_incremental(
    args: argparse.Namespace, workdir: Path, env: dict[str, str]
) -> Incremental:
    """The incremental runs at a size the scaling part did not crawl."""
    articles = args.incremental_size
    with replica(articles, args.seed, args.change_rate, env) as site:
        db = workdir / f"incremental-{articles}.db"
        first = crawl("first", archiver_command(site.base, db), site, workdir, env, db)
        return incremental(site, first, workdir, env)


def report(
    args: argparse.Namespace,
    sizes: list[Size],
    inc: Incremental | None,
    images: list[Path],
    command: str,
    now: datetime,
    duration: float,
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> str:
    info = machine()
    label = f" ({args.label})" if args.label else ""
    span = ", ".join(str(n) for n in args.articles)
    lines = [
        f"## Crawl benchmark{label}, {span} articles — {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {info['node']}, {info['platform']}, {info['cpu']}, {info['memory']}.  ",
        f"Versions: {info['versions']}.  ",
        f"Load average (1, 5, 15 min): {fmt_load(load[0])} at start, {fmt_load(load[1])} at end; "
        f"the replica, the crawl and the load-test clients share the {os.cpu_count()} cores.  ",
        f"Command: `{command}` ({duration / 60:.1f} min)",
        "",
        "### Throughput and scaling",
        "",
        "Wall: Scrapy's elapsed time. CPU s: user + system of the whole crawl process and its "
        "archive writer process (the rusage of the child and its waited-for children), per "
        "page under *process*; *crawl*: only from the engine's start to the spider's close, "
        "without the interpreter's start-up and imports, plus the whole writer's (*of which "
        "writer*). Peak RSS: the child's ru_maxrss (wait4) plus the writer's own (its "
        "rusage, sent when it closes): a sum, so an upper bound of what both held at once. "
        "Enqueued: Scrapy's `scheduler/enqueued`; frontier "
        "rows: the archive's `frontier` table. Replica CPU: the replica process's, meanwhile. "
        "Load: the 1-minute load average at the crawl's start and end.",
        "",
        *crawl_rows(sizes),
        "",
    ]
    ratio_lines, ratio_values = ratios(sizes)
    lines += [*ratio_lines, ""]
    for size in sizes:
        if size.page_sets:
            lines.append(
                f"Pages at {size.articles} articles: the trafilatura crawl fetched "
                f"{size.runs['trafilatura'].pages} pages, the archiver "
                f"{size.runs['archiver'].pages}; URLs fetched by only one of them: "
                + ", ".join(f"{k} {v}" for k, v in size.page_sets.items())
                + ' (trafilatura finds no "Lire aussi" links: it reaches what the home page, '
                "rubriques, sitemaps and feed list). Rates are compared per page.",
            )
            lines.append("")
    serving_lines, serving = serving_rows(sizes)
    lines += [
        "### Replica serving rate",
        "",
        f"Plain keep-alive GETs of article pages never cached, {args.loadtest_clients} client "
        f"processes, {args.loadtest_seconds:g} s (`mocksite.loadtest.measure`), against the "
        "replica process each size's crawls used.",
        "",
        *serving_lines,
        "",
    ]
    if inc is not None:
        lines += [
            f"### Incremental, {inc.articles} articles, {inc.change_rate:.0%} new or edited",
            "",
            "The first crawl, then a second one of the unchanged site into the same archive; "
            f"then the replica at day 2 (`--change-rate {inc.change_rate:g}`) crawled from two "
            "copies of that archive, by default (`revisit=due`) and with `-a revisit=all`. "
            "Found: fetched this run with the outcome `new`, `updated` or `gone`, out of the "
            "replica's ground truth (`Site.changes(2)`; whitespace-only edits are not edits).",
            "",
            *incremental_rows(inc),
            "",
        ]
    lines += ["### Targets", "", *targets(sizes, ratio_values, serving, inc), ""]
    if images:
        base = args.record.parent if args.record else Path.cwd()
        links = [f"![{p.stem}]({os.path.relpath(p, base)})" for p in images]
        lines += ["Plots: " + " ".join(links), ""]
    elif args.no_plots:
        lines += [f"Plots: none, {args.no_plots}.", ""]
    return "\n".join(lines)


def fmt_load(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
