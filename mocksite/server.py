"""The replica's HTTP server: stdlib ``ThreadingHTTPServer``, HTTP/1.1 with keep-alive.

``start()`` serves a ``Site`` from a daemon thread and returns a ``RunningSite``; ``App`` maps
a request target to a response and keeps a small, bounded cache of rendered responses.

The same site is also served on a mobile host, 127.0.0.2 on the same port (Linux routes all of
127.0.0.0/8 to loopback), with mobile markup and canonicals to the main host. Where that
address cannot be bound, mobile pages are served under the ``/m`` path prefix instead:
``RunningSite.mobile_base_url`` is the base to use either way. ``RunningSite.set_day()``
switches the site to another day without changing host or port.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import faults
from .evolution import mix
from .pages import PARTNERS_PATH, Renderer, known_stub_names
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
    serves the mobile pages under that path prefix.
    """

    def __init__(
        self,
        site: Site,
        base_url: str,
        crawl_delay: float | None = None,
        mobile_base: str | None = None,
        mobile_prefix: str | None = None,
        hits: Hits | None = None,
    ) -> None:
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

    def _respond(self, target: str, mobile: bool = False) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        prefix = self.mobile_prefix
        if prefix and not mobile and (path == prefix or path.startswith(prefix + "/")):
            inner = path[len(prefix) :] or "/"
            return self._respond(inner + (f"?{query}" if query else ""), mobile=True)
        r = self.mobile_renderer if mobile else self.renderer
        if path == "/":
            return self._page(r.home(), "home")
        if path == "/robots.txt":
            return Response(200, TEXT, r.robots().encode("utf-8"), "robots")
        if path == "/sitemap_index.xml":
            return Response(200, XML, r.sitemap_index().encode("utf-8"), "sitemap_index")
        if path == "/sitemap_article_index.xml":
            days_back = self._days_back(_param(query, "date"))
            if days_back is None:
                return self.not_found()
            return Response(200, XML, r.sitemap_day(days_back).encode("utf-8"), "sitemap")
        if path == "/export/rss2/archive/index.xml":
            return Response(200, RSS, r.rss().encode("utf-8"), "rss")
        if path in ("/search", "/search/"):
            return self._page(r.stub("Recherche", "/search/"), "search")
        if path in _CHROME_PAGES:
            return self._page(r.stub(_CHROME_PAGES[path], path), "chrome")
        return self._routed(path, query, mobile)

    def _routed(self, path: str, query: str, mobile: bool) -> Response:
        r = self.mobile_renderer if mobile else self.renderer
        site = self.site
        match = _SHORT.fullmatch(path)
        if match:
            index = site.index_for_short_code(match.group(1))
            if index is None:
                return self.not_found()
            return self._redirect(site.url_path(index), "short", mobile)
        duplicate = self._duplicate(path, query, r)
        if duplicate is not None:
            return duplicate
        match = _SECTION.fullmatch(path)
        if match and match.group(1) in RUBRIQUE_SLUGS:
            rubrique = RUBRIQUE_SLUGS.index(match.group(1))
            page = _param(query, "page") or "1"
            if not page.isdigit() or not 1 <= int(page) <= site.rubrique_pages(rubrique):
                return self.not_found()
            return self._page(r.rubrique(rubrique, int(page)), "rubrique")
        match = _DAY.fullmatch(path)
        if match:
            days_back = self._days_back(match.group(1))
            return self.not_found() if days_back is None else self._page(r.day(days_back), "day")
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
        return Response(200, content_type, body, "article")

    def _duplicate(self, path: str, query: str, r: Renderer) -> Response | None:
        """Planted duplicates (AMP, copy, syndicated) and their list; None if not one."""
        site = self.site
        if path.startswith("/amp/"):
            index = site.index_for_path(path[len("/amp") :])
            if index is None or site.duplicate_kind(index) != "amp":
                return self.not_found()
            return self._page(r.amp(index), "amp")
        match = _COPY.fullmatch(path)
        if match:
            index = site.index_for_duplicate("copy", int(match.group(1)))
            return self.not_found() if index is None else self._page(r.copy(index), "copy")
        match = _SYNDICATED.fullmatch(path)
        if match:
            index = site.index_for_duplicate("syndicated", int(match.group(1)))
            if index is None or site.duplicate_url(index) != path:
                return self.not_found()
            return self._page(r.syndicated(index), "syndicated")
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
            response = app.respond(self.path, self.server.mobile)
        except Exception:
            logger.exception("error rendering %s", self.path)
            response = Response(500, TEXT, b"internal error\n", "error")
        app.count(response.kind)
        lines = [
            f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}",
            f"Server: {self.server_version}",
            f"Date: {_http_date()}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        if response.location:
            lines.append(f"Location: {response.location}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # one write per response: no Nagle/delayed-ACK stall between headers and body
        self.wfile.write(head + response.body if send_body else head)

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
        """Responses served so far, by route (article, home, rubrique, not_found, ...)."""
        return self._hits.snapshot()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
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
) -> RunningSite:
    """Serve a replica with ``articles`` articles from a daemon thread; port 0 picks a free one.

    The sockets listen before this returns, so the site can be fetched at once. With
    ``mobile`` and the default host, the mobile host listens on 127.0.0.2 at the same port;
    if that fails (or for another host), mobile pages are served under ``/m`` instead.
    """
    site = Site(articles, seed, day, faults)
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
    app = App(site, base_url, crawl_delay, mobile_base=mobile_base, mobile_prefix=prefix)
    for each in servers:
        each.app = app
    threads = [
        _serve(each, f"mocksite:{each.server_address[0]!s}:{bound_port}") for each in servers
    ]
    return RunningSite(servers, threads, base_url, mobile_base, crawl_delay)
