"""The photos of the articles in the archive: ``media`` and ``version_media``, ``archive media``,
``show --json`` and the WARC export (archive.media, Archive.store_media)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, Capture, Fetch
from archive.cli import cli
from archive.filters import ArticleFilters
from archive.media import Image, image_size, photos_of
from archive.warc import export_warc
from mocksite.photos import photo

URL = "https://fr.sputniknews.com/international/201706211031837123-syrie/"
MAIN = "https://cdn.sputniknews.com/images/103/18/1031837091.jpg"
BODY = "https://cdn.sputniknews.com/images/103/18/1031837092.jpg"
MAIN_BYTES = photo("/images/103/18/1031837091.jpg")
BODY_BYTES = photo("/images/103/18/1031837092.jpg", 32, 16)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0\x08\x02\x00\x00\x00"
    b"\x00\x00\x00\x00"
)


def article(**changes: Any) -> dict[str, Any]:
    return {
        "url": URL,
        "canonical_url": URL,
        "site": "sputnik",
        "title": "Washington et Moscou discutent de la sécurité en Syrie",
        "lead": "Les militaires russes et américains se parlent.",
        "body": "Un paragraphe.",
        "image_url": MAIN,
        "image_caption": "Un Su-30 SM s'apprête à décoller",
        "image_credit": "© Sputnik . Ramil Sitdikov",
        **changes,
    }


BODY_IMAGES = [{"url": BODY, "caption": "La base de Hmeimim", "credit": "© AFP"}]


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def fetched(url: str, at: str = "2024-05-01T03:00:00+00:00") -> Fetch:
    return Fetch(url=url, status=200, bytes=0, fetched_at=at)


def store_page(
    archive: Archive, crawl: int, page: dict[str, Any], images: list[dict[str, Any]] | None = None
) -> Any:
    return archive.store_article(page, crawl_id=crawl, fetch=fetched(URL), body_images=images or [])


def keep(
    archive: Archive, crawl: int, url: str, body: bytes, at: str = "2024-05-01T03:00:00+00:00"
) -> str:
    image = Image(url=url, type="image/jpeg", body=body)
    return archive.store_media(crawl, fetched(url, at), image)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An article in two versions: v1 with a main photo and a body image (both fetched), v2
    with a new main photo (fetched) and the same body image."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        first = archive.begin_crawl("sputnik", {})
        store_page(archive, first, article(), BODY_IMAGES)
        keep(archive, first, MAIN, MAIN_BYTES, "2024-05-01T03:00:01+00:00")
        keep(archive, first, BODY, BODY_BYTES, "2024-05-01T03:00:02+00:00")
        archive.finish_crawl(first, "finished")
        second = archive.begin_crawl("sputnik", {})
        store_page(archive, second, article(title="Nouveau titre", image_url=MAIN + "?v=2"))
        new = MAIN_BYTES[:-2] + b"\x00\xff\xd9"
        keep(archive, second, MAIN + "?v=2", new, "2024-05-02T03:00:00+00:00")
        archive.finish_crawl(second, "finished")
    return path


# -- pure helpers ---------------------------------------------------------------------------


def test_photos_of_lists_the_main_photo_then_the_body_images_each_once() -> None:
    images = [*BODY_IMAGES, {"url": MAIN, "caption": "again"}, {"url": " ", "caption": "x"}]
    photos = photos_of(article(), images)
    assert [(p.url, p.role, p.caption, p.credit) for p in photos] == [
        (MAIN, "main", "Un Su-30 SM s'apprête à décoller", "© Sputnik . Ramil Sitdikov"),
        (BODY, "body", "La base de Hmeimim", "© AFP"),
    ]
    assert photos_of(article(image_url=None)) == []


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (MAIN_BYTES, (160, 90)),
        (BODY_BYTES, (32, 16)),
        (PNG, (640, 480)),
        (b"GIF89a\x10\x00\x08\x00rest", (16, 8)),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None),
        (b"\xff\xd8\xff\xda\x00\x02", None),  # a scan before any frame header
        (b"", None),
    ],
    ids=["jpeg", "jpeg-small", "png", "gif", "webp", "jpeg-no-frame", "empty"],
)
def test_image_size(body: bytes, size: tuple[int, int] | None) -> None:
    assert image_size(body) == size


# -- the store ------------------------------------------------------------------------------


def test_a_new_version_records_its_photos_linked_to_the_bytes_fetched(db: Path) -> None:
    with Archive(db) as archive:
        v1, v2 = archive.versions(URL)
        photos = archive.photos([v1["id"], v2["id"]])
        fetched_rows = archive.rows("SELECT id, url FROM fetches WHERE outcome = 'media'")
        fetch_ids = {row["url"]: row["id"] for row in fetched_rows}
    assert photos[v1["id"]] == [
        {
            "position": 0,
            "role": "main",
            "url": MAIN,
            "sha256": sha(MAIN_BYTES),
            "type": "image/jpeg",
            "size": len(MAIN_BYTES),
            "width": 160,
            "height": 90,
            "caption": "Un Su-30 SM s'apprête à décoller",
            "credit": "© Sputnik . Ramil Sitdikov",
            "fetch_id": fetch_ids[MAIN],
        },
        {
            "position": 1,
            "role": "body",
            "url": BODY,
            "sha256": sha(BODY_BYTES),
            "type": "image/jpeg",
            "size": len(BODY_BYTES),
            "width": 32,
            "height": 16,
            "caption": "La base de Hmeimim",
            "credit": "© AFP",
            "fetch_id": fetch_ids[BODY],
        },
    ]
    # The new version has the new photo; the old one keeps its own, untouched.
    [new_main] = photos[v2["id"]]
    assert (new_main["url"], new_main["sha256"]) == (
        MAIN + "?v=2",
        sha(MAIN_BYTES[:-2] + b"\x00\xff\xd9"),
    )
    assert new_main["sha256"] != photos[v1["id"]][0]["sha256"]


def test_identical_bytes_are_stored_once(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        other = URL.replace("syrie", "russie")
        store_page(archive, crawl, article())
        archive.store_article(
            article(url=other, canonical_url=other, title="Autre", image_url=MAIN + "?copy"),
            crawl_id=crawl,
            fetch=fetched(other),
        )
        assert keep(archive, crawl, MAIN, MAIN_BYTES) == sha(MAIN_BYTES)
        assert keep(archive, crawl, MAIN + "?copy", MAIN_BYTES) == sha(MAIN_BYTES)
        rows = archive.rows("SELECT sha256, url, size FROM media")
        assert rows == [{"sha256": sha(MAIN_BYTES), "url": MAIN, "size": len(MAIN_BYTES)}]
        linked = archive.rows("SELECT url, sha256 FROM version_media ORDER BY version_id")
        assert linked == [
            {"url": MAIN, "sha256": sha(MAIN_BYTES)},
            {"url": MAIN + "?copy", "sha256": sha(MAIN_BYTES)},
        ]
        outcomes = archive.rows("SELECT url, outcome FROM fetches WHERE outcome = 'media'")
        assert outcomes == [
            {"url": MAIN, "outcome": "media"},
            {"url": MAIN + "?copy", "outcome": "media"},
        ]


def test_a_later_version_asks_again_for_a_photo_whose_url_is_held(db: Path) -> None:
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        page = article(title="Troisième titre")  # the first photo's URL again
        assert archive.photos_to_fetch(page, [MAIN, BODY]) == [MAIN, BODY]
        store_page(archive, crawl, page, BODY_IMAGES)
        v3 = archive.versions(URL)[-1]
        # Not linked to the bytes held for the URL: what it showed is known once fetched.
        assert [(p["sha256"], p["fetch_id"]) for p in archive.photos([v3["id"]])[v3["id"]]] == [
            (None, None),
            (None, None),
        ]
        keep(archive, crawl, MAIN, MAIN_BYTES)  # the same bytes again: kept once
        [main, body] = archive.photos([v3["id"]])[v3["id"]]
        assert (main["sha256"], body["sha256"]) == (sha(MAIN_BYTES), None)
        assert archive.rows(
            "SELECT COUNT(*) AS n FROM media WHERE sha256 = ?", [sha(MAIN_BYTES)]
        ) == [{"n": 1}]


def test_a_photo_replaced_at_the_same_url_is_the_new_versions_own(tmp_path: Path) -> None:
    replaced = photo("/images/103/18/1031837091.jpg", 200, 100)
    with Archive(tmp_path / "archive.db") as archive:
        first = archive.begin_crawl("sputnik", {})
        store_page(archive, first, article())
        keep(archive, first, MAIN, MAIN_BYTES)
        archive.finish_crawl(first, "finished")
        second = archive.begin_crawl("sputnik", {})
        edited = article(body="Un paragraphe réécrit, la photo remplacée à la même adresse.")
        assert archive.photos_to_fetch(edited, [MAIN]) == [MAIN]
        assert store_page(archive, second, edited).outcome == "updated"
        fetch_sha = keep(archive, second, MAIN, replaced, "2024-05-02T03:00:00+00:00")
        v1, v2 = archive.versions(URL)
        photos = archive.photos([v1["id"], v2["id"]])
        [fetch_id] = [
            row["id"]
            for row in archive.rows(
                "SELECT id FROM fetches WHERE outcome = 'media' AND crawl_id = ?", [second]
            )
        ]
        assert [(p["url"], p["sha256"]) for p in photos[v1["id"]]] == [(MAIN, sha(MAIN_BYTES))]
        assert [(p["url"], p["sha256"], p["fetch_id"], p["width"]) for p in photos[v2["id"]]] == [
            (MAIN, sha(replaced), fetch_id, 200)
        ]
        assert fetch_sha == sha(replaced) != sha(MAIN_BYTES)
        # Unchanged since: never asked for again.
        assert archive.photos_to_fetch(edited, [MAIN]) == []


def test_photos_to_fetch(db: Path) -> None:
    with Archive(db) as archive:
        current = archive.get_article(URL)
        assert current is not None
        unchanged = article(title="Nouveau titre", image_url=MAIN + "?v=2")
        # Stored unchanged: nothing to fetch, even a URL never fetched.
        assert archive.photos_to_fetch(unchanged, [MAIN + "?v=2", "https://cdn/x.jpg"]) == []
        changed = article(title="Encore un titre", image_url="https://cdn/new.jpg")
        # A new version: every photo, held bytes or not (the site may have replaced them).
        assert archive.photos_to_fetch(changed, ["https://cdn/new.jpg", MAIN, BODY]) == [
            "https://cdn/new.jpg",
            MAIN,
            BODY,
        ]
        brand_new = article(url="https://fr.sputniknews.com/autre/", canonical_url=None)
        urls = ["https://cdn/a.jpg", "https://cdn/a.jpg", MAIN]
        assert archive.photos_to_fetch(brand_new, urls) == ["https://cdn/a.jpg", MAIN]


def test_a_not_modified_page_owes_its_never_asked_photos_even_at_a_held_url(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        first = archive.begin_crawl("sputnik", {})
        store_page(archive, first, article())
        keep(archive, first, MAIN, MAIN_BYTES)
        # An edit stored while no photo was fetched (ARCHIVE_IMAGES=none).
        edited = article(body="Réécrit.")
        store_page(archive, first, edited)
        assert archive.pending_photos(URL) == [MAIN]
        assert archive.photos_to_fetch(edited, [MAIN]) == [MAIN]
        # Stored unchanged, its row is not linked to the bytes held for the URL either.
        assert store_page(archive, first, edited).outcome == "unchanged"
        [main] = archive.get_article(URL)["photos"]  # type: ignore[index]
        assert (main["sha256"], main["fetch_id"]) == (None, None)


def test_a_failed_fetch_leaves_the_photo_unlinked_and_says_why(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        store_page(archive, crawl, article())
        failure = Fetch(url=MAIN, status=404, error="HTTP 404")
        fetch_id = archive.record_media_error(crawl, failure, MAIN)
        counts = archive.finish_crawl(crawl, "finished")
        [main] = archive.get_article(URL)["photos"]  # type: ignore[index]
        assert (main["url"], main["sha256"], main["type"], main["size"]) == (MAIN, None, None, None)
        assert main["fetch_id"] == fetch_id
        [row] = archive.rows(
            "SELECT url, status, outcome, error FROM fetches WHERE id = ?", [fetch_id]
        )
        assert row == {"url": MAIN, "status": 404, "outcome": "media_error", "error": "HTTP 404"}
        # A photo is not a page of the crawl: neither fetched nor an error of it.
        assert (counts["fetched"], counts["new"], counts["errors"]) == (1, 1, 0)
        assert archive.pages_fetched(crawl) == 1
        # Asked for once: not again while the article is unchanged.
        assert archive.photos_to_fetch(article(), [MAIN]) == []


def test_bytes_fetched_later_never_fill_a_version_no_longer_current(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        first = archive.begin_crawl("sputnik", {})
        store_page(archive, first, article())
        archive.record_media_error(first, Fetch(url=MAIN, status=None, error="TimeoutError"), MAIN)
        store_page(archive, first, article(title="Autre photo", image_url=BODY))
        second = archive.begin_crawl("sputnik", {})
        other = URL.replace("syrie", "russie")
        archive.store_article(
            article(url=other, canonical_url=other, title="Autre"),
            crawl_id=second,
            fetch=fetched(other),
        )
        keep(archive, second, MAIN, MAIN_BYTES)
        v1, _ = archive.versions(URL)
        [old_main] = archive.photos([v1["id"]])[v1["id"]]
        assert (old_main["url"], old_main["sha256"]) == (MAIN, None)  # what it showed then
        assert archive.get_article(other)["photos"][0]["sha256"] == sha(MAIN_BYTES)  # type: ignore[index]


def test_a_current_version_waiting_for_its_photo_gets_it_when_fetched_later(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        first = archive.begin_crawl("sputnik", {})
        store_page(archive, first, article())  # stopped before its photo's turn
        assert archive.photos_to_fetch(article(), [MAIN]) == [MAIN]  # never asked for
        second = archive.begin_crawl("sputnik", {})
        assert store_page(archive, second, article()).outcome == "unchanged"
        keep(archive, second, MAIN, MAIN_BYTES)
        [main] = archive.get_article(URL)["photos"]  # type: ignore[index]
        assert main["sha256"] == sha(MAIN_BYTES)
        assert archive.photos_to_fetch(article(), [MAIN]) == []


def test_an_unchanged_page_completes_a_current_version_stored_before_photos(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        store_page(archive, crawl, article())
        archive.db.execute("DELETE FROM version_media")  # as stored before photos were kept
        assert archive.photos_to_fetch(article(), [MAIN, BODY]) == [MAIN, BODY]
        assert store_page(archive, crawl, article(), BODY_IMAGES).outcome == "unchanged"
        photos = archive.get_article(URL)["photos"]  # type: ignore[index]
        assert [(p["role"], p["url"], p["sha256"]) for p in photos] == [
            ("main", MAIN, None),
            ("body", BODY, None),
        ]
        assert len(archive.versions(URL)) == 1


@pytest.mark.parametrize("same_capture", [True, False])
def test_reparse_records_the_main_photo_of_the_version_it_adds(
    tmp_path: Path, same_capture: bool
) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        page = Capture(url=URL, status=200, headers={}, body=b"<html>la page</html>")
        archive.store_article(article(), crawl_id=crawl, fetch=fetched(URL), capture=page)
        keep(archive, crawl, MAIN, MAIN_BYTES)
        archive.finish_crawl(crawl, "finished")
        current = archive.get_article(URL)
        assert current is not None
        [v1] = archive.versions(URL)
        reread = article(title="Relu par un nouvel extracteur")
        version_id = archive.add_version(
            current["id"],
            reread,
            crawl_id=None,
            fetched_at="2024-06-01T00:00:00+00:00",
            capture_id=v1["capture_id"] if same_capture else None,
            extractor="SputnikArticlePage",
            extractor_version="2",
        )
        assert version_id is not None
        [main] = archive.photos([version_id])[version_id]
        # The same capture read again showed the same bytes; nothing else says what it showed.
        held = sha(MAIN_BYTES) if same_capture else None
        assert (main["role"], main["url"], main["sha256"]) == ("main", MAIN, held)


# -- the command line -----------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_show_json_lists_the_current_versions_photos(db: Path) -> None:
    result = run("--db", str(db), "show", URL, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    new_bytes = MAIN_BYTES[:-2] + b"\x00\xff\xd9"
    assert shown["photos"] == [
        {
            "position": 0,
            "role": "main",
            "url": MAIN + "?v=2",
            "sha256": sha(new_bytes),
            "type": "image/jpeg",
            "size": len(new_bytes),
            "width": 160,
            "height": 90,
            "caption": "Un Su-30 SM s'apprête à décoller",
            "credit": "© Sputnik . Ramil Sitdikov",
            "fetch_id": 5,  # fetches: new, media, media, updated, media
        }
    ]


def test_show_lists_the_photos_briefly(db: Path) -> None:
    result = run("--db", str(db), "show", URL)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("photos:")
    new_bytes = MAIN_BYTES[:-2] + b"\x00\xff\xd9"
    assert lines[at - 2 : at] == ["Un paragraphe.", ""]  # after the body
    assert lines[at + 1 : lines.index("related:")] == [
        f"  [main] {MAIN}?v=2 (image/jpeg {len(new_bytes)} bytes sha256 {sha(new_bytes)})"
        " Un Su-30 SM s'apprête à décoller | © Sputnik . Ramil Sitdikov",
        "",
    ]


def test_archive_media_writes_the_bytes(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "photo.jpg"
    result = run("--db", str(db), "media", sha(MAIN_BYTES), "-o", str(out))
    assert (result.exit_code, result.output) == (0, "")
    assert out.read_bytes() == MAIN_BYTES
    assert list(tmp_path.glob(".*.part")) == []
    upper = run("--db", str(db), "media", sha(BODY_BYTES).upper(), "-o", "-")
    assert upper.exit_code == 0
    assert upper.stdout_bytes == BODY_BYTES


def test_archive_media_of_an_unknown_sha256(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "photo.jpg"
    result = run("--db", str(db), "media", "ab" * 32, "-o", str(out))
    assert (result.exit_code, result.output) == (1, f"Error: no photo with sha256 {'ab' * 32}\n")
    assert not out.exists()
    missing = run("--db", str(db), "show", "https://nowhere.example/")
    assert missing.exit_code == result.exit_code  # as any other thing not found


def test_archive_media_into_a_missing_directory_names_the_users_path(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "no" / "photo.jpg"
    result = run("--db", str(db), "media", sha(MAIN_BYTES), "-o", str(out))
    assert result.exit_code == 2
    assert (
        f"Invalid value for '-o' / '--output': cannot write {out}:"
        f" directory {out.parent} does not exist" in result.output
    )
    assert list(tmp_path.rglob("*.part")) == []


def test_archive_media_writes_to_standard_output_by_default(db: Path) -> None:
    result = run("--db", str(db), "media", sha(MAIN_BYTES))
    assert result.exit_code == 0
    assert result.stdout_bytes == MAIN_BYTES


# -- WARC -----------------------------------------------------------------------------------


def test_the_warc_export_carries_each_photo_once_as_a_response_record(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.warc.gz"
    with Archive(db) as archive:
        result = export_warc(archive, out)
    assert (result.captures, result.media, result.records) == (0, 3, 4)
    records = []
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            body = record.content_stream().read()
            records.append((record.rec_type, record, body))
    responses = [(r, body) for kind, r, body in records if kind == "response"]
    new_bytes = MAIN_BYTES[:-2] + b"\x00\xff\xd9"
    assert [
        (
            r.rec_headers.get_header("WARC-Target-URI"),
            r.http_headers.get_statuscode(),
            r.http_headers.get_header("Content-Type"),
            int(r.http_headers.get_header("Content-Length")),
            body,
        )
        for r, body in responses
    ] == [
        (MAIN, "200", "image/jpeg", len(MAIN_BYTES), MAIN_BYTES),
        (BODY, "200", "image/jpeg", len(BODY_BYTES), BODY_BYTES),
        (MAIN + "?v=2", "200", "image/jpeg", len(new_bytes), new_bytes),
    ]
    assert all(r.digest_checker.passed is not False for r, _ in responses)


def test_the_photos_exported_follow_the_article_ids(db: Path, tmp_path: Path) -> None:
    with Archive(db) as archive:
        article_id = archive.get_article(URL)["id"]  # type: ignore[index]
        assert len(list(archive.iter_media([article_id]))) == 3
        assert list(archive.iter_media([article_id + 1])) == []
        assert list(archive.iter_media([])) == []


def test_history_json_lists_each_versions_photos(db: Path) -> None:
    result = run("--db", str(db), "history", URL, "--json")
    assert result.exit_code == 0, result.output
    versions = json.loads(result.stdout)["versions"]
    new_bytes = MAIN_BYTES[:-2] + b"\x00\xff\xd9"
    assert [[(p["role"], p["url"], p["sha256"]) for p in v["photos"]] for v in versions] == [
        [("main", MAIN, sha(MAIN_BYTES)), ("body", BODY, sha(BODY_BYTES))],
        [("main", MAIN + "?v=2", sha(new_bytes))],
    ]


def test_a_filtered_warc_export_carries_the_photos_of_the_selected_articles_only(
    db: Path, tmp_path: Path
) -> None:
    other = URL.replace("syrie", "russie")
    other_bytes = photo("/images/103/18/1031837999.jpg")
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        archive.store_article(
            article(
                url=other,
                canonical_url=other,
                title="Autre",
                tags=["Russie"],
                image_url=MAIN + "?autre",
            ),
            crawl_id=crawl,
            fetch=fetched(other),
        )
        keep(archive, crawl, MAIN + "?autre", other_bytes, "2024-05-03T00:00:00+00:00")
        selected = export_warc(
            archive, tmp_path / "russie.warc", filters=ArticleFilters(tag="Russie")
        )
        everything = export_warc(archive, tmp_path / "all.warc")
    assert (selected.articles, selected.media) == (1, 1)
    assert everything.media == 4
    with (tmp_path / "russie.warc").open("rb") as stream:
        uris = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream, check_digests="raise")
            if r.rec_type == "response"
        ]
    assert uris == [MAIN + "?autre"]


def test_another_url_serving_a_photos_bytes_is_a_revisit_record(tmp_path: Path) -> None:
    copy = MAIN + "?copy"
    other = URL.replace("syrie", "russie")
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.begin_crawl("sputnik", {})
        store_page(archive, crawl, article(tags=["Syrie"]))
        archive.store_article(
            article(url=other, canonical_url=other, title="Autre", tags=["Russie"], image_url=copy),
            crawl_id=crawl,
            fetch=fetched(other),
        )
        keep(archive, crawl, MAIN, MAIN_BYTES, "2024-05-01T03:00:01+00:00")
        keep(archive, crawl, copy, MAIN_BYTES, "2024-05-01T03:00:07+00:00")
        everything = export_warc(archive, tmp_path / "all.warc")
        selected = export_warc(
            archive, tmp_path / "russie.warc", filters=ArticleFilters(tag="Russie")
        )
        alone = export_warc(archive, tmp_path / "syrie.warc", filters=ArticleFilters(tag="Syrie"))
    assert (everything.media, everything.revisits, everything.records) == (1, 1, 3)
    assert (selected.media, selected.revisits, selected.records) == (1, 1, 3)
    # The other URL is no photo of the articles exported: no revisit for it.
    assert (alone.articles, alone.media, alone.revisits) == (1, 1, 0)
    with (tmp_path / "all.warc").open("rb") as stream:
        records = [
            (r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
            for r in ArchiveIterator(stream, check_digests="raise")
        ]
    [(_, response, body)] = [r for r in records if r[0] == "response"]
    [(_, revisit, payload)] = [r for r in records if r[0] == "revisit"]
    assert (response["WARC-Target-URI"], body) == (MAIN, MAIN_BYTES)
    assert payload == b""
    assert {
        name: revisit[name]
        for name in (
            "WARC-Target-URI",
            "WARC-Profile",
            "WARC-Refers-To-Target-URI",
            "WARC-Refers-To-Date",
            "WARC-Refers-To",
            "WARC-Payload-Digest",
            "WARC-Date",
        )
    } == {
        "WARC-Target-URI": copy,
        "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
        "WARC-Refers-To-Target-URI": MAIN,
        "WARC-Refers-To-Date": "2024-05-01T03:00:01Z",
        "WARC-Refers-To": response["WARC-Record-ID"],
        "WARC-Payload-Digest": response["WARC-Payload-Digest"],
        "WARC-Date": "2024-05-01T03:00:07Z",
    }
