"""The replica's sitemaps date every article by its last visible edit (``<lastmod>``), the
index dates each monthly sitemap by the newest of its articles', and a sitemap whose content
changed is served again, not "not modified": what an incremental crawl relies on to find edits
to articles it would not fetch otherwise.
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from mocksite import sitemaps
from mocksite.evolution import EDIT_KINDS
from mocksite.server import RunningSite, start
from mocksite.site import END_DATE, Site

BASE = "http://replica.test:8080"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VISIBLE_EDITS = set(EDIT_KINDS) - {"whitespace_only"}


def lastmods(site: Site) -> dict[str, str]:
    """Article path -> ``<lastmod>`` over every monthly sitemap the site serves."""
    found: dict[str, str] = {}
    for month in sitemaps.months(site):
        indices = sitemaps.articles_between(site, month.start, month.end)
        for url in ET.fromstring(sitemaps.article_sitemap(site, BASE, indices)).iter(f"{SM}url"):
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
            listed = datetime.fromisoformat(sitemaps[day][truth["url_path"]])
            # the same instant (the truth gives it with the offset its page gives)
            assert listed == datetime.fromisoformat(truth["modified_at"] or truth["published_at"])


@pytest.mark.parametrize("day", [1, 2, 3])
def test_the_index_dates_each_month_by_the_newest_lastmod_of_its_articles(day: int) -> None:
    site = Site(1000, seed=5, day=day)
    months = sitemaps.months(site)
    assert [(m.start.isoformat(), m.end.isoformat()) for m in months] == [
        ("2017-06-01", (END_DATE + timedelta(days=day - 1)).isoformat()),
        ("2017-05-01", "2017-05-31"),
    ]
    for month in months:
        indices = sitemaps.articles_between(site, month.start, month.end)
        assert month.lastmod == max(site.meta(i).lastmod for i in indices)
        # What the index computes it with: the lastmod without the rest of the article.
        assert [site.lastmod(i) for i in indices] == [site.meta(i).lastmod for i in indices]


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


def test_a_sitemap_whose_lastmods_changed_is_not_answered_not_modified(
    running: RunningSite,
) -> None:
    """The month's sitemap of day 1, and the sitemaps of single days (public crawlers ask for
    those), asked for again on day 2 with their validators."""
    day1 = running.set_day(1)
    spans = [(month.start, month.end) for month in sitemaps.months(day1)]
    first = day1.first_days_back
    for days_back in range(first, first + day1.day_count()):
        spans.append((day1.day_date(days_back), day1.day_date(days_back)))
    validators = {}
    for span in spans:
        status, headers, _ = get(running, sitemaps.sitemap_path(*span))
        assert status == 200
        validators[span] = headers["etag"], headers["last-modified"]
    day2 = running.set_day(2)
    edited = edited_on(day2, 2)
    changed = {span for span in spans if edited & set(sitemaps.articles_between(day2, *span))}
    assert changed and set(spans) - changed
    try:
        for span in spans:
            target = sitemaps.sitemap_path(*span)
            etag, modified = validators[span]
            status, headers, body = get(running, target, **{"If-None-Match": etag})
            by_date, _, _ = get(running, target, **{"If-Modified-Since": modified})
            if span in changed:
                assert (status, by_date) == (200, 200), target
                assert headers["etag"] != etag and headers["last-modified"] != modified
                indices = sitemaps.articles_between(day2, *span)
                assert body == sitemaps.article_sitemap(day2, running.base_url, indices).encode()
            else:
                assert (status, by_date) == (304, 304), target
    finally:
        running.set_day(1)
