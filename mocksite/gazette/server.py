"""Serving the Gazette with the replica's server machinery (``mocksite.server``).

``GazetteApp`` maps request targets to ``mocksite.server.Response``s as ``mocksite.server.App``
does for the Sputnik replica (same handler, keep-alive, ETag and Last-Modified, 304s, hit
counters); ``start()`` serves it from a daemon thread and returns a ``RunningGazette``.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from functools import lru_cache
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from ..server import HTML, RSS, TEXT, XML, Hits, Response, _serve, _Server, _Server6, _url_host
from . import feeds
from .pages import LATEST_ON_HOME, Renderer, chrome_pages
from .site import RUBRIQUE_SLUGS, Gazette

CACHE_SIZE = 256
_RUBRIQUE = re.compile(r"/([a-z-]+)/")
_STUB = re.compile(r"/(sujet|auteurs)/([a-z0-9-]+)/")


class GazetteApp:
    """Routes request targets of one day of the Gazette to responses."""

    def __init__(
        self,
        site: Gazette,
        base_url: str,
        crawl_delay: float | None = None,
        hits: Hits | None = None,
    ) -> None:
        self.site = site
        self.base_url = base_url
        self.crawl_delay = crawl_delay
        self.renderer = Renderer(site, base_url)
        self._hits = hits or Hits()
        self._chrome = chrome_pages()
        self.respond = lru_cache(maxsize=CACHE_SIZE)(self._respond)

    def count(self, kind: str) -> None:
        self._hits.count(kind)

    def handle(self, target: str, mobile: bool = False) -> Response:
        """What the server calls (the Gazette has no mobile host: ``mobile`` is ignored)."""
        return self.respond(target)

    def _page(self, html: str, kind: str, status: int = 200) -> Response:
        return Response(status, HTML, html.encode("utf-8"), kind)

    def _newest(self, indices: list[int]) -> datetime | None:
        return max((self.site.meta(i).lastmod for i in indices), default=None)

    def not_found(self) -> Response:
        return self._page(self.renderer.not_found(), "not_found", 404)

    def _respond(self, target: str) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        site, r, base = self.site, self.renderer, self.base_url
        if path == "/":
            newest = self._newest(site.newest(LATEST_ON_HOME))
            return self._page(r.home(), "home").validated(newest)
        if path == "/robots.txt":
            body = feeds.robots(base, self.crawl_delay).encode("utf-8")
            return Response(200, TEXT, body, "robots")
        if path == feeds.INDEX_PATH:
            body = feeds.sitemap_index(site, base).encode("utf-8")
            return Response(200, XML, body, "sitemap_index").validated(site.now())
        if path == feeds.NEWS_PATH:
            body = feeds.news_sitemap(site, base).encode("utf-8")
            newest = self._newest(feeds.news_articles(site))
            return Response(200, XML, body, "news_sitemap").validated(newest)
        month = feeds.MONTH_PATH.fullmatch(path)
        if month:
            text = feeds.month_sitemap(site, base, int(month.group(1)), int(month.group(2)))
            if text is None:
                return self.not_found()
            return Response(200, XML, text.encode("utf-8"), "sitemap").validated(site.now())
        if path == feeds.RSS_PATH:
            body = feeds.rss(site, base).encode("utf-8")
            newest = self._newest(site.newest(feeds.LATEST_IN_RSS))
            return Response(200, RSS, body, "rss").validated(newest)
        if path in self._chrome:
            return self._page(r.stub(self._chrome[path], path), "chrome")
        stub = _STUB.fullmatch(path)
        if stub:
            return self._page(r.stub(stub.group(2).replace("-", " ").title(), path), stub.group(1))
        rubrique = _RUBRIQUE.fullmatch(path)
        if rubrique and rubrique.group(1) in RUBRIQUE_SLUGS:
            number = RUBRIQUE_SLUGS.index(rubrique.group(1))
            page = (parse_qs(query).get("page") or ["1"])[0]
            if not page.isdigit() or not 1 <= int(page) <= site.rubrique_pages(number):
                return self.not_found()
            items, _ = site.rubrique_page(number, int(page))
            html = r.rubrique(number, int(page))
            return self._page(html, "rubrique").validated(self._newest(items))
        index = site.index_for_path(path)
        if index is None:
            return self.not_found()
        canonical = site.url_path(index)
        if path != canonical:  # right id, wrong slug, date or rubrique: the CMS redirects
            location = base + canonical
            page = f'<html><body><a href="{location}">{location}</a></body></html>\n'
            return Response(301, HTML, page.encode("utf-8"), "article_redirect", location)
        html = r.article(index)
        return self._page(html, "article").validated(site.meta(index).lastmod)


class RunningGazette:
    """The Gazette being served; ``stop()`` it, or use it as a context manager.

    ``site`` is the model of the current day (ground truth: ``site.article(i)``);
    ``set_day(d)`` serves day ``d`` from now on at the same URL.
    """

    def __init__(
        self, server: _Server, thread: threading.Thread, base_url: str, crawl_delay: float | None
    ) -> None:
        self.base_url = base_url
        self._server = server
        self._thread = thread
        self._crawl_delay = crawl_delay
        self._hits: Hits = server.app._hits
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def app(self) -> GazetteApp:
        app = self._server.app
        assert isinstance(app, GazetteApp)
        return app

    @property
    def site(self) -> Gazette:
        return self.app.site

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def article_url(self, index: int) -> str:
        return self.base_url + self.site.url_path(index)

    def set_day(self, day: int) -> Gazette:
        with self._lock:
            site = self.site.on_day(day)
            self._server.app = GazetteApp(  # type: ignore[assignment]
                site, self.base_url, self._crawl_delay, hits=self._hits
            )
        return site

    def hits(self) -> dict[str, int]:
        return self._hits.snapshot()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningGazette:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningGazette({self.base_url!r}, {self.site!r})"


def start(
    articles: int = 60,
    seed: int = 1,
    host: str = "127.0.0.1",
    port: int = 0,
    day: int = 1,
    peer: str | None = None,
    peer_seed: int = 1,
    crawl_delay: float | None = None,
) -> RunningGazette:
    """Serve the Gazette from a daemon thread; port 0 picks a free one. ``peer`` is the base
    URL of the Sputnik replica its cross-site boxes point to (``peer_seed`` its seed)."""
    site = Gazette(articles, seed, day, peer, peer_seed)
    server = (_Server6 if ":" in host else _Server)((host, port))
    base_url = f"http://{_url_host(host)}:{server.server_address[1]}"
    server.app = GazetteApp(site, base_url, crawl_delay)  # type: ignore[assignment]
    thread = _serve(server, f"mocksite-gazette:{server.server_address[1]}")
    return RunningGazette(server, thread, base_url, crawl_delay)


__all__ = ["GazetteApp", "RunningGazette", "start"]
