"""The corpus pages in ``fixtures/corpus`` are the shared corpus's, byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from tests.corpus import CASES, REFERENCE, html


def test_the_eighteen_french_pages_are_here() -> None:
    assert len(CASES) == 18
    assert {REFERENCE[case]["lang"] for case in CASES} == {"fr"}


@pytest.mark.parametrize("case", CASES)
def test_page_is_the_corpus_file(case: str) -> None:
    assert hashlib.sha256(html(case)).hexdigest() == REFERENCE[case]["html_sha256"]
