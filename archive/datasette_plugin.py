"""The archive's Datasette plugin: the SQL functions its canned queries use.

Registered through the ``datasette`` entry point of the package (so ``datasette archive.db``
has them too), and by :func:`archive.web.make_datasette` when the entry point is not loaded.
Imported only where Datasette is installed (the ``web`` extra).
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from archive import web


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Add the archive's SQL functions (``french_match``, ``archive_url_keys``, ...) to
    every connection."""
    web.register_sql_functions(conn)
