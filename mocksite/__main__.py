"""``python -m mocksite``: serve the replica until SIGTERM or SIGINT.

The first line on stdout is the base URL (``http://127.0.0.1:43123``), flushed at once, so a
parent process can read it and start crawling. stderr names the mobile base URL
(``http://127.0.0.2:43123``, or the base URL + ``/m`` where 127.0.0.2 cannot be bound).
``--day D`` serves the site as it is on day D (edits, new and unpublished articles),
``--faults`` serves some articles with wrong charsets, mojibake or boilerplate,
``--hostile`` adds the hostile routes of ``mocksite.hostile`` (linked from the home page),
``--robots MODE`` picks what /robots.txt answers (normal, error_500, error_503, unreachable,
disallow_all, crawl_delay, disallow_photos) and ``--change-rate SHARE`` how much changes a day
(0.01: 1% of the articles new or edited). Exit status 0 on SIGTERM/SIGINT, 2 on bad arguments.

``--site gazette`` serves the other replica instead, La Gazette du Val (``mocksite.gazette``:
60 articles unless ``--articles`` says otherwise; ``--day`` and ``--crawl-delay`` apply, the
Sputnik-only options do not); ``--peer URL`` is the Sputnik replica's base URL its cross-site
"Lire aussi" boxes point to (``--peer-seed`` that replica's seed, default 1).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from . import gazette
from .evolution import MAX_DAY
from .gazette import site as gazette_site
from .server import DEFAULT_CRAWL_DELAY, ROBOTS_MODES, start
from .site import MAX_ARTICLES

SITES = ("sputnik", "gazette")
SPUTNIK_ARTICLES = 1000
#: options only the Sputnik replica has: (attribute, flag)
_SPUTNIK_ONLY = (
    ("faults", "--faults"),
    ("hostile", "--hostile"),
    ("change_rate", "--change-rate"),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mocksite", description="Serve a deterministic replica of Sputnik France."
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--site",
        choices=SITES,
        default="sputnik",
        help="which replica: sputnik (default) or gazette (La Gazette du Val)",
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=None,
        help=f"number of articles (N; default {SPUTNIK_ARTICLES}, the gazette's 60)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated content")
    parser.add_argument(
        "--crawl-delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="announce this Crawl-delay in robots.txt (none by default)",
    )
    parser.add_argument(
        "--day",
        type=int,
        default=1,
        help=f"serve the site as it is on this day, 1 to {MAX_DAY} (default 1: as first published)",
    )
    parser.add_argument(
        "--change-rate",
        type=float,
        default=None,
        metavar="SHARE",
        help="share of the articles new or edited each day, e.g. 0.01 (half new, half edited;"
        " default: about 6%% a day, and 1.2%% unpublished)",
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="serve some articles with wrong or missing charsets, mojibake or boilerplate",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="add hostile routes (rate limits, errors, hangs, traps, bombs...) linked from home",
    )
    parser.add_argument(
        "--robots",
        choices=ROBOTS_MODES,
        default="normal",
        metavar="MODE",
        help=f"what /robots.txt answers: {', '.join(ROBOTS_MODES)} (default normal);"
        f" crawl_delay announces --crawl-delay, else {DEFAULT_CRAWL_DELAY:g} s",
    )
    parser.add_argument(
        "--peer",
        default=None,
        metavar="URL",
        help="gazette: the Sputnik replica's base URL its cross-site boxes point to",
    )
    parser.add_argument(
        "--peer-seed",
        type=int,
        default=1,
        metavar="S",
        help="gazette: the seed the --peer replica runs with (default 1)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.site == "gazette":
        return _gazette(parser, args)
    if args.peer is not None:
        parser.error("--peer is an option of --site gazette")
    if args.articles is None:
        args.articles = SPUTNIK_ARTICLES
    if not 1 <= args.articles <= MAX_ARTICLES:
        parser.error(f"--articles must be between 1 and {MAX_ARTICLES}")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if args.crawl_delay is not None and args.crawl_delay < 0:
        parser.error("--crawl-delay must not be negative")
    if not 1 <= args.day <= MAX_DAY:
        parser.error(f"--day must be between 1 and {MAX_DAY}")
    if args.change_rate is not None and not 0 < args.change_rate <= 1:
        parser.error("--change-rate must be in (0, 1]")
    stop = _wait_for_signal()
    try:
        running = start(
            args.articles,
            args.seed,
            args.host,
            args.port,
            args.crawl_delay,
            day=args.day,
            faults=args.faults,
            hostile=args.hostile,
            robots=args.robots,
            change_rate=args.change_rate,
        )
    except OSError as exc:
        print(f"mocksite: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(running.base_url, flush=True)
    options = ", faults" * args.faults + ", hostile" * args.hostile
    options += f", robots {args.robots}" if args.robots != "normal" else ""
    options += f", change rate {args.change_rate:g}" if args.change_rate is not None else ""
    print(
        f"mocksite: {running.site.articles_on()} articles (seed {args.seed}, day {args.day}"
        f"{options}) at {running.base_url},"
        f" mobile pages at {running.mobile_base_url}",
        file=sys.stderr,
        flush=True,
    )
    stop.wait()
    running.stop()
    return 0


def _wait_for_signal() -> threading.Event:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop


def _gazette(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--site gazette``: serve La Gazette du Val until SIGTERM or SIGINT."""
    for name, flag in _SPUTNIK_ONLY:
        if getattr(args, name):
            parser.error(f"{flag} is an option of --site sputnik")
    if args.robots != "normal":
        parser.error("--robots is an option of --site sputnik")
    articles = 60 if args.articles is None else args.articles
    low, high = gazette_site.MIN_ARTICLES, gazette_site.MAX_ARTICLES
    if not low <= articles <= high:
        parser.error(f"--articles must be between {low} and {high} for the gazette")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if not 1 <= args.day <= gazette_site.MAX_DAY:
        parser.error(f"--day must be between 1 and {gazette_site.MAX_DAY} for the gazette")
    if args.crawl_delay is not None and args.crawl_delay < 0:
        parser.error("--crawl-delay must not be negative")
    if args.peer is not None and not args.peer.startswith(("http://", "https://")):
        parser.error("--peer must be an http(s) URL")
    stop = _wait_for_signal()
    try:
        running = gazette.start(
            articles,
            args.seed,
            args.host,
            args.port,
            day=args.day,
            peer=args.peer,
            peer_seed=args.peer_seed,
            crawl_delay=args.crawl_delay,
        )
    except OSError as exc:
        print(f"mocksite: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(running.base_url, flush=True)
    peer = f", peer {args.peer}" if args.peer else ""
    print(
        f"mocksite: La Gazette du Val, {running.site.count} articles (seed {args.seed},"
        f" day {args.day}{peer}) at {running.base_url}",
        file=sys.stderr,
        flush=True,
    )
    stop.wait()
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
