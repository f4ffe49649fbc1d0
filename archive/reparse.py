"""Re-extraction: run today's page objects over the stored captures, without fetching.

When the extractor improves, ``reparse`` turns each article's current capture into an
``Article`` again (the same page object and cleaning the crawl applies) and records a new
version for every article whose content now differs. A capture that no longer yields an
article is reported, never stored: a regression of the extractor must not overwrite good text.

It also reads again the pages a crawl kept as ``unreadable`` (fetched under an article URL,
no article found in them): each one the page object now reads as an article is stored as its
crawl would have stored it (see :meth:`archive.store.Archive.read_unreadable`).
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.faults import ArchiveError
from archive.history import changed_fields
from archive.sitepages import crawl_bindings, day_of, page_class_for_site
from archive.store import Archive, content_hash
from extraction.items import Article
from extraction.pages import ArticlePage
from extraction.pages.choice import (  # noqa: F401  (the names reparse has always given)
    EXTRACTOR,
    PAGE_CLASS,
    extractor_version,
    load_page_class,
    page_class_for,
)
from extraction.pages.clean import clean_article
from extraction.sites.bindings import Bindings

logger = logging.getLogger(__name__)

_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.IGNORECASE)

#: Called after each capture with (done, total).
Progress = Callable[[int, int], None]


@dataclass
class Changed:
    """An article whose re-extracted content differs from its current version."""

    article_id: int
    url: str
    capture_id: int
    fields: list[str]
    """The fields that differ, in ``archive.history.DIFF_FIELDS`` order."""
    version_id: int | None
    """The version written; ``None`` with ``--dry-run``."""


@dataclass
class Failed:
    """A capture that gave no article (or could not be read); nothing was written."""

    article_id: int
    url: str
    capture_id: int
    reason: str


@dataclass
class Read:
    """An ``unreadable`` page the page object now reads as an article."""

    fetch_id: int
    url: str
    crawl_id: int
    capture_id: int
    title: str | None
    article_id: int | None
    """The article it was stored as; ``None`` with ``--dry-run``."""
    outcome: str | None
    """How it was stored (``new``, ``updated``, ``unchanged``, ``alias``, or ``superseded``:
    the archive holds the article from a later fetch); ``None`` with ``--dry-run``."""


@dataclass
class Unread:
    """An ``unreadable`` page the page object still reads no article from; nothing written."""

    fetch_id: int
    url: str
    capture_id: int
    reason: str


@dataclass
class ReparseReport:
    """What :func:`reparse` found and did."""

    dry_run: bool
    extractor: str
    extractor_version: str
    examined: int = 0
    """Captures examined: one per article, the capture of its current version."""
    unchanged: int = 0
    skipped: int = 0
    """Articles whose current version has no capture (archived before captures were kept)."""
    changed: list[Changed] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    unreadable_examined: int = 0
    """``unreadable`` pages examined: those no extractor had read as an article yet."""
    read: list[Read] = field(default_factory=list)
    """Those the page object now reads as articles."""
    still_unreadable: list[Unread] = field(default_factory=list)
    """Those it does not."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the counts, then the changed and failed articles, then the
        unreadable pages read and still unreadable."""
        return {
            "dry_run": self.dry_run,
            "extractor": self.extractor,
            "extractor_version": self.extractor_version,
            "examined": self.examined,
            "changed_count": len(self.changed),
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed_count": len(self.failed),
            "changed": [asdict(item) for item in self.changed],
            "failed": [asdict(item) for item in self.failed],
            "unreadable_examined": self.unreadable_examined,
            "read_count": len(self.read),
            "still_unreadable_count": len(self.still_unreadable),
            "read": [asdict(item) for item in self.read],
            "still_unreadable": [asdict(item) for item in self.still_unreadable],
        }


def charset(headers: Mapping[str, Iterable[str]]) -> str | None:
    """The charset of the ``Content-Type`` header, when it names a known codec."""
    for name, values in headers.items():
        if name.lower() != "content-type":
            continue
        for value in values:
            match = _CHARSET.search(value)
            if match is None:
                continue
            try:
                return codecs.lookup(match.group(1)).name
            except LookupError:
                logger.debug("unknown charset %r in %r", match.group(1), value)
    return None


def articles_with_captures(archive: Archive) -> list[int]:
    """Ids of the articles that have a version extracted from a stored capture."""
    ids = {
        int(capture["article_id"])
        for capture in archive.iter_captures()
        if capture["article_id"] is not None and capture["version_id"] is not None
    }
    return sorted(ids)


def current_capture(archive: Archive, article_id: int) -> dict[str, Any] | None:
    """The capture the article's current version was extracted from, with its body.

    Not simply the newest capture: an identical response is stored once, so a page that
    went back to an earlier text has its current version on an older capture. ``None`` when
    the current version has no capture (archived before captures were kept).
    """
    versions = archive.versions(article_id)
    capture_id = versions[-1]["capture_id"] if versions else None
    if capture_id is None:
        return None
    found = None
    for capture in archive.iter_captures(article_id):  # a few per article: read them all
        if capture["id"] == capture_id:
            found = capture
    return found


def extract(
    url: str,
    body: bytes,
    headers: Mapping[str, Iterable[str]],
    page_class: type[ArticlePage] = PAGE_CLASS,
    site: str | None = None,
) -> Article:
    """The cleaned article the page object (``page_class``) makes of one stored response;
    ``site`` is the site it is read as (a crawl's binding), set before the cleaning so that
    the site's own chrome goes as the crawl's cleaning took it."""
    page = page_class(url, body, charset(headers))
    item = page.to_item()
    if site:
        item.site = site
    return clean_article(item)


def _article_of(
    url: str,
    body: bytes,
    headers: Mapping[str, Iterable[str]],
    page_class: type[ArticlePage],
    capture_id: int,
    fail: Callable[[str], None],
    not_article: str,
    site: str | None = None,
) -> Article | None:
    """The article a stored capture gives today; else ``None``, after ``fail(why)``."""
    try:
        article = extract(url, body, headers, page_class, site)
    except Exception as error:  # an extractor bug on one page must not stop the run
        logger.exception("extraction of capture %s failed", capture_id)
        fail(f"extraction failed: {type(error).__name__}: {error}")
        return None
    if not article.is_article:
        fail(not_article)
        return None
    return article


def reparse(
    archive: Archive,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    page_class: type[ArticlePage] | None = None,
    site: str | None = None,
) -> ReparseReport:
    """Re-extract every article from its current capture; write a version where content changed;
    store the ``unreadable`` pages that now read as articles.

    For each article whose current version was extracted from a stored capture, the capture
    goes through :func:`extract` again. A new version (``crawl_id`` NULL, ``fetched_at`` of
    the capture, extractor ``page_class`` at :func:`extractor_version`) is added only when
    the content hash differs from the current version's. Captures that give no article, or
    whose body is damaged, are listed in ``failed`` and change nothing; articles whose
    current version has no capture are counted in ``skipped``.

    Then each ``unreadable`` page no extractor has read yet, oldest first, goes through
    :func:`extract`; one that gives an article is stored by
    :meth:`~archive.store.Archive.read_unreadable` (listed in ``read``), any other is listed
    in ``still_unreadable`` and changes nothing.

    Each page is read by ``page_class`` when given, else by its article's own site's page
    object as laid out on the capture's day (:func:`archive.sitepages.page_class_for_site`;
    an unreadable page: the site the crawl that fetched it read it as); each version records
    the page object that read it. ``site``: only the articles of that site (and the unreadable
    pages read as that site).

    ``dry_run`` writes nothing. ``progress(done, total)`` is called after each article and
    each unreadable page.
    """
    report = ReparseReport(dry_run=dry_run, extractor="", extractor_version="")
    chooser = _Chooser(page_class)
    article_ids = _of_site(archive, articles_with_captures(archive), site)
    # Listed before anything is written: the articles this run makes of them are not
    # examined again as articles.
    crawls = {
        row["id"]: crawl_bindings(row["spider"], row["arguments"]) for row in archive.crawls()
    }
    unreadable = [(page, _site_read_as(crawls, page)) for page in archive.unreadable_pages()]
    pages = [(page, name) for page, name in unreadable if site is None or name == site]
    total = len(article_ids) + len(pages)
    for done, (article_id, article_site) in enumerate(article_ids, start=1):
        capture = current_capture(archive, article_id)
        if capture is None:
            report.skipped += 1
        else:
            report.examined += 1
            chosen = chooser.choose(article_site, capture)
            _reparse_one(archive, article_id, capture, report, chosen, article_site)
        if progress is not None:
            progress(done, total)
    for done, (page, name) in enumerate(pages, start=len(article_ids) + 1):
        report.unreadable_examined += 1
        _read_unreadable(archive, page, report, chooser.choose(name, page), name)
        if progress is not None:
            progress(done, total)
    report.extractor, report.extractor_version = chooser.summary()
    return report


class _Chooser:
    """The page class of each page (``page_class`` for all when given), remembering which
    were used for the report."""

    def __init__(self, page_class: type[ArticlePage] | None) -> None:
        self.page_class = page_class
        self.used: dict[str, str] = {}

    def choose(self, site: str | None, page: Mapping[str, Any]) -> type[ArticlePage]:
        chosen = self.page_class or page_class_for_site(
            site, str(page["url"]), day_of(page.get("fetched_at"))
        )
        self.used[chosen.__name__] = extractor_version(chosen)
        return chosen

    def summary(self) -> tuple[str, str]:
        """(extractor, version) for the report: the one page class used, else the names of
        all (``A, B``) and their versions, else the default's for an empty run."""
        if self.page_class is not None:
            return self.page_class.__name__, extractor_version(self.page_class)
        if not self.used:
            return EXTRACTOR, extractor_version(PAGE_CLASS)
        names = sorted(self.used)
        return ", ".join(names), ", ".join(self.used[name] for name in names)


def _of_site(archive: Archive, article_ids: list[int], site: str | None) -> list[tuple[int, str]]:
    """(id, site) of the articles, those of ``site`` only when given."""
    found = []
    for article_id in article_ids:
        article = archive.get_article(article_id)
        article_site = str((article or {}).get("site") or "")
        if site is None or article_site == site:
            found.append((article_id, article_site))
    return found


def _site_read_as(crawls: Mapping[int, Bindings], page: Mapping[str, Any]) -> str:
    """The site the crawl that fetched an unreadable page read it as (its bindings, built
    once a crawl)."""
    bindings = crawls.get(page["crawl_id"]) or crawl_bindings(None, {})
    return bindings.site_for(str(page["url"])).name


def _read_unreadable(
    archive: Archive,
    page: Mapping[str, Any],
    report: ReparseReport,
    page_class: type[ArticlePage],
    site: str,
) -> None:
    fetch_id, url, capture_id = int(page["id"]), str(page["url"]), int(page["capture_id"])

    def still(reason: str) -> None:
        report.still_unreadable.append(Unread(fetch_id, url, capture_id, reason))

    try:
        capture = archive.capture(capture_id)
    except ArchiveError as error:
        still(str(error))
        return
    article = _article_of(
        capture.url, capture.body, capture.headers, page_class, capture_id, still,
        "no article found (no title, or neither lead nor body)", site,
    )  # fmt: skip
    if article is None:
        return
    read = Read(fetch_id, url, int(page["crawl_id"]), capture_id, article.title, None, None)
    if not report.dry_run:
        try:
            result = archive.read_unreadable(
                fetch_id,
                article.to_dict(),
                extractor=page_class.__name__,
                extractor_version=extractor_version(page_class),
            )
        except ValueError as error:  # the archive's stricter idea of an article
            still(str(error))
            return
        read.article_id, read.outcome = result.article_id, result.outcome
    report.read.append(read)


def _reparse_one(
    archive: Archive,
    article_id: int,
    capture: Mapping[str, Any],
    report: ReparseReport,
    page_class: type[ArticlePage],
    site: str,
) -> None:
    url, capture_id = str(capture["url"]), int(capture["id"])

    def fail(reason: str) -> None:
        logger.warning("article %s, capture %s of %s: %s", article_id, capture_id, url, reason)
        report.failed.append(Failed(article_id, url, capture_id, reason=reason))

    if capture["error"] is not None or capture["body"] is None:
        fail(f"damaged capture: {capture['error']}")
        return
    article = _article_of(
        url, capture["body"], capture["headers"] or {}, page_class, capture_id, fail,
        "not an article any more (no title, or neither lead nor body)",
        site,  # the site it was archived as (a replica's host is no site's own)
    )  # fmt: skip
    if article is None:
        return
    current = archive.versions(article_id)[-1]
    values = article.to_dict()
    if content_hash(values) == current["content_hash"]:
        report.unchanged += 1
        return
    version_id = None
    if not report.dry_run:
        version_id = archive.add_version(
            article_id,
            values,
            crawl_id=None,
            fetched_at=str(capture["fetched_at"]),
            capture_id=capture_id,
            extractor=page_class.__name__,
            extractor_version=extractor_version(page_class),
        )
        if version_id is None:  # the store found the content unchanged after all
            report.unchanged += 1
            return
    report.changed.append(
        Changed(
            article_id=article_id,
            url=url,
            capture_id=capture_id,
            fields=changed_fields(current, values),
            version_id=version_id,
        )
    )
