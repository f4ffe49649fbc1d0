"""The archive's Datasette plugin: SQL functions, the archive's own pages and templates.

Registered through the ``datasette`` entry point of the package (so ``datasette archive.db``
has it too), and by :func:`archive.web.make_datasette` when the entry point is not loaded.
Imported only where Datasette is installed (the ``web`` extra). A package, so that Datasette
finds its ``templates/`` directory beside it.

What it adds:

- the archive's SQL functions (``french_match``, ``french_snippet``, ``archive_url_keys``,
  ``archive_fold``, ...) on every connection;
- routes (:func:`register_routes`): ``/-/article/ID`` (an article with its tags, "Lire
  aussi" links both ways, versions and their diffs, photos), ``/-/search?q=`` (the French
  search, every hit paged with its count), ``/-/replay/VERSION`` (the page of a version as
  it was captured, in a sandboxed frame), ``/-/capture/ID`` (that stored page, rewritten
  and under a Content-Security-Policy allowing nothing outside the archive) and
  ``/-/media/SHA256`` (a stored photo);
- templates that put ``articles`` first on the home page, show the articles table with a
  few readable columns (the others one click away), fold the column descriptions, give
  the table the French search box, and leave internal tables off a row's page;
- cell links: an article's title in the table, and the article ids and titles in the
  canned queries' results, lead to its page.

The routes read through :class:`archive.store.Archive` opened read-only (``mode=ro``) in a
worker thread, so they share its lookups with the command line; the pages themselves are
built by :mod:`archive.webview`.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from archive import Archive, ArchiveError, times, web, webview

_T = TypeVar("_T")

#: The path of the request being answered, for :func:`render_cell` (which Datasette does
#: not give the request) to know which canned query's cells it renders.
_PATH: contextvars.ContextVar[str] = contextvars.ContextVar("archive_request_path", default="")

#: Canned query -> {column: the column holding the article id its cell links to}.
CANNED_LINKS: dict[str, dict[str, str]] = {
    "search_fr": {"id": "id", "title": "id"},
    "articles_by_tag": {"id": "id", "title": "id"},
    "gone_articles": {"id": "id", "title": "id"},
    "article_versions": {"article_id": "article_id", "title": "article_id"},
    "related_edges": {
        "from_article_id": "from_article_id",
        "from_title": "from_article_id",
        "target_article_id": "target_article_id",
        "to_title": "target_article_id",
    },
}


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Add the archive's SQL functions (``french_match``, ``archive_url_keys``, ...) to every
    connection."""
    web.register_sql_functions(conn)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """The ``reading_time`` filter: a stored ISO 8601 time as the read commands print it,
    with its zone named (``2026-12-07 21:40:03 UTC``); anything else unchanged."""
    env.filters["reading_time"] = _reading_time


def _reading_time(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return times.for_reading(value) or value


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """The archive's style sheet (``static/archive.css``), on every page."""
    return [datasette.urls.static_plugins(web.PLUGIN_NAME, "archive.css")]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Note each request's path (see :data:`_PATH`)."""

    def wrap(app: Any) -> Any:
        async def noting_path(scope: Any, receive: Any, send: Any) -> None:
            token = _PATH.set(str(scope.get("path", "")))
            try:
                await app(scope, receive, send)
            finally:
                _PATH.reset(token)

        return noting_path

    return wrap


def _article_link(datasette: Any, article_id: Any, text: Any) -> Markup | None:
    if article_id is None or text is None or not str(article_id).isdigit():
        return None
    href = datasette.urls.path(f"/-/article/{int(article_id)}")
    return Markup('<a href="{}">{}</a>').format(href, text)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """Link an article's title in the articles table, and article ids and titles in the
    results of the canned queries, to the article's page; mark search snippets' matches."""
    try:
        keys = row.keys()
    except AttributeError:
        return None
    if table == "articles" and column == "title" and "id" in keys:
        return _article_link(datasette, row["id"], value)
    if table is not None:
        return None
    query = _PATH.get().rstrip("/").rsplit("/", 1)[-1]
    if not _PATH.get().endswith(f"/{database}/{query}"):
        return None
    if query == "search_fr" and column == "snippet" and isinstance(value, str):
        return Markup("").join(
            Markup("<mark>{}</mark>").format(text) if marked else escape(text)
            for text, marked in webview.snippet_parts(value)
        )
    link_column = CANNED_LINKS.get(query, {}).get(column)
    if link_column is None or link_column not in keys:
        return None
    return _article_link(datasette, row[link_column], value)


@hookimpl
def extra_template_vars(
    template: str,
    database: str | None,
    table: str | None,
    columns: Any,
    view_name: str,
    request: Any,
    datasette: Any,
) -> Callable[[], Awaitable[dict[str, Any]]]:
    """What the archive's templates need: which database is the archive, the articles
    table's default columns (on its table page only), the internal tables, and on the
    home page the number of articles."""

    async def variables() -> dict[str, Any]:
        found = await _archive_database(datasette)
        name = found.name if found is not None else None
        result: dict[str, Any] = {
            "archive_db": name,
            "archive_hidden_tables": web.HIDDEN_TABLES,
            "archive_search_url": datasette.urls.path("/-/search"),
            "archive_default_columns": None,
            "archive_articles_count": None,
        }
        if name is None:
            return result
        plain_table = request is not None and not (
            request.args.get("_col") or request.args.get("_nocol")
        )
        if view_name == "table" and database == name and table == "articles" and plain_table:
            result["archive_default_columns"] = web.ARTICLE_COLUMNS
            kept = [
                (key, value)
                for key in request.args
                if key not in ("_col", "_nocol")
                for value in request.args.getlist(key)
            ]
            every = [("_col", c) for c in columns or () if c != "id"]
            result["archive_all_columns_url"] = "?" + urlencode(kept + every)
        if view_name == "index":
            counted = await found.execute("SELECT COUNT(*) FROM articles")
            result["archive_articles_count"] = counted.first()[0]
        return result

    return variables


async def _archive_database(datasette: Any) -> Any:
    """The served archive: the first database with an ``articles`` table, or ``None``."""
    for database in datasette.databases.values():
        named = database.path and not database.name.startswith("_")
        if named and await database.table_exists("articles"):
            return database
    return None


async def _read(datasette: Any, read: Callable[[Archive], _T]) -> _T | None:
    """``read(archive)`` on the served archive opened read-only, in a worker thread;
    ``None`` when no archive is served."""
    database = await _archive_database(datasette)
    if database is None:
        return None

    def run() -> _T:
        with Archive(database.path, readonly=True) as archive:
            return read(archive)

    return await asyncio.to_thread(run)


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any]) -> Any:
    html = await datasette.render_template([template], context, request=request)
    return Response.html(html)


def _not_found(message: str) -> Any:
    return Response.text(message, status=404)


async def article_view(datasette: Any, request: Any) -> Any:
    """``/-/article/ID``: the article page (:func:`archive.webview.article_page`)."""
    article_id = int(request.url_vars["article_id"])
    page = await _read(datasette, lambda archive: webview.article_page(archive, article_id))
    if page is None:
        return _not_found(f"No article with id {article_id}")
    database = await _archive_database(datasette)
    page["database"] = database.name
    return await _page(datasette, request, "archive_article.html", page)


async def search_view(datasette: Any, request: Any) -> Any:
    """``/-/search?q=QUERY&page=N``: the French search, every hit paged with its count."""
    query = request.args.get("q") or ""
    try:
        number = int(request.args.get("page") or 1)
    except ValueError:
        number = 1
    page = await _read(datasette, lambda archive: webview.search_page(archive, query, number))
    if page is None:
        return _not_found("No archive is served")

    def page_url(n: int) -> str:
        return str(datasette.urls.path("/-/search")) + "?" + urlencode({"q": query, "page": n})

    page["page_url"] = page_url
    return await _page(datasette, request, "archive_search.html", page)


async def replay_view(datasette: Any, request: Any) -> Any:
    """``/-/replay/VERSION``: the version's stored page, as it was, in a sandboxed frame."""
    version_id = int(request.url_vars["version_id"])
    version = await _read(datasette, lambda archive: webview.version_capture(archive, version_id))
    if version is None:
        return _not_found(f"No version with id {version_id}")
    if version["capture_id"] is None:
        return _not_found(f"Version {version_id} kept no capture of its page")
    context = {
        "version": version,
        "capture_src": datasette.urls.path(f"/-/capture/{version['capture_id']}"),
        "article_url": datasette.urls.path(f"/-/article/{version['article_id']}"),
    }
    return await _page(datasette, request, "archive_replay.html", context)


async def capture_view(datasette: Any, request: Any) -> Any:
    """``/-/capture/ID``: a stored page rewritten for replay, under :data:`CAPTURE_CSP`."""
    capture_id = int(request.url_vars["capture_id"])
    prefix = datasette.urls.path("/")

    def replay(archive: Archive) -> bytes | None:
        try:
            return webview.capture_replay(archive, capture_id, prefix=prefix)
        except ValueError:
            return None

    try:
        body = await _read(datasette, replay)
    except ArchiveError as error:
        return Response.text(str(error), status=500)
    if body is None:
        return _not_found(f"No capture with id {capture_id}")
    return Response(
        body,
        headers=dict(webview.CAPTURE_HEADERS),
        content_type="text/html; charset=utf-8",
    )


async def media_view(datasette: Any, request: Any) -> Any:
    """``/-/media/SHA256``: a stored photo, with its type (404 when the archive has none)."""
    sha256 = request.url_vars["sha256"]
    try:
        found = await _read(datasette, lambda archive: webview.media_body(archive, sha256))
    except ValueError as error:
        return Response.text(str(error), status=500)
    if found is None:
        return _not_found(f"No photo with sha256 {sha256}")
    kind, body = found
    headers = {
        "Content-Security-Policy": webview.MEDIA_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    return Response(body, headers=headers, content_type=kind)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    """The archive's own pages (see the module's introduction)."""
    return [
        (r"^/-/article/(?P<article_id>[0-9]{1,18})$", article_view),
        (r"^/-/search$", search_view),
        (r"^/-/replay/(?P<version_id>[0-9]{1,18})$", replay_view),
        (r"^/-/capture/(?P<capture_id>[0-9]{1,18})$", capture_view),
        (r"^/-/media/(?P<sha256>[0-9a-f]{64})$", media_view),
    ]
