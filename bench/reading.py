"""Reading the archive: export throughput and memory, search latency, size per 1,000 articles.

For each size N, an archive of the N articles of the replica site (``mocksite``, seed
``--seed``) is built through the crawl's own code, without HTTP: ``mocksite``'s ``App``
answers each article URL as its server would (body and headers), the spider's
``parse_article`` reads that response (page object, "Lire aussi" links, headers kept for the
capture), and the crawl's pipelines (``CleanPipeline``, then ``ArchivePipeline``) store the
item in one transaction, capture included, after the URLs were added to the frontier as a
listing page would add them. The archive is cached under ``--workdir`` and reused by the
next run with the same N and seed.

Then, at each size:

- exports (``jsonl``, ``csv``, ``warc``, and ``jsonl`` with ``--tag`` / ``--since``), each
  run as its own ``archive --db X export`` process; rows per second and the process's peak
  RSS (``VmHWM``, polled), beside the peak RSS of ``archive --db X crawls --limit 1``
  (start-up and opening the archive, nothing streamed);
- search latency in process, through ``Archive.search`` as ``archive search`` calls it
  (limit 20), over queries drawn from the archived text, after one warm-up query; and the
  ``archive articles --tag X --limit 20`` listing (``Archive.articles``);
- the file size after a checkpoint, with the captures and without them (the pages of the
  ``captures`` table and its indexes, counted by SQLite's ``dbstat``).

    python bench/reading.py --articles 1000,10000,100000 [--workdir DIR] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings

from archive import Archive, FrontierEntry
from archive.filters import ArticleFilters
from archive.french import parse_query
from crawler.pipelines.clean import CleanPipeline
from crawler.pipelines.store import ArchivePipeline
from crawler.session import ArchiveSession
from crawler.spiders.sputnik import HOP, SputnikSpider
from extraction.items import PageItem
from mocksite.server import App
from mocksite.site import RUBRIQUE_SLUGS, Site

#: Where the replica "is served": its URLs are the archive's URLs, as in ``make demo``.
BASE_URL = "http://127.0.0.1:8000"
MOBILE_BASE_URL = "http://127.0.0.2:8000"
#: Articles per listing page: the frontier rows a rubrique page adds at once.
LISTING = 20
#: Pages a build worker makes per task, and tasks made ahead of the store.
CHUNK = 32
AHEAD = 4
#: Bump when the build changes what is stored, so that cached archives are rebuilt.
BUILD_VERSION = 1
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "sputnik-bench-reading"
SEARCH_LIMIT = 20
#: How often an export's peak RSS is read.
RSS_POLL_S = 0.01
BASELINE_RUNS = 3
#: Share of each kind of query among ``--queries``.
QUERY_KINDS: tuple[tuple[str, float], ...] = (
    ("word", 0.40),
    ("unaccented", 0.15),
    ("two words", 0.20),
    ("phrase", 0.15),
    ("OR", 0.10),
)
LISTING_TAGS = 50
LISTING_PLAIN = 20
#: An export streams in constant memory when its peak RSS at the largest size is at most
#: this many times the one at the smallest.
CONSTANT_MEMORY_RATIO = 1.2
SEARCH_TARGET_MS = 100.0
TARGET_SIZE = 100_000
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Function words not worth a query of their own.
STOPWORDS = frozenset([
    "avec", "dans", "pour", "plus", "cette", "sont", "être", "leur", "leurs", "mais", "comme",
    "selon", "aussi", "tout", "tous", "toute", "entre", "elle", "elles", "nous", "vous", "ont",
    "était", "avait", "sans", "sous", "vers", "dont", "depuis", "après", "avant", "encore",
    "très", "fait", "faire", "peut", "ainsi", "alors", "cela", "ceux", "celle", "celui",
    "donc", "même", "mêmes", "autre", "autres", "deux", "trois", "quand", "lors", "chez",
    "contre",
])  # fmt: skip


# -- building ---------------------------------------------------------------------------


class PageMaker:
    """What a crawl of the replica reads from one article URL, without the network.

    The site's ``App`` renders the page its server would send; a Scrapy ``HtmlResponse``
    carries it, with the headers the server sends, to the spider's ``parse_article``; the
    crawl's ``CleanPipeline`` then cleans the item, as in a crawl.
    """

    def __init__(self, articles: int, seed: int) -> None:
        self.site = Site(articles, seed)
        self.app = App(self.site, BASE_URL, mobile_base=MOBILE_BASE_URL)
        self.spider = SputnikSpider(start=BASE_URL + "/")
        self.clean = CleanPipeline()

    def url(self, position: int) -> str:
        return BASE_URL + self.site.url_path(self.site.index_at(position))

    def referer(self, position: int) -> str:
        return f"{BASE_URL}/{RUBRIQUE_SLUGS[self.site.rubrique_of(self.site.index_at(position))]}/"

    def items(self, position: int) -> list[Any]:
        """The ``PageItem``s the spider yields for the article at ``position`` (0: newest),
        cleaned; the requests it yields (the "Lire aussi" links to follow) are dropped: each
        of those articles is stored at its own position."""
        url = self.url(position)
        started = time.perf_counter()
        served = self.app.handle(url[len(BASE_URL) :])
        latency = time.perf_counter() - started
        headers = {
            "Content-Length": str(len(served.body)),
            "Server": "mocksite/1.0",
            "Date": formatdate(usegmt=True),
            "Content-Type": served.content_type,
        }
        for line in served.fields:
            name, value = line.split(": ", 1)
            headers[name] = value
        if served.location:
            headers["Location"] = served.location
        request = Request(url, meta={HOP: 0, "download_latency": latency})
        response = HtmlResponse(
            url, status=served.status, headers=headers, body=served.body, request=request
        )
        if served.status != 200:
            return []  # not on day 1 of the replica; counted as skipped
        return [
            self.clean.process_item(item)
            for item in self.spider.parse_article(response)
            if isinstance(item, PageItem)
        ]


_maker: PageMaker | None = None


def _init_worker(articles: int, seed: int) -> None:
    global _maker
    _maker = PageMaker(articles, seed)


def _worker_items(start: int, stop: int) -> list[list[Any]]:
    assert _maker is not None
    return [_maker.items(position) for position in range(start, stop)]


def _pages_from(pool: Any, articles: int) -> Iterator[list[Any]]:
    """The items of every position, in order, from the worker pool, with at most
    :data:`AHEAD` chunks of :data:`CHUNK` pages made ahead of the store (not all of them
    queued in memory, as ``Pool.imap`` would when the store is the slower side)."""
    starts = iter(range(0, articles, CHUNK))
    pending: deque[Any] = deque()

    def submit() -> None:
        start = next(starts, None)
        if start is not None:
            stop = min(start + CHUNK, articles)
            pending.append(pool.apply_async(_worker_items, (start, stop)))

    for _ in range(AHEAD):
        submit()
    while pending:
        chunk = pending.popleft().get()
        submit()
        yield from chunk


@dataclass
class Build:
    articles: int
    seed: int
    seconds: float
    stored: int
    skipped: int
    workers: int
    built_at: str
    version: int = BUILD_VERSION
    commit: str = ""  # the tree the archive was built with ("+dirty": uncommitted changes)

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def build_archive(path: Path, articles: int, seed: int, workers: int) -> Build:
    """Store the site's ``articles`` articles, newest first, as one crawl would."""
    maker = PageMaker(articles, seed)
    pool = None
    if workers > 0:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = context.Pool(workers, initializer=_init_worker, initargs=(articles, seed))
        pages: Iterator[list[Any]] = _pages_from(pool, articles)
    else:
        pages = (maker.items(position) for position in range(articles))
    started = time.perf_counter()
    stored = skipped = 0
    try:
        with Archive(path) as archive:
            arguments = {"start": BASE_URL + "/", "built_by": "bench/reading.py"}
            crawl_id = archive.begin_crawl("sputnik", arguments)
            session = ArchiveSession(archive=archive, crawl_id=crawl_id, path=path)
            # The store needs no crawler, only settings (no feed export here).
            pipeline = ArchivePipeline(SimpleNamespace(settings=Settings()))  # type: ignore[arg-type]
            for position in range(articles):
                if position % LISTING == 0:
                    listed = range(position, min(position + LISTING, articles))
                    entries = [
                        FrontierEntry(url=maker.url(p), hop=0, referer=maker.referer(p))
                        for p in listed
                    ]
                    archive.add_to_frontier(entries, crawl_id=crawl_id)
                items = next(pages)
                if not items:
                    skipped += 1
                for item in items:
                    pipeline.store(session, item)
                    stored += 1
                if (position + 1) % 5000 == 0:
                    elapsed = time.perf_counter() - started
                    print(
                        f"  built {position + 1:,}/{articles:,} in {elapsed:.0f} s"
                        f" ({(position + 1) / elapsed:.0f} articles/s)",
                        file=sys.stderr,
                        flush=True,
                    )
            archive.finish_crawl(crawl_id, "finished")
            archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    seconds = time.perf_counter() - started
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Build(articles, seed, seconds, stored, skipped, workers, built_at, commit=tree())


def tree() -> str:
    """The commit of the working tree, ``+dirty`` when it has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return head + ("+dirty" if head and dirty else "")


def ensure_archive(
    workdir: Path, articles: int, seed: int, workers: int
) -> tuple[Path, Build, bool]:
    """The cached archive of ``articles`` articles (built now if missing or stale)."""
    folder = workdir / f"archive-{articles}-seed{seed}"
    path, meta = folder / "archive.db", folder / "build.json"
    if path.exists() and meta.exists():
        try:
            build = Build(**json.loads(meta.read_text()))
        except (TypeError, ValueError):
            build = None
        if build and (build.articles, build.seed, build.version) == (articles, seed, BUILD_VERSION):
            return path, build, True
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"building {articles:,} articles in {path}", file=sys.stderr, flush=True)
    build = build_archive(path, articles, seed, workers)
    meta.write_text(json.dumps(asdict(build), indent=1))
    return path, build, False


# -- exports ----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_rss_kib: int
    stdout: str


def archive_command() -> list[str]:
    """The ``archive`` console script of this environment."""
    script = Path(sys.executable).with_name("archive")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from archive.cli import main; main()"]


def peak_rss_kib(pid: int) -> int | None:
    """The process's peak resident set (``VmHWM`` of ``/proc/PID/status``), in KiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else None


def run_cli(args: Sequence[str], workdir: Path) -> Run:
    """Run ``archive ARGS`` to its end; its wall time and peak RSS.

    The peak is ``VmHWM`` polled every :data:`RSS_POLL_S` until the process exits: unlike
    ``ru_maxrss`` from ``wait4``/``RUSAGE_CHILDREN``, which on Linux also counts the memory
    of the (v)forking parent, this bench, VmHWM belongs to the new program's address space.
    """
    out_path, err_path = workdir / "cli.stdout", workdir / "cli.stderr"
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_PATH"}
    peak = 0
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen([*archive_command(), *args], stdout=out, stderr=err, env=env)
        while process.poll() is None:
            peak = max(peak, peak_rss_kib(process.pid) or 0)
            time.sleep(RSS_POLL_S)
        seconds = time.perf_counter() - started
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        raise SystemExit(f"archive {shlex.join(args)} failed ({process.returncode}):\n{stderr}")
    return Run(seconds, peak, stdout)


@dataclass
class ExportRow:
    articles: int
    name: str  # "jsonl", "csv", "warc", "jsonl --tag X", "baseline"
    rows: int
    seconds: float
    peak_rss_kib: int
    bytes: int
    startup: float = 0.0  # the baseline's seconds at this size

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def net_rate(self) -> float | None:
        """Rows per second after start-up; ``None`` when start-up is most of the run (the
        difference is then mostly noise)."""
        net = self.seconds - self.startup
        return self.rows / net if net > self.startup else None


def filter_values(path: Path) -> tuple[str, str]:
    """The most frequent tag, and the day from which the newest tenth was published."""
    with sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True) as conn:
        (tag,) = conn.execute(
            "SELECT tags.name FROM article_tags JOIN tags ON tags.id = article_tags.tag_id"
            " GROUP BY tags.id ORDER BY COUNT(*) DESC, tags.name LIMIT 1"
        ).fetchone()
        (count,) = conn.execute("SELECT COUNT(*) FROM articles").fetchone()
        (day,) = conn.execute(
            "SELECT substr(published_at, 1, 10) FROM articles ORDER BY published_at DESC"
            " LIMIT 1 OFFSET ?",
            (max(0, count // 10 - 1),),
        ).fetchone()
    conn.close()
    return str(tag), str(day)


def measure_exports(path: Path, articles: int, workdir: Path) -> list[ExportRow]:
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    db = ["--db", str(path)]
    # The median of a few runs: start-up time varies most on a busy machine.
    runs = [run_cli([*db, "crawls", "--limit", "1", "--json"], out) for _ in range(BASELINE_RUNS)]
    baseline = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    peak = max(run.peak_rss_kib for run in runs)
    rows = [ExportRow(articles, "baseline", 0, baseline.seconds, peak, 0)]
    tag, since = filter_values(path)
    exports: list[tuple[str, str, list[str]]] = [
        ("jsonl", "jsonl", []),
        ("csv", "csv", []),
        ("warc", "warc", []),
        (f"jsonl --tag {tag}", "jsonl", ["--tag", tag]),
        (f"jsonl --since {since}", "jsonl", ["--since", since]),
    ]
    for name, export_format, extra in exports:
        target = out / f"export.{export_format}"
        args = [*db, "export", "--format", export_format, "-o", str(target), "--json", *extra]
        run = run_cli(args, out)
        summary = json.loads(run.stdout)
        count = int(summary["captures"] if export_format == "warc" else summary["articles"])
        size = target.stat().st_size
        target.unlink()
        rows.append(
            ExportRow(articles, name, count, run.seconds, run.peak_rss_kib, size, baseline.seconds)
        )
    return rows


# -- search -----------------------------------------------------------------------------


def fold_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return WORD.findall(text or "")


def _query_word(rng: random.Random, words: list[str], accented: bool = False) -> str | None:
    candidates = [
        w
        for w in words
        if len(w) >= 4
        and "'" not in w
        and "’" not in w
        and w.casefold() not in STOPWORDS
        and (not accented or not w.isascii())
    ]
    return rng.choice(candidates).casefold() if candidates else None


def make_queries(archive: Archive, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` queries (kind, query) from the text of articles drawn at random."""
    (total,) = archive.db.execute("SELECT MAX(id) FROM articles").fetchone()
    queries: list[tuple[str, str]] = []

    def text() -> tuple[list[str], str]:
        while True:
            row = archive.db.execute(
                "SELECT title, lead, body FROM articles WHERE id = ?", (rng.randint(1, total),)
            ).fetchone()
            if row is not None:
                body = row[2] or row[1] or ""
                return _words(" ".join(v or "" for v in row)), body

    for kind, share in QUERY_KINDS:
        wanted = max(1, round(count * share))
        made = 0
        while made < wanted:
            words, body = text()
            query: str | None = None
            if kind == "word":
                query = _query_word(rng, words)
            elif kind == "unaccented":
                word = _query_word(rng, words, accented=True)
                query = fold_accents(word) if word else None
            elif kind == "two words":
                first, second = _query_word(rng, words), _query_word(rng, words)
                query = f"{first} {second}" if first and second and first != second else None
            elif kind == "phrase":
                sentence = _words(rng.choice(body.split(". ")) if body else "")
                if len(sentence) >= 3:
                    start = rng.randrange(len(sentence) - 2)
                    query = '"' + " ".join(sentence[start : start + 3]) + '"'
            else:
                first, (other, _) = _query_word(rng, words), text()
                second = _query_word(rng, other)
                query = f"{first} OR {second}" if first and second else None
            if query:
                queries.append((kind, query))
                made += 1
    return queries


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 for p95)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil
    return ordered[int(rank) - 1]


@dataclass
class Latency:
    articles: int
    name: str
    times_ms: list[float]
    matches: list[int] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 0.95)

    @property
    def worst(self) -> float:
        return max(self.times_ms)


def count_matches(archive: Archive, query: str) -> int:
    match = parse_query(query).match
    if not match:
        return 0
    (n,) = archive.db.execute(
        "SELECT COUNT(*) FROM articles_fts_fr WHERE articles_fts_fr MATCH ?", (match,)
    ).fetchone()
    return int(n)


def measure_search(
    path: Path, articles: int, count: int, seed: int
) -> tuple[list[Latency], list[tuple[float, str, int]]]:
    """Per kind and overall; and the three slowest queries (ms, query, matches)."""
    rng = random.Random(seed)
    # As the CLI opens it (read-write when the file is writable; an up-to-date archive is
    # not written to).
    with Archive(path, readonly=not os.access(path, os.W_OK)) as archive:
        queries = make_queries(archive, count, rng)
        archive.search("moscou")  # warm-up
        by_kind: dict[str, Latency] = {}
        overall = Latency(articles, "all", [])
        slowest: list[tuple[float, str, int]] = []
        for kind, query in queries:
            started = time.perf_counter()
            archive.search(query, limit=SEARCH_LIMIT)
            ms = (time.perf_counter() - started) * 1000
            matches = count_matches(archive, query)
            entry = by_kind.setdefault(kind, Latency(articles, kind, []))
            for latency in (entry, overall):
                latency.times_ms.append(ms)
                latency.matches.append(matches)
            slowest.append((ms, query, matches))
    slowest.sort(reverse=True)
    return [*by_kind.values(), overall], slowest[:3]


def measure_listing(path: Path, articles: int, seed: int) -> list[Latency]:
    """``archive articles --tag X --limit 20`` over tags drawn at random, and
    ``archive articles --limit 20``."""
    rng = random.Random(seed)
    with Archive(path, readonly=not os.access(path, os.W_OK)) as archive:
        names = [row[0] for row in archive.db.execute("SELECT name FROM tags ORDER BY id")]
        tags = rng.sample(names, min(LISTING_TAGS, len(names)))
        archive.articles(ArticleFilters(limit=20))  # warm-up
        by_tag = Latency(articles, "articles --tag X --limit 20", [])
        for tag in tags:
            started = time.perf_counter()
            rows = archive.articles(ArticleFilters(tag=tag, limit=20))
            by_tag.times_ms.append((time.perf_counter() - started) * 1000)
            by_tag.matches.append(len(rows))
        plain = Latency(articles, "articles --limit 20", [])
        for _ in range(LISTING_PLAIN):
            started = time.perf_counter()
            rows = archive.articles(ArticleFilters(limit=20))
            plain.times_ms.append((time.perf_counter() - started) * 1000)
            plain.matches.append(len(rows))
    return [by_tag, plain]


# -- size -------------------------------------------------------------------------------


@dataclass
class Size:
    articles: int
    total: int
    captures: int
    free: int

    def per_thousand(self, value: int) -> float:
        return value / self.articles * 1000 / 1e6 if self.articles else 0.0


def measure_size(path: Path) -> Size:
    """The file after a checkpoint (database plus WAL), and the bytes of the ``captures``
    table and its indexes (``dbstat``)."""
    with Archive(path) as archive:
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (articles,) = archive.db.execute("SELECT COUNT(*) FROM articles").fetchone()
        names = [
            row[0]
            for row in archive.db.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'captures'"
                " AND type IN ('table', 'index')"
            )
        ]
        marks = ", ".join("?" for _ in names)
        (captures,) = archive.db.execute(
            f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ({marks})", names
        ).fetchone()
        (free,) = archive.db.execute("PRAGMA freelist_count").fetchone()
        (page_size,) = archive.db.execute("PRAGMA page_size").fetchone()
    wal = Path(f"{path}-wal")
    total = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return Size(int(articles), total, int(captures), int(free) * int(page_size))


# -- report -----------------------------------------------------------------------------


@dataclass
class Results:
    builds: list[tuple[Build, bool]] = field(default_factory=list)
    exports: list[ExportRow] = field(default_factory=list)
    searches: list[Latency] = field(default_factory=list)
    slowest: dict[int, list[tuple[float, str, int]]] = field(default_factory=dict)
    listings: list[Latency] = field(default_factory=list)
    sizes: list[Size] = field(default_factory=list)


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def versions() -> str:
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Scrapy {scrapy.__version__}"
    )


def render(results: Results, sizes: list[int], command: str, note: str, queries: int) -> str:
    today = f"{datetime.now(timezone.utc):%Y-%m-%d}"
    label = ", ".join(f"{n:,}" for n in sizes)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## Reading the archive, {label} articles — {today}",
        "",
        f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} cores "
        f"({platform.platform()}), {versions()}; load average at the start {load}"
        + (f"; {note}" if note else "")
        + ".  ",
        f"Command: `{command}`",
        "",
        "Archives built through the crawl's code (mocksite page → `parse_article` → "
        "`CleanPipeline` → `ArchivePipeline`, capture kept), no HTTP; cached per size and seed.",
        "",
        "| articles | stored | build s | articles/s | build workers | built | tree |",
        "|---:|---:|---:|---:|---:|---|---|",
    ]
    for build, cached in results.builds:
        when = f"cached ({build.built_at[:10]})" if cached else "this run"
        lines.append(
            f"| {build.articles:,} | {build.stored:,} | {build.seconds:.0f} | {build.rate:.0f}"
            f" | {build.workers} | {when} | {build.commit or 'not recorded'} |"
        )
    lines += [
        "",
        "Exports, each its own `archive --db X export --format F -o FILE --json` process; "
        "baseline: `archive --db X crawls --limit 1 --json` (start-up and opening the archive; "
        f"median of {BASELINE_RUNS} runs). "
        "Peak RSS: that process's `VmHWM`, polled every 10 ms; rows/s net of start-up "
        "subtracts the baseline's seconds (shown when the export took over twice as long).",
        "",
        "| articles | export | rows | seconds | rows/s | rows/s net of start-up "
        "| peak RSS MiB | output MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results.exports:
        if row.name == "baseline":
            lines.append(
                f"| {row.articles:,} | baseline | – | {row.seconds:.2f} | – | – "
                f"| {mib(row.peak_rss_kib)} | – |"
            )
        else:
            net = row.net_rate
            lines.append(
                f"| {row.articles:,} | {row.name} | {row.rows:,} | {row.seconds:.2f} "
                f"| {row.rate:,.0f} | {'–' if net is None else f'{net:,.0f}'} "
                f"| {mib(row.peak_rss_kib)} "
                f"| {row.bytes / 1e6:.1f} |"
            )
    smallest, largest = min(sizes), max(sizes)
    memory = _memory_ratios(results.exports, smallest, largest)
    lines += [
        "",
        f"Peak RSS at {largest:,} / at {smallest:,} articles (MiB):",
        "",
        f"| export | {smallest:,} | {largest:,} | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name, low, high in memory:
        lines.append(f"| {name} | {mib(low)} | {mib(high)} | {high / low:.2f} |")
    lines += [
        "",
        f"Search, in process (`Archive.search`, limit {SEARCH_LIMIT}, as `archive search`), "
        f"{queries} queries drawn from the archived text after one warm-up query; "
        "matches: articles the query matches (median).",
        "",
        "| articles | queries | n | p50 ms | p95 ms | max ms | median matches |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for latency in results.searches + results.listings:
        lines.append(
            f"| {latency.articles:,} | {latency.name} | {len(latency.times_ms)} "
            f"| {latency.p50:.1f} | {latency.p95:.1f} | {latency.worst:.1f} "
            f"| {statistics.median(latency.matches) if latency.matches else 0:,.0f} |"
        )
    for articles, slowest in sorted(results.slowest.items()):
        shown = "; ".join(f"`{q}` {ms:.0f} ms ({m:,} matches)" for ms, q, m in slowest)
        lines.append(f"\nSlowest at {articles:,}: {shown}")
    lines += [
        "",
        "Size after `PRAGMA wal_checkpoint(TRUNCATE)` (database plus WAL); without captures: "
        "minus the pages of the `captures` table and its indexes (`dbstat`).",
        "",
        "| articles | file MB | MB per 1,000 | captures MB | MB per 1,000 without captures "
        "| captures share | free pages MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results.sizes:
        share = size.captures / size.total if size.total else 0.0
        lines.append(
            f"| {size.articles:,} | {size.total / 1e6:.1f} | {size.per_thousand(size.total):.2f} "
            f"| {size.captures / 1e6:.1f} | {size.per_thousand(size.total - size.captures):.2f} "
            f"| {share:.0%} | {size.free / 1e6:.1f} |"
        )
    lines += ["", *targets(results, memory, largest)]
    return "\n".join(lines) + "\n"


def _memory_ratios(
    exports: list[ExportRow], smallest: int, largest: int
) -> list[tuple[str, int, int]]:
    def key(row: ExportRow) -> str:
        return row.name.split(" --")[0] + (" (filtered)" if " --" in row.name else "")

    found: dict[tuple[str, int], int] = {}
    for row in exports:
        name = key(row)
        found[name, row.articles] = max(found.get((name, row.articles), 0), row.peak_rss_kib)
    names = list(dict.fromkeys(key(row) for row in exports))
    return [
        (name, found[name, smallest], found[name, largest])
        for name in names
        if (name, smallest) in found and (name, largest) in found
    ]


def targets(results: Results, memory: list[tuple[str, int, int]], largest: int) -> list[str]:
    at = f"{TARGET_SIZE:,}"
    if largest < TARGET_SIZE:
        return [
            f"- Search p95 under {SEARCH_TARGET_MS:.0f} ms at {at} articles: not measured "
            f"(largest archive {largest:,}).",
            f"- Exports in constant memory at {at} articles: not measured "
            f"(largest archive {largest:,}).",
        ]
    overall = next(s for s in results.searches if s.articles == largest and s.name == "all")
    met = overall.p95 < SEARCH_TARGET_MS
    exports = [(n, lo, hi) for n, lo, hi in memory if n in ("jsonl", "csv", "warc")]
    constant = all(hi <= lo * CONSTANT_MEMORY_RATIO for _, lo, hi in exports)
    worst = max((hi / lo for _, lo, hi in exports), default=0.0)
    return [
        f"- Search p95 under {SEARCH_TARGET_MS:.0f} ms at {largest:,} articles: "
        f"**{'met' if met else 'not met'}** (p95 {overall.p95:.1f} ms over "
        f"{len(overall.times_ms)} queries).",
        f"- Exports in constant memory at {largest:,} articles (peak RSS at most "
        f"{CONSTANT_MEMORY_RATIO}× the smallest archive's): "
        f"**{'met' if constant else 'not met'}** (worst ratio {worst:.2f}).",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="1000,10000", help="sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--queries", type=int, default=200, help="search queries per size")
    parser.add_argument(
        "--workers",
        type=int,
        default=1 if (os.cpu_count() or 1) > 1 else 0,
        help="processes rendering and parsing pages during a build (0: none)",
    )
    parser.add_argument("--note", default="", help="added to the Machine line")
    parser.add_argument("--record", type=Path, help="append the section to this Markdown file")
    args = parser.parse_args(argv)
    sizes = sorted({int(n.replace("_", "")) for n in args.articles.split(",") if n.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("--articles: give sizes of at least 1")
    argv_shown = list(sys.argv[1:] if argv is None else argv)
    command = shlex.join(["python", "bench/reading.py", *argv_shown])

    args.workdir.mkdir(parents=True, exist_ok=True)
    results = Results()
    for articles in sizes:
        path, build, cached = ensure_archive(args.workdir, articles, args.seed, args.workers)
        results.builds.append((build, cached))
        with Archive(path):
            pass  # apply any migration now, not inside a measured command
        print(f"measuring {articles:,} articles", file=sys.stderr, flush=True)
        results.sizes.append(measure_size(path))
        results.exports += measure_exports(path, articles, args.workdir)
        searches, slowest = measure_search(path, articles, args.queries, args.seed)
        results.searches += searches
        results.slowest[articles] = slowest
        results.listings += measure_listing(path, articles, args.seed)
    section = render(results, sizes, command, args.note, args.queries)
    print(section)
    if args.record:
        with args.record.open("a", encoding="utf-8") as out:
            out.write("\n" + section)


if __name__ == "__main__":
    main()
