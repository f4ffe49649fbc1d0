"""Times for reading: the archive's ISO 8601 times as the read commands print them.

A time is printed to the second, in the zone it was recorded in, with that zone named:
``2026-12-07 21:40:03 UTC`` for the archive's own times (always UTC), ``2017-06-21 14:32:00
+03:00`` for a publication time the site gave with its offset. A time recorded without a
zone (a site that gave none) is printed without one. ``--json`` keeps the ISO 8601 string.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def for_reading(value: str) -> str | None:
    """``value`` as the read commands print it, ``None`` when it is not an ISO 8601 time."""
    if len(value) < 19 or value[10:11] != "T":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    shown = moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is None:
        return shown
    if offset == timedelta(0):
        return f"{shown} UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{shown} {sign}{minutes // 60:02d}:{minutes % 60:02d}"
