"""``archive stats``: per-site counts, per-crawl missing fields, and ``--check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive.cli import cli
from archive.stats import QUALITY_FIELDS, check, stats

SITE = "https://fr.sputniknews.com"
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
]


def article(n: int, *, caption: bool = True) -> dict[str, Any]:
    words = " ".join(WORDS[(n * k) % len(WORDS)] + str(n * k) for k in range(1, 30))
    return {
        "url": f"{SITE}/international/{n}-article/",
        "canonical_url": f"{SITE}/international/{n}-article/",
        "site": "sputnik",
        "language": "fr",
        "title": f"Titre {n}",
        "lead": f"Chapeau {n}.",
        "body": f"Texte {n}: {words}",
        "authors": ["Jean Dupont"],
        "category": "International",
        "tags": ["Syrie"],
        "published_at": f"2017-06-{10 + n % 20:02d}T10:00:00+03:00",
        "image_url": f"{SITE}/img/{n}.jpg",
        "image_caption": f"Légende {n}" if caption else None,
        "image_credit": "© Sputnik",
        "short_url": f"{SITE}/s/{n}",
        "views": n,
        "related": [],
    }


def build(path: Path, crawls: int, *, broken_last: bool, per_crawl: int = 20) -> Path:
    """``crawls`` finished crawls of new articles; the last one without captions if asked."""
    n = 0
    with Archive(path) as archive:
        for index in range(crawls):
            crawl = archive.begin_crawl("sputnik", {})
            for _ in range(per_crawl):
                n += 1
                caption = not (broken_last and index == crawls - 1)
                item = article(n, caption=caption)
                fetch = Fetch(url=item["url"], status=200)
                archive.store_article(item, crawl_id=crawl, fetch=fetch)
            archive.record_fetch(crawl, Fetch(url=f"{SITE}/", status=200), "discovery")
            archive.finish_crawl(crawl, "finished")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_check_names_the_field_that_went_missing(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 4, broken_last=True)
    result = run("--db", str(db), "stats", "--check")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("image_caption: missing in 100% of the 20 articles of crawl 4")
    assert "median 0% over the previous 3 crawls" in lines[0]


def test_check_of_a_normal_history_is_ok(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 4, broken_last=False)
    result = run("--db", str(db), "stats", "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok\n"


def test_check_threshold_and_window(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 4, broken_last=True)
    assert run("--db", str(db), "stats", "--check", "--threshold", "1").exit_code == 0
    assert run("--db", str(db), "stats", "--check", "--window", "1").exit_code == 1
    with Archive(db) as archive:
        result = check(archive, window=2)
    assert result.crawl_id == 4
    assert result.compared_with == [3, 2]
    assert [alert.field for alert in result.alerts] == ["image_caption"]


def test_check_ignores_crawls_that_stored_nothing_and_unfinished_ones(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 3, broken_last=True)
    with Archive(db) as archive:
        empty = archive.begin_crawl("sputnik", {})  # finished, stored no article
        archive.record_fetch(empty, Fetch(url=f"{SITE}/", status=200), "discovery")
        archive.finish_crawl(empty, "finished")
        archive.begin_crawl("sputnik", {})  # still running
        result = check(archive)
    assert result.crawl_id == 3
    assert not result.ok


def test_check_leaves_out_crawls_that_stored_too_few_articles(tmp_path: Path) -> None:
    """Three of five articles without a caption is chance, not a layout change."""
    db = build(tmp_path / "a.db", 4, broken_last=True, per_crawl=5)
    result = run("--db", str(db), "stats", "--check", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["ok"], data["crawl_id"], data["min_articles"]) == (True, None, 20)
    small = run("--db", str(db), "stats", "--check", "--min-articles", "5")
    assert small.exit_code == 1
    assert small.stdout.startswith("image_caption: missing in 100% of the 5 articles of crawl 4")
    with Archive(db) as archive:
        big = archive.begin_crawl("sputnik", {})  # then a normal crawl of 20: judged alone
        for n in range(100, 120):
            item = article(n)
            archive.store_article(item, crawl_id=big, fetch=Fetch(url=item["url"], status=200))
        archive.finish_crawl(big, "finished")
        result_big = check(archive)
    assert (result_big.ok, result_big.crawl_id, result_big.compared_with) == (True, big, [])


def test_check_with_nothing_to_compare_is_ok(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 1, broken_last=True)
    result = run("--db", str(db), "stats", "--check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_check_json(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 3, broken_last=True)
    result = run("--db", str(db), "stats", "--check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["crawl_id"] == 3
    assert data["compared_with"] == [2, 1]
    assert data["alerts"] == [{"field": "image_caption", "share": 1.0, "median": 0.0}]
    assert len(data["messages"]) == 1


def test_stats_json_shape(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 3, broken_last=True, per_crawl=4)
    with Archive(db) as archive:
        url = article(1)["url"]
        fetch = Fetch(url=url, status=404)
        archive.mark_gone(url, crawl_id=3, fetch=fetch, status=404, reason="http_404")
    result = run("--db", str(db), "stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"sites", "crawls"}
    [site] = data["sites"]
    assert {k: site[k] for k in ("site", "articles", "live", "gone", "versions", "duplicates")} == {
        "site": "sputnik",
        "articles": 12,
        "live": 11,
        "gone": 1,
        "versions": 12,
        "duplicates": 0,
    }
    assert sum(day["articles"] for day in site["per_day"]) == 12
    days = [day["day"] for day in site["per_day"]]
    assert days == sorted(days, reverse=True)
    assert [crawl["id"] for crawl in data["crawls"]] == [3, 2, 1]
    last = data["crawls"][0]
    assert last["fetched"] == 6 and last["stored"] == 4  # 4 articles, a listing, a 404
    assert set(last["missing"]) == set(QUALITY_FIELDS)
    assert last["missing"]["image_caption"] == 1.0
    assert last["missing"]["title"] == 0.0
    assert data["crawls"][1]["missing"]["image_caption"] == 0.0


def test_stats_per_day_keeps_the_latest_days(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 1, broken_last=False, per_crawl=12)
    with Archive(db) as archive:
        report = stats(archive, days=3)
    assert [day["day"] for day in report["sites"][0]["per_day"]] == [
        "2017-06-22",
        "2017-06-21",
        "2017-06-20",
    ]


def test_stats_text(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", 2, broken_last=True)
    result = run("--db", str(db), "stats")
    assert result.exit_code == 0, result.output
    assert "sputnik" in result.stdout
    assert "image_caption" in result.stdout
    assert "100%" in result.stdout


def test_stats_of_an_empty_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    Archive(path).close()
    result = run("--db", str(path), "stats")
    assert result.exit_code == 0, result.output
    assert "no articles yet" in result.stdout
    assert run("--db", str(path), "stats", "--check").stdout == "ok\n"


@pytest.mark.parametrize("args", [["--threshold", "-1"], ["--window", "0"]])
def test_stats_usage_errors(tmp_path: Path, args: list[str]) -> None:
    db = build(tmp_path / "a.db", 1, broken_last=False)
    assert run("--db", str(db), "stats", "--check", *args).exit_code == 2
