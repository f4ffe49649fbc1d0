"""When to fetch an archived article again: a revisit schedule by the article's age.

A schedule is a list of ``(max_age, interval)`` steps: an article younger than ``max_age`` is
fetched again ``interval`` after each fetch; past the last step it is never fetched again
(unless the schedule ends with ``*:INTERVAL``, an interval for any age). Its age is counted from
``published_at``, else from ``first_seen_at``, to the fetch time.

Written as text (setting ``ARCHIVE_REVISIT_SCHEDULE``): comma-separated ``MAX_AGE:INTERVAL``
steps with growing ages, durations as an integer and a unit (``s``, ``m``, ``h``, ``d``, ``w``),
optionally ending with ``never`` (the default end) or ``*:INTERVAL``. The default,
``1d:1h,7d:1d,30d:7d``: hourly during the first day, daily during the first week, weekly
during the first month, then never. ``never`` alone: no article is ever revisited.

The schedule is one trigger; the other is the site saying an article changed: a sitemap's
``<lastmod>`` (or a feed item's date) later than what the archive knows of it
(:func:`modified_after`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

#: The default schedule (the migration that added ``next_visit_at`` backfills with it).
DEFAULT_SCHEDULE = "1d:1h,7d:1d,30d:7d"

NEVER = "never"
ANY_AGE = "*"

#: What a crawl fetches again (setting ``ARCHIVE_REVISIT``, spider argument ``revisit``): the
#: archived articles that are due by the schedule, or every archived article it finds.
REVISIT_DUE = "due"
REVISIT_ALL = "all"
REVISIT_MODES = (REVISIT_DUE, REVISIT_ALL)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+)\s*([smhdw])")


def parse_duration(text: str) -> timedelta:
    """``90m``, ``1h``, ``7d``, ``2w`` -> a positive timedelta; ``ValueError`` otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30m, 1h, 7d, 2w)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def format_duration(value: timedelta) -> str:
    """The text of a duration in its largest exact unit up to days: ``timedelta(days=7)``
    -> ``7d``, ``timedelta(minutes=90)`` -> ``90m``."""
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as the archive stores them (naive means UTC); ``None`` if unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


#: How far in the future a lastmod may be before it is taken for garbage.
LASTMOD_SLACK = timedelta(days=1)

_W3C_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_W3C_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)


def parse_lastmod(value: str | None, zone: tzinfo = timezone.utc) -> datetime | None:
    """The moment a sitemap ``<lastmod>`` or a feed date says; ``None`` if missing or
    unreadable (never an error).

    Sitemaps use W3C datetimes: ``2017-06-21``, ``2017-06``, ``2017-06-21T10:52+03:00``,
    ``2017-06-21T10:52:00.5Z``; feeds RFC 822 dates (``Wed, 21 Jun 2017 10:52:00 +0300``).
    One that names no zone (a date alone is its first moment) is read in ``zone``.
    """
    if not value:
        return None
    text = value.strip()
    try:
        if match := _W3C_DATE.fullmatch(text):
            year, month, day = match.groups()
            return datetime(int(year), int(month or 1), int(day or 1), tzinfo=zone)
        if match := _W3C_TIME.fullmatch(text):
            year, month, day, hour, minute, second, fraction, utc, sign, zh, zm = match.groups()
            if utc:
                zone = timezone.utc
            elif sign:
                offset = timedelta(hours=int(zh), minutes=int(zm))
                zone = timezone(-offset if sign == "-" else offset)
            micro = int((fraction or "0")[:6].ljust(6, "0"))
            date = (int(year), int(month), int(day))
            time = (int(hour), int(minute), int(second or 0), micro)
            return datetime(*date, *time, tzinfo=zone)
        if text[:1].isdigit():
            return None
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def modified_after(
    lastmod: str | None,
    page_dates: Iterable[str | None],
    seen_at: str | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Whether a site's ``lastmod`` for an archived page is later than what the archive has
    of it, i.e. the page was edited since: the page needs a fetch though not due.

    ``page_dates`` are the dates read on the page when it was last stored (published,
    modified): the latest is compared. They are on the site's clock, the one ``lastmod`` is on
    too, so the comparison holds however far the crawler's clock is from the site's and
    however long after the edit the crawl comes. Only for a page that gave no date does
    ``seen_at``, when it was last fetched, stand in.

    A ``lastmod`` that names no zone is read in the zone of that latest date (the site's,
    as its pages give it): a date alone is later only when it is a later day there. False
    (ignored) when ``lastmod`` is missing, unreadable or more than a day in the future (by
    the crawler's clock: no page can be due at every run for a bad date), or there is
    nothing to compare it with.
    """
    known = [t for t in map(parse_time, page_dates) if t is not None]
    if not known:
        known = [t for t in [parse_time(seen_at)] if t is not None]
    if not known:
        return False
    latest = max(known)
    modified = parse_lastmod(lastmod, latest.tzinfo or timezone.utc)
    if modified is None:
        return False
    if modified > (now or datetime.now(timezone.utc)) + LASTMOD_SLACK:
        return False
    return modified > latest


def format_time(value: datetime) -> str:
    """UTC, ISO 8601 with microseconds: the form of every ``*_at`` the archive writes."""
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


Step = tuple[timedelta, timedelta]


@dataclass(frozen=True)
class RevisitSchedule:
    """How often an article is fetched again, by age; see the module documentation."""

    steps: tuple[Step, ...]
    """``(max_age, interval)``, ages growing."""
    after: timedelta | None = None
    """The interval past the last step; ``None``: never again."""

    @classmethod
    def parse(
        cls, value: str | Sequence[Sequence[str]] | RevisitSchedule | None
    ) -> RevisitSchedule:
        """A schedule from its text form, from ``(max_age, interval)`` pairs of duration texts,
        or the default for ``None``. Raises ``ValueError`` with what is wrong."""
        if isinstance(value, RevisitSchedule):
            return value
        if value is None:
            value = DEFAULT_SCHEDULE
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            pairs = [part.split(":", 1) if ":" in part else [part] for part in parts]
        else:
            pairs = [[str(field) for field in pair] for pair in value]
        return cls._from_pairs(pairs, str(value))

    @classmethod
    def _from_pairs(cls, pairs: list[list[str]], text: str) -> RevisitSchedule:
        steps: list[Step] = []
        after: timedelta | None = None
        for position, pair in enumerate(pairs):
            last = position == len(pairs) - 1
            if len(pair) == 1 and pair[0].strip().lower() == NEVER and last:
                break
            if len(pair) != 2:
                raise ValueError(
                    f"revisit schedule {text!r}: {':'.join(pair)!r} is not AGE:INTERVAL"
                )
            age, interval = pair[0].strip(), parse_duration(pair[1])
            if age == ANY_AGE and last:
                after = interval
                break
            max_age = parse_duration(age)
            if steps and max_age <= steps[-1][0]:
                raise ValueError(
                    f"revisit schedule {text!r}: ages must grow ({age} after "
                    f"{format_duration(steps[-1][0])})"
                )
            steps.append((max_age, interval))
        return cls(tuple(steps), after)

    def __str__(self) -> str:
        parts = [f"{format_duration(age)}:{format_duration(every)}" for age, every in self.steps]
        parts.append(NEVER if self.after is None else f"{ANY_AGE}:{format_duration(self.after)}")
        return ",".join(parts)

    def interval(self, age: timedelta) -> timedelta | None:
        """How long after a fetch an article of this age is due again; ``None``: never."""
        for max_age, every in self.steps:
            if age < max_age:
                return every
        return self.after

    def next_visit(self, reference: str | None, fetched_at: str) -> str | None:
        """When an article fetched at ``fetched_at`` is next due (ISO 8601 UTC), ``None`` for
        never. ``reference`` is its ``published_at`` or ``first_seen_at``; unreadable or
        missing, the article counts as new."""
        fetched = parse_time(fetched_at)
        if fetched is None:
            raise ValueError(f"not an ISO 8601 time: {fetched_at!r}")
        start = parse_time(reference) or fetched
        every = self.interval(max(fetched - start, timedelta(0)))
        return None if every is None else format_time(fetched + every)
