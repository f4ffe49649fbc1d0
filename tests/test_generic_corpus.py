"""The generic page object on the corpus's 18 real French news pages, field by field.

The pages and their reference values are in ``fixtures/corpus/`` (``SOURCES.md``: Fundus parser
output, trafilatura's evaluation snippets, Readability's expected output). Where this page
object and a reference disagree and the page object is the one to believe, the test says so
and why (:data:`TITLE_SHOWN`, :data:`AUTHOR_NOT_ORGANISATION`); what it still gets wrong is
listed (:data:`KNOWN_LEAKS`, :data:`KNOWN_MISSING`) so that a fix shows as a failure too.

The quality floor: the lead + body snippet F1 of ``bench/corpus.py`` (its docstring defines
it), against trafilatura's default ``extract`` scored the same way in the same run.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

import pytest

from bench import corpus as bench
from extraction.items import Article
from extraction.pages.generic import GenericArticlePage
from extraction.pages.strip import RELATED_MARKER
from tests.corpus import CASES, REFERENCE, html, url

#: The lowest lead + body snippet F1 allowed (0.990 when pinned).
F1_FLOOR = 0.98
#: Pages whose reference has a title.
TITLED = [c for c in CASES if REFERENCE[c].get("title")]
#: Fundus pages: lead, body paragraphs, date and authors of reference.
FUNDUS = [c for c in CASES if REFERENCE[c]["reference_kind"] == "fundus_parser_output"]
SNIPPETS = [c for c in CASES if REFERENCE[c]["reference_kind"] == "trafilatura_eval_snippets"]

#: Where the reference title is not the one the page shows: Fundus reads og:title ("Le merlu
#: de l'Atlantique Nord sauvé de l'extinction ?"), a headline for social networks that is
#: nowhere on the page; the page's <h1> and its JSON-LD headline agree on this one (Fundus'
#: own title probe failed on this page: version_match_score 0.833).
TITLE_SHOWN = {
    "fundus_fr_EuronewsFR_2024_04_30": (
        "Comment les efforts européens ont permis de sauver le merlu de l'extinction"
    ),
}
#: Fundus names organisations: the publisher where the page's JSON-LD names a person (Le
#: Monde), the publisher and a news agency where it names no one (Le Figaro).
AUTHOR_NOT_ORGANISATION = {
    "fundus_fr_LeMonde_2023_09_01": ["Bertrand Bissuel"],
    "fundus_fr_LeFigaro_2024_11_22": [],
    "fundus_fr_LesEchos_2024_07_18": [],
}
#: Unwanted snippets still found, and why.
KNOWN_LEAKS = {
    # The live blog's own "Les principales infos de ce matin" list links the same article
    # as a later "Lire aussi" box: the list is article text, the reference counts the line.
    "fundus_fr_LesEchos_2024_07_18": ["A Milwaukee, JD Vance trace sa vision de l'Amérique"],
    # A 2007 table layout where the next article's teaser shares the article's table cell.
    "traf_archive.org-travaillent": ["Le marché du travail est-il trop", "Hors-série n° 72"],
}
#: Wanted snippets still missing, and why. (L'Opinion's "faits" box, a bare div.article_faits
#: of prose opening the text, which trafilatura leaves out, was one: the page object now
#: gives trafilatura its text as a paragraph.)
KNOWN_MISSING: dict[str, list[str]] = {}


@cache
def article(case: str) -> Article:
    return GenericArticlePage(url(case), html(case)).to_item()


def norm(text: str | None) -> str:
    return bench.norm(text)


def paragraphs(text: str | None) -> list[str]:
    return [norm(p) for p in (text or "").split("\n\n") if norm(p)]


def reference_paragraphs(case: str) -> list[str]:
    """The reference body's paragraphs after its lead (Fundus' body_text starts with it)."""
    return paragraphs(REFERENCE[case]["body_text"])[1:]


@cache
def page(case: str) -> bench.CorpusPage:
    return next(p for p in bench.corpus_pages() if p.case == case)


def text(case: str) -> str:
    found = article(case)
    return "\n\n".join(t for t in (found.lead, found.body) if t)


def instant(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def test_the_corpus_is_the_eighteen_french_pages() -> None:
    assert len(CASES) == 18
    assert len(TITLED) == 6 and len(FUNDUS) == 5 and len(SNIPPETS) == 12


@pytest.mark.parametrize("case", TITLED)
def test_title(case: str) -> None:
    expected = TITLE_SHOWN.get(case, REFERENCE[case]["title"])
    assert norm(article(case).title) == norm(expected)


@pytest.mark.parametrize("case", CASES)
def test_every_page_is_an_article(case: str) -> None:
    found = article(case)
    assert found.is_article
    # dw.com's page is an audio item: its standfirst is all its text.
    assert len(paragraphs(found.body)) >= (0 if case == "traf_dw.com-elephants" else 3)


@pytest.mark.parametrize("case", FUNDUS)
def test_lead_is_the_standfirst(case: str) -> None:
    assert norm(article(case).lead) == norm(REFERENCE[case]["lead"])


def test_a_meta_description_not_shown_is_no_lead() -> None:
    # Readability's "lead" is its excerpt, the meta description: this page never shows it.
    assert article("readability_lemonde-1").lead is None


@pytest.mark.parametrize("case", FUNDUS)
def test_body_first_and_last_paragraph(case: str) -> None:
    found, expected = paragraphs(article(case).body), reference_paragraphs(case)
    assert found[0] == expected[0]
    assert found[-1] == expected[-1]


def test_readability_body_first_and_last_paragraph() -> None:
    found = paragraphs(article("readability_lemonde-1").body)
    expected = [norm(p) for p in REFERENCE["readability_lemonde-1"]["body_blocks"]]
    assert found[0] == expected[0]
    assert found[-1] == expected[-1]


@pytest.mark.parametrize("case", FUNDUS)
def test_published_at_is_the_instant(case: str) -> None:
    found = instant(article(case).published_at)
    assert found is not None
    assert found == instant(REFERENCE[case]["published_at"])


def test_readability_page_published_at() -> None:
    # Readability reports no date; the page's own article:published_time gives one.
    assert article("readability_lemonde-1").published_at == "2015-05-04T13:36:31+02:00"


@pytest.mark.parametrize(
    "case", ["fundus_fr_EuronewsFR_2024_04_30", "fundus_fr_EuronewsFR_2026_01_06"]
)
def test_authors_where_the_reference_names_people(case: str) -> None:
    assert article(case).authors == REFERENCE[case]["authors"]


@pytest.mark.parametrize("case", sorted(AUTHOR_NOT_ORGANISATION))
def test_authors_are_people_not_the_publisher(case: str) -> None:
    assert article(case).authors == AUTHOR_NOT_ORGANISATION[case]
    assert REFERENCE[case]["authors"] in (["Le Monde"], ["Le Figaro et AFP"], ["Les Echos"])


def test_paywall_notice_left_out() -> None:
    body = article("fundus_fr_LeMonde_2023_09_01").body or ""
    assert "Il vous reste" not in body
    assert "réservée" not in body


@pytest.mark.parametrize("case", CASES)
def test_no_lire_aussi_line(case: str) -> None:
    lines = paragraphs(text(case))
    assert [line for line in lines if RELATED_MARKER.search(line)] == []


@pytest.mark.parametrize("case", [c for c in CASES if REFERENCE[c]["related"]])
def test_related_links_not_in_text(case: str) -> None:
    found = norm(text(case))
    anchors = [link["anchor"] for link in REFERENCE[case]["related"]]
    leaked = [a for a in anchors if norm(a) in found]
    assert leaked == [a for a in KNOWN_LEAKS.get(case, []) if a in anchors]


@pytest.mark.parametrize("case", CASES)
def test_snippets(case: str) -> None:
    counts = bench.snippet_counts(page(case), text(case))
    assert counts.leaked == KNOWN_LEAKS.get(case, [])
    assert counts.missing == KNOWN_MISSING.get(case, [])


def test_no_paragraph_is_a_table_row_a_comment_or_a_rule() -> None:
    for case in CASES:
        found = paragraphs(article(case).body)
        assert not [p for p in found if re.match(r"^\||^[\W_]*$|smart_paging", p)], case


@pytest.mark.parametrize(
    ("case", "chrome"),
    [
        ("traf_dw.com-elephants", "Nous utilisons des cookies"),
        ("traf_sauvonsluniversite.com.spip", "Accueil > Actualités et humeurs"),
        ("traf_laviedesidees.fr.evaluation", "Photo (cc) : svenwerk"),
        ("traf_gala.fr.surnom", "Crédits photos : Bestimage"),
    ],
)
def test_page_chrome_left_out(case: str, chrome: str) -> None:
    assert chrome not in text(case)


@pytest.fixture(scope="module")
def scores() -> bench.Scores:
    return bench.score_all(bench.corpus_pages())


def test_snippet_f1_beats_trafilatura_and_the_floor(scores: bench.Scores) -> None:
    generic, reference = scores.total("generic"), scores.total("trafilatura")
    assert generic.f1 > reference.f1
    assert generic.f1 >= F1_FLOOR


def test_titles_right(scores: bench.Scores) -> None:
    # Against the references as they stand: every title but TITLE_SHOWN's.
    right, judged = scores.titles_right("generic")
    assert (right, judged) == (len(TITLED) - len(TITLE_SHOWN), len(TITLED))


def test_titles_right_against_the_hand_written_ones(scores: bench.Scores) -> None:
    # The headline each page shows, written by reading it (the site fixtures' titles, on the
    # 11 corpus pages they cover): the issue asks for 90% of pages with a title; every one.
    right, judged = scores.hand_titles_right("generic")
    assert judged == len(bench.hand_titles()) == 11
    assert right == judged
    for case, shown in TITLE_SHOWN.items():
        assert bench.norm(bench.hand_titles().get(case, shown)) == bench.norm(shown)
