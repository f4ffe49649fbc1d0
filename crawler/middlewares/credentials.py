"""Keep ``user:password@`` out of URLs: send it as an ``Authorization`` header instead.

A URL such as ``-a urls=https://user:pass@host/page`` would otherwise carry the password
into everything that records a URL: the log, the ``fetches``, ``frontier``, ``urls`` and
``captures`` tables, the robots.txt request. Two parts:

- :func:`take_credentials`, for the spider, takes them out of its ``start``/``urls``
  arguments and keeps them in ``spider.url_credentials`` (host:port -> user, password);
- :class:`UrlCredentialsMiddleware` sends HTTP Basic credentials to those hosts, and
  re-issues any other request whose URL holds credentials without them. Scrapy drops the
  header on a redirect to another host.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from scrapy.utils.httpobj import urlparse_cached
from w3lib.http import basic_auth_header

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user:password@, user, password)``; user and password percent-decoded."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    host = parts.netloc.rpartition("@")[2]
    clean = urlunsplit(parts._replace(netloc=host))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


def take_credentials(value: str | None, into: dict[str, tuple[str, str]]) -> str | None:
    """``value`` (a URL or comma-separated URLs) without ``user:password@``; the credentials
    go to ``into``, by host:port. ``None`` stays ``None``."""
    if not value or "@" not in value:
        return value
    clean = []
    for url in value.split(","):
        try:
            stripped, user, password = split_credentials(url.strip())
        except ValueError:
            clean.append(url)  # the spider reports a URL it cannot read
            continue
        if user is not None:
            into.setdefault(urlsplit(stripped).netloc, (user, password or ""))
        clean.append(stripped)
    return ",".join(clean)


class UrlCredentialsMiddleware:
    """Downloader middleware: re-issue requests whose URL holds credentials without them."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlCredentialsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        if "@" not in request.url:
            self._authorize(request)
            return None
        try:
            clean, user, password = split_credentials(request.url)
        except ValueError:
            return None  # not a URL we can read; the download fails on its own
        if clean == request.url:
            return None
        # Already through the duplicate filter once, under the URL with credentials.
        moved = request.replace(url=clean, dont_filter=True)
        if user is not None:
            moved.headers[b"Authorization"] = basic_auth_header(user, password or "")
        logger.debug("Credentials moved out of the URL of %s", moved)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("credentials/moved")
        return moved

    def _authorize(self, request: Request) -> None:
        known: dict[str, tuple[str, str]] = getattr(self.crawler.spider, "url_credentials", {})
        if not known or b"Authorization" in request.headers:
            return
        found = known.get(urlparse_cached(request).netloc)
        if found is not None:
            request.headers[b"Authorization"] = basic_auth_header(*found)
