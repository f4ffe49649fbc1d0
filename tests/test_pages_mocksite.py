"""SputnikArticlePage against the replica site's ground truth, 200 articles, both layouts.

The replica (``mocksite``) is written from DESIGN.md independently of the parser; its
``Site.article(i)`` says what a correct parser extracts from article ``i``. Pages are fetched
over HTTP like the crawler does, then compared field by field.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from extraction.items import ARTICLE_FIELDS, Article
from extraction.pages import SputnikArticlePage
from mocksite.server import RunningSite, start

ARTICLES = 200
#: Fields the replica has no ground truth for; checked against what every page has.
UNCHECKED = {"published_at_raw", "modified_at_raw"}


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningSite]:
    with start(articles=ARTICLES, seed=1) as running:
        yield running


def fetch(url: str) -> tuple[bytes, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read(), response.headers.get_content_charset()
    except urllib.error.HTTPError as error:  # a 404 page is still a page to parse
        return error.read(), error.headers.get_content_charset()


def extract(url: str) -> Article:
    body, encoding = fetch(url)
    return SputnikArticlePage(url, body, encoding).to_item()


def text(value: str | None) -> str | None:
    """Ground-truth text under the Article contract: whitespace runs collapse to one space.

    The replica keeps text verbatim, so the seed's "et\\u00a0 l'élaboration" (NBSP then a
    space) stays two characters there; the contract makes it one space.
    """
    if value is None:
        return None
    return "\n\n".join(re.sub(r"\s{2,}", " ", p).strip() for p in value.split("\n\n"))


def expected_article(truth: dict[str, Any], base: str) -> dict[str, Any]:
    """The ``Article.to_dict()`` the ground truth describes (paths joined with the base URL)."""
    url = base + truth["url_path"]
    return {
        "url": url,
        "canonical_url": url,
        "site": "sputnik",
        "language": "fr",
        "title": text(truth["title"]),
        "lead": text(truth["lead"]),
        "body": text(truth["body"]) or None,
        "authors": truth["authors"],
        "category": truth["category"],
        "tags": [text(t) for t in truth["tags"]],
        "published_at": truth["published_at"],
        "modified_at": truth["modified_at"],
        "image_url": base + truth["image_url"] if truth["image_url"] else None,
        "image_caption": text(truth["image_caption"]),
        "image_credit": text(truth["image_credit"]),
        "short_url": base + truth["short_path"],
        "views": truth["views"],
        "related": [
            {"url": base + r["path"], "title": text(r["title"]), "kind": r["kind"], "position": k}
            for k, r in enumerate(truth["related"])
        ],
    }


@pytest.fixture(scope="module")
def pairs(replica: RunningSite) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(expected, extracted) for every article of the replica."""
    found = []
    for index in range(ARTICLES):
        truth = replica.site.article(index)
        article = extract(replica.base_url + truth["url_path"])
        found.append((expected_article(truth, replica.base_url), article.to_dict()))
    return found


def test_both_layouts_are_covered(replica: RunningSite) -> None:
    layouts = {replica.site.article(i)["layout"] for i in range(ARTICLES)}
    assert layouts == {"legacy", "current"}


@pytest.mark.parametrize("field", [f for f in ARTICLE_FIELDS if f not in UNCHECKED])
def test_field_matches_ground_truth(
    field: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    wrong = [
        (expected["url"], expected[field], got[field])
        for expected, got in pairs
        if expected[field] != got[field]
    ]
    assert not wrong, f"{len(wrong)}/{len(pairs)} wrong, first: {wrong[:3]}"


def test_raw_dates_are_kept(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    for expected, got in pairs:
        assert got["published_at_raw"], expected["url"]
        assert bool(got["modified_at_raw"]) == bool(expected["modified_at"]), expected["url"]


def test_every_article_is_an_article(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    assert all(Article.from_dict(got).is_article for _, got in pairs)


@pytest.mark.parametrize(
    "path", ["/", "/international/", "/international/?page=2", "/20170621/", "/no/such/page/"]
)
def test_other_pages_are_not_articles(replica: RunningSite, path: str) -> None:
    assert not extract(replica.base_url + path).is_article
