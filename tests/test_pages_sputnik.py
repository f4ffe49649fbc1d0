"""SputnikArticlePage against saved pages, field by field.

Each folder of ``fixtures/pages/SputnikArticlePage/<case>/`` holds ``body.html``,
``meta.json`` ({"url", "encoding"}) and ``expected.json`` (the full ``Article.to_dict()``,
written by hand from what the page shows). Adding a folder adds its tests.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extraction.items import ARTICLE_FIELDS, Article
from extraction.pages import SputnikArticlePage

FIXTURES = Path(__file__).parent / "fixtures" / "pages" / "SputnikArticlePage"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "body.html").is_file())
#: Pages that must not count as articles.
NOT_ARTICLES = {"not_article_rubrique", "not_article_error", "only_related"}
#: What differs between the two renderings of the seed article: addresses and raw dates.
SEED_DIFFERENCES = {
    "url",
    "canonical_url",
    "short_url",
    "image_url",
    "published_at_raw",
    "modified_at_raw",
}
#: Text that is site chrome or page furniture, never article text.
CHROME = re.compile(
    r"Ecoutez Radio Sputnik|S'abonner|Règles de conduite|Commenter via|^Discussion$"
    r"|Lire aussi|Tags\s*:|URL courte|©",
    re.M,
)


@cache
def page(case: str) -> SputnikArticlePage:
    folder = FIXTURES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return SputnikArticlePage(meta["url"], (folder / "body.html").read_bytes(), meta["encoding"])


@cache
def extracted(case: str) -> dict[str, Any]:
    return page(case).to_item().to_dict()


@cache
def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / case / "expected.json").read_text("utf-8"))
    return data


def test_there_are_fixtures() -> None:
    assert {"seed_legacy", "seed_current", *NOT_ARTICLES} <= set(CASES)


@pytest.mark.parametrize(
    ("case", "field"),
    [(case, field) for case in CASES for field in ARTICLE_FIELDS],
    ids=[f"{case}-{field}" for case in CASES for field in ARTICLE_FIELDS],
)
def test_field(case: str, field: str) -> None:
    assert extracted(case)[field] == expected(case)[field]


@pytest.mark.parametrize("case", CASES)
def test_expected_is_a_whole_article(case: str) -> None:
    data = expected(case)
    assert list(data) == list(ARTICLE_FIELDS)
    assert Article.from_dict(data).to_dict() == data


@pytest.mark.parametrize("case", CASES)
def test_is_article(case: str) -> None:
    article = page(case).to_item()
    assert article.is_article == (case not in NOT_ARTICLES)
    assert Article.from_dict(expected(case)).is_article == article.is_article


@pytest.mark.parametrize("case", CASES)
def test_text_has_no_chrome(case: str) -> None:
    article = page(case).to_item()
    for text in (article.lead, article.body):
        assert not CHROME.search(text or ""), text


@pytest.mark.parametrize("case", CASES)
def test_text_fields_are_none_rather_than_empty(case: str) -> None:
    article = extracted(case)
    assert all(value != "" for value in article.values())
    assert all(link["url"].startswith(("http://", "https://")) for link in article["related"])
    assert [link["position"] for link in article["related"]] == list(range(len(article["related"])))


@pytest.mark.parametrize("field", [f for f in ARTICLE_FIELDS if f not in SEED_DIFFERENCES])
def test_seed_layouts_agree(field: str) -> None:
    legacy, current = extracted("seed_legacy")[field], extracted("seed_current")[field]
    if field == "related":
        legacy = [{**link, "url": None} for link in legacy]
        current = [{**link, "url": None} for link in current]
    assert legacy == current


@pytest.mark.parametrize(
    ("case", "layout"), [("seed_legacy", "legacy"), ("seed_current", "current")]
)
def test_layout_is_detected(case: str, layout: str) -> None:
    assert page(case).layout == layout


def test_pages_source_never_names_scrapy() -> None:
    # test_layering checks what importing extraction.pages loads; this also catches an import
    # tucked inside a function, which only runs later.
    sources = Path(__file__).parents[1] / "crawler" / "pages"
    for source in sources.glob("*.py"):
        assert not re.search(r"^\s*(?:from|import)\s+scrapy\b", source.read_text(), re.M), source
