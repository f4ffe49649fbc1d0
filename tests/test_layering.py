"""The layers of DESIGN.md: ``extraction`` and ``archive`` never import Scrapy or Twisted, and
the package arrows go one way."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CHECK = """
import sys
import {module}
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))
print(','.join(loaded))
"""


@pytest.mark.parametrize(
    "module",
    [
        "archive",
        "archive.cli",
        "archive.store",
        "extraction.pages",
        "extraction.items",
        "crawler.checks",
    ],
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


# -- the package arrows, both ways -------------------------------------------------------
#
#   extraction  <-  archive  <-  crawler        (mocksite: alone)
#
# ``extraction`` (url + bytes -> Article) imports none of the others; ``archive`` imports
# ``extraction`` and, of ``crawler``, only its settings module (the user's configuration:
# plain values); ``crawler`` may import both. Checked twice: in the source (every import
# statement, those inside functions too) and in what importing a package loads.

ROOT = Path(__file__).resolve().parents[1]
#: Top-level packages each package must never import.
FORBIDDEN = {
    "extraction": {"scrapy", "twisted", "crawler", "archive", "mocksite", "bench"},
    "archive": {"scrapy", "twisted", "mocksite", "bench"},
    "mocksite": {"scrapy", "twisted", "crawler", "archive", "extraction", "bench"},
    # the installed project holds neither the benchmarks nor the replica
    "crawler": {"bench", "mocksite"},
}
#: The modules of ``crawler`` that ``archive`` may import.
ARCHIVE_MAY_USE_OF_CRAWLER = {"crawler", "crawler.settings"}


#: Calls that import the module their first argument names.
IMPORT_CALLS = {"import_module", "__import__"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports by name: import statements (``from a import b``: a, and
    a.b when b is a module) and ``importlib.import_module("...")`` / ``__import__("...")``
    calls with a written name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if (ROOT / node.module.replace(".", "/") / f"{alias.name}.py").is_file()
            )
        elif isinstance(node, ast.Call) and node.args:
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            first = node.args[0]
            if name in IMPORT_CALLS and isinstance(first, ast.Constant):
                found.add(str(first.value))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_statement_goes_up_a_layer(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN[package]
    }
    if package == "archive":
        wrong |= {
            f"{path.relative_to(ROOT)}: {module}"
            for path in sorted((ROOT / package).rglob("*.py"))
            for module in imported_modules(path)
            if module.split(".")[0] == "crawler" and module not in ARCHIVE_MAY_USE_OF_CRAWLER
        }
    assert sorted(wrong) == []


def test_the_settings_archive_reads_import_nothing_of_the_project() -> None:
    modules = imported_modules(ROOT / "crawler" / "settings.py")
    assert {m.split(".")[0] for m in modules} <= {"__future__", "os"}


LOADED = """
import importlib, pkgutil, sys
for top in {tops!r}:
    package = importlib.import_module(top)
    for module in pkgutil.walk_packages(package.__path__, top + "."):
        importlib.import_module(module.name)
print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r})))
"""


@pytest.mark.parametrize(
    ("top", "allowed"),
    [("extraction", set()), ("archive", ARCHIVE_MAY_USE_OF_CRAWLER)],
)
def test_importing_every_module_of_a_layer_loads_nothing_above_it(
    top: str, allowed: set[str]
) -> None:
    packages = ("scrapy", "twisted", "crawler", *(() if top == "archive" else ("archive",)))
    result = subprocess.run(
        [sys.executable, "-c", LOADED.format(tops=(top,), packages=packages)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    loaded = {m for m in result.stdout.strip().split(",") if m}
    assert loaded - allowed == set()


def test_an_old_page_class_path_still_names_the_page_class() -> None:
    """``ARCHIVE_PAGE_CLASS`` or ``--page-class`` written when page objects were in
    ``crawler.pages``."""
    from extraction.pages import SputnikArticlePage
    from extraction.pages.choice import load_page_class

    assert load_page_class("crawler.pages.sputnik.SputnikArticlePage") is SputnikArticlePage
    assert load_page_class("crawler.pages.SputnikArticlePage") is SputnikArticlePage
