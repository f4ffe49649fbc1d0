"""What keeping the articles' photos costs a crawl: ``ARCHIVE_IMAGES=none``, ``main``, ``all``.

    python bench/photos.py [--articles 1000] [--passes 2] [--seed 1] [--record bench/RESULTS.md]

One replica process (``bench/replica.py``) serves N articles and their photos (small JPEGs);
against it, each pass crawls the site once in each mode (``scrapy crawl sputnik`` with
``-s ARCHIVE_IMAGES=MODE``, the crawl of ``bench/crawl.py``), each into a fresh archive. The
order of the modes alternates from one pass to the next (none, main, all; then all, main,
none; ...) so that no mode always runs first or last on a machine whose load drifts.

Reported per mode (the mean of the passes; the spread of wall time in brackets): Scrapy's
elapsed time, the crawl's CPU (engine start to spider close, writer included, see
``bench/stats_file.py``), pages a second (the article and discovery pages, not the photos),
the requests answered (pages + photo requests), the photos stored (``media`` rows) and their
bytes, the archive file's size after the crawl (with its WAL, if any is left); and the ratios
of wall time, crawl CPU and archive size to ``none``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.crawl import (  # noqa: E402
    Replica,
    Run,
    archiver_command,
    crawl,
    fmt_load,
    machine,
    read_only,
    replica,
)

MODES = ("none", "main", "all")


@dataclass
class Photos:
    """One crawl in one mode: its run and what its archive holds."""

    mode: str
    run: Run
    photo_requests: int
    """Photo requests answered: fetches with outcome ``media`` or ``media_error`` and an HTTP
    status (a photo refused before its request, or lost to a network failure, has none)."""
    photo_errors: int
    """Photos not kept (outcome ``media_error``)."""
    photos: int
    """``media`` rows: distinct photos stored."""
    media_bytes: int
    archive_bytes: int

    @property
    def pages(self) -> int:
        """Responses that were not photos: the article and discovery pages."""
        return self.run.pages - self.photo_requests

    @property
    def requests(self) -> int:
        """Responses received (Scrapy's ``response_received_count``): pages + photos."""
        return self.run.pages

    @property
    def rate(self) -> float:
        return self.pages / self.run.seconds if self.run.seconds else 0.0


@dataclass
class Mode:
    name: str
    crawls: list[Photos] = field(default_factory=list)

    def mean(self, value: str) -> float:
        return mean(float(getattr(c, value)) for c in self.crawls)

    @property
    def wall(self) -> float:
        return mean(c.run.seconds for c in self.crawls)

    @property
    def cpu(self) -> float:
        return mean(c.run.crawl_cpu for c in self.crawls)


def order(passes: int) -> list[tuple[int, str]]:
    """(pass, mode) in the order they run: forwards on odd passes, backwards on even ones."""
    return [
        (number, mode)
        for number in range(1, passes + 1)
        for mode in (MODES if number % 2 else MODES[::-1])
    ]


def measure(site: Replica, number: int, mode: str, workdir: Path, env: dict[str, str]) -> Photos:
    db = workdir / f"photos-{mode}-{number}.db"
    command = archiver_command(site.base, db, "-s", f"ARCHIVE_IMAGES={mode}")
    run = crawl(f"{mode} pass {number}", command, site, workdir, env, db)
    with read_only(db) as conn:
        requested, errors = conn.execute(
            "SELECT count(status), count(*) FILTER (WHERE outcome = 'media_error') "
            "FROM fetches WHERE outcome IN ('media', 'media_error')"
        ).fetchone()
        photos, size = conn.execute("SELECT count(*), coalesce(sum(size), 0) FROM media").fetchone()
    archive = sum(
        path.stat().st_size for path in (db, db.with_name(db.name + "-wal")) if path.exists()
    )
    return Photos(mode, run, int(requested), int(errors), int(photos), int(size), archive)


def report(
    args: argparse.Namespace,
    modes: dict[str, Mode],
    command: str,
    now: datetime,
    duration: float,
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> str:
    info = machine()
    runs = " → ".join(f"{mode} {number}" for number, mode in order(args.passes))
    lines = [
        f"## Photos benchmark, {args.articles} articles — {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {info['node']}, {info['platform']}, {info['cpu']}, {info['memory']}.  ",
        f"Versions: {info['versions']}.  ",
        f"Load average (1, 5, 15 min): {fmt_load(load[0])} at start, {fmt_load(load[1])} at end; "
        f"the replica and the crawl share the {os.cpu_count()} cores with other work.  ",
        f"Command: `{command}` ({duration / 60:.1f} min)",
        "",
        f"One replica, a fresh archive for each crawl, {args.passes} pass(es) in alternating "
        f"order ({runs}); figures are the means of the passes, the wall time's range in "
        "brackets. Wall: Scrapy's elapsed time. CPU: the crawl's (engine start to spider "
        "close) and its archive writer's. Pages/s: article and discovery pages a second of "
        "wall time, photos not counted. Requests: responses received (Scrapy's "
        "`response_received_count`), pages + photo requests (`fetches` with outcome `media` "
        "or `media_error` and an HTTP status). Photos: `media` rows (photo errors: "
        "`media_error` fetches); media KB: their bytes. "
        "Archive MB: the SQLite file (and WAL) after the crawl.",
        "",
        "| mode | wall s | CPU s | pages/s | requests | pages | photo requests | photos stored "
        "| photo errors | media KB | archive MB | wall / none | CPU / none | archive / none |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = modes["none"]
    for name in MODES:
        mode = modes[name]
        walls = [c.run.seconds for c in mode.crawls]
        spread = f" ({min(walls):.1f}–{max(walls):.1f})" if len(walls) > 1 else ""
        lines.append(
            f"| {name} | {mode.wall:.1f}{spread} | {mode.cpu:.1f} | {mode.mean('rate'):.0f} | "
            f"{mode.mean('requests'):.0f} | {mode.mean('pages'):.0f} | "
            f"{mode.mean('photo_requests'):.0f} | {mode.mean('photos'):.0f} | "
            f"{mode.mean('photo_errors'):.0f} | {mode.mean('media_bytes') / 1024:.1f} | "
            f"{mode.mean('archive_bytes') / 2**20:.2f} | "
            f"{mode.wall / base.wall:.2f} | {mode.cpu / base.cpu:.2f} | "
            f"{mode.mean('archive_bytes') / base.mean('archive_bytes'):.2f} |"
        )
    lines += [
        "",
        "| mode | pass | wall s | CPU s | pages | photo requests | photos stored | archive MB "
        "| load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, name in order(args.passes):
        c = modes[name].crawls[number - 1]
        lines.append(
            f"| {name} | {number} | {c.run.seconds:.1f} | {c.run.crawl_cpu:.1f} | {c.pages} | "
            f"{c.photo_requests} | {c.photos} | {c.archive_bytes / 2**20:.2f} | "
            f"{c.run.load[0]:.1f}→{c.run.load[1]:.1f} |"
        )
    return "\n".join([*lines, ""])


def positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=positive, default=1000)
    parser.add_argument("--passes", type=positive, default=2, help="crawls of each mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    command = shlex.join(["python", "bench/photos.py", *(sys.argv[1:] if argv is None else argv)])
    started, load_start = time.perf_counter(), os.getloadavg()
    now = datetime.now(timezone.utc)
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_PATH", "ARCHIVE_IMAGES")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    modes = {name: Mode(name) for name in MODES}
    with (
        tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp,
        replica(args.articles, args.seed, 0.01, env) as site,
    ):
        for number, mode in order(args.passes):
            modes[mode].crawls.append(measure(site, number, mode, Path(tmp), env))
    section = report(
        args, modes, command, now, time.perf_counter() - started, (load_start, os.getloadavg())
    )
    print(section)
    if args.record:
        with args.record.open("a", encoding="utf-8") as out:
            out.write("\n" + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
