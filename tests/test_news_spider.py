"""The generic news spider: its arguments, the site each root and URL is read as, the page
object and ``site`` of each article, "Lire aussi" links across sites, per-site politeness."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares.host_delay import HostDelayMiddleware
from crawler.spiders.news import BadSpiderArgument, NewsSpider
from crawler.spiders.sputnik import SputnikSpider
from extraction import sites
from extraction.items import ROLE_ARTICLE, ROLE_REFUSED, PageItem
from extraction.pages.generic import GenericArticlePage
from extraction.pages.sputnik import SputnikArticlePage
from extraction.sites.bindings import authority, stricter
from tests.refused_page import RefusedViewsPage
from tests.test_politeness import FakeDownloader, reached

FIRST = "http://127.0.0.1:8001/"
SECOND = "http://127.0.0.1:8002/"
ARTICLE = "international/201706211031850420-washington-moscou/"
OFF = {"ARCHIVE_ENABLED": False}
TEST_SITES = {"ARCHIVE_SITE_MODULES": "tests.sites_for_tests", **OFF}

PAGE = """<html lang="fr"><head><title>T</title></head><body>
<div class="b-article">
<div class="b-article__header-title"><h1 itemprop="headline">Un titre</h1></div>
<div class="b-article__lead"><p>Le chapeau.</p></div>
<div class="b-article__text" itemprop="articleBody"><p>Premier paragraphe.</p><p>Second.</p>
<div class="b-inject"><strong>Lire aussi:</strong><ul>
<li><a href="/international/201706211031850421-lavrov/">Lavrov</a></li>
<li><a href="{other}international/201706211031850422-frappe/">Frappe</a></li></ul></div></div>
</div></body></html>"""


def news(settings: dict[str, Any] | None = None, **arguments: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, settings or OFF)
    return NewsSpider.from_crawler(crawler, **arguments)


def page(url: str, other: str, hop: int = 0) -> HtmlResponse:
    request = Request(url, meta={"related_hop": hop})
    body = PAGE.format(other=other).encode()
    return HtmlResponse(url, body=body, encoding="utf-8", request=request)


def known() -> str:
    return ", ".join(site.name for site in sites.all_sites())


# -- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "nothing to crawl: give site, start or urls"),
        ({"site": ""}, "site is empty: give the name of a declared site"),
        ({"site": " , "}, "site is empty: give the name of a declared site"),
        ({"start": " , "}, "start is empty: give the http(s) URL of the site's root"),
        ({"start": f"{FIRST},ftp://x/"}, "start: not an http(s) URL: 'ftp://x/'"),
        ({"urls": ""}, "urls is empty: give at least one http(s) URL"),
        (
            {"site": "sputnik", "follow_sites": "all"},
            "follow_sites must be one of crawl, any, got 'all'",
        ),
        (
            {"site": "sputnik", "related_depth": "-1"},
            "related_depth must be an integer >= 0, got '-1'",
        ),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(BadSpiderArgument) as raised:
        NewsSpider(**arguments)
    assert str(raised.value) == message


def test_an_unknown_site_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(BadSpiderArgument) as raised:
        NewsSpider(site="sputnik,lemonde-typo")
    assert str(raised.value) == f"site: no site named 'lemonde-typo'; known sites: {known()}"


def test_a_site_module_that_cannot_be_imported_is_refused() -> None:
    with pytest.raises(BadSpiderArgument) as raised:
        news({"ARCHIVE_SITE_MODULES": "tests.no_such_sites", **OFF}, site="sputnik")
    assert str(raised.value) == (
        "ARCHIVE_SITE_MODULES: cannot import tests.no_such_sites: "
        "No module named 'tests.no_such_sites'"
    )


def test_site_modules_declare_sites_the_arguments_name(with_test_sites: None) -> None:
    spider = news(TEST_SITES, site="sputnik,replica", start=f"{FIRST},{SECOND}")
    assert [(root.url, root.site.name) for root in spider.roots] == [
        (FIRST, "sputnik"),
        (SECOND, "replica"),
    ]
    assert spider.arguments == {
        "site": "sputnik,replica",
        "start": f"{FIRST},{SECOND}",
        "related_depth": "1",
    }


def test_the_sputnik_spider_records_no_site_argument() -> None:
    spider = SputnikSpider(start=FIRST)
    assert spider.arguments == {"start": FIRST, "related_depth": "1"}
    assert [(root.url, root.site.name) for root in spider.roots] == [(FIRST, "sputnik")]


# -- bindings ------------------------------------------------------------------------------


def test_a_named_site_without_a_start_is_discovered_from_its_home() -> None:
    spider = NewsSpider(site="sputnik")
    [root] = spider.roots
    assert (root.url, root.site.name) == ("https://fr.sputniknews.africa/", "sputnik")
    assert spider.allowed_domains == ["fr.sputniknews.africa"]


def test_a_start_without_a_site_is_its_host_s_site_or_an_undeclared_one() -> None:
    spider = NewsSpider(start="https://fr.sputniknews.com/,https://www.journal.example/")
    live, other = spider.roots
    assert live.site.name == "sputnik"
    # Named as the generic page object names the site of such a page, so `site` agrees.
    assert (other.site.name, other.site.page_class) == ("journal.example", GenericArticlePage)
    assert GenericArticlePage("https://www.journal.example/a/b-c-d", "").site == "journal.example"
    assert other.site.home == "https://www.journal.example/"
    assert other.site.domains == ("www.journal.example",)


def test_starts_beyond_the_sites_take_their_own(with_test_sites: None) -> None:
    spider = NewsSpider(site="replica", start=f"{FIRST},https://fr.sputniknews.africa/")
    assert [root.site.name for root in spider.roots] == ["replica", "sputnik"]


def test_each_url_is_read_as_its_root_s_site(with_test_sites: None) -> None:
    spider = NewsSpider(site="sputnik,replica", start=f"{FIRST},{SECOND}")
    assert spider.site_for(FIRST + ARTICLE).name == "sputnik"
    assert spider.site_for(SECOND + ARTICLE).name == "replica"
    assert spider.site_for("https://fr.sputniknews.com/x/").name == "sputnik"
    assert spider.site_for("http://127.0.0.1:8003/a/").name == "127.0.0.1"


def test_urls_alone_take_the_only_named_site_else_their_own() -> None:
    assert NewsSpider(site="sputnik", urls=FIRST + ARTICLE).site_for(FIRST + ARTICLE).name == (
        "sputnik"
    )
    spider = NewsSpider(urls=f"{FIRST}{ARTICLE},https://fr.sputniknews.africa/{ARTICLE}")
    assert spider.roots == []
    assert spider.site_for(FIRST + ARTICLE).name == "127.0.0.1"
    assert spider.site_for(f"https://fr.sputniknews.africa/{ARTICLE}").name == "sputnik"


def test_authority_has_the_scheme_s_port() -> None:
    assert authority("https://News.Example/a") == "news.example:443"
    assert authority("http://127.0.0.1:8001/") == "127.0.0.1:8001"


def test_discovery_of_each_root_is_what_its_site_declares(with_test_sites: None) -> None:
    spider = news(TEST_SITES, site="sputnik,slow_news", start=FIRST)
    urls = [request.url for request in spider._start_requests()]
    assert urls == [
        FIRST,
        FIRST + "robots.txt",
        FIRST + "sitemap_article_index.xml",
        FIRST + "export/rss2/archive/index.xml",
        "https://slow.example/",
        "https://slow.example/robots.txt",
    ]


# -- page object and site of each article ----------------------------------------------------


def test_each_site_reads_its_pages_with_its_own_page_object() -> None:
    spider = news(site="sputnik", start=f"{FIRST},https://www.journal.example/")
    assert spider.page_class_for_url(FIRST + ARTICLE) is SputnikArticlePage
    assert spider.page_class_for_url("https://www.journal.example/a/b-c-d") is GenericArticlePage


def test_archive_page_class_reads_every_site() -> None:
    settings = {"ARCHIVE_PAGE_CLASS": "tests.refused_page.RefusedViewsPage", **OFF}
    spider = news(settings, start=f"{FIRST},https://www.journal.example/")
    assert spider.page_class_for_url("https://www.journal.example/a/b-c-d") is RefusedViewsPage


def articles_and_refusals(spider: NewsSpider, url: str, other: str) -> tuple[Any, list[Any]]:
    results = list(spider.parse_article(page(url, other)))
    items = [r for r in results if isinstance(r, PageItem)]
    [article] = [item for item in items if item.role == ROLE_ARTICLE]
    refused = [item for item in items if item.role == ROLE_REFUSED]
    return article, refused + [r for r in results if isinstance(r, Request)]


def test_an_article_is_stored_as_its_bound_site_with_its_page_object(with_test_sites: None) -> None:
    spider = news(TEST_SITES, site="sputnik,replica", start=f"{FIRST},{SECOND}")
    item, _ = articles_and_refusals(spider, SECOND + ARTICLE, SECOND)
    assert item.article.site == "replica"
    assert item.extractor == "SputnikArticlePage"
    item, _ = articles_and_refusals(spider, FIRST + ARTICLE, SECOND)
    assert item.article.site == "sputnik"


def test_related_links_to_another_site_of_the_crawl_are_followed(with_test_sites: None) -> None:
    spider = news(TEST_SITES, site="sputnik,replica", start=f"{FIRST},{SECOND}")
    _, followed = articles_and_refusals(spider, FIRST + ARTICLE, SECOND)
    assert [r.url for r in followed] == [
        FIRST + "international/201706211031850421-lavrov/",
        SECOND + "international/201706211031850422-frappe/",
    ]


def test_related_links_leaving_the_crawl_are_refused_unless_any_site_is_allowed() -> None:
    other = "https://www.lemonde.fr/"
    spider = news(site="sputnik", start=FIRST)
    _, out = articles_and_refusals(spider, FIRST + ARTICLE, other)
    refused = [item for item in out if isinstance(item, PageItem)]
    assert [(item.url, item.error) for item in refused] == [
        (
            other + "international/201706211031850422-frappe/",
            "refused: site lemonde is not part of the crawl (follow_sites=crawl)",
        )
    ]
    spider = news(site="sputnik", start=FIRST, follow_sites="any")
    _, out = articles_and_refusals(spider, FIRST + ARTICLE, other)
    assert all(isinstance(r, Request) for r in out)
    assert [r.meta.get("allow_offsite", False) for r in out] == [False, True]


# -- politeness per site ---------------------------------------------------------------------


def test_each_site_s_politeness_paces_its_host(with_test_sites: None) -> None:
    settings = {**TEST_SITES, "DOWNLOAD_DELAY": 0.5}
    crawler = get_crawler(NewsSpider, settings)
    crawler.spider = crawler._create_spider(site="slow_news,sputnik")
    downloader = FakeDownloader()
    crawler.engine = type("Engine", (), {"downloader": downloader})()  # type: ignore[assignment]
    delays = HostDelayMiddleware(crawler)
    slow = downloader.slot("slow.example", delay=0.0)
    other = downloader.slot("fr.sputniknews.africa", delay=0.0)
    reached(crawler, Request("https://slow.example/a"), "slow.example")
    reached(crawler, Request("https://fr.sputniknews.africa/a"), "fr.sputniknews.africa")
    assert (slow.delay, slow.concurrency) == (2.5, 2)
    assert (other.delay, other.concurrency) == (0.5, 8)
    delays.set_crawl_delay("slow.example", 4.0)
    assert slow.delay == 4.0
    # A declared site's host asks the same when a link or urls lead there, subdomains too.
    assert delays.site_delay("www.slow.example") == 2.5
    assert delays.site_delay("127.0.0.1") == 0.0


def test_a_host_two_sites_share_gets_the_stricter_politeness() -> None:
    merged = stricter(
        {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4},
        {"DOWNLOAD_DELAY": 0.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "X": "y"},
    )
    assert merged == {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "X": "y"}


def test_the_last_finished_crawl_is_one_of_the_same_sites(tmp_path: Any) -> None:
    from archive import Archive

    with Archive(tmp_path / "archive.db") as archive:
        one = archive.begin_crawl("news", {"site": "sputnik"})
        archive.finish_crawl(one, "finished")
        other = archive.begin_crawl("news", {"site": "replica"})
        archive.finish_crawl(other, "finished")
        found = archive.last_finished_crawl("news", None, "sputnik")
        assert found is not None and found["id"] == one
        assert archive.last_finished_crawl("news", None, "lemonde") is None
        assert archive.last_finished_crawl("news", None) is None


class FakeFrontier:
    """What the spider asks the frontier at the start, per root."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def pending(self, root: str) -> list[dict[str, Any]]:
        self.asked.append(("pending", root))
        return [{"url": root + "pending/201706211031850499-p/", "hop": 1}]

    def due(self, root: str) -> list[str]:
        self.asked.append(("due", root))
        return [root + "due/201706211031850498-d/"]

    def admit(self, requests: list[Request], **_: Any) -> list[Request]:
        return requests

    def conditional_discovery(self, request: Request) -> Request:
        return request


def test_the_frontier_is_asked_per_root(with_test_sites: None) -> None:
    spider = NewsSpider(site="sputnik,replica", start=f"{FIRST},{SECOND}")
    frontier = FakeFrontier()
    spider._crawl_frontier = frontier  # type: ignore[assignment]
    urls = [request.url for request in spider._start_requests()]
    assert frontier.asked == [
        ("pending", FIRST),
        ("pending", SECOND),
        ("due", FIRST),
        ("due", SECOND),
    ]
    assert urls[:4] == [
        FIRST + "pending/201706211031850499-p/",
        SECOND + "pending/201706211031850499-p/",
        FIRST + "due/201706211031850498-d/",
        SECOND + "due/201706211031850498-d/",
    ]


def test_the_only_site_named_reads_the_hosts_of_the_urls_not_every_host() -> None:
    # One site named: the hosts of `urls` (a replica's pages) are that site's; a page of
    # another host reached by a redirect or follow_sites=any is its own site's.
    spider = news(site="lemonde", urls=FIRST + ARTICLE, follow_sites="any")
    assert spider.site_for(FIRST + "autre/page-un-deux").name == "lemonde"
    assert spider.site_for("https://www.dw.com/fr/a-1").name == "dw.com"
    assert spider.site_for(SECOND + ARTICLE).name == "127.0.0.1"


def test_a_canonical_on_another_site_of_the_crawl_makes_no_copy(with_test_sites: None) -> None:
    # A syndicated article naming the other site's page as canonical is still this site's.
    spider = news(site="sputnik,replica", start=f"{FIRST},{SECOND}")
    body = PAGE.format(other=FIRST).replace(
        "<title>T</title>", f'<title>T</title><link rel="canonical" href="{SECOND}{ARTICLE}">'
    )
    request = Request(FIRST + ARTICLE, meta={"related_hop": 0})
    response = HtmlResponse(FIRST + ARTICLE, body=body.encode(), encoding="utf-8", request=request)
    items = [r for r in spider.parse_article(response) if isinstance(r, PageItem)]
    assert [item.role for item in items][:1] == [ROLE_ARTICLE]
    assert items[0].article is not None and items[0].article.site == "sputnik"


def test_a_link_to_another_host_of_the_crawl_s_own_site_is_left_to_the_offsite_filter() -> None:
    # The old domain of the replica's site: not "another site", and never fetched from a
    # replica's crawl either (no leave to go offsite), as before there were sites.
    old_domain = "https://fr.sputniknews.com/"
    spider = news(site="sputnik", start=FIRST)
    _, out = articles_and_refusals(spider, FIRST + ARTICLE, old_domain)
    assert [(r.url, r.meta.get("allow_offsite", False)) for r in out] == [
        (FIRST + "international/201706211031850421-lavrov/", False),
        (old_domain + "international/201706211031850422-frappe/", False),
    ]
