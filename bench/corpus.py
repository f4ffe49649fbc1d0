"""The corpus's French pages: lead + body snippets and titles, the generic page object
against trafilatura, then the extraction speed of both, in one run.

The pages are the 18 real French news pages of ``tests/fixtures/corpus/`` (``SOURCES.md`` says
where each comes from and what its reference is). Each is read by:

- generic: ``GenericArticlePage(url, body).to_item()``, its text the lead, a blank line, then
  the body;
- trafilatura: ``trafilatura.extract(body, url=url)`` with its default settings (the reference
  extractor: its fallbacks on, its own parse of the bytes).

Snippet score of one page, the same for both extractors. A snippet is *found* when its text,
whitespace runs made one space, is a substring of the extracted text made so too. Each page
has want-snippets (must be there) and unwanted ones (must not be there):

- ``trafilatura_eval_snippets`` pages: want = ``with_snippets``, unwanted = ``without_snippets``;
- ``fundus_parser_output`` and ``readability_expected_output`` pages: want = the paragraphs of
  ``body_text`` (split on blank lines; on fundus pages it holds the lead), ``body_blocks`` on
  the Readability page, whose ``body_text`` is one line; a paragraph holding an unwanted
  snippet (below) is left out, as the reference's own slip (Readability keeps its "Lire
  aussi : …" line);
- every page, also unwanted: the anchor text of each annotated related link (``related``: what
  "Lire aussi" blocks link to is never article text) and, where the page's HTML holds one,
  the paywall notices :data:`PAYWALL_NOTICES` (the issue's "Il vous reste 57.09% de cet
  article à lire", "La suite est réservée à nos abonnés").

Want-snippets found are true positives, want-snippets missing false negatives, unwanted
snippets found false positives. Precision, recall and F1 are micro-averaged: the counts of all
pages summed, then the ratios.

Titles: right when equal to a reference title with whitespace runs (NBSP included) made one
space. Two figures, each extractor scored against both, reported apart:

- *corpus references*: the ``title`` of the corpus's ``expected.json``, on the pages whose
  reference has one (the 5 Fundus pages and the Readability one). These are other tools'
  outputs: Fundus' Euronews 2024 title is the page's og:title ("Le merlu de l'Atlantique
  Nord sauvé de l'extinction ?"), which the page never shows (its ``<h1>`` and ``<title>``
  say "Comment les efforts européens ont permis de sauver le merlu de l'extinction"; Fundus
  matched this page at 0.833 only);
- *hand-written references*: the ``title`` of ``tests/fixtures/sites/expected.json``, the
  headline as the page shows it (its ``<h1>``, or the heading a reader sees as the headline),
  written by reading the page, for the corpus pages those site fixtures cover (a record
  whose ``page`` is ``corpus/pages/<id>.html``; :func:`hand_titles`).

trafilatura's title is its metadata extraction's (``trafilatura.extract_metadata``, what
``bare_extraction(...).title`` and its JSON output give), read in the scoring pass only; its
timed call is the plain default one above. The snippet scores do not depend on titles.

Speed: what is timed is the plain extraction of each (``GenericArticlePage(...).to_item()``,
the default ``trafilatura.extract``). Each extractor gets a warm-up (every page once), then
``--passes`` timed passes going round the extractors in turn, so that a slower minute of this
shared machine falls on both alike; a pass extracts every page ``--repeat`` times. CPU seconds
of this process (``time.process_time``); the best pass counts. One extraction a page by
default: the same page over and over is what a crawl never does, and it moved the figures
of both by more than the spread between passes.

    python -m bench.corpus [--passes 9] [--repeat 1] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import gc
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench.record import record_section, speed_parser  # noqa: E402
from extraction.pages.generic import GenericArticlePage  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
#: The site fixtures: expected values written by reading each page, its title among them.
SITE_FIXTURES = ROOT / "tests" / "fixtures" / "sites" / "expected.json"
#: Paywall notices that are never article text; unwanted on a page whose HTML holds them.
PAYWALL_NOTICES = ("Il vous reste", "La suite est réservée")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class CorpusPage:
    case: str
    url: str
    body: bytes
    reference: dict[str, Any]


def hand_titles() -> dict[str, str]:
    """Corpus page id -> the title a person wrote by reading the page (the site fixtures'
    ``title``), for the corpus pages the site fixtures cover."""
    records = json.loads(SITE_FIXTURES.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for record in records.values():
        page = Path(str(record["page"]))
        if page.parent == Path("corpus/pages") and record.get("title"):
            found[page.stem] = str(record["title"])
    return found


def corpus_pages() -> list[CorpusPage]:
    """The French pages of ``tests/fixtures/corpus/``, in the order of their ids."""
    references = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    return [
        CorpusPage(case, ref["url"], (CORPUS / "pages" / f"{case}.html").read_bytes(), ref)
        for case, ref in sorted(references.items())
    ]


def norm(text: str | None) -> str:
    """Whitespace runs (NBSP included) made one space, stripped."""
    return _WS.sub(" ", text or "").strip()


def wanted(page: CorpusPage) -> list[str]:
    """What must be in the page's lead + body."""
    ref = page.reference
    if ref["reference_kind"] == "trafilatura_eval_snippets":
        return list(ref["with_snippets"])
    # Readability's body_text is one line; its body_blocks are the same text by paragraph.
    paragraphs = ref.get("body_blocks") or str(ref["body_text"]).split("\n\n")
    # A paragraph holding what must not be there is the reference's own slip (Readability
    # keeps "Lire aussi : <link>" lines): neither wanted nor counted.
    bad = [norm(s) for s in unwanted(page)]
    return [p for p in (norm(p) for p in paragraphs) if p and not any(b in p for b in bad)]


def unwanted(page: CorpusPage) -> list[str]:
    """What must not be in the page's lead + body."""
    ref = page.reference
    found = list(ref.get("without_snippets", []))
    found += [link["anchor"] for link in ref.get("related", []) if norm(link.get("anchor"))]
    text = page.body.decode("utf-8", "replace")
    found += [notice for notice in PAYWALL_NOTICES if notice in text]
    return found


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missing: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def snippet_counts(page: CorpusPage, text: str | None) -> Counts:
    """The page's snippets against an extracted text (lead + body)."""
    found = norm(text)
    counts = Counts()
    for snippet in wanted(page):
        if norm(snippet) in found:
            counts.tp += 1
        else:
            counts.fn += 1
            counts.missing.append(snippet)
    for snippet in unwanted(page):
        if norm(snippet) in found:
            counts.fp += 1
            counts.leaked.append(snippet)
    return counts


# --- extractors -------------------------------------------------------------------------


def generic_text(page: CorpusPage) -> tuple[str | None, str]:
    """(title, lead + body) of the generic page object."""
    article = GenericArticlePage(page.url, page.body).to_item()
    return article.title, "\n\n".join(t for t in (article.lead, article.body) if t)


def trafilatura_text(page: CorpusPage) -> tuple[str | None, str]:
    """(title, main text) of trafilatura: its default ``extract``, and the title of its
    metadata extraction."""
    text = trafilatura.extract(page.body, url=page.url) or ""
    metadata = trafilatura.extract_metadata(page.body, default_url=page.url)
    return (metadata.title if metadata is not None else None), text


def trafilatura_timed(page: CorpusPage) -> Any:
    return trafilatura.extract(page.body, url=page.url)


def generic_timed(page: CorpusPage) -> Any:
    return GenericArticlePage(page.url, page.body).to_item()


SCORED: dict[str, Callable[[CorpusPage], tuple[str | None, str]]] = {
    "generic": generic_text,
    "trafilatura": trafilatura_text,
}
TIMED: dict[str, Callable[[CorpusPage], Any]] = {
    "generic": generic_timed,
    "trafilatura": trafilatura_timed,
}


@dataclass
class Scores:
    """Per extractor: page id -> counts; page id -> title right, against the corpus
    references (``titles``: pages whose reference has a title) and against the hand-written
    ones (``hand_titles``: pages the site fixtures cover)."""

    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)
    titles: dict[str, dict[str, bool]] = field(default_factory=dict)
    hand_titles: dict[str, dict[str, bool]] = field(default_factory=dict)

    def total(self, name: str) -> Counts:
        total = Counts()
        for counts in self.counts[name].values():
            total.add(counts)
        return total

    def titles_right(self, name: str) -> tuple[int, int]:
        """(right, judged) against the corpus references."""
        marks = self.titles[name].values()
        return sum(marks), len(marks)

    def hand_titles_right(self, name: str) -> tuple[int, int]:
        """(right, judged) against the hand-written references."""
        marks = self.hand_titles[name].values()
        return sum(marks), len(marks)


def score_all(pages: list[CorpusPage], names: tuple[str, ...] = tuple(SCORED)) -> Scores:
    scores = Scores()
    by_hand = hand_titles()
    for name in names:
        scores.counts[name], scores.titles[name], scores.hand_titles[name] = {}, {}, {}
        for page in pages:
            title, text = SCORED[name](page)
            scores.counts[name][page.case] = snippet_counts(page, text)
            if page.reference.get("title"):
                scores.titles[name][page.case] = norm(title) == norm(page.reference["title"])
            if page.case in by_hand:
                scores.hand_titles[name][page.case] = norm(title) == norm(by_hand[page.case])
    return scores


# --- speed ------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    extractions: int
    seconds: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def rate(self) -> float:
        return self.extractions / self.best if self.best else 0.0


def timed(pages: list[CorpusPage], passes: int, repeat: int) -> list[Timing]:
    """A warm-up, then ``passes`` rounds; each round one timed pass of every extractor."""
    timings = [Timing(name, len(pages) * repeat) for name in TIMED]
    for timing in timings:
        for page in pages:
            TIMED[timing.name](page)
    for _ in range(passes):
        for timing in timings:
            extract = TIMED[timing.name]
            gc.collect()
            started = time.process_time()
            for page in pages:
                for _ in range(repeat):
                    extract(page)
            timing.seconds.append(time.process_time() - started)
    return timings


# --- report -----------------------------------------------------------------------------


def report(pages: list[CorpusPage], scores: Scores, timings: list[Timing]) -> list[str]:
    names = list(scores.counts)
    lines = [
        "| page | "
        + " | ".join(f"{n} TP/FP/FN" for n in names)
        + " | title (corpus) "
        + "/".join(names)
        + " | title (hand-written) "
        + "/".join(names)
        + " |",
        "|---|" + "---:|" * len(names) + ":---:|:---:|",
    ]
    for page in pages:
        cells = [f"{c.tp}/{c.fp}/{c.fn}" for c in (scores.counts[n][page.case] for n in names)]
        marks = [
            _marks(scores.titles, names, page.case),
            _marks(scores.hand_titles, names, page.case),
        ]
        lines.append(f"| `{page.case}` | " + " | ".join(cells + marks) + " |")
    lines += [
        "",
        "Titles right: against the corpus references (other tools' titles), and against the "
        "hand-written ones (the headline the page shows, tests/fixtures/sites/expected.json).",
        "",
        "| extractor | precision | recall | F1 | titles right (corpus references) "
        "| titles right (hand-written references) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        total = scores.total(name)
        right, judged = scores.titles_right(name)
        hand_right, hand_judged = scores.hand_titles_right(name)
        lines.append(
            f"| {name} | {total.precision:.3f} | {total.recall:.3f} | **{total.f1:.3f}** | "
            f"{right}/{judged} | {hand_right}/{hand_judged} |"
        )
    misses = [
        f"- {name}, `{case}`: missing {c.missing!r}; leaked {c.leaked!r}"
        for name in names
        for case, c in scores.counts[name].items()
        if c.missing or c.leaked
    ]
    if misses:
        lines += ["", "Snippets missing or leaked:", "", *(_clip(m, 400) for m in misses)]
    if timings:
        by_name = {t.name: t for t in timings}
        paired = [
            o / m
            for m, o in zip(by_name["generic"].seconds, by_name["trafilatura"].seconds, strict=True)
        ]
        lines += [
            "",
            "| extractor | extractions a pass | best pass, CPU s | pages/s | ms/page |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {t.name} | {t.extractions} | {t.best:.3f} | {t.rate:.1f} | "
                f"{1000 * t.best / t.extractions:.2f} |"
                for t in timings
            ),
            "",
            f"generic / trafilatura pages/s = "
            f"**{by_name['generic'].rate / by_name['trafilatura'].rate:.2f}** (pass by pass: "
            f"median {statistics.median(paired):.2f}, {min(paired):.2f} to {max(paired):.2f})",
        ]
    return lines


def _marks(titles: dict[str, dict[str, bool]], names: list[str], case: str) -> str:
    """``✓/✗`` of each extractor's title on one page, empty where it is not judged."""
    return "/".join(("✓" if titles[n][case] else "✗") if case in titles[n] else "" for n in names)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> None:
    args = speed_parser(__doc__.splitlines()[0], repeat=1).parse_args(argv)

    load_start = os.getloadavg()
    pages = corpus_pages()
    scores = score_all(pages)
    timings = timed(pages, args.passes, args.repeat) if args.passes else []
    lines = report(pages, scores, timings)
    print("\n".join(lines))
    if args.record:
        command = f"python -m bench.corpus --passes {args.passes} --repeat {args.repeat}"
        title = (
            "French corpus: lead + body snippets, titles and speed, generic page object "
            "against trafilatura"
        )
        record_section(args.record, title, command, args.passes, load_start, lines, args.note)


if __name__ == "__main__":
    main()
