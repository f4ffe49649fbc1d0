"""The related-block finder on the replica site's pages (both Sputnik layouts), against the
replica's ground truth: every "Lire aussi" link, its title and its kind.

The replica (``mocksite``) is written from DESIGN.md independently of the finder; pages are
rendered in-process (no server): the finder reads markup only.
"""

from __future__ import annotations

import pytest

from extraction.pages.base import ArticlePage
from extraction.pages.related import is_read_also, related_blocks, related_links
from mocksite.pages import Renderer
from mocksite.site import Site

ARTICLES = 60
BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def replica() -> tuple[Site, Renderer]:
    site = Site(ARTICLES, seed=1)
    return site, Renderer(site, BASE)


@pytest.mark.parametrize("index", range(ARTICLES))
def test_related_links_of_a_replica_page(replica: tuple[Site, Renderer], index: int) -> None:
    site, renderer = replica
    page = ArticlePage(BASE + site.meta(index).url_path, renderer.article(index))
    blocks = related_blocks(page)
    assert all(is_read_also(block.marker) for block in blocks)
    found = [(link.url, link.title, link.kind) for link in related_links(blocks)]
    expected = [(BASE + r["path"], r["title"], r["kind"]) for r in site.article(index)["related"]]
    assert found == expected
