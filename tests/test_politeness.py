"""Politeness components built with Scrapy's get_crawler: robots.txt, Crawl-delay, Retry-After,
and AutoThrottle's exemption for loopback hosts the user named. The downloader is a fake that
keeps real ``Slot`` objects; crawls of the replica are in test_politeness_e2e.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response, TextResponse
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from crawler import settings as project
from crawler.middlewares.host_delay import AUTOTHROTTLE_DONT_ADJUST, HostDelayMiddleware
from crawler.middlewares.retry_after import (
    TIMES_KEY,
    RetryAfterMiddleware,
    retry_after_seconds,
)
from crawler.middlewares.robotstxt import (
    MAX_REDIRECTS,
    RefusingRobots,
    RobotsTxtMiddleware,
    robots_sitemaps,
)
from crawler.spiders.sputnik import SputnikSpider

T = TypeVar("T")
NAMED = "http://127.0.0.1:8000"
UA = project.USER_AGENT


class FakeDownloader:
    """What the components use of Scrapy's downloader, with real slots and no network."""

    DOWNLOAD_SLOT = "download_slot"

    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}
        self.middleware = SimpleNamespace(middlewares=())
        self._delay = 0.0
        self.resumed: list[Slot] = []

    def get_slot_key(self, request: Request) -> str:
        return urlparse_cached(request).hostname or ""

    def slot(self, key: str, delay: float = 0.0, jitter: float = 0.5) -> Slot:
        self.slots[key] = Slot(8, delay, jitter)
        return self.slots[key]

    def _latercall(self, slot: Slot) -> None:
        slot.latercall = None
        self.resumed.append(slot)


def make_crawler(urls: str = f"{NAMED}/a", **settings: Any) -> tuple[Crawler, FakeDownloader]:
    values = {"USER_AGENT": UA, "ROBOTSTXT_OBEY": True, **settings}
    crawler = get_crawler(SputnikSpider, values)
    crawler.spider = crawler._create_spider(urls=urls)
    downloader = FakeDownloader()
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    return crawler, downloader


def install(downloader: FakeDownloader, *middlewares: Any) -> None:
    downloader.middleware.middlewares = (*downloader.middleware.middlewares, *middlewares)


def reached(crawler: Crawler, request: Request, key: str) -> None:
    """What the downloader does as a request enters a slot: meta, then the signal."""
    request.meta["download_slot"] = key
    results = crawler.signals.send_catch_log(
        signal=signals.request_reached_downloader, request=request, spider=crawler.spider
    )
    assert not [r for _, r in results if isinstance(r, Failure)]


def downloaded(crawler: Crawler, request: Request, response: Response) -> None:
    results = crawler.signals.send_catch_log(
        signal=signals.response_downloaded,
        response=response,
        request=request,
        spider=crawler.spider,
    )
    assert not [r for _, r in results if isinstance(r, Failure)]


def run(coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh asyncio loop (what the components' timers need)."""
    return asyncio.run(coro())


# -- robots.txt --------------------------------------------------------------------------


def robots_response(status: int, body: bytes = b"", location: str | None = None) -> Response:
    headers = {"Location": location} if location else {}
    return TextResponse(
        f"{NAMED}/robots.txt", status=status, body=body, headers=headers, encoding="utf-8"
    )


class FakeEngine:
    """download_async answering robots.txt requests from a script, recording them."""

    def __init__(self, downloader: FakeDownloader, answers: list[Response | Exception]) -> None:
        self.downloader = downloader
        self.answers = answers
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer.replace(url=request.url)


def robots_middleware(
    answers: list[Response | Exception], **settings: Any
) -> tuple[RobotsTxtMiddleware, FakeEngine, HostDelayMiddleware]:
    crawler, downloader = make_crawler(**settings)
    engine = FakeEngine(downloader, answers)
    crawler.engine = engine  # type: ignore[assignment]
    delays = HostDelayMiddleware(crawler)
    install(downloader, delays)
    return RobotsTxtMiddleware(crawler), engine, delays


def parser_for(answers: list[Response | Exception], **settings: Any) -> Any:
    middleware, _, _ = robots_middleware(answers, **settings)
    return run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))


def test_a_robots_txt_with_rules_is_obeyed() -> None:
    parser = parser_for([robots_response(200, b"User-agent: *\nDisallow: /private\n")])
    assert parser.allowed(f"{NAMED}/private/x", UA) is False
    assert parser.allowed(f"{NAMED}/public", UA) is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_a_4xx_robots_txt_allows_everything(status: int) -> None:
    parser = parser_for([robots_response(status, b"User-agent: *\nDisallow: /\n")])
    assert not isinstance(parser, RefusingRobots)
    assert parser.allowed(f"{NAMED}/anything", UA) is True


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 599])
def test_a_429_or_5xx_robots_txt_disallows_everything(status: int) -> None:
    parser = parser_for([robots_response(status)])
    assert isinstance(parser, RefusingRobots)
    assert parser.reason == f"unreachable: HTTP {status}"
    assert parser.allowed(f"{NAMED}/", UA) is False


def test_an_unreachable_robots_txt_disallows_everything() -> None:
    parser = parser_for([ConnectionRefusedError("nobody there")])
    assert isinstance(parser, RefusingRobots)
    assert parser.reason == "unreachable: ConnectionRefusedError"


def test_a_refused_request_says_why() -> None:
    middleware, _, _ = robots_middleware([robots_response(503)])
    request = Request(f"{NAMED}/a")
    with pytest.raises(IgnoreRequest, match=r"^Forbidden by robots.txt \(unreachable: HTTP 503\)$"):
        run(lambda: middleware.process_request(request))
    allowed, _, _ = robots_middleware([robots_response(404)])
    assert run(lambda: allowed.process_request(request)) is None


def test_redirects_are_followed_up_to_five_even_to_another_host() -> None:
    hops = [robots_response(301, location=f"/robots-{i}.txt") for i in range(MAX_REDIRECTS - 1)]
    hops.append(robots_response(302, location="https://elsewhere.example/robots.txt"))
    final = robots_response(200, b"User-agent: *\nDisallow: /private\n")
    middleware, engine, _ = robots_middleware([*hops, final])
    parser = run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))
    assert parser.allowed(f"{NAMED}/private", UA) is False
    urls = [r.url for r in engine.requests]
    assert urls[0] == f"{NAMED}/robots.txt"
    assert urls[1:5] == [f"{NAMED}/robots-{i}.txt" for i in range(4)]
    assert urls[5] == "https://elsewhere.example/robots.txt"
    assert all(r.meta["dont_redirect"] and r.meta["dont_obey_robotstxt"] for r in engine.requests)


def test_more_than_five_redirects_count_as_no_robots_txt() -> None:
    hops = [robots_response(301, location=f"/r{i}") for i in range(MAX_REDIRECTS + 1)]
    middleware, engine, _ = robots_middleware(hops)
    parser = run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))
    assert parser.allowed(f"{NAMED}/anything", UA) is True
    assert len(engine.requests) == MAX_REDIRECTS + 1


def test_credentials_in_the_url_never_reach_the_robots_txt_request() -> None:
    middleware, engine, _ = robots_middleware([robots_response(404)])
    run(lambda: middleware.robot_parser(Request("http://user:pw@127.0.0.1:8000/a")))
    assert [r.url for r in engine.requests] == [f"{NAMED}/robots.txt"]


def test_every_request_waiting_for_robots_txt_gets_the_parser() -> None:
    async def scenario() -> list[Any]:
        middleware, engine, _ = robots_middleware([])
        gate: asyncio.Future[Response] = asyncio.get_running_loop().create_future()

        async def slow_download(request: Request) -> Response:
            engine.requests.append(request)
            return (await gate).replace(url=request.url)

        engine.download_async = slow_download  # type: ignore[method-assign]
        tasks = [
            asyncio.ensure_future(middleware.robot_parser(Request(f"{NAMED}/{i}")))
            for i in range(3)
        ]
        await asyncio.sleep(0)  # let all three reach the wait; no time passes
        gate.set_result(robots_response(200, b"User-agent: *\nDisallow: /\n"))
        parsers = await asyncio.gather(*tasks)
        assert len(engine.requests) == 1
        return parsers

    parsers = run(scenario)
    assert all(p is parsers[0] and p is not None for p in parsers)


def test_crawl_delay_for_our_agent_or_star_paces_the_host() -> None:
    body = b"User-agent: other-bot\nCrawl-delay: 9\n\nUser-agent: *\nCrawl-delay: 2.5\n"
    middleware, _, delays = robots_middleware([robots_response(200, body)])
    run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))
    assert delays.floor("127.0.0.1") == 2.5
    ours = b"User-agent: sputnik-archiver\nCrawl-delay: 3\n\nUser-agent: *\nCrawl-delay: 1\n"
    middleware, _, delays = robots_middleware([robots_response(200, ours)])
    run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))
    assert delays.floor("127.0.0.1") == 3.0


def test_a_crawl_delay_over_the_limit_refuses_the_host() -> None:
    body = b"User-agent: *\nCrawl-delay: 120\n"
    parser = parser_for([robots_response(200, body)], ARCHIVE_CRAWL_DELAY_MAX=60)
    assert isinstance(parser, RefusingRobots)
    assert parser.reason == "Crawl-delay 120 s is over ARCHIVE_CRAWL_DELAY_MAX (60 s)"


def sitemaps_sent(answers: list[Response | Exception], **settings: Any) -> list[Any]:
    """The ``robots_sitemaps`` signals the middleware sends reading robots.txt for two requests
    to the host: ``(sitemaps, request URL)`` each."""
    middleware, _, _ = robots_middleware(answers, **settings)
    sent: list[Any] = []

    def receive(sitemaps: list[str], request: Request) -> None:
        sent.append((sitemaps, request.url))

    middleware.crawler.signals.connect(receive, signal=robots_sitemaps)
    run(lambda: middleware.robot_parser(Request(f"{NAMED}/a")))
    run(lambda: middleware.robot_parser(Request(f"{NAMED}/b")))  # robots.txt read once
    return sent


def test_the_sitemaps_robots_txt_names_are_sent_once_read() -> None:
    body = (
        b"User-agent: *\nDisallow: /search/\n\n"
        b"Sitemap: http://127.0.0.1:8000/sitemap_article_index.xml\n"
        b"SITEMAP:/sitemap_video_index.xml\n"
        b"Sitemap: http://127.0.0.1:8000/sitemap_article_index.xml\n"
    )
    assert sitemaps_sent([robots_response(200, body)]) == [
        (
            [f"{NAMED}/sitemap_article_index.xml", f"{NAMED}/sitemap_video_index.xml"],
            f"{NAMED}/a",
        )
    ]


@pytest.mark.parametrize(
    ("answer", "settings"),
    [
        (robots_response(200, b"User-agent: *\nDisallow: /search/\n"), {}),
        (robots_response(404, b"Sitemap: /sitemap_article_index.xml\n"), {}),
        (robots_response(503, b"Sitemap: /sitemap_article_index.xml\n"), {}),
        (ConnectionRefusedError("nobody there"), {}),
        # Refused for its Crawl-delay: none of its sitemaps is fetched either.
        (
            robots_response(
                200, b"User-agent: *\nCrawl-delay: 120\nSitemap: /sitemap_article_index.xml\n"
            ),
            {"ARCHIVE_CRAWL_DELAY_MAX": 60},
        ),
    ],
)
def test_a_robots_txt_read_without_sitemaps_sends_none(
    answer: Response | Exception, settings: dict[str, Any]
) -> None:
    assert sitemaps_sent([answer], **settings) == [([], f"{NAMED}/a")]


# -- host pacing -------------------------------------------------------------------------


def test_crawl_delay_is_a_floor_without_jitter() -> None:
    crawler, downloader = make_crawler(urls="https://news.example/a")
    delays = HostDelayMiddleware(crawler)
    slot = downloader.slot("news.example", delay=0.2, jitter=0.5)
    delays.set_crawl_delay("news.example", 2.0)
    assert (slot.delay, slot.jitter) == (2.0, 0.0)
    slot.delay = 5.0  # AutoThrottle may go above it
    reached(crawler, Request("https://news.example/b"), "news.example")
    assert slot.delay == 5.0


def test_autothrottle_never_goes_below_the_crawl_delay() -> None:
    crawler, downloader = make_crawler(urls="https://news.example/a", AUTOTHROTTLE_ENABLED=True)
    throttle = crawler.get_extension(AutoThrottle)
    assert throttle is not None
    # Built after the extensions, as the downloader is: its handlers run after AutoThrottle's.
    delays = HostDelayMiddleware(crawler)
    throttle._spider_opened(crawler.spider)  # type: ignore[arg-type]
    slow = downloader.slot("slow.example", delay=3.0)
    paced = downloader.slot("news.example", delay=3.0)
    delays.set_crawl_delay("news.example", 2.0)
    for key in ("slow.example", "news.example"):
        url = f"https://{key}/"
        request = Request(url, meta={"download_slot": key, "download_latency": 0.01})
        downloaded(crawler, request, TextResponse(url, body=b"ok", encoding="utf-8"))
    assert slow.delay == pytest.approx(1.505)  # AutoThrottle at work
    assert paced.delay == 2.0


def test_loopback_hosts_the_user_named_are_not_throttled() -> None:
    crawler, downloader = make_crawler(
        urls=f"{NAMED}/a,http://localhost:8000/b,https://news.example/c"
    )
    delays = HostDelayMiddleware(crawler)
    for key, url in (("127.0.0.1", f"{NAMED}/x"), ("localhost", "http://localhost:8000/x")):
        slot = downloader.slot(key, delay=1.0)  # a new slot gets AUTOTHROTTLE_START_DELAY
        request = Request(url)
        delays.process_request(request)
        assert request.meta[AUTOTHROTTLE_DONT_ADJUST] is True
        reached(crawler, request, key)
        assert slot.delay == 0.0
    public = downloader.slot("news.example", delay=1.0)
    request = Request("https://news.example/x")
    delays.process_request(request)
    reached(crawler, request, "news.example")
    assert AUTOTHROTTLE_DONT_ADJUST not in request.meta
    assert public.delay == 1.0


def test_a_pause_holds_the_whole_slot_even_one_made_anew() -> None:
    async def scenario() -> None:
        crawler, downloader = make_crawler()
        delays = HostDelayMiddleware(crawler)
        loop = asyncio.get_running_loop()
        slot = downloader.slot("127.0.0.1")
        delays.pause("127.0.0.1", 30.0)
        assert slot.latercall is not None
        handle = slot.latercall._timer_handle
        assert handle is not None
        assert handle.when() - loop.time() == pytest.approx(30.0, abs=0.5)
        delays.pause("127.0.0.1", 5.0)  # a shorter pause leaves the longer one
        assert delays.paused_for("127.0.0.1") == pytest.approx(30.0, abs=0.5)
        fresh = downloader.slot("127.0.0.1")  # Scrapy dropped the idle slot and made another
        reached(crawler, Request(f"{NAMED}/b"), "127.0.0.1")
        assert fresh.latercall is not None
        fresh.close()
        slot.close()

    run(scenario)


# -- Retry-After -------------------------------------------------------------------------


NOW = datetime(2026, 1, 5, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: bytes | str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


class RecordingDelays(HostDelayMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pauses: list[tuple[str, float]] = []

    def pause(self, key: str, seconds: float) -> None:
        self.pauses.append((key, seconds))


def retry_after(**settings: Any) -> tuple[Crawler, RetryAfterMiddleware, RecordingDelays]:
    crawler, downloader = make_crawler(**settings)
    delays = RecordingDelays(crawler)
    install(downloader, delays)
    return crawler, RetryAfterMiddleware(crawler), delays


def answer(status: int, retry_after: str | None = None, url: str = f"{NAMED}/a") -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return TextResponse(url, status=status, headers=headers, body=b"", encoding="utf-8")


def through(
    crawler: Crawler, middleware: RetryAfterMiddleware, request: Request, response: Response
) -> Request | Response:
    downloaded(crawler, request, response)  # the pause comes first, from the signal
    return middleware.process_response(request, response)


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_are_retried_after_retry_after_pausing_the_host(status: int) -> None:
    crawler, middleware, delays = retry_after()
    request = Request(f"{NAMED}/a")
    retry = through(crawler, middleware, request, answer(status, "3"))
    assert isinstance(retry, Request)
    assert retry.url == request.url and retry.dont_filter
    assert retry.meta[TIMES_KEY] == 1
    assert delays.pauses == [("127.0.0.1", 3.0)]
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry_after/count") == 1
    assert crawler.stats.get_value("retry/count") is None


def test_without_retry_after_the_back_off_doubles_up_to_the_limit() -> None:
    crawler, middleware, delays = retry_after(
        ARCHIVE_RETRY_AFTER_BACKOFF=5, ARCHIVE_RETRY_AFTER_MAX=30
    )
    request: Request | Response = Request(f"{NAMED}/a")
    for _ in range(5):
        assert isinstance(request, Request)
        request = through(crawler, middleware, request, answer(503))
    assert [s for _, s in delays.pauses] == [5.0, 10.0, 20.0, 30.0, 30.0]


def test_the_retry_budget_is_its_own_and_scrapy_retries_nothing_after_it() -> None:
    crawler, middleware, delays = retry_after(ARCHIVE_RETRY_AFTER_TIMES=2)
    request: Request | Response = Request(f"{NAMED}/a")
    for _ in range(2):
        assert isinstance(request, Request)
        request = through(crawler, middleware, request, answer(429, "1"))
    assert isinstance(request, Request) and request.meta[TIMES_KEY] == 2
    last = answer(429, "1")
    given_up = through(crawler, middleware, request, last)
    assert given_up is last
    assert request.meta["dont_retry"] is True
    assert RetryMiddleware.from_crawler(crawler).process_response(request, last) is last
    assert len(delays.pauses) == 3  # the host still waits the last time


def test_a_retry_after_over_the_limit_gives_up_and_leaves_the_host_alone() -> None:
    crawler, middleware, delays = retry_after(ARCHIVE_RETRY_AFTER_MAX=600)
    request = Request(f"{NAMED}/a")
    last = answer(429, "3600")
    assert through(crawler, middleware, request, last) is last
    assert request.meta["dont_retry"] is True
    assert delays.pauses == []
    with pytest.raises(IgnoreRequest, match=r"^127.0.0.1 asked to wait 3600 s more"):
        middleware.process_request(Request(f"{NAMED}/other"))
    middleware.process_request(Request("https://news.example/"))  # other hosts go on


@pytest.mark.parametrize("status", [200, 404, 500, 502])
def test_other_statuses_are_left_to_scrapy(status: int) -> None:
    crawler, middleware, delays = retry_after()
    request = Request(f"{NAMED}/a")
    response = answer(status, "1")
    assert through(crawler, middleware, request, response) is response
    assert "dont_retry" not in request.meta
    assert delays.pauses == []


def test_dont_retry_is_respected() -> None:
    crawler, middleware, delays = retry_after()
    request = Request(f"{NAMED}/a", meta={"dont_retry": True})
    response = answer(429, "1")
    assert through(crawler, middleware, request, response) is response
    assert delays.pauses == []
