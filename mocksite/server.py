"""The replica's HTTP server: stdlib ``ThreadingHTTPServer``, HTTP/1.1 with keep-alive.

``start()`` serves a ``Site`` from a daemon thread and returns a ``RunningSite``; ``App`` maps
a request target to a response and keeps a small, bounded cache of rendered responses.

Article pages, listings, sitemaps and the feed carry a strong ``ETag`` (a hash of the bytes
served) and a ``Last-Modified`` (the article's dateModified or datePublished; the newest
listed item's for the others); a request whose ``If-None-Match`` matches, or without one
whose ``If-Modified-Since`` is not older, gets ``304 Not Modified`` (counted as
``not_modified`` in ``hits()``). Listings are dated by their items: a whitespace-only edit
changes the ETag, not Last-Modified.

``robots`` picks what /robots.txt answers (``ROBOTS_MODES``); ``hostile`` adds the routes of
``mocksite.hostile``, with their counted failures (``RunningSite.reset_faults()``), delays,
hangs, truncations and oversized bodies.

The same site is also served on a mobile host, 127.0.0.2 on the same port (Linux routes all of
127.0.0.0/8 to loopback), with mobile markup and canonicals to the main host. Where that
address cannot be bound, mobile pages are served under the ``/m`` path prefix instead:
``RunningSite.mobile_base_url`` is the base to use either way. ``RunningSite.set_day()``
switches the site to another day without changing host or port.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import select
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from functools import cached_property, lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import faults, hostile, photos, sitemaps
from .evolution import mix
from .pages import LATEST_IN_RSS, LATEST_ON_HOME, PARTNERS_PATH, Renderer, known_stub_names
from .site import RUBRIQUE_SLUGS, Site

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
CACHE_SIZE = 256  # rendered responses kept; bounds memory whatever N is
MAX_REQUEST_BODY = 1 << 20

MOBILE_HOST = "127.0.0.2"
MOBILE_PREFIX = "/m"

#: What /robots.txt answers: the usual rules; 500; 503; no answer (the connection is reset);
#: "Disallow: /"; the usual rules with a Crawl-delay (``crawl_delay``, else DEFAULT_CRAWL_DELAY);
#: the usual rules with the photo paths disallowed.
ROBOTS_MODES = (
    "normal",
    "error_500",
    "error_503",
    "unreachable",
    "disallow_all",
    "crawl_delay",
    "disallow_photos",
)
DEFAULT_CRAWL_DELAY = 1.0

_SHORT = re.compile(r"/s/([0-9a-z]{4})")
_COPY = re.compile(r"/archives/(\d{1,12})/")
_SYNDICATED = re.compile(r"/partenaires/[a-z0-9-]*-(\d{1,12})\.html")
_SECTION = re.compile(r"/([a-z_]+)/")
_DAY = re.compile(r"/(\d{8})/")
#: pages the site chrome links to
_CHROME_PAGES = {
    "/radio/": "Radio Sputnik",
    "/docs/comments.html": "Règles de conduite",
    "/docs/subscribe.html": "S'abonner",
    "/docs/about/": "Qui sommes-nous",
    "/docs/legal/": "Mentions légales",
}


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    kind: str  # the route that answered, for hit counters
    location: str | None = None
    etag: str | None = None  # strong, quoted
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()  # more header fields
    length: int | None = None  # the Content-Length to announce, when not len(body)
    #: how the handler sends it: "slow" (after a delay), "hang" (headers, then no body),
    #: "truncate" (body short of Content-Length, then close), "reset" (no response at all)
    action: str | None = None
    stream: Callable[[], Iterator[bytes]] | None = None  # the body, in chunks

    def validated(self, modified: datetime | None) -> Response:
        """This response with an ETag of its body and ``modified`` as Last-Modified."""
        tag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'
        return replace(self, etag=tag, last_modified=modified)

    @cached_property
    def validator_fields(self) -> tuple[str, ...]:
        """ETag and Last-Modified header lines (formatted once per cached response)."""
        fields = []
        if self.etag is not None:
            fields.append(f"ETag: {self.etag}")
        if self.last_modified is not None:
            fields.append(f"Last-Modified: {_http_datetime(self.last_modified)}")
        return tuple(fields)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Header lines after Content-Type and Content-Length, Location excepted."""
        extra = tuple(f"{name}: {value}" for name, value in self.headers)
        return self.validator_fields + extra


def _param(query: str, name: str) -> str | None:
    values = parse_qs(query).get(name)
    return values[0] if values else None


class Hits:
    """Responses served, by route; shared by the apps of every day of a running site."""

    def __init__(self) -> None:
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, kind: str) -> None:
        with self._lock:
            self._hits[kind] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._hits)


class App:
    """Routes request targets (path and query) of one site to responses.

    ``respond(target, mobile)`` answers for the main host, or for the mobile host when
    ``mobile`` is true. With ``mobile_prefix`` (no mobile host could be bound), the main host
    serves the mobile pages under that path prefix. ``handle(target, mobile)`` is what the
    server calls: ``respond`` (cached) behind the counted failures of hostile routes.
    """

    def __init__(
        self,
        site: Site,
        base_url: str,
        crawl_delay: float | None = None,
        mobile_base: str | None = None,
        mobile_prefix: str | None = None,
        hits: Hits | None = None,
        robots: str = "normal",
        counters: hostile.Counters | None = None,
    ) -> None:
        if robots not in ROBOTS_MODES:
            raise ValueError(f"robots must be one of {', '.join(ROBOTS_MODES)}, not {robots!r}")
        self.robots = robots
        self.counters = counters or hostile.Counters()
        self.site = site
        self.base_url = base_url
        self.mobile_base = mobile_base or base_url + MOBILE_PREFIX
        self.mobile_prefix = mobile_prefix
        self.renderer = Renderer(site, base_url, crawl_delay, mobile_base=self.mobile_base)
        self.mobile_renderer = Renderer(
            site,
            self.mobile_base,
            crawl_delay,
            canonical_base=base_url,
            mobile_base=self.mobile_base,
        )
        self._tags, self._authors = known_stub_names()
        self._hits = hits or Hits()
        self.respond = lru_cache(maxsize=CACHE_SIZE)(self._respond)

    def count(self, kind: str) -> None:
        self._hits.count(kind)

    def hits(self) -> dict[str, int]:
        return self._hits.snapshot()

    def _page(self, html: str, kind: str, status: int = 200) -> Response:
        return Response(status, HTML, html.encode("utf-8"), kind)

    def _redirect(self, path: str, kind: str, mobile: bool = False) -> Response:
        location = (self.mobile_base if mobile else self.base_url) + path
        body = f'<html><body><a href="{location}">{location}</a></body></html>\n'
        return Response(301, HTML, body.encode("utf-8"), kind, location)

    def not_found(self) -> Response:
        return self._page(self.renderer.not_found(), "not_found", 404)

    def handle(self, target: str, mobile: bool = False) -> Response:
        """The response to ``target``: hostile routes' counted failures, else ``respond``."""
        if self.site.hostile and not mobile:
            path = urlsplit(target).path
            route = hostile.article_route(path)
            failure = hostile.FAILURES.get(route.kind) if route else None
            if (
                route
                and failure
                and path == route.path
                and self.counters.next(path) <= failure.count
            ):
                headers = (("Retry-After", hostile.RETRY_AFTER),) if failure.retry_after else ()
                body = hostile.failure_page(failure.status)
                return Response(
                    failure.status, HTML, body, f"hostile_{route.kind}", headers=headers
                )
        return self.respond(target, mobile)

    def _newest(self, indices: Iterable[int]) -> datetime | None:
        """Last-Modified of a listing: the newest lastmod of its items (None if none)."""
        return max((self.site.lastmod(i) for i in indices), default=None)

    def _robots(self, r: Renderer) -> Response:
        mode = self.robots
        if mode in ("error_500", "error_503"):
            status = 500 if mode == "error_500" else 503
            headers = (("Retry-After", hostile.RETRY_AFTER),) if status == 503 else ()
            body = f"{status} {HTTPStatus(status).phrase}\n".encode()
            return Response(status, TEXT, body, "robots", headers=headers)
        if mode == "unreachable":
            return Response(200, TEXT, b"", "robots", action="reset")
        body = sitemaps.robots(
            r.base,
            r.crawl_delay,
            disallow_all=mode == "disallow_all",
            disallow_photos=mode == "disallow_photos",
        )
        return Response(200, TEXT, body.encode("utf-8"), "robots")

    def _respond(self, target: str, mobile: bool = False) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        prefix = self.mobile_prefix
        if prefix and not mobile and (path == prefix or path.startswith(prefix + "/")):
            inner = path[len(prefix) :] or "/"
            return self._respond(inner + (f"?{query}" if query else ""), mobile=True)
        r = self.mobile_renderer if mobile else self.renderer
        site = self.site
        if path == "/":
            newest = self._newest(site.newest(LATEST_ON_HOME))
            return self._page(r.home(), "home").validated(newest)
        if path == "/robots.txt":
            return self._robots(r)
        if path == sitemaps.ARTICLE_INDEX_PATH:
            months = sitemaps.months(site)
            body = sitemaps.article_index(r.base, months).encode("utf-8")
            newest = max((month.lastmod for month in months), default=None)
            return Response(200, XML, body, "sitemap_index").validated(newest)
        if path == sitemaps.MONTHLY_PATH:
            span = sitemaps.period(query)
            if span is None:
                return self.not_found()
            indices = sitemaps.articles_between(site, *span)
            body = sitemaps.article_sitemap(site, r.base, indices).encode("utf-8")
            return Response(200, XML, body, "sitemap").validated(self._newest(indices))
        if path == "/export/rss2/archive/index.xml":
            response = Response(200, RSS, r.rss().encode("utf-8"), "rss")
            return response.validated(self._newest(site.newest(LATEST_IN_RSS)))
        if path in ("/search", "/search/"):
            return self._page(r.stub("Recherche", "/search/"), "search")
        if path in _CHROME_PAGES:
            return self._page(r.stub(_CHROME_PAGES[path], path), "chrome")
        return self._routed(path, query, mobile)

    def _routed(self, path: str, query: str, mobile: bool) -> Response:
        r = self.mobile_renderer if mobile else self.renderer
        site = self.site
        if site.hostile and not mobile:
            response = self._hostile(path, query)
            if response is not None:
                return response
        match = _SHORT.fullmatch(path)
        if match:
            index = site.index_for_short_code(match.group(1))
            if index is None:
                return self.not_found()
            return self._redirect(site.url_path(index), "short", mobile)
        duplicate = self._duplicate(path, query, r)
        if duplicate is not None:
            return duplicate
        if photos.is_photo_path(path):
            return Response(200, "image/jpeg", photos.photo(path), "photo").validated(None)
        match = _SECTION.fullmatch(path)
        if match and match.group(1) in RUBRIQUE_SLUGS:
            rubrique = RUBRIQUE_SLUGS.index(match.group(1))
            page = _param(query, "page") or "1"
            if not page.isdigit() or not 1 <= int(page) <= site.rubrique_pages(rubrique):
                return self.not_found()
            newest = self._newest(site.rubrique_page(rubrique, int(page))[0])
            return self._page(r.rubrique(rubrique, int(page)), "rubrique").validated(newest)
        match = _DAY.fullmatch(path)
        if match:
            days_back = self._days_back(match.group(1))
            if days_back is None:
                return self.not_found()
            newest = self._newest(site.day_articles(days_back))
            return self._page(r.day(days_back), "day").validated(newest)
        if path in self._tags:
            return self._page(r.stub(self._tags[path], path), "tag")
        if path in self._authors:
            return self._page(r.stub(self._authors[path], path), "author")
        index = site.decode_article_path(path)
        if index is None:
            return self.not_found()
        canonical = site.url_path(index)
        if path != canonical:  # right id, wrong slug/date/shape: the CMS redirects
            return self._redirect(canonical, "article_redirect", mobile)
        return self._article(index, r, mobile)

    def _article(self, index: int, r: Renderer, mobile: bool) -> Response:
        status, location = self.site.status(index)
        if status == 301 and location:
            return self._redirect(location, "gone_redirect", mobile)
        if status == 404:
            return self._page(r.not_found(), "gone", 404)
        if status != 200:
            return self._page(r.gone(status), "gone", status)
        fault = self.site.fault(index)
        content_type, body = faults.encode(
            r.article(index), fault, mix(self.site.seed, index, faults.KEY)
        )
        return Response(200, content_type, body, "article").validated(self._lastmod(index))

    def _lastmod(self, index: int) -> datetime:
        return self.site.meta(index).lastmod

    def _hostile(self, path: str, query: str) -> Response | None:
        """The hostile route at ``path`` (as it answers once its failures are over)."""
        month = hostile.calendar_month(path)
        if month is not None:
            return self._page(self.renderer.calendar(*month), "hostile_calendar_trap")
        if path == hostile.TRAP_PATH:
            page = hostile.trap_page(_param(query, "page"))
            if page is None:
                return self.not_found()
            return self._page(self.renderer.trap(page), "hostile_pagination_trap")
        route = hostile.article_route(path)
        if route is None:
            return None
        if path != route.path:  # right id, wrong slug or shape: the CMS redirects
            return self._redirect(route.path, "article_redirect")
        kind = f"hostile_{route.kind}"
        if route.kind in ("redirect_loop", "redirect_loop_b"):
            other = "redirect_loop_b" if route.kind == "redirect_loop" else "redirect_loop"
            return self._redirect(hostile.BY_KIND[other].path, "hostile_redirect_loop")
        if route.kind in hostile.ARTICLE_KINDS:
            spec = self.site.hostile_spec(route.kind, self.renderer.port)
            body = self.renderer.article_page(spec).encode("utf-8")
            article = Response(200, HTML, body, kind).validated(spec.meta.lastmod)
            if route.kind == "slow":
                return replace(article, action="slow")
            if route.kind == "hang_after_headers":
                return Response(200, HTML, body, kind, action="hang")
            if route.kind == "truncated":
                body = body[: hostile.TRUNCATED_SENT]
                return Response(
                    200, HTML, body, kind, length=hostile.TRUNCATED_LENGTH, action="truncate"
                )
            return article
        if route.kind == "always_500":
            return Response(500, HTML, hostile.failure_page(500), kind)
        if route.kind == "gzip_bomb":
            gzip = (("Content-Encoding", "gzip"),)
            return Response(200, HTML, hostile.gzip_bomb(), kind, headers=gzip)
        if route.kind == "huge_page":
            return Response(
                200, HTML, b"", kind, length=hostile.HUGE_SIZE, stream=hostile.huge_chunks
            )
        if route.kind == "pdf_as_article":
            return Response(200, "application/pdf", hostile.PDF, kind)
        if route.kind == "image_as_article":
            return Response(200, "image/jpeg", hostile.JPEG, kind)
        if route.kind == "empty_200":
            return Response(200, HTML, b"", kind)
        if route.kind == "block_page":
            return self._page(hostile.BLOCK_PAGE, kind)
        raise AssertionError(f"unhandled hostile route {route.kind}")

    def _duplicate(self, path: str, query: str, r: Renderer) -> Response | None:
        """Planted duplicates (AMP, copy, syndicated) and their list; None if not one."""
        site = self.site
        if path.startswith("/amp/"):
            index = site.index_for_path(path[len("/amp") :])
            if index is None or site.duplicate_kind(index) != "amp":
                return self.not_found()
            return self._page(r.amp(index), "amp").validated(self._lastmod(index))
        match = _COPY.fullmatch(path)
        if match:
            index = site.index_for_duplicate("copy", int(match.group(1)))
            if index is None:
                return self.not_found()
            return self._page(r.copy(index), "copy").validated(self._lastmod(index))
        match = _SYNDICATED.fullmatch(path)
        if match:
            index = site.index_for_duplicate("syndicated", int(match.group(1)))
            if index is None or site.duplicate_url(index) != path:
                return self.not_found()
            return self._page(r.syndicated(index), "syndicated").validated(self._lastmod(index))
        if path == PARTNERS_PATH:
            page = _param(query, "page") or "1"
            if not page.isdigit() or not 1 <= int(page) <= r.partner_pages():
                return self.not_found()
            return self._page(r.partners(int(page)), "partners")
        return None

    def _days_back(self, value: str | None) -> int | None:
        if value is None or len(value) != 8 or not value.isdigit():
            return None
        try:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
        return self.site.days_back(day)


_DATE_CACHE: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _DATE_CACHE
    now = int(time.time())
    if _DATE_CACHE[0] != now:
        _DATE_CACHE = (now, formatdate(now, usegmt=True))
    return _DATE_CACHE[1]


def _http_datetime(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison: "*", or any listed tag with the same opaque value."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mocksite/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections are closed after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        self._drain_request_body()
        app = self.server.app  # read once: set_day() may swap it meanwhile
        try:
            response = app.handle(self.path, self.server.mobile)
        except Exception:
            logger.exception("error rendering %s", self.path)
            response = Response(500, TEXT, b"internal error\n", "error")
        if response.action == "reset":
            app.count(response.kind)
            self._reset()
            return
        if response.action == "slow":
            self.server.stopping.wait(hostile.SLOW_SECONDS)
        if response.etag is not None and response.status == 200 and self._not_modified(response):
            app.count("not_modified")
            self.wfile.write(self._head(304, list(response.validator_fields)))
            return
        app.count(response.kind)
        length = len(response.body) if response.length is None else response.length
        fields = [f"Content-Type: {response.content_type}", f"Content-Length: {length}"]
        fields += response.fields
        if response.location:
            fields.append(f"Location: {response.location}")
        head = self._head(response.status, fields)
        if not send_body:
            self.wfile.write(head)
        elif response.action == "hang":
            self.wfile.write(head)
            self._hang()
        elif response.action == "truncate":
            self.close_connection = True
            self.wfile.write(head + response.body)
        elif response.stream is not None:
            self._stream(head, response.stream())
        else:
            # one write per response: no Nagle/delayed-ACK stall between headers and body
            self.wfile.write(head + response.body)

    def _head(self, status: int, fields: list[str]) -> bytes:
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"Server: {self.server_version}",
            f"Date: {_http_date()}",
            *fields,
        ]
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _not_modified(self, response: Response) -> bool:
        """Whether the request's validators match: If-None-Match, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, response.etag or "")
        since = self.headers.get("If-Modified-Since")
        if since is None or response.last_modified is None:
            return False
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False  # not an HTTP-date: ignored
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp()) >= int(response.last_modified.timestamp())

    def _hang(self) -> None:
        """Send nothing more until the client hangs up, the server stops or HANG_SECONDS."""
        self.close_connection = True
        deadline = time.monotonic() + hostile.HANG_SECONDS
        while not self.server.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                readable, _, _ = select.select([self.connection], [], [], min(0.2, left))
                if readable and not self.connection.recv(65536):
                    return  # the client closed its end
            except (OSError, ValueError):
                return

    def _stream(self, head: bytes, chunks: Iterator[bytes]) -> None:
        try:
            self.wfile.write(head)
            for chunk in chunks:
                if self.server.stopping.is_set():
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client gave up (as it should)

    def _reset(self) -> None:
        """Answer nothing: reset the connection (RST, not FIN)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.connection.close()

    def _drain_request_body(self) -> None:
        length = self.headers.get("Content-Length")
        if not length:
            return
        try:
            size = int(length)
        except ValueError:
            self.close_connection = True
            return
        if size > MAX_REQUEST_BODY:
            self.close_connection = True
        elif size > 0:
            self.rfile.read(size)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    app: App
    mobile = False  # the mobile host's server

    def __init__(self, address: tuple[str, int]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        #: set by ``RunningSite.stop()``: slow and hanging responses give up
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("client %s went away: %s", client_address, error)
        else:
            logger.exception("error serving %s", client_address)

    def close_connections(self) -> None:
        """Hang up on keep-alive clients so their handler threads end."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Server6(_Server):
    address_family = socket.AF_INET6


class RunningSite:
    """A replica being served; ``stop()`` it, or use it as a context manager.

    ``site`` is the site of the current day; ``set_day(d)`` switches every host to day ``d``
    (thread-safe; requests already being answered finish with the day they started with).
    ``hostile_routes()`` is the ground truth of the hostile routes (``hostile=True``) and
    ``reset_faults()`` starts their counted failures again.
    """

    def __init__(
        self,
        servers: list[_Server],
        threads: list[threading.Thread],
        base_url: str,
        mobile_base_url: str,
        crawl_delay: float | None,
    ) -> None:
        self.base_url = base_url
        #: where the mobile pages are: http://127.0.0.2:PORT, or BASE/m where that failed
        self.mobile_base_url = mobile_base_url
        self._servers = servers
        self._server = servers[0]
        self._threads = threads
        self._crawl_delay = crawl_delay
        self._hits = self._server.app._hits
        self._day_lock = threading.Lock()
        self._stopped = False

    @property
    def site(self) -> Site:
        return self._server.app.site

    @property
    def app(self) -> App:
        return self._server.app

    @property
    def day(self) -> int:
        return self.site.day

    @property
    def mobile_host(self) -> bool:
        """Whether the mobile pages are on their own host (else under the /m prefix)."""
        return len(self._servers) > 1

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def set_day(self, day: int) -> Site:
        """Serve the site as it is on ``day`` from now on, at the same URLs; returns it."""
        with self._day_lock:
            site = self.site.on_day(day)
            old = self.app
            app = App(
                site,
                self.base_url,
                self._crawl_delay,
                mobile_base=self.mobile_base_url,
                mobile_prefix=old.mobile_prefix,
                hits=self._hits,
                robots=old.robots,
                counters=old.counters,
            )
            for server in self._servers:
                server.app = app
        return site

    def duplicate_url(self, planted: dict[str, Any]) -> str:
        """The absolute URL of one entry of ``site.planted_duplicates()``."""
        base = self.mobile_base_url if planted["host"] == "mobile" else self.base_url
        return base + str(planted["url"])

    def planted_duplicates(self) -> list[dict[str, Any]]:
        """``site.planted_duplicates()``, each with its ``absolute_url`` added."""
        return [
            {**planted, "absolute_url": self.duplicate_url(planted)}
            for planted in self.site.planted_duplicates()
        ]

    def hits(self) -> dict[str, int]:
        """Responses served so far, by route (article, home, rubrique, not_found, ...).

        A 304 counts as ``not_modified`` (not as its route); hostile routes count as
        ``hostile_<kind>`` (failures included).
        """
        return self._hits.snapshot()

    @property
    def robots(self) -> str:
        """What /robots.txt answers: one of ``ROBOTS_MODES``."""
        return self.app.robots

    def hostile_routes(self) -> list[dict[str, Any]]:
        """``site.hostile_routes()`` for this port, each with its ``url`` (absolute) added."""
        return [
            {**route, "url": self.base_url + route["path"]}
            for route in self.site.hostile_routes(self.port)
        ]

    def hostile_article(self, kind: str) -> dict[str, Any]:
        """``site.hostile_article(kind)`` as served on this port."""
        return self.site.hostile_article(kind, self.port)

    def reset_faults(self) -> None:
        """Start the hostile routes' counted failures again (429, 503, 500 bursts)."""
        self.app.counters.reset()

    def fault_counts(self) -> dict[str, int]:
        """Requests so far to each path with counted failures (since the last reset)."""
        return self.app.counters.snapshot()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for server in self._servers:
            server.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> RunningSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningSite({self.base_url!r}, {self.site!r})"


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _serve(server: _Server, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()
    return thread


def start(
    articles: int,
    seed: int = 1,
    host: str = "127.0.0.1",
    port: int = 0,
    crawl_delay: float | None = None,
    day: int = 1,
    faults: bool = False,
    mobile: bool = True,
    hostile: bool = False,
    robots: str = "normal",
    change_rate: float | None = None,
) -> RunningSite:
    """Serve a replica with ``articles`` articles from a daemon thread; port 0 picks a free one.

    The sockets listen before this returns, so the site can be fetched at once. With
    ``mobile`` and the default host, the mobile host listens on 127.0.0.2 at the same port;
    if that fails (or for another host), mobile pages are served under ``/m`` instead.
    ``hostile`` serves the hostile routes (``mocksite.hostile``); ``robots`` is one of
    ``ROBOTS_MODES`` ("crawl_delay" announces ``crawl_delay``, else DEFAULT_CRAWL_DELAY);
    ``change_rate`` sets how much changes a day (``Site``).
    """
    if robots not in ROBOTS_MODES:
        raise ValueError(f"robots must be one of {', '.join(ROBOTS_MODES)}, not {robots!r}")
    if robots == "crawl_delay" and crawl_delay is None:
        crawl_delay = DEFAULT_CRAWL_DELAY
    site = Site(articles, seed, day, faults, hostile, change_rate)
    server = (_Server6 if ":" in host else _Server)((host, port))
    bound_port = server.server_address[1]
    base_url = f"http://{_url_host(host)}:{bound_port}"
    servers = [server]
    if mobile and host == "127.0.0.1":
        try:
            mobile_server = _Server((MOBILE_HOST, bound_port))
        except OSError as exc:
            logger.warning(
                "no mobile host on %s:%s (%s): using %s",
                MOBILE_HOST,
                bound_port,
                exc,
                MOBILE_PREFIX,
            )
        else:
            mobile_server.mobile = True
            servers.append(mobile_server)
    if len(servers) > 1:
        mobile_base, prefix = f"http://{MOBILE_HOST}:{bound_port}", None
    else:
        mobile_base, prefix = base_url + MOBILE_PREFIX, MOBILE_PREFIX
    app = App(
        site, base_url, crawl_delay, mobile_base=mobile_base, mobile_prefix=prefix, robots=robots
    )
    for each in servers:
        each.app = app
    threads = [
        _serve(each, f"mocksite:{each.server_address[0]!s}:{bound_port}") for each in servers
    ]
    return RunningSite(servers, threads, base_url, mobile_base, crawl_delay)
