"""End to end: the archive remembers an evolving site (versions, gone/returned, duplicates).

The replica is crawled on day 1, 2 and 3 at the same address; what changed each day is the
replica's ground truth, never guessed from the archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.cli import cli
from mocksite.server import RunningSite, start
from mocksite.site import Site

from .conftest import content, run_crawl

pytestmark = pytest.mark.e2e

DAYS = (1, 2, 3)
GONE_KINDS = {"gone_404": 404, "gone_410": 410, "gone_451": 451, "redirected": 301}


def crawl_ok(db: Path, *args: str) -> None:
    result = run_crawl(db, *args)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def evolving() -> Iterator[RunningSite]:
    with start(articles=200, seed=3) as running:
        yield running


@pytest.fixture(scope="module")
def three_days(evolving: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive, crawled from the home page on each of the three days, every archived
    article revisited (the replica's articles, from 2017, are never due by the schedule)."""
    db = tmp_path_factory.mktemp("days") / "archive.db"
    for day in DAYS:
        evolving.set_day(day)
        crawl_ok(db, f"start={evolving.base_url}/", "related_depth=0", "revisit=all")
    return db


def sites(evolving: RunningSite) -> dict[int, Site]:
    return {day: evolving.site.on_day(day) for day in DAYS}


def test_every_kind_of_change_is_planted(evolving: RunningSite) -> None:
    kinds = {c["kind"] for day in (2, 3) for c in sites(evolving)[day].changes(day)}
    assert kinds >= {
        "new", "corrected_paragraph", "new_title", "tags_changed", "paragraph_added",
        "whitespace_only", "gone_404", "gone_410", "gone_451", "redirected", "returned",
    }  # fmt: skip


def test_versions_are_exactly_the_distinct_contents_served(
    three_days: Path, evolving: RunningSite
) -> None:
    by_day = sites(evolving)
    final = by_day[3]
    checked = 0
    with Archive(three_days) as archive:
        for index in range(final.articles_on(3)):
            served = []
            for day in DAYS:
                site = by_day[day]
                if index < site.articles_on(day) and site.status(index)[0] == 200:
                    served.append(content(site.article(index)))
            distinct = [c for i, c in enumerate(served) if i == 0 or c != served[i - 1]]
            url = evolving.base_url + final.url_path(index)
            versions = archive.versions(url)
            assert [
                (v["title"], v["lead"], v["body"], tuple(v["tags"])) for v in versions
            ] == distinct, (index, final.history(index))
            checked += 1
    assert checked == final.articles_on(3)


def test_current_fields_are_the_last_content_served(
    three_days: Path, evolving: RunningSite
) -> None:
    final = sites(evolving)[3]
    with Archive(three_days) as archive:
        for change in final.changes(3) + final.changes(2):
            index = change["index"]
            stored = archive.get_article(evolving.base_url + final.url_path(index))
            assert stored is not None
            truth = final.article(index)
            assert (stored["title"], stored["lead"], stored["body"], tuple(stored["tags"])) == (
                content(truth)
            ), change


def test_whitespace_only_edits_make_no_version(three_days: Path, evolving: RunningSite) -> None:
    by_day = sites(evolving)
    whitespace = [c["index"] for d in (2, 3) for c in by_day[d].changes(d)]
    whitespace = [
        c["index"] for d in (2, 3) for c in by_day[d].changes(d) if c["kind"] == "whitespace_only"
    ]
    assert whitespace
    with Archive(three_days) as archive:
        for index in whitespace:
            history = dict(by_day[3].history(index))
            if any(k != "whitespace_only" for _, k in by_day[3].history(index)):
                continue  # also really edited on another day
            assert history
            assert len(archive.versions(evolving.base_url + by_day[3].url_path(index))) == 1


def test_gone_and_returned_events_follow_the_served_statuses(
    three_days: Path, evolving: RunningSite
) -> None:
    by_day = sites(evolving)
    final = by_day[3]
    seen_gone = seen_returned = 0
    with Archive(three_days) as archive:
        for index in range(final.articles_on(3)):
            expected: list[tuple[str, int | None]] = []
            live = None
            for day in DAYS:
                site = by_day[day]
                if index >= site.articles_on(day):
                    continue
                status, _ = site.status(index)
                if status == 200:
                    if live is False:
                        expected.append(("returned", None))
                    live = True
                elif live:
                    expected.append(("gone", status))
                    live = False
            url = evolving.base_url + final.url_path(index)
            events = [
                (e["kind"], e["status"] if e["kind"] == "gone" else None)
                for e in archive.events(url)
                if e["kind"] in ("gone", "returned")
            ]
            assert events == expected, (index, final.history(index))
            stored = archive.get_article(url)
            assert stored is not None
            assert stored["status"] == ("live" if live else "gone")
            if not live:
                assert stored["body"], "a gone article keeps its text"
            seen_gone += sum(k == "gone" for k, _ in expected)
            seen_returned += sum(k == "returned" for k, _ in expected)
    assert seen_gone >= 4 and seen_returned >= 1


def test_crawl_rows_count_the_days(three_days: Path, evolving: RunningSite) -> None:
    by_day = sites(evolving)
    with Archive(three_days) as archive:
        crawls = sorted(archive.crawls(), key=lambda c: c["id"])
    assert [c["status"] for c in crawls] == ["finished"] * 3
    assert crawls[0]["new"] == by_day[1].articles_on(1)
    for crawl, day in zip(crawls[1:], (2, 3), strict=True):
        # Every archived article that does not answer 200 that day, newly gone or still gone.
        site = by_day[day]
        archived = {
            i
            for d in DAYS[: day - 1]
            for i in range(by_day[d].articles_on(d))
            if by_day[d].status(i)[0] == 200
        }
        gone = [i for i in archived if site.status(i)[0] != 200]
        newly_gone = [c for c in site.changes(day) if c["kind"] in GONE_KINDS]
        assert newly_gone and set(c["index"] for c in newly_gone) <= set(gone)
        assert crawl["gone"] == len(gone)
        assert crawl["new"] == sum(c["kind"] == "new" for c in site.changes(day))


def test_reparse_of_a_crawled_archive_changes_nothing_and_warc_verifies(
    three_days: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(three_days), "reparse", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["changed"] == [] or report["changed"] == 0
    warc = tmp_path / "out.warc.gz"
    result = runner.invoke(
        cli, ["--db", str(three_days), "export", "--format", "warc", "-o", str(warc)]
    )
    assert result.exit_code == 0, result.output
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as stream:
        records = [r.rec_type for r in ArchiveIterator(stream, check_digests="raise")]
    with Archive(three_days) as archive:
        # One response record per capture, then one per photo.
        photos = archive.db["media"].count
        assert photos > 0
        assert records.count("response") == archive.db["captures"].count + photos


# -- duplicates ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duplicates_crawl(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, RunningSite]]:
    """1,000 articles crawled, then every planted duplicate URL fed to the spider."""
    with start(articles=1000, seed=5) as running:
        db = tmp_path_factory.mktemp("dups") / "archive.db"
        crawl_ok(db, f"start={running.base_url}/", "related_depth=0")
        urls = [p["absolute_url"] for p in running.planted_duplicates()]
        crawl_ok(db, "urls=" + ",".join(urls), "related_depth=0")
        yield db, running


def test_duplicate_detection_precision_and_recall(
    duplicates_crawl: tuple[Path, RunningSite],
) -> None:
    db, running = duplicates_crawl
    planted = running.planted_duplicates()
    assert {p["kind"] for p in planted} == {"tracking", "amp", "mobile", "copy", "syndicated"}
    site = running.site
    with Archive(db) as archive:
        original_ids = {}
        for p in planted:
            original = archive.get_article(running.base_url + site.url_path(p["original_index"]))
            assert original is not None
            original_ids[p["absolute_url"]] = original["id"]
        truth = {
            (p["absolute_url"], p["expected"], original_ids[p["absolute_url"]]) for p in planted
        }
        found: set[tuple[str, str, int]] = set()
        for p in planted:
            article = archive.get_article(p["absolute_url"])
            if article is None:
                continue
            if article["id"] == original_ids[p["absolute_url"]]:
                found.add((p["absolute_url"], "alias", article["id"]))
            elif article["duplicate_of"] is not None:
                found.add((p["absolute_url"], "near_duplicate", article["duplicate_of"]))
        # Everything the archive flagged, planted or not.
        flagged = (
            archive.db.execute(
                "select count(*) from articles where duplicate_of is not null"
            ).fetchone()[0]
            + archive.db.execute(
                "select count(distinct url) from urls where kind = 'alias'"
            ).fetchone()[0]
        )
    correct = len(found & truth)
    recall = correct / len(truth)
    precision = correct / max(flagged, 1)
    assert recall >= 0.95, sorted(truth - found)
    assert precision >= 0.95, (precision, flagged, correct)


def test_aliases_make_no_new_article(duplicates_crawl: tuple[Path, RunningSite]) -> None:
    db, running = duplicates_crawl
    with Archive(db) as archive:
        count = archive.db["articles"].count
    syndicated = sum(p["kind"] == "syndicated" for p in running.planted_duplicates())
    assert count == running.site.articles_on(1) + syndicated


# -- bad text -----------------------------------------------------------------------------


def test_wrong_charsets_and_mojibake_give_the_right_french(tmp_path: Path) -> None:
    with start(articles=300, seed=2, faults=True) as running:
        db = tmp_path / "archive.db"
        crawl_ok(db, f"start={running.base_url}/", "related_depth=0")
        site = running.site
        faulted = [i for i in range(site.articles_on(1)) if site.fault(i)]
        assert len({site.fault(i) for i in faulted}) >= 4
        with Archive(db) as archive:
            for index in faulted:
                stored = archive.get_article(running.base_url + site.url_path(index))
                assert stored is not None, site.fault(index)
                truth = site.article(index)
                got = (stored["title"], stored["lead"], stored["body"], tuple(stored["tags"]))
                assert got == content(truth), site.fault(index)
