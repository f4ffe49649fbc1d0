"""Re-extraction of stored captures (archive.reparse and ``archive reparse``)."""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Capture, Fetch
from archive.cli import cli
from archive.reparse import EXTRACTOR, charset, extract, extractor_version, reparse
from extraction.pages import sputnik

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages" / "SputnikArticlePage"
HTML_UTF8 = {"Content-Type": ["text/html; charset=utf-8"]}


def fixture(case: str) -> tuple[str, bytes]:
    """(url, body) of a saved page."""
    meta = json.loads((PAGES / case / "meta.json").read_text(encoding="utf-8"))
    return meta["url"], (PAGES / case / "body.html").read_bytes()


def store(
    archive: Archive,
    url: str,
    body: bytes,
    *,
    fetched_at: str,
    content: dict[str, Any] | None = None,
    capture: bool = True,
) -> int:
    """Store a page as the crawl would, or with ``content`` as an older extractor read it."""
    crawl = archive.begin_crawl("sputnik", {})
    extracted = extract(url, body, HTML_UTF8).to_dict()
    result = archive.store_article(
        {**extracted, **(content or {})},
        crawl_id=crawl,
        fetch=Fetch(url=url, status=200, fetched_at=fetched_at),
        capture=Capture(url=url, status=200, headers=HTML_UTF8, body=body) if capture else None,
        extractor=EXTRACTOR,
        extractor_version="0",
    )
    archive.finish_crawl(crawl, "finished")
    return result.article_id


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


def test_charset_from_content_type() -> None:
    assert charset({"content-type": ["text/html; charset=ISO-8859-15"]}) == "iso8859-15"
    assert charset({"Content-Type": ['text/html;charset="windows-1251"']}) == "cp1251"
    assert charset({"Content-Type": ["text/html; charset=nonsense-42"]}) is None
    assert charset({"Content-Type": ["text/html"]}) is None
    assert charset({}) is None


def test_extract_decodes_with_the_header_charset() -> None:
    # "œ" is 0xBD in ISO-8859-15 but "½" in windows-1252, the guess without a header.
    url, body = fixture("no_tags")
    title = "Le Niger et le Mali signent un accord de coopération énergétique"
    text = body.decode("utf-8").replace('<meta charset="utf-8">', "")
    text = text.replace(title, "Le cœur de l'accord")
    latin = text.encode("iso8859-15", errors="xmlcharrefreplace")
    header = {"Content-Type": ["text/html; charset=ISO-8859-15"]}
    assert extract(url, latin, header).title == "Le cœur de l'accord"
    assert extract(url, latin, {}).title == "Le c½ur de l'accord"


def test_extractor_version_comes_from_the_page_module() -> None:
    assert extractor_version() == str(getattr(sputnik, "EXTRACTOR_VERSION", "1"))


def test_unchanged_pages_write_nothing(archive: Archive) -> None:
    for case in ("no_tags", "seed_legacy"):
        store(archive, *fixture(case), fetched_at="2024-05-01T03:00:00+00:00")
    report = reparse(archive)
    assert (report.examined, report.unchanged, report.skipped) == (2, 2, 0)
    assert report.changed == [] and report.failed == []
    assert archive.counts()["versions"] == 2


def test_changed_extraction_adds_a_version(archive: Archive) -> None:
    url, body = fixture("no_tags")
    fetched_at = "2024-05-01T03:00:00+00:00"
    article_id = store(
        archive, url, body, fetched_at=fetched_at, content={"title": "Ancien titre", "body": "x"}
    )
    report = reparse(archive)
    assert (report.examined, report.unchanged) == (1, 0)
    [changed] = report.changed
    assert (changed.article_id, changed.fields) == (article_id, ["title", "body"])
    versions = archive.versions(article_id)
    assert [v["number"] for v in versions] == [1, 2]
    assert changed.version_id == versions[1]["id"]
    new = versions[1]
    assert new["title"] == "Le Niger et le Mali signent un accord de coopération énergétique"
    assert (new["extractor"], new["extractor_version"]) == (EXTRACTOR, extractor_version())
    assert new["crawl_id"] is None
    assert new["capture_id"] == versions[0]["capture_id"]
    assert new["fetched_at"] == versions[0]["fetched_at"]
    current = archive.get_article(article_id)
    assert current is not None and current["title"] == new["title"]
    again = reparse(archive)  # the new version is current: nothing left to do
    assert (again.unchanged, again.changed) == (1, [])


def test_dry_run_writes_nothing(archive: Archive) -> None:
    url, body = fixture("no_tags")
    article_id = store(
        archive, url, body, fetched_at="2024-05-01T03:00:00+00:00", content={"title": "Ancien"}
    )
    report = reparse(archive, dry_run=True)
    assert [(c.fields, c.version_id) for c in report.changed] == [(["title"], None)]
    assert len(archive.versions(article_id)) == 1
    assert archive.get_article(article_id)["title"] == "Ancien"  # type: ignore[index]


def test_a_page_that_is_no_longer_an_article_is_failed_never_stored(archive: Archive) -> None:
    url, good = fixture("no_tags")
    article_id = store(archive, url, good, fetched_at="2024-05-01T03:00:00+00:00")
    # The capture now holds an error page, as if the extractor had regressed on it.
    _, error_page = fixture("not_article_error")
    archive.db.execute(
        "UPDATE captures SET body = :body, body_sha256 = :sha, body_size = :size",
        {
            "body": zlib.compress(error_page),
            "sha": hashlib.sha256(error_page).hexdigest(),
            "size": len(error_page),
        },
    )
    archive.db.conn.commit()
    report = reparse(archive)
    assert (report.examined, report.unchanged, report.changed) == (1, 0, [])
    [failed] = report.failed
    assert failed.article_id == article_id
    assert "not an article" in failed.reason
    assert len(archive.versions(article_id)) == 1
    assert archive.get_article(article_id)["title"].startswith("Le Niger")  # type: ignore[index]


def test_a_damaged_capture_is_failed(archive: Archive) -> None:
    article_id = store(archive, *fixture("no_tags"), fetched_at="2024-05-01T03:00:00+00:00")
    archive.db.execute("UPDATE captures SET body_sha256 = :bad", {"bad": "0" * 64})
    archive.db.conn.commit()
    report = reparse(archive)
    assert [(f.article_id, f.reason) for f in report.failed] == [
        (article_id, "damaged capture: body does not match its sha256")
    ]


def test_the_current_versions_capture_is_used_not_the_newest(archive: Archive) -> None:
    # A page edited and then reverted: its capture is stored once, so the current version
    # (3) points at the oldest capture. Re-extracting the newest one would bring back v2.
    url, body = fixture("no_tags")
    edited = body.replace(b"Le Niger et le Mali signent", b"Le Niger et le Mali paraphent")
    first = store(archive, url, body, fetched_at="2024-05-01T03:00:00+00:00")
    store(archive, url, edited, fetched_at="2024-05-02T03:00:00+00:00")
    store(archive, url, body, fetched_at="2024-05-03T03:00:00+00:00")
    versions = archive.versions(first)
    assert len(versions) == 3
    assert versions[2]["capture_id"] == versions[0]["capture_id"]
    report = reparse(archive)
    assert (report.examined, report.unchanged, report.changed) == (1, 1, [])


def test_an_article_whose_current_version_has_no_capture_is_skipped(archive: Archive) -> None:
    url, body = fixture("no_tags")
    article_id = store(archive, url, body, fetched_at="2024-05-01T03:00:00+00:00")
    store(
        archive,
        url,
        body,
        fetched_at="2024-05-02T03:00:00+00:00",
        content={"title": "Retitré"},
        capture=False,
    )
    report = reparse(archive)
    assert (report.examined, report.skipped, report.changed) == (0, 1, [])
    assert archive.get_article(article_id)["title"] == "Retitré"  # type: ignore[index]


# -- the command --------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """One changed article (an older extractor's title), one unchanged, one failed."""
    path = tmp_path / "cli.db"
    with Archive(path) as archive:
        store(
            archive,
            *fixture("no_tags"),
            fetched_at="2024-05-01T03:00:00+00:00",
            content={"title": "Ancien titre"},
        )
        store(archive, *fixture("seed_legacy"), fetched_at="2024-05-01T03:00:00+00:00")
        url, body = fixture("several_authors")
        store(archive, url, body, fetched_at="2024-05-01T03:00:00+00:00")
        archive.db.execute(
            "UPDATE captures SET body_sha256 = :bad WHERE url = :url", {"bad": "0" * 64, "url": url}
        )
        archive.db.conn.commit()
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_cli_reparse_human(db: Path) -> None:
    result = run("--db", str(db), "reparse")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{EXTRACTOR} {extractor_version()}: examined 3 captures; "
        "changed 1, unchanged 1, failed 1, skipped 0"
    )
    assert lines[1].startswith("  changed 1 https://fr.sputniknews.africa/20230412/")
    assert lines[1].endswith(": title -> version 4")
    assert lines[2].startswith("  failed 3 ")
    assert "damaged capture" in lines[2]
    assert result.stderr == ""  # no progress when stderr is not a terminal
    again = run("--db", str(db), "reparse").stdout
    assert "changed 0, unchanged 2, failed 1, skipped 0" in again


def test_cli_reparse_json_dry_run(db: Path) -> None:
    result = run("--db", str(db), "reparse", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert (report["examined"], report["changed_count"], report["unchanged"]) == (3, 1, 1)
    assert (report["failed_count"], report["skipped"]) == (1, 0)
    assert report["extractor"] == EXTRACTOR
    [changed] = report["changed"]
    assert (changed["article_id"], changed["fields"], changed["version_id"]) == (1, ["title"], None)
    [failed] = report["failed"]
    assert set(failed) == {"article_id", "url", "capture_id", "reason"}
    human = run("--db", str(db), "reparse", "--dry-run").stdout
    assert "would change 1" in human  # and still nothing written:
    assert json.loads(run("--db", str(db), "reparse", "--json").stdout)["changed_count"] == 1


def test_cli_reparse_of_a_read_only_archive(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod proves nothing when the tests run as root: make the file look read-only instead.
    monkeypatch.setattr("archive.cli.os.access", lambda path, mode: mode != os.W_OK)
    result = run("--db", str(db), "reparse")
    assert result.exit_code == 1, result.output
    assert "read-only" in result.output
    assert "Traceback" not in result.output
    assert run("--db", str(db), "reparse", "--dry-run").exit_code == 0
