"""The spider with its frontier, in a crawler built by get_crawler: what an incremental run
fetches, what it records pending first, what it resumes, when it stops paging."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.utils.test import get_crawler

from archive import Archive, Fetch, FrontierEntry
from crawler.extensions.crawl_history import CrawlHistory
from crawler.pipelines.store import ArchivePipeline
from crawler.session import session_for
from crawler.spiders.sputnik import BadSpiderArgument, SputnikSpider
from extraction.items import ROLE_ARTICLE, Article, PageItem
from extraction.pages import SputnikArticlePage

from .test_spider import AMP_PAGE, ARTICLE_PAGE

ROOT = "http://127.0.0.1:8000/"
OLD = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"
NEW = "http://127.0.0.1:8000/international/201706211031850423-nouveau/"
RELATED = (
    "http://127.0.0.1:8000/international/201706211031850421-lavrov/",
    "http://127.0.0.1:8000/international/201706211031850422-frappe/",
)


class Crawl:
    """A spider in a crawler on an archive, its pipeline and crawl history."""

    def __init__(self, db: Path, settings: dict[str, Any] | None = None, **arguments: str):
        self.crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db), **(settings or {})})
        self.crawler.spider = self.spider = SputnikSpider.from_crawler(self.crawler, **arguments)
        self.history = CrawlHistory.from_crawler(self.crawler)
        self.history.spider_opened(self.spider)
        self.pipeline = ArchivePipeline.from_crawler(self.crawler)

    @property
    def archive(self) -> Archive:
        return session_for(self.crawler).archive

    def run(self, results: Iterator[Any]) -> list[Request]:
        """Drive a callback as Scrapy does: items to the pipeline as they come."""
        requests = []
        for result in results:
            if isinstance(result, PageItem):
                self.pipeline.process_item(result)
            else:
                requests.append(result)
        return requests

    def stat(self, name: str) -> int:
        assert self.crawler.stats is not None
        return int(self.crawler.stats.get_value(f"archive/frontier/{name}", 0) or 0)

    def close(self, reason: str = "finished") -> None:
        self.history.spider_closed(self.spider, reason)


def html(url: str, body: str, status: int = 200, **meta: Any) -> HtmlResponse:
    request = Request(url, meta=meta)
    return HtmlResponse(url, status=status, body=body.encode(), encoding="utf-8", request=request)


def listing(*urls: str, next_page: str | None = None) -> str:
    links = "".join(f'<a href="{u}">x</a>' for u in urls)
    more = f'<a rel="next" href="{next_page}">suite</a>' if next_page else ""
    return f"<html><body>{links}{more}</body></html>"


def archive_old_article(db: Path, published_at: str = "2017-06-21T14:32:00+03:00") -> None:
    """A finished discovery crawl that archived OLD (from 2017: never due again)."""
    first = Crawl(db, start=ROOT)
    first.archive.store_article(
        {
            "url": OLD,
            "canonical_url": OLD,
            "title": "Titre",
            "lead": "Chapeau.",
            "body": "Texte.",
            "published_at": published_at,
        },
        crawl_id=session_for(first.crawler).crawl_id,
        fetch=Fetch(url=OLD, status=200, etag='"old"'),
    )
    first.archive.add_to_frontier(
        [FrontierEntry(OLD)], crawl_id=session_for(first.crawler).crawl_id
    )
    first.archive.record_fetch(
        session_for(first.crawler).crawl_id,
        Fetch(url=OLD, status=200, etag='"old"'),
        "unchanged",
        frontier=OLD,
    )
    first.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_not_due_archived_articles_are_skipped_and_counted(db: Path) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    requests = crawl.run(crawl.spider.parse_home(html(ROOT, listing(OLD, NEW, OLD))))
    assert [r.url for r in requests] == [NEW]
    assert crawl.stat("not_due") == 1
    # Found again elsewhere in the same crawl: neither fetched nor counted twice.
    assert crawl.run(crawl.spider.parse_rubrique(html(ROOT + "france/", listing(OLD, NEW)))) == []
    assert crawl.stat("not_due") == 1
    crawl.close()
    with Archive(db) as archive:
        newest = archive.crawls()[0]
        assert newest["not_due"] == 1
        assert [r["url"] for r in archive.pending_frontier()] == [NEW]


def test_links_found_are_pending_before_the_page_is_stored(db: Path) -> None:
    crawl = Crawl(db, start=ROOT)
    results = crawl.spider.parse_article(html(OLD, ARTICLE_PAGE, related_hop=0))
    item = next(results)  # the callback has run up to its page item
    assert isinstance(item, PageItem) and item.role == ROLE_ARTICLE
    with Archive(db) as reader:  # committed: another connection sees them
        assert {r["url"]: r["referer"] for r in reader.pending_frontier()} == dict.fromkeys(
            RELATED, OLD
        )
        assert reader.db["articles"].count == 0
    crawl.pipeline.process_item(item)
    assert [r.url for r in results] == list(RELATED)
    with Archive(db) as reader:
        assert sorted(r["url"] for r in reader.pending_frontier()) == sorted(RELATED)
        assert all(r["hop"] == 1 for r in reader.pending_frontier())


def test_a_run_resumes_pending_rows_then_due_articles_then_discovers(db: Path) -> None:
    archive_old_article(db, published_at="2099-01-01T00:00:00+00:00")  # "new": due hourly
    with Archive(db) as archive:
        archive.db.execute("UPDATE articles SET next_visit_at = '2000-01-01T00:00:00+00:00'")
        archive.db.conn.commit()
        archive.add_to_frontier([FrontierEntry(NEW, hop=1)], crawl_id=1)
        archive.add_to_frontier([FrontierEntry("http://elsewhere.example/x/1-y/")], crawl_id=1)
    crawl = Crawl(db, start=ROOT)
    starts = list(crawl.spider._start_requests())
    assert [r.url for r in starts] == [
        NEW,
        OLD,
        ROOT,
        ROOT + "robots.txt",  # read by the spider: this crawl does not obey robots.txt
        ROOT + "sitemap_article_index.xml",
        ROOT + "export/rss2/archive/index.xml",
    ]
    assert starts[0].meta["related_hop"] == 1
    # The due article is asked for only if changed.
    assert starts[1].headers.get("If-None-Match") == b'"old"'
    assert 304 in starts[1].meta["handle_httpstatus_list"]
    assert (crawl.stat("resumed"), crawl.stat("due")) == (1, 1)


def test_user_named_urls_are_always_fetched_and_nothing_is_resumed(db: Path) -> None:
    archive_old_article(db)
    with Archive(db) as archive:
        archive.add_to_frontier([FrontierEntry(NEW)], crawl_id=1)
    crawl = Crawl(db, urls=OLD)
    assert [r.url for r in crawl.spider._start_requests()] == [OLD]


def test_a_304_for_an_article_is_unchanged(db: Path) -> None:
    archive_old_article(db)
    crawl = Crawl(db, urls=OLD)
    [request] = list(crawl.spider._start_requests())
    response = Response(OLD, status=304, request=request)
    assert crawl.run(crawl.spider.parse_article(response)) == []
    crawl.close()
    with Archive(db) as archive:
        newest = archive.crawls()[0]
        assert (newest["unchanged"], newest["fetched"]) == (1, 1)
        assert archive.pending_frontier() == []


def test_revisit_all_fetches_every_archived_article(db: Path) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT, revisit="all")
    starts = [r for r in crawl.spider._start_requests() if r.callback == crawl.spider.parse_article]
    assert [r.url for r in starts] == [OLD]
    assert starts[0].headers.get("If-None-Match") == b'"old"'
    # Already requested at start: only NEW is new on the home page.
    assert [r.url for r in crawl.run(crawl.spider.parse_home(html(ROOT, listing(OLD, NEW))))] == [
        NEW
    ]
    by_setting = Crawl(db, settings={"ARCHIVE_REVISIT": "all"}, start=ROOT)
    requests = by_setting.run(by_setting.spider.parse_home(html(ROOT, listing(OLD, NEW))))
    assert [r.url for r in requests] == [OLD, NEW]
    assert by_setting.stat("not_due") == 0


def test_a_copy_of_an_article_not_due_is_recorded_as_its_alias_only(
    db: Path, tmp_path: Path
) -> None:
    amp = OLD.replace("/international/", "/amp/international/")
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    assert len(crawl.spider._admit([crawl.spider._article_request(amp, hop=0)], ROOT)) == 1
    assert crawl.run(crawl.spider.parse_article(html(amp, AMP_PAGE, related_hop=0))) == []
    with Archive(db) as archive:
        article = archive.get_article(OLD)
        assert article is not None and {"url": amp, "kind": "alias"} in article["urls"]
        assert archive.pending_frontier() == []
    # Not archived yet: the canonical page is fetched, and settles the copy's row.
    fresh = Crawl(tmp_path / "fresh.db", start=ROOT)
    fresh.spider._admit([fresh.spider._article_request(amp, hop=0)], ROOT)
    [canonical] = fresh.run(fresh.spider.parse_article(html(amp, AMP_PAGE, related_hop=0)))
    assert (canonical.url, canonical.meta["alias_urls"]) == (OLD, [amp])
    assert [r["url"] for r in fresh.archive.pending_frontier()] == [amp]


def test_rubrique_paging_stops_at_a_page_archived_by_a_finished_crawl(db: Path) -> None:
    page = html(ROOT + "international/", listing(OLD, next_page="/international/?page=2"))
    first = Crawl(db, start=ROOT)  # nothing finished yet: page through everything
    assert [r.url for r in first.run(first.spider.parse_rubrique(page))] == [
        OLD,
        ROOT + "international/?page=2",
    ]
    first.close("shutdown")
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    assert crawl.run(crawl.spider.parse_rubrique(page)) == []
    assert crawl.stat("listing_stops") == 1
    mixed = html(ROOT + "france/", listing(OLD, NEW, next_page="/france/?page=2"))
    assert [r.url for r in crawl.run(crawl.spider.parse_rubrique(mixed))] == [
        NEW,
        ROOT + "france/?page=2",
    ]
    other = Crawl(db, start="http://127.0.0.1:9000/")  # another start: its own history
    assert other.spider.frontier is not None and other.spider.frontier.last_finished is None


def monthly(start: str, end: str) -> str:
    """The URL of the platform's sitemap of the articles of ``start`` to ``end`` (YYYYMMDD)."""
    return f"{ROOT}sitemap_article.xml?date_start={start}&date_end={end}"


def sitemap_index(*entries: tuple[str, str | None]) -> XmlResponse:
    """The platform's article sitemap index listing ``(sitemap URL, lastmod)`` entries."""
    sitemaps = "".join(
        f"<sitemap><loc>{escape(url)}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</sitemap>\n"
        for url, lastmod in entries
    )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{sitemaps}</sitemapindex>"""
    url = ROOT + "sitemap_article_index.xml"
    return XmlResponse(url, body=body.encode(), request=Request(url))


#: Newest first, as the platform lists them; the current month ends on its latest day.
JUNE, MAY = monthly("20170601", "20170621"), monthly("20170501", "20170531")
APRIL, MARCH = monthly("20170401", "20170430"), monthly("20170301", "20170331")
MONTHS = sitemap_index(
    (JUNE, "2017-06-21T10:00:00+03:00"),  # older than any crawl, but the current month
    (MAY, "2017-05-31"),  # older than any crawl
    (APRIL, "2999-04-30T10:00:00+03:00"),  # dated after the last crawl
    (MARCH, None),  # undated
)


def test_monthly_sitemaps_unchanged_since_the_last_finished_crawl_are_skipped(db: Path) -> None:
    def asked(crawl: Crawl) -> list[str]:
        return [r.url for r in crawl.run(crawl.spider.parse_sitemap(MONTHS))]

    assert asked(Crawl(db, start=ROOT)) == [JUNE, MAY, APRIL, MARCH]
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    assert asked(crawl) == [JUNE, APRIL, MARCH]
    assert crawl.stat("sitemaps_skipped") == 1
    assert asked(Crawl(db, start=ROOT, revisit="all")) == [JUNE, MAY, APRIL, MARCH]


@pytest.mark.parametrize(
    ("entries", "asked"),
    [
        # The newest by date_end is the current one, wherever the index lists it.
        ([(MAY, "2017-05-31"), (JUNE, "2017-06-21")], [JUNE]),
        # Two sitemaps ending on the same newest day: both current.
        ([(JUNE, "2017-06-21"), (monthly("20170621", "20170621"), "2017-06-21")], None),
        # The legacy platform's daily sitemaps are dated by ``date``.
        (
            [
                (ROOT + "sitemap_article_index.xml?date=20170620", "2017-06-20"),
                (ROOT + "sitemap_article_index.xml?date=20170621", "2017-06-21"),
            ],
            [ROOT + "sitemap_article_index.xml?date=20170621"],
        ),
        # Undated sitemaps, or a date that is no day: only their lastmod counts.
        ([(ROOT + "sitemap_news.xml", "2017-06-21"), (monthly("2017", "x"), "2017-06-21")], []),
    ],
)
def test_the_newest_dated_sitemap_of_an_index_is_always_asked_for(
    db: Path, entries: list[tuple[str, str | None]], asked: list[str] | None
) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    requests = crawl.run(crawl.spider.parse_sitemap(sitemap_index(*entries)))
    expected = [url for url, _ in entries] if asked is None else asked
    assert [r.url for r in requests] == expected


def test_monthly_sitemaps_are_asked_for_only_if_changed(db: Path) -> None:
    sitemap = APRIL
    crawl = Crawl(db, start=ROOT)
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{NEW}</loc></url></urlset>"""
    response = XmlResponse(
        sitemap, body=body.encode(), headers={"ETag": '"s1"'}, request=Request(sitemap)
    )
    assert [r.url for r in crawl.run(crawl.spider.parse_sitemap(response))] == [NEW]
    crawl.close()
    again = Crawl(db, start=ROOT)
    [request] = again.run(again.spider.parse_sitemap(sitemap_index((sitemap, None))))
    assert request.headers.get("If-None-Match") == b'"s1"'
    unchanged = Response(sitemap, status=304, request=request)
    assert again.run(again.spider.parse_sitemap(unchanged)) == []
    again.close()
    with Archive(db) as archive:
        assert archive.crawls()[0]["fetched"] == 2


def test_bad_revisit_argument_and_settings_are_refused(db: Path) -> None:
    with pytest.raises(BadSpiderArgument, match="revisit must be one of due, all"):
        SputnikSpider(start=ROOT, revisit="sometimes")
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_REVISIT_SCHEDULE": "1d:1h,1h:1m"})
    with pytest.raises(BadSpiderArgument, match=r"ARCHIVE_REVISIT_SCHEDULE: .*ages must grow"):
        SputnikSpider.from_crawler(crawler, start=ROOT)
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_REVISIT": "often"})
    with pytest.raises(BadSpiderArgument, match="revisit must be one of"):
        SputnikSpider.from_crawler(crawler, start=ROOT)
    assert SputnikSpider(start=ROOT, revisit="all").arguments["revisit"] == "all"


def test_links_that_cannot_be_requested_are_refused_after_the_page_is_stored(db: Path) -> None:
    page = ARTICLE_PAGE.replace(
        "/international/201706211031850422-frappe/", "javascript:alert(1)"
    ).replace("/international/201706211031850421-lavrov/", "data:text/html,x")
    crawl = Crawl(db, start=ROOT)
    results = list(crawl.spider.parse_article(html(OLD, page, related_hop=0)))
    assert [type(r).__name__ for r in results] == ["PageItem"] * 3
    article, *refused = results
    assert article.role == ROLE_ARTICLE
    assert [(r.role, r.url, r.error) for r in refused] == [
        ("refused", "data:text/html,x", "refused: scheme data: is not http(s)"),
        ("refused", "javascript:alert(1)", "refused: scheme javascript: is not http(s)"),
    ]


class ChokingPage(SputnikArticlePage):
    """A page object that fails on a page, as an unforeseen markup might make it."""

    def to_item(self) -> Article:
        raise ValueError("Invalid IPv6 URL")


def test_a_page_the_extractor_chokes_on_is_settled_and_kept_as_unreadable(db: Path) -> None:
    crawl = Crawl(db, start=ROOT)
    crawl.spider.page_class = ChokingPage
    crawl.spider._admit([crawl.spider._article_request(OLD, hop=0)], ROOT)
    assert crawl.run(crawl.spider.parse_article(html(OLD, ARTICLE_PAGE, related_hop=0))) == []
    crawl.close()
    with Archive(db) as archive:
        [fetch] = archive.db.query("SELECT * FROM fetches WHERE url = ?", [OLD])
        assert fetch["outcome"] == "unreadable"
        assert fetch["error"] == "extraction failed: ValueError: Invalid IPv6 URL"
        assert archive.capture_body(fetch["capture_id"]) == ARTICLE_PAGE.encode()
        assert archive.pending_frontier() == []


def monthly_sitemap(*entries: tuple[str, str | None]) -> XmlResponse:
    """A monthly sitemap listing ``(url, lastmod)`` entries (``None``: no ``<lastmod>``)."""
    urls = "".join(
        f"<url><loc>{url}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"
        for url, lastmod in entries
    )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"""
    return XmlResponse(JUNE, body=body.encode(), request=Request(JUNE))


@pytest.mark.parametrize(
    ("lastmod", "fetched"),
    [
        # OLD was published at 2017-06-21T14:32:00+03:00 and never modified.
        ("2017-06-21T14:32:00+03:00", False),  # what the archive has
        ("2017-06-21T11:32:00Z", False),  # the same moment in UTC
        ("2017-06-21T14:33+03:00", True),  # a minute later
        ("2017-06-21T12:00:00.250Z", True),  # 15:00 in Moscow
        ("2017-06-21T10:00:00-04:00", True),  # 17:00 in Moscow
        ("2017-06-21", False),  # a date alone: the day it was published
        ("2017-06-22", True),  # a date alone: the next day
        ("2017-06-21T14:00:00", False),  # no offset: in the page's, +03:00
        ("2017-06-21T15:00:00", True),
        (None, False),  # no lastmod
        ("", False),
        ("hier soir", False),  # garbled: ignored, no error
        ("2017-13-45", False),
        ("2017-06-21T25:99:00+03:00", False),
        ("2999-01-01T00:00:00Z", False),  # in the future: garbage too
    ],
)
def test_an_archived_article_a_sitemap_dates_later_is_fetched_though_not_due(
    db: Path, lastmod: str | None, fetched: bool
) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    requests = crawl.run(crawl.spider.parse_sitemap(monthly_sitemap((OLD, lastmod), (NEW, None))))
    assert [r.url for r in requests] == ([OLD, NEW] if fetched else [NEW])
    assert (crawl.stat("modified"), crawl.stat("not_due")) == (int(fetched), int(not fetched))
    if fetched:  # asked for only if changed since the last fetch
        assert requests[0].headers.get("If-None-Match") == b'"old"'


def test_the_latest_date_read_on_the_page_is_what_lastmod_is_compared_with(db: Path) -> None:
    archive_old_article(db)
    with Archive(db) as archive:
        archive.db.execute("UPDATE articles SET modified_at = '2017-06-22T09:00:00+03:00'")
        archive.db.conn.commit()
    crawl = Crawl(db, start=ROOT)
    sitemap = monthly_sitemap((OLD, "2017-06-22T08:00:00+03:00"))
    assert crawl.run(crawl.spider.parse_sitemap(sitemap)) == []
    later = Crawl(db, start=ROOT)
    sitemap = monthly_sitemap((OLD, "2017-06-22T09:00:01+03:00"))
    assert [r.url for r in later.run(later.spider.parse_sitemap(sitemap))] == [OLD]
    # A page that gave no date: compared with when it was last fetched.
    with Archive(db) as archive:
        archive.db.execute(
            "UPDATE articles SET modified_at = NULL, published_at = NULL,"
            " last_seen_at = '2017-06-25T00:00:00+00:00'"
        )
        archive.db.conn.commit()
    for lastmod, expected in (("2017-06-24T23:00:00Z", []), ("2017-06-25T01:00:00Z", [OLD])):
        crawl = Crawl(db, start=ROOT)
        sitemap = monthly_sitemap((OLD, lastmod))
        assert [r.url for r in crawl.run(crawl.spider.parse_sitemap(sitemap))] == expected


def test_an_article_left_alone_from_a_listing_is_fetched_when_a_sitemap_dates_it_later(
    db: Path,
) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    assert crawl.run(crawl.spider.parse_home(html(ROOT, listing(OLD)))) == []
    assert crawl.stat("not_due") == 1
    edited = monthly_sitemap((OLD, "2017-06-22T10:00:00+03:00"))
    assert [r.url for r in crawl.run(crawl.spider.parse_sitemap(edited))] == [OLD]
    assert (crawl.stat("not_due"), crawl.stat("modified")) == (0, 1)
    # Requested once: found again, in a listing or a sitemap, it is not asked for twice.
    assert crawl.run(crawl.spider.parse_sitemap(edited)) == []
    assert crawl.run(crawl.spider.parse_rubrique(html(ROOT + "france/", listing(OLD)))) == []
    assert (crawl.stat("not_due"), crawl.stat("modified")) == (0, 1)


def test_an_edited_article_on_a_rubrique_page_is_no_reason_to_page_further(db: Path) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    crawl.run(crawl.spider.parse_sitemap(monthly_sitemap((OLD, "2017-06-22T10:00:00+03:00"))))
    page = html(ROOT + "international/", listing(OLD, next_page="/international/?page=2"))
    assert crawl.run(crawl.spider.parse_rubrique(page)) == []
    assert crawl.stat("listing_stops") == 1


def feed(*items: str) -> XmlResponse:
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:dcterms="http://purl.org/dc/terms/"><channel>
<lastBuildDate>Thu, 22 Jun 2017 10:00:00 +0300</lastBuildDate>{"".join(items)}
</channel></rss>"""
    url = ROOT + "export/rss2/archive/index.xml"
    return XmlResponse(url, body=body.encode(), request=Request(url))


@pytest.mark.parametrize(
    ("dates", "fetched"),
    [
        ("<pubDate>Wed, 21 Jun 2017 14:32:00 +0300</pubDate>", False),
        ("<pubDate>Wed, 21 Jun 2017 15:00:00 +0300</pubDate>", True),  # published again
        (
            "<pubDate>Wed, 21 Jun 2017 14:32:00 +0300</pubDate>"
            "<atom:updated>2017-06-22T08:00:00+03:00</atom:updated>",
            True,
        ),
        (
            "<pubDate>Wed, 21 Jun 2017 14:32:00 +0300</pubDate>"
            "<dcterms:modified>2017-06-22T08:00:00Z</dcterms:modified>",
            True,
        ),
        ("<pubDate>n'importe quand</pubDate>", False),
        ("", False),
    ],
)
def test_a_feed_item_dated_later_than_the_archive_is_fetched(
    db: Path, dates: str, fetched: bool
) -> None:
    archive_old_article(db)
    crawl = Crawl(db, start=ROOT)
    item = f"<item><title>t</title><link>{OLD}</link>{dates}</item>"
    requests = crawl.run(crawl.spider.parse_feed(feed(item, f"<item><link>{NEW}</link></item>")))
    assert [r.url for r in requests] == ([OLD, NEW] if fetched else [NEW])
