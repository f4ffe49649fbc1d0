"""The replica for the benchmarks: ``mocksite`` in a process of its own, told the day on stdin.

    python -m bench.replica --articles N [--seed S] [--change-rate SHARE]

Prints the base URL first, like ``python -m mocksite``, then reads one command a line:
``day D`` serves day D from then on at the same URLs (answers ``day D``), ``quit`` (or the end
of stdin) stops. A process apart from the crawls, so that its CPU is not theirs.
"""

from __future__ import annotations

import argparse
import sys

from mocksite.server import start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replica")
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change-rate", type=float, default=None)
    args = parser.parse_args(argv)
    with start(args.articles, args.seed, change_rate=args.change_rate) as running:
        print(running.base_url, flush=True)
        for line in sys.stdin:
            command = line.split()
            if command[:1] == ["day"] and len(command) == 2:
                running.set_day(int(command[1]))
                print(f"day {running.day}", flush=True)
            elif command[:1] == ["quit"]:
                break
            else:
                print(f"unknown command: {line.strip()!r}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
