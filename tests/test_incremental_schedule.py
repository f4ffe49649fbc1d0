"""The revisit schedule: its text form, and when an article of a given age is due again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive import DEFAULT_SCHEDULE, RevisitSchedule
from archive.revisit import parse_duration, parse_time
from crawler import settings

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def test_the_default_is_hourly_then_daily_then_weekly_then_never() -> None:
    schedule = RevisitSchedule.parse(None)
    assert schedule == RevisitSchedule.parse(DEFAULT_SCHEDULE)
    assert settings.ARCHIVE_REVISIT_SCHEDULE == DEFAULT_SCHEDULE
    assert schedule.steps == ((DAY, HOUR), (7 * DAY, DAY), (30 * DAY, 7 * DAY))
    assert schedule.after is None
    assert [schedule.interval(age) for age in (0 * DAY, 23 * HOUR, DAY, 6 * DAY)] == [
        HOUR,
        HOUR,
        DAY,
        DAY,
    ]
    assert [schedule.interval(age) for age in (7 * DAY, 29 * DAY, 30 * DAY, 3000 * DAY)] == [
        7 * DAY,
        7 * DAY,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("text", "steps", "after", "shown"),
    [
        ("1d:1h,7d:1d,30d:7d", 3, None, "1d:1h,7d:1d,30d:7d,never"),
        (" 1d : 1h , 7d:1d , never ", 2, None, "1d:1h,7d:1d,never"),
        ("2h:15m,*:30d", 1, 30 * DAY, "2h:15m,*:30d"),
        ("never", 0, None, "never"),
        ("", 0, None, "never"),
        ("*:1h", 0, HOUR, "*:1h"),
        ("90m:30s,1w:2d", 2, None, "90m:30s,7d:2d,never"),
    ],
)
def test_text_forms(text: str, steps: int, after: timedelta | None, shown: str) -> None:
    schedule = RevisitSchedule.parse(text)
    assert (len(schedule.steps), schedule.after, str(schedule)) == (steps, after, shown)
    assert RevisitSchedule.parse(str(schedule)) == schedule


def test_pairs_form() -> None:
    assert RevisitSchedule.parse([("1d", "1h"), ("7d", "1d")]) == RevisitSchedule.parse(
        "1d:1h,7d:1d"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1d", "'1d' is not AGE:INTERVAL"),
        ("1d:1h,1h:1m", "ages must grow"),
        ("1d:0h", "not a duration: '0h'"),
        ("1d:soon", "not a duration: 'soon'"),
        ("never,1d:1h", "'never' is not AGE:INTERVAL"),
        ("*:1h,1d:1h", "not a duration: '*'"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RevisitSchedule.parse(text)


def test_next_visit_counts_age_from_the_reference_time() -> None:
    schedule = RevisitSchedule.parse(None)
    published = "2017-06-21T14:32:00+03:00"  # 11:32 UTC
    assert schedule.next_visit(published, "2017-06-21T12:00:00+00:00") == (
        "2017-06-21T13:00:00.000000+00:00"
    )
    assert schedule.next_visit(published, "2017-06-22T11:32:00Z") == (
        "2017-06-23T11:32:00.000000+00:00"
    )
    assert schedule.next_visit(published, "2017-07-21T11:32:00Z") is None
    # A publication time in the future, or none, counts as a new article.
    assert schedule.next_visit("2030-01-01T00:00:00Z", "2017-06-21T12:00:00Z") == (
        "2017-06-21T13:00:00.000000+00:00"
    )
    assert schedule.next_visit(None, "2017-06-21T12:00:00Z") == "2017-06-21T13:00:00.000000+00:00"
    with pytest.raises(ValueError):
        schedule.next_visit(published, "hier")


def test_durations_and_times() -> None:
    assert parse_duration("2w") == 14 * DAY
    assert parse_time("2017-06-21") is not None
    assert parse_time("2017-06-21T10:00:00") == parse_time("2017-06-21T10:00:00+00:00")
    assert parse_time("21/06/2017") is None and parse_time(None) is None
