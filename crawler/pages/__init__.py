"""Page objects: pure extraction from a fetched page (url + HTML) to an ``Article``.

Nothing in this package imports Scrapy, so the archive can re-extract stored pages.
"""

from __future__ import annotations

from crawler.pages.base import ArticlePage, normalize_datetime
from crawler.pages.sputnik import SputnikArticlePage

__all__ = ["ArticlePage", "SputnikArticlePage", "normalize_datetime"]
