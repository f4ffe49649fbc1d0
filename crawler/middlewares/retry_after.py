"""Retry 429 and 503 responses when the site says, pausing the whole host meanwhile.

A 429 (Too Many Requests) or 503 (Service Unavailable) is retried after its ``Retry-After``
(delay-seconds or an HTTP-date), else after an exponential back-off
(``ARCHIVE_RETRY_AFTER_BACKOFF`` seconds, doubled at each retry), never more than
``ARCHIVE_RETRY_AFTER_MAX``. Meanwhile the host's download slot is paused
(:meth:`HostDelayMiddleware.pause`): no request at all goes to that host, and the reactor
never blocks. These retries have their own budget (``ARCHIVE_RETRY_AFTER_TIMES``), apart
from Scrapy's ``RETRY_TIMES``, which stays for the other 5xx and network errors.

The request is given up, and its response goes on to the spider as an HTTP error (a
``fetches`` row ``http_error`` with its status), when the budget is spent, or at once when
the site asks for longer than ``ARCHIVE_RETRY_AFTER_MAX``; in that last case every further
request to the host is refused (``skipped``) until the time the site gave has passed, since
it would only be answered the same.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from crawler.middlewares.host_delay import HostDelayMiddleware

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Statuses whose Retry-After is honoured.
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Request meta key counting the retries made here.
TIMES_KEY = "retry_after_times"
#: Request meta key: the host was paused for this response.
PAUSED_KEY = "retry_after_paused"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header value asks to wait; ``None`` if absent or unreadable.

    The value is delay-seconds (``120``) or an HTTP-date (``Wed, 21 Oct 2015 07:28:00 GMT``),
    counted from ``now`` and never negative.
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Downloader middleware: retry 429/503 after the delay the site asks for.

    The host is paused as soon as the response is downloaded (``response_downloaded``, sent
    before the downloader picks the host's next request), so no other request slips in; the
    retry is decided when the response comes through the middleware chain.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_delay = settings.getfloat("ARCHIVE_RETRY_AFTER_MAX", 600.0)
        self.max_times = settings.getint("ARCHIVE_RETRY_AFTER_TIMES", 5)
        self.backoff = settings.getfloat("ARCHIVE_RETRY_AFTER_BACKOFF", 5.0)
        self._closed_until: dict[str, float] = {}
        crawler.signals.connect(self._downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def wait(self, request: Request, response: Response) -> tuple[float | None, float]:
        """``(seconds Retry-After asks or None, seconds to wait)``: the back-off without one,
        never more than ``ARCHIVE_RETRY_AFTER_MAX``."""
        tries = int(request.meta.get(TIMES_KEY, 0))
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        delay = asked if asked is not None else self.backoff * 2**tries
        return asked, min(self.max_delay, delay)

    def process_request(self, request: Request) -> None:
        key = self._slot_key(request)
        left = self._closed_until.get(key, 0.0) - monotonic()
        if left > 0:
            self._inc("retry_after/refused")
            raise IgnoreRequest(
                f"{key} asked to wait {left:.0f} s more, over ARCHIVE_RETRY_AFTER_MAX"
            )

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not self._applies(request, response):
            return response
        if not request.meta.get(PAUSED_KEY):  # a response that was not downloaded (cache)
            self._downloaded(response, request)
        asked, delay = self.wait(request, response)
        tries = int(request.meta.get(TIMES_KEY, 0))
        if asked is not None and asked > self.max_delay:
            limit = self.max_delay
            why = f"Retry-After {asked:.0f} s is over ARCHIVE_RETRY_AFTER_MAX ({limit:g} s)"
            return self._give_up(request, response, why)
        if tries >= self.max_times:
            why = f"still {response.status} after {tries} retries"
            return self._give_up(request, response, why)
        self._inc("retry_after/count")
        self._inc(f"retry_after/reason_count/{response.status}")
        logger.info(
            "Retrying %s in %.1f s (HTTP %s, %s; retry %d of %d)",
            request.url,
            delay,
            response.status,
            "Retry-After" if asked is not None else "back-off",
            tries + 1,
            self.max_times,
        )
        retry = request.replace(dont_filter=True)
        retry.meta[TIMES_KEY] = tries + 1
        retry.meta.pop(PAUSED_KEY, None)
        return retry

    def _applies(self, request: Request, response: Response) -> bool:
        return response.status in RETRY_AFTER_STATUSES and not request.meta.get("dont_retry")

    def _downloaded(self, response: Response, request: Request) -> None:
        if not self._applies(request, response):
            return
        request.meta[PAUSED_KEY] = True
        asked, delay = self.wait(request, response)
        key = self._slot_key(request)
        if asked is not None and asked > self.max_delay:
            self._closed_until[key] = max(self._closed_until.get(key, 0.0), monotonic() + asked)
            return
        logger.info("Pausing %s for %.1f s (HTTP %s on %s)", key, delay, response.status, request)
        delays = self.crawler.get_downloader_middleware(HostDelayMiddleware)
        if delays is None:
            logger.error("HostDelayMiddleware is off: %s not paused", key)
            return
        delays.pause(key, delay)

    def _give_up(self, request: Request, response: Response, why: str) -> Response:
        # Scrapy's RetryMiddleware (next in line) must not retry it on its own budget.
        request.meta["dont_retry"] = True
        logger.warning("Gave up on %s: %s", request.url, why)
        self._inc("retry_after/max_reached")
        return response

    def _slot_key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
