"""Output conventions of ``archive export`` and ``archive related`` (archive.output): standard
output by default, ``-o FILE`` written atomically, errors naming the user's path, a closed
pipe ending quietly, WARC filtered by article, ``--all-versions``, ``--bom``."""

from __future__ import annotations

import csv
import ctypes
import errno
import gzip
import io
import json
import os
import pty
import stat
import subprocess
import sys
import tty
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, Capture, Fetch
from archive import store as store_module
from archive.cli import cli
from archive.export import (
    EXPORT_FIELDS,
    VERSION_EXPORT_FIELDS,
    count_versions,
    export_articles,
    selected_article_ids,
)
from archive.filters import ArticleFilters
from archive.output import OutputError
from archive.warc import export_warc

SITE = "https://fr.sputniknews.com"
A = f"{SITE}/international/2017-a/"
B = f"{SITE}/russie/2017-b/"
C = f"{SITE}/russie/2017-c/"  # an unreadable page: a capture, no article
ARCHIVE_BIN = Path(sys.executable).with_name("archive")


def page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body>".encode()


def store(archive: Archive, crawl: int, url: str, fetched_at: str, **fields: Any) -> None:
    values = {"url": url, "canonical_url": url, "site": "sputnik", "body": "Texte.", **fields}
    archive.store_article(
        values,
        crawl_id=crawl,
        fetch=Fetch(url=url, status=200, fetched_at=fetched_at),
        capture=Capture(
            url=url, status=200, headers={"Content-Type": ["text/html"]}, body=page(values["title"])
        ),
        extractor="SputnikArticlePage",
        extractor_version="2",
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Article 1 (A, tag Syrie) in two versions, article 2 (B, tag Russie) in one, and the
    capture of an unreadable page (C): four captures, ids in that order A1, B, A2, C."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        syrie = {"category": "International", "tags": ["Syrie"], "authors": ["Élise Durand"]}
        store(archive, crawl, A, "2024-05-01T03:00:00+00:00", title="Sécurité", **syrie)
        store(archive, crawl, B, "2024-05-01T04:00:00+00:00", title="Moscou", tags=["Russie"])
        store(archive, crawl, A, "2024-05-02T03:00:00+00:00", title="Sécurité (2)", **syrie)
        archive.record_fetch(
            crawl,
            Fetch(url=C, status=200, fetched_at="2024-05-02T04:00:00+00:00"),
            "unreadable",
            capture=Capture(url=C, status=200, headers={}, body=page("sans titre")),
        )
        archive.finish_crawl(crawl, "finished")
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def warc_uris(data: bytes) -> list[str]:
    """The target URI of each response record (warcinfo first, checked), digests verified."""
    records = list(ArchiveIterator(io.BytesIO(data), check_digests="raise"))
    assert records[0].rec_type == "warcinfo"
    assert all(r.rec_type == "response" for r in records[1:])
    return [r.rec_headers.get_header("WARC-Target-URI") for r in records[1:]]


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- standard output by default -----------------------------------------------------------


def test_export_writes_jsonl_to_stdout_by_default(db: Path) -> None:
    result = run(db, "export")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [A, B]
    assert run(db, "export", "-o", "-").stdout == result.stdout


def test_export_csv_to_stdout_by_default(db: Path) -> None:
    result = run(db, "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(EXPORT_FIELDS)
    assert [row[1] for row in rows[1:]] == [A, B]


def test_warc_goes_to_stdout_buffer_by_default(db: Path) -> None:
    result = run(db, "export", "--format", "warc")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes[:2] == b"\x1f\x8b"  # gzip
    assert warc_uris(result.stdout_bytes) == [A, B, A, C]
    plain = run(db, "export", "--format", "warc", "--no-gzip", "-o", "-")
    assert plain.stdout_bytes.startswith(b"WARC/1.1\r\n")
    assert warc_uris(plain.stdout_bytes) == [A, B, A, C]


def test_related_svg_goes_to_stdout(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"  # stands in for Graphviz: echoes its arguments, then its input
    fake.write_text('#!/bin/sh\necho "args: $*"\ncat\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = run(db, "related", "1", "--format", "svg")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("args: -Tsvg\ndigraph related {\n")
    out = tmp_path / "graph.svg"
    result = run(db, "related", "1", "--format", "svg", "-o", str(out))
    assert result.stdout == f"wrote 1 nodes, 0 edges to {out}\n"
    assert out.read_text(encoding="utf-8").startswith("args: -Tsvg\ndigraph related {\n")


def test_related_text_to_a_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "tree.txt"
    result = run(db, "related", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == run(db, "related", "1").stdout
    assert files(tmp_path) == ["archive.db", "tree.txt"]


# -- binary output is not written to a terminal --------------------------------------------


def on_a_terminal(db: Path, *args: str) -> tuple[int, str, bytes]:
    """Run ``archive`` with stdout a terminal: (status, stderr, what reached the terminal)."""
    controller, terminal = pty.openpty()
    tty.setraw(terminal)  # bytes as written, no newline translation
    process = subprocess.Popen(
        [str(ARCHIVE_BIN), "--db", str(db), *args], stdout=terminal, stderr=subprocess.PIPE
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    _, err = process.communicate(timeout=60)
    return process.returncode, err.decode(), shown


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["export", "--format", "warc"], "A gzip-compressed WARC"),
        (["export", "-o", "-", "--format", "warc"], "A gzip-compressed WARC"),
        (["related", "1", "--format", "png"], "PNG"),
    ],
)
def test_binary_output_is_refused_on_a_terminal(db: Path, args: list[str], what: str) -> None:
    status, err, shown = on_a_terminal(db, *args)
    assert status == 2
    assert shown == b""
    assert err.splitlines()[-1] == (
        f"Error: {what} is not written to a terminal: use -o FILE or a pipe"
    )


def test_text_output_still_goes_to_a_terminal(db: Path) -> None:
    status, err, shown = on_a_terminal(db, "export", "--format", "warc", "--no-gzip")
    assert (status, err) == (0, "")
    assert shown.startswith(b"WARC/1.1\r\n")


# -- -o FILE: atomic, the format from its name ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("a.jsonl", b'{"id": 1,'),
        ("a.NDJSON", b'{"id": 1,'),
        ("a.csv", b"id,url,"),
        ("a.warc", b"\x1f\x8b"),
        ("a.warc.gz", b"\x1f\x8b"),
    ],
)
def test_format_from_the_file_name(db: Path, tmp_path: Path, name: str, start: bytes) -> None:
    out = tmp_path / name
    result = run(db, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(start)
    assert not list(tmp_path.glob(".*.part"))


def test_an_explicit_format_wins_over_the_file_name(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    assert run(db, "export", "--format", "jsonl", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b'{"id": 1,')


def test_a_file_name_that_names_no_format_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    result = run(db, "export", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {out} does not say which format: give --format jsonl, csv or warc"
    )
    assert not out.exists()


def test_json_summary_needs_a_file(db: Path) -> None:
    result = run(db, "export", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: --json summarises the file -o FILE writes: give -o FILE"
    )


# -- errors name the user's path ---------------------------------------------------------


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "command", [["export"], ["export", "--format", "warc"], ["related", "1", "--format", "dot"]]
)
def test_a_missing_directory_is_named(db: Path, tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "nowhere" / "out.x"
    line = usage_error(run(db, *command, "-o", str(out)))
    assert line == (
        "Error: Invalid value for '-o' / '--output':"
        f" cannot write {out}: directory {out.parent} does not exist"
    )
    assert files(tmp_path) == ["archive.db"]


def test_a_directory_is_named(db: Path, tmp_path: Path) -> None:
    line = usage_error(run(db, "export", "-o", str(tmp_path)))
    assert (
        line
        == f"Error: Invalid value for '-o' / '--output': cannot write {tmp_path}: it is a directory"
    )


def test_a_file_as_directory_is_named(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive.db" / "out.jsonl"
    line = usage_error(run(db, "export", "-o", str(out)))
    assert line == (
        "Error: Invalid value for '-o' / '--output':"
        f" cannot write {out}: {out.parent} is not a directory"
    )


def test_the_python_api_names_the_path_too(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "out.jsonl"
    with Archive(db) as archive:
        with pytest.raises(OutputError) as raised:
            export_articles(archive, out, "jsonl")
        assert str(raised.value) == f"cannot write {out}: directory {out.parent} does not exist"
        with pytest.raises(OutputError) as raised:
            export_warc(archive, tmp_path)
        assert str(raised.value) == f"cannot write {tmp_path}: it is a directory"
    assert files(tmp_path) == ["archive.db"]


def without_dac_override() -> None:
    """In the child, before exec: drop the capabilities that let root write anywhere, so
    that file permissions apply (as they do to any other user)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ARCHIVE_BIN), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=without_dac_override if os.geteuid() == 0 else None,
        check=False,
    )


def test_a_read_only_directory_is_named(db: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    out = locked / "out.jsonl"
    try:
        done = run_unprivileged(db, "export", "-o", str(out))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '-o' / '--output':"
        f" cannot write {out}: permission denied (directory {locked} is not writable)"
    )
    assert files(locked) == []


def test_a_read_only_file_is_named_and_kept(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kept.csv"
    out.write_text("earlier", encoding="utf-8")
    out.chmod(0o444)
    done = run_unprivileged(db, "export", "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '-o' / '--output':"
        f" cannot write {out}: permission denied (the file is read-only)"
    )
    assert out.read_text(encoding="utf-8") == "earlier"
    assert files(tmp_path) == ["archive.db", "kept.csv"]


# -- a closed pipe ------------------------------------------------------------------------


@pytest.fixture
def big_db(tmp_path: Path) -> Path:
    """Enough text that no command's output fits a pipe's buffer (64 KiB on Linux)."""
    path = tmp_path / "big.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for n in range(120):
            url = f"{SITE}/international/big-{n}/"
            store(
                archive,
                crawl,
                url,
                "2024-05-01T03:00:00+00:00",
                title=f"Titre {n}",
                body=f"Texte {n} " + "mot " * 1500,
                tags=["Syrie"],
            )
        archive.finish_crawl(crawl, "finished")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["export"],
        ["export", "--format", "csv", "-o", "-"],
        ["export", "--format", "jsonl", "-o", "/dev/stdout"],  # written in place
        ["export", "--format", "warc", "--no-gzip", "--tag", "Syrie"],
        ["export", "--all-versions"],
        ["sql", "SELECT body FROM articles"],
    ],
)
def test_a_closed_pipe_ends_quietly_with_status_0(big_db: Path, args: list[str]) -> None:
    """As ``archive ... | head -n 1``: the reader takes one line and goes away."""
    process = subprocess.Popen(
        [str(ARCHIVE_BIN), "--db", str(big_db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    with process.stderr:
        err = process.stderr.read()
    process.wait(timeout=60)
    assert first
    assert (process.returncode, err) == (0, b"")


# -- WARC honours the article filters -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "uris"),
    [
        ([], [A, B, A, C]),  # everything, unreadable pages too
        (["--tag", "syrie"], [A, A]),  # every version's capture of the selected article
        (["--tag", "Syrie", "--all-versions"], [A, A]),
        (["--tag", "Russie"], [B]),  # C is no article: only in the whole archive's export
        (["--site", "sputnik"], [A, B, A]),
        (["--category", "international"], [A, A]),
        (["--author", "Élise Durand"], [A, A]),
        (["--limit", "1", "--offset", "1"], [B]),
        (["--status", "gone"], []),
    ],
)
def test_warc_honours_the_article_filters(db: Path, args: list[str], uris: list[str]) -> None:
    result = run(db, "export", "--format", "warc", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert warc_uris(result.stdout_bytes) == uris


def test_warc_summary_counts_articles(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "syrie.warc.gz"
    result = run(db, "export", "--tag", "Syrie", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "path": str(out),
        "records": 3,
        "captures": 2,
        "bytes": out.stat().st_size,
        "gzip": True,
        "articles": 1,
        "media": 0,
        "revisits": 0,
    }
    assert warc_uris(gzip.decompress(out.read_bytes())) == [A, A]


# -- --all-versions ------------------------------------------------------------------------


def test_all_versions_jsonl(db: Path) -> None:
    result = run(db, "export", "--all-versions")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(record) == list(VERSION_EXPORT_FIELDS) for record in records)
    picked = [
        (r["article_id"], r["url"], r["version"], r["fetched_at"], r["title"], r["tags"])
        for r in records
    ]
    assert picked == [
        (1, A, 1, "2024-05-01T03:00:00+00:00", "Sécurité", ["Syrie"]),
        (1, A, 2, "2024-05-02T03:00:00+00:00", "Sécurité (2)", ["Syrie"]),
        (2, B, 1, "2024-05-01T04:00:00+00:00", "Moscou", ["Russie"]),
    ]
    assert {(r["extractor"], r["extractor_version"], r["crawl_id"]) for r in records} == {
        ("SputnikArticlePage", "2", 1)
    }
    assert records[0]["authors"] == ["Élise Durand"]
    assert records[0]["content_hash"] != records[1]["content_hash"]


def test_all_versions_csv_with_filters_and_summary(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "versions.csv"
    result = run(db, "export", "--all-versions", "--tag", "Syrie", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"wrote 2 versions of 1 articles ({out.stat().st_size} bytes) to {out}\n"
    )
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == list(VERSION_EXPORT_FIELDS)
    assert [(row[0], row[2], row[8]) for row in rows[1:]] == [
        ("1", "1", "Sécurité"),
        ("1", "2", "Sécurité (2)"),
    ]
    summary = run(db, "export", "--all-versions", "-o", str(out), "--json")
    assert json.loads(summary.stdout) == {
        "path": str(out),
        "format": "csv",
        "articles": 2,
        "records": 3,
        "bytes": out.stat().st_size,
    }


def test_default_export_keeps_current_versions_only(db: Path) -> None:
    titles = [json.loads(line)["title"] for line in run(db, "export").stdout.splitlines()]
    assert titles == ["Sécurité (2)", "Moscou"]


# -- --bom ----------------------------------------------------------------------------------


def test_bom_starts_the_csv(db: Path, tmp_path: Path) -> None:
    result = run(db, "export", "--format", "csv", "--bom")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfid,url,canonical_url,")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and rows[1][5] == "Sécurité (2)"
    out = tmp_path / "excel.csv"
    assert run(db, "export", "--bom", "--all-versions", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfarticle_id,url,version,")
    plain = run(db, "export", "--format", "csv")
    assert plain.stdout_bytes.startswith(b"id,url,")


@pytest.mark.parametrize(
    "args", [["--bom"], ["--bom", "--format", "warc"], ["-o", "x.jsonl", "--bom"]]
)
def test_bom_with_another_format_is_a_usage_error(db: Path, args: list[str]) -> None:
    result = run(db, "export", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Error: --bom goes with --format csv only"


# -- the Python API -----------------------------------------------------------------------


def test_a_write_that_fails_midway_names_the_path_and_leaves_nothing(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "full.jsonl"
    out.write_text("an earlier export", encoding="utf-8")

    def disk_full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with Archive(db) as archive, pytest.raises(OutputError) as raised:
        export_articles(archive, out, "jsonl", progress=disk_full)
    assert str(raised.value) == f"cannot write {out}: No space left on device"
    assert out.read_text(encoding="utf-8") == "an earlier export"
    assert files(tmp_path) == ["archive.db", "full.jsonl"]


def test_counts_and_captures_of_selected_articles(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "CAPTURE_BATCH", 1)
    monkeypatch.setattr(store_module, "ID_BATCH", 1)
    with Archive(db) as archive:
        assert count_versions(archive) == 3
        assert count_versions(archive, ArticleFilters(tag="Syrie")) == 2
        assert count_versions(archive, ArticleFilters(limit=1, offset=1)) == 1
        assert selected_article_ids(archive, ArticleFilters(site="sputnik")) == [1, 2]
        captures = list(archive.iter_captures(article_ids=[2, 1]))
        assert [(c["url"], c["article_id"]) for c in captures] == [(A, 1), (B, 2), (A, 1)]
        assert list(archive.iter_captures(article_ids=[])) == []


def test_a_named_pipe_is_written_as_it_is(db: Path, tmp_path: Path) -> None:
    """A FIFO (as /dev/null or /dev/stdout) is opened and written, never replaced by a file."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = run(db, "export", "--format", "csv", "-o", str(fifo))
    out, _ = reader.communicate(timeout=60)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 2 articles ({len(out)} bytes) to {fifo}\n"
    assert out.startswith(b"id,url,")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert files(tmp_path) == ["archive.db", "fifo"]


def test_a_symbolic_link_keeps_pointing_to_the_new_file(db: Path, tmp_path: Path) -> None:
    real = tmp_path / "exports" / "latest.jsonl"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    result = run(db, "export", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_bytes().startswith(b'{"id": 1,')
    assert files(real.parent) == ["latest.jsonl"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_a_file_written_again_keeps_its_permissions(db: Path, tmp_path: Path, mode: int) -> None:
    target = tmp_path / "private.jsonl"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    result = run(db, "export", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b'{"id": 1,')
    assert stat.S_IMODE(target.stat().st_mode) == mode
