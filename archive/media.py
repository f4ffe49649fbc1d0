"""The photos of the articles: each image kept once, by the sha256 of its bytes (``media``),
and linked to every version whose page showed it (``version_media``).

What a page showed is recorded with the version, whether or not the bytes were fetched: the
main photo (position 0, role ``main``: the article's ``image_url``, ``image_caption`` and
``image_credit``), then the images of the article body in page order (role ``body``). A row's
``sha256`` names the bytes fetched for it; it stays NULL while they are not (``ARCHIVE_IMAGES``
left them out, the fetch was refused, failed or is still to come).

A row gets its bytes only from a fetch of its URL made for it: by the crawl that stored its
version, or by a later one while its version is current. The bytes of a URL are not taken to
be stable: a site may replace the image behind a URL when it edits the article, so a new
version (the page's content changed, or an article new to the archive) asks for all its
photos again, even those whose URL served bytes the archive holds, and its rows stay NULL
until that fetch. Identical bytes are kept once all the same (``media`` is keyed by their
sha256): two URLs, or two fetches of one URL, serving the same bytes share one ``media`` row.
A page stored ``unchanged`` (or answering "not modified") asks only for the photos of its
current version never asked for (``fetch_id`` NULL: left out by ``ARCHIVE_IMAGES``, or by a
crawl stopped before their turn), never again for one fetched or failed. The rows and bytes
of the earlier versions are never touched: the old version keeps the photo its page showed.
A version read again from the same capture (``archive reparse``) is linked to the bytes the
versions of that capture were.

This module holds the SQL of both tables (``(sql, params)`` builders, as ``archive.queries``)
and the small pure helpers; :class:`archive.Archive` makes the writes.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Query = tuple[str, dict[str, Any]]

#: ``version_media.role``: the article's main photo, or an image of its body.
#: The values of the crawl setting ``ARCHIVE_IMAGES`` (``crawler.photos``): each article's
#: main photo, also the images of its text, or none.
IMAGES_MAIN = "main"
IMAGES_ALL = "all"
IMAGES_NONE = "none"
IMAGES_MODES = (IMAGES_MAIN, IMAGES_ALL, IMAGES_NONE)

ROLE_MAIN = "main"
ROLE_BODY = "body"

#: ``fetches.outcome`` of an image fetched and kept, and of one refused or failed.
OUTCOME_MEDIA = "media"
OUTCOME_MEDIA_ERROR = "media_error"


@dataclass(frozen=True)
class Photo:
    """One image a page showed: its URL (absolute, as on the page), role, caption and credit."""

    url: str
    role: str = ROLE_BODY
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Image:
    """The bytes an image URL answered, as received."""

    url: str
    """The URL as the page gave it (the one requested, before any redirect)."""
    type: str | None
    """The Content-Type as served, parameters left out (``image/jpeg``)."""
    body: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def photos_of(
    article: Mapping[str, Any], body_images: Iterable[Mapping[str, Any]] = ()
) -> list[Photo]:
    """The photos of an article page, in ``version_media`` order: the main photo (when the
    article has one), then the body images (``{url, caption, credit}`` mappings), each URL
    once (an image of the body that is the main photo again is not listed twice)."""
    photos: list[Photo] = []
    seen: set[str] = set()
    main = _text(article.get("image_url"))
    if main:
        caption, credit = _text(article.get("image_caption")), _text(article.get("image_credit"))
        photos.append(Photo(main, ROLE_MAIN, caption, credit))
        seen.add(main)
    for image in body_images:
        url = _text(image.get("url"))
        if url and url not in seen:
            seen.add(url)
            caption, credit = _text(image.get("caption")), _text(image.get("credit"))
            photos.append(Photo(url, ROLE_BODY, caption, credit))
    return photos


def media_type(content_type: str | None) -> str | None:
    """The media type of a Content-Type header value, lower case, without its parameters."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def image_size(body: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels read from the header of a JPEG, PNG or GIF; ``None`` for
    any other format or a header that does not say (the bytes are kept all the same)."""
    if body.startswith(b"\x89PNG\r\n\x1a\n") and body[12:16] == b"IHDR" and len(body) >= 24:
        width, height = struct.unpack(">II", body[16:24])
        return width, height
    if body[:6] in (b"GIF87a", b"GIF89a") and len(body) >= 10:
        width, height = struct.unpack("<HH", body[6:10])
        return width, height
    if body.startswith(b"\xff\xd8"):
        return _jpeg_size(body)
    return None


#: JPEG start-of-frame markers (every SOFn but DHT, JPG and DAC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(body: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's segments up to its frame header."""
    offset = 2
    while offset + 4 <= len(body):
        if body[offset] != 0xFF:
            return None
        marker = body[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            offset += 2
            continue
        (length,) = struct.unpack(">H", body[offset + 2 : offset + 4])
        if marker in _SOF_MARKERS:
            if offset + 9 > len(body):
                return None
            height, width = struct.unpack(">HH", body[offset + 5 : offset + 9])
            return width, height
        if marker == 0xDA:  # the scan: no frame header came before it
            return None
        offset += 2 + length
    return None


def photo_line(photo: Mapping[str, Any]) -> str:
    """One photo of ``archive show``: role, URL, then type and size of the bytes held, or
    that none are, then caption and credit."""
    if photo.get("sha256"):
        held = f"{photo.get('type') or '?'} {photo.get('size')} bytes sha256 {photo['sha256']}"
    else:
        held = "not fetched"
    texts = " | ".join(t for t in (photo.get("caption"), photo.get("credit")) if t)
    return f"[{photo['role']}] {photo['url']} ({held})" + (f" {texts}" if texts else "")


# -- SQL --------------------------------------------------------------------------------


def media_exists(sha256: str) -> Query:
    """1 when ``media`` holds these bytes."""
    return "SELECT 1 AS found FROM media WHERE sha256 = :sha", {"sha": sha256}


def insert_media(image: Image, *, at: str, crawl_id: int | None) -> Query:
    """A new ``media`` row for bytes not held yet."""
    size = image_size(image.body)
    values = {
        "sha256": image.sha256,
        "url": image.url,
        "type": image.type,
        "size": len(image.body),
        "body": image.body,
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "first_seen_at": at,
        "crawl_id": crawl_id,
    }
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    return f"INSERT INTO media ({columns}) VALUES ({marks})", values


def held_in_capture(capture_id: int) -> Query:
    """URL -> sha256 of the bytes the versions read from this capture were linked to: a
    version read again from the same capture (re-extraction) showed the same photos."""
    sql = """
        SELECT vm.url, vm.sha256 FROM version_media vm JOIN versions v ON v.id = vm.version_id
        WHERE v.capture_id = :capture AND vm.sha256 IS NOT NULL
        ORDER BY vm.version_id DESC
    """
    return sql, {"capture": capture_id}


def insert_version_photo(version_id: int, position: int, photo: Photo, sha256: str | None) -> Query:
    """One photo of a version."""
    sql = """
        INSERT INTO version_media (version_id, position, role, url, sha256, caption, credit)
        VALUES (:version, :position, :role, :url, :sha, :caption, :credit)
    """
    params = {
        "version": version_id,
        "position": position,
        "role": photo.role,
        "url": photo.url,
        "sha": sha256,
        "caption": photo.caption,
        "credit": photo.credit,
    }
    return sql, params


#: The photo rows a fetch of their URL made now may settle: those of the versions the
#: fetching crawl stored, and those of current versions (the page shows that URL today).
_SETTLED_BY_NOW = """
    url = :url AND sha256 IS NULL
    AND (
        version_id IN (SELECT id FROM versions WHERE crawl_id = :crawl)
        OR EXISTS (
            SELECT 1 FROM versions v JOIN articles a ON a.id = v.article_id
            WHERE v.id = version_media.version_id AND a.current_version_id = v.id
        )
    )
"""


def link_fetched(url: str, sha256: str, crawl_id: int, fetch_id: int) -> Query:
    """Point the rows waiting for ``url``'s bytes at them (see :data:`_SETTLED_BY_NOW`): a
    row of an older version whose fetch failed keeps its NULL, since what the URL serves
    today is no proof of what that page showed then."""
    sql = f"UPDATE version_media SET sha256 = :sha, fetch_id = :fetch WHERE {_SETTLED_BY_NOW}"
    return sql, {"url": url, "sha": sha256, "crawl": crawl_id, "fetch": fetch_id}


def mark_failed(url: str, crawl_id: int, fetch_id: int) -> Query:
    """Record on the rows waiting for ``url`` the fetch that failed to get it (only their
    first attempt: a crawl asks for a photo once)."""
    sql = f"UPDATE version_media SET fetch_id = :fetch WHERE fetch_id IS NULL AND {_SETTLED_BY_NOW}"
    return sql, {"url": url, "crawl": crawl_id, "fetch": fetch_id}


def current_photos(article_id: int) -> Query:
    """The photo rows of an article's current version."""
    sql = """
        SELECT vm.version_id, vm.position, vm.role, vm.url, vm.sha256, vm.fetch_id
        FROM articles a JOIN version_media vm ON vm.version_id = a.current_version_id
        WHERE a.id = :id ORDER BY vm.position
    """
    return sql, {"id": article_id}


def version_photos(version_ids: Sequence[int]) -> Query:
    """The photos of versions, with the type and size of the bytes held, in position order."""
    marks = ", ".join(f":v{i}" for i in range(len(version_ids)))
    sql = f"""
        SELECT vm.version_id, vm.position, vm.role, vm.url, vm.sha256, m.type, m.size,
               m.width, m.height, vm.caption, vm.credit, vm.fetch_id
        FROM version_media vm LEFT JOIN media m ON m.sha256 = vm.sha256
        WHERE vm.version_id IN ({marks})
        ORDER BY vm.version_id, vm.position
    """
    return sql, {f"v{i}": version_id for i, version_id in enumerate(version_ids)}


def media_row(sha256: str) -> Query:
    """One ``media`` row, bytes included."""
    sql = """
        SELECT sha256, url, type, size, body, width, height, first_seen_at, crawl_id
        FROM media WHERE sha256 = :sha
    """
    return sql, {"sha": sha256}


def media_of_articles(article_ids: Sequence[int] | None) -> Query:
    """The ``media`` rows any version of these articles showed (every row when ``None``),
    each once, oldest first; without their bytes."""
    where = ""
    params: dict[str, Any] = {}
    if article_ids is not None:
        marks = ", ".join(f":a{i}" for i in range(len(article_ids))) or "NULL"
        where = f"""
            WHERE m.sha256 IN (
                SELECT vm.sha256 FROM version_media vm JOIN versions v ON v.id = vm.version_id
                WHERE v.article_id IN ({marks})
            )
        """
        params = {f"a{i}": article_id for i, article_id in enumerate(article_ids)}
    sql = f"""
        SELECT m.sha256, m.url, m.type, m.size, m.first_seen_at FROM media m {where}
        ORDER BY m.first_seen_at, m.sha256
    """
    return sql, params


def other_urls(sha256: str, url: str, article_ids: Sequence[int] | None) -> Query:
    """The URLs other than ``url`` whose photo rows (of these articles' versions; of any
    when ``None``) are linked to these bytes, each once with when a fetch of it got them
    (``fetched_at``, NULL when no fetch says), in URL order."""
    params: dict[str, Any] = {"sha": sha256, "url": url}
    where = ""
    if article_ids is not None:
        marks = ", ".join(f":a{i}" for i in range(len(article_ids))) or "NULL"
        where = f"AND v.article_id IN ({marks})"
        params.update({f"a{i}": article_id for i, article_id in enumerate(article_ids)})
    sql = f"""
        SELECT vm.url, MIN(f.fetched_at) AS fetched_at
        FROM version_media vm JOIN versions v ON v.id = vm.version_id
        LEFT JOIN fetches f ON f.id = vm.fetch_id AND f.outcome = 'media'
        WHERE vm.sha256 = :sha AND vm.url <> :url {where}
        GROUP BY vm.url ORDER BY vm.url
    """
    return sql, params
