"""Store every fetched page in the archive: articles, their links and tags, and fetch rows."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from archive import ArchiveError, Capture, Fetch, StoreResult
from archive.media import OUTCOME_MEDIA, OUTCOME_MEDIA_ERROR, Image, media_type
from crawler.feed import archived_record, article_record
from crawler.session import ArchiveSession, archiving, session_for
from extraction.items import (
    GONE_REDIRECT,
    ROLE_ALIAS,
    ROLE_ARTICLE,
    ROLE_DISCOVERY,
    ROLE_PHOTO,
    ROLE_REFUSED,
    ROLE_SKIPPED,
    PageItem,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The status of a conditional request's "unchanged" answer.
NOT_MODIFIED = 304

OUTCOME_UNCHANGED = "unchanged"
OUTCOME_NOT_ARTICLE = "not_article"
OUTCOME_UNREADABLE = "unreadable"
OUTCOME_DISCOVERY = "discovery"
OUTCOME_SKIPPED = "skipped"
OUTCOME_REFUSED = "refused"
OUTCOME_GONE = "gone"
OUTCOME_ALIAS = "alias"
OUTCOME_HTTP_ERROR = "http_error"
OUTCOME_ERROR = "error"

#: Why a page gives the feed exports nothing (logged at DEBUG only: it is the usual case).
NO_RECORD = "no article stored from this page: nothing for the feed"


def capture_of(item: PageItem) -> Capture | None:
    """The raw response behind an article item, for the archive to keep if it is new (or
    if it is an unreadable page: see :func:`is_unreadable`)."""
    if item.body is None or item.status is None:
        return None
    return Capture(url=item.url, status=item.status, headers=item.headers, body=item.body)


def is_unreadable(item: PageItem) -> bool:
    """Whether the item is a page under an article URL that answered 2xx with HTML (the
    spider keeps the body of those only) but gave no article: the extractor found none, or
    failed. Its raw response is kept, for a later extractor to read (``archive reparse``)."""
    article = item.article
    return (
        item.role == ROLE_ARTICLE
        and item.body is not None
        and item.status is not None
        and 200 <= item.status < 300
        and (article is None or not article.is_article)
    )


def header(item: PageItem, name: str) -> str | None:
    """The first value of a response header of ``item`` (names compared case-insensitively)."""
    wanted = name.lower()
    for key, values in item.headers.items():
        if key.lower() == wanted and values:
            return values[0]
    return None


def frontier_urls(item: PageItem) -> list[str]:
    """The URLs whose ``frontier`` rows the page settles: the one requested, the redirects
    followed to it, the copies that led to it (their rows wait for the canonical page), and
    the URL that answered."""
    urls = [item.requested_url, *item.redirect_urls, *item.alias_urls, item.url]
    return list(dict.fromkeys(url for url in urls if url))


def fetch_of(item: PageItem) -> Fetch:
    """The archive's record of the response or failure behind ``item``."""
    return Fetch(
        url=item.url,
        status=item.status,
        bytes=item.bytes,
        ms=item.ms,
        requested_url=item.requested_url,
        redirect_urls=list(item.redirect_urls),
        fetched_at=item.fetched_at,
        error=item.error,
        alias_urls=list(item.alias_urls),
        etag=header(item, "ETag"),
        last_modified=header(item, "Last-Modified"),
    )


@dataclass
class _Write:
    """One page's write: ``Archive.<method>(*args, **kwargs)`` and the fetch outcome it
    means, given its result (or known beforehand)."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outcome: Callable[[Any], str] | str


class ArchivePipeline:
    """Write each :class:`PageItem` to the archive.

    An article page with a title and text becomes (or refreshes) an ``articles`` row; any other
    page is only a ``fetches`` row with its outcome, and an article page that answered HTML
    but gave no article (``unreadable``) keeps its raw response as a capture. The same write
    settles the page's ``frontier`` rows (see :func:`frontier_urls`): a stored page is never
    fetched again by a resumed crawl, and a page not yet stored always is.

    With a writer process (``ARCHIVE_WRITER_PROCESS``), the write is sent to it and the item
    goes on at once: the outcome a result says is counted when the writer answers, and the
    item waits only when the writes queued for the writer are too many (it is held up).
    Made here instead, a write that fails is the session's to report (see
    :mod:`crawler.session`): the item goes on, its page pending in the frontier.

    With a feed export (``-o``/``-O``, ``FEEDS``), what goes on is one flat record per stored
    article (:mod:`crawler.feed`), once the archive has answered, and nothing for any other
    page (dropped, logged at DEBUG).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._counting = threading.Lock()
        self.feeding = bool(crawler.settings.getdict("FEEDS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        if not archiving(crawler):
            raise NotConfigured  # a debugging command: items are shown, not stored
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        try:
            session = session_for(self.crawler)
        except ArchiveError:
            return self._passed_on(item, None)  # the archive could not be opened: stopping
        if session.gave_up is not None:
            item.body = None  # nothing more can be archived: the crawl is stopping
            return self._passed_on(item, None)
        writer = session.writer
        if writer is None:
            method, result = "", None
            with session.reporting(item.url):
                write = self._write(session, item)
                method = write.method
                result = getattr(session.archive, write.method)(*write.args, **write.kwargs)
                self._count(_outcome_of(write, result))
            item.body = None  # stored in its capture if it was a new version; not needed further
            return self._passed_on(item, self._record(session, item, method, result))
        answer: Future[Any] | None = None
        method = ""
        with session.reporting(item.url):  # here: a write that could not even be sent
            write = self._write(session, item)
            method = write.method
            item.body = None
            if isinstance(write.outcome, str):
                session.write(write.method, *write.args, **write.kwargs)
                self._count(write.outcome)
            else:
                answer = writer.submit(write.method, *write.args, **write.kwargs)
                answer.add_done_callback(partial(self._answered, write.outcome))
        room = writer.room()
        if room is not None:
            self._count_wait()
        if self.feeding:
            return self._record_when_stored(session, room, item, method, answer)
        if room is None:
            return item
        return self._when_room(room, item)

    def store(self, session: ArchiveSession, item: PageItem) -> str:
        """Make the item's write on the session's own connection; its outcome."""
        write = self._write(session, item)
        result = getattr(session.archive, write.method)(*write.args, **write.kwargs)
        return _outcome_of(write, result)

    def _record(
        self, session: ArchiveSession, item: PageItem, method: str, result: Any
    ) -> dict[str, Any] | None:
        """The feed record of the item's write (``method``, its ``result``), if it gives one
        and there is a feed."""
        if not self.feeding:
            return None
        if method == "store_article" and isinstance(result, StoreResult) and item.article:
            return article_record(item.article, result, session.crawl_id, item.fetched_at)
        if method == "record_not_modified" and isinstance(result, int):
            article = session.archive.get_article(result)
            if article is not None:
                return archived_record(article, session.crawl_id, item.fetched_at)
        return None

    def _passed_on(self, item: PageItem, record: dict[str, Any] | None) -> Any:
        """What goes on to the feed exports: the item itself when there is no feed, else the
        stored article's record; nothing (``DropItem``) for any other page."""
        if not self.feeding:
            return item
        if record is None:
            raise DropItem(NO_RECORD, log_level="DEBUG")
        return record

    async def _record_when_stored(
        self,
        session: ArchiveSession,
        room: Future[None] | None,
        item: PageItem,
        method: str,
        answer: Future[Any] | None,
    ) -> Any:
        """With a feed: the item's record once the writer has caught up and answered (the
        answer of a write whose result says the outcome)."""
        if room is not None:
            await asyncio.wrap_future(room)
        result = None
        if answer is not None:
            try:
                result = await asyncio.wrap_future(answer)
            except Exception:
                result = None  # a failure is reported by the writer itself (crawler.session)
        return self._passed_on(item, self._record(session, item, method, result))

    def _count_wait(self) -> None:
        """Items held until the writer caught up (``archive/writer/waits``)."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("archive/writer/waits")

    def _answered(self, outcome: Callable[[Any], str], future: Future[Any]) -> None:
        """The writer's answer (on its reply thread): count the outcome on the reactor's."""
        if future.cancelled() or future.exception() is not None:
            return  # a failure is reported by the writer itself (see crawler.session)
        self._count(outcome(future.result()))

    @staticmethod
    async def _when_room(room: Future[None], item: PageItem) -> PageItem:
        """Hold the item (and so Scrapy's intake of responses) until the writer catches up."""
        await asyncio.wrap_future(room)
        return item

    def _count(self, outcome: str) -> None:
        """Count a fetch outcome (from the reactor's thread or the writer's reply thread)."""
        if self.crawler.stats is not None:
            with self._counting:
                self.crawler.stats.inc_value(f"archive/outcome/{outcome}")

    def _write(self, session: ArchiveSession, item: PageItem) -> _Write:
        """The item's write, one transaction (or part of a group commit)."""
        crawl_id, fetch = session.crawl_id, fetch_of(item)
        if item.role == ROLE_PHOTO:
            return self._photo(crawl_id, item, fetch)
        article, frontier = item.article, frontier_urls(item)
        if item.role == ROLE_ARTICLE and article is not None and article.is_article:
            kwargs = {
                "crawl_id": crawl_id,
                "fetch": fetch,
                "capture": capture_of(item),
                "extractor": item.extractor,
                "extractor_version": item.extractor_version,
                "frontier": frontier,
                "body_images": list(item.body_images),
            }
            return _Write("store_article", (article.to_dict(),), kwargs, _store_outcome)
        if item.role == ROLE_ARTICLE and item.status == NOT_MODIFIED:
            kwargs = {"crawl_id": crawl_id, "fetch": fetch, "frontier": frontier}
            return _Write("record_not_modified", (item.url,), kwargs, _not_modified_outcome)
        if item.gone_reason:
            return self._gone(session, item, fetch, frontier)
        if item.role == ROLE_ALIAS and item.alias_of:
            kwargs = {"crawl_id": crawl_id, "fetch": fetch, "frontier": frontier}
            return _Write("record_alias", (item.url, item.alias_of), kwargs, OUTCOME_ALIAS)
        outcome = self._outcome(item)
        args = (crawl_id, fetch, outcome)
        settles: dict[str, Any] = {"frontier": frontier}
        if outcome == OUTCOME_UNREADABLE:
            settles["capture"] = capture_of(item)
        return _Write("record_fetch", args, settles, outcome)

    @staticmethod
    def _photo(crawl_id: int, item: PageItem, fetch: Fetch) -> _Write:
        """A photo's bytes (outcome ``media``), or why there are none (``media_error``: an
        error status, a refusal, a failure, an answer that is no image). Never a frontier
        row: photos are not pages of the crawl."""
        kind = media_type(header(item, "Content-Type"))
        if item.error is None and item.body is not None and item.status is not None:
            if kind is not None and kind.startswith("image/"):
                image = Image(url=item.photo_url or item.url, type=kind, body=item.body)
                return _Write("store_media", (crawl_id, fetch, image), {}, OUTCOME_MEDIA)
            fetch.error = f"not an image: {kind or 'no Content-Type'}"
        failed = (crawl_id, fetch, item.photo_url or item.url)
        return _Write("record_media_error", failed, {}, OUTCOME_MEDIA_ERROR)

    @staticmethod
    def _gone(session: ArchiveSession, item: PageItem, fetch: Fetch, frontier: list[str]) -> _Write:
        # A redirect to a listing: the article is the URL first requested, the status the
        # redirect's. An error status: the URL that answered it.
        redirected = item.gone_reason == GONE_REDIRECT
        url = (item.requested_url or item.url) if redirected else item.url
        status = item.redirect_status if redirected else item.status
        kwargs = {
            "crawl_id": session.crawl_id,
            "fetch": fetch,
            "status": status or 0,
            "reason": item.gone_reason or "",
            "frontier": frontier,
        }
        not_gone = OUTCOME_NOT_ARTICLE if redirected else OUTCOME_HTTP_ERROR

        def outcome(article_id: int | None) -> str:
            return OUTCOME_GONE if article_id is not None else not_gone

        return _Write("mark_gone", (url,), kwargs, outcome)

    @staticmethod
    def _outcome(item: PageItem) -> str:
        if item.role == ROLE_ARTICLE:
            return OUTCOME_UNREADABLE if is_unreadable(item) else OUTCOME_NOT_ARTICLE
        if item.role == ROLE_DISCOVERY:
            return OUTCOME_DISCOVERY
        if item.role == ROLE_SKIPPED:
            return OUTCOME_SKIPPED
        if item.role == ROLE_REFUSED:
            return OUTCOME_REFUSED
        return OUTCOME_HTTP_ERROR if item.status is not None else OUTCOME_ERROR


def _outcome_of(write: _Write, result: Any) -> str:
    """The fetch outcome a write means, given its result."""
    return write.outcome if isinstance(write.outcome, str) else write.outcome(result)


def _store_outcome(result: StoreResult) -> str:
    return result.outcome


def _not_modified_outcome(found: int | None) -> str:
    return OUTCOME_UNCHANGED if found is not None else OUTCOME_NOT_ARTICLE
