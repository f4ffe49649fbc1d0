"""The French corpus benchmark (``bench/corpus.py``) scores the way its docstring says, and
its recorded section says what was run, where and when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import corpus as bench


def fake_page(reference: dict[str, object], body: bytes = b"<html></html>") -> bench.CorpusPage:
    return bench.CorpusPage("fake", "https://exemple.fr/a/b-c-d", body, reference)


def test_snippet_pages_count_found_wanted_and_unwanted() -> None:
    page = fake_page(
        {
            "reference_kind": "trafilatura_eval_snippets",
            "with_snippets": ["début du texte", "fin du texte"],
            "without_snippets": ["Mentions légales"],
            "related": [{"href": "https://exemple.fr/x", "anchor": "Un autre article"}],
        }
    )
    counts = bench.snippet_counts(page, "Le  début du\ntexte. Un autre article. Mentions légales")
    assert (counts.tp, counts.fp, counts.fn) == (1, 2, 1)
    assert counts.missing == ["fin du texte"]
    assert counts.leaked == ["Mentions légales", "Un autre article"]


def test_reference_paragraphs_are_wanted_but_not_a_related_line() -> None:
    body = "Il vous reste 57.09% de cet article à lire.".encode()
    page = fake_page(
        {
            "reference_kind": "fundus_parser_output",
            "body_text": "Le chapeau.\n\nPremier paragraphe.\n\nLire aussi : Un autre article",
            "related": [{"href": "https://exemple.fr/x", "anchor": "Un autre article"}],
        },
        body,
    )
    assert bench.wanted(page) == ["Le chapeau.", "Premier paragraphe."]
    assert bench.unwanted(page) == ["Un autre article", "Il vous reste"]
    counts = bench.snippet_counts(page, "Le chapeau.\n\nPremier paragraphe.")
    assert (counts.tp, counts.fp, counts.fn) == (2, 0, 0)
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_micro_average() -> None:
    total = bench.Counts(tp=8, fp=2, fn=0)
    total.add(bench.Counts(tp=0, fp=0, fn=8))
    assert (total.precision, total.recall) == (0.8, 0.5)
    assert round(total.f1, 4) == round(2 * 0.8 * 0.5 / 1.3, 4)


def test_the_recorded_section(tmp_path: Path) -> None:
    record = tmp_path / "RESULTS.md"
    bench.main(["--passes", "1", "--repeat", "1", "--record", str(record)])
    text = record.read_text(encoding="utf-8")
    assert text.startswith("\n## French corpus: lead + body snippets, titles and speed")
    for line in ("Machine: ", "Load average ", "Command: `python -m bench.corpus --passes 1"):
        assert line in text
    assert "| generic |" in text and "| trafilatura |" in text
    assert "generic / trafilatura pages/s = **" in text


def test_hand_written_titles_are_the_site_fixtures_of_corpus_pages() -> None:
    # Every site fixture whose page is a corpus page gives its title; the one copied under
    # fixtures/sites/ (Libération) is no corpus page.
    from tests.site_cases import CASES as SITE_CASES

    titles = bench.hand_titles()
    corpus = {page.case for page in bench.corpus_pages()}
    expected = {
        Path(record["page"]).stem: record["title"]
        for record in SITE_CASES.values()
        if record["page"].startswith("corpus/pages/")
    }
    assert titles == expected
    assert len(titles) == 11 and set(titles) <= corpus


def test_titles_are_scored_against_each_reference_apart(monkeypatch: Any) -> None:
    page = fake_page(
        {
            "reference_kind": "fundus_parser_output",
            "body_text": "Premier paragraphe.",
            "title": "Le titre pour les réseaux",
        }
    )
    unjudged = bench.CorpusPage("other", page.url, page.body, {**page.reference, "title": None})
    monkeypatch.setattr(bench, "hand_titles", lambda: {"fake": "Le  titre\u00a0affiché"})
    monkeypatch.setitem(
        bench.SCORED, "shown", lambda p: ("Le titre affiché", "Premier paragraphe.")
    )
    scores = bench.score_all([page, unjudged], ("shown",))
    assert scores.titles_right("shown") == (0, 1)  # the corpus reference: another title
    assert scores.hand_titles_right("shown") == (1, 1)  # whitespace runs are one space
    assert scores.total("shown").f1 == 1.0  # the snippets do not depend on titles
    lines = bench.report([page, unjudged], scores, [])
    assert "| `fake` | 1/0/0 | ✗ | ✓ |" in lines
    assert "| `other` | 1/0/0 |  |  |" in lines
    assert "| shown | 1.000 | 1.000 | **1.000** | 0/1 | 1/1 |" in lines
