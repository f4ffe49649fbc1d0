"""A page object whose articles the archive refuses now and then, for the tests of failed
writes (tests/test_faults_crawl.py): as a page object with a bug would, it gives every
article whose canonical URL has an even last digit a view count no SQLite integer can hold
(the real page object never does: see ``parse_count``)."""

from __future__ import annotations

import re

from extraction.pages.sputnik import SputnikArticlePage

#: The articles refused: their canonical URL's last digit is even.
REFUSED = re.compile(r"[02468]\D*/?$")


class RefusedViewsPage(SputnikArticlePage):
    """``SputnikArticlePage`` with an impossible view count on some articles."""

    @property
    def views(self) -> int | None:
        if REFUSED.search(self.canonical_url or self.url):
            return 1 << 64
        return super().views
