"""Reading a sitemap's ``<lastmod>`` (or a feed item's date) and comparing it with what the
archive knows of an article: the trigger that finds an edit to an article not due."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.revisit import modified_after, parse_lastmod

MOSCOW = timezone(timedelta(hours=3))
UTC = timezone.utc
NOW = datetime(2017, 7, 1, tzinfo=UTC)
#: An article's dates as the archive stores them (read on its page, with the site's offset).
PUBLISHED = "2017-06-21T14:32:00+03:00"
MODIFIED = "2017-06-21T18:00:00+03:00"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2017-06-21", datetime(2017, 6, 21, tzinfo=UTC)),
        (" 2017-06-21\n", datetime(2017, 6, 21, tzinfo=UTC)),
        ("2017-06", datetime(2017, 6, 1, tzinfo=UTC)),
        ("2017", datetime(2017, 1, 1, tzinfo=UTC)),
        ("2017-06-21T10:52+03:00", datetime(2017, 6, 21, 10, 52, tzinfo=MOSCOW)),
        ("2017-06-21T10:52:30+0300", datetime(2017, 6, 21, 10, 52, 30, tzinfo=MOSCOW)),
        ("2017-06-21T07:52:00Z", datetime(2017, 6, 21, 7, 52, tzinfo=UTC)),
        ("2017-06-21T07:52:00.5z", datetime(2017, 6, 21, 7, 52, 0, 500000, tzinfo=UTC)),
        (
            "2017-06-21T02:52:00.123456789-05:00",
            datetime(2017, 6, 21, 7, 52, 0, 123456, tzinfo=UTC),
        ),
        ("2017-06-21 10:52:00", datetime(2017, 6, 21, 10, 52, tzinfo=UTC)),
        ("Wed, 21 Jun 2017 10:52:00 +0300", datetime(2017, 6, 21, 10, 52, tzinfo=MOSCOW)),
        ("Wed, 21 Jun 2017 07:52:00 GMT", datetime(2017, 6, 21, 7, 52, tzinfo=UTC)),
    ],
)
def test_w3c_and_rfc822_dates_are_read(text: str, moment: datetime) -> None:
    parsed = parse_lastmod(text)
    assert parsed is not None and parsed == moment and parsed.tzinfo is not None


def test_a_lastmod_naming_no_zone_is_read_in_the_zone_given() -> None:
    assert parse_lastmod("2017-06-21", MOSCOW) == datetime(2017, 6, 21, tzinfo=MOSCOW)
    assert parse_lastmod("2017-06-21T10:52", MOSCOW) == datetime(2017, 6, 21, 10, 52, tzinfo=MOSCOW)
    assert parse_lastmod("2017-06-21T10:52Z", MOSCOW) == datetime(2017, 6, 21, 10, 52, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "hier",
        "2017-13-01",
        "2017-02-30",
        "2017-06-21T24:30Z",
        "21/06/2017",
        "2017-06-21T10:52+25:00",
        "20170621",
        "Wed, 32 Jun 2017 10:52:00 +0300",
        "2017-06-21T",
    ],
)
def test_missing_or_garbled_lastmods_are_none(text: str | None) -> None:
    assert parse_lastmod(text) is None
    assert not modified_after(text, [PUBLISHED], now=NOW)


@pytest.mark.parametrize(
    ("lastmod", "later"),
    [
        (MODIFIED, False),  # what the archive has
        ("2017-06-21T15:00:00Z", False),  # the same moment
        ("2017-06-21T15:00:01Z", True),
        ("2017-06-21T18:00:01+03:00", True),
        ("2017-06-21T11:00:00-04:00", False),  # 18:00 in Moscow
        ("2017-06-21T11:00:01-04:00", True),
        ("2017-06-21T17:00:00+02:00", False),  # 18:00 in Moscow
        ("2017-06-21", False),  # a date alone: the archive's day, in the page's zone
        ("2017-06-22", True),  # the next day
        ("2017-06-21T18:30:00", True),  # no offset: the page's (+03:00)
        ("2017-06-21T17:30:00", False),
        ("Wed, 21 Jun 2017 18:30:00 +0300", True),
        ("2017-06-30T00:00:00Z", True),
        ("2017-07-03T00:00:00Z", False),  # later than tomorrow: garbage, ignored
    ],
)
def test_a_lastmod_is_later_than_the_latest_date_read_on_the_page(
    lastmod: str, later: bool
) -> None:
    assert (
        modified_after(lastmod, [PUBLISHED, MODIFIED], "2030-01-01T00:00:00+00:00", now=NOW)
        is later
    )
    assert modified_after(lastmod, [MODIFIED, None], now=NOW) is later


def test_without_a_date_on_the_page_the_last_fetch_stands_in() -> None:
    seen = "2017-06-25T10:00:00.123000+00:00"
    assert not modified_after("2017-06-25T09:00:00Z", [None, None], seen, now=NOW)
    assert modified_after("2017-06-25T11:00:00Z", [None, "garbled"], seen, now=NOW)
    assert not modified_after("2017-06-25", [], seen, now=NOW)  # the day it was fetched, in UTC
    assert modified_after("2017-06-26", [], seen, now=NOW)
    # Nothing known to compare with: ignored.
    assert not modified_after("2017-06-26", [None], None, now=NOW)


def test_now_defaults_to_the_clock() -> None:
    tomorrow = datetime.now(UTC) + timedelta(hours=12)
    assert modified_after(tomorrow.isoformat(), [PUBLISHED])
    assert not modified_after((tomorrow + timedelta(days=1)).isoformat(), [PUBLISHED])
