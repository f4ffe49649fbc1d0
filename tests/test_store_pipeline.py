"""The store pipeline and the crawl-history extension, built with Scrapy's get_crawler."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from archive import Archive
from crawler.commands.crawl import EXIT_FAILED, CrawlOutcome, exit_status
from crawler.extensions.crawl_history import FAILURE_STAT, STATUS_STAT, CrawlHistory, crawl_status
from crawler.pipelines.store import ArchivePipeline
from crawler.spiders.sputnik import SputnikSpider
from extraction.items import (
    ROLE_ARTICLE,
    ROLE_DISCOVERY,
    ROLE_FAILURE,
    Article,
    PageItem,
    RelatedLink,
)

URL = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"


def article(**changes: object) -> Article:
    values: dict[str, object] = {
        "url": URL,
        "canonical_url": URL,
        "site": "sputnik",
        "title": "Washington et Moscou discutent",
        "lead": "Le chapeau.",
        "body": "Premier.\n\nSecond.",
        "tags": ["Syrie", "Russie"],
        "views": 10,
        "related": [RelatedLink(url="http://127.0.0.1:8000/a/20170621103-x/", title="X")],
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def page(role: str = ROLE_ARTICLE, **changes: object) -> PageItem:
    values: dict[str, object] = {"url": URL, "role": role, "status": 200, "bytes": 1234, "ms": 5.0}
    values.update(changes)
    return PageItem(**values)  # type: ignore[arg-type]


@pytest.fixture
def crawl(tmp_path: Path) -> tuple[ArchivePipeline, CrawlHistory, Path]:
    db = tmp_path / "archive.db"
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db)})
    crawler.spider = crawler._create_spider(urls=URL)
    history = CrawlHistory.from_crawler(crawler)
    history.spider_opened(crawler.spider)
    return ArchivePipeline.from_crawler(crawler), history, db


def test_each_page_gets_its_outcome_and_the_crawl_row_its_counts(
    crawl: tuple[ArchivePipeline, CrawlHistory, Path],
) -> None:
    pipeline, history, db = crawl
    pipeline.process_item(page(article=article()))
    pipeline.process_item(page(article=article(views=11)))
    pipeline.process_item(page(article=article(title="Nouveau titre", views=12)))
    pipeline.process_item(
        page(url="http://127.0.0.1:8000/", article=Article(url="http://127.0.0.1:8000/"))
    )
    pipeline.process_item(page(role=ROLE_DISCOVERY, url="http://127.0.0.1:8000/sitemap_index.xml"))
    pipeline.process_item(page(role=ROLE_FAILURE, url="http://127.0.0.1:8000/x", status=404))
    pipeline.process_item(
        page(role=ROLE_FAILURE, url="http://127.0.0.1:8000/y", status=None, error="DNS")
    )
    history.spider_closed(history.crawler.spider, "finished")

    with Archive(db) as archive:
        outcomes = [
            r["outcome"] for r in archive.db.query("select outcome from fetches order by id")
        ]
        [row] = archive.crawls()
        stored = archive.get_article(URL)
    assert outcomes == [
        "new",
        "unchanged",
        "updated",
        "not_article",
        "discovery",
        "http_error",
        "error",
    ]
    assert row["status"] == "finished" and row["finish_reason"] == "finished"
    assert (row["fetched"], row["new"], row["updated"], row["unchanged"]) == (6, 1, 1, 1)
    assert (row["not_article"], row["errors"]) == (1, 2)
    assert stored is not None and stored["title"] == "Nouveau titre" and stored["views"] == 12
    assert history.crawler.stats.get_value("archive/outcome/unchanged") == 1


def test_an_article_without_body_is_never_an_articles_row(
    crawl: tuple[ArchivePipeline, CrawlHistory, Path],
) -> None:
    pipeline, history, db = crawl
    pipeline.process_item(page(article=article(lead=None, body=None)))
    history.spider_closed(history.crawler.spider, "finished")
    with Archive(db) as archive:
        assert archive.db["articles"].count == 0
        assert [r["outcome"] for r in archive.db.query("select outcome from fetches")] == [
            "not_article"
        ]


@pytest.mark.parametrize(
    ("reason", "status"),
    [("finished", "finished"), ("shutdown", "interrupted"), ("closespider_errorcount", "failed")],
)
def test_crawl_status_of_each_finish_reason(reason: str, status: str) -> None:
    assert crawl_status(reason) == status


def test_items_that_are_not_page_items_pass_through(
    crawl: tuple[ArchivePipeline, CrawlHistory, Path],
) -> None:
    pipeline, _, _ = crawl
    assert pipeline.process_item({"x": 1}) == {"x": 1}


def test_closing_that_fails_midway_fails_the_crawl(
    crawl: tuple[ArchivePipeline, CrawlHistory, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while the crawl closes (the disk failing as the row is written) must not
    leave the stats of a finished crawl behind: the exit status follows them."""
    pipeline, history, _ = crawl
    pipeline.process_item(page(article=article()))

    def failing(self: Archive, crawl_id: int) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Archive, "pages_fetched", failing)
    history.spider_closed(history.crawler.spider, "finished")
    stats = history.crawler.stats
    assert stats.get_value(STATUS_STAT) == "failed"
    failure = "closing the crawl failed: OperationalError: disk I/O error"
    assert stats.get_value(FAILURE_STAT) == failure
    outcome = CrawlOutcome("finished", pages=1, status="failed", failure=failure)
    assert exit_status(outcome) == (EXIT_FAILED, f"crawl failed: {failure}")
