"""``archive merge``: shards crawled apart folded into one archive, exactly.

Each scenario is a list of crawls (spider, node, start, and what each fetch found at its
time); played into one archive it is what one machine would have built, played into one
archive per node and merged it must give the same rows, ids aside (``merge.canonical``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import Archive, Capture, Fetch, lock, merge
from archive.cli import cli
from archive.faults import NewerArchiveError
from archive.media import Image

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "archives"
SCHEMA_1 = FIXTURES / "schema-001.db"


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat(timespec="microseconds")


WORDS = [
    *[
        "le",
        "gouvernement",
        "a",
        "annoncé",
        "mardi",
        "une",
        "série",
        "de",
        "mesures",
        "pour",
        "soutenir",
        "les",
    ],
    *[
        "agriculteurs",
        "touchés",
        "par",
        "la",
        "sécheresse",
        "qui",
        "frappe",
        "le",
        "sud",
        "du",
        "pays",
    ],
]


def text(seed: int, words: int = 60) -> str:
    """A body of ``words`` words, distinct for each seed (no two near duplicates)."""
    digest = hashlib.sha256(str(seed).encode()).hexdigest()
    return " ".join(f"{WORDS[i % len(WORDS)]}{digest[i % 60 : i % 60 + 3]}" for i in range(words))


def article(
    site: str,
    number: int,
    *,
    title: str | None = None,
    body: str | None = None,
    related: Sequence[int] = (),
    related_site: str | None = None,
    tags: Sequence[str] = ("Monde",),
    image: bool = False,
) -> dict[str, Any]:
    url = f"https://{site}/articles/{number}.html"
    value: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "site": site,
        "title": title or f"Article {number} de {site}",
        "lead": f"Chapeau {number}.",
        "body": body or text(sum(map(ord, site)) * 1000 + number),
        "tags": list(tags),
        "published_at": at(-60 * number),
        "related": [
            {
                "url": f"https://{related_site or site}/articles/{n}.html",
                "title": f"Lire {n}",
                "kind": "lire_aussi",
            }
            for n in related
        ],
    }
    if image:
        value["image_url"] = f"https://{site}/img/{number}.jpg"
        value["image_caption"] = f"Photo {number}"
    return value


@dataclass
class Step:
    """One fetch of a crawl: ``store`` an article read, or find a URL ``gone``."""

    minute: float
    kind: str
    article: dict[str, Any] | None = None
    url: str | None = None
    photo: bytes | None = None


@dataclass
class Crawl:
    node: str
    start: float
    steps: list[Step] = field(default_factory=list)
    spider: str = "news"
    pid: int = 4242

    def store(self, minute: float, value: dict[str, Any], photo: bytes | None = None) -> Crawl:
        self.steps.append(Step(minute, "store", article=value, photo=photo))
        return self

    def gone(self, minute: float, url: str) -> Crawl:
        self.steps.append(Step(minute, "gone", url=url))
        return self


def play(path: Path, crawls: Iterable[Crawl]) -> Path:
    """Run the crawls, in time order, into the archive at ``path``."""
    with Archive(path) as archive:
        for crawl in sorted(crawls, key=lambda c: c.start):
            crawl_id = archive.begin_crawl(crawl.spider, {"node": crawl.node}, node=crawl.node)
            archive.db.execute(
                "UPDATE crawls SET started_at = ?, pid = ?, host = 'test' WHERE id = ?",
                [at(crawl.start), crawl.pid + int(crawl.start), crawl_id],
            )
            end = crawl.start
            for step in crawl.steps:
                end = max(end, step.minute)
                if step.kind == "store":
                    assert step.article is not None
                    url = step.article["url"]
                    fetch = Fetch(url=url, status=200, bytes=1000, fetched_at=at(step.minute))
                    page = f"<html><title>{step.article['title']}</title>{step.article['body']}"
                    capture = Capture(url=url, status=200, headers={}, body=page.encode())
                    archive.store_article(
                        step.article, crawl_id=crawl_id, fetch=fetch, capture=capture
                    )
                    if step.photo is not None:
                        image_url = step.article["image_url"]
                        photo_fetch = Fetch(url=image_url, status=200, fetched_at=at(step.minute))
                        archive.store_media(
                            crawl_id,
                            photo_fetch,
                            Image(url=image_url, type="image/jpeg", body=step.photo),
                        )
                else:
                    assert step.url is not None
                    fetch = Fetch(url=step.url, status=404, fetched_at=at(step.minute))
                    archive.mark_gone(
                        step.url, crawl_id=crawl_id, fetch=fetch, status=404, reason="http_404"
                    )
            archive.finish_crawl(crawl_id, "finished", finished_at=at(end + 1))
    return path


def merged(path: Path, *shards: Path) -> Path:
    with Archive(path) as target:
        for shard in shards:
            merge.merge(target, shard)
    return path


# -- scenarios ---------------------------------------------------------------------------

A = "alpha.example"
B = "beta.example"


def partitioned() -> tuple[list[Crawl], list[Crawl]]:
    """Two nodes, a site each, as a newsroom partitions them: node 1 crawls alpha twice
    (an edit, a page gone, a photo), node 2 crawls beta twice; a beta article links to an
    alpha one and another reprints an alpha article with one sentence changed."""
    reprint = article(A, 3)["body"]
    near = reprint.split()
    near[10:14] = ["une", "phrase", "changée", "ici"]
    node1 = [
        Crawl("node-1", 0)
        .store(1, article(A, 1, related=[2], image=True), photo=b"\xff\xd8jpeg-1")
        .store(2, article(A, 2, related=[1, 3], tags=("Monde", "Afrique")))
        .store(3, article(A, 3)),
        Crawl("node-1", 120)
        .store(121, article(A, 1, related=[2], image=True, title="Article 1, mis à jour"))
        .gone(122, article(A, 2)["url"])
        .store(123, article(A, 3))
        .store(124, article(A, 4, related=[1])),
    ]
    node2 = [
        Crawl("node-2", 10)
        .store(11, article(B, 1, related=[2]))
        .store(12, article(B, 2, related=[1], related_site=A)),
        Crawl("node-2", 130)
        .store(131, article(B, 2, related=[1], related_site=A, tags=("Économie",)))
        .store(132, article(B, 3, body=" ".join(near))),
    ]
    return node1, node2


def overlapping() -> tuple[list[Crawl], list[Crawl]]:
    """Two nodes crawling the same site at different times: node 2 sees an edit that is
    reverted before node 1's next visit, node 2 finds a page gone that node 1 reads again."""
    first = article(A, 1, related=[2])
    edited = article(A, 1, related=[2], title="Titre corrigé")
    node1 = [
        Crawl("node-1", 0).store(1, first).store(2, article(A, 2)),
        Crawl("node-1", 60).store(61, first).store(62, article(A, 2)),
        Crawl("node-1", 240).store(241, first),
    ]
    node2 = [
        Crawl("node-2", 30).store(31, edited).store(32, article(A, 3, related=[1])),
        Crawl("node-2", 120).gone(121, first["url"]).store(122, article(A, 2)),
    ]
    return node1, node2


@pytest.fixture(params=["partitioned", "overlapping"])
def scenario(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Path]:
    node1, node2 = partitioned() if request.param == "partitioned" else overlapping()
    return {
        "one": play(tmp_path / "one.db", node1 + node2),
        "a": play(tmp_path / "a.db", node1),
        "b": play(tmp_path / "b.db", node2),
        "kind": Path(request.param),
    }


#: What one machine and the merge agree on in any scenario. Where two nodes fetched one
#: article, a fetch keeps the outcome its node gave it (node 1 found "unchanged" what one
#: machine would have found "updated" after node 2's edit) and a version started by such a
#: fetch has no capture (its node stored none): those two columns are left out there.
HISTORY = ("articles", "versions", "urls", "links", "tags", "events")


def comparable(path: Path, overlapping: bool) -> dict[str, list[Any]]:
    tables = HISTORY if overlapping else merge.CANONICAL_TABLES
    found = merge.canonical(path, tables)
    if overlapping:
        found["versions"] = sorted(
            tuple(kv for kv in row if kv[0] != "capture_id") for row in found["versions"]
        )
    return found


def without_version_captures(path: Path) -> dict[str, list[Any]]:
    found = merge.canonical(path)
    found["versions"] = sorted(
        tuple(kv for kv in row if kv[0] != "capture_id") for row in found["versions"]
    )
    return found


def test_merged_shards_equal_one_machine(scenario: dict[str, Path], tmp_path: Path) -> None:
    overlap = str(scenario["kind"]) == "overlapping"
    target = merged(tmp_path / "merged.db", scenario["a"], scenario["b"])
    assert comparable(target, overlap) == comparable(scenario["one"], overlap)


def test_merge_order_does_not_matter(scenario: dict[str, Path], tmp_path: Path) -> None:
    ab = merged(tmp_path / "ab.db", scenario["a"], scenario["b"])
    ba = merged(tmp_path / "ba.db", scenario["b"], scenario["a"])
    assert merge.canonical(ab) == merge.canonical(ba)


def test_merging_twice_changes_nothing(scenario: dict[str, Path], tmp_path: Path) -> None:
    target = merged(tmp_path / "t.db", scenario["a"], scenario["b"])
    before = merge.canonical(target)
    with Archive(target) as archive:
        again = [merge.merge(archive, scenario["a"]), merge.merge(archive, scenario["b"])]
        assert [r.nothing_new for r in again] == [True, True]
        assert archive.db.execute("SELECT COUNT(*) FROM merges").fetchone()[0] == 2
    assert merge.canonical(target) == before
    # A merged archive merged into another brings exactly what it holds.
    again_target = merged(tmp_path / "u.db", target, scenario["a"])
    assert merge.canonical(again_target) == before


def test_merge_into_a_shard_of_its_own(scenario: dict[str, Path], tmp_path: Path) -> None:
    # The merger may fold B into a copy of A rather than into an empty archive.
    target = tmp_path / "a-copy.db"
    shutil.copyfile(scenario["a"], target)
    merged(target, scenario["b"])
    assert merge.canonical(target) == merge.canonical(
        merged(tmp_path / "t.db", scenario["a"], scenario["b"])
    )


# -- what the merged archive holds, read back ----------------------------------------------


@pytest.fixture
def partition(tmp_path: Path) -> dict[str, Path]:
    node1, node2 = partitioned()
    a = play(tmp_path / "node-1.db", node1)
    b = play(tmp_path / "node-2.db", node2)
    return {"a": a, "b": b, "merged": merged(tmp_path / "merged.db", a, b)}


def test_the_merged_archive_reads_as_one(partition: dict[str, Path]) -> None:
    with Archive(partition["merged"], readonly=True) as archive:
        assert archive.counts()["articles"] == 7
        crawls = archive.rows("SELECT node, started_at FROM crawls ORDER BY started_at")
        assert [c["node"] for c in crawls] == ["node-1", "node-2", "node-1", "node-2"]
        # The beta article's "Lire aussi" link reaches the alpha article across shards.
        linked = archive.get_article(f"https://{B}/articles/2.html")
        assert linked is not None
        assert [r["url"] for r in linked["related"]] == [f"https://{A}/articles/1.html"]
        target = archive.rows(
            "SELECT t.url FROM links l JOIN articles a ON a.id = l.from_article_id"
            " JOIN articles t ON t.id = l.target_article_id WHERE a.url = ?",
            [f"https://{B}/articles/2.html"],
        )
        assert target == [{"url": f"https://{A}/articles/1.html"}]
        # The reprint on beta is found to be alpha's article 3, across shards.
        reprint = archive.get_article(f"https://{B}/articles/3.html")
        original = archive.get_article(f"https://{A}/articles/3.html")
        assert reprint is not None and original is not None
        assert reprint["duplicate_of"] == original["id"]
        # The edit on node 1 is a second version; the gone page is gone, with its event.
        history = archive.versions(f"https://{A}/articles/1.html")
        assert [v["title"] for v in history] == [
            "Article 1 de alpha.example",
            "Article 1, mis à jour",
        ]
        gone = archive.get_article(f"https://{A}/articles/2.html")
        assert gone is not None and gone["status"] == "gone"
        assert [e["kind"] for e in archive.events(f"https://{A}/articles/2.html")] == ["gone"]
        # The photo came with its version, bytes and all.
        [photo] = archive.photos([history[0]["id"]])[history[0]["id"]]
        assert archive.media(photo["sha256"])["body"] == b"\xff\xd8jpeg-1"  # type: ignore[index]
        # Both search indexes and the near-duplicate index hold every merged article, once.
        fts = archive.rows(
            "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            " WHERE articles_fts MATCH 'corrigé OR jour'"
        )
        assert fts == [{"url": f"https://{A}/articles/1.html"}]
        counts = archive.rows(
            "SELECT (SELECT COUNT(*) FROM articles_fts) AS fts,"
            " (SELECT COUNT(*) FROM articles_fts_fr) AS fr,"
            " (SELECT COUNT(*) FROM dedupe_signatures) AS signatures"
        )
        assert counts == [{"fts": 7, "fr": 7, "signatures": 7}]
        assert [hit["url"] for hit in archive.search('corrigé OR "mis à jour"')] == [
            f"https://{A}/articles/1.html"
        ]


def test_overlap_gives_one_machines_history(tmp_path: Path) -> None:
    node1, node2 = overlapping()
    target = merged(
        tmp_path / "t.db", play(tmp_path / "a.db", node1), play(tmp_path / "b.db", node2)
    )
    url = f"https://{A}/articles/1.html"
    with Archive(target, readonly=True) as archive:
        versions = archive.versions(url)
        assert [(v["title"], v["fetched_at"]) for v in versions] == [
            ("Article 1 de alpha.example", at(1)),
            ("Titre corrigé", at(31)),
            ("Article 1 de alpha.example", at(61)),  # node 1 read the first text again
        ]
        assert [(e["kind"], e["at"]) for e in archive.events(url)] == [
            ("gone", at(121)),
            ("returned", at(241)),
        ]
        row = archive.get_article(url)
        assert row is not None
        assert (row["status"], row["first_seen_at"], row["last_seen_at"]) == (
            "live",
            at(1),
            at(241),
        )
        assert row["title"] == "Article 1 de alpha.example"


# -- shards that need care ---------------------------------------------------------------


def test_a_shard_of_an_older_release_is_upgraded_first(tmp_path: Path) -> None:
    shard = tmp_path / "old.db"
    shutil.copyfile(SCHEMA_1, shard)
    digest = hashlib.sha256(shard.read_bytes()).hexdigest()
    with Archive(tmp_path / "t.db") as target:
        report = merge.merge(target, shard)
        assert report.upgraded[0] == "m002_versions_captures_events"
        assert report.articles_new == 20
    # Upgraded in a copy: a node still on that release goes on crawling into it.
    assert hashlib.sha256(shard.read_bytes()).hexdigest() == digest
    with Archive(tmp_path / "t2.db") as target:
        assert merge.merge(target, shard, upgrade_in_place=True).articles_new == 20
    with Archive(shard, readonly=True) as upgraded:  # asked for: upgraded in place
        assert upgraded.pending_migrations == []
    assert merge.canonical(tmp_path / "t.db", ["articles", "versions", "urls"]) == merge.canonical(
        shard, ["articles", "versions", "urls"]
    )


def test_a_read_only_older_shard_is_upgraded_in_a_copy(tmp_path: Path) -> None:
    shard = tmp_path / "old.db"
    shutil.copyfile(SCHEMA_1, shard)
    shard.chmod(stat.S_IRUSR)
    digest = hashlib.sha256(shard.read_bytes()).hexdigest()
    try:
        with Archive(tmp_path / "t.db") as target:
            report = merge.merge(target, shard)
        assert report.articles_new == 20
        assert hashlib.sha256(shard.read_bytes()).hexdigest() == digest
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "old.db",
            "t.db",
            "t.db-shm",
            "t.db-wal",
        ] or sorted(p.name for p in tmp_path.iterdir()) == ["old.db", "t.db"]
    finally:
        shard.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_shard_of_a_newer_release_is_refused_untouched(
    partition: dict[str, Path], tmp_path: Path
) -> None:
    shard = partition["a"]
    conn = sqlite3.connect(shard)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_future', 'x')")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(shard.read_bytes()).hexdigest()
    target = play(tmp_path / "t.db", [])
    before = merge.canonical(target)
    with Archive(target) as archive, pytest.raises(NewerArchiveError):
        merge.merge(archive, shard)
    assert hashlib.sha256(shard.read_bytes()).hexdigest() == digest
    assert merge.canonical(target) == before


def test_a_shard_being_crawled_is_read_as_it_stood(
    partition: dict[str, Path], tmp_path: Path
) -> None:
    shard = partition["b"]
    held = lock.acquire(shard)  # a crawl holds it
    writer = sqlite3.connect(shard)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles SET title = 'pas encore validé'")  # not committed
        with Archive(tmp_path / "t.db") as target:
            report = merge.merge(target, shard)
        assert report.snapshot is True
        assert report.articles_new == 3
        titles = {
            r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("SELECT title FROM articles")
        }
        assert "pas encore validé" not in titles
    finally:
        writer.rollback()
        writer.close()
        held.release()


def test_merging_into_itself_is_refused(partition: dict[str, Path]) -> None:
    with Archive(partition["a"]) as archive, pytest.raises(merge.MergeError, match="merged into"):
        merge.merge(archive, partition["a"])


# -- the command ---------------------------------------------------------------------------


def test_command_merges_and_says_what_it_brought(
    partition: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "all.db"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["merge", str(partition["a"]), str(partition["b"]), "--into", str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"{partition['a']}: 2 crawls, 8 fetches, 4 new articles, 0 changed, 5 versions,"
        " 5 captures, 1 photos ("
    )
    assert lines[1].startswith(
        f"{partition['b']}: 2 crawls, 4 fetches, 3 new articles, 0 changed, 4 versions,"
        " 3 captures, 0 photos ("
    )
    again = runner.invoke(cli, ["merge", str(partition["a"]), "--into", str(target), "--json"])
    assert again.exit_code == 0, again.output
    [report] = json.loads(again.output)
    assert (report["crawls"], report["fetches"], report["articles_new"]) == (0, 0, 0)


def test_command_refuses_a_target_being_crawled(partition: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "all.db"
    held = lock.acquire(target)
    try:
        result = CliRunner().invoke(cli, ["merge", str(partition["a"]), "--into", str(target)])
    finally:
        held.release()
    assert result.exit_code == 75
    assert f"archive merge: {target} is being crawled by pid {os.getpid()}" in result.output
    assert not target.exists()


def test_command_goes_on_past_a_bad_shard(partition: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    sqlite3.connect(bad).execute("CREATE TABLE notes (x)").connection.close()
    target = tmp_path / "all.db"
    result = CliRunner().invoke(
        cli, ["merge", str(bad), str(partition["a"]), "--into", str(target)]
    )
    assert result.exit_code == 1
    assert f"Error: {bad}: {bad} is a SQLite database but not an archive" in result.output
    assert merge.canonical(target, ["articles"]) == merge.canonical(partition["a"], ["articles"])


def test_killed_merge_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    # A shard big enough that its merge takes a while, killed once it has begun writing.
    crawl = Crawl("node-1", 0)
    for n in range(1, 401):
        crawl.store(n / 10, article(A, n, body=text(n, 2000)))
    shard = play(tmp_path / "big.db", [crawl])
    target = play(tmp_path / "t.db", partitioned()[1])
    fresh = tmp_path / "fresh.db"
    shutil.copyfile(target, fresh)
    before = merge.canonical(target)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("archive")),
            "merge",
            str(shard),
            "--into",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wal = Path(f"{target}-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the merge ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert merge.canonical(target) == before
    # Merging again after the kill brings the whole shard, once: as if never killed.
    with Archive(target) as archive:
        report = merge.merge(archive, shard)
    assert report.articles_new == 400
    assert merge.canonical(target) == merge.canonical(merged(fresh, shard))


# -- random histories ----------------------------------------------------------------------


def random_history(seed: int) -> list[list[Crawl]]:
    """Two or three nodes crawling one small site at random times: each fetch reads one of
    three texts of an article (an edit, or an edit undone) or finds it gone; crawls never
    overlap in time, so that one machine could have made them all in the same order."""
    rng = random.Random(seed)
    nodes = rng.choice([2, 3])
    starts = sorted(rng.sample(range(0, 2000, 20), nodes * rng.choice([2, 3])))
    history: list[list[Crawl]] = [[] for _ in range(nodes)]
    for start in starts:
        node = rng.randrange(nodes)
        crawl = Crawl(f"node-{node + 1}", start)
        for minute in sorted(rng.sample(range(start + 1, start + 19), rng.randint(1, 5))):
            number = rng.randint(1, 4)
            if rng.random() < 0.2:
                crawl.gone(minute, article(A, number)["url"])
                continue
            variant = rng.randrange(3)
            crawl.store(
                minute,
                article(
                    A,
                    number,
                    title=f"Article {number}, texte {variant}",
                    body=text(number * 10 + variant),
                    related=rng.sample(range(1, 6), rng.randint(0, 2)),
                    tags=rng.sample(["Monde", "Afrique", "Europe"], rng.randint(0, 2)),
                ),
            )
        history[node].append(crawl)
    return history


@pytest.mark.parametrize("seed", range(30))
def test_random_histories_merge_as_one_machine(seed: int, tmp_path: Path) -> None:
    history = random_history(seed)
    shards = [play(tmp_path / f"node-{i}.db", crawls) for i, crawls in enumerate(history)]
    one = play(tmp_path / "one.db", [c for crawls in history for c in crawls])
    forward = merged(tmp_path / "forward.db", *shards)
    backward = merged(tmp_path / "backward.db", *reversed(shards))
    # Every row, in either order; but a version that one node's fetch starts again (the
    # text came back) keeps its raw page only when that node's own version was not folded
    # into an earlier one first: its capture may depend on the order.
    assert without_version_captures(forward) == without_version_captures(backward)
    assert comparable(forward, True) == comparable(one, True)
    before = merge.canonical(forward)
    merged(forward, *shards)
    assert merge.canonical(forward) == before


def test_a_crawl_merged_while_running_is_completed_by_the_next_merge(tmp_path: Path) -> None:
    # Merged every hour while its node crawls: the rows of the running crawl so far, then
    # the rest and the crawl's end; the same as merging the finished shard once.
    shard = tmp_path / "node-1.db"
    with Archive(shard) as node:
        crawl_id = node.begin_crawl("news", {}, node="node-1")
        for n in (1, 2):
            value = article(A, n)
            fetch = Fetch(url=value["url"], status=200, fetched_at=at(n))
            node.store_article(value, crawl_id=crawl_id, fetch=fetch)
        target = tmp_path / "merged.db"
        with Archive(target) as archive:
            first = merge.merge(archive, shard)
        assert (first.articles_new, first.crawls) == (2, 1)
        assert ("status", "'running'") in merge.canonical(target, ["crawls"])["crawls"][0]
        for n in (3, 4):
            value = article(A, n)
            fetch = Fetch(url=value["url"], status=200, fetched_at=at(n))
            node.store_article(value, crawl_id=crawl_id, fetch=fetch)
        node.store_article(
            article(A, 1, title="Titre revu"),
            crawl_id=crawl_id,
            fetch=Fetch(url=article(A, 1)["url"], status=200, fetched_at=at(5)),
        )
        node.finish_crawl(crawl_id, "finished", finished_at=at(6))
    with Archive(target) as archive:
        second = merge.merge(archive, shard)
    assert (second.articles_new, second.articles_changed, second.crawls) == (2, 1, 1)
    assert merge.canonical(target) == merge.canonical(merged(tmp_path / "once.db", shard))


def test_a_crawl_is_refused_while_a_merge_holds_the_archive(tmp_path: Path) -> None:
    target = tmp_path / "archive.db"
    held = lock.acquire(target, doing="merge")
    try:
        with pytest.raises(lock.ArchiveBusy) as refused:
            lock.acquire(target)  # what a crawl of it does first
    finally:
        held.release()
    assert str(refused.value).startswith(f"{target} is being merged into by pid {os.getpid()} on ")
    assert str(refused.value).endswith("; exiting")


def test_a_photo_fetched_after_a_merge_comes_with_the_next(tmp_path: Path) -> None:
    # A photo is fetched after its page: a merge in between brings the page, the next one
    # its photo, linked to the version merged before.
    shard, target = tmp_path / "node-1.db", tmp_path / "merged.db"
    value = article(A, 1, image=True)
    with Archive(shard) as node:
        crawl_id = node.begin_crawl("news", {}, node="node-1")
        node.store_article(
            value, crawl_id=crawl_id, fetch=Fetch(url=value["url"], status=200, fetched_at=at(1))
        )
        merged(target, shard)
        with Archive(target, readonly=True) as archive:
            [version] = archive.versions(1)
            [waiting] = archive.photos([version["id"]])[version["id"]]
            assert (waiting["url"], waiting["sha256"]) == (value["image_url"], None)
        node.store_media(
            crawl_id,
            Fetch(url=value["image_url"], status=200, fetched_at=at(2)),
            Image(url=value["image_url"], type="image/jpeg", body=b"\\xff\\xd8photo"),
        )
        node.finish_crawl(crawl_id, "finished", finished_at=at(3))
    merged(target, shard)
    with Archive(target, readonly=True) as archive:
        [version] = archive.versions(1)
        [photo] = archive.photos([version["id"]])[version["id"]]
        assert archive.media(photo["sha256"])["body"] == b"\\xff\\xd8photo"  # type: ignore[index]
    assert merge.canonical(target) == merge.canonical(merged(tmp_path / "once.db", shard))


@pytest.mark.parametrize("seed", range(20))
def test_merging_after_every_crawl_reads_only_what_is_new(seed: int, tmp_path: Path) -> None:
    # Each node's archive merged after each of its crawls, in time order: every merge but a
    # node's first reads only what its archive gained, and the result is that of merging
    # the finished archives once.
    history = random_history(seed)
    crawls = sorted(
        ((c, i) for i, node in enumerate(history) for c in node), key=lambda pair: pair[0].start
    )
    shards = [tmp_path / f"node-{i}.db" for i in range(len(history))]
    target = tmp_path / "hourly.db"
    seen: set[int] = set()
    with Archive(target) as archive:
        for crawl, node in crawls:
            play(shards[node], [crawl])
            report = merge.merge(archive, shards[node])
            assert report.incremental is (node in seen)
            seen.add(node)
    once = merged(tmp_path / "once.db", *(shard for shard in shards if shard.exists()))
    assert without_version_captures(target) == without_version_captures(once)


def test_an_unreadable_page_read_after_a_merge_comes_with_the_next(tmp_path: Path) -> None:
    # reparse reads a kept page as an article after the shard was merged: it only changes
    # that fetch's row (no new row), which the next merge brings all the same.
    shard = tmp_path / "node-1.db"
    page = article(A, 1)
    with Archive(shard) as node:
        crawl_id = node.begin_crawl("news", {}, node="node-1")
        other = article(A, 2)
        node.store_article(
            other, crawl_id=crawl_id, fetch=Fetch(url=other["url"], status=200, fetched_at=at(1))
        )
        fetch_id = node.record_fetch(
            crawl_id,
            Fetch(url=page["url"], status=200, fetched_at=at(2)),
            "unreadable",
            capture=Capture(url=page["url"], status=200, headers={}, body=b"<html>x</html>"),
        )
        node.finish_crawl(crawl_id, "finished", finished_at=at(3))
    target = merged(tmp_path / "merged.db", shard)
    with Archive(shard) as node:
        node.read_unreadable(fetch_id, page, extractor="later", extractor_version="2")
    with Archive(target) as archive:
        report = merge.merge(archive, shard)
    assert (report.nothing_new, report.incremental) == (False, True)
    assert merge.canonical(target) == merge.canonical(merged(tmp_path / "once.db", shard))
