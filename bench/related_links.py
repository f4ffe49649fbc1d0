"""Related links ("Lire aussi" blocks) against the corpus's annotations: precision, recall and
F1 per page and overall, then what the finder's other markers, classes and JSON find.

The pages are the 18 French pages of ``tests/fixtures/corpus/`` (``SOURCES.md`` says where
each comes from); each is read by ``ArticlePage(url, body)`` and
:func:`extraction.pages.related.related_blocks`. The annotations (``expected.json``,
``related``) list only the links of blocks introduced by "Lire aussi", "À lire aussi" or
"Lire également" (also "LIRE AUSSI SUR …"), so what is scored is the links of the blocks
whose marker is of that family (:func:`~extraction.pages.related.is_read_also`), each URL
once per page:

- a found URL that the page's annotations list is a true positive, any other a false
  positive (on a page with no annotation every found link is one); an annotated URL not found
  is a false negative;
- precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean; overall
  figures add up the counts of every page (micro average). A page with nothing to find and
  nothing found scores 1.

The second table lists every other block (other markers such as "Sur le même thème", class
tokens, site selectors, embedded JSON): not annotated, so not scored; read the pages to judge
them.

    python -m bench.related_links [--links]

``--links`` also prints each found link (kind, URL, anchor text) under its page.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction.pages.base import ArticlePage
from extraction.pages.related import RelatedBlock, is_read_also, related_blocks

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"


@dataclass
class PageScore:
    """The scored links of one page."""

    case: str
    found: list[str]
    expected: list[str]

    @property
    def true_positives(self) -> int:
        return len(set(self.found) & set(self.expected))

    @property
    def false_positives(self) -> int:
        return len(set(self.found) - set(self.expected))

    @property
    def false_negatives(self) -> int:
        return len(set(self.expected) - set(self.found))


def reference() -> dict[str, dict[str, Any]]:
    """``expected.json`` of the corpus: ``{page id: record}``."""
    return dict(json.loads((CORPUS / "expected.json").read_text(encoding="utf-8")))


def page_blocks(case: str, record: dict[str, Any]) -> list[RelatedBlock]:
    """Every related block the finder sees on a corpus page."""
    body = (CORPUS / "pages" / f"{case}.html").read_bytes()
    return related_blocks(ArticlePage(str(record["url"]), body))


def annotated_scope(blocks: list[RelatedBlock]) -> list[RelatedBlock]:
    """The blocks the corpus annotates: those introduced by a "Lire aussi" marker."""
    return [block for block in blocks if is_read_also(block.marker)]


def score_page(case: str, record: dict[str, Any]) -> PageScore:
    found: list[str] = []
    for block in annotated_scope(page_blocks(case, record)):
        found.extend(link.url for link in block.links if link.url not in found)
    expected = [str(link["href"]) for link in record.get("related", [])]
    return PageScore(case, found, expected)


def figures(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """(precision, recall, F1); 1.0 where there was nothing to find or nothing found."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def overall(scores: list[PageScore]) -> tuple[float, float, float]:
    """Micro-averaged (precision, recall, F1) of ``scores``."""
    return figures(
        sum(s.true_positives for s in scores),
        sum(s.false_positives for s in scores),
        sum(s.false_negatives for s in scores),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", action="store_true", help="print every found link")
    args = parser.parse_args(argv)
    records = reference()
    scores = [score_page(case, records[case]) for case in sorted(records)]
    print(f"{'page':45} {'exp':>3} {'fnd':>3} {'TP':>3} {'FP':>3} {'FN':>3}  P     R     F1")
    for s in scores:
        p, r, f = figures(s.true_positives, s.false_positives, s.false_negatives)
        print(
            f"{s.case:45} {len(s.expected):3} {len(s.found):3} {s.true_positives:3} "
            f"{s.false_positives:3} {s.false_negatives:3}  {p:.2f}  {r:.2f}  {f:.2f}"
        )
    p, r, f = overall(scores)
    tp = sum(s.true_positives for s in scores)
    fp = sum(s.false_positives for s in scores)
    fn = sum(s.false_negatives for s in scores)
    print(f"{'overall':45} {'':3} {'':3} {tp:3} {fp:3} {fn:3}  {p:.2f}  {r:.2f}  {f:.2f}")
    print("\nOther blocks (not annotated, not scored):")
    for case in sorted(records):
        for block in page_blocks(case, records[case]):
            if not is_read_also(block.marker):
                print(
                    f"  {case:45} {block.source:6} {block.kind:10} {len(block.links):2} links"
                    f"  {block.marker or _label(block)}"
                )
    if args.links:
        print("\nLinks:")
        for case in sorted(records):
            print(case)
            for block in page_blocks(case, records[case]):
                for link in block.links:
                    print(f"  [{block.marker or _label(block)}] {link.kind:10} {link.url}")
                    print(f"      {link.title}")


def _label(block: RelatedBlock) -> str:
    if block.element is None:
        return "(embedded JSON)"
    return f"<{block.element.tag} class={block.element.get('class')!r}>"


if __name__ == "__main__":
    main()
