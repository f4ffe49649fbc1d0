"""A bounded WAL: a WAL that grew while a reader held checkpoints back is cut back to
``JOURNAL_SIZE_LIMIT`` once the reader is gone (docs/cron.md, "Long readers")."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from archive import Archive
from archive import store as store_module
from archive.store import JOURNAL_SIZE_LIMIT


def limit(archive: Archive) -> int:
    return int(archive.db.execute("PRAGMA journal_size_limit").fetchone()[0])


def test_read_write_connections_bound_the_wal(tmp_path: Path) -> None:
    assert JOURNAL_SIZE_LIMIT == 64 * 1024 * 1024
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        assert limit(archive) == JOURNAL_SIZE_LIMIT
    with Archive(path) as reopened:  # set on every connection, not stored in the file
        assert limit(reopened) == JOURNAL_SIZE_LIMIT


def wal_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


@pytest.mark.parametrize("bounded", [True, False], ids=["bounded", "unbounded"])
def test_a_wal_grown_behind_a_long_reader_shrinks_once_it_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bounded: bool
) -> None:
    small = 64 * 1024  # the same mechanism as 64 MiB, with a WAL of a few MB
    monkeypatch.setattr(store_module, "JOURNAL_SIZE_LIMIT", small if bounded else -1)
    path = tmp_path / "archive.db"
    archive = Archive(path)
    conn = archive.db.conn
    conn.execute("CREATE TABLE ballast (data BLOB)")
    conn.commit()
    reader = sqlite3.connect(path, isolation_level=None)  # a Datasette query left running
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM ballast").fetchone()
    for _ in range(100):  # commits that would each checkpoint, but for the reader
        conn.execute("INSERT INTO ballast VALUES (?)", (os.urandom(32 * 1024),))
        conn.commit()
    grown = wal_size(path)
    assert grown > 3 * 1024 * 1024
    reader.execute("COMMIT")
    reader.close()
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # as the next commit's autocheckpoint
    conn.execute("INSERT INTO ballast VALUES (x'00')")  # the next write starts the WAL over
    conn.commit()
    assert wal_size(path) == (small if bounded else grown)
    archive.close()
