"""What crawling on several nodes and merging their archives costs (docs/scaling.md).

    python bench/merge.py [--articles 1000,10000,100000] [--seed 1] [--record bench/RESULTS.md]

For each size N, two replica processes (``bench/replica.py``, seeds S and S+1: two sites on
two ports, as two nodes would crawl two sites) each serve N articles; each is crawled once
(``scrapy crawl sputnik``, the crawl of ``bench/crawl.py``, photos off) into its own archive,
a *shard*. Then, in this process, one after the other:

- ``into empty``: shard 1 merged into an empty archive (``archive.merge.merge``);
- ``into N``: shard 2 merged into that archive, which holds N articles already;
- ``shard 2 alone``: shard 2 merged into an empty archive, the baseline of the line before
  (their ratio is what a target of N articles adds to merging N more);
- ``again``: shard 1 merged again into the archive of both (nothing new: the cost of
  checking a shard already merged);
- then node 1 crawls its site again a week later (the replica's day 8: new articles, edits,
  pages gone), and its grown archive is merged ``since the last`` (into the archive of both,
  reading only what it gained) and ``whole`` (into an empty archive, reading all of it).

Reported: per crawl, pages/s and CPU ms a page (one node's figures, each crawl having one
replica on the same machine); per merge, wall and CPU seconds, rows brought (every row of the
shard's tables that a merge carries: crawls, fetches, articles, versions, urls, links, tags,
events, captures, photos), rows/s and articles/s; the shard's file size per 1,000 articles;
the merged archive's size against the sum of the shards'.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive import Archive, merge  # noqa: E402
from bench.crawl import (  # noqa: E402
    Run,
    archiver_command,
    crawl,
    fmt_load,
    machine,
    read_only,
    replica,
    sizes_argument,
)

#: The tables whose rows a merge carries, for the rows/s figure.
ROW_TABLES = (
    "crawls",
    "fetches",
    "articles",
    "versions",
    "urls",
    "links",
    "article_tags",
    "events",
    "captures",
    "media",
    "version_media",
)


@dataclass
class Merge:
    name: str
    articles: int
    rows: int
    seconds: float
    cpu: float
    report: merge.MergeReport

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


@dataclass
class Size:
    articles: int
    crawls: list[Run]
    shard_bytes: list[int]
    merges: list[Merge]
    merged_bytes: int


def file_size(path: Path) -> int:
    """The archive's size on disk, its WAL included."""
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def rows_of(path: Path) -> int:
    with read_only(path) as conn:
        return sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ROW_TABLES)


def articles_of(path: Path) -> int:
    with read_only(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_merge(name: str, target: Path, shard: Path) -> Merge:
    with Archive(target) as archive:
        started, cpu = time.perf_counter(), cpu_now()
        report = merge.merge(archive, shard)
        seconds, cpu = time.perf_counter() - started, cpu_now() - cpu
    # Rows carried: every row of a shard read whole (none for a shard that brought nothing,
    # and not counted for one read from where its last merge stopped).
    rows = 0 if report.nothing_new or report.incremental else rows_of(shard)
    articles = report.articles_new + report.articles_changed
    print(
        f"merge {name}: {articles} articles, {rows} rows in {seconds:.1f} s ({cpu:.1f} s CPU)",
        file=sys.stderr,
        flush=True,
    )
    return Merge(name, articles, rows, seconds, cpu, report)


def measure(articles: int, seed: int, workdir: Path, env: dict[str, str]) -> Size:
    crawls, shards = [], []
    target, alone = workdir / f"{articles}-merged.db", workdir / f"{articles}-alone.db"
    whole = workdir / f"{articles}-whole.db"
    with replica(articles, seed, 0.05, env) as first:
        shards.append(workdir / f"{articles}-node-1.db")
        command = archiver_command(first.base, shards[0])
        crawls.append(crawl("node 1", command, first, workdir, env, db=shards[0]))
        with replica(articles, seed + 1, 0.05, env) as second:
            shards.append(workdir / f"{articles}-node-2.db")
            command = archiver_command(second.base, shards[1])
            crawls.append(crawl("node 2", command, second, workdir, env, db=shards[1]))
        merges = [
            timed_merge("into empty", target, shards[0]),
            timed_merge(f"into {articles}", target, shards[1]),
            timed_merge("shard 2 alone", alone, shards[1]),
            timed_merge("again", target, shards[0]),
        ]
        sizes = [file_size(s) for s in shards]
        # A week later node 1 crawls again (new articles, edits, pages gone) and its grown
        # archive is merged: from where its last merge stopped, against the whole of it.
        first.set_day(8)
        command = archiver_command(first.base, shards[0])
        crawls.append(crawl("node 1, a week later", command, first, workdir, env, db=shards[0]))
        merges += [
            timed_merge("grown, since the last", target, shards[0]),
            timed_merge("grown, whole", whole, shards[0]),
        ]
    assert merges[-2].report.incremental and not merges[-1].report.incremental
    size = Size(articles, crawls, sizes, merges, file_size(target))
    with read_only(target) as conn:
        merged_articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert merged_articles == articles_of(shards[0]) + articles_of(shards[1])
    for path in (*shards, target, alone, whole):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return size


def report(
    args: argparse.Namespace,
    sizes: list[Size],
    command: str,
    now: datetime,
    seconds: float,
    load: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> str:
    info = machine()
    lines = [
        f"## {now:%Y-%m-%d %H:%M} UTC: crawl on two nodes, merge (bench/merge.py)",
        "",
        f"Command: `{command}`",
        f"Machine: {info['node']}, {info['platform']}, {info['cpu']}, {info['memory']}",
        f"Versions: {info['versions']}",
        f"Load (1, 5, 15 min) before: {fmt_load(load[0])}; after: {fmt_load(load[1])}; "
        f"{seconds / 60:.1f} min in all.",
        "",
        "Each node's crawl (one replica each, photos off):",
        "",
        "| articles | node | pages | stored | wall s | pages/s | CPU ms/page | shard MB "
        "| MB / 1,000 articles |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for run, shard_bytes in zip(size.crawls, [*size.shard_bytes, None], strict=True):
            if shard_bytes is None:  # the crawl a week later: its counts only
                lines.append(
                    f"| {size.articles} | {run.name} | {run.pages} | {run.stored} | "
                    f"{run.seconds:.1f} | {run.rate:.0f} | {run.cpu_ms:.2f} | - | - |"
                )
                continue
            per_k = shard_bytes / 2**20 / max(run.stored or 1, 1) * 1000
            lines.append(
                f"| {size.articles} | {run.name} | {run.pages} | {run.stored} | "
                f"{run.seconds:.1f} | {run.rate:.0f} | {run.cpu_ms:.2f} | "
                f"{shard_bytes / 2**20:.1f} | {per_k:.2f} |"
            )
    lines += [
        "",
        "Merges (in this process, one after the other):",
        "",
        "| articles a shard | merge | articles | rows | wall s | CPU s | rows/s | articles/s "
        "| wall / shard 2 alone |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        alone = next(m for m in size.merges if m.name == "shard 2 alone")
        for m in size.merges:
            ratio = f"{m.seconds / alone.seconds:.2f}" if alone.seconds else "-"
            lines.append(
                f"| {size.articles} | {m.name} | {m.articles} | {m.rows or '-'} | "
                f"{m.seconds:.2f} | {m.cpu:.2f} | {f'{m.rows_per_s:.0f}' if m.rows else '-'} | "
                f"{m.articles_per_s:.0f} | {ratio} |"
            )
    lines += ["", "Merged archive against its shards:", ""]
    for size in sizes:
        total = sum(size.shard_bytes)
        lines.append(
            f"- {size.articles} a shard: {size.merged_bytes / 2**20:.1f} MB merged, "
            f"{total / 2**20:.1f} MB of shards ({size.merged_bytes / total:.2f}x)."
        )
    return "\n".join(lines) + "\n"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=sizes_argument, default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    command = shlex.join(["python", "bench/merge.py", *(sys.argv[1:] if argv is None else argv)])
    started, load_start = time.perf_counter(), os.getloadavg()
    now = datetime.now(timezone.utc)
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_PATH", "ARCHIVE_IMAGES")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    sizes = []
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as tmp:
        for articles in args.articles:
            sizes.append(measure(articles, args.seed, Path(tmp), env))
    section = report(
        args, sizes, command, now, time.perf_counter() - started, (load_start, os.getloadavg())
    )
    print(section)
    if args.record:
        with args.record.open("a", encoding="utf-8") as out:
            out.write("\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
