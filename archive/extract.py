"""``archive extract``: the article a crawl would store from a page, for pages never crawled.

A page comes from a saved HTML file, from an http(s) URL (fetched politely:
:mod:`archive.fetch`) or from a WARC file (each HTML response record). It is read as the crawl
reads it: its site's page class (:func:`page_class_of_page`) unless one is named, then the crawl's
cleaning (:func:`archive.reparse.extract`). The article is then stored into a throwaway archive in
memory and read back as ``archive show --json`` reads it, so what comes out is exactly what a
crawl would store, by the store's own code: less what only an archive has (ids, times,
versions, crawls, the articles linking to it, events: :data:`ARCHIVE_ONLY`). Nothing is
written to any file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.fetch import Fetcher, FetchError, header, header_lists
from archive.reparse import extract as read_article
from archive.sitepages import day_of
from archive.store import Archive, Fetch
from extraction import sites
from extraction.pages import ArticlePage
from extraction.pages.generic import GenericArticlePage

#: Keys of ``archive show --json`` that only an archive has; ``extract`` leaves them out.
ARCHIVE_ONLY: tuple[str, ...] = (
    "id",
    "status",
    "duplicate_of",
    "similarity",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "first_crawl_id",
    "last_crawl_id",
    "current_version_id",
    "versions_count",
    "linked_from",
    "events",
    "photos",
)
#: The page object of a page whose host no site declares (a saved file, a site without a
#: profile): the generic one, as a crawl reads such a site; ``--site NAME`` reads it as that
#: site's (``--site sputnik`` for a page of the replica), ``--page-class`` with any.
UNDECLARED_PAGE_CLASS: type[ArticlePage] = GenericArticlePage
#: Why a page is no article, in the words of ``archive reparse`` for an ``unreadable`` page.
NO_ARTICLE = "no article found (no title, or neither lead nor body)"
#: Media types of a page the crawl reads as HTML.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
WARC_SUFFIXES = (".warc", ".warc.gz")

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class ExtractError(Exception):
    """An input that gave no article. ``outcome``: the fetch outcome a crawl would record for
    it (``unreadable``, ``not_article``, ``skipped``, ``refused``, ``http_error``,
    ``error``), ``None`` for a file that cannot be read."""

    def __init__(self, outcome: str | None, reason: str) -> None:
        super().__init__(f"{outcome}: {reason}" if outcome else reason)
        self.outcome = outcome
        self.reason = reason


@dataclass
class Page:
    """One page to read: a response as the crawl would have received it."""

    source: str
    """Where it comes from, as the user named it (a WARC record: its URL, then the file)."""
    url: str | None
    """Its URL; ``None`` for a saved file given without ``--url`` (see :func:`page_url`)."""
    body: bytes
    headers: dict[str, list[str]] = field(default_factory=dict)
    """The HTTP headers; a saved file has none."""
    status: int = 200
    redirect_urls: list[str] = field(default_factory=list)
    """URLs that redirected to ``url``, the one first requested first."""
    path: str | None = None
    """The saved file it was read from."""
    fetched_at: str | None = None
    """When it was fetched (ISO 8601; a WARC record's date); ``None``: a saved file."""


@dataclass
class Extracted:
    """What one page gave: its article as stored, or why none."""

    source: str
    article: dict[str, Any] | None = None
    error: ExtractError | None = None


# -- inputs -----------------------------------------------------------------------------------


def is_url(text: str) -> bool:
    """Whether an INPUT is a URL (``scheme://...``) rather than a file."""
    return _SCHEME.match(text) is not None


def is_warc(text: str) -> bool:
    """Whether an INPUT names a WARC file (``.warc`` or ``.warc.gz``)."""
    return not is_url(text) and text.lower().endswith(WARC_SUFFIXES)


def read_file(path: str, url: str | None = None) -> Page:
    """A saved HTML file as a page fetched from ``url`` (``None``: see :func:`page_url`)."""
    try:
        body = Path(path).read_bytes()
    except FileNotFoundError:
        raise ExtractError(None, "no such file") from None
    except OSError as error:
        raise ExtractError(None, f"cannot read it: {error.strerror or error}") from None
    return Page(source=path, url=url, body=body, path=path)


def fetch_page(fetcher: Fetcher, url: str) -> Page:
    """The page at an http(s) ``url``, fetched politely (see :mod:`archive.fetch`)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ExtractError("refused", f"scheme {scheme}: is not http(s)")
    try:
        response = fetcher.get(url)
    except FetchError as error:
        raise ExtractError(error.outcome, error.reason) from None
    if not is_html(response.headers):
        kind = header(response.headers, "Content-Type")
        raise ExtractError("not_article", f"not HTML (Content-Type: {kind})")
    return Page(
        source=url,
        url=response.url,
        body=response.body,
        headers=response.headers,
        status=response.status,
        redirect_urls=response.redirect_urls,
    )


def read_warc(path: str) -> Iterator[Page]:
    """Every HTML response record of the WARC file at ``path`` (gzipped or not), in order, as
    a page: a ``response`` record with a 2xx status and an HTML ``Content-Type`` (or none),
    its URL the record's ``WARC-Target-URI``. Other records (requests, metadata, images,
    redirects, errors) are not pages of articles and are passed over; a file with no such
    record at all raises ``ExtractError``, as does one that is no readable WARC file."""
    found = 0
    try:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                headers = header_lists(record.http_headers.headers)
                if not 200 <= status < 300 or not is_html(headers):
                    continue
                uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
                body = record.content_stream().read()
                found += 1
                date = record.rec_headers.get_header("WARC-Date")
                yield Page(f"{uri} (in {path})", uri, body, headers, status, fetched_at=date)
    except FileNotFoundError:
        raise ExtractError(None, "no such file") from None
    except (ArchiveLoadFailed, OSError, EOFError) as error:
        raise ExtractError(None, f"not a readable WARC file: {error}") from None
    if not found:
        raise ExtractError(None, "no HTML response record in it")


def is_html(headers: dict[str, list[str]]) -> bool:
    """Whether a response is an HTML page by its ``Content-Type`` (none: taken to be)."""
    value = header(headers, "Content-Type")
    if value is None:
        return True
    return value.split(";", 1)[0].strip().lower() in HTML_TYPES


# -- the article as stored --------------------------------------------------------------------


def page_class_of_page(page: Page, url: str, site: str | None) -> type[ArticlePage]:
    """The page object ``page`` is read with: ``site``'s when given, else the one of the
    declared site serving ``url``, as laid out on the day the page was fetched; for a host
    no site declares, :data:`UNDECLARED_PAGE_CLASS`."""
    day = day_of(page.fetched_at)
    if site is not None:
        return sites.named(site).page_class_at(day)
    declared = sites.site_of(url)
    return declared.page_class_at(day) if declared is not None else UNDECLARED_PAGE_CLASS


def page_url(page: Page, page_class: type[ArticlePage]) -> str:
    """The URL ``page`` is read as fetched from: its own; for a saved file given without one,
    the canonical URL the page names (``rel=canonical``, ``og:url``) when it is an http(s)
    URL, else the file's ``file://`` URL.

    A crawl stores an article under its canonical URL, and a page saved from a browser names
    it: read as fetched from there, the saved page gives what a crawl of that URL stores, and
    its relative links resolve as on the site.
    """
    if page.url is not None:
        return page.url
    file_url = Path(page.path or page.source).resolve().as_uri()
    try:
        canonical = read_article(file_url, page.body, page.headers, page_class).canonical_url
    except Exception:  # the extraction proper says what fails, with the URL it settles on
        return file_url
    if canonical and urlsplit(canonical).scheme.lower() in ("http", "https"):
        return canonical
    return file_url


def stored_article(
    page: Page, page_class: type[ArticlePage] | None, site: str | None = None
) -> dict[str, Any]:
    """The article a crawl would store from ``page``, as ``archive show --json`` prints it
    without :data:`ARCHIVE_ONLY`; ``ExtractError`` (``unreadable``) when it gives none.
    Read by ``page_class`` when given, else by :func:`page_class_of_page`; its ``site`` is
    ``site`` when given, as a crawl binding the page's host to it stores it."""
    url = page_url(page, page_class or UNDECLARED_PAGE_CLASS)
    chosen = page_class or page_class_of_page(page, url, site)
    try:
        article = read_article(url, page.body, page.headers, chosen, site)
    except Exception as error:  # as the crawl says it of a page its extractor chokes on
        failure = f"extraction failed: {type(error).__name__}: {error}"
        raise ExtractError("unreadable", failure) from error
    if not article.is_article:
        raise ExtractError("unreadable", NO_ARTICLE)
    fetch = Fetch(
        url=url,
        status=page.status,
        bytes=len(page.body),
        requested_url=page.redirect_urls[0] if page.redirect_urls else None,
        redirect_urls=list(page.redirect_urls),
    )
    with Archive(":memory:") as archive:
        crawl_id = archive.begin_crawl("extract", {})
        try:
            result = archive.store_article(article.to_dict(), crawl_id=crawl_id, fetch=fetch)
        except Exception as error:  # a value the archive refuses: the crawl's write would fail
            refusal = f"the archive refuses it: {type(error).__name__}: {error}"
            raise ExtractError("error", refusal) from error
        stored = archive.get_article(result.article_id)
    assert stored is not None
    return {key: value for key, value in stored.items() if key not in ARCHIVE_ONLY}


def extract_inputs(
    inputs: list[str],
    *,
    page_class: type[ArticlePage] | None,
    fetcher: Fetcher,
    url: str | None = None,
    site: str | None = None,
) -> Iterator[Extracted]:
    """What each input gives, in order: one result per page (a WARC file: per HTML response
    record), or one error for an input that cannot be read or fetched. ``url``: the URL of a
    saved file (see :func:`page_url`)."""
    for name in inputs:
        try:
            for page in _pages(name, fetcher, url):
                try:
                    article = stored_article(page, page_class, site)
                    yield Extracted(page.source, article=article)
                except ExtractError as error:
                    yield Extracted(page.source, error=error)
        except ExtractError as error:
            yield Extracted(name, error=error)


def _pages(name: str, fetcher: Fetcher, url: str | None) -> Iterator[Page]:
    if is_url(name):
        yield fetch_page(fetcher, name)
    elif is_warc(name):
        yield from read_warc(name)
    else:
        yield read_file(name, url)
