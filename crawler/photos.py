"""The photos of the articles a crawl stores: which to fetch, their requests, and the items
their answers (or failures) become.

Settings:

- ``ARCHIVE_IMAGES``: ``main`` (default: each article's main photo), ``all`` (also the images
  of the article body) or ``none`` (no image is fetched; the photos a page showed are still
  recorded with its version, without bytes).
- ``ARCHIVE_IMAGE_MAX_BYTES``: the largest image kept (default 5 MiB), sent as the request's
  ``download_maxsize``: a larger one is cut off by Scrapy and recorded as a ``media_error``
  fetch naming the cap.

A page that will make a new version asks for all its photos, even a URL whose bytes the
archive holds: a site may replace the image behind a URL when it edits an article, and the
new version's rows are linked only to what this fetch gets (identical bytes are kept once).
An unchanged page (or one answering "not modified") asks only for the photos of its current
version that were never asked for: recorded while ``ARCHIVE_IMAGES`` was ``none``, or left
behind by a crawl stopped before their turn (:meth:`archive.Archive.photos_to_fetch`); an
unchanged article's photo fetched or failed once is never fetched again. A page lists at most
:data:`extraction.pages.base.MAX_BODY_IMAGES` body images.

Photos go through the same downloader as the pages: robots.txt, the per-host delay and
concurrency, Retry-After, the safety checks (a private address is refused) and the user agent
all apply. They may be served by another host than the article (a CDN), so they pass the
offsite filter; they are never part of the frontier (a crawl stopped before a photo's turn
leaves its row unasked, and the next visit of the article asks for it) and never count among
the crawl's pages, so a photo that fails never makes a crawl fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from archive.media import (
    IMAGES_ALL,
    IMAGES_MAIN,
    IMAGES_MODES,
    IMAGES_NONE,
    ROLE_MAIN,
    Photo,
    photos_of,
)
from crawler.session import archiving, session_for
from extraction.items import ROLE_PHOTO, Article, PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Largest image kept by default, in bytes.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

#: Request meta key: the photo URL as the article page gave it.
PHOTO_URL = "archive_photo_url"

#: Photos are asked for after the pages (Scrapy serves higher priorities first): they wait
#: for a slot of their host like any page, but never hold up the discovery of articles.
PHOTO_PRIORITY = -100


def images_mode(value: str | None) -> str:
    """The ``ARCHIVE_IMAGES`` mode; ``ValueError`` naming the choices for any other."""
    mode = (value or IMAGES_MAIN).strip().lower()
    if mode not in IMAGES_MODES:
        raise ValueError(f"ARCHIVE_IMAGES must be one of {', '.join(IMAGES_MODES)}, not {value!r}")
    return mode


class PhotoFetcher:
    """The photo requests of a crawl's spider (see the module documentation)."""

    def __init__(self, crawler: Crawler, mode: str, max_bytes: int) -> None:
        self.crawler = crawler
        self.mode = mode
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PhotoFetcher:
        """``NotConfigured`` for ``ARCHIVE_IMAGES=none`` and for a run that archives nothing
        (the debugging commands)."""
        settings = crawler.settings
        mode = images_mode(settings.get("ARCHIVE_IMAGES"))
        if mode == IMAGES_NONE or not archiving(crawler):
            raise NotConfigured
        max_bytes = settings.getint("ARCHIVE_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES)
        if max_bytes <= 0:
            raise ValueError(f"ARCHIVE_IMAGE_MAX_BYTES must be positive, not {max_bytes}")
        return cls(crawler, mode, max_bytes)

    def wanted(self, article: Article, body_images: Iterable[dict[str, Any]]) -> list[Photo]:
        """The photos of the page that the mode asks for, in page order."""
        photos = photos_of(article.to_dict(), body_images if self.mode == IMAGES_ALL else ())
        return photos

    def requests(
        self,
        article: Article,
        body_images: Iterable[dict[str, Any]],
        callback: Callable[[Response], Iterable[Any]],
        errback: Callable[[Failure], Iterable[Any]],
    ) -> list[Request]:
        """The requests for the photos of an article page about to be stored: one per photo
        of a new version; for a page the archive holds unchanged, one per photo its current
        version never asked for."""
        urls = [photo.url for photo in self.wanted(article, body_images)]
        if not urls:
            return []
        try:
            urls = session_for(self.crawler).archive.photos_to_fetch(article.to_dict(), urls)
        except Exception:  # the archive's own failure is reported by the crawl's session
            logger.exception("Could not tell which photos of %s to fetch", article.url)
            return []
        return [self._request(url, callback, errback) for url in urls]

    def pending(
        self,
        url: str,
        callback: Callable[[Response], Iterable[Any]],
        errback: Callable[[Failure], Iterable[Any]],
    ) -> list[Request]:
        """The requests for the photos an article answering "not modified" still owes: those
        of its current version never asked for (recorded while ``ARCHIVE_IMAGES`` left them
        out, or left behind by a crawl stopped before their turn)."""
        roles = None if self.mode == IMAGES_ALL else [ROLE_MAIN]
        try:
            urls = session_for(self.crawler).archive.pending_photos(url, roles)
        except Exception:  # the archive's own failure is reported by the crawl's session
            logger.exception("Could not tell which photos of %s to fetch", url)
            return []
        return [self._request(photo_url, callback, errback) for photo_url in urls]

    def _request(
        self,
        url: str,
        callback: Callable[[Response], Iterable[Any]],
        errback: Callable[[Failure], Iterable[Any]],
    ) -> Request:
        meta = {PHOTO_URL: url, "download_maxsize": self.max_bytes, "allow_offsite": True}
        return Request(url, callback=callback, errback=errback, meta=meta, priority=PHOTO_PRIORITY)


def photo_item(response: Response, item: PageItem) -> PageItem:
    """The item of a photo's answer (``item``: the spider's record of the response)."""
    item.role = ROLE_PHOTO
    item.photo_url = str(response.meta.get(PHOTO_URL) or response.url)
    item.body = response.body
    return item


def photo_failure(failure: Failure, request: Request, item: PageItem | None) -> PageItem:
    """The item of a photo that could not be fetched: ``item`` the spider's record of an
    error response (``None`` when none came), its ``error`` saying why."""
    error = failure.value
    url = str(request.meta.get(PHOTO_URL) or request.url)
    if item is None:
        item = PageItem(url=request.url, role=ROLE_PHOTO)
    item.role = ROLE_PHOTO
    item.photo_url = url
    item.body = None
    if isinstance(error, HttpError):
        item.error = f"HTTP {item.status}"
    elif _too_large(failure):
        cap = request.meta.get("download_maxsize")
        item.error = f"too large: over ARCHIVE_IMAGE_MAX_BYTES ({cap} bytes)"
    elif isinstance(error, IgnoreRequest):
        item.error = f"refused: {error}" if str(error) else "refused"
    else:
        item.error = f"{type(error).__name__}: {failure.getErrorMessage()}"[:500]
    return item


def _too_large(failure: Failure) -> bool:
    """Whether Scrapy cut the download off at its ``download_maxsize``."""
    error = failure.value
    name = type(error).__name__
    if name == "DownloadCancelledError" or isinstance(error, CancelledError):
        return True
    return "max size" in str(error)
