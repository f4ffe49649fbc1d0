"""``archive``: query a news archive from the command line (a thin mirror of ``Archive``)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from archive.store import DEFAULT_PATH, Archive, ArchiveError, package_version

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
    ("not_article", "not_article"),
    ("errors", "errors"),
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


# -- shared options and helpers -----------------------------------------------------------


def json_option(function: F) -> F:
    """``--json``: print JSON only."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON only.")(function)


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


def open_archive(ctx: click.Context) -> Archive:
    """The archive named by ``--db``, closed when the command ends; never creates one."""
    path: str = ctx.find_root().params["db"]
    if not os.path.isfile(path):
        raise click.ClickException(f"no archive at {path}")
    # Opened read-write when possible so that an archive made by an earlier release is
    # upgraded in place; opening an up-to-date archive writes nothing.
    readonly = not os.access(path, os.W_OK)
    try:
        archive = Archive(path, readonly=readonly)
    except (ArchiveError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    return ctx.with_resource(archive)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:19].replace("T", " ")  # times to the second, for reading
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


@click.group(name="archive")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    envvar="ARCHIVE_PATH",
    default=DEFAULT_PATH,
    show_default=True,
    show_envvar=True,
    help="The archive file.",
)
@click.version_option(version=package_version(), message="%(version)s")
def cli(db: str) -> None:
    """Query a news archive: its crawls, articles and full text."""


@cli.command()
@limit_option(default=None)
@json_option
@click.pass_context
def crawls(ctx: click.Context, limit: int | None, as_json: bool) -> None:
    """List crawls, newest first, with their counts.

    Counts come from each crawl's fetches: fetched (responses), new, updated, unchanged,
    not_article, errors (HTTP errors and network failures).
    """
    rows = open_archive(ctx).crawls(limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no crawls yet")
        return
    cells = [[_cell(row[key]) for key, _ in CRAWL_COLUMNS] for row in rows]
    for line in format_table(cells, [header for _, header in CRAWL_COLUMNS]):
        click.echo(line)


@cli.command()
@click.argument("url_or_id")
@json_option
@click.pass_context
def show(ctx: click.Context, url_or_id: str, as_json: bool) -> None:
    """Show one article, by id or by any URL that led to it.

    Any URL that ever led to the article finds it: canonical, fetched, redirected, short
    ("URL courte") or with tracking parameters. Prints its fields, then lead and body, then
    the related "Lire aussi" links, tags and URLs; --json prints one object.
    """
    article = open_archive(ctx).get_article(url_or_id)
    if article is None:
        raise click.ClickException(f"no article matches {url_or_id}")
    if as_json:
        echo_json(article)
        return
    for name in SHOW_FIELDS:
        click.echo(f"{name}: {_show_value(article[name])}")
    for name in ("lead", "body"):
        click.echo(f"\n{name}:\n{article[name] or '-'}")
    click.echo("\nrelated:")
    for link in article["related"]:
        click.echo(f"  {link['position']}. [{link['kind']}] {link['title'] or '-'} {link['url']}")
    click.echo(f"\ntags: {_show_value(article['tags'])}")
    click.echo("\nurls:")
    for seen in article["urls"]:
        click.echo(f"  [{seen['kind']}] {seen['url']}")


@cli.command()
@click.argument("query")
@limit_option(default=20)
@json_option
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search of titles, leads, bodies and tags, best match first.

    QUERY is SQLite FTS5 syntax (words, "a phrase", OR, NOT, prefix*, title:word); case and
    accents are ignored, so "securite" finds "sécurité". Invalid syntax is searched as plain
    words. Matches are marked [ ] in the snippet.
    """
    try:
        hits = open_archive(ctx).search(query, limit=limit)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        echo_json(hits)
        return
    if not hits:
        click.echo("no match")
        return
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank}. {hit['title'] or '-'}\n   {hit['url']}\n   {hit['snippet'] or ''}")


def main() -> None:
    """Entry point of the ``archive`` command."""
    cli(prog_name="archive")
