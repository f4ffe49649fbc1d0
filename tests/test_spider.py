"""The sputnik spider's callbacks on hand-made responses: what it follows and what it yields."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.middlewares.robotstxt import robots_sitemaps
from crawler.spiders.sputnik import (
    ARTICLE_PATH,
    LIVE_ROOT,
    RUBRIQUE_PATH,
    BadSpiderArgument,
    SputnikSpider,
    article_day,
)
from extraction.items import ROLE_ARTICLE, ROLE_DISCOVERY, PageItem

ROOT = "http://127.0.0.1:8000/"
ARTICLE_A = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"
ARTICLE_B = "http://127.0.0.1:8000/20240115/la-syrie-entame-1064871234.html"
#: A crawler's settings obeying robots.txt; archiving nothing, so that no archive is opened.
OBEYING = {"ROBOTSTXT_OBEY": True, "ARCHIVE_ENABLED": False}


def html(url: str, body: str, meta: dict[str, Any] | None = None) -> HtmlResponse:
    request = Request(url, meta=meta or {})
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def xml(url: str, body: bytes) -> XmlResponse:
    return XmlResponse(url, body=body, request=Request(url))


def requests_of(results: list[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def items_of(results: list[Any]) -> list[PageItem]:
    return [r for r in results if isinstance(r, PageItem)]


def test_no_argument_targets_the_live_site() -> None:
    spider = SputnikSpider()
    assert spider.root == LIVE_ROOT
    assert spider.allowed_domains == ["fr.sputniknews.africa"]
    assert spider.related_depth == 1


def test_urls_argument_takes_exactly_those_pages() -> None:
    spider = SputnikSpider(urls=f"{ARTICLE_A}, {ARTICLE_B}")
    assert spider.root is None
    starts = list(spider._start_requests())
    assert [r.url for r in starts] == [ARTICLE_A, ARTICLE_B]
    assert all(r.callback == spider.parse_article for r in starts)
    assert spider.arguments == {"urls": f"{ARTICLE_A}, {ARTICLE_B}", "related_depth": "1"}


def test_start_argument_discovers_from_home_robots_txt_sitemaps_and_feed() -> None:
    spider = SputnikSpider(start=ROOT, related_depth="0")
    starts = list(spider._start_requests())
    assert [(r.url, r.callback.__name__) for r in starts] == [
        (ROOT, "parse_home"),
        # No crawl obeying robots.txt reads it: the spider does, for its Sitemap: lines.
        ("http://127.0.0.1:8000/robots.txt", "parse_robots"),
        ("http://127.0.0.1:8000/sitemap_article_index.xml", "parse_sitemap"),
        ("http://127.0.0.1:8000/export/rss2/archive/index.xml", "parse_feed"),
    ]
    assert spider.related_depth == 0
    assert spider.allowed_domains == ["127.0.0.1"]


def test_a_crawl_obeying_robots_txt_leaves_its_reading_to_the_middleware() -> None:
    crawler = get_crawler(SputnikSpider, OBEYING)
    spider = SputnikSpider.from_crawler(crawler, start=ROOT)
    assert [r.url for r in spider._start_requests()] == [
        ROOT,
        "http://127.0.0.1:8000/sitemap_article_index.xml",
        "http://127.0.0.1:8000/export/rss2/archive/index.xml",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"related_depth": "-1"}, "related_depth must be an integer >= 0, got '-1'"),
        ({"related_depth": "deux"}, "related_depth must be an integer >= 0, got 'deux'"),
        ({"urls": "file:///etc/passwd"}, "urls: not an http(s) URL: 'file:///etc/passwd'"),
        ({"start": "ftp://example.org/"}, "start: not an http(s) URL: 'ftp://example.org/'"),
        # Empty is not "not given": that would crawl the live site.
        ({"urls": ""}, "urls is empty: give at least one http(s) URL"),
        ({"urls": " , ,"}, "urls is empty: give at least one http(s) URL"),
        ({"urls": "", "start": ROOT}, "urls is empty: give at least one http(s) URL"),
        ({"start": ""}, "start is empty: give the http(s) URL of the site's root"),
        ({"start": "  "}, "start is empty: give the http(s) URL of the site's root"),
        (
            {"start": "", "urls": ARTICLE_A},
            "start is empty: give the http(s) URL of the site's root",
        ),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(BadSpiderArgument) as excinfo:
        SputnikSpider(**kwargs)
    assert str(excinfo.value) == message


#: Article paths of the real sites. Legacy: the two real pages of tests/fixtures/real and links
#: on them; current: fr.sputniknews.africa and sputnikglobe.com (issue 12), sputniknews.cn's
#: slugless form (URLs of its monthly sitemaps, as a public crawler of it reads them).
REAL_ARTICLE_PATHS = [
    "/radio_the_critical_hour/202004281079127690-some-us-states-begin-lifting-lockdowns-vp-pence"
    "-defiantly-tours-clinic-unmasked/",
    "/columnists/201911181077343476-royal-self-indicting-arrogance/",
    "/columnists/201911181077343476-royal-self-indicting-arrogance",
    "/photo/201911191077347950-Tourism-Medicine-and-Defence-in-North-Korea-Rare-Photos-of-Kim-Jong"
    "-Un-Inspecting-His-Country/",
    "/cartoons/202004281079127989-disinfectant-president-/",
    "/infographics/201906051075643263-spief-2019/",
    "/international/201706211031882478-washington-moscou-discutent/",
    "/20230915/titre-1061906052.html",
    "/20260729/slug-1122334455.html",
    "/20170621/russie-explique-frappe-base-coalition-syrie-1031882284.html",
    "/20260729/1072541907.html",
]
#: Paths of the same sites that are no article: rubriques (underscores too), tag, author and
#: listing pages, AMP copies, feeds, sitemaps, services and static pages, day archives.
REAL_OTHER_PATHS = [
    "/",
    "/radio_the_critical_hour/",
    "/radio-shooting-from-the-lip/",
    "/columnists/",
    "/art_living/",
    "/tags/covid-19/",
    "/tags/person_Greg_Palast/",
    "/authors/wilmer_leon/",
    "/trend/questions/",
    "/amp/radio_the_critical_hour/202004281079127690-some-us-states-begin-lifting-lockdowns-vp"
    "-pence-defiantly-tours-clinic-unmasked/",
    "/amp/columnists/201911181077343476-royal-self-indicting-arrogance/",
    "/export/rss2/archive/index.xml",
    "/export/rss2/radio_the_critical_hour/index.xml",
    "/sitemap_article_index.xml",
    "/sitemap_article.xml",
    "/robots.txt",
    "/docs/about/index.html",
    "/docs/about/privacy_policy.html",
    "/services/likes/like/",
    "/popup/radio/",
    "/project_data/manifest.json",
    "/web_push/subscribe/",
    "/20230915/",
    "/20230915/titre.html",
    "/2023091/titre-1061906052.html",
    "/international/20170621-trop-court/",
    "/International/201706211031882478-washington-moscou-discutent/",
]


@pytest.mark.parametrize("path", REAL_ARTICLE_PATHS)
def test_article_urls_of_the_real_sites_are_articles(path: str) -> None:
    spider = SputnikSpider(start=ROOT)
    assert ARTICLE_PATH.match(path)
    assert spider.callback_for(ROOT.rstrip("/") + path) == spider.parse_article


@pytest.mark.parametrize("path", REAL_OTHER_PATHS)
def test_other_urls_of_the_real_sites_are_no_articles(path: str) -> None:
    assert ARTICLE_PATH.match(path) is None


@pytest.mark.parametrize(
    ("path", "is_rubrique"),
    [
        ("/radio_the_critical_hour/", True),
        ("/radio-shooting-from-the-lip/", True),
        ("/international/", True),
        ("/tags/covid-19/", False),
        ("/docs/about/index.html", False),
        ("/", False),
    ],
)
def test_rubrique_paths_take_underscores_and_hyphens(path: str, is_rubrique: bool) -> None:
    assert bool(RUBRIQUE_PATH.match(path)) is is_rubrique


def test_home_page_follows_rubriques_and_articles_of_the_site_only() -> None:
    spider = SputnikSpider(start=ROOT)
    body = f"""<html><body>
      <nav><a href="/international/">International</a><a href="/france/">France</a></nav>
      <a href="{ARTICLE_A}">A</a><a href="/20240115/la-syrie-entame-1064871234.html">B</a>
      <a href="{ARTICLE_A}">A again</a>
      <a href="https://elsewhere.example/international/201706211031850420-x/">offsite</a>
      <a href="/s/abc">short</a><a href="/docs/about/">about</a>
    </body></html>"""
    results = list(spider.parse_home(html(ROOT, body)))
    [item] = items_of(results)
    assert item.role == ROLE_DISCOVERY and item.status == 200
    followed = {(r.url, r.callback.__name__) for r in requests_of(results)}
    assert followed == {
        ("http://127.0.0.1:8000/international/", "parse_rubrique"),
        ("http://127.0.0.1:8000/france/", "parse_rubrique"),
        (ARTICLE_A, "parse_article"),
        (ARTICLE_B, "parse_article"),
    }


def test_rubrique_page_follows_next_page_but_not_other_rubriques() -> None:
    spider = SputnikSpider(start=ROOT)
    url = ROOT + "international/"
    body = f"""<html><body><nav><a href="/france/">France</a></nav>
      <a href="{ARTICLE_A}">A</a>
      <a rel="next" href="/international/?page=2">suivant</a></body></html>"""
    followed = {
        (r.url, r.callback.__name__)
        for r in requests_of(list(spider.parse_rubrique(html(url, body))))
    }
    assert followed == {
        (ARTICLE_A, "parse_article"),
        ("http://127.0.0.1:8000/international/?page=2", "parse_rubrique"),
    }


def test_sitemap_index_then_monthly_sitemap() -> None:
    spider = SputnikSpider(start=ROOT)
    index = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://127.0.0.1:8000/sitemap_article.xml?date_start=20240101&amp;date_end=20240115\
</loc><lastmod>2024-01-15T10:52:00+03:00</lastmod></sitemap>
<sitemap><loc>http://127.0.0.1:8000/sitemap_article.xml?date_start=20231201&amp;date_end=20231231\
</loc></sitemap>
<sitemap><lastmod>2024-01-15T10:52:00+03:00</lastmod></sitemap>
</sitemapindex>"""
    monthly = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{ARTICLE_B}</loc><lastmod>2024-01-15T10:52:00+03:00</lastmod></url>
<url><loc>{ARTICLE_A}</loc><lastmod>2017-06-21T10:52:00+03:00</lastmod></url>
<url><loc>http://127.0.0.1:8000/international/</loc></url>
<url><loc>http://elsewhere.example/20240115/ailleurs-1064871235.html</loc></url>
</urlset>""".encode()
    index_url = ROOT + "sitemap_article_index.xml"
    first = requests_of(list(spider.parse_sitemap(xml(index_url, index))))
    assert [(r.url, r.callback.__name__) for r in first] == [
        (ROOT + "sitemap_article.xml?date_start=20240101&date_end=20240115", "parse_sitemap"),
        (ROOT + "sitemap_article.xml?date_start=20231201&date_end=20231231", "parse_sitemap"),
    ]
    second = requests_of(list(spider.parse_sitemap(xml(first[0].url, monthly))))
    assert [(r.url, r.callback.__name__) for r in second] == [
        (ARTICLE_B, "parse_article"),
        (ARTICLE_A, "parse_article"),
    ]
    assert [r.meta["lastmod"] for r in second] == [
        "2024-01-15T10:52:00+03:00",
        "2017-06-21T10:52:00+03:00",
    ]


ROBOTS_TXT = b"""User-agent: *
Disallow: /search/

User-agent: Yandex
Disallow: /services/

Sitemap: http://127.0.0.1:8000/sitemap_article_index.xml
sitemap:/sitemap_video_index.xml
Sitemap: https://sputniknews.com/sitemap_article_index.xml
Sitemap: http://127.0.0.1:8000/sitemap_article_index.xml
"""


def test_robots_txt_read_for_discovery_gives_the_site_s_sitemaps() -> None:
    spider = SputnikSpider(start=ROOT)
    response = TextResponse(
        ROOT + "robots.txt", body=ROBOTS_TXT, encoding="utf-8", request=Request(ROOT + "robots.txt")
    )
    [item, *requests] = list(spider.parse_robots(response))
    assert isinstance(item, PageItem) and item.role == ROLE_DISCOVERY
    # In order, once each, those of another site left alone; relative ones resolved.
    assert [(r.url, r.callback.__name__, r.priority) for r in requests] == [
        (ROOT + "sitemap_article_index.xml", "parse_sitemap", 10),
        (ROOT + "sitemap_video_index.xml", "parse_sitemap", 10),
    ]
    assert spider.callback_for(ROOT + "robots.txt") == spider.parse_robots


class CrawlingEngine:
    """What the spider uses of Scrapy's engine: ``crawl``, recorded."""

    def __init__(self) -> None:
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def test_the_sitemaps_of_the_robots_txt_the_middleware_read_are_crawled() -> None:
    crawler = get_crawler(SputnikSpider, OBEYING)
    spider = SputnikSpider.from_crawler(crawler, start=ROOT)
    engine = crawler.engine = CrawlingEngine()  # type: ignore[assignment]
    named = [ROOT + "sitemap_article_index.xml", "https://sputniknews.com/sitemap.xml"]

    def read(url: str) -> None:
        crawler.signals.send_catch_log(robots_sitemaps, sitemaps=named, request=Request(url))

    read(ROOT + "x")  # discovery has not started: a debugging command's run
    assert engine.crawled == []
    list(spider._start_requests())
    read("http://127.0.0.1:9000/x")  # robots.txt of another host than the root's
    assert engine.crawled == []
    read("https://127.0.0.1:8000/x")  # the root's host, whatever the scheme
    assert [(r.url, r.callback, r.errback) for r in engine.crawled] == [
        (ROOT + "sitemap_article_index.xml", spider.parse_sitemap, spider.on_error)
    ]


def test_a_crawl_of_urls_follows_no_robots_txt_sitemap() -> None:
    crawler = get_crawler(SputnikSpider, OBEYING)
    spider = SputnikSpider.from_crawler(crawler, urls=ARTICLE_A)
    engine = crawler.engine = CrawlingEngine()  # type: ignore[assignment]
    list(spider._start_requests())
    sitemaps = [ROOT + "sitemap_article_index.xml"]
    crawler.signals.send_catch_log(robots_sitemaps, sitemaps=sitemaps, request=Request(ARTICLE_A))
    assert engine.crawled == []


def test_rss_feed_yields_its_articles() -> None:
    spider = SputnikSpider(start=ROOT)
    feed = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
      <item><title>A</title><link>{ARTICLE_A}</link></item>
      <item><title>B</title><link> {ARTICLE_B} </link></item></channel></rss>""".encode()
    response = xml(ROOT + "export/rss2/archive/index.xml", feed)
    assert [r.url for r in requests_of(list(spider.parse_feed(response)))] == [ARTICLE_A, ARTICLE_B]


ARTICLE_PAGE = """<html lang="fr"><head><title>T</title></head><body>
<div class="b-article">
<div class="b-article__header-title"><h1 itemprop="headline">Un titre</h1></div>
<div class="b-article__lead"><p>Le chapeau.</p></div>
<div class="b-article__text" itemprop="articleBody"><p>Premier paragraphe.</p><p>Second.</p>
<div class="b-inject"><strong>Lire aussi:</strong><ul>
<li><a href="/international/201706211031850421-lavrov/">Lavrov</a></li>
<li><a href="/international/201706211031850422-frappe/">Frappe</a></li></ul></div></div></div>
</body></html>"""


@pytest.mark.parametrize(("depth", "hop", "followed"), [(1, 0, 2), (1, 1, 0), (0, 0, 0), (2, 1, 2)])
def test_related_links_are_followed_within_the_hop_limit(
    depth: int, hop: int, followed: int
) -> None:
    spider = SputnikSpider(urls=ARTICLE_A, related_depth=depth)
    results = list(spider.parse_article(html(ARTICLE_A, ARTICLE_PAGE, meta={"related_hop": hop})))
    [item] = items_of(results)
    assert item.role == ROLE_ARTICLE
    assert item.article is not None and item.article.title == "Un titre"
    requests = requests_of(results)
    assert len(requests) == followed
    assert all(r.meta["related_hop"] == hop + 1 for r in requests)


def test_non_text_response_under_an_article_url_is_not_parsed() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    from scrapy.http import Response

    response = Response(ARTICLE_A, body=b"%PDF-1.4", request=Request(ARTICLE_A))
    [item] = list(spider.parse_article(response))
    assert item.role == ROLE_ARTICLE and item.article is None and item.bytes == 8


def test_text_response_that_is_not_html_still_goes_through_the_page_object() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    response = TextResponse(ARTICLE_A, body=b"", encoding="utf-8", request=Request(ARTICLE_A))
    [item] = list(spider.parse_article(response))
    assert item.article is not None and not item.article.is_article


def failure_for(url: str, status: int) -> Failure:
    from scrapy.spidermiddlewares.httperror import HttpError

    request = Request(url)
    response = HtmlResponse(url, status=status, body=b"", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, "http_404"),
        (410, "http_410"),
        (451, "http_451"),
        (500, None),
        (503, None),
        (429, None),
    ],
)
def test_only_takedown_statuses_mark_an_article_gone(status: int, reason: str | None) -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    failure = failure_for(ARTICLE_A, status)
    failure.request.callback = spider.parse_article  # type: ignore[attr-defined]
    [item] = spider.on_error(failure)
    assert (item.role, item.status, item.gone_reason) == ("failure", status, reason)


def redirect(url: str, location: str, status: int = 301, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={"related_hop": 0, **meta})
    return HtmlResponse(url, status=status, headers={"Location": location}, request=request)


@pytest.mark.parametrize("location", ["/international/", "/", "http://127.0.0.1:8000/"])
def test_an_article_redirected_to_a_listing_is_gone(location: str) -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    [item] = list(spider.parse_article(redirect(ARTICLE_A, location, status=302)))
    assert isinstance(item, PageItem)
    assert (item.gone_reason, item.requested_url, item.redirect_status) == (
        "redirect_to_listing",
        ARTICLE_A,
        302,
    )


def test_an_article_redirected_to_another_article_is_followed_even_if_seen() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    [request] = list(spider.parse_article(redirect(ARTICLE_A, ARTICLE_B)))
    assert isinstance(request, Request)
    assert request.url == ARTICLE_B and request.dont_filter
    assert request.meta["redirect_urls"] == [ARTICLE_A]
    assert request.meta["redirect_reasons"] == [301]
    assert request.meta["dont_redirect"] is True


def test_a_redirect_loop_ends_as_a_failure() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    response = redirect(ARTICLE_B, ARTICLE_A, redirect_urls=[ARTICLE_A], redirect_reasons=[301])
    [item] = list(spider.parse_article(response))
    assert isinstance(item, PageItem)
    assert (item.role, item.status) == ("failure", None)
    assert item.error == f"redirect loop: 301 to {ARTICLE_A}"


AMP_PAGE = f"""<html amp lang="fr"><head><link rel="canonical" href="{ARTICLE_A}"></head>
<body><h1 class="amp-article__title">Un titre</h1><p>Texte.</p></body></html>"""


def test_a_copy_naming_another_article_as_canonical_becomes_its_alias() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    amp = "http://127.0.0.1:8000/amp/international/201706211031850420-washington-moscou/"
    item, request = list(spider.parse_article(html(amp, AMP_PAGE, meta={"related_hop": 0})))
    assert isinstance(item, PageItem) and isinstance(request, Request)
    assert (item.role, item.alias_of, item.article) == ("alias", ARTICLE_A, None)
    assert request.url == ARTICLE_A and request.dont_filter
    assert request.meta["alias_urls"] == [amp]


def test_a_page_reached_from_its_copy_is_stored_even_if_its_canonical_differs() -> None:
    spider = SputnikSpider(urls=ARTICLE_A)
    page = AMP_PAGE.replace(ARTICLE_A, ARTICLE_B)  # a canonical pointing on: not followed again
    results = list(spider.parse_article(html(ARTICLE_A, page, meta={"alias_urls": ["x"]})))
    [item] = items_of(results)
    assert item.role == "article" and item.alias_urls == ["x"]


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"text/html; charset=windows-1252", "cp1252"),
        (b"text/html; charset=UTF-8", "utf-8"),
        (b"text/html", None),
        (None, None),
    ],
)
def test_the_page_object_gets_only_the_charset_the_header_declares(
    content_type: bytes | None, expected: str | None
) -> None:
    """Not Scrapy's guess from the bytes: French windows-1252 text without a declared charset
    is guessed cp1250 by its statistics, which turns "système" into "sysčme"."""
    from scrapy.http import HtmlResponse

    from crawler.spiders.sputnik import header_charset

    body = "<html><body><p>le système antidopage réformé</p></body></html>".encode("cp1252")
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse("https://fr.sputniknews.com/x/", body=body, headers=headers)
    assert header_charset(response) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2020-01-01", "20200101"), ("20200101", "20200101"), (" 2024-02-29 ", "20240229")],
)
def test_since_takes_a_date(value: str, expected: str) -> None:
    assert SputnikSpider(start="https://fr.sputniknews.africa/", since=value).since == expected


@pytest.mark.parametrize("value", ["", "2020", "2023-02-29", "01/02/2020", "yesterday"])
def test_since_that_is_no_date_is_refused(value: str) -> None:
    with pytest.raises(BadSpiderArgument) as raised:
        SputnikSpider(start="https://fr.sputniknews.africa/", since=value)
    assert str(raised.value) == f"since must be a date YYYY-MM-DD, got {value!r}"


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://sputniknews.com/columnists/201911181077343476-royal-self-indicting/", "20191118"),
        ("https://sputniknews.com/radio_the_critical_hour/202004281079127690-some-us/", "20200428"),
        ("https://fr.sputniknews.africa/20230915/titre-1061906052.html", "20230915"),
        ("https://sputniknews.cn/20260729/1072541907.html", "20260729"),
        ("https://fr.sputniknews.africa/international/", None),
    ],
)
def test_article_day(url: str, day: str | None) -> None:
    assert article_day(url) == day


def test_since_filters_discovery_only() -> None:
    spider = SputnikSpider(start="https://fr.sputniknews.africa/", since="2023-09-15")
    index = [
        {
            "loc": "https://fr.sputniknews.africa/sitemap_article.xml?date_start=20230901&date_end=20230930"
        },
        {
            "loc": "https://fr.sputniknews.africa/sitemap_article.xml?date_start=20230801&date_end=20230831"
        },
        {"loc": "https://fr.sputniknews.africa/sitemap_news.xml"},  # undated: kept
    ]
    asked = [r.url for r in spider._index_requests(index)]
    assert asked == [index[0]["loc"], index[2]["loc"]]
    assert spider._recent_enough("https://fr.sputniknews.africa/20230915/a-1.html")
    assert not spider._recent_enough("https://fr.sputniknews.africa/20230914/a-2.html")
    assert spider._recent_enough("https://fr.sputniknews.africa/docs/undated.html")
