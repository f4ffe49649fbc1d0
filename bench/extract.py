"""Extraction alone: our page object against trafilatura on the same replica pages.

One process, no network: the article pages are rendered in memory by ``mocksite`` exactly as
the replica serves them (UTF-8, no faults). Each extractor gets a warm-up pass over the first
pages, then timed passes over all of them (the best pass counts):

- floor: ``lxml.html.document_fromstring`` of the body, nothing else;
- ours: ``SputnikArticlePage(url, body, "utf-8").to_item()`` as the spider calls it, then
  ``clean_article`` as the clean pipeline does for every item;
- trafilatura: ``trafilatura.extract(body, url=..., output_format="json", with_metadata=True)``.

Times are CPU seconds of this process (``time.process_time``): on a shared machine, what
other processes run does not count. Then every field both can give is compared with the
replica's ground truth (``Site.article``). ``--profile N`` prints the N functions with the
most internal time in one cProfile'd pass of ours.

    python bench/extract.py --pages 1000 --seed 1 [--record bench/RESULTS.md] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import difflib
import io
import json
import os
import platform
import pstats
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from extraction.pages import SputnikArticlePage  # noqa: E402
from extraction.pages.clean import clean_article  # noqa: E402
from mocksite.pages import Renderer  # noqa: E402
from mocksite.site import Site  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"
WARM_UP = 50
#: Fields compared with the ground truth, in table order.
FIELDS = ("title", "lead", "body", "published", "authors", "tags", "category")
#: Share of pages whose body text is at least this similar to the truth (word sequences).
SIMILAR = 0.95
_WS = re.compile(r"\s+")


@dataclass
class Page:
    url: str
    body: bytes
    truth: dict[str, Any]


@dataclass
class Fields:
    """What an extractor read, normalised for comparison (see :func:`norm`)."""

    title: str | None = None
    lead: str | None = None
    body: str | None = None
    published: str | None = None  # YYYY-MM-DD: trafilatura gives only the day
    authors: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    category: str | None = None


@dataclass
class Run:
    name: str
    pages: int
    seconds: float
    results: list[Any] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def norm(text: str | None) -> str | None:
    """NFC, every whitespace run (NBSP and paragraph breaks too) one space: extractors differ
    in how they show paragraphs and typographic spaces, not in what text they found."""
    if not text:
        return None
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip() or None


def names(values: Iterable[str]) -> frozenset[str]:
    return frozenset(n.casefold() for n in (norm(v) for v in values) if n)


def replica_pages(count: int, seed: int) -> list[Page]:
    """Articles 0..count-1 of ``Site(count, seed)`` as served, with their ground truth."""
    site = Site(articles=count, seed=seed)
    renderer = Renderer(site, BASE_URL)
    pages = []
    for index in range(count):
        truth = site.article(index)
        body = renderer.article(index).encode("utf-8")
        pages.append(Page(BASE_URL + truth["url_path"], body, truth))
    return pages


def truth_fields(truth: dict[str, Any]) -> Fields:
    return Fields(
        title=norm(truth["title"]),
        lead=norm(truth["lead"]),
        body=norm(truth["body"]),
        published=truth["published_at"][:10],
        authors=names(truth["authors"]),
        tags=names(truth["tags"]),
        category=norm(truth["category"]),
    )


# --- extractors -------------------------------------------------------------------------


def floor(page: Page) -> Any:
    return lxml.html.document_fromstring(page.body)


class Ours:
    """The page object and the clean step, with the time of each phase kept apart."""

    def __init__(self) -> None:
        self.phases = {"parse": 0.0, "to_item": 0.0, "clean": 0.0}

    def __call__(self, page: Page) -> Any:
        clock = time.process_time
        started = clock()
        parsed = SputnikArticlePage(page.url, page.body, "utf-8")
        parsed_at = clock()
        item = parsed.to_item()
        extracted_at = clock()
        article = clean_article(item)
        self.phases["parse"] += parsed_at - started
        self.phases["to_item"] += extracted_at - parsed_at
        self.phases["clean"] += clock() - extracted_at
        return article

    @staticmethod
    def fields(article: Any) -> Fields:
        return Fields(
            title=norm(article.title),
            lead=norm(article.lead),
            body=norm(article.body),
            published=(article.published_at or "")[:10] or None,
            authors=names(article.authors),
            tags=names(article.tags),
            category=norm(article.category),
        )


def trafilatura_extract(page: Page) -> Any:
    import trafilatura

    return trafilatura.extract(page.body, url=page.url, output_format="json", with_metadata=True)


def trafilatura_fields(result: Any) -> Fields:
    """trafilatura's JSON: ``text`` is the body, ``excerpt`` (the description) the nearest it
    has to a lead; authors, tags and categories come as ``;``-joined strings."""
    data: dict[str, Any] = json.loads(result) if result else {}

    def split(value: str | None) -> list[str]:
        return re.split(r"[;,]", value) if value else []

    return Fields(
        title=norm(data.get("title")),
        lead=norm(data.get("excerpt")),
        body=norm(data.get("text")),
        published=(data.get("date") or "")[:10] or None,
        authors=names(split(data.get("author"))),
        tags=names(split(data.get("tags"))),
        category=norm(data.get("categories")),
    )


def timed(
    name: str, extract: Callable[[Page], Any], pages: list[Page], rounds: int, keep: bool
) -> Run:
    """A warm-up pass over the first pages, then ``rounds`` passes; the fastest counts."""
    for page in pages[:WARM_UP]:
        extract(page)
    best: Run | None = None
    for _ in range(rounds):
        results: list[Any] = []
        started = time.process_time()
        for page in pages:
            result = extract(page)
            if keep:
                results.append(result)
        seconds = time.process_time() - started
        if best is None or seconds < best.seconds:
            best = Run(name, len(pages), seconds, results)
    assert best is not None
    return best


# --- accuracy ---------------------------------------------------------------------------


def similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def accuracy(truths: list[Fields], found: list[Fields]) -> dict[str, float]:
    """Share of pages where each field equals the truth, plus body similarity."""
    shares = {
        name: sum(getattr(t, name) == getattr(f, name) for t, f in zip(truths, found, strict=True))
        / len(truths)
        for name in FIELDS
    }
    ratios = [similarity(t.body, f.body) for t, f in zip(truths, found, strict=True)]
    shares["body_similar"] = sum(r >= SIMILAR for r in ratios) / len(ratios)
    shares["body_similarity"] = sum(ratios) / len(ratios)
    return shares


def profile(pages: list[Page], top: int) -> list[str]:
    """The ``top`` functions by internal time in one profiled pass of ours."""
    ours = Ours()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [ours(page) for page in pages])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    root = str(ROOT) + os.sep
    lines = [line.replace(root, "") for line in out.getvalue().splitlines()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return [f"    {line}" for line in lines[start:] if line.strip()]


# --- report -----------------------------------------------------------------------------

FIELD_LABELS = {
    "title": "title",
    "lead": "lead (trafilatura: its excerpt)",
    "body": "body text",
    "body_similar": f"body text ≥ {SIMILAR:.2f} similar (words)",
    "body_similarity": "body text, mean similarity",
    "published": "published date (day)",
    "authors": "authors (as a set)",
    "tags": "tags (as a set)",
    "category": "category",
}


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(runs: list[Run], ours: Ours, scores: dict[str, dict[str, float]]) -> list[str]:
    by_name = {run.name: run for run in runs}
    lines = [
        "| extractor | pages | seconds | pages/s | ms/page |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r.name} | {r.pages} | {r.seconds:.2f} | {r.rate:.0f} | "
            f"{1000 * r.seconds / r.pages:.2f} |"
            for r in runs
        ),
        "",
    ]
    mine = by_name["ours"]
    if "trafilatura" in by_name:
        ratio = mine.rate / by_name["trafilatura"].rate
        lines.append(f"ours / trafilatura = **{ratio:.2f}**  ")
    lines.append(f"ours / lxml parse = **{mine.rate / by_name['lxml parse'].rate:.2f}**")
    # Phases are summed over the warm-up and every round: shares, shown per page of one pass.
    total = sum(ours.phases.values())
    per_page = 1000 * mine.seconds / mine.pages
    split = ", ".join(
        f"{name} {per_page * spent / total:.2f} ms" for name, spent in ours.phases.items()
    )
    lines += ["", f"Ours per page: {split}.", ""]
    columns = list(scores)
    lines += [
        "| field, share of pages right | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for key, label in FIELD_LABELS.items():
        cells = []
        for name in columns:
            value = scores[name][key]
            cells.append(f"{value:.3f}" if key == "body_similarity" else f"{100 * value:.1f}%")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes, the best counts")
    parser.add_argument(
        "--skip-trafilatura", action="store_true", help="only the floor and ours (no bench extra)"
    )
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    parser.add_argument("--profile", type=int, metavar="N", help="print ours' top N functions")
    parser.add_argument("--note", help="a few words for the recorded section's title")
    args = parser.parse_args(argv)

    pages = replica_pages(args.pages, args.seed)
    truths = [truth_fields(page.truth) for page in pages]
    ours = Ours()
    runs = [
        timed("lxml parse", floor, pages, args.rounds, keep=False),
        timed("ours", ours, pages, args.rounds, keep=True),
    ]
    scores = {"ours": accuracy(truths, [Ours.fields(a) for a in runs[1].results])}
    if not args.skip_trafilatura:
        runs.append(timed("trafilatura", trafilatura_extract, pages, args.rounds, keep=True))
        found = [trafilatura_fields(result) for result in runs[2].results]
        scores["trafilatura"] = accuracy(truths, found)

    lines = report(runs, ours, scores)
    if args.profile:
        lines += ["", f"cProfile of one pass of ours, top {args.profile} by internal time:", ""]
        lines += profile(pages, args.profile)
    print("\n".join(lines))
    if args.record:
        command = f"python bench/extract.py --pages {args.pages} --seed {args.seed}"
        command += f" --rounds {args.rounds}" + " --skip-trafilatura" * args.skip_trafilatura
        command += f" --profile {args.profile}" if args.profile else ""
        header = (
            f"\n## Extraction alone, {args.pages} articles — "
            f"{datetime.now(timezone.utc):%Y-%m-%d}"
            + (f" ({args.note})" if args.note else "")
            + "\n\n"
            f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, lxml {version('lxml')}, "
            f"trafilatura {version('trafilatura')}; one process, CPU time, best of "
            f"{args.rounds} passes after a warm-up.  \n"
            f"Command: `{command}`\n\n"
        )
        with args.record.open("a", encoding="utf-8") as out:
            out.write(header + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
