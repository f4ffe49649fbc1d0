"""Article filters shared by the read commands (``articles``, ``search``, later ``export``).

:class:`ArticleFilters` is the Python API; :func:`filter_options` is the click decorator that
gives a command the same options and hands it one ``filters`` argument.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from archive.names import fold_name
from archive.queries import Query

F = TypeVar("F", bound=Callable[..., Any])

#: Values of ``articles.status``.
STATUSES: tuple[str, ...] = ("live", "gone")


class FilterError(ValueError):
    """A filter value that cannot be used; ``option`` names the CLI option at fault."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def parse_date(value: str, option: str) -> dt.date:
    """``YYYY-MM-DD`` as a date; :class:`FilterError` otherwise."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)  # fromisoformat alone also takes weeks (2017-W25-3)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(option, f"{value!r} is not a date in the form YYYY-MM-DD") from None


@dataclass(frozen=True)
class ArticleFilters:
    """Which articles to read; every field left ``None`` selects everything.

    ``site`` matches a whole site id, ignoring the case of ASCII letters; ``category``,
    ``tag`` and ``author`` match a whole name ignoring case, accents, hyphens, spaces and
    apostrophes (``etats unis`` is ``États-Unis``, see :func:`archive.names.fold_name`;
    the SQL uses ``archive_fold``, which the archive's connections define). ``since`` and
    ``until`` bound ``published_at`` by its date as published (the site's own offset), both
    days included; an article without a date is then left out. ``status`` is ``live`` or
    ``gone``. ``limit`` (at least 1) and ``offset`` page the result. Bad values raise
    :class:`FilterError`.
    """

    site: str | None = None
    tag: str | None = None
    category: str | None = None
    author: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    status: str | None = None
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise FilterError("--status", f"{self.status!r} is not one of live, gone")
        if self.since and self.until and self.until < self.since:
            raise FilterError("--until", f"{self.until} is before --since {self.since}")
        if self.limit is not None and self.limit < 1:
            raise FilterError("--limit", f"{self.limit} is less than 1")
        if self.offset < 0:
            raise FilterError("--offset", f"{self.offset} is less than 0")

    def where(self) -> Query:
        """``(condition, params)`` over ``articles``, ``"1"`` when nothing is filtered.

        Parameter names start with ``filter_`` so the condition joins any other query.
        """
        conditions: list[str] = []
        params: dict[str, Any] = {}
        if self.site is not None:
            conditions.append("articles.site = :filter_site COLLATE NOCASE")
            params["filter_site"] = self.site
        if self.category is not None:
            # The rubriques are few: their folded names are compared once each (index on
            # category), not once per article.
            conditions.append(
                "articles.category IN (SELECT category FROM"
                " (SELECT DISTINCT category FROM articles)"
                " WHERE archive_fold(category) = :filter_category)"
            )
            params["filter_category"] = fold_name(self.category)
        if self.tag is not None:
            # From the tag to its articles (index on tag_id), not a lookup per article.
            conditions.append(
                "articles.id IN (SELECT article_tags.article_id FROM article_tags"
                " WHERE article_tags.tag_id IN"
                " (SELECT tags.id FROM tags WHERE archive_fold(tags.name) = :filter_tag))"
            )
            params["filter_tag"] = fold_name(self.tag)
        if self.author is not None:
            conditions.append(
                "EXISTS (SELECT 1 FROM json_each(articles.authors)"
                " WHERE archive_fold(json_each.value) = :filter_author)"
            )
            params["filter_author"] = fold_name(self.author)
        if self.since is not None:
            conditions.append("substr(articles.published_at, 1, 10) >= :filter_since")
            params["filter_since"] = self.since.isoformat()
        if self.until is not None:
            conditions.append("substr(articles.published_at, 1, 10) <= :filter_until")
            params["filter_until"] = self.until.isoformat()
        if self.status is not None:
            conditions.append("articles.status = :filter_status")
            params["filter_status"] = self.status
        return (" AND ".join(conditions) or "1"), params


def _date_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value, param.opts[0])
    except FilterError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


def filter_options(default_limit: int | None = None) -> Callable[[F], F]:
    """The filter options; the command receives them as one ``filters: ArticleFilters``."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in ArticleFilters.__dataclass_fields__}
            try:
                kwargs["filters"] = ArticleFilters(**values)
            except FilterError as error:
                raise click.BadParameter(str(error), param_hint=f"'{error.option}'") from None
            return function(*args, **kwargs)

        options = [
            click.option("--site", metavar="SITE", help="Only articles of this site id."),
            click.option("--tag", metavar="TAG", help="Only articles with this tag."),
            click.option("--category", metavar="NAME", help="Only articles of this rubrique."),
            click.option("--author", metavar="NAME", help="Only articles by this author."),
            click.option(
                "--since",
                metavar="YYYY-MM-DD",
                callback=_date_callback,
                help="Only articles published on or after this day.",
            ),
            click.option(
                "--until",
                metavar="YYYY-MM-DD",
                callback=_date_callback,
                help="Only articles published on or before this day.",
            ),
            click.option(
                "--status", type=click.Choice(STATUSES), help="Only live or only gone articles."
            ),
            click.option(
                "--limit",
                type=click.IntRange(min=1),
                metavar="N",
                default=default_limit,
                show_default=default_limit is not None,
                help="Show at most N rows.",
            ),
            click.option(
                "--offset",
                type=click.IntRange(min=0),
                metavar="N",
                default=0,
                help="Skip the first N rows.",
            ),
        ]
        decorated: Callable[..., Any] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[return-value]

    return decorate
