"""Which page object reads article pages: one rule for the crawl, ``archive reparse`` and
``archive extract``."""

from __future__ import annotations

import importlib

from extraction.pages.base import ArticlePage
from extraction.pages.sputnik import SputnikArticlePage

#: The page object used when nothing names another, and its name as ``versions.extractor``
#: records it.
PAGE_CLASS: type[ArticlePage] = SputnikArticlePage
EXTRACTOR = PAGE_CLASS.__name__

#: Where page objects lived before they had a package of their own: a setting or option
#: naming ``crawler.pages.sputnik.SputnikArticlePage`` still finds it.
_MOVED = {"crawler.pages": "extraction.pages", "crawler.items": "extraction.items"}


def current_module(name: str) -> str:
    """The module's name today: ``crawler.pages.sputnik`` is ``extraction.pages.sputnik``."""
    for old, new in _MOVED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return name


def split_path(path: str) -> tuple[str, str]:
    """(module, attribute) of ``module.Class`` or ``module:Class``; empty parts when the path
    is neither."""
    module_name, sep, name = path.partition(":") if ":" in path else path.rpartition(".")
    return (module_name, name) if sep else ("", "")


def extractor_version(page_class: type[ArticlePage] = PAGE_CLASS) -> str:
    """The page class's ``extractor_version`` (``extraction.pages.sputnik.EXTRACTOR_VERSION``
    for the default one), ``"1"`` for a page class without one."""
    return str(getattr(page_class, "extractor_version", "1"))


def load_page_class(path: str) -> type[ArticlePage]:
    """The page class named ``module.Class`` (or ``module:Class``).

    A page class is what the crawl accepts as one (``ARCHIVE_PAGE_CLASS``): a class built as
    ``cls(url, body, encoding)`` that gives ``to_item()``, a subclass of ``ArticlePage`` or
    not (``bench.trafilatura_page.TrafilaturaArticlePage`` is not). Raises ``ValueError``
    when it cannot be imported or is no such class.
    """
    module_name, name = split_path(path)
    if not module_name or not name:
        raise ValueError(f"{path!r} is not module.Class")
    try:
        found = getattr(importlib.import_module(current_module(module_name)), name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot import {path}: {error}") from error
    if not (isinstance(found, type) and callable(getattr(found, "to_item", None))):
        raise ValueError(f"{path} is not a page class (a class with to_item(), like ArticlePage)")
    page_class: type[ArticlePage] = found
    return page_class


def page_class_for(option: str | None = None, setting: str | None = None) -> type[ArticlePage]:
    """The page class that reads article pages, chosen as a crawl chooses it: the one
    ``option`` names (``--page-class``), else the one ``setting`` names (the crawl's
    ``ARCHIVE_PAGE_CLASS``), else :data:`PAGE_CLASS`.

    The one function for it: the spider, ``archive reparse`` and ``archive extract`` use it.
    Raises ``ValueError`` as :func:`load_page_class` does.
    """
    path = option or setting
    return load_page_class(path) if path else PAGE_CLASS
