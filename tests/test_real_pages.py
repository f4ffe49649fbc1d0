"""The Sputnik page object on real Sputnik pages, against values written by hand.

The pages and their reference values are in ``fixtures/real/`` (``SOURCES.md`` says where
each comes from). Real pages are the reference: when the replica and a real page disagree,
the replica is wrong. Every field of the reference is asserted, on both pages.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extraction.items import Article
from extraction.pages import SputnikArticlePage
from extraction.pages.clean import clean_article

REAL = Path(__file__).parent / "fixtures" / "real"
REFERENCE: dict[str, dict[str, Any]] = json.loads(
    (REAL / "expected.json").read_text(encoding="utf-8")
)
SPUTNIK = sorted(k for k, r in REFERENCE.items() if r["site_group"] == "sputniknews.com")


@cache
def page(case: str) -> SputnikArticlePage:
    return SputnikArticlePage(REFERENCE[case]["url"], (REAL / f"{case}.html").read_bytes())


@cache
def article(case: str) -> Article:
    return page(case).to_item()


def test_both_real_sputnik_pages_are_here() -> None:
    assert SPUTNIK == [
        "en_sputniknews_2019_columnists_prince_andrew",
        "en_sputniknews_2020_radio_critical_hour",
    ]


@pytest.mark.parametrize("case", SPUTNIK)
def test_page_is_the_corpus_file(case: str) -> None:
    digest = hashlib.sha256((REAL / f"{case}.html").read_bytes()).hexdigest()
    assert digest == REFERENCE[case]["html_sha256"]


@pytest.mark.parametrize("case", SPUTNIK)
def test_is_an_article(case: str) -> None:
    assert page(case).layout == "legacy"
    assert article(case).is_article


@pytest.mark.parametrize("case", SPUTNIK)
@pytest.mark.parametrize(
    "field",
    ["title", "lead", "category", "tags", "authors", "views", "short_url", "canonical_url"],
)
def test_field(case: str, field: str) -> None:
    reference = REFERENCE[case]
    assert getattr(article(case), field) == reference[field]


@pytest.mark.parametrize("case", SPUTNIK)
def test_published_at_is_the_instant_of_the_page(case: str) -> None:
    found = article(case).published_at
    assert found is not None
    assert datetime.fromisoformat(found) == datetime.fromisoformat(REFERENCE[case]["published_at"])
    # and the offset given is the page's own (UTC), not a zone guessed for a bare time
    assert found == REFERENCE[case]["published_at"]


@pytest.mark.parametrize("case", SPUTNIK)
def test_photo(case: str) -> None:
    reference, found = REFERENCE[case], article(case)
    assert found.image_url in reference["image_url_any_of"]
    accepted = [reference["image_caption"], *reference.get("image_caption_also_ok", [])]
    assert found.image_caption in accepted
    assert found.image_credit == reference["image_credit"]


@pytest.mark.parametrize("case", SPUTNIK)
def test_body(case: str) -> None:
    reference, body = REFERENCE[case], article(case).body or ""
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith(reference["body_first"])
    assert paragraphs[-1].endswith(reference["body_last"])
    for text in reference.get("body_must_not_contain", []):
        assert text not in body


def test_body_is_the_benchmark_annotation() -> None:
    """The article-extraction benchmark's human-annotated body of the 2019 page, paragraph
    by paragraph, without its last line (the opinion disclaimer, which is site chrome)."""
    reference = REFERENCE["en_sputniknews_2019_columnists_prince_andrew"]
    annotated = reference["aeb_articleBody"].split("\n\n")
    assert annotated[-1] in reference["body_must_not_contain"]
    body = article("en_sputniknews_2019_columnists_prince_andrew").body
    assert body is not None and body.split("\n\n") == annotated[:-1]


@pytest.mark.parametrize("case", SPUTNIK)
def test_related(case: str) -> None:
    found = [{"href": link.url, "anchor": link.title} for link in article(case).related]
    assert found == REFERENCE[case]["related"]


@pytest.mark.parametrize("case", SPUTNIK)
def test_cleaning_keeps_every_reference_value(case: str) -> None:
    """What the crawl stores (the article after cleaning) still has the reference values."""
    reference, cleaned = REFERENCE[case], clean_article(article(case))
    for field in ("title", "lead", "category", "tags", "authors", "image_credit"):
        assert getattr(cleaned, field) == reference[field]
    assert cleaned.image_url in reference["image_url_any_of"]
