"""The replica over days: new articles, edits, unpublishing; planted duplicates; bad text.

Day 1 without faults must stay byte for byte what the replica served before days existed:
digests of its ground truth and pages were taken from that version and are pinned here.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from mocksite import faults, sitemaps
from mocksite.evolution import CHANGE_KINDS, EDIT_KINDS, GONE_KINDS
from mocksite.pages import Renderer
from mocksite.server import RunningSite, start
from mocksite.site import END_DATE, RUBRIQUE_SLUGS, Site
from mocksite.text import jaccard

from .test_mocksite import ROOT, Client, extract, fold, launch, locs, rss_links, stop

N = 1000
BASE = "http://replica.test:8080"
ALL_KINDS = set(CHANGE_KINDS)
VISIBLE_EDITS = set(EDIT_KINDS) - {"whitespace_only"}


# ---- helpers -------------------------------------------------------------------------


def digests(site: Site) -> tuple[str, str, str]:
    """sha256 of every ground-truth dict, of every 7th article page, of every listing."""
    r = Renderer(site, BASE)
    truth, pages, lists = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    for i in range(site.articles):
        truth.update(json.dumps(site.article(i), sort_keys=True, ensure_ascii=False).encode())
    for i in range(0, site.articles, 7):
        pages.update(r.article(i).encode())
    months = sitemaps.months(site)
    index = sitemaps.article_index(BASE, months)
    for page in (r.home(), r.rss(), index, r.not_found()):
        lists.update(page.encode())
    for rubrique in range(8):
        for page in range(1, site.rubrique_pages(rubrique) + 1):
            lists.update(r.rubrique(rubrique, page).encode())
    for month in months:
        indices = sitemaps.articles_between(site, month.start, month.end)
        lists.update(sitemaps.article_sitemap(site, BASE, indices).encode())
    for days_back in range(site.day_count()):
        lists.update(r.day(days_back).encode())
    return truth.hexdigest(), pages.hexdigest(), lists.hexdigest()


def text_of(truth: dict[str, Any]) -> str:
    return " ".join((truth["title"], truth["lead"], truth["body"]))


def by_kind(changes: list[dict[str, Any]]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for change in changes:
        found.setdefault(change["kind"], []).append(change["index"])
    return found


def shown_text(html: bytes | str) -> tuple[str, str, str]:
    """(title, lead, body) of an article page of either layout, from its classes."""
    doc = lxml.html.fromstring(html)
    title = doc.xpath("//h1")[0].text_content()
    legacy = doc.cssselect(".b-article__text")
    if legacy:
        lead = doc.cssselect(".b-article__lead")[0].text_content()
        paragraphs = [
            p.text_content() for p in doc.cssselect(".b-article__text > p:not(.b-disclaimer)")
        ]
        paragraphs = [p for p in paragraphs if not p.startswith("Lire aussi")]
    else:
        lead = doc.cssselect(".article__announce-text")[0].text_content()
        blocks = doc.cssselect('.article__block[data-type="text"] .article__text')
        paragraphs = [p.text_content() for p in blocks]
    return title, lead, "\n\n".join(paragraphs)


def canonical(html: bytes | str) -> str | None:
    hrefs = lxml.html.fromstring(html).xpath('//link[@rel="canonical"]/@href')
    return hrefs[0] if hrefs else None


def client_for(url: str) -> Client:
    parts = urlsplit(url)
    return Client(f"{parts.scheme}://{parts.netloc}")


def target_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def days() -> dict[int, Site]:
    return {day: Site(N, seed=1, day=day) for day in (1, 2, 3)}


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSite]:
    with start(articles=N, seed=1) as site:
        yield site


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningSite]:
    with start(articles=N, seed=1, faults=True) as site:
        yield site


# ---- day 1 is the replica as it was --------------------------------------------------

#: taken from the replica before it had days (commit ce00b40), with ``digests()`` above;
#: the article pages' and ground truth's retaken when the legacy markup was made to follow
#: the real pages (the truth's legacy times now in UTC, as those pages give them); the
#: listings' retaken when they came to hold the article index and monthly sitemaps the
#: replica serves instead of the daily ones it no longer serves (pages and truth unchanged);
#: the article pages' retaken when some current-layout texts came to hold a photo (truth
#: and listings unchanged)
DAY_ONE = {
    (1000, 1): (
        "61afa4a45cb8208868298d079ebb709e80875bf2e83119bd8f1f5a02c38de70f",
        "de7737bea4b779ec9d03ef4fee810132816e5161a53398b4f3a035552fe44d20",
        "04b240f476f9cf6db4b46a65624023953d0675686509b0e4a88a0fb15f676b3e",
    ),
    (200, 1): (
        "fcea2af7160377537380a2758a180216e19e2d0f20f34fd30c01b489f34cfd7f",
        "dc8b489b72d61d61590ed8eb9e25d3f04987f28253be003418bec8aec6a71f74",
        "fabcea531e0ae8d99290f13f87d945260732442c49fae02ec5a060e98098cdcf",
    ),
    (333, 7): (
        "fae273e4483d99403b0f684c4795018ab2c1818d8956baa6c3348693252229ce",
        "51601529fb7e648bc15a52d9647cc1c44d145cf8830bf4266f40f6e82ae5b06a",
        "16c827b90b8f4937b5f5db59a52fc2e61a8fe0c517a0b83e425deffd172b0719",
    ),
}


@pytest.mark.parametrize(("articles", "seed"), sorted(DAY_ONE))
def test_day_one_without_faults_is_the_replica_as_it_was(articles: int, seed: int) -> None:
    site = Site(articles, seed=seed, day=1, faults=False)
    assert digests(site) == DAY_ONE[articles, seed]
    assert site.changes(1) == [] and site.articles_on() == articles
    assert all(site.status(i) == (200, None) for i in range(articles))


def test_day_one_is_served_as_rendered(running: RunningSite, days: dict[int, Site]) -> None:
    plain = Renderer(Site(N), running.base_url)
    client = Client(running.base_url)
    for i in range(0, N, 41):
        assert days[1].article(i) == Site(N).article(i)
        assert client.ok(days[1].url_path(i)) == plain.article(i).encode("utf-8")
    assert client.ok("/") == plain.home().encode("utf-8")
    assert client.ok("/export/rss2/archive/index.xml") == plain.rss().encode("utf-8")
    client.close()


# ---- the model over days -------------------------------------------------------------


def test_days_are_deterministic() -> None:
    one, again, other = Site(N, day=3), Site(N, day=3), Site(N, seed=2, day=3)
    assert one.changes(2) == again.changes(2) and one.changes(3) == again.changes(3)
    sample = range(0, one.articles_on(), 13)
    assert [one.article(i) for i in sample] == [again.article(i) for i in sample]
    assert [one.history(i) for i in sample] == [again.history(i) for i in sample]
    assert [one.status(i) for i in sample] == [again.status(i) for i in sample]
    assert one.planted_duplicates() == again.planted_duplicates()
    r1, r2 = Renderer(one, BASE), Renderer(again, BASE)
    assert all(r1.article(i) == r2.article(i) for i in range(0, one.articles_on(), 97))
    assert one.changes(2) != other.changes(2)
    assert one.planted_duplicates() != other.planted_duplicates()


@pytest.mark.parametrize("articles", [N, 200])
def test_every_kind_of_change_happens_on_days_two_and_three(articles: int) -> None:
    site = Site(articles, day=3)
    two, three = by_kind(site.changes(2)), by_kind(site.changes(3))
    assert set(two) == ALL_KINDS - {"returned"}  # nothing was gone on day 1
    assert set(three) == ALL_KINDS
    per_day = max(1, articles // 50)
    assert len(two["new"]) == len(three["new"]) == per_day
    assert site.articles_on(1) == articles and site.articles_on(3) == articles + 2 * per_day
    for changes in (two, three):
        assert all(len(changes[kind]) >= 2 for kind in EDIT_KINDS)
        assert all(len(changes[kind]) >= 1 for kind in GONE_KINDS)
        edits = sum(len(changes[kind]) for kind in EDIT_KINDS)
        assert 0.02 * articles <= edits <= 0.06 * articles  # a few percent
    for day in (2, 3):
        indices = [c["index"] for c in site.changes(day)]
        assert not any(site.protected(i) for i in indices)
        assert all(i not in (0, 1, 2, 3, 4) for i in indices)


def test_a_change_rate_sets_how_much_changes_a_day() -> None:
    articles = 10_000
    site = Site(articles, day=3, change_rate=0.01)
    assert site.article(7) == Site(articles).article(7)  # day 1 is the same site
    for day in (2, 3):
        changes = by_kind(site.changes(day))
        new = len(changes["new"])
        edited = {i for kind in EDIT_KINDS for i in changes.get(kind, [])}
        gone = sum(len(changes.get(kind, [])) for kind in GONE_KINDS)
        # 1%: half new, half edited (and an article coming back edited on day 3)
        assert new == 50 and 50 <= len(edited) <= 55
        assert all(len(changes[kind]) >= 10 for kind in EDIT_KINDS)
        assert 1 <= gone <= 0.002 * articles
    assert site.articles_on(3) == articles + 100
    assert "change_rate=0.01" in repr(site.on_day(2))
    with pytest.raises(ValueError):
        Site(10, change_rate=0)


def test_cli_serves_the_days_of_a_change_rate() -> None:
    process, base = launch("--port", "0", "--articles", "300", "--day", "2", "--change-rate", "0.1")
    try:
        site = Site(300, day=2, change_rate=0.1)
        assert site.articles_on() == 315
        client = Client(base)
        newest = site.articles_on() - 1
        assert extract(client.ok(site.url_path(newest)))["title"] == site.article(newest)["title"]
        client.close()
    finally:
        assert stop(process) == 0
    refused = subprocess.run(
        [sys.executable, "-m", "mocksite", "--change-rate", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 2


def test_history_status_and_changes_agree(days: dict[int, Site]) -> None:
    site = days[3]
    from_history = Counter(
        (day, kind) for i in range(site.articles_on()) for day, kind in site.history(i)
    )
    from_changes = Counter((day, c["kind"]) for day in (2, 3) for c in site.changes(day))
    assert from_history == from_changes
    for i in range(site.articles_on()):
        history = site.history(i)
        gone = [kind for _, kind in history if kind in GONE_KINDS]
        back = [day for day, kind in history if kind == "returned"]
        status, location = site.status(i)
        if gone and not back:
            expected = {"gone_404": 404, "gone_410": 410, "gone_451": 451, "redirected": 301}
            assert status == expected[gone[0]]
            assert (location is not None) == (status == 301)
        else:
            assert (status, location) == (200, None)
        assert history == sorted(history, key=lambda change: change[0])
        if i < days[2].articles_on():
            assert [c for c in history if c[0] <= 2] == days[2].history(i)


def test_edits_show_in_ground_truth_and_served_pages(days: dict[int, Site]) -> None:
    before, after = days[1], days[2]
    renderer = Renderer(after, BASE)
    changed = by_kind(after.changes(2))
    for kind in EDIT_KINDS:
        for i in changed[kind]:
            old, new = before.article(i), after.article(i)
            differs = {key for key in old if old[key] != new[key]}
            html = renderer.article(i)
            old_html = Renderer(before, BASE).article(i)
            assert html != old_html, (kind, i)
            if kind == "whitespace_only":
                # only whitespace inside the text changes: it folds to the same text
                assert differs == set()
                page, old_page = extract(html), extract(old_html)
                for field in new.keys() - {"index"}:
                    if field in ("lead", "body"):
                        assert fold(page[field]) == fold(new[field]), (i, field)
                    else:
                        assert page[field] == new[field], (i, field)
                assert (page["lead"], page["body"]) != (new["lead"], new["body"])
                assert (page["_og"], page["_ld"]) == (old_page["_og"], old_page["_ld"])
                continue
            page = extract(html)
            for field in new.keys() - {"index"}:
                assert page[field] == new[field], (kind, i, field)
            edited = datetime.fromisoformat(new["modified_at"])
            assert edited.date() == END_DATE + timedelta(days=1)
            if page["layout"] == "current":
                assert page["_og"]["article:modified_time"] == new["modified_at"]
                assert "dateModified" in page["_ld"]
            else:  # microdata, in UTC
                utc = page["_doc"].xpath('//meta[@itemprop="dateModified"]/@content')[0]
                assert datetime.fromisoformat(utc.replace("Z", "+00:00")) == edited
            expected = {
                "corrected_paragraph": {"body"},
                "new_title": {"title"},
                "tags_changed": {"tags"},
                "paragraph_added": {"body"},
            }[kind]
            if kind == "new_title" and old["image_url"] and after.photo_changes(i, 2):
                expected = expected | {"image_url"}  # a new photo, under a new path
                assert new["image_url"] != old["image_url"]
            assert differs == expected | {"modified_at"}, (kind, i, differs)
            if kind == "corrected_paragraph":
                old_paragraphs, new_paragraphs = (
                    old["body"].split("\n\n"),
                    new["body"].split("\n\n"),
                )
                assert len(old_paragraphs) == len(new_paragraphs)
                assert sum(a != b for a, b in zip(old_paragraphs, new_paragraphs, strict=True)) == 1
            if kind == "paragraph_added":
                assert new["body"].startswith(old["body"] + "\n\n")
            if kind == "new_title":
                assert new["url_path"] == old["url_path"]


def test_edits_accumulate_over_days(days: dict[int, Site]) -> None:
    two, three = days[2], days[3]
    edited_on_two = {
        c["index"] for c in two.changes(2) if c["kind"] in VISIBLE_EDITS | {"whitespace_only"}
    }
    quiet_on_three = edited_on_two - {c["index"] for c in three.changes(3)}
    assert quiet_on_three
    for i in quiet_on_three:
        assert three.article(i) == two.article(i)
        assert Renderer(three, BASE).article(i) == Renderer(two, BASE).article(i)
    # over more days some articles are edited twice, the later edit on top of the earlier
    later = Site(N, day=8)
    twice = [
        i
        for i in range(later.articles_on())
        if sum(kind in VISIBLE_EDITS for _, kind in later.history(i)) >= 2
    ]
    assert twice
    for i in twice[:5]:
        first, second = [day for day, kind in later.history(i) if kind in VISIBLE_EDITS][:2]
        at_first = Site(N, day=first).article(i)
        assert Site(N, day=second - 1).article(i) == at_first
        assert Site(N, day=second).article(i) != at_first


def test_seed_article_and_its_related_never_change() -> None:
    first = Site(N)
    pages = {i: Renderer(first, BASE).article(i) for i in range(5)}
    for day in (2, 3, 5, 9):
        site = Site(N, day=day)
        for i in range(5):
            assert site.article(i) == first.article(i)
            assert site.status(i) == (200, None) and site.history(i) == []
            assert Renderer(site, BASE).article(i) == pages[i]


def test_new_articles_are_dated_after_the_newest_and_listed(days: dict[int, Site]) -> None:
    site = days[3]
    newest_before = datetime.fromisoformat(days[1].article(0)["published_at"])
    fresh = [c["index"] for day in (2, 3) for c in site.changes(day) if c["kind"] == "new"]
    assert fresh == list(range(N, N + 40))
    renderer = Renderer(site, BASE)
    for i in fresh:
        truth = site.article(i)
        published = datetime.fromisoformat(truth["published_at"])
        assert published > newest_before
        assert published.date() == END_DATE + timedelta(days=site.history(i)[0][0] - 1)
        assert site.index_for_path(truth["url_path"]) == i
        assert site.index_for_path(site.short_path(i)) == i
        assert days[2].index_for_path(truth["url_path"]) == (i if i < N + 20 else None)
        assert days[1].index_for_path(truth["url_path"]) is None
        page = extract(renderer.article(i))
        assert {k: page[k] for k in truth.keys() - {"index"}} == {
            k: truth[k] for k in truth.keys() - {"index"}
        }
        for link in truth["related"]:
            assert site.index_for_path(link["path"]) is not None
    # newest first everywhere: home, RSS, the day's sitemap and archive page
    assert site.newest(40) == sorted(fresh, reverse=True)
    home = lxml.html.fromstring(renderer.home())
    hrefs = [urlsplit(a.get("href")).path for a in home.cssselect(".b-list a")]
    assert hrefs == [site.url_path(i) for i in sorted(fresh, reverse=True)][:30]
    assert rss_links(renderer.rss().encode())[0] == BASE + site.url_path(N + 39)
    day3 = END_DATE + timedelta(days=2)
    assert site.days_back(day3) == -2 and site.days_back(day3 + timedelta(days=1)) is None
    day_sitemap = sitemaps.articles_between(site, day3, day3)
    listed = locs(sitemaps.article_sitemap(site, BASE, day_sitemap).encode(), "url")
    assert listed == [BASE + site.url_path(i) for i in range(N + 39, N + 19, -1)]
    months = sitemaps.months(site)
    months_listed = locs(sitemaps.article_index(BASE, months).encode(), "sitemap")
    assert len(months_listed) == len(sitemaps.months(days[1]))
    # The current month's sitemap ends on the site's newest day.
    assert months_listed[0].endswith(f"date_start=20170601&date_end={day3:%Y%m%d}")
    assert months[0].lastmod == max(site.meta(i).lastmod for i in range(site.articles_on()))


def test_listings_cover_every_article_once_on_a_later_day(days: dict[int, Site]) -> None:
    site = days[3]
    renderer = Renderer(site, BASE)
    in_rubriques: Counter[str] = Counter()
    for rubrique in range(8):
        for page in range(1, site.rubrique_pages(rubrique) + 1):
            doc = lxml.html.fromstring(renderer.rubrique(rubrique, page))
            in_rubriques.update(a.get("href") for a in doc.cssselect(".b-list a"))
    in_sitemaps: Counter[str] = Counter()
    for month in sitemaps.months(site):
        indices = sitemaps.articles_between(site, month.start, month.end)
        body = sitemaps.article_sitemap(site, BASE, indices).encode()
        in_sitemaps.update(url.removeprefix(BASE) for url in locs(body, "url"))
    paths = set(site.article_paths())
    assert len(paths) == site.articles_on() == N + 40
    assert set(in_rubriques.values()) == set(in_sitemaps.values()) == {1}
    assert set(in_rubriques) == set(in_sitemaps) == paths


# ---- the server over days ------------------------------------------------------------


def test_set_day_serves_edits_and_unpublishing_at_the_same_urls(running: RunningSite) -> None:
    base, mobile = running.base_url, running.mobile_base_url
    client = Client(base)
    try:
        day1 = running.site
        three = Site(N, day=3)
        tracked = three.changes(2) + three.changes(3)
        edited = [c["index"] for c in three.changes(2) if c["kind"] in VISIBLE_EDITS]
        before = {i: client.ok(day1.url_path(i)) for i in edited}
        gone_two = [c["index"] for c in tracked if c["kind"] in GONE_KINDS]

        assert running.set_day(2).day == 2 and running.day == 2
        assert (running.base_url, running.mobile_base_url) == (base, mobile)
        for i in edited:
            after = client.ok(day1.url_path(i))
            assert after != before[i]
            assert extract(after)["body"] == running.site.article(i)["body"]
        for i in gone_two[:4]:
            assert client.get(day1.url_path(i))[0] != 200

        running.set_day(3)
        site = running.site
        for change in tracked:
            i = change["index"]
            status, location = site.status(i)
            got, headers, body = client.get(site.url_path(i))
            assert got == status, (change, got)
            if status == 301:
                assert headers["location"] == base + location
                assert location == "/" or location.strip("/") in RUBRIQUE_SLUGS
            elif status in (410, 451):
                assert headers["content-type"].startswith("text/html")
                assert b"Sputnik" in body
            elif status == 200:
                assert extract(body)["title"] == site.article(i)["title"]
        returned = [c["index"] for c in site.changes(3) if c["kind"] == "returned"]
        assert returned
        for i in returned:
            assert client.get(site.url_path(i))[0] == 200
            assert Site(N, day=2).status(i)[0] != 200
        still_gone = [i for i in gone_two if site.status(i)[0] != 200]
        assert still_gone and all(client.get(site.url_path(i))[0] != 200 for i in still_gone)
        new = N + 45
        assert client.get(Site(N, day=4).url_path(new))[0] == 404  # not published yet
        running.set_day(1)
        assert all(client.ok(day1.url_path(i)) == before[i] for i in edited)
        assert client.get(day1.url_path(gone_two[0]))[0] == 200
    finally:
        running.set_day(1)
        client.close()


def test_set_day_is_safe_while_pages_are_being_fetched(running: RunningSite) -> None:
    site = running.site
    i = next(c["index"] for c in Site(N, day=2).changes(2) if c["kind"] == "new_title")
    path = site.url_path(i)
    client = Client(running.base_url)
    versions = {client.ok(path)}
    running.set_day(2)
    versions.add(client.ok(path))
    running.set_day(1)
    client.close()
    assert len(versions) == 2
    seen: list[bytes] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        each = Client(running.base_url)
        try:
            for _ in range(30):
                seen.append(each.ok(path))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            each.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for day in (2, 1) * 10:
        running.set_day(day)
    for thread in threads:
        thread.join(timeout=30)
    running.set_day(1)
    assert not errors and len(seen) == 120
    assert set(seen) <= versions


# ---- planted duplicates --------------------------------------------------------------


def test_planted_duplicates_ground_truth(days: dict[int, Site]) -> None:
    site = days[1]
    planted = site.planted_duplicates()
    kinds = Counter(p["kind"] for p in planted)
    assert set(kinds) == {"tracking", "amp", "mobile", "copy", "syndicated"}
    assert all(0.025 * N <= count <= 0.04 * N for count in kinds.values()), kinds
    assert all(p["original_index"] >= 5 for p in planted)
    assert len({p["original_index"] for p in planted}) == len(planted)
    for p in planted:
        assert p["expected"] == ("near_duplicate" if p["kind"] == "syndicated" else "alias")
        assert p["host"] == ("mobile" if p["kind"] == "mobile" else "main")
        assert site.duplicate_kind(p["original_index"]) == p["kind"]
        assert site.protected(p["original_index"])
        assert p["url"].startswith("/")
    # the same on every day
    assert days[3].planted_duplicates() == planted


def test_planted_duplicates_are_served_as_planted(running: RunningSite) -> None:
    site = running.site
    assert running.mobile_host, "127.0.0.2 could not be bound here"
    clients: dict[str, Client] = {}
    seen: Counter[str] = Counter()
    try:
        for planted in running.planted_duplicates():
            url = planted["absolute_url"]
            netloc = urlsplit(url).netloc
            client = clients.setdefault(netloc, client_for(url))
            status, headers, body = client.get(target_of(url))
            assert status == 200, url
            assert headers["content-type"] == "text/html; charset=utf-8"
            i, kind = planted["original_index"], planted["kind"]
            truth = site.article(i)
            original = running.base_url + truth["url_path"]
            seen[kind] += 1
            doc = lxml.html.fromstring(body)
            ld = doc.xpath('//script[@type="application/ld+json"]/text()')
            if kind == "tracking":
                assert urlsplit(url).query
                assert canonical(body) == original
                assert body == client.ok(truth["url_path"])
            elif kind == "amp":
                assert b"<html amp" in body and b"<script" not in body
                assert canonical(body) == original
                assert doc.cssselect("h1")[0].text_content() == truth["title"]
                assert doc.cssselect(".amp-article__lead")[0].text_content() == truth["lead"]
                paragraphs = [p.text_content() for p in doc.cssselect(".amp-article__body p")]
                assert "\n\n".join(paragraphs) == truth["body"]
            elif kind == "mobile":
                assert netloc == urlsplit(running.mobile_base_url).netloc
                assert urlsplit(url).hostname == "127.0.0.2"
                assert canonical(body) == original
                assert "m-mobile" in doc.body.get("class")
                page = extract(body)
                assert {k: page[k] for k in truth.keys() - {"index"}} == {
                    k: truth[k] for k in truth.keys() - {"index"}
                }
            elif kind == "copy":
                assert canonical(body) is None
                assert not doc.xpath('//meta[@property="og:url"]')
                assert not doc.cssselect("[itemprop=mainEntityOfPage]")
                data = json.loads(ld[0]) if ld else {}
                assert "mainEntityOfPage" not in data and "url" not in data
                page = extract(body.replace(b"<head>", b'<head><link rel="canonical" href="/">'))
                for field in ("title", "lead", "body", "tags", "authors", "published_at"):
                    assert page[field] == truth[field]
            else:
                assert canonical(body) == url != original
                near = site.planted_article(i)
                title, lead, text = shown_text(body)
                assert (title, lead, text) == (near["title"], near["lead"], near["body"])
                assert text != truth["body"]
                assert jaccard(text_of(truth), " ".join((title, lead, text))) >= 0.6
                assert not doc.cssselect(".b-article__short-url, .article__short")
    finally:
        for client in clients.values():
            client.close()
    assert set(seen) == {"tracking", "amp", "mobile", "copy", "syndicated"}


def test_other_paths_of_the_duplicate_kinds_are_not_found(running: RunningSite) -> None:
    site = running.site
    plain = next(i for i in range(5, N) if site.duplicate_kind(i) is None)
    client = Client(running.base_url)
    for target in (
        "/amp" + site.url_path(plain),
        f"/archives/{site.article_id(plain)}/",
        f"/partenaires/x-{site.article_id(plain)}.html",
        "/partenaires/?page=999",
    ):
        assert client.get(target)[0] == 404, target
    client.close()


def test_duplicates_are_discoverable_from_day_two(days: dict[int, Site]) -> None:
    one, two = Renderer(days[1], BASE), Renderer(days[2], BASE, mobile_base="http://m.test")
    assert "b-partners" not in one.home()
    home = lxml.html.fromstring(two.home())
    assert home.cssselect(".b-partners a") and home.xpath('//a[@href="/partenaires/"]')
    listed = set()
    for page in range(1, two.partner_pages() + 1):
        doc = lxml.html.fromstring(two.partners(page))
        listed.update(a.get("href") for a in doc.cssselect(".b-partners__list a"))
    expected = {
        ("http://m.test" if p["host"] == "mobile" else BASE) + p["url"]
        for p in days[2].planted_duplicates()
    }
    assert listed == expected
    site = days[2]
    rss = rss_links(two.rss().encode())
    tracked = [i for i in site.newest(50) if site.duplicate_kind(i) == "tracking"]
    assert tracked and all(BASE + site.duplicate_url(i) in rss for i in tracked)
    assert rss_links(one.rss().encode()) == [BASE + days[1].url_path(i) for i in range(50)]


def test_unrelated_articles_are_not_near_duplicates(days: dict[int, Site]) -> None:
    site = days[3]
    rng = random.Random(5)
    texts = {i: text_of(site.article(i)) for i in range(site.articles_on())}
    pairs = [tuple(rng.sample(sorted(texts), 2)) for _ in range(300)]
    assert max(jaccard(texts[a], texts[b]) for a, b in pairs) < 0.3
    syndicated = [
        p["original_index"] for p in site.planted_duplicates() if p["kind"] == "syndicated"
    ]
    for i in syndicated:
        near = text_of(site.planted_article(i))
        assert jaccard(near, texts[i]) >= 0.6
        others = rng.sample([j for j in texts if j != i], 20)
        assert max(jaccard(near, texts[j]) for j in others) < 0.3


def test_mobile_pages_under_a_prefix_when_no_mobile_host() -> None:
    with start(articles=60, seed=1, mobile=False) as running:
        assert not running.mobile_host
        assert running.mobile_base_url == running.base_url + "/m"
        site = running.site
        i = next(p["original_index"] for p in site.planted_duplicates() if p["kind"] == "mobile")
        client = Client(running.base_url)
        [planted] = [p for p in running.planted_duplicates() if p["original_index"] == i]
        status, _, body = client.get(target_of(planted["absolute_url"]))
        assert status == 200 and b"m-mobile" in body
        assert canonical(body) == running.base_url + site.url_path(i)
        client.close()


# ---- bad text ------------------------------------------------------------------------


def test_faults_are_off_by_default_and_named_in_ground_truth() -> None:
    plain, faulty = Site(N), Site(N, faults=True)
    assert "fault" not in plain.article(7) and all(plain.fault(i) is None for i in range(N))
    found = Counter(faulty.article(i)["fault"] for i in range(N))
    assert set(found) == {None, *faults.KINDS}
    assert all(10 <= found[kind] <= 35 for kind in faults.KINDS), found
    for i in range(0, N, 7):  # the text stays the correct one
        truth = faulty.article(i)
        del truth["fault"]
        assert truth == plain.article(i)
    assert all(faulty.fault(i) is None for i in range(5))


def test_faults_are_served_with_the_wrong_bytes(faulty: RunningSite) -> None:
    site = faulty.site
    client = Client(faulty.base_url)
    checked: Counter[str] = Counter()
    try:
        for i in range(N):
            kind = site.fault(i)
            if kind is None or checked[kind] >= 3:
                continue
            checked[kind] += 1
            truth = site.article(i)
            status, headers, body = client.get(truth["url_path"])
            assert status == 200
            content_type = headers["content-type"]
            title = htmllib.escape(truth["title"], quote=False)
            head = body[:400]
            if kind == "cp1252_declared_utf8":
                assert content_type == "text/html; charset=utf-8" and b'charset="utf-8"' in head
                with pytest.raises(UnicodeDecodeError):
                    body.decode("utf-8")
                assert title in body.decode("cp1252")
            elif kind == "utf8_declared_latin1":
                label = content_type.removeprefix("text/html; charset=")
                assert label in ("iso-8859-1", "windows-1252")
                assert f'<meta charset="{label}">'.encode() in head
                assert title in body.decode("utf-8")
            elif kind == "no_charset":
                assert content_type == "text/html" and b"charset" not in body.lower()
                with pytest.raises(UnicodeDecodeError):
                    body.decode("utf-8")
                assert title in body.decode("cp1252")
            else:
                assert content_type == "text/html; charset=utf-8"
                page = extract(body)
                assert (page["title"], page["lead"]) == (truth["title"], truth["lead"])
                paragraphs = page["body"].split("\n\n")
                expected = truth["body"].split("\n\n")
                if kind == "mojibake":
                    assert paragraphs == [faults.mojibake(p) for p in expected]
                    assert "Ã" in page["body"]
                    repaired = [p.encode("cp1252").decode("utf-8") for p in paragraphs]
                    assert repaired == expected
                else:
                    assert [p for p in paragraphs if p not in faults.BOILERPLATE] == expected
                    assert 1 <= len(paragraphs) - len(expected) <= 2
                    assert not any(b in truth["body"] for b in faults.BOILERPLATE)
    finally:
        client.close()
    assert set(checked) == set(faults.KINDS)


def test_without_faults_every_article_is_utf8(running: RunningSite) -> None:
    client = Client(running.base_url)
    for i in range(0, N, 17):
        status, headers, body = client.get(running.site.url_path(i))
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        body.decode("utf-8")
    client.close()


# ---- the command line ----------------------------------------------------------------


def test_cli_serves_a_later_day_with_faults() -> None:
    process, base = launch(
        "--port", "0", "--articles", "300", "--seed", "1", "--day", "3", "--faults"
    )
    try:
        site = Site(300, day=3, faults=True)
        client = Client(base)
        newest = site.articles_on() - 1
        assert extract(client.ok(site.url_path(newest)))["title"] == site.article(newest)["title"]
        gone = next(i for i in range(300) if site.status(i)[0] in (404, 410, 451))
        assert client.get(site.url_path(gone))[0] == site.status(gone)[0]
        client.close()
    finally:
        assert stop(process) == 0


def test_bad_days_are_refused() -> None:
    with pytest.raises(ValueError):
        Site(10, day=0)
    with pytest.raises(ValueError):
        Site(10, day=10_000)
    result = subprocess.run(
        [sys.executable, "-m", "mocksite", "--day", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""
