"""docs/schema.md documents every table and column of a freshly created archive."""

from __future__ import annotations

import re
from pathlib import Path

from archive import Archive

SCHEMA_MD = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def documented() -> dict[str, set[str]]:
    """Table name -> the columns listed in its section (rows of the form ``| `col` | ...``)."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in SCHEMA_MD.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## `(\w+)`", line)
        if heading:
            current = sections.setdefault(heading.group(1), set())
            continue
        row = re.match(r"\| `(\w+)` \|", line)
        if row and current is not None:
            current.add(row.group(1))
    return sections


def actual(tmp_path: Path) -> dict[str, set[str]]:
    """Table name -> columns, for every table of a new archive but FTS5 internals."""
    with Archive(tmp_path / "archive.db") as archive:
        fts = {t.name for t in archive.db.tables if t.virtual_table_using}
        return {
            table.name: {column.name for column in table.columns}
            for table in archive.db.tables
            if not any(table.name.startswith(f"{name}_") for name in fts)
        }


def test_every_table_has_a_section(tmp_path: Path) -> None:
    missing = set(actual(tmp_path)) - set(documented())
    assert not missing, f"tables missing from docs/schema.md: {sorted(missing)}"


def test_every_column_is_documented(tmp_path: Path) -> None:
    docs = documented()
    missing = [
        f"{table}.{column}"
        for table, columns in actual(tmp_path).items()
        for column in sorted(columns - docs.get(table, set()))
    ]
    assert not missing, f"columns missing from docs/schema.md: {missing}"


def test_no_documented_column_is_stale(tmp_path: Path) -> None:
    tables = actual(tmp_path)
    stale = [
        f"{table}.{column}"
        for table, columns in documented().items()
        if table in tables
        for column in sorted(columns - tables[table])
    ]
    assert not stale, f"docs/schema.md lists columns the schema does not have: {stale}"
