"""The layers of DESIGN.md: ``archive`` and ``crawler.pages`` never import Scrapy or Twisted."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))
print(','.join(loaded))
"""


@pytest.mark.parametrize(
    "module",
    ["archive", "archive.cli", "archive.store", "crawler.pages", "crawler.items", "crawler.checks"],
)
def test_module_imports_without_scrapy(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def test_mocksite_shares_nothing_with_the_parser() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, mocksite, mocksite.site, mocksite.server;"
            "print(','.join(sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('crawler', 'archive', 'scrapy'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""
