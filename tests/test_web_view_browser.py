"""The web view as a reader sees it: ``archive serve`` as a real process, in Debian's headless
Chromium, with screenshots taken (under pytest's tmp_path) and measured.

The archive is the crawled replica of tests/test_web.py, plus what a photo-keeping crawl
adds (the ``media`` and ``version_media`` tables, made here with their columns, holding one
photo of the seed article) and a version of the seed article whose stored page is hostile:
scripts, a stylesheet, images, a frame, a form and links pointing at another loopback port
where a small server counts every request it gets. Replayed, that page must run nothing and
reach nothing: the count stays 0, while the same page opened straight from that server (the
control) does reach it.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import shutil
import struct
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from archive import Archive, times
from archive.store import utc_now
from mocksite.server import RunningSite

from .test_web import build_archive, seed_title
from .test_web_browser import WAIT_S, browser, serving

pytestmark = pytest.mark.e2e

__all__ = ["browser"]  # the Chromium fixture, shared with tests/test_web_browser.py

#: The window every page is measured in.
WINDOW = (1280, 900)
#: A row of the articles table with its default columns is at most this tall (CSS px).
ROW_HEIGHT_MAX = 120
#: The search of the table-versus-command comparison (stems, accents, two words).
QUERY = "securite frappes"
#: The Content-Security-Policy every replayed page must carry, spelled out.
EXPECTED_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'none'; script-src 'none'; connect-src 'none'; frame-src 'none'; "
    "media-src 'none'; object-src 'none'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'self'; sandbox"
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@dataclass
class Counter:
    """A loopback HTTP server counting the requests it gets (any path, any method)."""

    port: int
    paths: list[str] = field(default_factory=list)
    page: bytes = b""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def counter() -> Iterator[Counter]:
    state = Counter(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _count(self) -> None:
            state.paths.append(self.path)
            body = state.page if self.path.startswith("/hostile") else b"counted"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _count

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def hostile_page(counter: Counter, photo_url: str, archived_url: str) -> bytes:
    """A stored page that would, if anything of it ran or loaded, reach ``counter``."""
    other = counter.base
    return f"""<!DOCTYPE html>
<html><head><title>Captured page</title>
<meta http-equiv="refresh" content="0; url={other}/refresh">
<base href="{other}/base/">
<link rel="stylesheet" href="{other}/style.css">
<link rel="preload" href="{other}/preload.js" as="script">
<link rel="dns-prefetch" href="{other}/">
<style>@import url("{other}/import.css");
@\\69mport "{other}/import-escaped.css";
body {{ background: url({other}/background.png); }}
h1 {{ background: \\75 rl({other}/escaped.png); }}
#kept {{ background-image: image-set("{other}/image-set.png" 1x); }}
@font-face {{ font-family: Other; src: url({other}/font.woff2) format("woff2"); }}
p {{ font-family: Other; }}</style>
<script>document.title = "pwned"; fetch("{other}/fetch");
new Image().src = "{other}/script-image"; document.write("<p id=written>pwned</p>");</script>
<script src="{other}/script.js"></script>
</head>
<body onload="document.title = 'pwned onload'">
<h1 id="headline">Le titre tel qu'il était</h1>
<p id="kept">Un paragraphe gardé tel quel.</p>
<img id="photo" src="{photo_url}" alt="la photo gardée">
<img id="outside" src="{other}/outside.png" srcset="{other}/outside-2x.png 2x" alt="ailleurs">
<p style="background-image: url('{other}/inline.png')">style</p>
<a id="archived" href="{archived_url}">un article archivé</a>
<a id="elsewhere" href="{other}/elsewhere" ping="{other}/ping">ailleurs</a>
<a id="js" href="javascript:fetch('{other}/js')">js</a>
<iframe src="{other}/frame"></iframe>
<object data="{other}/object"></object>
<embed src="{other}/embed">
<video src="{other}/video.mp4" poster="{other}/poster.png" autoplay></video>
<form id="form" action="{other}/form" method="post"><input name="x" value="1"></form>
<img src="x" onerror="fetch('{other}/onerror')">
<svg><style>rect {{ fill: url({other}/svg-style.svg#p); }}</style>
<image href="{other}/svg-image.png" width="10" height="10"/>
<use xlink:href="{other}/svg-use.svg#a"/>
<rect width="10" height="10" filter="url({other}/svg-filter.svg#f)"/></svg>
<table background="{other}/table.png"><tr><td>cell</td></tr></table>
</body></html>""".encode()


@dataclass
class Served:
    base: str
    db: Path
    planted: dict[str, Any]


@pytest.fixture(scope="module")
def served(
    replica: RunningSite, tmp_path_factory: pytest.TempPathFactory, counter: Counter
) -> Iterator[Served]:
    """``archive serve`` over the crawled replica with a photo and a hostile stored page."""
    db = tmp_path_factory.mktemp("webview") / "archive.db"
    planted = build_archive(replica, db)
    planted.update(plant_photo_and_hostile_page(db, planted["seed"], counter))
    with serving(db) as base:
        yield Served(base, db, planted)


def plant_photo_and_hostile_page(db: Path, seed: int, counter: Counter) -> dict[str, Any]:
    """Give the seed article a photo (as a photo-keeping crawl stores it) and a second
    version whose stored page is :func:`hostile_page`."""
    photo = png(64, 40, (200, 40, 40))
    sha = hashlib.sha256(photo).hexdigest()
    with Archive(db) as archive:
        article = archive.get_article(seed)
        assert article is not None
        target = next(link for link in article["related"] if link["url"])
        photo_url = article["url"].rsplit("/", 1)[0] + "/images/photo-une.png"
        body = hostile_page(counter, photo_url, target["url"])
        counter.page = body
        now = utc_now()
        conn = archive.db.conn
        conn.execute(
            "INSERT INTO captures (url, crawl_id, fetched_at, status, headers, body, "
            "compression, body_size, body_sha256) VALUES (?, NULL, ?, 200, ?, ?, 'zlib', ?, ?)",
            (
                article["url"],
                now,
                json.dumps({"Content-Type": ["text/html; charset=utf-8"]}),
                zlib.compress(body),
                len(body),
                hashlib.sha256(body).hexdigest(),
            ),
        )
        capture_id = conn.execute("SELECT MAX(id) FROM captures").fetchone()[0]
        conn.commit()
        edited = {
            **article,
            "body": article["body"] + "\n\nUn paragraphe ajouté après coup.",
            "tags": [*article["tags"], "Ajouté"],
        }
        version = archive.add_version(
            seed,
            edited,
            crawl_id=None,
            fetched_at=now,
            capture_id=capture_id,
            extractor="test",
            extractor_version="1",
        )
        assert version is not None
        version_id = conn.execute(
            "SELECT id FROM versions WHERE article_id = ? ORDER BY number DESC LIMIT 1", (seed,)
        ).fetchone()[0]
        conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS media (sha256 TEXT PRIMARY KEY, url TEXT, type TEXT,
              size INTEGER, body BLOB, width INTEGER, height INTEGER, first_seen_at TEXT,
              crawl_id INTEGER);
            CREATE TABLE IF NOT EXISTS version_media (version_id INTEGER, position INTEGER,
              role TEXT, url TEXT, sha256 TEXT, caption TEXT, credit TEXT);
            """
        )
        conn.execute(
            "INSERT INTO media (sha256, url, type, size, body, width, height, first_seen_at, "
            "crawl_id) VALUES (?, ?, 'image/png', ?, ?, 64, 40, ?, NULL)",
            (sha, photo_url, len(photo), photo, now),
        )
        conn.executemany(
            # Replacing the main photo the new version recorded from the article's fields.
            "INSERT OR REPLACE INTO version_media"
            " (version_id, position, role, url, sha256, caption, credit)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (version_id, 0, "main", photo_url, sha, "La photo de une", "Photo: Agence"),
                (version_id, 1, "body", photo_url + "?missing", None, "Pas gardée", None),
            ],
        )
        conn.commit()
        target_id = archive.get_article(target["url"])["id"]  # type: ignore[index]
    return {
        "photo_sha": sha,
        "photo_url": photo_url,
        "hostile_version": version_id,
        "hostile_capture": capture_id,
        "target": target_id,
    }


def screenshot(driver: webdriver.Chrome, tmp_path: Path, name: str) -> Path:
    """Save what the browser shows, checking it is a real image of the window's size."""
    data = driver.get_screenshot_as_png()
    path = tmp_path / f"{name}.png"
    path.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == tuple(
        driver.execute_script("return [window.innerWidth, window.innerHeight]")
    )
    return path


def open_page(driver: webdriver.Chrome, url: str) -> None:
    driver.set_window_size(*WINDOW)
    driver.get(url)
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def archive_cli(db: Path, *args: str) -> Any:
    command = shutil.which("archive", path=str(Path(sys.executable).parent))
    assert command is not None
    out = subprocess.run(
        [command, "--db", str(db), *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


# -- home page, table, search -----------------------------------------------------------------


def test_home_page_lists_articles_first(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    open_page(browser, served.base + "/")
    screenshot(browser, tmp_path, "home")
    links = browser.find_elements(By.CSS_SELECTOR, ".content p a, .content h2 a")
    names = [link.text for link in links]
    assert names[0] == "archive"  # the database, then its tables: articles first
    assert names[1] == "articles"
    assert links[1].get_attribute("href") == served.base + "/archive/articles"
    for hidden in ("dedupe_bands", "dedupe_signatures", "frontier", "_migrations"):
        assert hidden not in names
    box = browser.find_element(By.ID, "archive-search-q")
    assert box.is_displayed() and box.rect["y"] < WINDOW[1] / 2


def test_the_articles_table_is_readable(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    open_page(browser, served.base + "/archive/articles")
    screenshot(browser, tmp_path, "articles")
    headers = [
        th.get_attribute("data-column")
        for th in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th")
    ]
    assert headers == ["id", "title", "site", "category", "published_at", "status"]
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert len(rows) == 100
    heights = [row.rect["height"] for row in rows]
    assert max(heights) <= ROW_HEIGHT_MAX, heights
    inner_height = browser.execute_script("return window.innerHeight")
    box = browser.find_element(By.ID, "archive-search-q")
    assert box.is_displayed() and box.rect["y"] + box.rect["height"] <= inner_height
    assert browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns").rect["y"] < inner_height
    # the 30-odd column descriptions are folded, one click away
    descriptions = browser.find_element(By.CSS_SELECTOR, "dl.column-descriptions")
    assert not descriptions.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "details.column-descriptions-fold summary").click()
    assert descriptions.is_displayed()
    # a title leads to the article page
    first = browser.find_element(By.CSS_SELECTOR, "tbody tr td.col-title a")
    row_id = browser.find_element(By.CSS_SELECTOR, "tbody tr td.col-id").text
    assert first.get_attribute("href") == f"{served.base}/-/article/{row_id}"
    # every column is one click away, lead and body truncated
    browser.find_element(By.CSS_SELECTOR, ".archive-columns a").click()
    WebDriverWait(browser, WAIT_S).until(lambda d: "_col=body" in d.current_url)
    headers = [
        th.get_attribute("data-column")
        for th in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th")
    ]
    assert {"url", "canonical_url", "lead", "body", "tags"} <= set(headers)
    bodies = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-body")]
    assert bodies and all(len(text) <= 121 for text in bodies)
    assert any(text.endswith("…") for text in bodies)
    screenshot(browser, tmp_path, "articles-all-columns")


def test_one_french_search_box_counts_and_pages_every_hit(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    expected = archive_cli(served.db, "search", QUERY, "--limit", "100000", "--json")
    assert len(expected) > 2
    open_page(browser, served.base + "/archive/articles")
    assert len(browser.find_elements(By.CSS_SELECTOR, "input[type=search]")) == 1
    box = browser.find_element(By.ID, "archive-search-q")
    box.send_keys(QUERY, Keys.ENTER)
    WebDriverWait(browser, WAIT_S).until(lambda d: "/-/search?q=" in d.current_url)
    screenshot(browser, tmp_path, "search")
    count = browser.find_element(By.ID, "search-count").text
    assert count.startswith(f"{len(expected)} articles found, page 1 of 1")
    shown = [
        a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "li.archive-hit > a")
    ]
    assert shown == [f"{served.base}/-/article/{hit['id']}" for hit in expected]
    marks = browser.find_elements(By.CSS_SELECTOR, "li.archive-hit mark")
    assert marks


def test_search_pages_reach_the_last_hit(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    word = "france"
    expected = archive_cli(served.db, "search", word, "--limit", "100000", "--json")
    pages = -(-len(expected) // 20)
    assert pages >= 3, len(expected)
    open_page(browser, f"{served.base}/-/search?q={word}")
    seen: list[str] = []
    for page in range(1, pages + 1):
        count = browser.find_element(By.ID, "search-count").text
        assert count.startswith(f"{len(expected)} articles found, page {page} of {pages}")
        seen += [
            a.get_attribute("href")
            for a in browser.find_elements(By.CSS_SELECTOR, "li.archive-hit > a")
        ]
        if page < pages:
            browser.find_element(By.ID, "page-next").click()
            WebDriverWait(browser, WAIT_S).until(lambda d, n=page + 1: f"page={n}" in d.current_url)
    screenshot(browser, tmp_path, "search-last-page")
    assert not browser.find_elements(By.ID, "page-next")
    assert seen == [f"{served.base}/-/article/{hit['id']}" for hit in expected]


# -- canned queries, row pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "params", "link_column"),
    [
        ("search_fr", {"q": "frappes"}, "id"),
        ("articles_by_tag", None, "id"),
        ("article_versions", {"article": "seed"}, "article_id"),
        ("gone_articles", {}, "id"),
        ("related_edges", {"article": "seed"}, "from_article_id"),
    ],
)
def test_canned_queries_hide_their_sql_and_link_to_articles(
    served: Served,
    browser: webdriver.Chrome,
    tmp_path: Path,
    query: str,
    params: dict[str, str] | None,
    link_column: str,
) -> None:
    if params is None:  # the seed's first tag
        with Archive(served.db, readonly=True) as archive:
            seed = archive.get_article(served.planted["seed"])
            assert seed is not None
        params = {"tag": seed["tags"][0]}
    params = {k: str(served.planted["seed"]) if v == "seed" else v for k, v in params.items()}
    url = f"{served.base}/archive/{query}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    open_page(browser, url)
    screenshot(browser, tmp_path, query)
    assert not browser.find_elements(By.CSS_SELECTOR, "#sql-query, #sql-editor, textarea")
    cells = browser.find_elements(By.CSS_SELECTOR, f"td.col-{link_column}")
    assert cells
    for cell in cells:
        (link,) = cell.find_elements(By.TAG_NAME, "a")
        assert link.get_attribute("href") == f"{served.base}/-/article/{cell.text}"


def test_the_row_page_lists_no_internal_table(
    served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    seed = served.planted["seed"]
    open_page(browser, f"{served.base}/archive/articles/{seed}")
    screenshot(browser, tmp_path, "row")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Links from other tables" in text
    assert "in versions" in text
    for hidden in ("dedupe_bands", "dedupe_signatures", "frontier"):
        assert hidden not in text
    link = browser.find_element(By.CSS_SELECTOR, ".archive-article-link a")
    assert link.get_attribute("href") == f"{served.base}/-/article/{seed}"


# -- the article page --------------------------------------------------------------------------


def test_the_article_page(served: Served, browser: webdriver.Chrome, tmp_path: Path) -> None:
    seed = served.planted["seed"]
    with Archive(served.db, readonly=True) as archive:
        article = archive.get_article(seed)
        assert article is not None
    open_page(browser, f"{served.base}/-/article/{seed}")
    screenshot(browser, tmp_path, "article")
    assert browser.find_element(By.ID, "article-title").text == seed_title()
    fields = browser.find_element(By.ID, "fields").text
    published = times.for_reading(article["published_at"])  # shown as the read commands print it
    assert published == "2017-06-21 07:52:00 UTC"
    for value in (article["site"], article["category"], published, article["url"]):
        assert value in fields
    tags = browser.find_elements(By.CSS_SELECTOR, "#tags a")
    assert [tag.text for tag in tags] == article["tags"]
    assert "Ajouté" in article["tags"]
    query = urllib.parse.urlencode({"tag": article["tags"][0]})
    assert tags[0].get_attribute("href") == f"{served.base}/archive/articles_by_tag?{query}"
    # "Lire aussi" out of the article, to archived articles' pages
    out = browser.find_elements(By.CSS_SELECTOR, "#links-out li")
    assert [li.text.split(" (not archived")[0] for li in out] == [
        link["title"] for link in article["related"]
    ]
    target = served.planted["target"]
    hrefs = [
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#links-out a")
    ]
    assert f"{served.base}/-/article/{target}" in hrefs
    # the photo: stored, shown from the archive, with caption and credit
    (figure, missing) = browser.find_elements(By.CSS_SELECTOR, "#photos figure")
    image = figure.find_element(By.TAG_NAME, "img")
    assert image.get_attribute("src") == f"{served.base}/-/media/{served.planted['photo_sha']}"
    assert browser.execute_script("return arguments[0].naturalWidth", image) == 64
    assert figure.text == "La photo de une — Photo: Agence"
    assert "Photo not stored" in missing.text
    # versions, newest first, each page replayable, and the change between them
    versions = browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
    assert [row.get_attribute("id") for row in versions] == ["version-2", "version-1"]
    thumbnails = versions[0].find_elements(By.CSS_SELECTOR, ".archive-version-photos img")
    assert [img.get_attribute("src") for img in thumbnails] == [image.get_attribute("src")]
    assert versions[0].find_element(By.CSS_SELECTOR, ".archive-version-photos").text == (
        "1 not stored"
    )
    # the crawled version: the main photo the crawl kept
    with Archive(served.db, readonly=True) as archive:
        first = archive.versions(seed)[0]
        kept = [p["sha256"] for p in archive.photos([first["id"]]).get(first["id"], [])]
    crawled = versions[1].find_elements(By.CSS_SELECTOR, ".archive-version-photos img")
    assert [img.get_attribute("src") for img in crawled] == [
        f"{served.base}/-/media/{sha}" for sha in kept if sha
    ]
    replay = versions[0].find_element(By.CSS_SELECTOR, "a.archive-replay-link")
    hostile = served.planted["hostile_version"]
    assert replay.get_attribute("href") == f"{served.base}/-/replay/{hostile}"
    diff = browser.find_element(By.ID, "diff-1-2")
    added = [span.text for span in diff.find_elements(By.CSS_SELECTOR, ".add")]
    assert "+Un paragraphe ajouté après coup." in added
    assert "(added: Ajouté)" in diff.text
    browser.execute_script("arguments[0].scrollIntoView()", versions[0])
    screenshot(browser, tmp_path, "article-versions")
    # and "Lire aussi" into an article: the target's page lists the seed
    open_page(browser, f"{served.base}/-/article/{target}")
    screenshot(browser, tmp_path, "article-target")
    incoming = browser.find_elements(By.CSS_SELECTOR, "#links-in a")
    assert f"{served.base}/-/article/{seed}" in [a.get_attribute("href") for a in incoming]
    with Archive(served.db, readonly=True) as archive:
        shown = archive.get_article(target)
    assert shown is not None
    photos = browser.find_elements(By.CSS_SELECTOR, "#photos figure img")
    assert [img.get_attribute("src") for img in photos] == [
        f"{served.base}/-/media/{p['sha256']}" for p in shown["photos"] if p["sha256"]
    ]  # the photos the crawl kept


# -- the page as it was ------------------------------------------------------------------------


def test_the_control_page_reaches_the_counter(
    counter: Counter, served: Served, browser: webdriver.Chrome
) -> None:
    """Opened straight from the counting server, the hostile page runs and loads: so the
    zero of the replay below means something."""
    counter.paths.clear()
    open_page(browser, counter.base + "/hostile")
    WebDriverWait(browser, WAIT_S).until(lambda d: "/fetch" in counter.paths)
    # and so do its style sheets and the images its CSS names, escaped or not
    loaded = {"/style.css", "/script.js", "/outside.png", "/import.css", "/import-escaped.css"}
    loaded |= {"/escaped.png", "/inline.png", "/refresh"}  # the refresh comes after the load
    WebDriverWait(browser, WAIT_S).until(lambda d: loaded <= set(counter.paths))
    assert loaded <= set(counter.paths)
    # leave it, and let what it still had on the way reach the counter before the next test
    open_page(browser, "about:blank")
    counted = [-1]

    def quiet(_: Any) -> bool:
        before, counted[0] = counted[0], len(counter.paths)
        return before == counted[0]

    WebDriverWait(browser, WAIT_S, poll_frequency=0.5).until(quiet)


def test_the_page_as_it_was_runs_nothing_and_reaches_nothing(
    counter: Counter, served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    counter.paths.clear()
    version = served.planted["hostile_version"]
    open_page(browser, f"{served.base}/-/replay/{version}")
    frame = browser.find_element(By.ID, "archive-replay")
    assert frame.get_attribute("sandbox") == ""
    capture = served.planted["hostile_capture"]
    assert frame.get_attribute("src") == f"{served.base}/-/capture/{capture}"
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT_S).until(lambda d: d.find_elements(By.ID, "kept"))
    headline = browser.find_element(By.ID, "headline").text
    photo = browser.find_element(By.ID, "photo")
    WebDriverWait(browser, WAIT_S).until(lambda d: photo.get_attribute("complete"))
    natural = browser.execute_script("return arguments[0].naturalWidth", photo)
    archived = browser.find_element(By.ID, "archived").get_attribute("href")
    elsewhere = browser.find_element(By.ID, "elsewhere").get_attribute("href")
    # the frame's load event has fired: every image and style sheet it asked for is in,
    # refused or failed, and any script would have run by now
    WebDriverWait(browser, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    frame_title = browser.execute_script("return document.title")
    written = browser.find_elements(By.ID, "written")
    browser.switch_to.default_content()
    screenshot(browser, tmp_path, "replay")
    assert headline == "Le titre tel qu'il était"
    assert frame_title == "Captured page" and not written
    assert natural == 64  # the archive's own photo, rewritten and allowed by the policy
    assert archived is not None and archived.startswith(f"{served.base}/-/capture/")
    assert elsewhere is None
    assert browser.title.startswith("As it was:")
    assert counter.paths == []
    entries = browser.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.startsWith('http'))"
    )
    assert entries and all(name.startswith(served.base + "/") for name in entries), entries


def test_a_stored_page_carries_the_policy(served: Served, counter: Counter) -> None:
    capture = served.planted["hostile_capture"]
    with urllib.request.urlopen(f"{served.base}/-/capture/{capture}") as response:
        headers = response.headers
        body = response.read().decode()
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script" not in body.lower()
    for attribute in ("src", "href", "srcset", "action", "poster", "ping", "data"):
        assert f' {attribute}="{counter.base}' not in body, attribute
    # the counting server's address is left only where nothing reads it as one
    inert = re.sub(r' (?:data-archive-original-[a-z]+|title)="[^"]*"', "", body)
    assert counter.base not in inert
    assert f'data-archive-original-href="{counter.base}/elsewhere"' in body


def test_a_replayed_link_leads_to_the_archived_page(
    counter: Counter, served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    """Inside the frame, a link to an article the archive holds opens its stored page."""
    counter.paths.clear()
    with Archive(served.db, readonly=True) as archive:
        captured = [v for v in archive.versions(served.planted["target"]) if v["capture_id"]]
    # the latest version with a stored page (a later one may have kept none)
    expected = captured[-1]["title"]
    open_page(browser, f"{served.base}/-/replay/{served.planted['hostile_version']}")
    browser.switch_to.frame(browser.find_element(By.ID, "archive-replay"))
    WebDriverWait(browser, WAIT_S).until(lambda d: d.find_elements(By.ID, "archived"))
    browser.find_element(By.ID, "archived").click()
    WebDriverWait(browser, WAIT_S).until(lambda d: not d.find_elements(By.ID, "archived"))
    WebDriverWait(browser, WAIT_S).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))
    headline = browser.find_element(By.TAG_NAME, "h1").text
    browser.switch_to.default_content()
    screenshot(browser, tmp_path, "replay-followed")
    assert headline == expected
    assert counter.paths == []


def test_a_stored_page_opened_alone_runs_nothing(
    counter: Counter, served: Served, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    """Opened outside its frame, the stored page is still sandboxed by its policy."""
    counter.paths.clear()
    open_page(browser, f"{served.base}/-/capture/{served.planted['hostile_capture']}")
    screenshot(browser, tmp_path, "capture-alone")
    assert browser.find_element(By.ID, "headline").text == "Le titre tel qu'il était"
    assert browser.title == "Captured page"
    assert not browser.find_elements(By.ID, "written")
    assert counter.paths == []
