"""``archive extract``: the article a crawl would store, from a saved file, a URL or a WARC file."""

from __future__ import annotations

import gzip
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import Archive, Fetch
from archive.cli import cli
from archive.extract import ARCHIVE_ONLY
from archive.fetch import Fetcher, FetchError, Politeness
from archive.reparse import PAGE_CLASS
from crawler import settings as crawl_settings
from crawler.spiders.sputnik import SputnikSpider
from extraction.items import ARTICLE_FIELDS, Article
from extraction.pages import SputnikArticlePage
from extraction.pages.clean import clean_article
from mocksite.server import RunningSite, start
from tests.corpus import CORPUS as CORPUS_DIR
from tests.corpus import REFERENCE as CORPUS
from tests.refused_page import RefusedViewsPage

from .conftest import run_crawl

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages" / "SputnikArticlePage"
REAL = FIXTURES / "real"
REAL_2020 = REAL / "en_sputniknews_2020_radio_critical_hour.html"
REAL_2020_URL = (
    "https://sputniknews.com/radio_the_critical_hour/202004281079127690-some-us-states-begin-"
    "lifting-lockdowns-vp-pence-defiantly-tours-clinic-unmasked/"
)
#: The fixture pages that are no article (tests/test_pages_sputnik.py).
NOT_ARTICLES = ("not_article_error", "not_article_rubrique", "only_related")
ARTICLES = sorted(
    p.name for p in PAGES.iterdir() if (p / "body.html").is_file() and p.name not in NOT_ARTICLES
)
NO_ARTICLE = "unreadable: no article found (no title, or neither lead nor body)"
#: The keys extract prints: those of show --json without what only an archive has.
KEYS = {*ARTICLE_FIELDS, "content_hash", "text_hash", "urls"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``archive extract ARGS``, the pages read as Sputnik's (the replica's and the real
    ones here), unless ARGS name a site or a page class."""
    chosen = {"--site", "--page-class"} & set(args)
    return CliRunner(env=env).invoke(
        cli, ["extract", *(() if chosen else ("--site", "sputnik")), *args]
    )


def ok_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return json.loads(result.stdout)


def jsonl(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def fixture(case: str) -> tuple[Path, str]:
    """A saved page of tests/fixtures/pages and the URL it was saved from."""
    meta = json.loads((PAGES / case / "meta.json").read_text(encoding="utf-8"))
    return PAGES / case / "body.html", str(meta["url"])


def stored(db: Path, article: dict[str, Any], fetch: Fetch) -> dict[str, Any]:
    """What ``show --json`` prints of ``article`` stored from ``fetch`` into a new archive file
    ``db``, less what only an archive has."""
    with Archive(db) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        result = archive.store_article(article, crawl_id=crawl, fetch=fetch)
        shown = archive.get_article(result.article_id)
    assert shown is not None
    return {key: value for key, value in shown.items() if key not in ARCHIVE_ONLY}


def warc_record(writer: WARCWriter, url: str, body: bytes, **http: Any) -> None:
    status = http.get("status", "200 OK")
    content_type = http.get("content_type", "text/html; charset=utf-8")
    headers = StatusAndHeaders(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    # With its length given, warcio writes the body as is (else through a temporary file
    # it never closes).
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
    )
    writer.write_record(record)


# -- a saved HTML file ----------------------------------------------------------------------


REAL_CASES = [
    "en_sputniknews_2019_columnists_prince_andrew",
    "en_sputniknews_2020_radio_critical_hour",
]


@pytest.mark.parametrize("case", REAL_CASES)
def test_a_saved_real_page_read_with_its_url(case: str) -> None:
    """Both real pages, without ``--url`` too (each names its canonical URL): every
    reference value, as the archive would hold it."""
    reference = json.loads((REAL / "expected.json").read_text("utf-8"))[case]
    found = ok_json(str(REAL / f"{case}.html"), "--url", reference["url"])
    assert found == ok_json(str(REAL / f"{case}.html"))
    for field in ("title", "lead", "authors", "category", "tags", "canonical_url"):
        assert found[field] == reference[field], field
    for field in ("image_credit", "views", "short_url"):
        assert found[field] == reference[field], field
    assert found["image_url"] in reference["image_url_any_of"]
    assert found["image_caption"] in [
        reference["image_caption"],
        *reference.get("image_caption_also_ok", []),
    ]
    assert found["published_at"] == reference["published_at"]
    assert found["body"].startswith(reference["body_first"])
    assert found["body"].endswith(reference["body_last"])
    assert found["related"] == reference["related"]


@pytest.mark.parametrize("case", ARTICLES)
def test_a_saved_fixture_page_gives_what_a_crawl_stores_of_it(case: str, tmp_path: Path) -> None:
    """Field by field: the page's reference values (expected.json) cleaned as the crawl
    cleans them and stored as the crawl stores them."""
    path, url = fixture(case)
    expected = json.loads((PAGES / case / "expected.json").read_text("utf-8"))
    article = clean_article(Article.from_dict(expected)).to_dict()
    truth = stored(tmp_path / "archive.db", article, Fetch(url, 200))
    found = ok_json(str(path), "--url", url)
    assert set(found) == KEYS
    for key in sorted(KEYS):
        assert found[key] == truth[key], key


def test_a_saved_file_without_url_is_read_as_fetched_from_its_canonical_url() -> None:
    path, url = fixture("seed_legacy")
    canonical = "https://fr.sputniknews.com/international/201706211031842222-syrie-washington-moscou-securite/"
    found = ok_json(str(path))
    assert found == ok_json(str(path), "--url", canonical)
    assert found["url"] == canonical
    assert found["urls"] == [
        {"url": canonical, "kind": "canonical"},
        {"url": "http://sptnkne.ws/eKQY", "kind": "short"},
    ]
    # with its own URL, a tracking variant of it: recorded too, the article the same
    with_url = ok_json(str(path), "--url", url)
    assert with_url["urls"][1] == {"url": url, "kind": "fetched"}
    assert with_url["content_hash"] == found["content_hash"]


def test_a_saved_file_naming_no_canonical_url_is_read_at_its_file_url(tmp_path: Path) -> None:
    path, _ = fixture("seed_legacy")
    html = path.read_text("utf-8")
    html = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", html)
    saved = tmp_path / "page.html"
    saved.write_text(html, encoding="utf-8")
    found = ok_json(str(saved))
    assert found["url"] == saved.resolve().as_uri()
    assert found["canonical_url"] is None
    assert found["title"] == "Washington et Moscou discutent de la sécurité des opérations en Syrie"


@pytest.mark.parametrize("case", NOT_ARTICLES)
def test_a_page_that_is_no_article(case: str) -> None:
    path, url = fixture(case)
    result = run(str(path), "--url", url, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: {NO_ARTICLE}\n"


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    result = run(str(missing))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {missing}: no such file\n"


def test_an_extractor_that_fails_is_reported_as_unreadable() -> None:
    path, url = fixture("seed_legacy")
    result = run(str(path), "--url", url, "--page-class", f"{__name__}.ChokingPage")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: unreadable: extraction failed: ValueError: choked\n"


def test_an_article_the_archive_would_refuse_is_an_error() -> None:
    path, url = fixture("seed_legacy")  # its canonical URL ends in an even digit
    result = run(str(path), "--url", url, "--page-class", "tests.refused_page.RefusedViewsPage")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}: error: the archive refuses it: "
        "OverflowError: Python int too large to convert to SQLite INTEGER\n"
    )


class ChokingPage(SputnikArticlePage):
    def to_item(self) -> Article:
        raise ValueError("choked")


class ShoutingPage(SputnikArticlePage):
    """Reads headlines in capitals."""

    @property
    def title(self) -> str | None:
        title = super().title
        return title.upper() if title else None


# -- the page object ------------------------------------------------------------------------


def test_page_class_chooses_the_page_object() -> None:
    path, url = fixture("seed_legacy")
    found = ok_json(str(path), "--url", url, "--page-class", f"{__name__}.ShoutingPage")
    assert found["title"] == "WASHINGTON ET MOSCOU DISCUTENT DE LA SÉCURITÉ DES OPÉRATIONS EN SYRIE"
    assert {k: v for k, v in found.items() if k not in ("title", "content_hash", "text_hash")} == {
        k: v
        for k, v in ok_json(str(path), "--url", url).items()
        if k not in ("title", "content_hash", "text_hash")
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tests.nowhere.Page", "cannot import tests.nowhere.Page: No module named 'tests.nowhere'"),
        (
            "archive.store.Archive",
            "archive.store.Archive is not a page class (a class with to_item(), like ArticlePage)",
        ),
        ("Page", "'Page' is not module.Class"),
    ],
)
def test_a_page_class_that_cannot_be_loaded_is_bad_usage(name: str, message: str) -> None:
    path, _ = fixture("seed_legacy")
    result = run(str(path), "--page-class", name)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--page-class': {message}"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(None, PAGE_CLASS), ("tests.refused_page.RefusedViewsPage", RefusedViewsPage)],
)
def test_the_spider_chooses_its_page_object_with_the_same_function(
    setting: str | None, expected: type
) -> None:
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PAGE_CLASS": setting})
    spider = SputnikSpider.from_crawler(crawler, urls="http://127.0.0.1:8000/a/")
    assert spider.page_class is expected


# -- several inputs and the output shapes -------------------------------------------------


def test_several_inputs_go_on_after_a_failing_one(tmp_path: Path) -> None:
    legacy, _ = fixture("seed_legacy")
    current, current_url = fixture("seed_current")
    rubrique, _ = fixture("not_article_rubrique")
    missing = tmp_path / "missing.html"
    result = run(str(legacy), str(missing), str(rubrique), str(current), "--jsonl")
    assert result.exit_code == 1
    assert [line["canonical_url"] for line in jsonl(result)] == [
        "https://fr.sputniknews.com/international/201706211031842222-syrie-washington-moscou-securite/",
        current_url,
    ]
    assert result.stderr == (f"Error: {missing}: no such file\nError: {rubrique}: {NO_ARTICLE}\n")


def test_json_is_an_object_for_one_page_and_a_list_for_several() -> None:
    legacy, url = fixture("seed_legacy")
    current, _ = fixture("seed_current")
    one = ok_json(str(legacy), "--url", url)
    assert isinstance(one, dict) and set(one) == KEYS
    several = ok_json(str(legacy), str(current))
    assert [page["title"] for page in several] == [one["title"]] * 2
    assert several[0] == ok_json(str(legacy))


def test_jsonl_is_one_object_per_page_per_line() -> None:
    legacy, url = fixture("seed_legacy")
    current, _ = fixture("seed_current")
    result = run(str(legacy), str(current), "--jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == ok_json(str(legacy))
    assert json.loads(lines[1]) == ok_json(str(current))
    single = run(str(legacy), "--url", url, "--jsonl")
    assert (
        single.stdout == json.dumps(ok_json(str(legacy), "--url", url), ensure_ascii=False) + "\n"
    )


def test_json_and_jsonl_do_not_go_together() -> None:
    legacy, _ = fixture("seed_legacy")
    result = run(str(legacy), "--json", "--jsonl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: --json and --jsonl do not go together: choose one"
    )


@pytest.mark.parametrize(
    "inputs",
    [
        ["a.html", "b.html"],
        ["https://fr.sputniknews.africa/a.html"],
        ["pages.warc.gz"],
    ],
    ids=["several", "a URL", "a WARC file"],
)
def test_url_goes_with_one_saved_file_only(inputs: list[str]) -> None:
    result = run(*inputs, "--url", "https://fr.sputniknews.africa/a.html")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: --url goes with one INPUT, a saved HTML file"


def test_url_must_be_an_http_url() -> None:
    legacy, _ = fixture("seed_legacy")
    result = run(str(legacy), "--url", "page.html")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--url': 'page.html' is not an http(s) URL"
    )


def test_an_input_with_another_scheme_is_refused() -> None:
    result = run("ftp://fr.sputniknews.com/a.html")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: ftp://fr.sputniknews.com/a.html: refused: scheme ftp: is not http(s)\n"
    )


def test_no_input_is_bad_usage() -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Missing argument 'INPUT...'."


def test_the_readable_form_is_show_without_what_only_an_archive_has() -> None:
    legacy, url = fixture("seed_legacy")
    found = ok_json(str(legacy), "--url", url)
    result = run(str(legacy), "--url", url)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        f"url: {found['url']}",
        f"canonical_url: {found['canonical_url']}",
        "site: sputnik",
        "language: fr",
        f"title: {found['title']}",
        "authors: -",
    ]
    assert f"content_hash: {found['content_hash']}" in lines
    assert f"tags: {', '.join(found['tags'])}" in lines
    assert lines[-3:] == [
        f"  [canonical] {found['canonical_url']}",
        f"  [fetched] {url}",
        "  [short] http://sptnkne.ws/eKQY",
    ]
    shown = {line.split(":", 1)[0] for line in lines if re.match(r"^[a-z_]+: ", line)}
    assert not shown & set(ARCHIVE_ONLY)
    assert "linked from:" not in lines and "events:" not in lines


def test_several_pages_in_the_readable_form_are_each_named() -> None:
    legacy, _ = fixture("seed_legacy")
    current, _ = fixture("seed_current")
    result = run(str(legacy), str(current))
    assert result.exit_code == 0
    headers = [line for line in result.stdout.splitlines() if line.startswith("==> ")]
    assert headers == [f"==> {legacy} <==", f"==> {current} <=="]
    assert f"\n\n==> {current} <==\nurl: " in result.stdout


def test_no_archive_is_read_or_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    legacy, _ = fixture("seed_legacy")
    rubrique, _ = fixture("not_article_rubrique")
    env = {"ARCHIVE_PATH": str(tmp_path / "archive.db")}
    assert run(str(legacy), str(rubrique), "--jsonl", env=env).exit_code == 1
    assert run(str(legacy), env=env).exit_code == 0
    assert list(tmp_path.iterdir()) == []


# -- a WARC file ----------------------------------------------------------------------------


def test_a_warc_file_gives_one_line_per_html_response_record(tmp_path: Path) -> None:
    warc = tmp_path / "pages.warc.gz"
    legacy, _ = fixture("seed_legacy")
    current, _ = fixture("seed_current")
    rubrique, _ = fixture("not_article_rubrique")
    first = "https://fr.sputniknews.com/international/201706211031842222-a/?utm_source=rss"
    second = "https://fr.sputniknews.africa/20170621/copie-1031842222.html"
    listing = "https://fr.sputniknews.com/international/"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        warc_record(writer, first, legacy.read_bytes())
        warc_record(
            writer, "https://fr.sputniknews.com/logo.png", b"\x89PNG", content_type="image/png"
        )
        warc_record(
            writer, "https://fr.sputniknews.com/gone/", b"<html></html>", status="404 Not Found"
        )
        warc_record(writer, listing, rubrique.read_bytes())
        warc_record(writer, second, current.read_bytes())
    result = run(str(warc), "--jsonl")
    assert result.exit_code == 1
    pages = jsonl(result)
    assert [page["urls"][1] for page in pages] == [
        {"url": first, "kind": "fetched"},
        {"url": second, "kind": "fetched"},
    ]
    assert pages[0] == ok_json(str(legacy), "--url", first)
    assert pages[1] == ok_json(str(current), "--url", second)
    assert result.stderr == f"Error: {listing} (in {warc}): {NO_ARTICLE}\n"
    # --json: a list, as for any WARC file, whatever it holds
    assert json.loads(run(str(warc), "--json").stdout) == pages


def test_a_warc_file_with_one_record_is_still_a_list(tmp_path: Path) -> None:
    warc = tmp_path / "one.warc"
    legacy, url = fixture("seed_legacy")
    with warc.open("wb") as out:
        warc_record(WARCWriter(out, gzip=False), url, legacy.read_bytes())
    assert ok_json(str(warc)) == [ok_json(str(legacy), "--url", url)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no HTML response record in it"),
        (b"<html>not a warc</html>", "not a readable WARC file: "),
    ],
    ids=["empty", "not a WARC file"],
)
def test_a_warc_file_without_pages(tmp_path: Path, content: bytes, message: str) -> None:
    warc = tmp_path / "pages.warc"
    warc.write_bytes(content)
    result = run(str(warc), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert result.stderr.startswith(f"Error: {warc}: {message}")
    assert result.stderr.count("\n") == 1


# -- a URL, fetched -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(replica: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the replica's seed article and its related articles, crawled."""
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    site = replica.site
    result = run_crawl(db, f"urls={replica.url(site.article(site.seed_index)['url_path'])}")
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def show_json(db: Path, url: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", str(db), "show", url, "--json"])
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


@pytest.fixture(scope="module")
def seed_url(replica: RunningSite) -> str:
    return replica.url(replica.site.article(replica.site.seed_index)["url_path"])


@pytest.fixture(scope="module")
def fetched(seed_url: str, crawled: Path) -> dict[str, Any]:
    result = run(seed_url, "--json")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_fetched_url_gives_what_a_crawl_of_it_stored(
    key: str, fetched: dict[str, Any], crawled: Path, seed_url: str
) -> None:
    shown = show_json(crawled, seed_url)
    assert set(fetched) == set(shown) - set(ARCHIVE_ONLY) == KEYS
    assert fetched[key] == shown[key]


@pytest.mark.e2e
def test_a_warc_export_of_a_crawl_gives_each_article_as_the_crawl_stored_it(
    crawled: Path, tmp_path: Path
) -> None:
    warc = tmp_path / "crawl.warc.gz"
    export = CliRunner().invoke(
        cli, ["--db", str(crawled), "export", "--format", "warc", "-o", str(warc)]
    )
    assert export.exit_code == 0, export.output
    with Archive(crawled, readonly=True) as archive:
        captured = [str(c["url"]) for c in archive.iter_captures()]
    result = run(str(warc), "--jsonl")
    assert (result.exit_code, result.stderr) == (0, "")
    pages = jsonl(result)
    assert len(pages) == len(captured) == 5
    for page, url in zip(pages, captured, strict=True):
        assert {"url": url, "kind": "canonical"} in page["urls"]
        shown = show_json(crawled, url)
        assert page == {key: shown[key] for key in KEYS}


@pytest.mark.parametrize(
    ("robots", "refusal"),
    [
        ("disallow_all", "Forbidden by robots.txt"),
        ("error_503", "Forbidden by robots.txt (unreachable: HTTP 503)"),
        ("error_500", "Forbidden by robots.txt (unreachable: HTTP 500)"),
    ],
)
def test_robots_txt_is_obeyed(robots: str, refusal: str) -> None:
    with start(articles=5, robots=robots) as site:
        url = site.url(site.site.article(site.site.seed_index)["url_path"])
        result = run(url)
        hits = site.hits()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {url}: skipped: {refusal}\n"
    assert hits == {"robots": 1}  # nothing fetched beyond robots.txt


def test_robots_txt_is_read_once_per_host() -> None:
    with start(articles=5) as site:
        truth = site.site.article(site.site.seed_index)
        urls = [site.url(truth["url_path"]), site.url(truth["related"][0]["path"])]
        result = run(*urls, "--jsonl")
        hits = site.hits()
    assert result.exit_code == 0, result.output
    assert [page["title"] for page in jsonl(result)] == [
        truth["title"],
        truth["related"][0]["title"],
    ]
    assert hits == {"robots": 1, "article": 2}


# -- a URL on a server of our own: headers, redirects, charset, failures ----------------------


class Server:
    """A site on 127.0.0.1 answering ``routes`` (path -> (status, headers, body)) and
    recording each request's path and headers."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        }
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    thread = threading.Thread(target=running.httpd.serve_forever, daemon=True)
    thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()
    thread.join(timeout=5)


HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_a_url_is_fetched_with_the_crawl_user_agent(server: Server) -> None:
    legacy, _ = fixture("seed_legacy")
    server.routes["/article/"] = (200, HTML, legacy.read_bytes())
    found = ok_json(server.url("/article/"))
    assert found == ok_json(str(legacy), "--url", server.url("/article/"))
    assert server.paths() == ["/robots.txt", "/article/"]
    for _, headers in server.requests:
        assert headers["User-Agent"] == crawl_settings.USER_AGENT
        assert headers["User-Agent"].startswith("sputnik-archiver/")


def test_redirects_are_followed_and_recorded(server: Server) -> None:
    legacy, _ = fixture("seed_legacy")
    server.routes["/old/"] = (301, {"Location": "/moved/"}, b"")
    server.routes["/moved/"] = (302, {"Location": server.url("/article/")}, b"")
    server.routes["/article/"] = (200, HTML, legacy.read_bytes())
    found = ok_json(server.url("/old/"))
    assert found["urls"] == [
        {"url": found["canonical_url"], "kind": "canonical"},
        {"url": server.url("/article/"), "kind": "fetched"},
        {"url": server.url("/old/"), "kind": "requested"},
        {"url": server.url("/moved/"), "kind": "redirect"},
        {"url": "http://sptnkne.ws/eKQY", "kind": "short"},
    ]
    assert server.paths() == ["/robots.txt", "/old/", "/moved/", "/article/"]


def test_a_redirect_loop_ends(server: Server) -> None:
    server.routes["/a/"] = (301, {"Location": "/b/"}, b"")
    server.routes["/b/"] = (301, {"Location": "/a/"}, b"")
    result = run(server.url("/a/"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.url('/a/')}: error: redirect loop: 301 to {server.url('/a/')}\n"
    )


def test_a_redirect_to_a_private_address_is_refused(server: Server) -> None:
    server.routes["/a/"] = (302, {"Location": "http://10.0.0.1/admin/"}, b"")
    result = run(server.url("/a/"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {server.url('/a/')}: refused: private address 10.0.0.1\n"
    assert server.paths() == ["/robots.txt", "/a/"]


def test_a_disallowed_redirect_target_is_not_fetched(server: Server) -> None:
    server.routes["/robots.txt"] = (200, {}, b"User-agent: *\nDisallow: /private/\n")
    server.routes["/a/"] = (301, {"Location": "/private/page/"}, b"")
    result = run(server.url("/a/"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {server.url('/a/')}: skipped: Forbidden by robots.txt\n"
    assert server.paths() == ["/robots.txt", "/a/"]


def test_the_charset_of_the_response_is_used(server: Server) -> None:
    legacy, _ = fixture("seed_legacy")
    title = "Washington et Moscou discutent de la sécurité des opérations en Syrie"
    euro = "Le baril de pétrole à 100 € à Moscou"
    html = legacy.read_text("utf-8").replace(title, euro)
    # Latin-9 has the euro sign where windows-1252, the fallback, has another one (¤).
    body = html.encode("iso-8859-15", errors="xmlcharrefreplace")
    server.routes["/latin9/"] = (200, {"Content-Type": "text/html; charset=ISO-8859-15"}, body)
    server.routes["/unlabelled/"] = (200, {"Content-Type": "text/html"}, body)
    assert ok_json(server.url("/latin9/"))["title"] == euro
    assert ok_json(server.url("/unlabelled/"))["title"] != euro


def test_a_compressed_answer_is_read(server: Server) -> None:
    legacy, _ = fixture("seed_legacy")
    headers = {**HTML, "Content-Encoding": "gzip"}
    server.routes["/article/"] = (200, headers, gzip.compress(legacy.read_bytes()))
    assert ok_json(server.url("/article/")) == ok_json(
        str(legacy), "--url", server.url("/article/")
    )
    assert server.requests[-1][1]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((404, HTML, b"<html>introuvable</html>"), "http_error: HTTP 404"),
        ((503, HTML, b"<html>plus tard</html>"), "http_error: HTTP 503"),
        (
            (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
            "not_article: not HTML (Content-Type: application/pdf)",
        ),
        ((200, HTML, b"<html><body><p>Rien</p></body></html>"), NO_ARTICLE),
    ],
    ids=["404", "503", "pdf", "no article"],
)
def test_a_url_that_gives_no_article(
    server: Server, route: tuple[int, dict[str, str], bytes], message: str
) -> None:
    server.routes["/page/"] = route
    result = run(server.url("/page/"), "--jsonl")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {server.url('/page/')}: {message}\n"
    assert server.paths() == ["/robots.txt", "/page/"]  # one GET, never retried


def test_a_url_nobody_answers() -> None:
    with start(articles=1) as site:
        url = site.url("/")
    result = run(url)  # the site stopped: its port refuses connections
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {url}: skipped: Forbidden by robots.txt (unreachable: ConnectionRefusedError)\n"
    )


POLITENESS = Politeness(
    user_agent=crawl_settings.USER_AGENT, timeout=10.0, max_size=1 << 20, max_crawl_delay=60.0
)


def test_a_crawl_delay_is_waited_between_two_requests_to_a_host() -> None:
    waits: list[float] = []
    with start(articles=5, robots="crawl_delay", crawl_delay=5) as site:
        fetcher = Fetcher(POLITENESS, sleep=waits.append)
        truth = site.site.article(site.site.seed_index)
        fetcher.get(site.url(truth["url_path"]))
        fetcher.get(site.url(truth["related"][0]["path"]))
    assert len(waits) == 2
    assert all(4 < wait <= 5 for wait in waits), waits


def test_a_crawl_delay_over_the_limit_refuses_the_host() -> None:
    with start(articles=5, robots="crawl_delay", crawl_delay=120) as site:
        fetcher = Fetcher(POLITENESS)
        with pytest.raises(FetchError) as refused:
            fetcher.get(site.url(site.site.article(site.site.seed_index)["url_path"]))
        hits = site.hits()
    assert refused.value.outcome == "skipped"
    assert str(refused.value) == (
        "Forbidden by robots.txt (Crawl-delay 120 s is over ARCHIVE_CRAWL_DELAY_MAX (60 s))"
    )
    assert hits == {"robots": 1}


def test_a_body_over_the_size_cap_is_refused(server: Server) -> None:
    server.routes["/big/"] = (200, HTML, b"<html>" + b"x" * 2048 + b"</html>")
    fetcher = Fetcher(Politeness(crawl_settings.USER_AGENT, 10.0, 1024, 60.0))
    with pytest.raises(FetchError) as refused:
        fetcher.get(server.url("/big/"))
    assert refused.value.outcome == "error"
    assert str(refused.value) == "ResponseTooLarge: 2061 bytes, over DOWNLOAD_MAXSIZE"


def test_a_robots_txt_redirected_to_a_private_address_forbids_everything(server: Server) -> None:
    server.routes["/robots.txt"] = (301, {"Location": "http://169.254.169.254/robots.txt"}, b"")
    result = run(server.url("/article/"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.url('/article/')}: skipped: Forbidden by robots.txt"
        " (unreachable: refused: link-local address 169.254.169.254)\n"
    )
    assert server.paths() == ["/robots.txt"]


class Trickle:
    """A server on 127.0.0.1 answering robots.txt at once and every other path a byte at a
    time, one every 0.2 s for a minute: in its headers (``headers``) or in its body."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536)
            try:
                if request.startswith(b"GET /robots.txt "):
                    body = b"User-agent: *\nAllow: /\n"
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                    conn.sendall(body)
                    return
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                if self.where == "body":
                    conn.sendall(head + b"Content-Length: 300\r\n\r\n")
                else:
                    conn.sendall(head)
                for _ in range(300):  # a minute
                    if self.stopping.wait(0.2):
                        return
                    conn.sendall(b"X-Slow: y\r\n" if self.where == "headers" else b"x")
            except OSError:
                return

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_trickling_its_answer_is_given_up_at_the_timeout(where: str) -> None:
    """The timeout bounds the whole answer, as DOWNLOAD_TIMEOUT does in a crawl, not each
    read: a byte every 0.2 s would otherwise hold the fetch for the minute it lasts."""
    trickle = Trickle(where)
    try:
        fetcher = Fetcher(Politeness(crawl_settings.USER_AGENT, 1.0, 1 << 20, 60.0))
        began = time.monotonic()
        with pytest.raises(FetchError) as given_up:
            fetcher.get(trickle.base + "/slow/")
        took = time.monotonic() - began
    finally:
        trickle.stop()
    assert (given_up.value.outcome, str(given_up.value)) == (
        "error",
        "TimeoutError: no whole answer in 1 s",
    )
    assert took < 20, took  # far from the minute the answer would take


def test_a_redirect_to_another_port_of_the_named_host_is_checked_like_another_host(
    server: Server,
) -> None:
    server.routes["/article/"] = (301, {"Location": "http://127.0.0.1:9/admin/"}, b"")
    result = run(server.url("/article/"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.url('/article/')}: refused: loopback address 127.0.0.1\n"
    )


def test_a_redirect_is_judged_by_the_crawl_s_own_address_rules(server: Server) -> None:
    """An IPv6 address carrying a loopback IPv4 one leads to loopback, as the crawl's rules
    (archive.addresses) say; extract judges redirects with those very rules."""
    server.routes["/article/"] = (301, {"Location": "http://[::ffff:127.0.0.1]:9/"}, b"")
    result = run(server.url("/article/"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.url('/article/')}: refused: loopback address ::ffff:7f00:1\n"
    )
    assert server.paths() == ["/robots.txt", "/article/"]


def test_a_page_of_a_site_without_a_profile_is_read_by_the_generic_page_object() -> None:
    # A real Deutsche Welle page (no site declares dw.com): no --site, no --page-class.
    case = "traf_dw.com-elephants"
    path = CORPUS_DIR / "pages" / f"{case}.html"
    result = CliRunner().invoke(cli, ["extract", str(path), "--url", CORPUS[case]["url"], "--json"])
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert article["site"] == "dw.com"
    assert article["url"] == CORPUS[case]["url"]
    # The page is a standfirst over an audio report: its text is all lead.
    text = "\n\n".join(article[field] or "" for field in ("lead", "body"))
    assert all(snippet in text for snippet in CORPUS[case]["with_snippets"])
    assert not any(snippet in text for snippet in CORPUS[case]["without_snippets"])
