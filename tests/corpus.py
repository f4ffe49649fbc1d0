"""The French pages of the shared corpus, as the tests read them (``fixtures/corpus``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
REFERENCE: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "expected.json").read_text(encoding="utf-8")
)
#: Every page id, sorted.
CASES = sorted(REFERENCE)


@cache
def html(case: str) -> bytes:
    """The page's bytes, as its repository stores them."""
    return (CORPUS / "pages" / f"{case}.html").read_bytes()


def url(case: str) -> str:
    return str(REFERENCE[case]["url"])
