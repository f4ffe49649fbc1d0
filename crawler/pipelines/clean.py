"""Clean extracted articles before they are stored (see :mod:`extraction.pages.clean`)."""

from __future__ import annotations

from typing import Any

from extraction.items import PageItem
from extraction.pages.clean import clean_article


class CleanPipeline:
    """Clean the article of every :class:`PageItem` that carries one."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageItem) and item.article is not None:
            item.article = clean_article(item.article)
        return item
