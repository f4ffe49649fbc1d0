"""The archive in Datasette: its metadata (descriptions, facets, search, canned queries), the
SQL functions its French search needs, and ``archive serve``. The archive's own pages (an
article, the French search, a stored page replayed) and templates are those of the Datasette
plugin, :mod:`archive.datasette_plugin`, built by :mod:`archive.webview`.

Datasette is an optional extra (``pip install 'sputnik-archiver[web]'``): this module imports
it only to serve, so the metadata can be built, and ``archive serve`` can say what is
missing, without it.

The descriptions of tables and columns are those of ``docs/schema.md`` (shipped in the wheel
as ``archive/schema.md``), so the web view and the documentation never disagree. Datasette
opens the file with ``mode=ro`` (never ``immutable``: crawls keep writing to it), and the
archive's SQL functions only read.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from archive import french
from archive.names import fold_name
from archive.queries import FRENCH_SEARCH_WEIGHTS
from archive.urls import canonical_key, lookup_keys

#: What ``archive serve`` says, and exits 2, when Datasette is not installed.
WEB_EXTRA_MISSING = "archive serve needs the web extra: pip install 'sputnik-archiver[web]'"

#: Name of the Datasette plugin (the ``datasette`` entry point) holding the SQL functions.
PLUGIN_NAME = "sputnik_archiver"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001

TITLE = "News archive"
DESCRIPTION = (
    "Every article of the crawled news sites, each version of it, the 'Lire aussi' links "
    "between articles and every crawl that gathered them. Read-only: crawls keep writing to "
    "the file while you browse."
)

#: Tables whose section of docs/schema.md has no introduction of its own.
TABLE_DESCRIPTIONS: dict[str, str] = {
    "tags": "Tag names, as shown on the pages. Which articles have a tag: article_tags.",
}

#: Internal tables, reachable by URL but left out of the lists. Datasette hides the FTS
#: tables and their shadow tables itself. ``version_media`` links versions to photos: the
#: article page shows them; ``media`` stays listed (each photo, its bytes a download link).
HIDDEN_TABLES: tuple[str, ...] = (
    "dedupe_signatures",
    "dedupe_bands",
    "frontier",
    "_migrations",
    "version_media",
)

#: Facets of the articles table: rubrique, site, status and the day of publication.
ARTICLE_FACETS: tuple[str | dict[str, str], ...] = (
    "category",
    "site",
    "status",
    {"date": "published_at"},
)

#: Columns the articles table shows by default (the others: "all columns", or ``_col``).
ARTICLE_COLUMNS: tuple[str, ...] = ("id", "title", "site", "category", "published_at", "status")

#: Characters a cell of a table shows before "...": a lead or body stays one line or two.
#: (Datasette's ``truncate_cells_html``; its suggested facets, a line of every column that
#: could be one, are turned off: the articles table has its facets.)
TRUNCATE_CELLS = 120

#: Columns of the articles table a reader may sort by.
ARTICLE_SORTABLE: tuple[str, ...] = (
    "id",
    "title",
    "category",
    "site",
    "status",
    "published_at",
    "modified_at",
    "views",
    "similarity",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "next_visit_at",
)

#: Label columns: what a foreign key to the table shows.
LABEL_COLUMNS: dict[str, str] = {"articles": "title", "tags": "name"}

# The article a canned query's :article names, found as ``Archive.get_article`` finds it:
# an id, a URL exactly as seen, then its URL key (articles.url, then the freshest urls row),
# then its looser forms (archive_url_keys) when they lead to one article only.
_TARGET = """
target(id) AS (
  SELECT COALESCE(
    (SELECT articles.id FROM articles, wanted
     WHERE wanted.value <> '' AND wanted.value NOT GLOB '*[^0-9]*'
       AND articles.id = CAST(wanted.value AS INTEGER)),
    (SELECT urls.article_id FROM urls, wanted
     WHERE urls.url = wanted.value AND urls.article_id IS NOT NULL),
    (SELECT articles.id FROM articles, wanted
     WHERE articles.url = archive_url_key(wanted.value)),
    (SELECT urls.article_id FROM urls, wanted
     WHERE urls.url_key = archive_url_key(wanted.value) AND urls.article_id IS NOT NULL
     ORDER BY urls.last_seen_at DESC, urls.article_id LIMIT 1),
    (SELECT CASE WHEN count(DISTINCT loose.id) = 1 THEN min(loose.id) END FROM (
       SELECT articles.id FROM articles, wanted
       WHERE articles.url IN (SELECT value FROM json_each(archive_url_keys(wanted.value)))
       UNION ALL
       SELECT urls.article_id FROM urls, wanted
       WHERE urls.url_key IN (SELECT value FROM json_each(archive_url_keys(wanted.value)))
         AND urls.article_id IS NOT NULL
     ) AS loose)
  )
)"""

ARTICLES_BY_TAG_SQL = """
SELECT articles.id, articles.title, articles.published_at, articles.category,
  articles.status, articles.url
FROM tags
JOIN article_tags ON article_tags.tag_id = tags.id
JOIN articles ON articles.id = article_tags.article_id
WHERE archive_fold(tags.name) = archive_fold(:tag)
ORDER BY articles.published_at IS NULL, julianday(articles.published_at) DESC, articles.id DESC
""".strip()

ARTICLE_VERSIONS_SQL = f"""
WITH wanted(value) AS (SELECT trim(:article)),{_TARGET}
SELECT versions.article_id, versions.number, versions.id AS version_id, versions.fetched_at,
  versions.crawl_id, versions.title, versions.lead, versions.tags, versions.published_at,
  versions.modified_at, length(versions.body) AS body_chars, versions.content_hash,
  versions.extractor, versions.extractor_version, versions.capture_id
FROM versions JOIN target ON versions.article_id = target.id
ORDER BY versions.number
""".strip()

GONE_ARTICLES_SQL = """
SELECT articles.id, articles.title, articles.url, articles.category, articles.published_at,
  events.at AS gone_at, events.status AS http_status,
  json_extract(events.detail, '$.reason') AS reason,
  json_extract(events.detail, '$.location') AS location
FROM articles
LEFT JOIN events ON events.id = (
  SELECT gone.id FROM events AS gone
  WHERE gone.article_id = articles.id AND gone.kind = 'gone'
    AND COALESCE(json_extract(gone.detail, '$.alias'), 0) = 0
  ORDER BY gone.at DESC, gone.id DESC LIMIT 1
)
WHERE articles.status = 'gone'
ORDER BY events.at DESC, articles.id DESC
""".strip()

RELATED_EDGES_SQL = f"""
WITH wanted(value) AS (SELECT trim(:article)),{_TARGET}
SELECT links.id AS link_id, links.kind, links.position,
  links.from_article_id, source.title AS from_title,
  links.target_article_id, target_article.title AS to_title,
  links.anchor, links.url AS to_url,
  links.last_seen_at = source.last_seen_at AS current,
  links.first_seen_at, links.last_seen_at
FROM links
JOIN articles AS source ON source.id = links.from_article_id
LEFT JOIN articles AS target_article ON target_article.id = links.target_article_id
WHERE (SELECT value FROM wanted) = ''
  OR links.from_article_id = (SELECT id FROM target)
  OR links.target_article_id = (SELECT id FROM target)
ORDER BY links.from_article_id, links.kind, links.position, links.id
""".strip()

SEARCH_FR_SQL = f"""
SELECT articles.id, articles.title, articles.published_at, articles.category, articles.status,
  french_snippet(articles.title, articles.lead, articles.body, articles.tags, :q) AS snippet,
  bm25(articles_fts_fr, {", ".join(str(w) for w in FRENCH_SEARCH_WEIGHTS)}) AS rank,
  articles.url
FROM articles_fts_fr JOIN articles ON articles.id = articles_fts_fr.rowid
WHERE articles_fts_fr MATCH french_match(:q)
ORDER BY rank, articles.id
""".strip()

#: Canned queries: name -> (title, description, SQL).
CANNED_QUERIES: dict[str, tuple[str, str, str]] = {
    "search_fr": (
        "French search",
        "Search as the archive search command does: accents, case, elisions and French inflections "
        "ignored ('securite' finds 'sécurité', 'frappes' finds 'frappe'); several words must "
        'all match; "a phrase", AND, OR, NOT, prefix*, title:word. Best match first, the '
        "matching words marked in the snippet ([ ] in JSON and CSV). Up to 1,000 hits "
        "here; the search page (/-/search) counts every hit and pages through them all.",
        SEARCH_FR_SQL,
    ),
    "articles_by_tag": (
        "Articles by tag",
        "The articles having a tag (whole name; case, accents, hyphens and apostrophes "
        "ignored: 'etats unis' finds 'États-Unis'), newest first.",
        ARTICLES_BY_TAG_SQL,
    ),
    "article_versions": (
        "Versions of an article",
        "Every version of one article, oldest first. The article: its id, or any URL that "
        "ever led to it (canonical, short, redirected, with tracking parameters).",
        ARTICLE_VERSIONS_SQL,
    ),
    "gone_articles": (
        "Gone articles",
        "Articles taken down (404, 410, 451 or a redirect to a listing), with when and why "
        "they were last found gone. Their text and versions stay in the archive.",
        GONE_ARTICLES_SQL,
    ),
    "related_edges": (
        "Related edges",
        "The 'Lire aussi' links from and to one article (its id or any URL that led to it; "
        "empty: every link), with the titles of both ends. current: the link is on the "
        "article as last seen.",
        RELATED_EDGES_SQL,
    ),
}


# -- descriptions, from docs/schema.md ------------------------------------------------------


@dataclass
class TableDoc:
    """One table's section of docs/schema.md: its introduction and its columns' meanings."""

    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def schema_doc() -> str:
    """The text of docs/schema.md: the copy shipped in the wheel, else the source tree's."""
    shipped = resources.files("archive").joinpath("schema.md")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")


def parse_schema_doc(text: str) -> dict[str, TableDoc]:
    """Table name -> :class:`TableDoc`, from the ``## `table``` sections of schema.md.

    A table's description is the prose before its column table; a column's is the second
    cell of its ``| `column` | meaning |`` row. Markdown is made plain.
    """
    parts = re.split(r"^## `(\w+)`.*$", text, flags=re.MULTILINE)
    tables: dict[str, TableDoc] = {}
    for name, section in zip(parts[1::2], parts[2::2], strict=True):
        section = section.split("\n#", 1)[0]  # a heading of another kind ends the section
        intro = re.split(r"^(?:\||```)", section, maxsplit=1, flags=re.MULTILINE)[0]
        rows = re.finditer(r"^\| `(\w+)` \| (.*) \|[ \t]*$", section, flags=re.MULTILINE)
        tables[name] = TableDoc(plain(intro), {row[1]: plain(row[2]) for row in rows})
    return tables


def plain(markdown: str) -> str:
    """Markdown of a description as plain text: no backticks, emphasis or link targets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*", lambda m: m.group(1) or m.group(2), text)
    text = text.replace("`", "").replace("\\|", "|")
    return re.sub(r"\s+", " ", text).strip()


# -- metadata ------------------------------------------------------------------------------


def database_name(path: str | Path) -> str:
    """The name Datasette gives the archive file (its stem), under which metadata applies."""
    return Path(path).stem


def build_metadata(name: str = "archive") -> dict[str, Any]:
    """Datasette metadata for an archive served as database ``name``.

    Title and description; for every table of docs/schema.md its description and its
    columns'; on ``articles`` facets (category, site, status, publication day), sortable
    columns and full-text search through ``articles_fts``; the internal tables hidden; and
    the canned queries of :data:`CANNED_QUERIES`, their SQL hidden (a reader sees the form
    and the results; "Show SQL" shows it).
    """
    tables: dict[str, dict[str, Any]] = {}
    for table, doc in parse_schema_doc(schema_doc()).items():
        entry: dict[str, Any] = {
            "description": doc.description or TABLE_DESCRIPTIONS.get(table, ""),
            "columns": dict(doc.columns),
        }
        if table in LABEL_COLUMNS:
            entry["label_column"] = LABEL_COLUMNS[table]
        if table in HIDDEN_TABLES:
            entry["hidden"] = True
        tables[table] = entry
    tables.setdefault("articles", {}).update(
        {
            "facets": list(ARTICLE_FACETS),
            "sortable_columns": list(ARTICLE_SORTABLE),
            "sort_desc": "published_at",
            "fts_table": "articles_fts",
            "fts_pk": "id",
            "searchmode": "escaped",
        }
    )
    queries = {
        query: {"title": title, "description": description, "sql": sql, "hide_sql": True}
        for query, (title, description, sql) in CANNED_QUERIES.items()
    }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "databases": {
            name: {"description": DESCRIPTION, "tables": tables, "queries": queries},
        },
    }


# -- SQL functions (registered on Datasette's connections by archive.datasette_plugin) -----


def french_match(query: str | None, *, lemmas: bool = True) -> str:
    """``french_match(q)``: the FTS5 expression over ``articles_fts_fr`` for a reader's query,
    as ``archive search`` builds it; ``""`` (matching nothing) for a query without a word or
    one FTS5 cannot run (empty, starting with NOT). ``lemmas=False``: folded as an index
    made before lemmas."""
    try:
        parsed = french.parse_query(str(query or ""), lemmas=lemmas)
    except ValueError:
        return '""'
    return parsed.match or '""'


def french_snippet(
    title: str | None,
    lead: str | None,
    body: str | None,
    tags: str | None,
    query: str | None,
    *,
    lemmas: bool = True,
) -> str | None:
    """``french_snippet(title, lead, body, tags, q)``: up to 16 words around the matches of
    ``q``, marked ``[ ]``, as ``archive search`` shows them."""
    try:
        parsed = french.parse_query(str(query or ""), lemmas=lemmas)
        names = json.loads(tags or "[]")
    except ValueError:
        return None
    joined = ", ".join(str(n) for n in names) if isinstance(names, list) else ""
    return french.snippet((title, lead, body, joined), parsed)


def archive_url_key(url: str | None) -> str | None:
    """``archive_url_key(url)``: the URL key of ``url`` (``archive.urls.canonical_key``)."""
    if not url:
        return None
    try:
        return canonical_key(str(url))
    except ValueError:
        return None


def archive_url_keys(url: str | None) -> str:
    """``archive_url_keys(url)``: the URL keys a reader may mean by ``url``, as a JSON list
    (``archive.urls.lookup_keys``: scheme, trailing slash, ``www.``, AMP marks)."""
    if not url:
        return "[]"
    try:
        return json.dumps(lookup_keys(str(url)))
    except ValueError:
        return "[]"


def _indexed_before_lemmas(conn: sqlite3.Connection) -> bool:
    """Whether ``conn`` is an archive whose French index was folded before lemmas (a file
    served read-only, never upgraded): its queries are then folded the same way."""
    try:
        has_index = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'articles_fts_fr'"
        ).fetchone()
        upgraded = conn.execute(
            "SELECT 1 FROM _migrations WHERE name = ?", [french.LEMMAS_MIGRATION]
        ).fetchone()
    except sqlite3.Error:  # not an archive (Datasette's own databases, say)
        return False
    return has_index is not None and upgraded is None


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Add ``french_match``, ``french_snippet``, ``archive_url_key``, ``archive_url_keys``
    and ``archive_fold`` to ``conn``."""
    lemmas = not _indexed_before_lemmas(conn)
    conn.create_function(
        "french_match", 1, functools.partial(french_match, lemmas=lemmas), deterministic=True
    )
    conn.create_function(
        "french_snippet", 5, functools.partial(french_snippet, lemmas=lemmas), deterministic=True
    )
    conn.create_function("archive_url_key", 1, archive_url_key, deterministic=True)
    conn.create_function("archive_url_keys", 1, archive_url_keys, deterministic=True)
    conn.create_function("archive_fold", 1, fold_name, deterministic=True)


# -- Datasette -----------------------------------------------------------------------------


class WebExtraMissing(RuntimeError):
    """Datasette (the ``web`` extra) is not installed."""


def require_web_extra() -> None:
    """Raise :class:`WebExtraMissing` unless Datasette and its server (uvicorn) import."""
    try:
        import datasette.app  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise WebExtraMissing(WEB_EXTRA_MISSING) from error


def make_datasette(path: str | Path, metadata: dict[str, Any] | None = None) -> Any:
    """A ``datasette.app.Datasette`` serving the archive at ``path`` read-only (``mode=ro``,
    so crawls can keep writing), with :func:`build_metadata` and the archive's SQL functions.

    Raises :class:`WebExtraMissing` when Datasette is not installed.
    """
    require_web_extra()
    from datasette.app import Datasette
    from datasette.plugins import pm

    from archive import datasette_plugin

    # The entry point registers the plugin in an installed package; this covers a source
    # tree used without installing, and Datasette's own test mode (no entry points).
    if not pm.is_registered(datasette_plugin) and pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(datasette_plugin, name=PLUGIN_NAME)
    name = database_name(path)
    return Datasette(
        [str(path)],
        metadata=build_metadata(name) if metadata is None else metadata,
        settings={"truncate_cells_html": TRUNCATE_CELLS, "suggest_facets": False},
    )


def serve(path: str | Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the archive at ``path`` with Datasette on ``host:port`` until interrupted.

    Raises :class:`WebExtraMissing` when Datasette is not installed.
    """
    datasette = make_datasette(path)
    import uvicorn

    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
