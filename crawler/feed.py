"""What a crawl's feed exports (``scrapy crawl ... -O articles.jsonl``, ``-o``, ``FEEDS``)
receive: one flat record per article the crawl stored, nothing for any other page.

A record is the article's fields as extracted and cleaned (those of ``archive show --json``:
``url``, ``canonical_url``, ``site``, ``language``, ``title``, ``lead``, ``body``, ``authors``,
``category``, ``tags``, ``published_at`` and ``modified_at`` with their ``*_raw``, the
``image_*`` fields, ``short_url``, ``views``, ``related``), then what the archive made of it:
``outcome`` (``new``, ``updated`` or ``unchanged``), ``article_id``, ``version`` (the
number of the article's current version), ``crawl_id`` and ``fetched_at``. An article page
that answered ``304 Not Modified`` is ``unchanged``, its record the article as the archive
holds it. A page found to be an alias of an archived article (the same text under another
URL) is no record: the article is the other one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from extraction.items import ARTICLE_FIELDS

if TYPE_CHECKING:
    from archive import StoreResult
    from extraction.items import Article

#: Store outcomes that give a record.
RECORDED_OUTCOMES = frozenset({"new", "updated", "unchanged"})


def article_record(
    article: Article, stored: StoreResult, crawl_id: int, fetched_at: str | None
) -> dict[str, Any] | None:
    """The feed record of an article the crawl stored; ``None`` when it gives none."""
    if stored.outcome not in RECORDED_OUTCOMES:
        return None
    record = article.to_dict()
    record.update(
        outcome=stored.outcome,
        article_id=stored.article_id,
        version=stored.version,
        crawl_id=crawl_id,
        fetched_at=fetched_at,
    )
    return record


def archived_record(
    article: Mapping[str, Any], crawl_id: int, fetched_at: str | None
) -> dict[str, Any]:
    """The feed record of an archived article whose page answered ``304 Not Modified``
    (``article`` as :meth:`archive.Archive.get_article` gives it)."""
    record = {name: article.get(name) for name in ARTICLE_FIELDS}
    record["related"] = [{"url": link["url"], "title": link["title"], "kind": link["kind"],
                          "position": link["position"]} for link in article["related"]]  # fmt: skip
    record.update(
        outcome="unchanged",
        article_id=article["id"],
        version=article["versions_count"] or None,
        crawl_id=crawl_id,
        fetched_at=fetched_at,
    )
    return record
