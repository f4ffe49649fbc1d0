"""Health of an archive: what it holds per site, how complete each crawl's articles are, and
a check that the latest crawl did not suddenly lose a field (a layout change on the site).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from archive import queries
from archive.store import Archive

#: Fields whose missing share is reported and checked.
QUALITY_FIELDS = queries.QUALITY_FIELDS

#: Days of publication listed per site (the latest that have articles).
DAYS = 30
#: Crawls listed by :func:`stats`.
CRAWLS = 10
#: Defaults of :func:`check`.
DEFAULT_THRESHOLD = 0.2
DEFAULT_WINDOW = 5
#: Crawls that stored fewer articles are neither checked nor compared with: in a handful of
#: articles, three without a photo are chance, not a layout change.
DEFAULT_MIN_ARTICLES = 20
#: Finished crawls looked at, at most, to find the latest ones that stored articles.
CHECK_LOOKBACK = 500


def _rows(archive: Archive, query: queries.Query) -> list[dict[str, Any]]:
    sql, params = query
    return archive.rows(sql, params)


def crawl_quality(archive: Archive, crawl_id: int) -> dict[str, Any]:
    """``fetched`` (responses), ``stored`` (articles stored ``new`` or ``updated``) and
    ``missing``: field -> share (0 to 1) of the stored articles without it, ``None`` for
    every field when the crawl stored none."""
    row = _rows(archive, queries.crawl_quality(crawl_id))[0]
    stored = int(row["stored"])
    missing = {
        field: (round(int(row[field]) / stored, 4) if stored else None) for field in QUALITY_FIELDS
    }
    return {"fetched": int(row["fetched"]), "stored": stored, "missing": missing}


def stats(
    archive: Archive, *, days: int = DAYS, crawls: int = CRAWLS, site: str | None = None
) -> dict[str, Any]:
    """``sites``: per site its counts and ``per_day`` (``{day, articles}``, the latest
    ``days`` days of publication that have articles, newest first); ``crawls``: the latest
    ``crawls`` crawls, newest first, with :func:`crawl_quality`. With ``site``: that site's
    row and the crawls of that site (as :meth:`Archive.crawls` finds them)."""
    sites: list[dict[str, Any]] = []
    for row in _rows(archive, queries.site_stats()):
        if site is not None and row["site"] != site:
            continue
        site_row = dict(row)
        site_row["per_day"] = _rows(archive, queries.site_days(row["site"], days))
        site_row["site"] = row["site"] or None
        sites.append(site_row)
    crawl_rows: list[dict[str, Any]] = []
    for crawl in archive.crawls(limit=crawls, site=site):
        crawl_rows.append(
            {
                "id": crawl["id"],
                "spider": crawl["spider"],
                "started_at": crawl["started_at"],
                "status": crawl["status"],
                **crawl_quality(archive, int(crawl["id"])),
            }
        )
    return {"sites": sites, "crawls": crawl_rows}


@dataclass
class Alert:
    """A field the latest crawl misses much more often than the crawls before it."""

    field: str
    share: float
    """Its missing share in the latest crawl."""
    median: float
    """The median of its missing shares over the previous crawls."""

    def message(self, crawl_id: int, stored: int, previous: int, threshold: float) -> str:
        """One line for people."""
        return (
            f"{self.field}: missing in {self.share:.0%} of the {stored} articles of crawl"
            f" {crawl_id}, median {self.median:.0%} over the previous {previous} crawls"
            f" (threshold +{threshold:.0%})"
        )


@dataclass
class UnreadablePage:
    """A page of the latest crawl kept as ``unreadable``: fetched under an article URL, no
    article read from it (yet: ``archive reparse`` reads it again)."""

    url: str
    crawl_id: int
    fetched_at: str
    error: str | None
    """The extraction's error when it failed; ``None`` when it found no article."""
    fetch_id: int
    capture_id: int | None


@dataclass
class CheckResult:
    """What :func:`check` found."""

    ok: bool
    crawl_id: int | None
    """The latest finished crawl that stored articles; ``None`` when there is none."""
    stored: int
    compared_with: list[int]
    """The earlier crawls (same spider) the medians come from, newest first."""
    threshold: float
    alerts: list[Alert]
    messages: list[str]
    min_articles: int = DEFAULT_MIN_ARTICLES
    """Crawls that stored fewer articles were left out."""
    unreadable_crawl_id: int | None = None
    """The latest crawl that ended (finished, failed or interrupted), whose unreadable pages
    are checked; ``None`` when there is none."""
    unreadable: list[UnreadablePage] = field(default_factory=list)
    """Its ``unreadable`` pages not yet read as articles, oldest first."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        return asdict(self)


def check(
    archive: Archive,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
    min_articles: int = DEFAULT_MIN_ARTICLES,
) -> CheckResult:
    """Compare the latest finished crawl that stored at least ``min_articles`` articles with
    the ``window`` finished crawls of the same spider before it that did too: a field whose
    missing share exceeds their median by more than ``threshold`` (absolute: 0.2 is 20
    points) is an alert. Nothing to compare with (no such crawl, or none before it) is ok.

    Also not ok: the latest crawl that ended kept pages it could not read as articles
    (``unreadable`` fetches that no ``archive reparse`` has read since); they are listed."""
    latest: dict[str, Any] | None = None
    latest_quality: dict[str, Any] = {}
    previous: list[tuple[int, dict[str, Any]]] = []
    for crawl in _rows(archive, queries.finished_crawls(CHECK_LOOKBACK)):
        if latest is not None:
            if len(previous) >= window:
                break
            if crawl["spider"] != latest["spider"]:
                continue
        quality = crawl_quality(archive, int(crawl["id"]))
        if not quality["stored"] or quality["stored"] < min_articles:
            continue
        if latest is None:
            latest, latest_quality = crawl, quality
        else:
            previous.append((int(crawl["id"]), quality))
    alerts: list[Alert] = []
    if latest is not None and previous:
        for field in QUALITY_FIELDS:
            share = float(latest_quality["missing"][field])
            median = float(statistics.median(q["missing"][field] for _, q in previous))
            if share - median > threshold + 1e-9:
                alerts.append(Alert(field=field, share=share, median=median))
    crawl_id = None if latest is None else int(latest["id"])
    stored = int(latest_quality.get("stored", 0))
    messages = [alert.message(crawl_id or 0, stored, len(previous), threshold) for alert in alerts]
    unreadable_crawl_id, unreadable = unreadable_pages(archive)
    if unreadable:
        messages.append(
            f"unreadable: {len(unreadable)} pages of crawl {unreadable_crawl_id} kept but not"
            " read as articles (archive reparse reads them again)"
        )
    return CheckResult(
        ok=not alerts and not unreadable,
        crawl_id=crawl_id,
        stored=stored,
        compared_with=[crawl for crawl, _ in previous],
        threshold=threshold,
        alerts=alerts,
        messages=messages,
        min_articles=min_articles,
        unreadable_crawl_id=unreadable_crawl_id,
        unreadable=unreadable,
    )


def unreadable_pages(archive: Archive) -> tuple[int | None, list[UnreadablePage]]:
    """The latest crawl that ended, and its ``unreadable`` pages not yet read as articles."""
    latest = _rows(archive, queries.latest_ended_crawl())
    if not latest:
        return None, []
    crawl_id = int(latest[0]["id"])
    pages = [
        UnreadablePage(
            url=row["url"],
            crawl_id=int(row["crawl_id"]),
            fetched_at=row["fetched_at"],
            error=row["error"],
            fetch_id=int(row["id"]),
            capture_id=row["capture_id"],
        )
        for row in archive.unreadable_pages(crawl_id=crawl_id)
    ]
    return crawl_id, pages
