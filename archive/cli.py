"""``archive``: query a news archive from the command line (a thin mirror of ``Archive``)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from archive import crawl as crawl_module
from archive import export as export_module
from archive import extract as extract_module
from archive import graph as graph_module
from archive import history as history_module
from archive import media as media_module
from archive import merge as merge_module
from archive import reparse as reparse_module
from archive import stats as stats_module
from archive import times, warc, web
from archive import union as union_module
from archive.faults import (
    ArchiveError,
    NewerArchiveError,
    ReadOnlyArchiveError,
    check_file,
    check_schema,
)
from archive.fetch import Fetcher, Politeness
from archive.filters import ArticleFilters, filter_options
from archive.output import (
    end_quietly_on_closed_pipe,
    is_stdout,
    output_option,
    refuse_binary_on_terminal,
    write_output,
)
from archive.store import DEFAULT_PATH, Archive, package_version
from archive.urls import AmbiguousURLError

# The crawl's settings module (it imports nothing): the archive's commands read pages with
# the crawl's page class, and extract fetches them with its User-Agent, timeout and size cap.
from crawler import settings as crawl_settings
from extraction import sites
from extraction.pages.choice import page_class_for
from extraction.sites.bindings import load_site_modules

if TYPE_CHECKING:
    from extraction.pages import ArticlePage

F = TypeVar("F", bound=Callable[..., Any])

#: Columns of ``archive crawls``: (key in the crawl row, header).
CRAWL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("spider", "spider"),
    ("started_at", "started"),
    ("finished_at", "finished"),
    ("finish_reason", "reason"),
    ("status", "status"),
    ("fetched", "fetched"),
    ("new", "new"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("not_due", "not_due"),
    ("gone", "gone"),
    ("aliases", "aliases"),
    ("not_article", "not_article"),
    ("unreadable", "unreadable"),
    ("errors", "errors"),
    ("node", "node"),
)

#: Fields ``archive show`` prints as ``name: value`` lines, before the text.
SHOW_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "site",
    "language",
    "title",
    "authors",
    "category",
    "published_at",
    "published_at_raw",
    "modified_at",
    "modified_at_raw",
    "image_url",
    "image_caption",
    "image_credit",
    "short_url",
    "views",
    "status",
    "duplicate_of",
    "similarity",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "first_crawl_id",
    "last_crawl_id",
    "content_hash",
)

#: Columns of the versions table of ``archive history``: (key in the version, header).
VERSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "version"),
    ("fetched_at", "fetched"),
    ("crawl_id", "crawl"),
    ("extractor", "extractor"),
    ("content_hash", "hash"),
)
#: Formats ``archive export`` writes.
EXPORT_FORMATS: tuple[str, ...] = (*export_module.ARTICLE_FORMATS, "warc")
#: Formats ``archive related`` prints or writes.
RELATED_FORMATS: tuple[str, ...] = ("text", "json", "dot", "svg", "png")


# -- shared options and helpers -----------------------------------------------------------


def json_option(function: F) -> F:
    """``--json``: print JSON only."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON only.")(function)


def site_option(what: str) -> Callable[[F], F]:
    """``--site SITE``: only what belongs to that site id (``articles.site``)."""
    return click.option("--site", metavar="SITE", help=f"Only {what} of this site id.")


def find_article(archive: Archive, url_or_id: str, site: str | None) -> dict[str, Any]:
    """The article ``url_or_id`` finds (of ``site`` only, when given); a ``ClickException``
    saying so when none."""
    try:
        article = archive.get_article(url_or_id)
    except AmbiguousURLError as error:
        article = _one_of_site(archive, error, site)
    if article is not None and (site is None or article.get("site") == site):
        return article
    where = "" if site is None else f" in site {site}"
    raise click.ClickException(f"no article matches {url_or_id}{where}")


def nothing_found(archive: Archive, filters: ArticleFilters, default: str, as_json: bool) -> None:
    """Say why the filters select nothing: each tag, category or author name the archive
    does not hold, with the closest ones (``no tag "x"; closest: ...``), else ``default``;
    on stderr under --json (stdout keeps the JSON), and nothing more then."""
    notes = archive.filter_notes(filters)
    if as_json:
        for note in notes:
            click.echo(note, err=True)
        return
    click.echo("\n".join(notes) or default)


def _one_of_site(
    archive: Archive, error: AmbiguousURLError, site: str | None
) -> dict[str, Any] | None:
    """The one candidate of an ambiguous URL that belongs to ``site``; the error otherwise."""
    if site is not None:
        found = [archive.get_article(article_id) for article_id, _ in error.candidates]
        mine = [article for article in found if article and article.get("site") == site]
        if len(mine) <= 1:
            return mine[0] if mine else None
    raise click.ClickException(str(error)) from error


def limit_option(default: int | None) -> Callable[[F], F]:
    """``--limit N``: at most N rows."""
    return click.option(
        "--limit",
        type=click.IntRange(min=1),
        metavar="N",
        default=default,
        show_default=default is not None,
        help="Show at most N rows.",
    )


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON, non-ASCII kept as is."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


#: Where ``open_archive`` leaves the path of the file it opened, for error messages.
ARCHIVE_PATH_KEY = "archive.path"


def archive_paths(ctx: click.Context) -> list[str]:
    """The archives named by ``--db``, each once (two names of one file are one archive), in
    the order given."""
    given: tuple[str, ...] = ctx.find_root().params["db"] or (DEFAULT_PATH,)
    seen: dict[str, str] = {}
    for path in given:
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


def one_archive(ctx: click.Context, command: str) -> str:
    """The one archive a command that writes works on; a usage error (exit status 2) when
    several ``--db`` are given."""
    paths = archive_paths(ctx)
    if len(paths) > 1:
        raise click.UsageError(
            f"{command} writes to one archive: give one --db, not {len(paths)}", ctx
        )
    return paths[0]


def open_archive(ctx: click.Context) -> Archive:
    """The archive named by ``--db``, closed when the command ends; never creates one.
    Several ``--db``: their union, read-only (see :mod:`archive.union`)."""
    paths = archive_paths(ctx)
    path = paths[0] if len(paths) == 1 else _union(paths)
    ctx.meta[ARCHIVE_PATH_KEY] = path
    if len(paths) > 1:
        try:
            return ctx.with_resource(Archive(path, readonly=True))
        except (ArchiveError, sqlite3.Error) as error:
            raise click.ClickException(str(error)) from error
    # Opened read-write when possible so that an archive made by an earlier release is
    # upgraded in place; opening an up-to-date archive writes nothing. Opening any other
    # file read-write would make an archive of it: refused first, without writing, in the
    # words a crawl uses for the same file.
    try:
        check_file(path, writing=False)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error
    readonly = not os.access(path, os.W_OK)
    try:
        try:
            archive = Archive(path, readonly=readonly)
        except NewerArchiveError:
            # Never upgraded nor written by this release; read as far as it knows it.
            archive = Archive(path, readonly=True)
    except (ArchiveError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    return ctx.with_resource(archive)


def _union(paths: list[str]) -> str:
    """The path of the union of ``paths``, brought up to date, with one stderr line when it
    was (re)built; each archive is checked first as a single ``--db`` would be."""
    for path in paths:
        try:
            check_file(path, writing=False)
            check_schema(path)  # a newer release's archive cannot be merged: refused
        except ArchiveError as error:
            raise click.ClickException(str(error)) from error

    def waiting(holder: str) -> None:
        fields = dict(line.split(": ", 1) for line in holder.splitlines() if ": " in line)
        who = f"pid {fields['pid']}" if "pid" in fields else "another process"
        click.echo(
            f"reading {len(paths)} archives as one: waiting for {who}, which is building"
            f" {union_module.union_path(paths)}",
            err=True,
        )

    try:
        report = union_module.build(paths, on_wait=waiting)
    except (ArchiveError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        where = union_module.cache_dir()
        raise click.ClickException(
            f"cannot keep the union of {len(paths)} archives in {where}:"
            f" {error.strerror or error} (set {union_module.CACHE_DIR_ENV} to another directory)"
        ) from error
    if report.merged:
        given = {os.path.realpath(path): path for path in paths}
        merged = ", ".join(given.get(name, name) for name in report.merged)
        click.echo(
            f"reading {len(paths)} archives as one: merged {merged} into {report.path}"
            f" ({report.seconds:.1f} s)",
            err=True,
        )
    return report.path


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return times.for_reading(value) or value
    return str(value)


def format_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> list[str]:
    """Lines of an aligned text table; columns of numbers are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    numeric = [all(row[i].isdigit() or row[i] == "-" for row in rows) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "-"
    return "-" if value is None else str(value)


# -- commands -----------------------------------------------------------------------------


class ArchiveGroup(click.Group):
    """The ``archive`` group: a damaged file met inside a command (a page SQLite cannot
    read, past what opening checks) ends it with one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (``| head``): the command is done, as Unix tools are.
            end_quietly_on_closed_pipe()
            ctx.exit(0)
        except sqlite3.OperationalError as error:
            raise click.ClickException(f"{self._path(ctx)}: {error}") from error
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{self._path(ctx)} is damaged: {error}") from error

    @staticmethod
    def _path(ctx: click.Context) -> str:
        """The file the command was reading: the archive, or the union of several."""
        opened = ctx.meta.get(ARCHIVE_PATH_KEY)
        return str(opened) if opened is not None else ", ".join(ctx.params.get("db") or ())


@click.group(name="archive", cls=ArchiveGroup)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    multiple=True,
    envvar="ARCHIVE_PATH",
    default=(DEFAULT_PATH,),
    show_default=True,
    show_envvar=True,
    help="The archive file; repeated, several archives read as one (ARCHIVE_PATH: paths"
    f" separated by {os.pathsep!r}).",
)
@click.version_option(version=package_version(), message="%(version)s")
def cli(db: tuple[str, ...]) -> None:
    """Query a news archive: its crawls, articles and full text."""


@cli.command()
@limit_option(default=None)
@site_option("crawls")
@click.option(
    "--node",
    metavar="NAME",
    help="Only the crawls that ran on this node (ARCHIVE_NODE; see archive merge).",
)
@json_option
@click.pass_context
def crawls(
    ctx: click.Context, limit: int | None, site: str | None, node: str | None, as_json: bool
) -> None:
    """List crawls, newest first, with their counts.

    Counts come from each crawl's fetches: fetched (responses, photos apart), new, updated,
    unchanged, not_due (archived articles found but left alone, not being due), gone, aliases,
    not_article, unreadable (article pages kept, but no article read from them: see stats
    --check and reparse), errors (HTTP errors and network failures). A running crawl's
    counts are brought up to date from its fetches at each progress line (the line's own
    count of responses also holds photos, robots.txt and redirects). Times are shown with
    their zone.
    --site: the crawls of that site (its own spider's, those whose site argument names it,
    those that fetched an article of it). The node column names the machine each crawl ran
    on (ARCHIVE_NODE, default its host name; kept through archive merge); --node: only
    those of that node.
    """
    rows = open_archive(ctx).crawls(limit=limit, site=site, node=node)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no crawls yet")
        return
    # .get: a read-only archive of an earlier release lacks the newer counts.
    cells = [[_cell(row.get(key)) for key, _ in CRAWL_COLUMNS] for row in rows]
    for line in format_table(cells, [header for _, header in CRAWL_COLUMNS]):
        click.echo(line)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("site")
@click.argument("scrapy_options", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def crawl(ctx: click.Context, site: str, scrapy_options: tuple[str, ...]) -> None:
    """Crawl SITE into the archive (--db), from any directory: scrapy crawl with the
    project's settings.

    SITE: sputnik, news, a site name (the news spider with -a site=SITE) or an http(s) URL
    to discover from (the news spider with -a start=URL). What follows is passed to scrapy
    crawl as it is: -a NAME=VALUE (spider arguments), -s NAME=VALUE (settings), -O FILE or
    -o FILE (a feed of the articles stored: one flat record each), -L LEVEL, --logfile FILE.
    The exit status is the crawl's (0 finished, 1 failed, 2 bad arguments, 75 locked).
    """
    crawl_module.run_crawl(site, one_archive(ctx, "crawl"), scrapy_options)


@cli.command()
@click.argument("url_or_id")
@site_option("an article")
@json_option
@click.pass_context
def show(ctx: click.Context, url_or_id: str, site: str | None, as_json: bool) -> None:
    """Show one article, by id or by any URL that led to it.

    Any URL that ever led to the article finds it: canonical, fetched, redirected, short
    ("URL courte") or with tracking parameters; so do its other common forms (http or
    https, trailing slash, www., AMP), unless they lead to several articles. Prints its
    fields, then lead and body, then the related "Lire aussi" links, the articles linking to
    it, its versions count and events, tags and URLs; --json prints one object. --site: only
    an article of that site.
    """
    article = find_article(open_archive(ctx), url_or_id, site)
    if as_json:
        echo_json(article)
        return
    for line in _article_lines(article):
        click.echo(line)


def _article_lines(article: dict[str, Any]) -> list[str]:
    """An article for reading, as ``show`` prints it: its fields, lead and body, its photos,
    related links, then those of linked from, versions and events it has (``extract`` has
    none), tags and URLs."""
    lines = [f"{name}: {_show_value(article[name])}" for name in SHOW_FIELDS if name in article]
    for name in ("lead", "body"):
        lines += ["", f"{name}:", article[name] or "-"]
    if article.get("photos"):
        lines += ["", "photos:"]
        lines += [f"  {media_module.photo_line(photo)}" for photo in article["photos"]]
    lines += ["", "related:"]
    for link in article["related"]:
        lines.append(f"  {link['position']}. [{link['kind']}] {link['title'] or '-'} {link['url']}")
    if "linked_from" in article:
        lines += ["", "linked from:"]
        for source in article["linked_from"]:
            lines.append(f"  [{source['kind']}] {source['title'] or '-'} (id {source['id']})")
    if "versions_count" in article:
        lines += ["", f"versions: {article['versions_count']}"]
    if "events" in article:
        lines += ["", "events:"]
        for event in article["events"]:
            at = event["at"][:19].replace("T", " ")
            lines.append(f"  {at} {event['kind']} {event['status'] or ''}")
    lines += ["", f"tags: {_show_value(article['tags'])}", "", "urls:"]
    lines += [f"  [{seen['kind']}] {seen['url']}" for seen in article["urls"]]
    return lines


@cli.command()
@click.argument("sha256")
@output_option("The file to write the bytes to (default, or '-': standard output).")
@click.pass_context
def media(ctx: click.Context, sha256: str, output: str | None) -> None:
    """Write the bytes of one stored photo, exactly as they were received.

    SHA256: the hex sha256 of the bytes, as show --json lists it under photos. To standard
    output by default (never to a terminal), or to -o FILE, written whole or not at all.
    """
    refuse_binary_on_terminal(output, "A photo")
    row = open_archive(ctx).media(sha256)
    if row is None:
        raise click.ClickException(f"no photo with sha256 {sha256}")
    try:
        write_output(output, row["body"])
    except BrokenPipeError:
        raise
    except OSError as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.argument("query")
@filter_options(default_limit=20)
@json_option
@click.pass_context
def search(ctx: click.Context, query: str, filters: ArticleFilters, as_json: bool) -> None:
    """Full-text search of titles, leads, bodies and tags, best match first.

    QUERY: words (all must match), "an exact phrase", AND, OR, NOT, parentheses, prefix*,
    title:word. Case, accents, elisions and French inflections are ignored: "securite" finds
    "sécurité", "aviation" finds "l'aviation", "frappes" finds "frappe". Stray quotes,
    parentheses and other syntax are ignored. Matches are marked [ ] in the snippet. The
    filters narrow the hits.
    """
    archive = open_archive(ctx)
    try:
        hits = archive.search(query, filters=filters)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if not hits:
        nothing_found(archive, filters, "no match", as_json)
    if as_json:
        echo_json(hits)
        return
    if not hits:
        return
    for rank, hit in enumerate(hits, start=filters.offset + 1):
        click.echo(f"{rank}. {hit['title'] or '-'}\n   {hit['url']}\n   {hit['snippet'] or ''}")


#: Columns of ``archive articles``: (key in the row, header).
ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("published_at", "published"),
    ("category", "category"),
    ("status", "status"),
    ("title", "title"),
    ("url", "url"),
)


@cli.command()
@filter_options(default_limit=None)
@json_option
@click.pass_context
def articles(ctx: click.Context, filters: ArticleFilters, as_json: bool) -> None:
    """List articles, newest first by publication date (undated ones last).

    Prints id, publication time, category (rubrique), status (live or gone), title and URL.
    The filters narrow the list; --limit and --offset page through it.
    """
    archive = open_archive(ctx)
    rows = archive.articles(filters)
    if not rows:
        nothing_found(archive, filters, "no articles", as_json)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        return
    cells = [[_cell(row[key]) for key, _ in ARTICLE_COLUMNS] for row in rows]
    for line in format_table(cells, [header for _, header in ARTICLE_COLUMNS]):
        click.echo(line)


def _sql_params(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", ctx=ctx, param=param)
        params[name.lstrip(":")] = text
    return params


def _sql_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value).replace("\n", "\\n")


def _sql_json(value: Any) -> Any:
    if isinstance(value, bytes):  # as Datasette writes binary values
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    return value


@cli.command()
@click.argument("query")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_sql_params,
    help="Value of the parameter :NAME (text); repeat for several.",
)
@json_option
@click.pass_context
def sql(ctx: click.Context, query: str, params: dict[str, str], as_json: bool) -> None:
    """Run one read-only SQL QUERY on the archive and print its rows.

    The query runs on a connection opened read-only (mode=ro, PRAGMA query_only) with ATTACH
    denied: anything that writes is refused. Parameters are named (:name) and given with
    -p name=value. Prints an aligned table (NULL as -), or with --json a list of objects.
    """
    archive = open_archive(ctx)
    try:
        columns, rows = archive.sql(query, params)
    except sqlite3.Error as error:
        message = str(error)
        if "readonly" in message or "authoriz" in message:
            raise click.ClickException(f"refused, sql only reads: {message}") from error
        raise click.ClickException(f"SQL error: {message}") from error
    if as_json:
        echo_json([dict(zip(columns, map(_sql_json, row), strict=True)) for row in rows])
        return
    if not rows:
        click.echo("no rows")
        return
    for line in format_table([[_sql_cell(v) for v in row] for row in rows], columns):
        click.echo(line)


@cli.command()
@click.argument("url_or_id")
@site_option("an article")
@json_option
@click.pass_context
def history(ctx: click.Context, url_or_id: str, site: str | None, as_json: bool) -> None:
    """Show every version of one article and what changed from each to the next.

    Lists the versions oldest first (number, fetch time, crawl, extractor, content hash),
    then, for each pair of consecutive versions, the fields that changed: short fields as
    "old -> new", lead and body as a unified diff with one line per sentence. --json prints
    one object with the article, its versions (each with its photos), the diffs and the
    article's events. --site:
    only an article of that site.
    """
    archive = open_archive(ctx)
    article = find_article(archive, url_or_id, site)
    versions = archive.versions(article["id"])
    photos = archive.photos(v["id"] for v in versions)
    versions = [{**v, "photos": photos.get(v["id"], [])} for v in versions]
    result = history_module.article_history(article, versions, archive.events(article["id"]))
    if as_json:
        echo_json(result)
        return
    for line in _history_lines(result):
        click.echo(line)


def _history_lines(result: dict[str, Any]) -> list[str]:
    """``archive history`` for a terminal: the versions table, the diffs, the events."""
    article = result["article"]
    lines = [f"article {article['id']}: {article['title'] or '-'}", article["url"], ""]
    cells = [[_version_cell(v, key) for key, _ in VERSION_COLUMNS] for v in result["versions"]]
    lines += format_table(cells, [header for _, header in VERSION_COLUMNS])
    fetched = {v["number"]: _cell(v["fetched_at"]) for v in result["versions"]}
    for diff in result["diffs"]:
        lines += ["", f"v{diff['from']} -> v{diff['to']} ({fetched[diff['to']]})"]
        lines += history_module.format_diff(diff)
    if result["events"]:
        lines += ["", "events:"]
    for event in result["events"]:
        status = f" {event['status']}" if event.get("status") is not None else ""
        lines.append(
            f"  {_cell(event.get('at'))} {event.get('kind')}{status} {event.get('url') or ''}"
        )
    return lines


def _version_cell(version: dict[str, Any], key: str) -> str:
    value = version.get(key)
    if key == "content_hash" and value:
        return str(value)[:12]
    if key == "extractor" and value and version.get("extractor_version"):
        return f"{value} {version['extractor_version']}"
    return _cell(value)


def _page_class(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> type[ArticlePage] | None:
    """``--page-class``, else the crawl's ``ARCHIVE_PAGE_CLASS``, else ``None``: each page's
    site's own page object."""
    setting = crawl_settings.ARCHIVE_PAGE_CLASS
    if not (value or setting):
        return None
    try:
        return page_class_for(value, setting)
    except ValueError as error:
        where = "" if value else "ARCHIVE_PAGE_CLASS in crawler/settings.py: "
        raise click.BadParameter(f"{where}{error}", ctx=ctx, param=param) from error


def page_class_option(purpose: str) -> Callable[[F], F]:
    """``--page-class MODULE.CLASS``: the page object that reads the pages."""
    return click.option(
        "--page-class",
        "page_class",
        metavar="MODULE.CLASS",
        callback=_page_class,
        help=f"The page object to read {purpose} with (default: the crawl's"
        " ARCHIVE_PAGE_CLASS, else each page's site's own).",
    )


def _site_modules(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    """Import the crawl's ``ARCHIVE_SITE_MODULES`` and each ``--site-module``."""
    try:
        load_site_modules([*crawl_settings.ARCHIVE_SITE_MODULES, *value])
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def site_modules_option(function: F) -> F:
    """``--site-module MODULE``: a module declaring sites, imported before reading."""
    return click.option(
        "--site-module",
        "site_modules",
        metavar="MODULE",
        multiple=True,
        expose_value=False,
        is_eager=True,
        callback=_site_modules,
        help="A module declaring sites (as the crawl's ARCHIVE_SITE_MODULES), imported first;"
        " repeatable.",
    )(function)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@page_class_option("the captures")
@site_option("articles (and unreadable pages)")
@site_modules_option
@json_option
@click.pass_context
def reparse(
    ctx: click.Context,
    dry_run: bool,
    page_class: type[ArticlePage] | None,
    site: str | None,
    as_json: bool,
) -> None:
    """Re-extract every article from its stored capture, and read the unreadable pages again,
    without fetching.

    Runs the current page object and cleaning over the capture each article's current version
    was read from, whatever extractor version read it, and adds a version (no crawl, the
    capture's fetch time, this extractor and version) to every article whose content now differs.
    A capture that no longer gives an article is counted as failed and changes nothing.
    Then reads each unreadable page (a page a crawl kept but read no article from) that no
    reparse has read yet: one that now gives an article is stored as its crawl would have
    stored it (that crawl, its fetch time, its capture). --dry-run writes nothing. Progress
    goes to stderr when it is a terminal.

    Each page is read by its article's own site's page object as laid out on the day it was
    captured (the site stored with the article; an unreadable page: its URL's site), unless
    --page-class names one for all; each version records the page object that read it.
    --site: only the articles of that site.
    """
    one_archive(ctx, "reparse")
    archive = open_archive(ctx)
    if archive.readonly and not dry_run:
        raise click.ClickException(
            f"{archive.path} is read-only: use --dry-run, or make it writable"
        )
    try:
        report = reparse_module.reparse(
            archive, dry_run=dry_run, progress=_progress(), page_class=page_class, site=site
        )
    except ReadOnlyArchiveError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        echo_json(report.to_dict())
        return
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"{report.extractor} {report.extractor_version}: examined {report.examined} captures; "
        f"{verb} {len(report.changed)}, unchanged {report.unchanged}, failed {len(report.failed)}, "
        f"skipped {report.skipped}"
    )
    for item in report.changed:
        written = f" -> version {item.version_id}" if item.version_id is not None else ""
        click.echo(f"  {verb} {item.article_id} {item.url}: {', '.join(item.fields)}{written}")
    for failed in report.failed:
        where = f"{failed.article_id} {failed.url} (capture {failed.capture_id})"
        click.echo(f"  failed {where}: {failed.reason}")
    read = "would read" if dry_run else "read"
    click.echo(
        f"unreadable pages: examined {report.unreadable_examined}; {read} as articles"
        f" {len(report.read)}, still unreadable {len(report.still_unreadable)}"
    )
    for page in report.read:
        stored = (
            "" if page.article_id is None else f" -> article {page.article_id} ({page.outcome})"
        )
        click.echo(f"  {read} fetch {page.fetch_id} {page.url} (crawl {page.crawl_id}){stored}")


def _progress() -> reparse_module.Progress | None:
    """A ``done/total`` counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        click.echo(f"\rreparse: {done}/{total}{end}", err=True, nl=False)

    return show


def _http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and urlsplit(value).scheme.lower() not in ("http", "https"):
        raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return value


def _declared_site(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--site`` of ``extract``: a declared site (after ``--site-module``)."""
    if value is not None and sites.declared(value) is None:
        raise click.BadParameter(sites.unknown(value), ctx=ctx, param=param)
    return value


def crawl_politeness() -> Politeness:
    """How ``extract`` fetches: with the crawl's settings (crawler/settings.py)."""
    return Politeness(
        user_agent=crawl_settings.USER_AGENT,
        timeout=float(crawl_settings.DOWNLOAD_TIMEOUT),
        max_size=int(crawl_settings.DOWNLOAD_MAXSIZE),
        max_crawl_delay=float(crawl_settings.ARCHIVE_CRAWL_DELAY_MAX),
    )


@cli.command()
@click.argument("input", nargs=-1, required=True)
@click.option(
    "--url",
    metavar="URL",
    callback=_http_url,
    help="The URL a saved HTML file was fetched from (default: the canonical URL it names,"
    " else its file:// URL).",
)
@page_class_option("the pages")
@click.option(
    "--site",
    metavar="SITE",
    callback=_declared_site,
    help="Read the pages as this declared site's (default: each URL's site, else generic).",
)
@site_modules_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per page per line.")
@click.pass_context
def extract(
    ctx: click.Context,
    input: tuple[str, ...],
    url: str | None,
    page_class: type[ArticlePage] | None,
    site: str | None,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Print the article a crawl would store from each INPUT; no archive is read or written.

    INPUT: a saved HTML file, an http(s) URL, or a WARC file (.warc, .warc.gz: each HTML
    response record, with its own URL). A URL is fetched as the crawl fetches it: robots.txt
    first and obeyed, the crawl's User-Agent, one GET, redirects followed. Each page goes
    through the crawl's page object and cleaning, and is printed as archive show prints an
    archived article, without what only an archive has (id, status, duplicate_of,
    similarity, seen and changed times, crawl and version ids and counts, linked_from,
    events). --json prints one object for one page, a list when INPUTs can give several
    (more than one, or a WARC file); --jsonl one object per page per line. A page that gives
    no article, or an INPUT that cannot be read or fetched, is one line on stderr; the
    others are printed, and the exit status is 1.

    Each page is read by the page object of its URL's site as laid out on the day it was
    fetched (a WARC record: its date); a host no site declares, by the generic page object
    GenericArticlePage, as scrapy crawl news reads it. --site reads every page as that
    site's (a replica on 127.0.0.1 as sputnik), --page-class with that page object.
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl do not go together: choose one")
    inputs = list(input)
    if url is not None and (
        len(inputs) != 1 or extract_module.is_url(inputs[0]) or extract_module.is_warc(inputs[0])
    ):
        raise click.UsageError("--url goes with one INPUT, a saved HTML file")
    several = len(inputs) > 1 or any(extract_module.is_warc(name) for name in inputs)
    results = extract_module.extract_inputs(
        inputs, page_class=page_class, fetcher=Fetcher(crawl_politeness()), url=url, site=site
    )
    failures: list[str] = []
    pages = _reporting_failures(results, failures)
    if as_json:
        found = [article for _, article in pages]
        if several or found:
            echo_json(found if several else found[0])
    elif as_jsonl:
        for _, article in pages:
            click.echo(export_module.jsonl_line(article), nl=False)
    else:
        for number, (source, article) in enumerate(pages):
            if several and number:
                click.echo()
            if several:  # each page named, as head(1) names the files it prints
                click.echo(f"==> {source} <==")
            for line in _article_lines(article):
                click.echo(line)
    ctx.exit(1 if failures else 0)


def _reporting_failures(
    results: Iterable[extract_module.Extracted], failures: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source, article) of each page that gave one; each other is one line on stderr, as it
    comes, and is added to ``failures``."""
    for result in results:
        if result.article is not None:
            yield result.source, result.article
            continue
        failures.append(result.source)
        click.echo(f"Error: {result.source}: {result.error}", err=True)


@cli.command()
@click.option(
    "--format",
    "export_format",
    type=click.Choice(EXPORT_FORMATS),
    help="jsonl or csv (one line or row per article), warc (the captures). Default: the one"
    " -o FILE's ending names (.jsonl, .ndjson, .csv, .warc, .warc.gz), else jsonl.",
)
@output_option(
    "Write to FILE, which appears only once complete (default, or '-': standard output)."
)
@click.option(
    "--gzip/--no-gzip",
    default=True,
    show_default=True,
    help="warc: gzip each record (the usual .warc.gz).",
)
@click.option(
    "--all-versions",
    is_flag=True,
    help="jsonl, csv: one record per version of each article, oldest first (warc always"
    " holds every version's capture).",
)
@click.option("--bom", is_flag=True, help="csv: start with a UTF-8 byte order mark, for Excel.")
@filter_options()
@click.option("--json", "as_json", is_flag=True, help="With -o FILE: print a JSON summary only.")
@click.pass_context
def export(
    ctx: click.Context,
    export_format: str | None,
    output: str | None,
    gzip: bool,
    all_versions: bool,
    bom: bool,
    filters: ArticleFilters,
    as_json: bool,
) -> None:
    """Export the articles (jsonl, csv) or their stored captures (warc), to standard output
    or to -o FILE.

    jsonl: one JSON object per article (the fields of show --json without versions, URLs
    and events); csv: a header row, then one row per article, tags and authors joined by
    " | ", related as JSON. --all-versions: one object or row per version instead (article
    id and URL, version number, fetch time, crawl, extractor, content hash, then the
    content), each article's versions oldest first. --bom starts a csv with a UTF-8 byte
    order mark, for Excel. warc: a warcinfo record, then one WARC/1.1 response record per
    capture, oldest first: every stored capture, or with article filters the captures every
    version of the selected articles was read from; then one per photo (media) those
    versions showed, each once. Each capture body is checked against its
    sha256 first: a damaged capture stops the export with an error and no file is written.
    Every format streams and honours the article filters. A gzip-compressed WARC is not
    written to a terminal. With -o FILE, prints what it wrote (--json: as JSON); a progress
    bar shows on stderr when it is a terminal.
    """
    export_format = _export_format(export_format, output)
    if bom and export_format != "csv":
        raise click.UsageError("--bom goes with --format csv only")
    if as_json and is_stdout(output):
        raise click.UsageError("--json summarises the file -o FILE writes: give -o FILE")
    if export_format == "warc" and gzip:
        refuse_binary_on_terminal(output, "A gzip-compressed WARC")
    archive = open_archive(ctx)
    for note in archive.filter_notes(filters):
        click.echo(f"warning: {note}", err=True)
    try:
        if export_format == "warc":
            result: Any = warc.export_warc(archive, output, gzip=gzip, filters=filters)
            kept = f" and {result.media} photos" if result.media else ""
            size = f"({result.records} records, {result.bytes} bytes)"
            summary = f"{result.captures} captures{kept} {size}"
        else:
            result = _export_articles(
                archive, export_format, output, filters, all_versions=all_versions, bom=bom
            )
            records = f"{result.records} versions of " if all_versions else ""
            summary = f"{records}{result.articles} articles ({result.bytes} bytes)"
    except BrokenPipeError:
        raise
    except (warc.WarcExportError, ArchiveError, OSError) as error:
        raise click.ClickException(str(error)) from error
    if is_stdout(output):
        return
    if as_json:
        echo_json(vars(result))
        return
    click.echo(f"wrote {summary} to {result.path}")


def _export_format(export_format: str | None, output: str | None) -> str:
    """``--format``, else the one ``-o FILE``'s ending names, else jsonl on standard output."""
    if export_format is not None:
        return export_format
    if is_stdout(output):
        return "jsonl"
    assert output is not None
    named = export_module.format_for_path(output)
    if named is None:
        raise click.UsageError(
            f"{output} does not say which format: give --format jsonl, csv or warc"
        )
    return named


def _export_articles(
    archive: Archive,
    export_format: str,
    output: str | None,
    filters: ArticleFilters,
    *,
    all_versions: bool = False,
    bom: bool = False,
) -> export_module.ArticleExportResult:
    """jsonl or csv to ``output`` (``None`` or ``-``: stdout); a bar when stderr is a tty."""
    with contextlib.ExitStack() as stack:
        progress: export_module.Progress | None = None
        if sys.stderr.isatty():
            count = export_module.count_versions if all_versions else export_module.count_articles
            total = count(archive, filters)
            bar = stack.enter_context(
                click.progressbar(length=total, label="export", file=sys.stderr)
            )
            progress = bar.update
        return export_module.export_articles(
            archive,
            output,
            export_format,
            filters,
            progress=progress,
            all_versions=all_versions,
            bom=bom,
        )
    raise AssertionError("unreachable")  # pragma: no cover (mypy: ExitStack may swallow)


@cli.command()
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the latest crawl misses a field much more often than the crawls before.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, max=1),
    default=stats_module.DEFAULT_THRESHOLD,
    show_default=True,
    metavar="SHARE",
    help="--check: the rise of a missing share (0 to 1, absolute) that is an alert.",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=stats_module.DEFAULT_WINDOW,
    show_default=True,
    metavar="N",
    help="--check: compare with the median of this many earlier finished crawls.",
)
@click.option(
    "--min-articles",
    type=click.IntRange(min=1),
    default=stats_module.DEFAULT_MIN_ARTICLES,
    show_default=True,
    metavar="N",
    help="--check: leave out crawls that stored fewer articles (too few to judge).",
)
@site_option("the site row and crawls")
@json_option
@click.pass_context
def stats(
    ctx: click.Context,
    check: bool,
    threshold: float,
    window: int,
    min_articles: int,
    site: str | None,
    as_json: bool,
) -> None:
    """Per site: articles, live, gone, versions, duplicates and articles per day; per crawl
    (the last 10): responses, articles stored and the share of them missing each field.

    --check compares the latest finished crawl that stored at least --min-articles articles
    with the median of the --window earlier such crawls of its spider: a field whose missing
    share rose by more than --threshold prints one line and the exit status is 1; else
    "ok", 0. --site: that site's row and the crawls of that site (as crawls --site lists
    them); not with --check, which judges each spider's crawls.
    """
    if check and site is not None:
        raise click.UsageError("--site does not go with --check: the check is per spider")
    archive = open_archive(ctx)
    if check:
        result = stats_module.check(
            archive, threshold=threshold, window=window, min_articles=min_articles
        )
        if as_json:
            echo_json(result.to_dict())
        else:
            for message in result.messages:
                click.echo(message)
            for line in _unreadable_lines(result.unreadable):
                click.echo(line)
            if result.ok:
                click.echo("ok")
        ctx.exit(0 if result.ok else 1)
    report = stats_module.stats(archive, site=site)
    if as_json:
        echo_json(report)
        return
    for line in _stats_lines(report):
        click.echo(line)


def _stats_lines(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    site_keys = ("site", "articles", "live", "gone", "versions", "duplicates")
    rows = [[_cell(site[key]) for key in site_keys] for site in report["sites"]]
    lines += format_table(rows, site_keys) if rows else ["no articles yet"]
    for site in report["sites"]:
        if site["per_day"]:
            days = ", ".join(f"{day['day']} {day['articles']}" for day in site["per_day"])
            lines.append(f"{site['site'] or '-'} per day: {days}")
    lines.append("")
    if not report["crawls"]:
        return [*lines, "no crawls yet"]
    fields = stats_module.QUALITY_FIELDS
    headers = ["crawl", "status", "fetched", "stored", *fields]
    rows = [
        [
            str(crawl["id"]),
            crawl["status"],
            str(crawl["fetched"]),
            str(crawl["stored"]),
            *(_share(crawl["missing"][field]) for field in fields),
        ]
        for crawl in report["crawls"]
    ]
    lines.append("missing share of the articles each crawl stored:")
    return lines + format_table(rows, headers)


def _unreadable_lines(pages: list[stats_module.UnreadablePage]) -> list[str]:
    """The unreadable pages ``stats --check`` lists: a table, indented."""
    if not pages:
        return []
    headers = ["url", "crawl", "fetched", "error"]
    rows = [
        [page.url, str(page.crawl_id), _cell(page.fetched_at), page.error or "no article found"]
        for page in pages
    ]
    return ["  " + line for line in format_table(rows, headers)]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@cli.command()
@click.argument("url_or_id")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    metavar="N",
    help="Hops to follow from the article.",
)
@click.option(
    "--direction",
    type=click.Choice(graph_module.DIRECTIONS),
    default="both",
    show_default=True,
    help="out: links it has; in: links to it; both.",
)
@click.option(
    "--format",
    "graph_format",
    type=click.Choice(RELATED_FORMATS),
    default="text",
    show_default=True,
    help="json, an indented text tree, Graphviz dot, or svg/png rendered by dot.",
)
@output_option("Write to FILE (default, or '-': standard output).")
@site_option("an article (the one the walk starts from)")
@json_option
@click.pass_context
def related(
    ctx: click.Context,
    url_or_id: str,
    depth: int,
    direction: str,
    graph_format: str,
    output: str | None,
    site: str | None,
    as_json: bool,
) -> None:
    """Walk the "Lire aussi" graph around one article, breadth-first up to --depth hops.

    Follows the links the article has (out), the links other articles have to it (in), or
    both, never visiting an article twice; a link to a URL not archived is a leaf. Prints
    an indented tree (→ outgoing, ← incoming), JSON (nodes and edges; --json is --format
    json), Graphviz DOT, or svg/png rendered by Graphviz's dot, to standard output or -o
    FILE (png is not written to a terminal). --site: the walk starts only from an article of
    that site (links lead to any site).
    """
    graph_format = "json" if as_json else graph_format
    if graph_format == "png":
        refuse_binary_on_terminal(output, "PNG")
    archive = open_archive(ctx)
    if site is not None:
        url_or_id = str(find_article(archive, url_or_id, site)["id"])
    try:
        graph = graph_module.related_graph(archive, url_or_id, depth, direction)
    except (graph_module.UnknownArticleError, AmbiguousURLError) as error:
        raise click.ClickException(str(error)) from error
    try:
        if graph_format in ("svg", "png"):
            data = graph_module.render(graph_module.to_dot(graph), graph_format)
        elif graph_format == "json":
            data = (json.dumps(graph.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()
        elif graph_format == "dot":
            data = graph_module.to_dot(graph).encode()
        else:
            data = ("\n".join(graph_module.text_lines(graph)) + "\n").encode()
        write_output(output, data)
    except BrokenPipeError:
        raise
    except (RuntimeError, OSError) as error:
        raise click.ClickException(str(error)) from error
    if graph_format in ("svg", "png") and not is_stdout(output):
        click.echo(f"wrote {len(graph.nodes)} nodes, {len(graph.edges)} edges to {output}")


@cli.command()
@click.option(
    "--host", default=web.DEFAULT_HOST, show_default=True, help="The address to listen on."
)
@click.option(
    "--port",
    type=click.IntRange(min=1, max=65535),
    default=web.DEFAULT_PORT,
    show_default=True,
    metavar="PORT",
    help="The port to listen on.",
)
@click.option(
    "--print-metadata",
    is_flag=True,
    help="Print the Datasette metadata (JSON) and exit, for `datasette ARCHIVE --metadata`.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, print_metadata: bool) -> None:
    """Browse the archive in Datasette, read-only, at http://HOST:PORT/ until Ctrl-C.

    Tables and columns described, facets on the articles' category, site, status and
    publication day, full-text search, and canned queries: French search, articles by tag,
    versions of an article, gone articles, related edges. Datasette opens the file read-only
    (mode=ro), so crawls can keep writing to it. Needs the web extra:
    pip install 'sputnik-archiver[web]'.
    """
    archive = open_archive(ctx)  # the checks (and upgrade) of every command
    archive.close()  # Datasette reads through read-only connections of its own
    if print_metadata:
        echo_json(web.build_metadata(web.database_name(archive.path)))
        return
    try:
        web.require_web_extra()
    except web.WebExtraMissing as error:
        click.echo(str(error), err=True)
        ctx.exit(2)
    click.echo(f"serving {archive.path} at http://{host}:{port}/ (read-only; Ctrl-C to stop)")
    web.serve(archive.path, host=host, port=port)


#: Exit status of ``archive merge`` when the archive merged into is being crawled or merged
#: into by another process (as ``scrapy crawl`` refused for its lock: EX_TEMPFAIL).
EXIT_LOCKED = 75


def _merge_line(report: merge_module.MergeReport) -> str:
    if report.nothing_new:
        return f"{report.shard}: nothing new"
    parts = [
        f"{report.crawls} crawls",
        f"{report.fetches} fetches",
        f"{report.articles_new} new articles",
        f"{report.articles_changed} changed",
        f"{report.versions} versions",
        f"{report.captures} captures",
        f"{report.media} photos",
    ]
    line = f"{report.shard}: {', '.join(parts)} ({report.seconds:.1f} s)"
    if report.incremental:
        line += "; read from where its last merge stopped"
    if report.upgraded:
        line += f"; upgraded first ({len(report.upgraded)} migrations)"
    if report.snapshot:
        line += "; being crawled: merged as it stood, merge it again once the crawl is over"
    return line


@cli.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="ARCHIVE",
    help="The archive to fold them into (made when missing).",
)
@click.option(
    "--node",
    default=None,
    metavar="NAME",
    help="The node the shards' crawls ran on, for crawls that do not say (default: each"
    " shard's file name).",
)
@json_option
def merge(shards: tuple[str, ...], into: str, node: str | None, as_json: bool) -> None:
    """Fold archives crawled apart (one per machine or Scrapyd node) into ARCHIVE, exactly.

    Articles are matched by canonical URL (or any URL that led to them), versions ordered by
    fetch time, captures and photos by sha256, links re-resolved, gone/returned events made
    again from the merged history; crawls and fetches keep the node they came from. Merging
    a shard again changes nothing; the order of the shards does not matter. Each shard is
    one transaction: killed, the archive is as before and merging again starts that shard
    over. A shard being crawled is read as it stood (a consistent snapshot); one made by an
    earlier release is upgraded first, one by a newer release refused untouched. ARCHIVE is
    locked as a crawl locks it: while it is crawled or merged into, exit status 75.
    See docs/scaling.md.
    """
    from archive import lock as lock_module

    try:
        check_file(into, writing=True)  # before its lock file is made beside it
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error
    try:
        held = lock_module.acquire(into, doing="merge")
    except lock_module.ArchiveBusy as error:
        click.echo(f"archive merge: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except OSError as error:
        raise click.ClickException(f"cannot lock {into}: {error.strerror or error}") from error
    reports: list[dict[str, Any]] = []
    failed = False
    try:
        try:
            target = Archive(into)
        except (ArchiveError, sqlite3.Error) as error:
            raise click.ClickException(str(error)) from error
        with target:
            for shard in shards:
                try:
                    report = merge_module.merge(target, shard, node=node)
                except (ArchiveError, sqlite3.Error, OSError) as error:
                    failed = True
                    click.echo(f"Error: {shard}: {error}", err=True)
                    reports.append({"shard": shard, "error": str(error)})
                    continue
                reports.append(report.as_dict())
                if not as_json:
                    click.echo(_merge_line(report))
    finally:
        held.release()
    if as_json:
        echo_json(reports)
    if failed:
        sys.exit(1)


def main() -> None:
    """Entry point of the ``archive`` command. A reader that closes the pipe early (``|
    head``) ends any command quietly with status 0, as Unix tools do: while the command runs
    (:class:`ArchiveGroup`) and when what is still buffered is flushed at the end (here)."""
    try:
        cli(prog_name="archive")
    except SystemExit:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            end_quietly_on_closed_pipe()
            sys.exit(0)
        raise
