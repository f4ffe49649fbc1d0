"""The real pages of declared sites, as the site tests read them (``fixtures/sites``).

``fixtures/sites/expected.json`` is ``{case: record}``; a record names its ``site``, its
``page`` (a path under ``fixtures/``: a page of the shared corpus, or one saved under
``fixtures/sites/<site>/``) and the values written by reading that page's HTML.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
CASES: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "sites" / "expected.json").read_text(encoding="utf-8")
)


@cache
def html(case: str) -> bytes:
    """The page's bytes, as its source repository stores them."""
    return (FIXTURES / CASES[case]["page"]).read_bytes()
