"""Page objects: pure extraction from a fetched page (url + HTML) to an ``Article``.

Nothing in this package imports Scrapy, so the archive can re-extract stored pages.
"""

from __future__ import annotations

from extraction.pages.base import ArticlePage, normalize_datetime
from extraction.pages.sputnik import SputnikArticlePage

__all__ = ["ArticlePage", "SputnikArticlePage", "normalize_datetime"]
