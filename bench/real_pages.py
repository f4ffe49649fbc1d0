"""Real pages: every reference field, right or wrong, for our page object and for trafilatura,
then the extraction speed of both on the same pages.

The pages are the real Sputnik pages of ``tests/fixtures/real/`` (``SOURCES.md`` says where
each comes from), with their hand-written reference values (``expected.json``). Each is read,
as the crawl stores it, by:

- ours: ``SputnikArticlePage(url, body).to_item()``, then ``clean_article``;
- trafilatura: ``TrafilaturaArticlePage(url, body).to_item()`` (``bench/trafilatura_page.py``,
  the mapping the crawl benchmark's trafilatura pipeline uses: ``trafilatura.extract(...,
  output_format="json", with_metadata=True)``, its ``excerpt`` as the lead, its text's lines
  as paragraphs, ``author``, ``categories`` and ``tags`` split), then ``clean_article``.

How each field is judged (:data:`CHECKS`):

- ``title``, ``lead``, ``category``: equal after every whitespace run is made one space;
- ``tags``, ``authors``, ``related`` (``href`` and ``anchor`` of each link): equal lists;
- ``published_at``: the same instant; a value without a time and an offset is no instant;
- ``image_url``: one of ``image_url_any_of``; ``image_caption``: it, or one of
  ``image_caption_also_ok``; ``image_credit``, ``views``, ``short_url``, ``canonical_url``:
  equal;
- body (paragraphs: the text split on blank lines; trafilatura's text is split on its lines):
  ``body_first``, the first paragraph starts with it; ``body_last``, the last one ends with
  it; ``body_must_not_contain``, none of those lines in it (no body is wrong).

A field the reference does not give for a page is not judged there. trafilatura has no notion
of a photo's caption or credit, views, a short URL or related links (:data:`NOT_GIVEN`): those
are "not given" (—), counted neither right nor wrong, and its total is out of the fields it
gives.

Body against the article-extraction benchmark's annotation (``aeb_articleBody``, the 2019
page), without its last paragraph, the opinion disclaimer, which is site chrome: precision,
recall and F1 as the benchmark's own ``evaluate.py`` computes them, on the multiset of 4-token
shingles (tokens: runs of word characters, ``\\w+``); and the plain token-level figure, the
multiset of whitespace-separated tokens. Of a body's tokens (or shingles), the ones also in
the annotation, counted as often as in both, are the true positives.

Speed: what is timed is what is scored, the calls above with the cleaning. Each extractor
gets a warm-up (every page ``WARM_UP`` times), then ``--passes`` timed passes; a pass extracts
every page ``--repeat`` times. The passes go round the extractors in turn (the floor, ours,
trafilatura, then again), so that a slower minute of this shared machine falls on all three
alike. Times are CPU seconds of this process (``time.process_time``); the best pass counts,
and the spread (slowest pass against the best) is shown. The floor is
``lxml.html.document_fromstring`` of the body, nothing else. The same two pages over and over
could flatter trafilatura, whose text helpers (``line_processing``, ``trim``) cache by the
text itself, which repeats here and seldom in a crawl; clearing those caches before every
extraction moved its time by less than the spread between passes.

    python bench/real_pages.py [--passes 9] [--repeat 50] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import gc
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.record import record_section, speed_parser  # noqa: E402
from extraction.items import Article  # noqa: E402
from extraction.pages import SputnikArticlePage  # noqa: E402
from extraction.pages.clean import clean_article  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "real"
#: Every page is extracted this many times by each extractor before the timed passes.
WARM_UP = 5
#: Shingle length of the article-extraction benchmark's ``evaluate.py``.
SHINGLE = 4
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class RealPage:
    case: str
    url: str
    body: bytes
    reference: dict[str, Any]

    @property
    def label(self) -> str:
        """The year of the page and its section: ``2019 columnists``."""
        return " ".join(self.case.split("_")[2:4])


def real_pages() -> list[RealPage]:
    """The real pages of ``tests/fixtures/real/``, in the order of their ids."""
    references = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
    return [
        RealPage(case, ref["url"], (REAL / f"{case}.html").read_bytes(), ref)
        for case, ref in sorted(references.items())
    ]


# --- extractors -------------------------------------------------------------------------


def ours(page: RealPage) -> Article:
    return clean_article(SputnikArticlePage(page.url, page.body).to_item())


def trafilatura(page: RealPage) -> Article:
    # Imported here: trafilatura is the bench extra, and ours is scored without it.
    from bench.trafilatura_page import TrafilaturaArticlePage

    return clean_article(TrafilaturaArticlePage(page.url, page.body).to_item())


def lxml_parse(page: RealPage) -> Any:
    return lxml.html.document_fromstring(page.body)


EXTRACTORS: dict[str, Callable[[RealPage], Any]] = {
    "lxml parse": lxml_parse,
    "ours": ours,
    "trafilatura": trafilatura,
}

# --- scoring ----------------------------------------------------------------------------


def collapse(text: str | None) -> str | None:
    return _WS.sub(" ", text).strip() if text else None


def paragraphs(article: Article) -> list[str]:
    return [p for p in (article.body or "").split("\n\n") if p.strip()]


def instant(value: str | None) -> datetime | None:
    """``value`` as an aware datetime; ``None`` without a time and an offset."""
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if "T" in (value or "") and parsed.tzinfo is not None else None


def _body_first(article: Article, ref: dict[str, Any]) -> bool:
    found = paragraphs(article)
    return bool(found) and found[0].startswith(ref["body_first"])


def _body_last(article: Article, ref: dict[str, Any]) -> bool:
    found = paragraphs(article)
    return bool(found) and found[-1].endswith(ref["body_last"])


def _body_clean(article: Article, ref: dict[str, Any]) -> bool:
    body = article.body or ""
    return bool(body) and not any(line in body for line in ref["body_must_not_contain"])


def _related(article: Article) -> list[dict[str, str]]:
    return [{"href": link.url, "anchor": link.title} for link in article.related]


#: Reference field -> (the ``Article`` attribute it judges, whether the value is right).
CHECKS: dict[str, tuple[str, Callable[[Article, dict[str, Any]], bool]]] = {
    "title": ("title", lambda a, r: collapse(a.title) == collapse(r["title"])),
    "lead": ("lead", lambda a, r: collapse(a.lead) == collapse(r["lead"])),
    "category": ("category", lambda a, r: collapse(a.category) == collapse(r["category"])),
    "tags": ("tags", lambda a, r: a.tags == r["tags"]),
    "authors": ("authors", lambda a, r: a.authors == r["authors"]),
    "published_at": (
        "published_at",
        lambda a, r: (
            (found := instant(a.published_at)) is not None and found == instant(r["published_at"])
        ),
    ),
    "image_url_any_of": ("image_url", lambda a, r: a.image_url in r["image_url_any_of"]),
    "image_caption": (
        "image_caption",
        lambda a, r: a.image_caption in [r["image_caption"], *r.get("image_caption_also_ok", [])],
    ),
    "image_credit": ("image_credit", lambda a, r: a.image_credit == r["image_credit"]),
    "views": ("views", lambda a, r: a.views == r["views"]),
    "short_url": ("short_url", lambda a, r: a.short_url == r["short_url"]),
    "canonical_url": ("canonical_url", lambda a, r: a.canonical_url == r["canonical_url"]),
    "body_first": ("body", _body_first),
    "body_last": ("body", _body_last),
    "body_must_not_contain": ("body", _body_clean),
    "related": ("related", lambda a, r: _related(a) == r["related"]),
}
#: Fields trafilatura has no notion of: shown as not given (—), not counted.
NOT_GIVEN: dict[str, frozenset[str]] = {
    "ours": frozenset(),
    "trafilatura": frozenset({"image_caption", "image_credit", "views", "short_url", "related"}),
}


@dataclass(frozen=True)
class Verdict:
    """One field of one page for one extractor: ``right`` is ``None`` when not given."""

    right: bool | None
    found: str = ""

    @property
    def mark(self) -> str:
        return "—" if self.right is None else "✓" if self.right else "✗"


def shown(article: Article, attribute: str, limit: int = 90) -> str:
    """What ``article`` has for ``attribute``, short enough for a line of the report."""
    if attribute == "body":
        found = paragraphs(article)
        if not found:
            return "no body"
        first, last = (_clip(text, limit // 2) for text in (found[0], found[-1]))
        return f"{len(found)} paragraphs: first {first!r}, last {last!r}"
    value = _related(article) if attribute == "related" else getattr(article, attribute)
    return _clip(repr(value), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2) :]


def score(name: str, article: Article, reference: dict[str, Any]) -> dict[str, Verdict]:
    """Each field the reference gives for this page, judged for extractor ``name``."""
    verdicts = {}
    for key, (attribute, check) in CHECKS.items():
        if key not in reference:
            continue
        if key in NOT_GIVEN[name]:
            verdicts[key] = Verdict(None)
        else:
            right = check(article, reference)
            found = shown(article, attribute)
            if key == "published_at" and not right:
                found += _right_day(article.published_at, reference["published_at"])
            verdicts[key] = Verdict(right, found)
    return verdicts


def _right_day(found: str | None, reference: str) -> str:
    """A note when ``found`` is the day of the reference instant (UTC) without its time."""
    day = instant(reference)
    if found and day is not None and found == day.astimezone(timezone.utc).date().isoformat():
        return " (the right day, without a time)"
    return ""


@dataclass(frozen=True)
class Overlap:
    """Precision, recall and F1 of a text's tokens (or shingles) against a reference's."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def overlap(reference: Iterable[Any], found: Iterable[Any]) -> Overlap:
    """Multiset overlap: a unit found k times and in the reference m times is min(k, m) right.
    Two empty texts agree (precision and recall 1), as in the benchmark's ``evaluate.py``."""
    want, got = Counter(reference), Counter(found)
    right = sum((want & got).values())
    if not want and not got:
        return Overlap(1.0, 1.0)
    return Overlap(
        right / sum(got.values()) if got else 0.0, right / sum(want.values()) if want else 0.0
    )


def shingles(text: str, n: int = SHINGLE) -> list[tuple[str, ...]]:
    """Runs of ``n`` consecutive ``\\w+`` tokens; a text shorter than ``n`` is one shingle."""
    tokens = _WORD.findall(text)
    return [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens]


def aeb_reference(reference: dict[str, Any]) -> str:
    """The benchmark's annotated body without its last paragraph (the opinion disclaimer)."""
    annotated = reference["aeb_articleBody"].split("\n\n")
    return "\n\n".join(annotated[:-1])


def body_overlaps(article: Article, reference: dict[str, Any]) -> dict[str, Overlap]:
    """The body against the annotation: 4-token shingles (the benchmark's), whitespace tokens."""
    want, got = aeb_reference(reference), article.body or ""
    return {
        "shingles": overlap(shingles(want), shingles(got)),
        "tokens": overlap(want.split(), got.split()),
    }


#: How the report names each unit of :func:`body_overlaps`.
UNITS = {"shingles": "4-token shingles (the benchmark's)", "tokens": "whitespace tokens"}


@dataclass
class Scores:
    """Every verdict: extractor -> page id -> field -> verdict; and the body overlaps."""

    pages: list[RealPage]
    verdicts: dict[str, dict[str, dict[str, Verdict]]] = field(default_factory=dict)
    overlaps: dict[str, dict[str, Overlap]] = field(default_factory=dict)

    def total(self, name: str) -> tuple[int, int]:
        """(right, judged) of extractor ``name``: fields it does not give are not judged."""
        marks = [v.right for page in self.verdicts[name].values() for v in page.values()]
        return sum(r is True for r in marks), sum(r is not None for r in marks)


def score_all(pages: list[RealPage], names: Iterable[str] = ("ours", "trafilatura")) -> Scores:
    scores = Scores(pages)
    for name in names:
        extract = EXTRACTORS[name]
        scores.verdicts[name] = {}
        for page in pages:
            article = extract(page)
            scores.verdicts[name][page.case] = score(name, article, page.reference)
            if "aeb_articleBody" in page.reference:
                scores.overlaps[name] = body_overlaps(article, page.reference)
    return scores


# --- speed ------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    extractions: int  # a pass: every page ``repeat`` times
    seconds: list[float] = field(default_factory=list)  # CPU seconds of each pass

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def rate(self) -> float:
        return self.extractions / self.best if self.best else 0.0

    @property
    def spread(self) -> float:
        """The slowest pass against the best, as a share (0.05: 5% slower)."""
        return max(self.seconds) / self.best - 1 if self.best else 0.0


def timed(pages: list[RealPage], names: list[str], passes: int, repeat: int) -> list[Timing]:
    """A warm-up, then ``passes`` rounds; each round one timed pass of every extractor."""
    timings = [Timing(name, len(pages) * repeat) for name in names]
    for name in names:
        for page in pages:
            for _ in range(WARM_UP):
                EXTRACTORS[name](page)
    clock = time.process_time
    for _ in range(passes):
        for timing in timings:
            extract = EXTRACTORS[timing.name]
            gc.collect()  # the garbage of the extractor before is not this one's to collect
            started = clock()
            for page in pages:
                for _ in range(repeat):
                    extract(page)
            timing.seconds.append(clock() - started)
    return timings


# --- report -----------------------------------------------------------------------------


def field_table(scores: Scores) -> list[str]:
    names = list(scores.verdicts)
    columns = [f"{page.label}, {name}" for page in scores.pages for name in names]
    lines = [
        "| field | " + " | ".join(columns) + " |",
        "|---|" + ":---:|" * len(columns),
    ]
    for key in CHECKS:
        cells = [
            verdict.mark if (verdict := scores.verdicts[name][page.case].get(key)) else ""
            for page in scores.pages
            for name in names
        ]
        if any(cells):
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return lines


def legend(names: list[str]) -> str:
    text = "✓ right, ✗ wrong"
    for name in names:
        if NOT_GIVEN[name]:
            fields = ", ".join(key for key in CHECKS if key in NOT_GIVEN[name])
            text += (
                f"; — not given: {name} has no such field ({fields}), counted neither right "
                f"nor wrong"
            )
    return text + "; blank: no reference value on that page."


def report(scores: Scores, timings: list[Timing]) -> list[str]:
    names = list(scores.verdicts)
    lines = [
        "Pages: " + "; ".join(f"{page.label}: `{page.case}`" for page in scores.pages) + ".",
        "",
        *field_table(scores),
        "",
        legend(names),
        "",
    ]
    totals = []
    for name in names:
        right, judged = scores.total(name)
        all_fields = sum(len(page) for page in scores.verdicts[name].values())
        totals.append(f"{name} {right}/{judged}")
        if judged < all_fields:
            totals[-1] += f" ({right}/{all_fields} with the fields not given counted wrong)"
    lines.append(f"Fields right: {', '.join(totals)}.")
    wrong = [
        f"- {page.label}, {name}, {key}: {verdict.found}"
        for name in names
        for page in scores.pages
        for key, verdict in scores.verdicts[name][page.case].items()
        if verdict.right is False
    ]
    if wrong:
        lines += ["", "What the wrong ones have:", "", *wrong]
    annotated = [page.label for page in scores.pages if "aeb_articleBody" in page.reference]
    if scores.overlaps:
        lines += [
            "",
            f"Body of the {annotated[0]} page against the article-extraction benchmark's "
            "annotation (without its disclaimer line), precision / recall / F1:",
            "",
        ]
        for name, found in scores.overlaps.items():
            figures = "; ".join(
                f"{UNITS[unit]} {o.precision:.3f} / {o.recall:.3f} / **{o.f1:.3f}**"
                for unit, o in found.items()
            )
            lines.append(f"- {name}: {figures}")
    if timings:
        lines += ["", *speed_table(timings)]
    return lines


def speed_table(timings: list[Timing]) -> list[str]:
    by_name = {timing.name: timing for timing in timings}
    lines = [
        "| extractor | extractions a pass | best pass, CPU s | pages/s | ms/page | "
        "spread (slowest pass / best) |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {t.name} | {t.extractions} | {t.best:.3f} | {t.rate:.0f} | "
            f"{1000 * t.best / t.extractions:.2f} | +{100 * t.spread:.1f}% |"
            for t in timings
        ),
        "",
    ]
    mine = by_name["ours"]
    if "trafilatura" in by_name:
        other = by_name["trafilatura"]
        paired = [o / m for m, o in zip(mine.seconds, other.seconds, strict=True)]
        lines.append(
            f"ours / trafilatura = **{mine.rate / other.rate:.2f}** (pass by pass: median "
            f"{statistics.median(paired):.2f}, {min(paired):.2f} to {max(paired):.2f})  "
        )
    floor = by_name["lxml parse"]
    lines.append(f"ours / lxml parse = **{mine.rate / floor.rate:.2f}**")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = speed_parser(__doc__.splitlines()[0], repeat=50).parse_args(argv)

    load_start = os.getloadavg()
    pages = real_pages()
    # Without the bench extra (trafilatura), ours alone: its scores and its speed.
    names = ["ours", "trafilatura"] if find_spec("trafilatura") else ["ours"]
    scores = score_all(pages, names)
    timings = timed(pages, ["lxml parse", *names], args.passes, args.repeat)
    lines = report(scores, timings)
    print("\n".join(lines))
    if args.record:
        command = f"python bench/real_pages.py --passes {args.passes} --repeat {args.repeat}"
        title = "Real pages: fields and speed, ours against trafilatura"
        record_section(args.record, title, command, args.passes, load_start, lines, args.note)


if __name__ == "__main__":
    main()
