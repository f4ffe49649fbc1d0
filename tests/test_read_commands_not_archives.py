"""Every ``archive`` command refuses a file that is not already an archive, and leaves it as
it was: opening it read-write (to upgrade an older archive) would have made it one."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive, ArchiveError
from archive.cli import cli
from archive.faults import check_file
from tests.test_archive import fetch_for, make_article
from tests.test_migrations import SCHEMA_1

#: Arguments each command needs besides ``--db``; every command of the group is here.
COMMANDS: dict[str, list[str]] = {
    "articles": [],
    "crawls": [],
    "export": ["--format", "jsonl", "-o", "-"],
    "history": ["1"],
    "media": ["0" * 64, "-o", "-"],
    "related": ["1"],
    "reparse": ["--dry-run"],
    "search": ["syrie"],
    "serve": ["--print-metadata"],
    "show": ["1"],
    "sql": ["SELECT 1"],
    "stats": [],
}


#: Commands that open no archive at all, whatever ``--db`` names.
NO_ARCHIVE = {
    "extract": [
        str(
            Path(__file__).parent
            / "fixtures"
            / "real"
            / "en_sputniknews_2020_radio_critical_hour.html"
        )
    ]
}


#: Commands that hand ``--db`` to a crawl (which refuses a file that is not an archive
#: itself: tests/test_faults_crawl.py); run here, the crawl would replace the test's process.
CRAWL = {"crawl"}


#: Commands whose archives are named otherwise than by ``--db`` (tried below).
MERGE = {"merge"}


def test_every_command_is_tried() -> None:
    assert set(COMMANDS) | set(NO_ARCHIVE) | CRAWL | MERGE == set(cli.commands)
    assert not set(COMMANDS) & set(NO_ARCHIVE)


def empty(path: Path) -> str:
    path.touch()
    return f"{path} is not an archive (an empty file)"


def foreign(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.close()
    return f"{path} is a SQLite database but not an archive"


def no_tables(path: Path) -> str:
    """A SQLite database with nothing in it yet (a header and an empty schema)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    assert path.stat().st_size > 0
    return f"{path} is a SQLite database but not an archive"


def foreign_wal(path: Path) -> str:
    """Somebody else's database in WAL mode, as archives are."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    return f"{path} is a SQLite database but not an archive"


FILES: dict[str, Callable[[Path], str]] = {
    "empty": empty,
    "foreign": foreign,
    "no tables": no_tables,
    "foreign in WAL mode": foreign_wal,
}


def files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_file_that_is_not_an_archive_is_refused_and_left_alone(
    tmp_path: Path, command: str, kind: str
) -> None:
    path = tmp_path / "data" / "other.db"
    path.parent.mkdir()
    message = FILES[kind](path)
    before = files(path.parent)
    result = CliRunner().invoke(cli, ["--db", str(path), command, *COMMANDS[command]])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert files(path.parent) == before


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("command", list(NO_ARCHIVE))
def test_a_command_that_needs_no_archive_leaves_any_file_alone(
    tmp_path: Path, command: str, kind: str
) -> None:
    path = tmp_path / "data" / "other.db"
    path.parent.mkdir()
    FILES[kind](path)
    before = files(path.parent)
    result = CliRunner().invoke(cli, ["--db", str(path), command, *NO_ARCHIVE[command]])
    assert result.exit_code == 0, result.output
    assert files(path.parent) == before


@pytest.mark.parametrize("writable", [True, False], ids=["writable", "read-only"])
def test_not_an_archive_reads_an_archive_as_one(tmp_path: Path, writable: bool) -> None:
    path = tmp_path / "archive.db"
    Archive(path).close()
    if not writable:
        path.chmod(0o444)
    check_file(path, writing=False)  # raises for what is not an archive


def test_an_archive_being_written_is_one_though_its_schema_is_only_in_the_wal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive.db"
    writer = sqlite3.connect(path)  # a crawl making the archive, its first pages not yet
    writer.execute("PRAGMA journal_mode = WAL")  # checkpointed into the file
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE _migrations (name TEXT)")
    writer.commit()
    try:
        in_file = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        assert in_file.execute("SELECT name FROM sqlite_master").fetchall() == []
        in_file.close()
        check_file(path, writing=False)  # raises for what is not an archive
    finally:
        writer.close()


def test_an_older_archive_is_still_upgraded_in_place_by_a_read_command(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copyfile(SCHEMA_1, path)
    result = CliRunner().invoke(cli, ["--db", str(path), "crawls", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2
    with Archive(path, readonly=True) as archive:
        assert archive.pending_migrations == []


def test_a_file_that_is_not_sqlite_is_named_as_a_crawl_names_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not sqlite at all " * 100)
    result = CliRunner().invoke(cli, ["--db", str(path), "crawls"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {path} is not an archive: not a SQLite database\n",
    )


def test_an_archive_of_a_newer_release_is_read_and_left_alone(tmp_path: Path) -> None:
    """A crawl refuses it (tests/test_faults_crawl.py); reading it is harmless: read-only,
    as far as this release knows it, without a byte written."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.begin_crawl("sputnik", {})
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO _migrations VALUES ('m099_from_the_future', '2030')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["--db", str(path), "crawls", "--json"])
    assert result.exit_code == 0, result.output
    assert [crawl["spider"] for crawl in json.loads(result.stdout)] == ["sputnik"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["not sqlite", "foreign"])
def test_the_archive_command_and_a_crawl_name_a_bad_file_alike(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "archive.db"
    if kind == "not sqlite":
        path.write_text("a shopping list\n" * 50)
    else:
        foreign(path)
    with pytest.raises(ArchiveError) as crawl:
        check_file(path)  # what `scrapy crawl` says (tests/test_faults_crawl.py runs it)
    result = CliRunner().invoke(cli, ["--db", str(path), "crawls"])
    assert (result.exit_code, result.output) == (1, f"Error: {crawl.value}\n")


def test_a_page_damaged_past_what_opening_checks_ends_a_command_in_one_line(
    tmp_path: Path,
) -> None:
    """The header and schema read fine, an article page is garbage: the command that meets it
    says so in one line (exit 1), as every refusal does, not with a traceback."""
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        crawl = archive.begin_crawl("s", {})
        for number in range(1, 200):
            article = make_article(number)
            archive.store_article(article, crawl_id=crawl, fetch=fetch_for(article))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    result = CliRunner().invoke(cli, ["--db", str(db), "articles"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {db} is damaged: database disk image is malformed\n",
    )


@pytest.mark.parametrize("kind", list(FILES))
def test_merge_refuses_a_shard_that_is_not_an_archive(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "data" / "other.db"
    path.parent.mkdir()
    message = FILES[kind](path)
    before = files(path.parent)
    target = tmp_path / "merged.db"
    result = CliRunner().invoke(cli, ["merge", str(path), "--into", str(target)])
    assert (result.exit_code, result.output) == (1, f"Error: {path}: {message}\n")
    assert files(path.parent) == before


#: An empty file, or a SQLite file with no table yet, becomes an archive when written to, as a
#: crawl makes it one.
@pytest.mark.parametrize("kind", [k for k in FILES if k not in ("empty", "no tables")])
def test_merge_refuses_a_target_that_is_not_an_archive(tmp_path: Path, kind: str) -> None:
    shard = tmp_path / "shard.db"
    Archive(shard).close()
    path = tmp_path / "data" / "other.db"
    path.parent.mkdir()
    message = FILES[kind](path)
    before = files(path.parent)
    result = CliRunner().invoke(cli, ["merge", str(shard), "--into", str(path)])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert files(path.parent) == before
