"""Real pages of the declared sites through the page object their URL gets, field by field.

Each case of ``fixtures/sites/expected.json`` holds values written by reading the page's
HTML (see ``fixtures/sites/SOURCES.md``). Title, date, canonical URL and authors are read
from what sites publish for machines, the title as the page shows it, and where a page gives
no author or date for machines, from the byline and date it shows with its headline; lead,
body and related links are the generic page object's to find with the site's declared rules.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import cache
from typing import Any

import pytest
from lxml.html import fromstring

from extraction.pages.base import ArticlePage
from extraction.sites import PARIS, page_class_of
from tests.site_cases import CASES, html

NAMES = sorted(CASES)


def spaced(text: str | None) -> str:
    """``text`` with every run of spaces (no-break and narrow ones too) as one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text or "").strip()


@cache
def page(case: str) -> ArticlePage:
    url = CASES[case]["url"]
    return page_class_of(url)(url, html(case))


def expected(case: str, field: str) -> Any:
    return CASES[case][field]


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@pytest.mark.parametrize("case", NAMES)
def test_title(case: str) -> None:
    assert spaced(page(case).title) == spaced(expected(case, "title"))


@pytest.mark.parametrize("case", NAMES)
def test_published_at(case: str) -> None:
    found, wanted = page(case).published_at, expected(case, "published_at")
    assert found is not None
    if len(wanted) == len("2018-09-30"):  # the page shows only the day, in Paris time
        assert datetime.fromisoformat(found).astimezone(PARIS).date().isoformat() == wanted
    else:
        assert instant(found) == instant(wanted)


@pytest.mark.parametrize("case", NAMES)
def test_canonical_url(case: str) -> None:
    assert page(case).canonical_url == expected(case, "canonical_url")


@pytest.mark.parametrize("case", NAMES)
def test_authors(case: str) -> None:
    assert [spaced(a) for a in page(case).authors] == expected(case, "authors")


@pytest.mark.parametrize("case", NAMES)
def test_lead(case: str) -> None:
    start = expected(case, "lead_start")
    if start is None:  # the page shows no standfirst
        assert page(case).lead is None
    else:
        assert spaced(page(case).lead).startswith(spaced(start))


@pytest.mark.parametrize("case", NAMES)
def test_body_starts_with_its_first_paragraph(case: str) -> None:
    assert spaced(page(case).body).startswith(spaced(expected(case, "body_first")))


@pytest.mark.parametrize("case", NAMES)
def test_body_ends_with_its_last_paragraph(case: str) -> None:
    assert spaced(page(case).body).endswith(spaced(expected(case, "body_last")))


@pytest.mark.parametrize("case", NAMES)
def test_body_holds_no_chrome(case: str) -> None:
    body = spaced(page(case).body)
    assert body
    for text in expected(case, "body_must_not_contain"):
        assert spaced(text) not in body


@pytest.mark.parametrize("case", NAMES)
def test_related(case: str) -> None:
    found = [(link.url, spaced(link.title)) for link in page(case).related]
    assert found == [(r["url"], spaced(r["anchor"])) for r in expected(case, "related")]


# -- the expected values themselves ------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in NAMES if "html_sha256" in CASES[c]])
def test_a_copied_page_is_the_one_recorded(case: str) -> None:
    assert hashlib.sha256(html(case)).hexdigest() == CASES[case]["html_sha256"]


@cache
def visible_text(case: str) -> str:
    root = fromstring(html(case))
    for element in root.xpath("//script|//style|//noscript"):
        element.drop_tree()
    return spaced(root.text_content())


@pytest.mark.parametrize("case", NAMES)
def test_the_expected_text_is_on_the_page(case: str) -> None:
    """What the expected values quote is in the page's text, where a reader sees it."""
    record = CASES[case]
    text = visible_text(case)
    for field in ("title", "lead_start", "body_first", "body_last"):
        if record[field] is not None:
            assert spaced(record[field]) in text, field
    for name in record["authors"]:
        assert name in text or name in html(case).decode("utf-8"), name
    for link in record["related"]:
        assert spaced(link["anchor"]) in text
