"""Per-host pacing asked for by the site, applied to Scrapy's download slots (one per host).

- **Crawl-delay** (robots.txt, set by :class:`~crawler.middlewares.robotstxt.RobotsTxtMiddleware`):
  the host's delay between requests never goes below ``max(DOWNLOAD_DELAY, crawl_delay)``,
  whatever AutoThrottle does, and gets no random jitter (a Crawl-delay is a minimum).
- **Retry-After** (set by :class:`~crawler.middlewares.retry_after.RetryAfterMiddleware`): the
  whole host pauses: nothing more is sent to it until the pause ends.
- **A site's own politeness** (``Site.politeness`` of the site each root of the crawl is
  bound to, see :mod:`extraction.sites.bindings`): ``DOWNLOAD_DELAY`` raises the host's least
  delay as a Crawl-delay does (with the usual jitter), ``CONCURRENT_REQUESTS_PER_DOMAIN`` sets the
  slot's concurrency. A host two sites share gets the stricter of each.
- **AutoThrottle off for loopback hosts the user named** (``-a start=http://127.0.0.1:PORT/``
  or ``localhost``): the replica site in tests and benchmarks runs at full speed; their delay
  stays ``DOWNLOAD_DELAY`` (or the Crawl-delay) and AutoThrottle never adjusts it.

Scrapy has no public API to pace one slot, so this sets ``Slot.delay`` and ``Slot.jitter``
and holds ``Slot.latercall``, the timer the downloader itself waits on between two requests
of a slot (while it is set, the slot sends nothing). Signals keep the settings applied: on
``request_reached_downloader`` (a slot is created, or re-created after Scrapy dropped an idle
one) and on ``response_downloaded``, where AutoThrottle may have just lowered the delay (its
handler runs first: extensions connect their signals before the downloader is built).
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.core.downloader import Downloader
from scrapy.utils.asyncio import call_later

from crawler.middlewares.safety import is_localhost_name, literal_address, named_hosts

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler

#: Request meta key AutoThrottle reads to leave a slot's delay alone.
AUTOTHROTTLE_DONT_ADJUST = "autothrottle_dont_adjust_delay"


def is_loopback_host(host: str) -> bool:
    """``localhost`` names and loopback IP literals."""
    ip = literal_address(host)
    return is_localhost_name(host) if ip is None else ip.is_loopback


class HostDelayMiddleware:
    """Downloader middleware holding each host's Crawl-delay, pause and throttling exemption.

    Other components reach it with ``crawler.get_downloader_middleware(HostDelayMiddleware)``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.download_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self._floors: dict[str, float] = {}
        self._paused_until: dict[str, float] = {}
        self._exempt: frozenset[str] | None = None
        self._site_settings: dict[str, dict[str, object]] | None = None
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostDelayMiddleware:
        return cls(crawler)

    @property
    def downloader(self) -> Downloader:
        return self.crawler.engine.downloader

    def slot_key(self, request: Request) -> str:
        """The download slot (host) ``request`` goes through."""
        return self.downloader.get_slot_key(request)

    def exempt(self, key: str) -> bool:
        """Whether the slot is a loopback host the user named: not throttled."""
        if self._exempt is None:
            named = named_hosts(self.crawler.spider)
            self._exempt = frozenset(h for h in named if is_loopback_host(h))
        return key.lower() in self._exempt

    def site_settings(self, key: str) -> dict[str, object]:
        """The politeness settings the site of the slot's host asks for (none: ``{}``)."""
        if self._site_settings is None:
            bindings = getattr(self.crawler.spider, "bindings", None)
            self._site_settings = {} if bindings is None else bindings.politeness_by_host()
        labels = key.lower().split(".")
        for start in range(len(labels)):  # the host, then the domains it is a subdomain of
            found = self._site_settings.get(".".join(labels[start:]))
            if found:
                return found
        return {}

    def site_delay(self, key: str) -> float:
        """The ``DOWNLOAD_DELAY`` the slot's site asks for (0 when none)."""
        value = self.site_settings(key).get("DOWNLOAD_DELAY", 0.0)
        return float(value) if isinstance(value, int | float) else 0.0

    def site_concurrency(self, key: str) -> int | None:
        """The ``CONCURRENT_REQUESTS_PER_DOMAIN`` the slot's site asks for, if any."""
        value = self.site_settings(key).get("CONCURRENT_REQUESTS_PER_DOMAIN")
        return int(value) if isinstance(value, int | float) and value >= 1 else None

    def floor(self, key: str) -> float:
        """The least delay between two requests to the slot."""
        return max(self.download_delay, self.site_delay(key), self._floors.get(key, 0.0))

    def set_crawl_delay(self, key: str, seconds: float) -> None:
        """Space requests to the slot by at least ``seconds`` from now on."""
        self._floors[key] = seconds
        slot = self.downloader.slots.get(key)
        if slot is not None:
            self._pace(key, slot)

    def pause(self, key: str, seconds: float) -> None:
        """Send nothing more to the slot for ``seconds`` (a longer pause already set stays)."""
        until = monotonic() + seconds
        if until <= self._paused_until.get(key, 0.0):
            return
        self._paused_until[key] = until
        slot = self.downloader.slots.get(key)
        if slot is not None:
            self._hold(slot, until)

    def paused_for(self, key: str) -> float:
        """Seconds left of the slot's pause (0 when it is not paused)."""
        return max(0.0, self._paused_until.get(key, 0.0) - monotonic())

    def process_request(self, request: Request) -> None:
        if self.exempt(self.slot_key(request)):
            request.meta.setdefault(AUTOTHROTTLE_DONT_ADJUST, True)

    def _reached(self, request: Request) -> None:
        key = request.meta.get(Downloader.DOWNLOAD_SLOT)
        slot = self.downloader.slots.get(key) if key is not None else None
        if key is None or slot is None:
            return
        self._pace(key, slot)
        until = self._paused_until.get(key)
        if until is None:
            return
        if until > monotonic():
            self._hold(slot, until)
        else:
            del self._paused_until[key]

    def _downloaded(self, request: Request) -> None:
        key = request.meta.get(Downloader.DOWNLOAD_SLOT)
        slot = self.downloader.slots.get(key) if key is not None else None
        if key is not None and slot is not None:
            self._pace(key, slot)

    def _pace(self, key: str, slot: Slot) -> None:
        floor = self.floor(key)
        concurrency = self.site_concurrency(key)
        if concurrency is not None:
            slot.concurrency = concurrency
        if key in self._floors:
            slot.jitter = 0.0
        if self.exempt(key):
            slot.delay = floor  # also undoes AUTOTHROTTLE_START_DELAY on a new slot
        elif slot.delay < floor:
            slot.delay = floor

    def _hold(self, slot: Slot, until: float) -> None:
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(
            max(0.0, until - monotonic()),
            self.downloader._latercall,  # clears latercall, then sends what waits
            slot,
        )
