"""One polite GET of a page, made as the crawl makes it but without Scrapy (``archive extract``).

robots.txt first, read as the crawl reads it (``crawler/middlewares/robotstxt.py``, RFC 9309):
a 2xx answer gives the rules for our User-Agent (Protego, as Scrapy uses it); a 3xx is
followed up to 5 hops, even to another host (more: no rules); another 4xx but 429 means no
rules; 429, 5xx or no answer means nothing is fetched from the host. Its Crawl-delay is waited
between two requests to the host, and one over the limit refuses the host. Then one GET with
the crawl's User-Agent and Accept headers, a timeout and a size cap; redirects are followed as
the spider follows them (up to 5, a loop refused, each target obeying robots.txt in turn), to
http(s) only, and to another host only when it is public (docs/politeness.md). Nothing is
retried: a page that fails is reported, not asked for again.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from protego import Protego

from archive.addresses import (
    address_refusal,
    link_refusal,
    literal_address,
    resolve,
    scheme_refusal,
)

#: Statuses of a redirect, as the spider follows them.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Redirects followed from one URL (the spider's) and from /robots.txt (RFC 9309: at least 5).
MAX_REDIRECTS = 5
#: Sent with every request, as Scrapy sends them in a crawl (its DEFAULT_REQUEST_HEADERS, and
#: the codings of its HttpCompressionMiddleware that are read here).
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Politeness:
    """How requests are made: the crawl's settings of the same meaning (crawler/settings.py)."""

    user_agent: str
    """``USER_AGENT``: names the project and where to reach its operator."""
    timeout: float
    """``DOWNLOAD_TIMEOUT``: seconds one request may take, its body included."""
    max_size: int
    """``DOWNLOAD_MAXSIZE``: bytes a body may have, once decompressed."""
    max_crawl_delay: float
    """``ARCHIVE_CRAWL_DELAY_MAX``: a robots.txt asking for a longer Crawl-delay refuses the
    host."""


class FetchError(Exception):
    """A page not fetched. ``outcome`` is the fetch outcome a crawl records for it
    (``skipped``, ``refused``, ``http_error``, ``error``); the message says why."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


@dataclass
class Response:
    """A 2xx answer to a GET, its body decompressed."""

    url: str
    """The URL that answered (after redirects)."""
    status: int
    headers: dict[str, list[str]]
    """As received, but ``Content-Encoding`` once the body is decoded (as Scrapy hands
    responses over)."""
    body: bytes
    redirect_urls: list[str] = field(default_factory=list)
    """Every URL of the redirect chain before ``url``, the one first requested first."""


@dataclass
class _Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return header(self.headers, name)


@dataclass
class _Robots:
    rules: Protego | None
    """``None``: no rules, everything may be fetched."""
    refusal: str | None = None
    """Why nothing may be fetched from the host (robots.txt unreachable, Crawl-delay too long)."""
    delay: float = 0.0


class _NetworkError(Exception):
    """No answer: the connection failed, timed out or was cut, or the body was too large."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are answers here: the fetcher follows them itself, robots.txt obeyed."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Fetcher:
    """Fetches pages politely; robots.txt is read once per host and remembered.

    ``sleep`` and ``clock`` wait out a Crawl-delay (tests give their own).
    """

    def __init__(
        self,
        politeness: Politeness,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.politeness = politeness
        self._sleep = sleep
        self._clock = clock
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}

    def get(self, url: str) -> Response:
        """The 2xx answer to a GET of ``url``, redirects followed; ``FetchError`` otherwise."""
        named = _authority(url)
        chain: list[str] = []
        while True:
            self._obey_robots(url)
            try:
                answer = self._request(url)
            except _NetworkError as error:
                raise FetchError("error", str(error)) from error
            if answer.status not in REDIRECT_STATUSES:
                break
            location = answer.header("Location")
            target = urljoin(url, location) if location else None
            chain.append(url)
            if target is None:
                raise FetchError("error", f"redirect without Location: {answer.status}")
            if len(chain) > MAX_REDIRECTS or target in chain:
                raise FetchError("error", f"redirect loop: {answer.status} to {target}")
            _check_redirect(target, named)
            url = target
        if not 200 <= answer.status < 300:
            raise FetchError("http_error", f"HTTP {answer.status}")
        return Response(url, answer.status, answer.headers, answer.body, chain)

    # -- robots.txt ---------------------------------------------------------------------------

    def _obey_robots(self, url: str) -> None:
        """Raise ``FetchError`` (``skipped``) unless robots.txt lets us fetch ``url``; wait out
        the host's Crawl-delay since its last request."""
        authority = _authority(url)
        robots = self._robots.get(authority)
        if robots is None:
            robots = self._robots[authority] = self._read_robots(url)
        if robots.refusal is not None:
            raise FetchError("skipped", f"Forbidden by robots.txt ({robots.refusal})")
        if robots.rules is not None and not robots.rules.can_fetch(url, self.politeness.user_agent):
            raise FetchError("skipped", "Forbidden by robots.txt")
        last = self._last_request.get(authority)
        if robots.delay > 0 and last is not None:
            remaining = last + robots.delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)

    def _read_robots(self, url: str) -> _Robots:
        parts = urlsplit(url)
        named = (parts.hostname or "").lower()
        robots_url = f"{parts.scheme}://{_authority(url)}/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                answer = self._request(robots_url)
            except _NetworkError as error:
                return _Robots(None, f"unreachable: {error.kind}")
            location = answer.header("Location")
            if 300 <= answer.status < 400 and location:
                robots_url = urljoin(robots_url, location)
                try:
                    _check_redirect(robots_url, named)
                except FetchError as refused:  # never asked for: as a crawl, no answer
                    return _Robots(None, f"unreachable: refused: {refused.reason}")
                continue
            return self._robots_of(answer)
        return _Robots(None)  # more redirects than RFC 9309 asks to follow: taken as none

    def _robots_of(self, answer: _Answer) -> _Robots:
        status = answer.status
        if 400 <= status < 500 and status != 429:
            return _Robots(None)  # "unavailable": no rules at all
        if not 200 <= status < 300:
            return _Robots(None, f"unreachable: HTTP {status}")
        # As Scrapy's Protego parser reads it: UTF-8, a BOM dropped, garbage ignored.
        rules = Protego.parse(answer.body.decode("utf-8-sig", errors="ignore"))
        delay = rules.crawl_delay(self.politeness.user_agent) or 0.0
        limit = self.politeness.max_crawl_delay
        if delay > limit:
            reason = f"Crawl-delay {delay:g} s is over ARCHIVE_CRAWL_DELAY_MAX ({limit:g} s)"
            return _Robots(rules, reason)
        return _Robots(rules, delay=max(float(delay), 0.0))

    # -- one request --------------------------------------------------------------------------

    def _request(self, url: str) -> _Answer:
        """One GET, its answer whatever its status; ``_NetworkError`` when there is none.

        The whole exchange (name lookup, connection, headers, body) ends within the timeout,
        as Scrapy's ``DOWNLOAD_TIMEOUT`` bounds a whole download: a socket's own timeout only
        bounds each read, and a server trickling a byte at a time would hold it for hours.
        The exchange runs in a worker thread, left behind (its connection shut) at the
        deadline.
        """
        timeout = self.politeness.timeout
        held: dict[str, Any] = {}

        def exchange() -> None:
            try:
                held["answer"] = self._exchange(url, held)
            except BaseException as error:  # handed to the caller below
                held["error"] = error

        worker = threading.Thread(target=exchange, name="archive-fetch", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            _shut(held.get("raw"))
            self._last_request[_authority(url)] = self._clock()
            raise _NetworkError("TimeoutError", f"no whole answer in {timeout:g} s")
        if "error" in held:
            raise held["error"]
        answer: _Answer = held["answer"]
        return answer

    def _exchange(self, url: str, held: dict[str, Any]) -> _Answer:
        headers = {"User-Agent": self.politeness.user_agent, **REQUEST_HEADERS}
        request = urllib.request.Request(url, headers=headers)
        timeout = self.politeness.timeout
        deadline = self._clock() + timeout
        try:
            try:
                raw = self._opener.open(request, timeout=timeout)
            except urllib.error.HTTPError as error:
                raw = error  # an answer with an error status: read like any other
            held["raw"] = raw
            with raw:
                status = int(raw.status or 0)
                received = header_lists(raw.headers.items())
                body = self._read(raw, received, deadline)
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, BaseException):
                raise _NetworkError(type(reason).__name__, str(reason)) from error
            raise _NetworkError("URLError", str(reason)) from error
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise _NetworkError(type(error).__name__, str(error)) from error
        finally:
            self._last_request[_authority(url)] = self._clock()
        return _decoded(_Answer(status, received, body), self.politeness.max_size)

    def _read(self, raw: IO[bytes], headers: dict[str, list[str]], deadline: float) -> bytes:
        """The body, at most ``max_size`` bytes, within the timeout."""
        limit = self.politeness.max_size
        length = header(headers, "Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            raise _NetworkError("ResponseTooLarge", f"{length} bytes, over DOWNLOAD_MAXSIZE")
        chunks: list[bytes] = []
        size = 0
        while chunk := raw.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _NetworkError("ResponseTooLarge", f"over DOWNLOAD_MAXSIZE ({limit} bytes)")
            if self._clock() > deadline:
                raise _NetworkError(
                    "TimeoutError", f"no whole answer in {self.politeness.timeout:g} s"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _shut(raw: Any) -> None:
    """Shut the connection of an answer being read, so that the read blocked on it ends."""
    sock = getattr(getattr(getattr(raw, "fp", None), "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        if raw is not None:
            raw.close()
    except OSError:
        pass


def _decoded(answer: _Answer, limit: int) -> _Answer:
    """The answer with its body decompressed (gzip, deflate), at most ``limit`` bytes."""
    coding = (answer.header("Content-Encoding") or "identity").strip().lower()
    if coding in ("identity", ""):
        return answer
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise _NetworkError("ContentEncodingError", f"unknown Content-Encoding {coding!r}")
    # gzip; deflate as zlib (RFC 9110) or, as some servers send it, raw.
    formats = (zlib.MAX_WBITS | 16,) if "gzip" in coding else (zlib.MAX_WBITS, -zlib.MAX_WBITS)
    for wbits in formats:
        inflater = zlib.decompressobj(wbits)
        try:
            body = inflater.decompress(answer.body, limit + 1)
        except zlib.error:
            continue
        if len(body) > limit or inflater.unconsumed_tail:
            raise _NetworkError("ResponseTooLarge", f"over DOWNLOAD_MAXSIZE ({limit} bytes)")
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-encoding"}
        return _Answer(answer.status, headers, body)
    raise _NetworkError("ContentEncodingError", f"the body is not valid {coding}")


def header(headers: Mapping[str, list[str]], name: str) -> str | None:
    """The first value of the header ``name`` (any case), ``None`` when absent."""
    for key, values in headers.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def header_lists(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Headers as (name, value) pairs to name -> values, as the crawl keeps them."""
    headers: dict[str, list[str]] = {}
    for name, value in items:
        headers.setdefault(name, []).append(value)
    return headers


def _authority(url: str) -> str:
    """Host and port of ``url``, lower-case, without any user:password."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def _check_redirect(target: str, named: str) -> None:
    """Raise ``FetchError`` (``refused``) for a redirect the crawl would not follow: to another
    scheme than http(s), or to another host (or port) than the one named that is not public,
    judged by the crawl's own rules (:mod:`archive.addresses`).

    The address checked is looked up again when urllib connects: a name that changes its
    address between the two (DNS rebinding) is not caught; the crawl checks the address it
    connects to."""
    reason = scheme_refusal(target)
    if reason is None and _authority(target) == named:
        return
    reason = reason or link_refusal(target, frozenset())
    if reason is None:
        host = urlsplit(target).hostname or ""
        if literal_address(host) is None:
            reason = next(filter(None, map(address_refusal, resolve(host))), None)
    if reason is not None:
        raise FetchError("refused", reason)
