"""The replica's sitemaps date every article by its last visible edit (``<lastmod>``), and a
daily sitemap whose content changed is served again, not "not modified": what an incremental
crawl relies on to find edits to articles it would not fetch otherwise.

Day 1 stays what it was: its sitemaps are in the pinned digests of test_mocksite_evolution.
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from mocksite.evolution import EDIT_KINDS
from mocksite.pages import Renderer
from mocksite.server import RunningSite, start
from mocksite.site import END_DATE, Site

BASE = "http://replica.test:8080"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VISIBLE_EDITS = set(EDIT_KINDS) - {"whitespace_only"}


def lastmods(site: Site) -> dict[str, str]:
    """Article path -> ``<lastmod>`` over every daily sitemap the site serves."""
    r = Renderer(site, BASE)
    found: dict[str, str] = {}
    first = site.first_days_back
    for days_back in range(first, first + site.day_count()):
        for url in ET.fromstring(r.sitemap_day(days_back)).iter(f"{SM}url"):
            found[urlsplit(url.findtext(f"{SM}loc") or "").path] = (
                url.findtext(f"{SM}lastmod") or ""
            )
    return found


def edited_on(site: Site, day: int) -> set[int]:
    return {int(c["index"]) for c in site.changes(day) if c["kind"] in VISIBLE_EDITS}


@pytest.mark.parametrize("change_rate", [None, 0.01])
def test_an_article_lastmod_moves_on_the_day_of_each_visible_edit(
    change_rate: float | None,
) -> None:
    days = {day: Site(1000, seed=5, day=day, change_rate=change_rate) for day in (1, 2, 3)}
    sitemaps = {day: lastmods(site) for day, site in days.items()}
    for day in (2, 3):
        site, before = days[day], days[day - 1]
        edited = edited_on(site, day)
        assert edited
        whitespace = {c["index"] for c in site.changes(day) if c["kind"] == "whitespace_only"}
        assert whitespace - edited
        moved = set()
        for index in range(before.articles_on()):
            path = site.url_path(index)
            assert path == before.url_path(index)  # an edit keeps the URL
            if sitemaps[day][path] != sitemaps[day - 1][path]:
                moved.add(index)
        assert moved == edited
        for index in edited:
            lastmod = datetime.fromisoformat(sitemaps[day][site.url_path(index)])
            assert lastmod.date() == END_DATE + timedelta(days=day - 1)
            assert lastmod > datetime.fromisoformat(sitemaps[day - 1][site.url_path(index)])
        # Every article of the day listed, dated as its page dates it (modified, else published).
        assert len(sitemaps[day]) == site.articles_on()
        for index in range(0, site.articles_on(), 7):
            truth = site.article(index)
            assert sitemaps[day][truth["url_path"]] == (
                truth["modified_at"] or truth["published_at"]
            )


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSite]:
    with start(articles=300, seed=7) as site:
        yield site


def get(site: RunningSite, target: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(site.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_daily_sitemap_whose_lastmods_changed_is_not_answered_not_modified(
    running: RunningSite,
) -> None:
    day1 = running.set_day(1)
    first = day1.first_days_back
    targets = {
        days_back: f"/sitemap_article_index.xml?date={day1.day_date(days_back):%Y%m%d}"
        for days_back in range(first, first + day1.day_count())
    }
    validators = {}
    for days_back, target in targets.items():
        status, headers, _ = get(running, target)
        assert status == 200
        validators[days_back] = headers["etag"], headers["last-modified"]
    day2 = running.set_day(2)
    edited = edited_on(day2, 2)
    changed = {day2.day_of(index)[0] for index in edited}
    assert changed and set(targets) - changed
    try:
        for days_back, target in targets.items():
            etag, modified = validators[days_back]
            status, headers, body = get(running, target, **{"If-None-Match": etag})
            by_date, _, _ = get(running, target, **{"If-Modified-Since": modified})
            if days_back in changed:
                assert (status, by_date) == (200, 200), target
                assert headers["etag"] != etag and headers["last-modified"] != modified
                assert body == Renderer(day2, running.base_url).sitemap_day(days_back).encode()
            else:
                assert (status, by_date) == (304, 304), target
    finally:
        running.set_day(1)
