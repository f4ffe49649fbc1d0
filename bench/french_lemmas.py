"""French search folding: Snowball alone against lemma + Snowball, on word pairs and on speed.

Each way of folding a word is scored on the pairs of ``tests/fixtures/french_word_pairs.tsv``
(``same``: both words must fold alike; ``distinct``: they must not; ``conflated``: known
limits, reported apart) and on accent symmetry: of the words of a corpus that carry
diacritics, how many fold otherwise when typed without them (a reader typing "fraiche" must
find "fraîche"). The corpus is the text of the real French pages of
``tests/fixtures/corpus/expected.json`` (titles, leads, bodies).

Speed: ``fold_text`` of that corpus as the index is built, every cache emptied before each
pass (an index rebuild meets each distinct word once, then from the cache), CPU time, best
of ``--passes``; simplemma's one-off dictionary load is timed apart, with the memory it
takes.

    python bench/french_lemmas.py [--passes 5] [--record bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simplemma  # noqa: E402

from archive import french  # noqa: E402
from bench.record import record_section, version  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "french_word_pairs.tsv"
CORPUS = ROOT / "tests" / "fixtures" / "corpus" / "expected.json"


def read_pairs() -> list[tuple[str, str, str]]:
    """``(expect, word, other)`` of the pairs file."""
    pairs = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expect, word, other, _ = line.split("\t")
            pairs.append((expect, word, other))
    return pairs


def corpus_text() -> str:
    references = json.loads(CORPUS.read_text(encoding="utf-8"))
    parts = []
    for reference in references.values():
        for key in ("title", "lead", "body", "body_text"):
            value = reference.get(key)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


def _snowball(plain: str) -> str:
    return str(french._stemmer().stemWord(plain))


def snowball(word: str) -> str:
    """Before lemmas: casefold, accents off, Snowball."""
    return french.fold_word_snowball(word)


def lemma_always(word: str) -> str:
    """simplemma's lemma whatever it is, then accents off and Snowball."""
    folded = word.casefold()
    return _snowball(french.strip_diacritics(simplemma.lemmatize(folded, lang="fr").casefold()))


def lemma_of_accented(word: str) -> str:
    """The archive's rule (:func:`archive.french.lemma`) applied to the word as accented:
    simplemma knows more accented forms, but a reader's accent-free word then folds
    otherwise."""
    folded = word.casefold()
    found = french.strip_diacritics(simplemma.lemmatize(folded, lang="fr").casefold())
    plain = french.strip_diacritics(folded)
    lemma = french.lemma(found) if french.same_word(plain, found) else french.lemma(plain)
    return _snowball(french._regular_ending(lemma))


APPROACHES: dict[str, Callable[[str], str]] = {
    "Snowball (before)": snowball,
    "any lemma + Snowball": lemma_always,
    "lemma of the accented word (rule) + Snowball": lemma_of_accented,
    "lemma of the accent-free word (rule) + Snowball (kept)": french.fold_word,
}


def score(fold: Callable[[str], str], pairs: list[tuple[str, str, str]]) -> dict[str, int]:
    counts = {"same": 0, "same_total": 0, "distinct": 0, "distinct_total": 0, "conflated": 0}
    for expect, word, other in pairs:
        alike = fold(word) == fold(other)
        if expect == "conflated":
            counts["conflated"] += alike
            continue
        counts[f"{expect}_total"] += 1
        counts[expect] += alike == (expect == "same")
    return counts


def asymmetric(fold: Callable[[str], str], words: set[str]) -> list[str]:
    """Words with diacritics that fold otherwise once their diacritics are dropped."""
    return sorted(
        w
        for w in words
        if french.plain_word(w) != w.casefold() and fold(w) != fold(french.plain_word(w))
    )


def clear_caches() -> None:
    for cached in (french.fold_word, french.fold_word_snowball, french.lemma):
        cached.cache_clear()
    # simplemma's own cache of lemmas (a private attribute: left alone where it differs).
    lemmatizer = getattr(simplemma.lemmatizer, "_legacy_lemmatizer_for", None)
    cache = getattr(lemmatizer(False, False), "_cached_lemmatize", None) if lemmatizer else None
    if cache is not None:
        cache.cache_clear()


def index_seconds(text: str, passes: int) -> tuple[float, float]:
    """Best CPU seconds of ``fold_text`` of ``text`` without and with lemmas, the two
    measured in turn within each pass so that the machine's load weighs on both."""
    best = {False: float("inf"), True: float("inf")}
    for number in range(passes):
        for lemmas in (False, True) if number % 2 == 0 else (True, False):
            clear_caches()
            start = time.process_time()
            french.fold_text(text, lemmas=lemmas)
            best[lemmas] = min(best[lemmas], time.process_time() - start)
    return best[False], best[True]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5, help="timed passes, the best counts")
    parser.add_argument("--record", type=Path, help="append the results to this Markdown file")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    simplemma.lemmatize("chevaux", lang="fr")
    load_s = time.process_time() - start
    load_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    pairs = read_pairs()
    text = corpus_text()
    words = {word for _, _, word in french.word_spans(text)}
    lines = [
        f"Pairs: {PAIRS.relative_to(ROOT)} ({sum(e == 'same' for e, _, _ in pairs)} same, "
        f"{sum(e == 'distinct' for e, _, _ in pairs)} distinct, "
        f"{sum(e == 'conflated' for e, _, _ in pairs)} known conflations); simplemma "
        f"{version('simplemma')}, snowballstemmer {version('snowballstemmer')}. Accent "
        f"symmetry over the {len(words)} distinct words of the corpus.",
        "",
        "| folding | same pairs right | distinct pairs right | known conflations "
        "| accented words folding otherwise without accents |",
        "|---|---|---|---|---|",
    ]
    for name, fold in APPROACHES.items():
        counts = score(fold, pairs)
        odd = asymmetric(fold, words)
        shown = ", ".join(odd[:6]) + (", …" if len(odd) > 6 else "")
        lines.append(
            f"| {name} | {counts['same']}/{counts['same_total']} "
            f"| {counts['distinct']}/{counts['distinct_total']} | {counts['conflated']} "
            f"| {len(odd)} {('(' + shown + ')') if odd else ''} |"
        )
    old, new = index_seconds(text, args.passes)
    lines += [
        "",
        f"Index text of the corpus ({len(text):,} characters, cold caches): Snowball "
        f"{old * 1000:.1f} ms, lemma + Snowball {new * 1000:.1f} ms: ratio new/old "
        f"{new / old:.2f}. simplemma's French dictionary loads once per process in "
        f"{load_s * 1000:.0f} ms and adds {load_mb:.0f} MB to its peak memory (RSS).",
    ]
    print("\n".join(lines))
    if args.record:
        record_section(
            args.record,
            "French search folding: Snowball against lemma + Snowball",
            "python bench/french_lemmas.py",
            args.passes,
            load_start,
            lines,
        )


if __name__ == "__main__":
    main()
