"""Safety components: address and scheme rules, the link and request checks, URL credentials,
the decompression cap, secret redaction. Crawls of the replica are in test_safety_e2e.py."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from archive.addresses import resolve
from crawler import settings as project
from crawler.middlewares.credentials import (
    UrlCredentialsMiddleware,
    split_credentials,
    take_credentials,
)
from crawler.middlewares.decompression import BoundedDecompressionMiddleware, ResponseTooLarge
from crawler.middlewares.redaction import (
    REDACTED,
    Redactor,
    SecretRedaction,
    is_secret_name,
    redact,
    redact_urls,
    secret_values,
)
from crawler.middlewares.safe_addresses import SafeAddressMiddleware
from crawler.middlewares.safe_links import SafeLinksMiddleware
from crawler.middlewares.safety import (
    HostResolver,
    IPAddress,
    RefusedRequest,
    address_refusal,
    link_refusal,
)
from crawler.spiders.sputnik import SputnikSpider
from extraction.items import ROLE_REFUSED, PageItem

NAMED = "http://127.0.0.1:8000"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "politeness.md"


def crawler_for(urls: str = f"{NAMED}/a", **settings: Any) -> Crawler:
    crawler = get_crawler(SputnikSpider, settings)
    crawler.spider = crawler._create_spider(urls=urls)
    return crawler


# -- addresses and schemes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.1", "private address 10.0.0.1"),
        ("172.16.5.4", "private address 172.16.5.4"),
        ("192.168.1.1", "private address 192.168.1.1"),
        ("100.64.0.1", "shared (CGNAT) address 100.64.0.1"),
        ("127.0.0.1", "loopback address 127.0.0.1"),
        ("127.0.0.2", "loopback address 127.0.0.2"),
        ("169.254.169.254", "link-local address 169.254.169.254"),
        ("0.0.0.0", "unspecified address 0.0.0.0"),
        ("224.0.0.1", "multicast address 224.0.0.1"),
        ("240.0.0.1", "private address 240.0.0.1"),
        ("::1", "loopback address ::1"),
        ("::", "unspecified address ::"),
        ("fe80::1", "link-local address fe80::1"),
        ("fd12:3456::1", "private address fd12:3456::1"),
        ("ff02::1", "multicast address ff02::1"),
        ("::ffff:10.0.0.1", "private address ::ffff:a00:1"),
        ("64:ff9b::a9fe:a9fe", "link-local address 64:ff9b::a9fe:a9fe"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_rules(address: str, reason: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/x", "private address 10.0.0.1"),
        ("https://[::1]:8443/", "loopback address ::1"),
        ("http://localhost:8000/", "loopback address localhost"),
        ("http://api.localhost/", "loopback address api.localhost"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address 169.254.169.254"),
        ("file:///etc/passwd", "scheme file: is not http(s)"),
        ("javascript:alert(1)", "scheme javascript: is not http(s)"),
        ("data:text/html,x", "scheme data: is not http(s)"),
        ("ftp://ftp.example/", "scheme ftp: is not http(s)"),
        ("mailto:redaction@example.org", "scheme mailto: is not http(s)"),
        ("http://[oops/", "malformed URL"),
        # Hosts the user named may be anything; other names are resolved when requested.
        (f"{NAMED}/page", None),
        ("HTTP://127.0.0.1:9999/other-port", None),
        ("https://fr.sputniknews.africa/", None),
        ("https://intranet.example/", None),
    ],
)
def test_link_rules(url: str, reason: str | None) -> None:
    assert link_refusal(url, frozenset({"127.0.0.1"})) == reason


def test_localhost_resolves_to_loopback_and_an_unusable_name_to_nothing() -> None:
    assert resolve("localhost")
    assert all(ip.is_loopback for ip in resolve("localhost"))
    # A label over 63 characters fails to encode: no lookup is even tried.
    assert resolve("a" * 64 + ".example") == ()


# -- the link check (spider middleware) -----------------------------------------------------


def test_unsafe_links_become_refused_items() -> None:
    middleware = SafeLinksMiddleware(crawler_for())
    item = PageItem(url=f"{NAMED}/a", role="article")
    output = [
        item,
        Request(f"{NAMED}/b"),
        Request("http://10.0.0.1/x"),
        Request("http://localhost:8000/c"),
    ]
    checked = list(middleware.process_spider_output(None, iter(output)))
    assert checked[:2] == output[:2]
    assert [(c.url, c.role, c.error) for c in checked[2:]] == [
        ("http://10.0.0.1/x", ROLE_REFUSED, "refused: private address 10.0.0.1"),
        ("http://localhost:8000/c", ROLE_REFUSED, "refused: loopback address localhost"),
    ]

    async def collect() -> list[Any]:
        async def source() -> Any:
            for each in output:
                yield each

        return [o async for o in middleware.process_spider_output_async(None, source())]

    assert [getattr(o, "error", None) for o in asyncio.run(collect())] == [
        None,
        None,
        "refused: private address 10.0.0.1",
        "refused: loopback address localhost",
    ]


# -- the request check (downloader middleware) ---------------------------------------------


class FakeResolver(HostResolver):
    def __init__(self, answers: dict[str, list[str]]) -> None:
        super().__init__()
        self.answers = answers
        self.asked: list[str] = []

    async def addresses(self, host: str) -> tuple[IPAddress, ...]:
        self.asked.append(host)
        return tuple(ipaddress.ip_address(a) for a in self.answers.get(host, []))


def address_check(answers: dict[str, list[str]]) -> tuple[SafeAddressMiddleware, FakeResolver]:
    resolver = FakeResolver(answers)
    return SafeAddressMiddleware(crawler_for(), resolver), resolver


def refusal(middleware: SafeAddressMiddleware, url: str) -> str | None:
    try:
        asyncio.run(middleware.process_request(Request(url)))
    except RefusedRequest as refused:
        return str(refused)
    return None


def test_names_are_resolved_and_any_private_address_refuses_them() -> None:
    middleware, resolver = address_check(
        {
            "news.example": ["93.184.216.34", "2606:2800:220:1::1"],
            "intranet.example": ["10.1.2.3"],
            "rebound.example": ["93.184.216.34", "127.0.0.1"],
            "metadata.example": ["169.254.169.254"],
        }
    )
    assert refusal(middleware, "https://news.example/a") is None
    assert (
        refusal(middleware, "https://intranet.example/")
        == "intranet.example resolves to private address 10.1.2.3"
    )
    assert (
        refusal(middleware, "http://rebound.example/")
        == "rebound.example resolves to loopback address 127.0.0.1"
    )
    assert (
        refusal(middleware, "http://metadata.example/latest/")
        == "metadata.example resolves to link-local address 169.254.169.254"
    )
    assert refusal(middleware, "http://192.168.0.1/") == "private address 192.168.0.1"
    assert refusal(middleware, "file:///etc/passwd") == "scheme file: is not http(s)"
    assert refusal(middleware, f"{NAMED}/named-host") is None
    # Literals and named hosts need no lookup.
    assert resolver.asked == [
        "news.example",
        "intranet.example",
        "rebound.example",
        "metadata.example",
    ]


def test_the_address_connected_to_is_checked_too() -> None:
    middleware, _ = address_check({})

    def connected(url: str, ip: str) -> Response:
        return HtmlResponse(url, body=b"<p>x</p>", ip_address=ipaddress.ip_address(ip))

    public = connected("https://news.example/a", "93.184.216.34")
    assert middleware.process_response(Request(public.url), public) is public
    named = connected(f"{NAMED}/a", "127.0.0.1")
    assert middleware.process_response(Request(named.url), named) is named
    rebound = connected("https://news.example/b", "10.0.0.7")
    with pytest.raises(
        RefusedRequest, match=r"^news.example connected to private address 10.0.0.7$"
    ):
        middleware.process_response(Request(rebound.url), rebound)


# -- credentials in URLs -------------------------------------------------------------------


def test_credentials_leave_the_url_for_an_authorization_header() -> None:
    assert split_credentials("http://user:p%40ss@host:81/a?b#c") == (
        "http://host:81/a?b#c",
        "user",
        "p@ss",
    )
    assert split_credentials("https://host/a@b") == ("https://host/a@b", None, None)
    middleware = UrlCredentialsMiddleware(crawler_for())
    request = Request("http://user:s3cr3t@127.0.0.1:8000/a", meta={"related_hop": 2}, priority=-2)
    moved = middleware.process_request(request)
    assert moved is not None
    assert moved.url == f"{NAMED}/a"
    assert moved.headers[b"Authorization"] == b"Basic dXNlcjpzM2NyM3Q="
    assert (moved.meta["related_hop"], moved.priority, moved.dont_filter) == (2, -2, True)
    assert middleware.process_request(moved) is None


def test_the_spider_takes_credentials_out_of_its_arguments_and_they_are_sent() -> None:
    found: dict[str, tuple[str, str]] = {}
    urls = take_credentials("http://u:p%3Aw@127.0.0.1:8000/a, https://news.example/b", found)
    assert urls == f"{NAMED}/a,https://news.example/b"
    assert take_credentials(None, found) is None
    assert found == {"127.0.0.1:8000": ("u", "p:w")}
    crawler = crawler_for()
    crawler.spider.url_credentials = found  # type: ignore[union-attr]
    middleware = UrlCredentialsMiddleware(crawler)
    mine, other = Request(f"{NAMED}/b"), Request("http://127.0.0.1:9000/b")
    assert middleware.process_request(mine) is None
    assert middleware.process_request(other) is None
    assert mine.headers[b"Authorization"] == b"Basic dTpwOnc="
    assert b"Authorization" not in other.headers


# -- the decompression cap ---------------------------------------------------------------


def test_a_body_over_the_cap_once_inflated_is_an_error() -> None:
    middleware = BoundedDecompressionMiddleware.from_crawler(
        get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 10_000})
    )
    request = Request(f"{NAMED}/bomb")
    bomb = gzip.compress(b" " * 100_000)
    response = HtmlResponse(request.url, body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(ResponseTooLarge, match=r"exceeded DOWNLOAD_MAXSIZE \(10000 B\)"):
        middleware.process_response(request, response)
    small = HtmlResponse(
        request.url, body=gzip.compress(b"<p>ok</p>"), headers={"Content-Encoding": "gzip"}
    )
    assert middleware.process_response(request, small).body == b"<p>ok</p>"


def test_only_http_and_https_have_a_download_handler() -> None:
    assert project.DOWNLOAD_HANDLERS == {"data": None, "file": None, "s3": None, "ftp": None}


# -- secrets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("MY_API_TOKEN", True),
        ("ARCHIVE_CONTACT_TOKEN", True),
        ("TELNETCONSOLE_PASSWORD", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("Authorization", True),
        ("Cookie", True),
        ("x-api-key", True),
        ("GITHUBTOKEN", True),
        ("HTTPPROXY_AUTH_ENCODING", False),
        ("COOKIES_ENABLED", False),
        ("COOKIES_DEBUG", False),
        ("KEYWORDS", False),
        ("urls", False),
        ("USER_AGENT", False),
        # The shell's working directories; a PWD within a longer name is a password.
        ("PWD", False),
        ("pwd", False),
        ("OLDPWD", False),
        ("DB_PWD", True),
        ("MYSQL_PWD", True),
        ("smtp-pwd", True),
        ("PWD_FILE", True),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_the_working_directory_stays_in_the_log_and_a_pwd_secret_does_not() -> None:
    environ = {"PWD": "/srv/news-archiver", "OLDPWD": "/home/me", "DB_PWD": "hunter2-db"}
    extension = SecretRedaction(crawler_for(), environ=environ)
    try:
        record = logging.LogRecord(
            "tests", logging.ERROR, __file__, 1, "%s failed, from %s, with %s",
            ("/srv/news-archiver/.venv/lib/x.py", "/home/me", "hunter2-db"), None,
        )  # fmt: skip
        extension.redactor.record(record)
    finally:
        extension.uninstall()
    assert record.getMessage() == (
        f"/srv/news-archiver/.venv/lib/x.py failed, from /home/me, with {REDACTED}"
    )


def test_redact_hides_secret_values_and_url_passwords() -> None:
    arguments = {
        "urls": "http://user:s3cr3t-pass@127.0.0.1:8000/a,https://tok3n@host/b,http://h/c@d",
        "related_depth": "1",
        "API_TOKEN": "abc",
        "headers": {"Authorization": "Bearer x", "Accept": "text/html"},
        "proxies": ["http://u:pw@proxy:3128"],
        "COOKIES_ENABLED": True,
    }
    assert redact(arguments) == {
        "urls": f"http://user:{REDACTED}@127.0.0.1:8000/a,https://{REDACTED}@host/b,http://h/c@d",
        "related_depth": "1",
        "API_TOKEN": REDACTED,
        "headers": {"Authorization": REDACTED, "Accept": "text/html"},
        "proxies": [f"http://u:{REDACTED}@proxy:3128"],
        "COOKIES_ENABLED": True,
    }
    assert arguments["API_TOKEN"] == "abc"  # a copy
    assert (
        redact_urls("see ftp://a:b@c/ and mailto:x@y")
        == f"see ftp://a:{REDACTED}@c/ and mailto:x@y"
    )


def test_secret_values_skip_short_ones_and_non_secrets() -> None:
    found = secret_values(
        [("MY_API_TOKEN", "s3cr3t-value"), ("HTTPPROXY_AUTH_ENCODING", "latin-1")],
        [
            ("ARCHIVE_CONTACT_TOKEN", "s3cr3t-env"),
            ("SHORT_TOKEN", "1"),
            ("HTTP_PROXY", "http://u:proxy-pw@p:1"),
        ],
    )
    assert found == {"s3cr3t-value", "s3cr3t-env", "proxy-pw"}


def make_record(msg: str, *args: Any, name: str = "x", exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("token is s3cr3t-value")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, exc_info)


def test_log_records_lose_their_secrets() -> None:
    redactor = Redactor({"s3cr3t-value"})
    record = make_record("GET %s with %s", "http://u:pw-1234@h/", "s3cr3t-value", exc=True)
    redactor.record(record)
    assert record.getMessage() == f"GET http://u:{REDACTED}@h/ with {REDACTED}"
    assert record.exc_text is not None and "s3cr3t" not in record.exc_text
    plain = make_record("nothing %d", 3)
    redactor.record(plain)
    assert (plain.msg, plain.args) == ("nothing %d", (3,))


def test_the_overridden_settings_line_is_rebuilt_redacted() -> None:
    crawler = crawler_for(TELNETCONSOLE_PASSWORD="s3cr3t-" + "x" * 90, USER_AGENT="me")
    redactor = Redactor(set(), crawler.settings)
    record = logging.LogRecord(
        "scrapy.crawler", logging.INFO, __file__, 1, "Overridden settings:\n%(settings)s",
        ({"settings": "{'TELNETCONSOLE_PASSWORD': 's3cr3t-xxxx'\n 'xxxx'}"},), None,
    )  # fmt: skip
    redactor.record(record)
    message = record.getMessage()
    assert "s3cr3t" not in message
    assert f"'TELNETCONSOLE_PASSWORD': '{REDACTED}'" in message
    assert "'USER_AGENT': 'me'" in message


def test_the_extension_redacts_every_record_of_the_crawl_then_steps_aside() -> None:
    crawler = crawler_for(MY_API_TOKEN="s3cr3t-value")
    before = logging.getLogRecordFactory()
    extension = SecretRedaction(crawler, environ={"ARCHIVE_CONTACT_TOKEN": "s3cr3t-env"})
    try:
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        logger = logging.getLogger("tests.redaction")
        logger.addHandler(handler)
        logger.propagate = False
        logger.warning(
            "token %s, env %s, url %s", "s3cr3t-value", "s3cr3t-env", "http://a:b-c-d@h/"
        )
        logger.removeHandler(handler)
        assert [r.getMessage() for r in records] == [
            f"token {REDACTED}, env {REDACTED}, url http://a:{REDACTED}@h/"
        ]
    finally:
        extension.uninstall()
    assert logging.getLogRecordFactory() is before


def test_docs_describe_every_setting() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = [
        n for n in dir(project) if n.startswith(("ARCHIVE_RETRY", "ARCHIVE_CRAWL", "AUTOTHROTTLE"))
    ]
    names += [
        "ROBOTSTXT_OBEY",
        "DOWNLOAD_MAXSIZE",
        "DOWNLOAD_TIMEOUT",
        "DOWNLOAD_HANDLERS",
        "USER_AGENT",
    ]
    assert len(names) >= 11
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"settings missing from docs/politeness.md: {missing}"
    components = [
        "UrlCredentialsMiddleware",
        "SafeAddressMiddleware",
        "SafeLinksMiddleware",
        "RobotsTxtMiddleware",
        "HostDelayMiddleware",
        "RetryAfterMiddleware",
        "BoundedDecompressionMiddleware",
        "SecretRedaction",
    ]
    assert not [c for c in components if c not in text]
    wired = {**project.DOWNLOADER_MIDDLEWARES, **project.SPIDER_MIDDLEWARES, **project.EXTENSIONS}
    assert all(any(path.endswith("." + c) for path in wired) for c in components)
