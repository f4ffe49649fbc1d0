"""Export of the archived articles as JSON Lines or CSV, streamed in constant memory.

Articles are read by id in pages of :data:`PAGE_SIZE` (keyset paging: no query stays open
between two pages and no more than one page is ever held) and written as they are read:
one record per article (its current content), or with ``all_versions`` one per version.
The WARC export of the raw captures lives in :mod:`archive.warc`.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from archive import queries
from archive.filters import ArticleFilters
from archive.output import STDOUT, open_output
from archive.store import Archive

#: Formats :func:`export_articles` writes.
ARTICLE_FORMATS: tuple[str, ...] = ("jsonl", "csv")

#: Articles read per query.
PAGE_SIZE = 200

#: Fields of each exported article, in order: those of ``archive show --json`` without its
#: versions, URLs and events.
EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    *queries.ARTICLE_FIELD_COLUMNS,
    "views",
    "related",
    "status",
    "duplicate_of",
    "similarity",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
)

#: Fields of each exported version (``all_versions``), in order: the article's id and URL
#: (as in :data:`EXPORT_FIELDS`), the version's number, fetch time, crawl, extractor and
#: content hash, then its content (the ``versions`` columns, lists as lists).
VERSION_EXPORT_FIELDS: tuple[str, ...] = (
    "article_id",
    "url",
    "version",
    "fetched_at",
    "crawl_id",
    "extractor",
    "extractor_version",
    "content_hash",
    *queries.VERSION_FIELD_COLUMNS,
)

#: What starts a CSV written with ``bom``: the UTF-8 byte order mark, by which Excel knows
#: the file is UTF-8 (else it reads it in the system's legacy code page).
UTF8_BOM = "\ufeff".encode()

#: CSV: how the ``tags`` and ``authors`` lists are joined into one cell.
CSV_LIST_SEPARATOR = " | "

#: Called with the number of articles written since the last call.
Progress = Callable[[int], None]


#: File name endings that name an export format (``-o FILE`` without ``--format``).
FORMAT_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".csv", "csv"),
    (".warc", "warc"),
    (".warc.gz", "warc"),
)


def format_for_path(path: str) -> str | None:
    """The export format a file name's ending names (any case), ``None`` when none does."""
    name = path.lower()
    return next((fmt for suffix, fmt in FORMAT_SUFFIXES if name.endswith(suffix)), None)


@dataclass
class ArticleExportResult:
    """What :func:`export_articles` wrote."""

    path: str
    """The file written, ``-`` for standard output."""
    format: str
    articles: int
    """Articles exported."""
    records: int
    """Lines (jsonl) or rows (csv, the header left out) written: one per article, or one per
    version with ``all_versions``."""
    bytes: int


def count_articles(archive: Archive, filters: ArticleFilters | None = None) -> int:
    """How many articles :func:`iter_articles` yields for ``filters`` (limit and offset too)."""
    filters = filters or ArticleFilters()
    sql, params = queries.export_count(where=filters.where())
    total = int(archive.rows(sql, params)[0]["n"])
    total = max(0, total - filters.offset)
    return total if filters.limit is None else min(total, filters.limit)


def count_versions(archive: Archive, filters: ArticleFilters | None = None) -> int:
    """How many records :func:`iter_versions` yields for ``filters``."""
    filters = filters or ArticleFilters()
    sql, params = queries.export_version_count(filters.limit, filters.offset, where=filters.where())
    return int(archive.rows(sql, params)[0]["n"])


def iter_articles(
    archive: Archive, filters: ArticleFilters | None = None
) -> Iterator[dict[str, Any]]:
    """Every article ``filters`` selects, by id, as dicts of :data:`EXPORT_FIELDS`.

    ``authors`` and ``tags`` are lists, ``related`` a list of ``{url, title, kind,
    position}`` (as :meth:`Archive.get_article` gives them). ``limit`` and ``offset`` of the
    filters count in id order. Reads :data:`PAGE_SIZE` articles per query.
    """
    for rows in _article_pages(archive, filters):
        for row in rows:
            yield _article(archive, row)


def iter_versions(
    archive: Archive, filters: ArticleFilters | None = None
) -> Iterator[dict[str, Any]]:
    """Every version of every article ``filters`` selects (by the article's current state),
    articles by id and each one's versions oldest first, as dicts of
    :data:`VERSION_EXPORT_FIELDS` (``authors`` and ``tags`` as lists)."""
    for rows in _article_pages(archive, filters, columns="id, url"):
        urls = {int(row["id"]): row["url"] for row in rows}
        sql, params = queries.versions_of_articles(list(urls))
        for version in archive.rows(sql, params):
            yield _version(version, urls[int(version["article_id"])])


def selected_article_ids(archive: Archive, filters: ArticleFilters | None = None) -> list[int]:
    """The ids of the articles ``filters`` selects, ascending, as :func:`iter_articles`
    yields them (``limit`` and ``offset`` too)."""
    return [
        int(row["id"]) for rows in _article_pages(archive, filters, columns="id") for row in rows
    ]


def _article_pages(
    archive: Archive, filters: ArticleFilters | None, *, columns: str = "*"
) -> Iterator[list[dict[str, Any]]]:
    """The ``articles`` rows ``filters`` selects, by id, :data:`PAGE_SIZE` a query."""
    filters = filters or ArticleFilters()
    where = filters.where()
    after = 0
    if filters.offset:
        sql, params = queries.export_first_id(filters.offset, where=where)
        first = archive.rows(sql, params)
        if not first:
            return
        after = int(first[0]["id"]) - 1
    remaining = filters.limit
    while remaining is None or remaining > 0:
        size = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
        sql, params = queries.export_page(after, size, where=where, columns=columns)
        rows = archive.rows(sql, params)
        if not rows:
            return
        after = int(rows[-1]["id"])
        yield rows
        if remaining is not None:
            remaining -= len(rows)


def _version(row: dict[str, Any], url: str) -> dict[str, Any]:
    values = {**row, "url": url, "version": row["number"]}
    for name in ("authors", "tags"):
        values[name] = json.loads(row[name] or "[]")
    return {name: values.get(name) for name in VERSION_EXPORT_FIELDS}


def _article(archive: Archive, row: dict[str, Any]) -> dict[str, Any]:
    article: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        if name == "related":
            sql, params = queries.current_links(int(row["id"]))
            article[name] = archive.rows(sql, params)
        elif name in ("authors", "tags"):
            article[name] = json.loads(row[name] or "[]")
        else:
            article[name] = row.get(name)
    return article


def jsonl_line(article: dict[str, Any]) -> str:
    """One article as a JSON Lines line (non-ASCII kept, newline included)."""
    return json.dumps(article, ensure_ascii=False) + "\n"


def csv_cells(article: dict[str, Any], fields: tuple[str, ...] = EXPORT_FIELDS) -> list[str]:
    """One article (or version, with ``fields``) as CSV cells: lists joined by
    :data:`CSV_LIST_SEPARATOR`, ``related`` as JSON, missing values empty."""
    cells: list[str] = []
    for name in fields:
        value = article[name]
        if name == "related":
            cells.append(json.dumps(value, ensure_ascii=False))
        elif isinstance(value, list):
            cells.append(CSV_LIST_SEPARATOR.join(str(item) for item in value))
        else:
            cells.append("" if value is None else str(value))
    return cells


def write_articles(
    articles: Iterable[dict[str, Any]],
    out: IO[bytes],
    export_format: str,
    *,
    progress: Progress | None = None,
    fields: tuple[str, ...] = EXPORT_FIELDS,
    bom: bool = False,
) -> int:
    """Write ``articles`` (or versions, with their ``fields``) to ``out`` (UTF-8) as
    ``jsonl`` or ``csv`` (a header row first, after a byte order mark with ``bom``);
    returns how many bytes. Each record is written as soon as it is read; ``progress`` is
    called with 1 per record."""
    if export_format not in ARTICLE_FORMATS:
        raise ValueError(f"unknown format {export_format!r}; expected one of {ARTICLE_FORMATS}")
    if bom and export_format != "csv":
        raise ValueError("bom is for csv only")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    size = 0
    if export_format == "csv":
        writer.writerow(fields)
        header = (UTF8_BOM if bom else b"") + buffer.getvalue().encode("utf-8")
        out.write(header)
        size += len(header)
    for article in articles:
        if export_format == "jsonl":
            text = jsonl_line(article)
        else:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_cells(article, fields))
            text = buffer.getvalue()
        data = text.encode("utf-8")
        out.write(data)
        size += len(data)
        if progress is not None:
            progress(1)
    return size


def export_articles(
    archive: Archive,
    path: str | os.PathLike[str] | None,
    export_format: str,
    filters: ArticleFilters | None = None,
    *,
    progress: Progress | None = None,
    all_versions: bool = False,
    bom: bool = False,
) -> ArticleExportResult:
    """Write the articles ``filters`` selects as ``jsonl`` or ``csv`` to the file ``path``,
    or to standard output when ``path`` is ``None`` or ``-``.

    One record per article (:data:`EXPORT_FIELDS`), or with ``all_versions`` one per
    version (:data:`VERSION_EXPORT_FIELDS`); ``bom`` starts a CSV with :data:`UTF8_BOM`.
    A file appears only when complete (:func:`archive.output.open_output`): a failed export
    leaves no partial file, and an :class:`archive.output.OutputError` names ``path``.
    """
    records: Iterator[dict[str, Any]]
    if all_versions:
        records, fields = iter_versions(archive, filters), VERSION_EXPORT_FIELDS
    else:
        records, fields = iter_articles(archive, filters), EXPORT_FIELDS
    counted = _Counter(records)
    with open_output(path) as out:
        size = write_articles(
            counted, out, export_format, progress=progress, fields=fields, bom=bom
        )
    return ArticleExportResult(
        path=STDOUT if path is None else os.fspath(path),
        format=export_format,
        articles=counted.articles,
        records=counted.records,
        bytes=size,
    )


class _Counter:
    """Passes records through, counting them and the articles they belong to (the records
    of one article come together)."""

    def __init__(self, records: Iterator[dict[str, Any]]) -> None:
        self._records = records
        self.records = 0
        self.articles = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        last: Any = None
        for record in self._records:
            self.records += 1
            article = record.get("article_id", record.get("id"))
            if article != last:
                self.articles += 1
                last = article
            yield record
