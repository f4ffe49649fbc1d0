"""The archive: storage library and CLI for the news archiver (never imports Scrapy).

``Archive`` is the Python API over one SQLite file; ``archive.cli`` is its command line.
"""

from __future__ import annotations

from archive.faults import (
    ArchiveError,
    ArchiveNotFoundError,
    NewerArchiveError,
    ReadOnlyArchiveError,
    StorageError,
)
from archive.revisit import DEFAULT_SCHEDULE, RevisitSchedule
from archive.store import (
    CRAWL_STATUSES,
    DEFAULT_PATH,
    FETCH_OUTCOMES,
    Archive,
    Capture,
    Fetch,
    FrontierEntry,
    KnownArticle,
    StoreResult,
    content_hash,
    resolve_path,
)
from archive.urls import canonical_key

__all__ = [
    "CRAWL_STATUSES",
    "DEFAULT_PATH",
    "DEFAULT_SCHEDULE",
    "FETCH_OUTCOMES",
    "Archive",
    "ArchiveError",
    "ArchiveNotFoundError",
    "Capture",
    "Fetch",
    "FrontierEntry",
    "KnownArticle",
    "NewerArchiveError",
    "ReadOnlyArchiveError",
    "RevisitSchedule",
    "StorageError",
    "StoreResult",
    "canonical_key",
    "content_hash",
    "resolve_path",
]
