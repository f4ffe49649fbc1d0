"""Export of the archived articles as JSON Lines or CSV, streamed in constant memory.

Articles are read by id in pages of :data:`PAGE_SIZE` (keyset paging: no query stays open
between two pages and no more than one page is ever held) and written as they are read.
The WARC export of the raw captures lives in :mod:`archive.warc`.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from archive import queries
from archive.filters import ArticleFilters
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

#: CSV: how the ``tags`` and ``authors`` lists are joined into one cell.
CSV_LIST_SEPARATOR = " | "

#: Called with the number of articles written since the last call.
Progress = Callable[[int], None]


@dataclass
class ArticleExportResult:
    """What :func:`export_articles` wrote."""

    path: str
    format: str
    articles: int
    bytes: int


def count_articles(archive: Archive, filters: ArticleFilters | None = None) -> int:
    """How many articles :func:`iter_articles` yields for ``filters`` (limit and offset too)."""
    filters = filters or ArticleFilters()
    sql, params = queries.export_count(where=filters.where())
    total = int(archive.rows(sql, params)[0]["n"])
    total = max(0, total - filters.offset)
    return total if filters.limit is None else min(total, filters.limit)


def iter_articles(
    archive: Archive, filters: ArticleFilters | None = None
) -> Iterator[dict[str, Any]]:
    """Every article ``filters`` selects, by id, as dicts of :data:`EXPORT_FIELDS`.

    ``authors`` and ``tags`` are lists, ``related`` a list of ``{url, title, kind,
    position}`` (as :meth:`Archive.get_article` gives them). ``limit`` and ``offset`` of the
    filters count in id order. Reads :data:`PAGE_SIZE` articles per query.
    """
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
        sql, params = queries.export_page(after, size, where=where)
        rows = archive.rows(sql, params)
        if not rows:
            return
        for row in rows:
            after = int(row["id"])
            yield _article(archive, row)
        if remaining is not None:
            remaining -= len(rows)


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


def csv_cells(article: dict[str, Any]) -> list[str]:
    """One article as CSV cells: lists joined by :data:`CSV_LIST_SEPARATOR`, ``related`` as
    JSON, missing values empty."""
    cells: list[str] = []
    for name in EXPORT_FIELDS:
        value = article[name]
        if name == "related":
            cells.append(json.dumps(value, ensure_ascii=False))
        elif isinstance(value, list):
            cells.append(CSV_LIST_SEPARATOR.join(str(item) for item in value))
        else:
            cells.append("" if value is None else str(value))
    return cells


def write_articles(
    articles: Iterator[dict[str, Any]],
    out: IO[bytes],
    export_format: str,
    *,
    progress: Progress | None = None,
) -> int:
    """Write ``articles`` to ``out`` (UTF-8) as ``jsonl`` or ``csv`` (a header row first);
    returns how many. Each article is written as soon as it is read."""
    if export_format not in ARTICLE_FORMATS:
        raise ValueError(f"unknown format {export_format!r}; expected one of {ARTICLE_FORMATS}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if export_format == "csv":
        writer.writerow(EXPORT_FIELDS)
        out.write(buffer.getvalue().encode("utf-8"))
    written = 0
    for article in articles:
        if export_format == "jsonl":
            text = jsonl_line(article)
        else:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_cells(article))
            text = buffer.getvalue()
        out.write(text.encode("utf-8"))
        written += 1
        if progress is not None:
            progress(1)
    return written


def export_articles(
    archive: Archive,
    path: str | os.PathLike[str],
    export_format: str,
    filters: ArticleFilters | None = None,
    *,
    progress: Progress | None = None,
) -> ArticleExportResult:
    """Write the articles ``filters`` selects to the file ``path`` as ``jsonl`` or ``csv``.

    The file appears only when complete: it is written beside ``path`` under a temporary
    name and renamed at the end, so a failed export leaves no partial file.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(temporary, "xb") as out:
            count = write_articles(
                iter_articles(archive, filters), out, export_format, progress=progress
            )
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ArticleExportResult(
        path=str(target), format=export_format, articles=count, bytes=target.stat().st_size
    )
