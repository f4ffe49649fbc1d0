"""Near-duplicate detection: signature() and NearDuplicateIndex lookups as the archive grows.

Fills a fresh archive's ``dedupe_signatures`` / ``dedupe_bands`` to each size in turn and
times, at each size, ``signature()`` of a 600-word article, ``best_match()`` for a near
duplicate of an archived text (a hit) and for a new unrelated text (a miss), and
``add()``. Most archived texts are stood in for by random signatures (what an unrelated
text's signature is), so that 100,000 articles index in a minute; 500 are real generated
texts whose edited copies are the hits. Lookups should cost about the same at every size.

    python bench/dedupe.py [--sizes 1000,10000,100000] [--keep archive.db]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from archive import Archive
from archive.dedupe import NUM_BINS, NearDuplicateIndex, Signature, signature

REAL_TEXTS = 500
QUERIES = 200
SYLLABLES = tuple(consonant + vowel for consonant in "bcdfglmnprstv" for vowel in "aeiouéèà")


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    return ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(size)]


def text(rng: random.Random, words: list[str], length: int) -> tuple[str, str, str]:
    """A title, a lead and a body of ``length`` words in sentences of 8-20 words."""
    sentences: list[str] = []
    count = 0
    while count < length:
        size = rng.randint(8, 20)
        sentences.append(" ".join(rng.choices(words, k=size)).capitalize() + ".")
        count += size
    title = " ".join(rng.choices(words, k=8)).capitalize()
    return title, sentences[0], "\n\n".join(sentences[1:])


def edited(rng: random.Random, words: list[str], fields: tuple[str, str, str]) -> tuple[str, ...]:
    """``fields`` with one body sentence rewritten, as a syndicated copy would be."""
    title, lead, body = fields
    sentences = body.split("\n\n")
    index = rng.randrange(len(sentences))
    sentences[index] = " ".join(rng.choices(words, k=15)).capitalize() + "."
    return title, lead, "\n\n".join(sentences)


def random_signature(rng: random.Random) -> Signature:
    return Signature(tuple(rng.getrandbits(32) for _ in range(NUM_BINS)))


def per_op_ms(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--keep", help="build the archive at this path and keep it")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    rng = random.Random(args.seed)
    words = vocabulary(rng)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        run(path, sizes, rng, words)


def run(path: Path, sizes: list[int], rng: random.Random, words: list[str]) -> None:
    article_600 = text(rng, words, 600)
    real = [text(rng, words, rng.randint(250, 600)) for _ in range(REAL_TEXTS)]
    print(f"python {platform.python_version()} on {platform.machine()}, sqlite file {path}")
    median, p95 = per_op_ms(lambda: signature(*article_600), 300)
    print(f"signature(), 600-word article: median {median:.3f} ms, p95 {p95:.3f} ms\n")
    header = (
        f"{'articles':>9} {'add ms':>7} {'hit ms':>7} {'hit p95':>8} {'miss ms':>8}"
        f" {'miss p95':>9} {'cands/miss':>10} {'recall':>7} {'db MB':>6}"
    )
    print(header)
    with Archive(path) as archive:
        # Only the dedupe tables are filled: no articles rows behind them.
        archive.db.execute("PRAGMA foreign_keys = OFF")
        conn = archive.db.conn
        index = NearDuplicateIndex(archive.db)
        for article_id, fields in enumerate(real, start=1):
            index.add(article_id, signature(*fields))
        conn.commit()
        indexed = len(real)
        for size in sizes:
            start = time.perf_counter()
            added = 0
            while indexed < size:
                indexed += 1
                added += 1
                index.add(indexed, random_signature(rng))
                if indexed % 5000 == 0:
                    conn.commit()
            conn.commit()
            add_ms = (time.perf_counter() - start) * 1000 / added if added else float("nan")
            report(index, size, add_ms, rng, words, real)


def report(
    index: NearDuplicateIndex,
    size: int,
    add_ms: float,
    rng: random.Random,
    words: list[str],
    real: list[tuple[str, str, str]],
) -> None:
    targets = rng.sample(range(len(real)), QUERIES)
    hits = [(target + 1, signature(*edited(rng, words, real[target]))) for target in targets]
    misses = [signature(*text(rng, words, 400)) for _ in range(QUERIES)]
    found = sum(
        (match := index.best_match(sig)) is not None and match[0] == target for target, sig in hits
    )
    hit_queue = iter(sig for _, sig in hits)
    miss_queue = iter(misses)
    hit, hit_p95 = per_op_ms(lambda: index.best_match(next(hit_queue)), QUERIES)
    miss, miss_p95 = per_op_ms(lambda: index.best_match(next(miss_queue)), QUERIES)
    candidates = sum(len(index.candidates(sig)) for sig in misses) / len(misses)
    page_count, page_size = (
        index.conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        for pragma in ("page_count", "page_size")
    )
    megabytes = page_count * page_size / 1e6  # the database proper, not its WAL
    print(
        f"{size:>9,} {add_ms:>7.3f} {hit:>7.3f} {hit_p95:>8.3f} {miss:>8.3f} {miss_p95:>9.3f}"
        f" {candidates:>10.2f} {found / QUERIES:>7.1%} {megabytes:>6.1f}"
    )


if __name__ == "__main__":
    main()
