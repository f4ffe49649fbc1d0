"""The archive's own pages in the web view: an article, the French search, a stored page
replayed as it was captured, and a stored photo.

Pure functions over an :class:`~archive.store.Archive` opened read-only: they return what a
template shows (plain dicts and lists) or the bytes a response carries. The Datasette
plugin (:mod:`archive.datasette_plugin`) maps them to URLs and templates; nothing here
imports Datasette.

A replayed capture is the riskiest thing the web view serves: HTML written by somebody
else, possibly with scripts, trackers and references to any host. It is defended three
times over, so that no single mistake lets it run code or reach the network:

1. :func:`replay_html` rewrites it: scripts, frames, plug-ins, ``<link>`` (stylesheets,
   prefetches), ``<base>``, ``<meta http-equiv>``, SVG animations (which can set an
   address) and every ``on*`` handler are removed; links to an article the archive holds
   lead to its stored capture, images to the archive's stored photo of that URL,
   everything else that names another address is dropped (kept as
   ``data-archive-original-*`` for the curious). CSS, in ``<style>`` elements, ``style``
   attributes and SVG's paint attributes, goes through :func:`archive.replay_css.safe_css`:
   ``@import`` is removed and each ``url()`` leads to the stored photo, stays a ``data:``
   image or a fragment of the page, or becomes ``none``.
2. The response carries :data:`CAPTURE_CSP`: no script, no connection, no frame, no font,
   no form target, images and styles only from the archive itself (or inline), and the
   ``sandbox`` directive, so even opened on its own the page runs nothing.
3. The replay page shows it in an ``<iframe sandbox="">``: no scripts, no same-origin
   access, no top navigation, no forms, no pop-ups.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from archive import french, history, replay_css
from archive.filters import ArticleFilters
from archive.store import Archive
from archive.urls import canonical_key

#: Hits on one page of the French search.
SEARCH_PAGE_SIZE = 20

#: The Content-Security-Policy of a replayed capture: nothing but the archive itself.
CAPTURE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'none'; script-src 'none'; connect-src 'none'; frame-src 'none'; "
    "media-src 'none'; object-src 'none'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'self'; sandbox"
)
#: Headers of a replayed capture (with :data:`CAPTURE_CSP`).
CAPTURE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CAPTURE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-DNS-Prefetch-Control": "off",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
#: The Content-Security-Policy of a stored photo: shown as an image, never run (an SVG
#: could carry a script).
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
#: Types a stored photo is served as; anything else is served as bytes to download.
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/svg+xml"}
)

#: Elements removed from a replayed page with everything inside them.
DROPPED_ELEMENTS = (
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "link",
    "portal",
    "meta",
    "set",
    "animate",
)
#: Attributes that name another address (or load something) and are rewritten or dropped.
URL_ATTRIBUTES = (
    "srcset",
    "imagesrcset",
    "background",
    "poster",
    "action",
    "formaction",
    "ping",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "cite",
    "data",
    "codebase",
    "manifest",
    "xlink:href",
    "{http://www.w3.org/1999/xlink}href",
)
#: Attributes that may point inside the page (``<use href="#icon">``): kept when they do.
FRAGMENT_ATTRIBUTES = ("href", "xlink:href", "{http://www.w3.org/1999/xlink}href")
#: Attributes read as CSS (SVG's presentation attributes that take a ``url()``).
CSS_ATTRIBUTES = (
    "style",
    "fill",
    "stroke",
    "filter",
    "mask",
    "clip-path",
    "marker",
    "marker-start",
    "marker-mid",
    "marker-end",
    "cursor",
)


# -- article page ------------------------------------------------------------------------


def out_links(archive: Archive, article_id: int) -> list[dict[str, Any]]:
    """The article's current "Lire aussi" links, in page order, with the archived target."""
    return archive.rows(
        """
        SELECT links.url, links.anchor, links.kind, links.position,
          links.target_article_id, target.title AS target_title
        FROM links JOIN articles AS source ON source.id = links.from_article_id
        LEFT JOIN articles AS target ON target.id = links.target_article_id
        WHERE links.from_article_id = :id AND links.last_seen_at = source.last_seen_at
        ORDER BY links.position, links.id
        """,
        {"id": article_id},
    )


def photos(archive: Archive, version_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Version id -> its photos (main first, then the body's in page order), each with
    ``url``, ``role``, ``caption``, ``credit``, ``sha256`` and ``stored`` (its bytes are in
    ``media``, body and all). Empty when the archive keeps no photos (no ``version_media``
    table)."""
    ids = sorted(set(version_ids))
    if not archive.has_table("version_media") or not ids:
        return {}
    if archive.has_table("media"):
        stored = "media.body IS NOT NULL AS stored, media.type, media.width, media.height"
        join = "LEFT JOIN media ON media.sha256 = vm.sha256"
    else:
        stored = "0 AS stored, NULL AS type, NULL AS width, NULL AS height"
        join = ""
    marks = ", ".join("?" for _ in ids)
    rows = archive.rows(
        f"""
        SELECT vm.version_id, vm.position, vm.role, vm.url, vm.sha256, vm.caption, vm.credit,
          {stored}
        FROM version_media AS vm {join}
        WHERE vm.version_id IN ({marks})
        ORDER BY vm.version_id, vm.role <> 'main', vm.position
        """,
        ids,
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row["version_id"], []).append(row)
    return result


def diff_for_display(diff: Mapping[str, Any]) -> dict[str, Any]:
    """One diff of :func:`archive.history.diff_versions` as the article page shows it:
    ``{"from", "to", "fields": [...]}``; a text field carries its unified diff as
    ``lines`` of ``(kind, text)`` (kind ``add``, ``del``, ``hunk``, ``file`` or ``same``),
    another field its ``old`` and ``new`` values (lists joined) and what was added/removed.
    """
    fields: list[dict[str, Any]] = []
    for name, change in diff["changes"].items():
        if "diff" in change:
            lines = [(_line_kind(line), line) for line in change["diff"].splitlines()]
            fields.append({"name": name, "lines": lines})
            continue
        fields.append(
            {
                "name": name,
                "old": _shown(change["old"]),
                "new": _shown(change["new"]),
                "added": change.get("added", []),
                "removed": change.get("removed", []),
            }
        )
    return {"from": diff["from"], "to": diff["to"], "fields": fields}


def _line_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def paragraphs(text: str | None) -> list[str]:
    """A stored text's paragraphs (blank lines separate them)."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def article_page(archive: Archive, article_id: int) -> dict[str, Any] | None:
    """What the article page shows, or ``None`` when no article has this id.

    ``article`` (as :meth:`Archive.get_article` gives it), ``lead`` and ``body`` as
    paragraphs, ``out_links`` (:func:`out_links`), ``in_links`` (articles whose current
    "Lire aussi" links lead here), ``versions`` newest first (each with its ``photos`` and
    whether it has a capture to replay), ``diffs`` between consecutive versions, newest
    first (:func:`diff_for_display`), ``photos`` of the current version and
    ``keeps_photos`` (the archive has the photo tables at all).
    """
    article = archive.get_article(article_id)
    if article is None:
        return None
    versions = archive.versions(article_id)
    by_version = photos(archive, (v["id"] for v in versions))
    shown = []
    for version in versions:
        shown.append(
            {
                **{key: version.get(key) for key in history.VERSION_KEYS},
                "photos": by_version.get(version["id"], []),
            }
        )
    diffs = [
        diff_for_display(history.diff_versions(old, new))
        for old, new in itertools.pairwise(versions)
    ]
    current = article.get("current_version_id")
    return {
        "article": article,
        "lead": paragraphs(article.get("lead")),
        "body": paragraphs(article.get("body")),
        "out_links": out_links(archive, article_id),
        "in_links": article["linked_from"],
        "versions": shown[::-1],
        "diffs": diffs[::-1],
        "photos": by_version.get(current, []) if current is not None else [],
        "keeps_photos": archive.has_table("version_media"),
    }


# -- search --------------------------------------------------------------------------------


def search_page(archive: Archive, query: str, page: int) -> dict[str, Any]:
    """One page of the French search (as ``archive search`` searches): ``query``, ``count``
    (every hit), ``page`` (1-based, clamped to the last page), ``pages``, ``page_size``,
    ``first`` (the number of the page's first hit) and ``hits`` (each with ``id``,
    ``title``, ``url``, ``published_at``, ``category``, ``site``, ``status`` and
    ``snippet`` split into ``(text, marked)`` parts). An empty query, or one without a word,
    finds nothing; ``error`` says why a query cannot run."""
    result: dict[str, Any] = {
        "query": query,
        "count": 0,
        "page": 1,
        "pages": 0,
        "page_size": SEARCH_PAGE_SIZE,
        "first": 0,
        "hits": [],
        "error": None,
    }
    if not query.strip():
        return result
    try:
        count = search_count(archive, query)
    except ValueError as error:
        result["error"] = str(error)
        return result
    pages = math.ceil(count / SEARCH_PAGE_SIZE)
    page = min(max(page, 1), max(pages, 1))
    offset = (page - 1) * SEARCH_PAGE_SIZE
    hits = []
    if count:
        found = archive.search(query, filters=ArticleFilters(limit=SEARCH_PAGE_SIZE, offset=offset))
        extra = {
            row["id"]: row
            for row in archive.rows(
                "SELECT id, site, status FROM articles WHERE id IN "
                f"({', '.join(str(int(hit['id'])) for hit in found) or 'NULL'})"
            )
        }
        for hit in found:
            hits.append(
                {
                    **hit,
                    "site": extra.get(hit["id"], {}).get("site"),
                    "status": extra.get(hit["id"], {}).get("status"),
                    "snippet": snippet_parts(hit.get("snippet")),
                }
            )
    result.update(count=count, page=page, pages=pages, first=offset + 1 if count else 0, hits=hits)
    return result


def search_count(archive: Archive, query: str) -> int:
    """How many articles the French search finds for ``query`` (0 for a query without a
    word); ``ValueError`` for one that cannot run (starting with NOT)."""
    stemmed = archive.has_table("articles_fts_fr")
    # Folded as Archive.search folds it: a read-only archive indexed before lemmas is
    # searched as it was folded, so the count and the hits agree.
    lemmas = french.LEMMAS_MIGRATION not in archive.pending_migrations
    parsed = french.parse_query(query, stem=stemmed, lemmas=lemmas)
    if not parsed.match:
        return 0
    table = "articles_fts_fr" if stemmed else "articles_fts"
    try:
        rows = archive.rows(
            f"SELECT COUNT(*) AS n FROM {table} WHERE {table} MATCH :match",
            {"match": parsed.match},
        )
    except sqlite3.OperationalError as error:
        raise ValueError(f"cannot search for {query!r}: {error}") from error
    return int(rows[0]["n"])


def snippet_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """A snippet marked ``[ ]`` as ``(text, marked)`` parts, for the page to highlight."""
    parts: list[tuple[str, bool]] = []
    for piece in re.split(r"(\[[^\[\]]*\])", snippet or ""):
        if piece.startswith("[") and piece.endswith("]"):
            parts.append((piece[1:-1], True))
        elif piece:
            parts.append((piece, False))
    return parts


# -- replay ----------------------------------------------------------------------------------


def version_capture(archive: Archive, version_id: int) -> dict[str, Any] | None:
    """The version (``id``, ``article_id``, ``number``, ``fetched_at``, ``title``) with its
    capture's ``capture_id``, ``capture_url`` and ``capture_fetched_at``; ``None`` for an
    unknown version. ``capture_id`` is ``None`` when the version kept no capture."""
    rows = archive.rows(
        """
        SELECT versions.id, versions.article_id, versions.number, versions.fetched_at,
          versions.title, versions.capture_id, captures.url AS capture_url,
          captures.fetched_at AS capture_fetched_at
        FROM versions LEFT JOIN captures ON captures.id = versions.capture_id
        WHERE versions.id = :id
        """,
        {"id": version_id},
    )
    return rows[0] if rows else None


def _keys(urls: Iterable[str]) -> dict[str, str]:
    keys = {}
    for url in urls:
        try:
            keys[url] = canonical_key(url)
        except ValueError:
            continue
    return keys


def archived_captures(archive: Archive, urls: Iterable[str]) -> dict[str, int]:
    """URL -> the capture of the latest version (that kept one) of the article the URL
    leads to, for the URLs whose article the archive holds."""
    keys = _keys(urls)
    if not keys:
        return {}
    wanted = sorted(set(keys.values()))
    marks = ", ".join("?" for _ in wanted)
    rows = archive.rows(
        f"""
        WITH found(url_key, article_id) AS (
          SELECT url, id FROM articles WHERE url IN ({marks})
          UNION ALL
          SELECT url_key, article_id FROM urls
          WHERE url_key IN ({marks}) AND article_id IS NOT NULL
        )
        SELECT found.url_key,
          (SELECT versions.capture_id FROM versions
           WHERE versions.article_id = found.article_id AND versions.capture_id IS NOT NULL
           ORDER BY versions.number DESC LIMIT 1) AS capture_id
        FROM found
        """,
        [*wanted, *wanted],
    )
    by_key: dict[str, int] = {}
    for row in rows:
        if row["capture_id"] is not None:
            by_key.setdefault(row["url_key"], row["capture_id"])
    return {url: by_key[key] for url, key in keys.items() if key in by_key}


def stored_media(
    archive: Archive, urls: Iterable[str], capture_id: int | None = None
) -> dict[str, str]:
    """URL -> sha256 of a stored photo that URL served: the bytes linked to a photo row of
    that URL (``version_media``), those of the versions read from ``capture_id`` first (what
    that very page showed), then the latest; else the bytes first fetched from it
    (``media.url``). Two URLs serving the same bytes both find them. None without ``media``."""
    wanted = sorted(set(urls))
    if not wanted or not archive.has_table("media"):
        return {}
    marks = ", ".join("?" for _ in wanted)
    found: dict[str, str] = {}
    if archive.has_table("version_media"):
        rows = archive.rows(
            "SELECT vm.url, vm.sha256 FROM version_media vm "
            "JOIN media m ON m.sha256 = vm.sha256 JOIN versions v ON v.id = vm.version_id "
            f"WHERE vm.url IN ({marks}) AND m.body IS NOT NULL "
            "ORDER BY v.capture_id IS NOT ? OR v.capture_id IS NULL, vm.version_id DESC",
            [*wanted, capture_id],
        )
        for row in rows:
            found.setdefault(row["url"], row["sha256"])
    rows = archive.rows(
        f"SELECT url, sha256 FROM media WHERE url IN ({marks}) AND body IS NOT NULL "
        "ORDER BY first_seen_at DESC",
        wanted,
    )
    for row in rows:
        found.setdefault(row["url"], row["sha256"])
    return found


def capture_replay(archive: Archive, capture_id: int, prefix: str = "/") -> bytes:
    """The stored page of capture ``capture_id`` rewritten for replay (:func:`replay_html`),
    links and images resolved against the archive. ``ValueError`` for an unknown capture,
    :class:`~archive.store.ArchiveError` for a damaged one."""
    capture = archive.capture(capture_id)
    content_type = _header(capture.headers, "content-type")
    return replay_html(
        capture.body,
        capture.url,
        content_type=content_type,
        captures=lambda urls: archived_captures(archive, urls),
        media=lambda urls: stored_media(archive, urls, capture_id),
        prefix=prefix,
    )


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            if isinstance(value, list):
                return str(value[0]) if value else None
            return str(value)
    return None


def replay_html(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    captures: Callable[[Iterable[str]], Mapping[str, int]] = lambda urls: {},
    media: Callable[[Iterable[str]], Mapping[str, str]] = lambda urls: {},
    prefix: str = "/",
) -> bytes:
    """A captured page made safe to show (see the module's introduction), as UTF-8 HTML.

    ``captures`` maps absolute URLs to the archive's capture of their article (a link then
    leads to ``{prefix}-/capture/ID``), ``media`` image URLs to a stored photo's sha256 (the
    image then shows ``{prefix}-/media/SHA256``). Other links and images lose their address.
    """
    _, text = html_to_unicode(content_type, body)
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses one in a decoded text
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body><pre></pre></body></html>")
        root.find(".//pre").text = text  # type: ignore[union-attr]
    base = url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(url, element.get("href", ""))
            break
    for element in list(root.iter(*DROPPED_ELEMENTS)):
        cast(lxml.html.HtmlElement, element).drop_tree()
    links: dict[Any, str] = {}
    images: dict[Any, str] = {}
    styles: list[tuple[Any, str | None]] = []  # (element, attribute or None for its text)
    for element in root.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        for name in list(element.attrib):
            lowered = str(name).lower()
            value = element.get(name, "")
            if lowered in FRAGMENT_ATTRIBUTES and value.strip().startswith("#"):
                continue
            if lowered.startswith("on") or lowered in URL_ATTRIBUTES or name in URL_ATTRIBUTES:
                del element.attrib[name]
            elif lowered in CSS_ATTRIBUTES:
                styles.append((element, str(name)))
        if tag == "style":
            styles.append((element, None))
        if tag in ("a", "area") and element.get("href") is not None:
            href = element.get("href", "").strip()
            if href.startswith("#"):
                continue
            links[element] = urljoin(base, href)
        elif element.get("href") is not None and not element.get("href", "").strip().startswith(
            "#"
        ):
            del element.attrib["href"]
        if element.get("src") is not None:
            if tag in ("img", "input"):
                images[element] = urljoin(base, element.get("src", "").strip())
            else:
                element.set("data-archive-original-src", element.get("src", ""))
                del element.attrib["src"]
    web_links = {el: link for el, link in links.items() if _is_web(link)}
    archived = captures(set(web_links.values()))
    for element, link in links.items():
        if link in archived:
            element.set("href", f"{prefix}-/capture/{archived[link]}")
        else:
            element.set("data-archive-original-href", link)
            element.set("title", f"Not in the archive: {link}")
            del element.attrib["href"]
    css_images = {
        urljoin(base, found.strip())
        for element, attribute in styles
        for found in replay_css.css_urls(_css_text(element, attribute))
    }
    web_images = {el: src for el, src in images.items() if _is_web(src)}
    stored = media(set(web_images.values()) | {src for src in css_images if _is_web(src)})

    def css_image(found: str) -> str | None:
        src = urljoin(base, found.strip())
        if src in stored:
            return f"{prefix}-/media/{stored[src]}"
        return src if src.lower().startswith("data:image/") else None

    for element, attribute in styles:
        css = replay_css.safe_css(
            _css_text(element, attribute), css_image, in_element=attribute is None
        )
        if attribute is None:
            for child in list(element):  # a <style> holds text only
                element.remove(child)
            element.text = css
        else:
            element.set(attribute, css)
    for element, src in images.items():
        if src in stored:
            element.set("src", f"{prefix}-/media/{stored[src]}")
        elif src.startswith("data:image/"):
            element.set("src", src)
        else:
            element.set("data-archive-original-src", src)
            del element.attrib["src"]
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    charset = etree.Element("meta", charset="utf-8")
    head.insert(0, charset)
    html: bytes = lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")
    return html


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _css_text(element: Any, attribute: str | None) -> str:
    if attribute is None:
        return "".join(element.itertext())
    return str(element.get(attribute, ""))


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


# -- media -----------------------------------------------------------------------------------


def media_body(archive: Archive, sha256: str) -> tuple[str, bytes] | None:
    """``(type, bytes)`` of the stored photo with this sha256, checked against it; ``None``
    when the archive keeps no photos or not this one. A damaged one raises ``ValueError``."""
    if not archive.has_table("media"):
        return None
    rows = archive.rows("SELECT type, body FROM media WHERE sha256 = :sha", {"sha": sha256})
    if not rows or rows[0]["body"] is None:
        return None
    body = bytes(rows[0]["body"])
    if hashlib.sha256(body).hexdigest() != sha256:
        raise ValueError(f"photo {sha256} is damaged: its bytes do not match their sha256")
    kind = str(rows[0]["type"] or "").split(";")[0].strip().lower()
    return (kind if kind in IMAGE_TYPES else "application/octet-stream"), body
