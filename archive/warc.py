"""Export of the stored captures as a WARC/1.1 file, the web archives' interchange format.

Each capture becomes one ``response`` record: the HTTP status line and headers rebuilt from
the stored status and headers, then the body as stored. Then each photo the exported
articles showed (``media``) becomes one ``response`` record of its own, once: its URL, a
``200`` with its type and size, its bytes; each other URL of the exported articles' photos
that served the same bytes becomes a ``revisit`` record (WARC/1.1 identical-payload-digest
profile) referring to it, so a replay finds the photo under every URL a page showed. warcio
writes the records and computes their digests. Captures and photos stream through one at a time.

Which captures and photos: every one stored, or, when article filters are given, those every
version of the selected articles was read from or showed (:class:`WarcSelection`).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Protocol

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.export import selected_article_ids
from archive.filters import ArticleFilters
from archive.output import STDOUT, is_stdout, open_output
from archive.store import Archive, package_version

WARC_VERSION = "WARC/1.1"
WARC_FORMAT = "WARC File Format 1.1"
WARC_CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

#: Headers that describe the bytes on the wire, not the body as stored: Scrapy stores the body
#: de-chunked, and decompressed (it then drops ``Content-Encoding``, so one still present means
#: the body is still encoded and is kept). Renamed ``X-Archive-Orig-*`` so that no reader
#: (warcio, pywb) de-chunks the body or trusts the wire length; ``Content-Length`` is set to
#: the stored size.
WIRE_HEADERS = frozenset({"transfer-encoding", "content-length"})
ORIG_PREFIX = "X-Archive-Orig-"


class WarcExportError(Exception):
    """The export stopped: a capture could not be written faithfully."""


@dataclass(frozen=True)
class WarcSelection:
    """What a WARC export holds: the captures of the versions of ``article_ids`` and, for
    the ``whole_archive`` (no filter), every other capture too (unreadable pages')."""

    article_ids: list[int]
    """The exported articles, ascending."""
    whole_archive: bool

    def captures(self, archive: Archive) -> Iterator[dict[str, Any]]:
        """The selected captures, oldest first, as :meth:`Archive.iter_captures` yields them."""
        if self.whole_archive:
            return archive.iter_captures()
        return archive.iter_captures(article_ids=self.article_ids)

    def media(self, archive: Archive) -> Iterator[dict[str, Any]]:
        """The selected photos, each once, oldest first (see :func:`media_records`)."""
        return media_records(archive, None if self.whole_archive else self.article_ids)


def select(archive: Archive, filters: ArticleFilters | None = None) -> WarcSelection:
    """The articles ``filters`` selects, as every part of a WARC export takes them."""
    filters = filters or ArticleFilters()
    return WarcSelection(
        article_ids=selected_article_ids(archive, filters),
        whole_archive=filters == ArticleFilters(),
    )


@dataclass
class ExportResult:
    """What :func:`export_warc` wrote."""

    path: str
    """The file written, ``-`` for standard output."""
    records: int
    """Records written, the ``warcinfo`` record included."""
    captures: int
    bytes: int
    """Size of the file (or of what went to standard output)."""
    gzip: bool
    articles: int
    """Articles whose captures were selected."""
    media: int = 0
    """Photos written (``media`` rows), each as one response record."""
    revisits: int = 0
    """``revisit`` records written: other URLs that served a photo's bytes."""


def warc_date(fetched_at: str) -> str:
    """An ISO 8601 time (any offset) as a WARC/1.1 date: UTC, ``Z``, microseconds if any."""
    moment = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:  # the archive writes UTC times
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return str(datetime_to_iso_date(utc, use_micros=utc.microsecond != 0))


def http_headers(
    status: int, headers: Mapping[str, Iterable[str]], body_size: int
) -> StatusAndHeaders:
    """The HTTP/1.1 status line and headers of a stored response whose body has ``body_size``."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values:
            # A stored header value can not break the record: no line breaks inside it.
            clean = " ".join(str(value).split())
            wire = name.lower() in WIRE_HEADERS
            pairs.append((ORIG_PREFIX + name if wire else name, clean))
    pairs.append(("Content-Length", str(body_size)))
    return StatusAndHeaders(f"{status} {reason}".strip(), pairs, protocol="HTTP/1.1")


def verified_body(capture: Mapping[str, Any]) -> bytes:
    """The capture's body, after checking it against its stored sha256.

    Raises :class:`WarcExportError` when the store found it damaged (``error``), when there
    is no body, or when it does not match ``body_sha256``.
    """
    body = capture["body"]
    problem = capture.get("error")
    if problem is None and not isinstance(body, bytes):
        problem = "no body"
    if problem is None and hashlib.sha256(body).hexdigest() != capture["body_sha256"]:
        problem = "body does not match its sha256"
    if problem is not None:
        raise WarcExportError(f"capture {capture['id']} ({capture['url']}) is damaged: {problem}")
    assert isinstance(body, bytes)
    return body


def _software() -> str:
    try:
        warcio_version = metadata.version("warcio")
    except metadata.PackageNotFoundError:
        warcio_version = "unknown"
    return f"sputnik-archiver/{package_version()} (warcio/{warcio_version})"


class BinaryOut(Protocol):
    """Where :func:`write_warc` writes: a binary file, or anything that writes and flushes."""

    def write(self, data: bytes, /) -> object: ...

    def flush(self) -> None: ...


def write_warc(
    captures: Iterable[Mapping[str, Any]],
    out: BinaryOut,
    *,
    gzip: bool = True,
    filename: str = "",
    media: Iterable[Mapping[str, Any]] = (),
    counts: dict[str, int] | None = None,
) -> int:
    """Write a ``warcinfo`` record, one ``response`` record per capture, then one per photo
    of ``media`` (see :func:`media_records`) to ``out``.

    ``captures`` are dicts as :meth:`Archive.iter_captures` yields them. Returns the number
    of captures written; ``counts``, when given, gets ``media``: the photos written. Raises
    :class:`WarcExportError` for a capture or photo whose body does not match its sha256 or
    a capture that has no HTTP status, before anything of it is written.
    """
    writer = WARCWriter(out, gzip=gzip, warc_version=WARC_VERSION)
    info = {
        "software": _software(),
        "format": WARC_FORMAT,
        "conformsTo": WARC_CONFORMS_TO,
        "description": "Raw responses of a news archive (one capture per response record)",
    }
    warcinfo = writer.create_warcinfo_record(filename, info)
    writer.write_record(warcinfo)
    warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
    written = 0
    for capture in captures:
        writer.write_record(_response_record(writer, capture, warcinfo_id))
        written += 1
    found: dict[str, int] = {}
    photos = write_media(writer, media, warcinfo_id, found)
    if counts is not None:
        counts["media"] = photos
        counts["revisits"] = found["revisits"]
    return written


def media_records(archive: Archive, article_ids: Iterable[int] | None = None) -> Iterator[Any]:
    """The photos to export with these articles: every ``media`` row any of their versions
    showed, each once (with ``None``, every photo of the archive)."""
    return archive.iter_media(article_ids)


def write_media(
    writer: WARCWriter,
    media: Iterable[Mapping[str, Any]],
    warcinfo_id: str,
    counts: dict[str, int] | None = None,
) -> int:
    """One ``response`` record per photo (``media`` rows, bytes included): its URL, a
    ``200 OK`` with its Content-Type and Content-Length, its bytes checked against their
    sha256, dated when it was first fetched; then one ``revisit`` record (WARC/1.1
    identical-payload-digest profile: headers, no payload, referring to that response) for
    each other URL that served the same bytes (the row's ``other_urls``), dated when it was
    fetched. Returns how many photos were written; ``counts``, when given, gets
    ``revisits``: the revisit records written."""
    written = revisits = 0
    for row in media:
        body = row["body"]
        if not isinstance(body, bytes) or hashlib.sha256(body).hexdigest() != row["sha256"]:
            raise WarcExportError(f"photo {row['sha256']} ({row['url']}) is damaged")
        headers = {"Content-Type": [row["type"]]} if row.get("type") else {}
        record = writer.create_warc_record(
            row["url"],
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers(200, headers, len(body)),
            warc_headers_dict={
                "WARC-Date": warc_date(row["first_seen_at"]),
                "WARC-Warcinfo-ID": warcinfo_id,
            },
        )
        writer.write_record(record)
        written += 1
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        first = warc_date(row["first_seen_at"])
        for other in row.get("other_urls") or ():
            revisit = writer.create_revisit_record(
                other["url"],
                digest,
                row["url"],
                first,
                http_headers=http_headers(200, headers, len(body)),
                warc_headers_dict={
                    "WARC-Date": warc_date(other["fetched_at"] or row["first_seen_at"]),
                    "WARC-Warcinfo-ID": warcinfo_id,
                    "WARC-Refers-To": record.rec_headers.get_header("WARC-Record-ID"),
                },
            )
            writer.write_record(revisit)
            revisits += 1
    if counts is not None:
        counts["revisits"] = revisits
    return written


def _response_record(writer: WARCWriter, capture: Mapping[str, Any], warcinfo_id: str) -> Any:
    body = verified_body(capture)
    status = capture.get("status")
    if status is None:
        raise WarcExportError(f"capture {capture['id']} ({capture['url']}) has no HTTP status")
    return writer.create_warc_record(
        capture["url"],
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers(int(status), capture.get("headers") or {}, len(body)),
        warc_headers_dict={
            "WARC-Date": warc_date(capture["fetched_at"]),
            "WARC-Warcinfo-ID": warcinfo_id,
        },
    )


def export_warc(
    archive: Archive,
    path: str | os.PathLike[str] | None,
    *,
    gzip: bool = True,
    filters: ArticleFilters | None = None,
) -> ExportResult:
    """Write the captures ``filters`` selects (:func:`select`; all without filters) to the
    WARC file ``path``, or to standard output when ``path`` is ``None`` or ``-``.

    A file appears only when complete (:func:`archive.output.open_output`): a failed export
    (:class:`WarcExportError` for a damaged capture) leaves no partial file and never
    replaces an existing one.
    """
    selection = select(archive, filters)
    name = STDOUT if path is None else os.fspath(path)
    counts: dict[str, int] = {}
    try:
        with open_output(path) as out:
            counted = _CountingWriter(out)
            filename = "" if is_stdout(path) else Path(name).name
            count = write_warc(
                selection.captures(archive),
                counted,
                gzip=gzip,
                filename=filename,
                media=selection.media(archive),
                counts=counts,
            )
    except WarcExportError as error:
        stopped = "export stopped" if is_stdout(path) else f"export stopped, {name} not written"
        raise WarcExportError(f"{error}; {stopped}") from error
    photos = counts.get("media", 0)
    return ExportResult(
        path=name,
        records=count + 1 + photos + counts.get("revisits", 0),
        captures=count,
        bytes=counted.size,
        gzip=gzip,
        articles=len(selection.article_ids),
        media=photos,
        revisits=counts.get("revisits", 0),
    )


class _CountingWriter:
    """Passes bytes on to ``out``, counting them (warcio only writes and flushes)."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.size = 0

    def write(self, data: bytes) -> int:
        self._out.write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._out.flush()
