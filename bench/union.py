"""Reading several archives as one: the cost of the union (``archive --db A --db B ...``).

Two archives of ``--articles`` articles each are played with the merge tests' scenario
builder (``tests.test_merge.play``): one site each, a second crawl editing a tenth of them,
and a hundred articles of the other site (articles both archives hold). Then, each as its
own ``archive`` process, the wall time of ``sql "SELECT count(*) FROM articles"``:

- over both, the first time (the union built: both merged);
- over both again (up to date: the fingerprints checked, nothing merged);
- over both after a crawl of 10 new articles into the second (that one merged again);
- over the first alone (no union), for comparison;

and, in process, the up-to-date check alone (``union.build``), best of 3 x 10.

    python bench/union.py [--articles 1000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from archive import union  # noqa: E402
from tests.test_merge import A, B, Crawl, article, play  # noqa: E402


def make(directory: Path, articles: int) -> list[Path]:
    paths = []
    for name, site, other, node in (("a.db", A, B, "node-1"), ("b.db", B, A, "node-2")):
        first, second = Crawl(node, 0), Crawl(node, 100_000)
        for n in range(1, articles + 1):
            first.store(n / 10, article(site, n, related=[n % articles + 1]))
            if n % 10 == 0:
                edited = article(site, n, related=[n % articles + 1], title=f"Titre {n} corrigé")
                second.store(100_000 + n / 10, edited)
        for n in range(1, 101):
            second.store(101_000 + n / 10, article(other, n, title=f"Vu de {node} {n}"))
        paths.append(play(directory / name, [first, second]))
    return paths


def timed(*args: str) -> tuple[float, str]:
    command = [str(Path(sys.executable).with_name("archive")), *args]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.monotonic() - started, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    options = parser.parse_args()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="bench-union-"))
    shutil.rmtree(workdir / "cache", ignore_errors=True)
    os.environ[union.CACHE_DIR_ENV] = str(workdir / "cache")
    for name in ("a.db", "b.db"):  # made afresh: the last step adds a crawl to b.db
        for suffix in ("", "-wal", "-shm"):
            (workdir / f"{name}{suffix}").unlink(missing_ok=True)
    a, b = make(workdir, options.articles)
    query = ("sql", "SELECT count(*) FROM articles")
    both = ("--db", str(a), "--db", str(b), *query)
    rows = [("first build", *timed(*both)), ("up to date", *timed(*both))]
    play(b, [Crawl("node-2", 200_000).store(200_001, article(B, options.articles + 1))])
    rows.append(("one archive gained a crawl", *timed(*both)))
    rows.append(("one --db, no union", *timed("--db", str(a), *query)))
    check = min(timeit.repeat(lambda: union.build([a, b]), number=10, repeat=3)) / 10
    sizes = {p.name: p.stat().st_size for p in (a, b, union.union_path([a, b]))}
    print(f"{options.articles} articles each; sizes (bytes): {sizes}\n")
    print("| command over | wall | stderr |\n|---|---:|---|")
    for what, seconds, said in rows:
        print(f"| {what} | {seconds:.2f} s | {said.replace(str(workdir) + '/', '') or '-'} |")
    print(f"\nUp-to-date check alone (union.build, in process): {check * 1000:.2f} ms")


if __name__ == "__main__":
    main()
