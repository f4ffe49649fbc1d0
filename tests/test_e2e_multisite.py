"""End to end: ONE crawl of two sites into one archive, each bound to its own replica.

The Sputnik replica (``mocksite``) and La Gazette du Val (``mocksite.gazette``, a generic
French layout after real pages, declared for the tests in ``tests/sites_for_tests.py``) are
served on loopback; the Gazette's cross-site "Lire aussi" boxes point to the Sputnik
replica (``peer``). One ``scrapy crawl news`` archives both, and the archive is compared with
both replicas' ground truth: sites, text, related edges across sites, ``archive articles
--site``.

What this test assumes of the crawler (adapt the names in ``CRAWL`` and ``news_crawl`` if
the spider settled on others):
- a spider ``news`` taking ``-a site=NAME[,NAME...]`` and ``-a start=URL[,URL...]``, the
  i-th start URL being the root of the i-th site (the replica standing in for that site's
  live host);
- a setting ``ARCHIVE_SITE_MODULES`` naming modules that declare more sites on import
  (``-s ARCHIVE_SITE_MODULES=tests.sites_for_tests``);
- discovery from each root as each site declares it (robots.txt ``Sitemap:`` lines,
  sitemaps, news sitemap, RSS, rubriques), "Lire aussi" edges stored with their kind
  (``inline``, ``lire_aussi``, ``module``), anchors and a target once archived, also when
  the target is an article of the other site.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.cli import cli
from mocksite.gazette import RunningGazette
from mocksite.gazette import start as start_gazette
from mocksite.server import RunningSite
from mocksite.server import start as start_sputnik

from .conftest import ROOT, fold, fold_line

pytestmark = pytest.mark.e2e

#: The crawl's spider, its site names (as declared) and the module declaring the Gazette.
SPIDER = "news"
SPUTNIK_SITE = "sputnik"
GAZETTE_SITE = "gazette"
SITE_MODULES = "tests.sites_for_tests"
#: Small replicas: the crawl stays short, and still covers every layout and kind of edge.
SPUTNIK_ARTICLES = 40
GAZETTE_ARTICLES = 45
#: The Gazette on its own loopback address: Scrapy paces by host, so each replica keeps its
#: own pace (its site's politeness) only on a host of its own.
GAZETTE_HOST = "127.0.0.3"
PAYWALL_WORDS = "Il vous reste"
INLINE_MARKERS = ("À lire aussi", "LIRE AUSSI", "Lire également", "Lire aussi")


# -- the replicas and the crawl ------------------------------------------------------------


@pytest.fixture(scope="module")
def sputnik() -> Iterator[RunningSite]:
    with start_sputnik(articles=SPUTNIK_ARTICLES, seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def gazette(sputnik: RunningSite) -> Iterator[RunningGazette]:
    with start_gazette(
        GAZETTE_ARTICLES, seed=1, host=GAZETTE_HOST, peer=sputnik.base_url, peer_seed=1
    ) as running:
        yield running


def news_crawl(
    db: Path, sites: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl news -a site=A,B -a start=URL_A,URL_B -a ARG...`` in a subprocess
    writing to ``db``, the test sites' module loaded, as a user runs it."""
    env = {**os.environ, "ARCHIVE_PATH": str(db)}
    command = [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-s", "LOG_LEVEL=INFO"]
    command += ["-s", f"ARCHIVE_SITE_MODULES={SITE_MODULES}"]
    command += ["-a", "site=" + ",".join(sites), "-a", "start=" + ",".join(sites.values())]
    for arg in args:
        command += ["-a", arg]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def crawled(
    sputnik: RunningSite, gazette: RunningGazette, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    db = tmp_path_factory.mktemp("multisite") / "archive.db"
    sites = {SPUTNIK_SITE: sputnik.base_url + "/", GAZETTE_SITE: gazette.base_url + "/"}
    result = news_crawl(db, sites)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


# -- the truth, as the archive stores it ----------------------------------------------------


def gazette_truth(gazette: RunningGazette) -> dict[str, dict[str, Any]]:
    """The Gazette's articles by absolute URL."""
    site = gazette.site
    return {gazette.base_url + t["url_path"]: t for t in site.articles_truth()}


def sputnik_urls(sputnik: RunningSite) -> set[str]:
    return {sputnik.base_url + path for path in sputnik.site.article_paths()}


def expected_related(gazette: RunningGazette, truth: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(absolute URL, anchor, kind) of each related link, in page order."""
    return [
        (urljoin(gazette.base_url + "/", r["url"]), fold_line(r["title"]), r["kind"])
        for r in truth["related"]
    ]


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def stored_sites(db: Path) -> dict[str, str | None]:
    with Archive(db) as archive:
        return {r["url"]: r["site"] for r in archive.db.query("select url, site from articles")}


def stored(db: Path, url: str) -> dict[str, Any]:
    with Archive(db) as archive:
        article = archive.get_article(url)
    assert article is not None, url
    return article


# -- every article, each under its own site ----------------------------------------------


def test_every_article_of_both_sites_is_archived_under_its_site(
    crawled: Path, sputnik: RunningSite, gazette: RunningGazette
) -> None:
    sites = stored_sites(crawled)
    for url in sputnik_urls(sputnik):
        assert sites.get(url) == SPUTNIK_SITE, url
    for url in gazette_truth(gazette):
        assert sites.get(url) == GAZETTE_SITE, url
    gazette_urls = {url for url, site in sites.items() if site == GAZETTE_SITE}
    assert gazette_urls == set(gazette_truth(gazette)), "the Gazette's articles only"
    # The Sputnik replica may add its planted copies (own articles, duplicate_of set).
    sputnik_hosts = (sputnik.base_url, sputnik.mobile_base_url)
    others = {url for url, site in sites.items() if site != GAZETTE_SITE}
    assert all(url.startswith(sputnik_hosts) for url in others), others
    assert all(sites[url] == SPUTNIK_SITE for url in others)


# -- the Gazette's text, read by the generic page object -----------------------------------


@pytest.mark.parametrize("field", ["title", "lead", "body"])
def test_gazette_text_equals_the_truth(crawled: Path, gazette: RunningGazette, field: str) -> None:
    wrong = {}
    for url, truth in gazette_truth(gazette).items():
        value = stored(crawled, url)[field]
        if value != fold(truth[field]):
            wrong[url] = (value, fold(truth[field]))
    assert wrong == {}


def test_gazette_bodies_hold_no_paywall_notice_and_no_related_lines(
    crawled: Path, gazette: RunningGazette
) -> None:
    paywalled = 0
    for url, truth in gazette_truth(gazette).items():
        body = stored(crawled, url)["body"] or ""
        paywalled += truth["paywall_notice"] is not None
        assert PAYWALL_WORDS not in body, url
        for line in body.split("\n\n"):
            assert not line.startswith(INLINE_MARKERS), (url, line)
        for link in truth["related"]:
            assert fold_line(link["title"]) not in body, (url, link["title"])
    assert paywalled > 0, "the replica has paywalled articles to strip"


def test_gazette_metadata_equals_the_truth(crawled: Path, gazette: RunningGazette) -> None:
    for url, truth in gazette_truth(gazette).items():
        article = stored(crawled, url)
        assert article["site"] == GAZETTE_SITE
        assert article["authors"] == truth["authors"], url
        assert article["tags"] == truth["tags"], url
        assert article["category"] == truth["category"], url
        # The same instant: the page gives it with the Paris offset (JSON-LD) and in UTC
        # (article:published_time, as Le Monde does); either is a right reading.
        assert instant(article["published_at"]) == instant(truth["published_at"]), url
        assert instant(article["modified_at"]) == instant(truth["modified_at"]), url
        assert article["canonical_url"] == url


# -- related edges, within and across sites -----------------------------------------------


def test_gazette_related_edges_equal_the_truth(crawled: Path, gazette: RunningGazette) -> None:
    wrong = {}
    for url, truth in gazette_truth(gazette).items():
        got = [
            (r["url"], fold_line(r["title"]), r["kind"]) for r in stored(crawled, url)["related"]
        ]
        if got != expected_related(gazette, truth):
            wrong[url] = (got, expected_related(gazette, truth))
    assert wrong == {}


def test_every_kind_of_edge_is_stored(crawled: Path, gazette: RunningGazette) -> None:
    with Archive(crawled) as archive:
        kinds = {r["kind"] for r in archive.db.query("select distinct kind from links")}
    assert {"inline", "lire_aussi", "module"} <= kinds


def test_cross_site_edges_reach_the_sputnik_replica_articles(
    crawled: Path, sputnik: RunningSite, gazette: RunningGazette
) -> None:
    crossing = 0
    with Archive(crawled) as archive:
        for url, truth in gazette_truth(gazette).items():
            for link in truth["related"]:
                if link["site"] != SPUTNIK_SITE:
                    continue
                crossing += 1
                assert link["url"].startswith(sputnik.base_url + "/")
                rows = list(
                    archive.db.query(
                        "select links.kind, links.anchor, targets.url as target, targets.site"
                        " from links join articles as sources on sources.id = links.from_article_id"
                        " left join articles as targets on targets.id = links.target_article_id"
                        " where sources.url = :source and links.url = :url",
                        {"source": url, "url": link["url"]},
                    )
                )
                assert len(rows) == 1, (url, link["url"])
                row = rows[0]
                assert row["kind"] == "inline" and fold_line(row["anchor"]) == fold_line(
                    link["title"]
                )
                assert (row["target"], row["site"]) == (link["url"], SPUTNIK_SITE)
    assert crossing == len(range(1, GAZETTE_ARTICLES, 3))


# -- the CLI sees two sites -------------------------------------------------------------------


def test_archive_articles_lists_one_site(
    crawled: Path, sputnik: RunningSite, gazette: RunningGazette
) -> None:
    for site, expected in (
        (GAZETTE_SITE, set(gazette_truth(gazette))),
        (SPUTNIK_SITE, sputnik_urls(sputnik)),
    ):
        result = CliRunner().invoke(
            cli, ["--db", str(crawled), "articles", "--site", site, "--json"]
        )
        assert result.exit_code == 0, result.output
        assert {row["url"] for row in json.loads(result.output)} == expected, site


# -- each site at its own pace ----------------------------------------------------------------


def fetch_gaps(db: Path, base_url: str) -> list[float]:
    """Seconds between one fetch of ``base_url``'s host and the next, in order."""
    with Archive(db) as archive:
        rows = archive.db.query(
            "select fetched_at from fetches where url like :prefix order by fetched_at",
            {"prefix": base_url + "/%"},
        )
        times = [datetime.fromisoformat(row["fetched_at"]) for row in rows]
    return [(later - earlier).total_seconds() for earlier, later in pairwise(times)]


def test_each_site_keeps_its_own_pace(
    crawled: Path, sputnik: RunningSite, gazette: RunningGazette
) -> None:
    # The Gazette's site asks for DOWNLOAD_DELAY 0.15 s (tests/sites_for_tests.py), with
    # Scrapy's jitter (0.5 to 1.5 times); the Sputnik replica's asks for nothing. A loaded
    # machine only widens gaps, so the Gazette's bound cannot pass by chance; the Sputnik
    # replica's pages, fetched several at a time, come closer than that delay allows at
    # least once, so the Gazette's pace was not applied to it.
    delay = declared_politeness()["DOWNLOAD_DELAY"]
    gazette_gaps, sputnik_gaps = (
        fetch_gaps(crawled, gazette.base_url),
        fetch_gaps(crawled, sputnik.base_url),
    )
    assert len(gazette_gaps) > GAZETTE_ARTICLES
    assert statistics.median(gazette_gaps) >= 0.5 * delay
    assert min(sputnik_gaps) < 0.5 * delay


def declared_politeness() -> dict[str, Any]:
    """The Gazette's politeness as tests/sites_for_tests.py declares it, read in a process
    of its own (importing the module here would register its sites for every test)."""
    code = "import json, tests.sites_for_tests as t; print(json.dumps(t.GAZETTE.politeness))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    politeness: dict[str, Any] = json.loads(result.stdout)
    return politeness
