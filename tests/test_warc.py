"""WARC export of the stored captures (archive.warc and ``archive export``)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive import Archive, Capture, Fetch
from archive.cli import cli
from archive.warc import (
    ORIG_PREFIX,
    WarcExportError,
    export_warc,
    http_headers,
    warc_date,
    write_warc,
)

SITE = "https://fr.sputniknews.com"
WIRE_HEADERS: dict[str, list[str]] = {
    "Content-Type": ["text/html; charset=utf-8"],
    "Content-Length": ["17"],
    "Transfer-Encoding": ["chunked"],
    "Set-Cookie": ["a=1; Path=/", "b=2; Path=/"],
}


def page(title: str, text: str) -> bytes:
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body>"
    return html.encode("utf-8")


def article(url: str, title: str, text: str) -> dict[str, Any]:
    return {"url": url, "canonical_url": url, "site": "sputnik", "title": title, "body": text}


CAPTURES: list[tuple[str, str, str, dict[str, list[str]]]] = [
    # (path, fetched_at, title, headers)
    ("/international/2017-a/", "2024-05-01T03:00:01.250000+00:00", "Sécurité en Syrie", {}),
    ("/russie/2017-b/", "2024-05-01T03:00:02+00:00", "Moscou réagit", WIRE_HEADERS),
    ("/international/2017-a/", "2024-05-02T06:00:00+03:00", "Sécurité en Syrie (mis à jour)", {}),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An archive with three captures: two articles, one of them in two versions."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for suffix, fetched_at, title, headers in CAPTURES:
            url = SITE + suffix
            text = f"Texte de « {title} »."
            archive.store_article(
                article(url, title, text),
                crawl_id=crawl,
                fetch=Fetch(url=url, status=200, fetched_at=fetched_at),
                capture=Capture(
                    url=url,
                    status=200,
                    headers=headers or {"Content-Type": "text/html; charset=utf-8"},
                    body=page(title, text),
                ),
                extractor="SputnikArticlePage",
                extractor_version="1",
            )
        archive.finish_crawl(crawl, "finished")
    return path


def stored_captures(db: Path) -> list[dict[str, Any]]:
    with Archive(db) as archive:
        return list(archive.iter_captures())


def read_warc(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file, digests checked (a bad one raises)."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            raw = record.raw_stream.read()
            records.append(
                {
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "payload": raw,
                    "verified": record.digest_checker.passed,
                    "problems": list(record.digest_checker.problems),
                }
            )
    return records


# -- helpers ------------------------------------------------------------------------------


def test_warc_date_is_utc_with_z() -> None:
    assert warc_date("2024-05-01T06:00:00.123456+03:00") == "2024-05-01T03:00:00.123456Z"
    assert warc_date("2024-05-01T03:00:00+00:00") == "2024-05-01T03:00:00Z"
    assert warc_date("2024-05-01T03:00:00") == "2024-05-01T03:00:00Z"


def test_http_headers_describe_the_body_as_stored() -> None:
    headers = http_headers(200, WIRE_HEADERS, 1234)
    assert headers.statusline == "200 OK"
    assert headers.protocol == "HTTP/1.1"
    assert headers.get_header("Content-Length") == "1234"
    assert headers.get_header("Transfer-Encoding") is None  # the body is stored de-chunked
    assert headers.get_header(ORIG_PREFIX + "Transfer-Encoding") == "chunked"
    assert headers.get_header(ORIG_PREFIX + "Content-Length") == "17"
    assert [v for k, v in headers.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    # Scrapy drops Content-Encoding once it has decoded the body: one left means it still is.
    assert http_headers(200, {"Content-Encoding": ["br"]}, 1).get_header("Content-Encoding") == "br"
    assert http_headers(299, {"X": ["line\r\nbreak"]}, 0).statusline == "299"
    assert ("X", "line break") in http_headers(299, {"X": ["line\r\nbreak"]}, 0).headers


# -- export round trip --------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False])
def test_export_reads_back_with_every_digest_verified(
    db: Path, tmp_path: Path, compress: bool
) -> None:
    out = tmp_path / ("out.warc.gz" if compress else "out.warc")
    with Archive(db) as archive:
        result = export_warc(archive, out, gzip=compress)
    captures = stored_captures(db)
    assert len(captures) == 3
    assert (result.captures, result.records) == (3, 4)
    assert result.bytes == out.stat().st_size
    assert out.read_bytes().startswith(b"\x1f\x8b" if compress else b"WARC/1.1\r\n")

    records = read_warc(out)
    assert len(records) == len(captures) + 1
    info, *responses = records
    assert info["type"] == "warcinfo"
    assert b"software: sputnik-archiver/" in info["payload"]
    assert b"format: WARC File Format 1.1" in info["payload"]
    for record, capture in zip(responses, captures, strict=True):
        assert record["type"] == "response"
        assert record["verified"] is True, record["problems"]
        headers = record["headers"]
        assert headers["WARC-Target-URI"] == capture["url"]
        assert headers["WARC-Date"] == warc_date(capture["fetched_at"])
        assert headers["WARC-Payload-Digest"].startswith("sha1:")
        assert headers["WARC-Block-Digest"].startswith("sha1:")
        assert headers["WARC-Warcinfo-ID"] == info["headers"]["WARC-Record-ID"]
        assert record["payload"] == capture["body"]
        assert record["http"].get_statuscode() == "200"
        assert record["http"].get_header("Content-Type") == "text/html; charset=utf-8"
    assert responses[1]["http"].get_header(ORIG_PREFIX + "Transfer-Encoding") == "chunked"
    assert responses[1]["http"].get_header("Content-Length") == str(len(captures[1]["body"]))


def test_a_tampered_warc_fails_the_digest_check(db: Path, tmp_path: Path) -> None:
    # Proves the round trip above really checks digests.
    out = tmp_path / "out.warc"
    with Archive(db) as archive:
        export_warc(archive, out, gzip=False)
    data = out.read_bytes()
    out.write_bytes(data.replace("Moscou réagit".encode(), b"Moscou reagit!"))
    with pytest.raises(ArchiveLoadFailed, match="digest"):
        read_warc(out)


def test_captures_stream_one_at_a_time() -> None:
    out = io.BytesIO()
    seen: list[int] = []

    def captures() -> Iterator[dict[str, Any]]:
        for number in range(3):
            # The previous capture is already written when the next one is asked for.
            seen.append(out.tell())
            body = page(f"Titre {number}", "texte")
            yield {
                "id": number,
                "url": f"{SITE}/{number}",
                "fetched_at": "2024-05-01T03:00:00+00:00",
                "status": 200,
                "headers": {},
                "body": body,
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "error": None,
            }

    assert write_warc(captures(), out, gzip=True) == 3
    assert seen[0] < seen[1] < seen[2]
    assert gzip.decompress(out.getvalue()).count(b"WARC-Type: response") == 3


def test_an_empty_archive_exports_only_warcinfo(tmp_path: Path) -> None:
    with Archive(tmp_path / "empty.db") as archive:
        result = export_warc(archive, tmp_path / "empty.warc.gz")
    assert (result.captures, result.records) == (0, 1)
    assert [r["type"] for r in read_warc(tmp_path / "empty.warc.gz")] == ["warcinfo"]


# -- a damaged capture stops the export ---------------------------------------------------


def corrupt_second_capture(db: Path) -> None:
    with Archive(db) as archive:
        second = stored_captures(db)[1]["id"]
        archive.db.execute(
            "UPDATE captures SET body_sha256 = :bad WHERE id = :id", {"bad": "0" * 64, "id": second}
        )
        archive.db.conn.commit()


def test_a_corrupted_capture_fails_the_export_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    corrupt_second_capture(db)
    out = tmp_path / "out.warc.gz"
    out.write_bytes(b"an earlier export")
    with Archive(db) as archive, pytest.raises(WarcExportError, match="sha256"):
        export_warc(archive, out)
    assert out.read_bytes() == b"an earlier export"  # never replaced by a partial file
    assert not list(tmp_path.glob("*.part"))  # nor a temporary file left behind


def test_cli_export_of_a_corrupted_capture_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    corrupt_second_capture(db)
    out = tmp_path / "new.warc.gz"
    result = run("--db", str(db), "export", "--format", "warc", "-o", str(out))
    assert result.exit_code == 1
    assert "is damaged: body does not match its sha256" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


# -- the command --------------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_cli_export_human(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.warc.gz"
    result = run("--db", str(db), "export", "--format", "warc", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote 3 captures (4 records, {out.stat().st_size} bytes)")
    assert len(read_warc(out)) == 4


def test_cli_export_json_no_gzip(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.warc"
    result = run("--db", str(db), "export", "--format", "warc", "--output", str(out), "--no-gzip")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout
    result = run(
        "--db", str(db), "export", "--format", "warc", "-o", str(out), "--no-gzip", "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == {
        "path": str(out),
        "records": 4,
        "captures": 3,
        "bytes": out.stat().st_size,
        "gzip": False,
        "articles": 2,
        "media": 0,
        "revisits": 0,
    }
    assert out.read_bytes().startswith(b"WARC/1.1\r\n")


@pytest.mark.parametrize(
    "args",
    [
        ["export", "-o", "x.txt"],  # no --format, and the file name names none
        ["export", "--format", "xml", "-o", "x.warc"],  # no such format
        ["export", "--format", "warc", "--bom"],  # --bom is for csv
    ],
)
def test_cli_export_usage_errors(db: Path, args: list[str]) -> None:
    assert run("--db", str(db), *args).exit_code == 2
