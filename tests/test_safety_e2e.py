"""Safety end to end: ``scrapy crawl sputnik`` in a subprocess against the hostile replica:
links to private addresses and other schemes, a gzip bomb, a huge page, and secrets given as
settings, environment variables and a URL password."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from archive import Archive
from mocksite.server import start

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]


def crawl(
    db: Path,
    *arguments: str,
    env: dict[str, str] | None = None,
    ok: bool | None = True,
    **settings: Any,
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl sputnik -a ARGUMENT... -s NAME=VALUE...`` writing to ``db``; with ``ok``
    true the crawl must succeed (exit status 0), false fail, ``None`` either."""
    command = [sys.executable, "-m", "scrapy", "crawl", "sputnik"]
    for argument in arguments:
        command += ["-a", argument]
    for name, value in {"LOG_LEVEL": "INFO", **settings}.items():
        command += ["-s", f"{name}={value}"]
    environ = {**os.environ, "ARCHIVE_PATH": str(db), **(env or {})}
    result = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=240
    )
    if ok is not None:
        assert (result.returncode == 0) is ok, result.stderr[-4000:]
    return result


def fetch_rows(db: Path) -> list[dict[str, Any]]:
    with Archive(db) as archive:
        return list(archive.db.query("select * from fetches order by id"))


def test_links_to_private_addresses_are_refused_and_recorded(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with start(articles=10, seed=1, hostile=True) as site:
        page = site.url(site.hostile_article("private_links")["url_path"])
        leak = site.hostile_article("private_leak")["url_path"]
        crawl(db, f"urls={page}", "related_depth=1")
        hits = site.hits()
    rows = fetch_rows(db)
    [article] = [r for r in rows if r["url"] == page]
    assert article["outcome"] == "new"
    refused = {(r["url"], r["status"], r["error"]) for r in rows if r["outcome"] == "refused"}
    assert refused == {
        ("http://10.0.0.1/x", None, "refused: private address 10.0.0.1"),
        ("http://192.168.1.1/", None, "refused: private address 192.168.1.1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            None,
            "refused: link-local address 169.254.169.254",
        ),
        ("http://[::1]/", None, "refused: loopback address ::1"),
        (f"http://localhost:{site.port}{leak}", None, "refused: loopback address localhost"),
        ("file:///etc/passwd", None, "refused: scheme file: is not http(s)"),
        ("javascript:alert(1)", None, "refused: scheme javascript: is not http(s)"),
        ("data:text/html,x", None, "refused: scheme data: is not http(s)"),
    }
    # The same server, reached under a name the user did not give: never fetched.
    assert hits.get("hostile_private_leak", 0) == 0
    assert not [r for r in rows if r["url"].endswith(leak) and r["outcome"] != "refused"]
    with Archive(db) as archive:
        [crawl_row] = archive.crawls()
    assert crawl_row["status"] == "finished"


class _Redirecting(BaseHTTPRequestHandler):
    """A home page that redirects to a subdomain of its host, which resolves to loopback."""

    served: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        self.served.append((host, self.path))
        port = self.server.server_address[1]
        if self.path == "/robots.txt":
            self._answer(200, b"User-agent: *\nAllow: /\n")
        elif self.path == "/" and host.startswith("localhost:"):
            self._answer(302, b"", location=f"http://admin.localhost:{port}/")
        else:
            self._answer(404, b"not here")

    def _answer(self, status: int, body: bytes, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_redirect_to_a_private_address_is_refused_when_requested(tmp_path: Path) -> None:
    # Scrapy follows the redirect itself, so no page yields it: only the check made as the
    # request is sent sees it. Scrapy's offsite filter lets it through (a subdomain of the
    # host the user named), but only that exact host may be private.
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        port = server.server_address[1]
        db = tmp_path / "a.db"
        crawl(db, f"start=http://localhost:{port}/", "related_depth=0", ok=None)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    target = f"http://admin.localhost:{port}/"
    [row] = [r for r in fetch_rows(db) if r["url"] == target]
    assert (row["outcome"], row["status"], row["error"]) == (
        "refused",
        None,
        "refused: loopback address admin.localhost",
    )
    assert not [path for host, path in _Redirecting.served if host.startswith("admin.")]


def test_a_gzip_bomb_and_a_huge_page_are_errors_under_the_size_cap(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with start(articles=10, seed=1, hostile=True) as site:
        bomb = site.url(hostile_path(site, "gzip_bomb"))
        huge = site.url(hostile_path(site, "huge_page"))
        crawl(db, f"urls={bomb},{huge}", "related_depth=0", ok=False)  # no page: a failed run
    rows = {r["url"]: r for r in fetch_rows(db)}
    cap = "33554432"
    assert rows[bomb]["outcome"] == "error"
    assert rows[bomb]["status"] is None
    assert rows[bomb]["error"].startswith(f"ResponseTooLarge: Ignored response <200 {bomb}>")
    assert f"exceeded DOWNLOAD_MAXSIZE ({cap} B) during decompression" in rows[bomb]["error"]
    assert rows[huge]["outcome"] == "error"
    assert rows[huge]["error"].startswith("DownloadCancelledError: Expected to receive 41943040")
    with Archive(db) as archive:
        assert archive.db["articles"].count == 0
        assert archive.db["captures"].count == 0


def hostile_path(site: Any, kind: str) -> str:
    [route] = [r for r in site.hostile_routes() if r["kind"] == kind]
    return str(route["path"])


SECRET_ENV = {"ARCHIVE_CONTACT_TOKEN": "s3cr3t-env"}
SECRET_SETTINGS = {
    "LOG_LEVEL": "DEBUG",
    "HTTPPROXY_AUTH_ENCODING": "latin-1",
    "MY_API_TOKEN": "s3cr3t-value",
    "TELNETCONSOLE_PASSWORD": "s3cr3t-telnet",  # a Scrapy setting: in "Overridden settings"
}


@pytest.fixture(scope="module")
def secret_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A crawl given secrets every way: (archive, its log, the article's URL sans password)."""
    db = tmp_path_factory.mktemp("secrets") / "a.db"
    with start(articles=10, seed=1) as site:
        path = site.site.article(site.site.seed_index)["url_path"]
        secret_url = f"http://user:s3cr3t-pass@127.0.0.1:{site.port}{path}"
        result = crawl(
            db, f"urls={secret_url}", "related_depth=0", env=SECRET_ENV, **SECRET_SETTINGS
        )
    return db, result.stdout + result.stderr, site.url(path)


def test_no_secret_reaches_the_log(secret_crawl: tuple[Path, str, str]) -> None:
    db, log, url = secret_crawl
    assert "'TELNETCONSOLE_PASSWORD': '***'" in log
    assert "s3cr3t" not in log
    with Archive(db) as archive:
        stored = archive.get_article(url)
    assert stored is not None and stored["url"] == url


def test_no_secret_reaches_the_archive(secret_crawl: tuple[Path, str, str]) -> None:
    db, _, url = secret_crawl
    for path in db.parent.iterdir():  # the archive and any journal beside it
        assert b"s3cr3t" not in path.read_bytes(), path.name
    with Archive(db) as archive:
        [crawl_row] = archive.crawls()
    assert crawl_row["arguments"]["urls"] == url.replace("http://", "http://user:***@")
