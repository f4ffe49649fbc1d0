"""Several archives read as one (``archive --db A --db B COMMAND``), through a cached union.

The union is an archive of its own in the cache directory (``$ARCHIVE_CACHE_DIR``, else
``$XDG_CACHE_HOME/news-archiver``, else ``~/.cache/news-archiver``), one per set of archives:
``union-<16 hex digits of the sha256 of their sorted resolved paths>.db``. It is what
``archive merge`` of the archives, in sorted path order, into an empty archive gives: the same
rows, and the same ids until an archive grows (what it gained then comes after the
others'). A sidecar ``union-<...>.json`` holds each archive's fingerprint (the size and
modification time of its file and of its ``-wal``) as it stood when merged: when they all
still hold, the union is up to date and nothing is done; else each archive whose
fingerprint changed is merged into the union again, which brings only what is new (merging
is idempotent). The archives themselves are never written: one made by an earlier release
is upgraded in a temporary copy beside the union, one made by a newer release is refused.

One process builds a given union at a time, under its lock (``union-<...>.db.lock``); another
reader of the same archives waits for it, then finds the union up to date.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import lock, merge, migrations
from archive.faults import check_schema
from archive.store import Archive, package_version

#: Environment variable naming the cache directory.
CACHE_DIR_ENV = "ARCHIVE_CACHE_DIR"
#: The cache's directory under ``$XDG_CACHE_HOME`` (or ``~/.cache``).
CACHE_NAME = "news-archiver"
#: What the union's lock file says its holder does.
DOING = "union"


@dataclass
class UnionReport:
    """Where the union of some archives is, and what bringing it up to date took."""

    path: str
    sources: list[str]
    merged: list[str] = field(default_factory=list)
    seconds: float = 0.0


def cache_dir() -> Path:
    """The directory unions are kept in (not created here)."""
    named = os.environ.get(CACHE_DIR_ENV)
    if named:
        return Path(named).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / CACHE_NAME


def sources(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The distinct archives among ``paths`` (symlinks and relative paths resolved), sorted:
    the order they are merged in, which gives the union's ids."""
    return sorted({str(Path(path).resolve()) for path in paths})


def union_path(paths: Iterable[str | os.PathLike[str]]) -> Path:
    """The union file of these archives in the cache directory."""
    digest = hashlib.sha256("\n".join(sources(paths)).encode()).hexdigest()[:16]
    return cache_dir() / f"union-{digest}.db"


def fingerprint(path: str) -> dict[str, int | None]:
    """What changes when an archive is written: the size and modification time of its file
    and of its ``-wal``. An empty ``-wal`` counts as none: reading an archive may leave one,
    and it holds nothing."""
    info = os.stat(path)
    try:
        wal = os.stat(f"{path}-wal")
    except FileNotFoundError:
        wal = None
    written = wal is not None and wal.st_size > 0
    return {
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "wal_size": wal.st_size if wal is not None and written else None,
        "wal_mtime_ns": wal.st_mtime_ns if wal is not None and written else None,
    }


def _sidecar(union: Path) -> Path:
    return union.with_suffix(".json")


def _recorded(union: Path) -> dict[str, Any]:
    """The fingerprints recorded with ``union`` (empty when it must be built afresh: no
    union, no sidecar, or one written by another release or schema)."""
    try:
        state = json.loads(_sidecar(union).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("release") != _release():
        return {}
    if not union.exists():
        return {}
    recorded = state.get("sources")
    return recorded if isinstance(recorded, dict) else {}


def _release() -> list[str]:
    """What made the union: this release and the schema it knows (a union made by another,
    whose merge may differ, is made again)."""
    return [package_version(), *(migration.__name__ for migration in migrations.MIGRATIONS)]


def _record(union: Path, recorded: dict[str, Any]) -> None:
    """Save the fingerprints (written whole or not at all)."""
    state = {"release": _release(), "sources": recorded}
    sidecar = _sidecar(union)
    partial = sidecar.with_name(f".{sidecar.name}.{os.getpid()}")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(partial, sidecar)


def _changed(paths: Sequence[str], recorded: dict[str, Any]) -> list[str]:
    return [path for path in paths if recorded.get(path) != fingerprint(path)]


def _remove(union: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{union}{suffix}")


def build(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_wait: Callable[[str], None] | None = None,
) -> UnionReport:
    """The union of the archives at ``paths``, brought up to date (see the module's
    docstring); ``report.merged`` lists the archives merged this time (none when it was up
    to date). ``on_wait`` is told the holder's lock text when another process is building
    the same union and this one waits for it.

    Raises :class:`~archive.faults.NewerArchiveError` for an archive made by a newer
    release, before anything is merged; other :class:`~archive.faults.ArchiveError` as
    merging does."""
    started = time.monotonic()
    names = sources(paths)
    union = union_path(names)
    report = UnionReport(path=str(union), sources=names)
    if not _changed(names, _recorded(union)):
        return report
    for name in names:  # refused before anything is written, the union included
        check_schema(name, writing=True)
    union.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    held = lock.acquire_waiting(union, doing=DOING, on_wait=on_wait)
    try:
        # Another process may have brought it up to date while this one waited.
        recorded = _recorded(union)
        if not recorded:
            _remove(union)
        with Archive(union) as target:
            for name in _changed(names, recorded):
                seen = fingerprint(name)  # before reading: a later write is merged next time
                merge.merge(target, name, upgrade_in_place=False)
                recorded[name] = seen
                _record(union, recorded)  # killed later, what is merged stays merged
                report.merged.append(name)
    finally:
        held.release()
    report.seconds = time.monotonic() - started
    return report
