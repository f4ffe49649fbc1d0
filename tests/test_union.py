"""Several ``--db`` read as one: every read command answers as the merged archive would.

The union of ``a.db`` and ``b.db`` (merged in sorted path order into a cached archive) must
print what the same command prints on ``archive merge a.db b.db`` into an empty archive,
ids and all; the archives themselves are never written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import lock, union, web
from archive.cli import cli
from tests.test_merge import SCHEMA_1, A, Crawl, article, merged, partitioned, play

#: The article both archives hold: node 1 read it twice (an edit), node 2 once more later.
SHARED = f"https://{A}/articles/1.html"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", str(directory))
    monkeypatch.delenv("ARCHIVE_PATH", raising=False)
    return directory


def node2() -> list[Crawl]:
    """Beta's crawls, then one that reads alpha's article 1 retitled and article 3."""
    return [
        *partitioned()[1],
        Crawl("node-2", 200)
        .store(201, article(A, 1, related=[2], title="Titre vu par beta"))
        .store(202, article(A, 3)),
    ]


@pytest.fixture
def pair(tmp_path: Path) -> dict[str, Path]:
    """``a.db`` (alpha) and ``b.db`` (beta, and alpha's article 1 again), and ``ref.db``:
    both merged into an empty archive, a then b (the union's order)."""
    a = play(tmp_path / "a.db", partitioned()[0])
    b = play(tmp_path / "b.db", node2())
    reference = tmp_path / "reference"
    reference.mkdir()
    return {"a": a, "b": b, "ref": merged(reference / "ref.db", a, b)}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, list(args))


def both(pair: dict[str, Path], *args: str) -> Result:
    return run("--db", str(pair["a"]), "--db", str(pair["b"]), *args)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def photo_sha256(pair: dict[str, Path]) -> str:
    conn = sqlite3.connect(pair["ref"])
    try:
        [(sha256,)] = conn.execute("SELECT sha256 FROM media").fetchall()
    finally:
        conn.close()
    return str(sha256)


READS: list[tuple[str, ...]] = [
    ("crawls", "--json"),
    ("crawls",),
    ("show", SHARED, "--json"),
    ("show", SHARED),
    ("show", f"https://{A}/articles/2.html", "--json"),
    ("history", SHARED, "--json"),
    ("history", SHARED),
    ("search", "Article", "--json"),
    ("search", "Titre"),
    ("articles", "--json"),
    ("articles",),
    ("articles", "--site", A, "--json"),
    ("sql", "SELECT id, url, title, status FROM articles ORDER BY id", "--json"),
    ("sql", "SELECT id, crawl_id, number, title FROM versions ORDER BY id"),
    ("export",),
    ("export", "--all-versions"),
    ("export", "--format", "csv"),
    ("stats", "--json"),
    ("stats",),
    ("related", SHARED, "--format", "json"),
    ("related", f"https://{A}/articles/4.html", "--depth", "2"),
]


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_every_read_command_answers_as_the_merged_archive(
    pair: dict[str, Path], args: tuple[str, ...]
) -> None:
    expected = run("--db", str(pair["ref"]), *args)
    assert expected.exit_code == 0, expected.output
    found = both(pair, *args)
    assert found.exit_code == 0, found.output
    assert found.stdout == expected.stdout
    assert found.stdout.strip()


def test_media_gives_a_photo_of_either_archive(pair: dict[str, Path]) -> None:
    sha256 = photo_sha256(pair)
    found = both(pair, "media", sha256)
    assert found.exit_code == 0, found.output
    assert found.stdout_bytes == b"\xff\xd8jpeg-1"
    assert found.stdout_bytes == run("--db", str(pair["ref"]), "media", sha256).stdout_bytes


def test_an_article_of_both_archives_is_one_with_both_histories(pair: dict[str, Path]) -> None:
    found = both(pair, "history", SHARED, "--json")
    assert found.exit_code == 0, found.output
    versions = json.loads(found.stdout)["versions"]
    assert [v["title"] for v in versions] == [
        "Article 1 de alpha.example",
        "Article 1, mis à jour",
        "Titre vu par beta",
    ]
    listed = json.loads(both(pair, "articles", "--site", A, "--json").stdout)
    assert sorted(row["url"] for row in listed) == [
        f"https://{A}/articles/{n}.html" for n in (1, 2, 3, 4)
    ]


def test_the_union_is_built_once_and_said_so(pair: dict[str, Path], cache: Path) -> None:
    first = both(pair, "crawls", "--json")
    assert first.exit_code == 0, first.output
    path = union.union_path([pair["a"], pair["b"]])
    assert path.parent == cache
    assert path.name == (
        "union-"
        + hashlib.sha256(f"{pair['a'].resolve()}\n{pair['b'].resolve()}".encode()).hexdigest()[:16]
        + ".db"
    )
    [line] = first.stderr.splitlines()
    assert line.startswith(
        f"reading 2 archives as one: merged {pair['a']}, {pair['b']} into {path} ("
    )
    assert line.endswith(" s)")
    built = path.stat().st_mtime_ns
    # Up to date: nothing said, nothing written, in either order of the options.
    again = run("--db", str(pair["b"]), "--db", str(pair["a"]), "crawls", "--json")
    assert again.exit_code == 0, again.output
    assert again.stderr == ""
    assert again.stdout == first.stdout
    assert path.stat().st_mtime_ns == built
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        path.name,
        f"{path.name}.lock",
        path.with_suffix(".json").name,
    ]


def test_a_source_that_gained_a_crawl_is_merged_again(pair: dict[str, Path]) -> None:
    assert both(pair, "crawls").exit_code == 0
    play(pair["b"], [Crawl("node-2", 300).store(301, article(A, 5))])
    found = both(pair, "articles", "--json")
    assert found.exit_code == 0, found.output
    path = union.union_path([pair["a"], pair["b"]])
    assert found.stderr.startswith(f"reading 2 archives as one: merged {pair['b']} into {path} (")
    assert f"https://{A}/articles/5.html" in [row["url"] for row in json.loads(found.stdout)]
    # As merging b again into the reference gives, ids and all.
    merged(pair["ref"], pair["b"])
    for args in READS[:3] + READS[9:10] + READS[12:14]:
        assert both(pair, *args).stdout == run("--db", str(pair["ref"]), *args).stdout, args


def test_the_archives_are_never_written(pair: dict[str, Path], tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(SCHEMA_1, old)
    sources = [pair["a"], pair["b"], old]
    before = [digest(path) for path in sources]
    args = [arg for path in sources for arg in ("--db", str(path))]
    found = run(*args, "articles", "--json")
    assert found.exit_code == 0, found.output
    assert found.stderr.startswith("reading 3 archives as one: merged ")
    assert len(json.loads(found.stdout)) == 7 + 20  # 20 in the older archive
    for command in (["crawls", "--json"], ["stats", "--json"], ["export"]):
        assert run(*args, *command).exit_code == 0
    assert [digest(path) for path in sources] == before
    assert run(*args, "crawls").stderr == ""  # the upgraded copy changed nothing
    # The older archive was read through an upgraded copy, since removed.
    cache = union.cache_dir()
    assert not [p for p in cache.iterdir() if p.name.startswith(".merge-")]


def test_archive_path_may_name_several(pair: dict[str, Path]) -> None:
    expected = run("--db", str(pair["ref"]), "articles", "--json")
    found = run("articles", "--json", env={"ARCHIVE_PATH": f"{pair['a']}:{pair['b']}"})
    assert found.exit_code == 0, found.output
    assert found.stdout == expected.stdout
    assert found.stderr.startswith("reading 2 archives as one: merged ")


def test_one_archive_named_twice_is_read_as_one(pair: dict[str, Path], cache: Path) -> None:
    twice = run("--db", str(pair["a"]), "--db", f"{pair['a'].parent}/./a.db", "crawls", "--json")
    once = run("--db", str(pair["a"]), "crawls", "--json")
    assert twice.exit_code == 0, twice.output
    assert (twice.stdout, twice.stderr) == (once.stdout, "")
    assert not cache.exists()


@pytest.mark.parametrize("args", [("reparse",), ("reparse", "--dry-run"), ("crawl", "sputnik")])
def test_commands_that_write_are_refused(
    pair: dict[str, Path], cache: Path, args: tuple[str, ...]
) -> None:
    before = [digest(pair["a"]), digest(pair["b"])]
    found = both(pair, *args)
    assert found.exit_code == 2
    assert found.stderr.endswith(f"Error: {args[0]} writes to one archive: give one --db, not 2\n")
    assert not cache.exists()
    assert [digest(pair["a"]), digest(pair["b"])] == before


def test_an_archive_of_a_newer_release_is_refused(pair: dict[str, Path], cache: Path) -> None:
    conn = sqlite3.connect(pair["b"])
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_future', 'x')")
    conn.commit()
    conn.close()
    before = digest(pair["b"])
    found = both(pair, "crawls")
    assert found.exit_code == 1
    assert found.stderr == (
        f"Error: {pair['b']} was made by a newer release (m999_future);"
        " upgrade the archiver to write to it\n"
    )
    assert digest(pair["b"]) == before
    assert not cache.exists()


def test_a_missing_or_empty_archive_is_refused(
    pair: dict[str, Path], tmp_path: Path, cache: Path
) -> None:
    found = run("--db", str(pair["a"]), "--db", str(tmp_path / "nope.db"), "crawls")
    assert found.exit_code == 1
    assert found.stderr == f"Error: no archive at {tmp_path / 'nope.db'}\n"
    empty = tmp_path / "empty.db"
    empty.touch()
    found = run("--db", str(pair["a"]), "--db", str(empty), "crawls")
    assert found.exit_code == 1
    assert found.stderr == f"Error: {empty} is not an archive (an empty file)\n"
    assert empty.stat().st_size == 0
    assert not cache.exists()


def test_a_union_made_by_another_release_is_made_again(pair: dict[str, Path]) -> None:
    first = both(pair, "articles", "--json")
    path = union.union_path([pair["a"], pair["b"]])
    sidecar = path.with_suffix(".json")
    state = json.loads(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(json.dumps({**state, "release": ["0.0.1"]}), encoding="utf-8")
    again = both(pair, "articles", "--json")
    assert again.stderr.startswith(
        f"reading 2 archives as one: merged {pair['a']}, {pair['b']} into {path} ("
    )
    assert again.stdout == first.stdout
    assert both(pair, "articles", "--json").stderr == ""


def test_serve_serves_the_union(pair: dict[str, Path]) -> None:
    found = both(pair, "serve", "--print-metadata")
    assert found.exit_code == 0, found.output
    name = union.union_path([pair["a"], pair["b"]]).stem
    assert json.loads(found.stdout) == web.build_metadata(name)


def fingerprints(path: Path) -> dict[str, Any]:
    state = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return dict(state["sources"])


def test_fingerprints_are_recorded_per_archive(pair: dict[str, Path]) -> None:
    assert both(pair, "crawls").exit_code == 0
    path = union.union_path([pair["a"], pair["b"]])
    recorded = fingerprints(path)
    assert sorted(recorded) == [str(pair["a"].resolve()), str(pair["b"].resolve())]
    for name, value in recorded.items():
        assert value == union.fingerprint(name)
        assert value["size"] == os.stat(name).st_size


def test_a_reader_waits_for_another_building_the_same_union(pair: dict[str, Path]) -> None:
    path = union.union_path([pair["a"], pair["b"]])
    path.parent.mkdir()
    held = lock.acquire(path, doing="union")  # another reader is building it
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("archive")),
            *("--db", str(pair["a"]), "--db", str(pair["b"])),
            *("crawls", "--json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert process.stderr is not None
        waiting = process.stderr.readline()  # blocks until the reader says it waits
        assert waiting == (
            f"reading 2 archives as one: waiting for pid {os.getpid()}, which is building {path}\n"
        )
        assert process.poll() is None
    finally:
        held.release()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert err.startswith(f"reading 2 archives as one: merged {pair['a']}, {pair['b']} into ")
    assert json.loads(out) == json.loads(run("--db", str(pair["ref"]), "crawls", "--json").stdout)


def test_a_cache_that_cannot_be_written_is_said(
    pair: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("ARCHIVE_CACHE_DIR", str(blocked / "cache"))
    found = both(pair, "crawls")
    assert found.exit_code == 1
    assert found.stderr == (
        f"Error: cannot keep the union of 2 archives in {blocked / 'cache'}: Not a directory"
        " (set ARCHIVE_CACHE_DIR to another directory)\n"
    )
