"""Where a command's output goes: standard output by default, or a file written atomically.

Unix tools (and sqlite-utils, trafilatura) write to standard output unless told otherwise;
``-o FILE`` writes a file that appears only once complete: it is written beside its final
name under a temporary one and renamed at the end, so a failed write leaves neither a
partial file nor a temporary one, and never replaces an existing file. ``-o -`` is standard
output too. A file that cannot be written is reported by the path the user gave, never by
the temporary name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: The ``-o`` value that means standard output.
STDOUT = "-"


class OutputError(OSError):
    """A file that cannot be written; the message (``str``) names the path as the user gave
    it, never the temporary file."""


def is_stdout(path: str | os.PathLike[str] | None) -> bool:
    """Whether ``path`` means standard output: no path, or ``-``."""
    return path is None or os.fspath(path) == STDOUT


def temporary_path(target: Path) -> Path:
    """The name ``target`` is written under until it is complete."""
    return target.with_name(f".{target.name}.{os.getpid()}.part")


def cannot_write(path: str | os.PathLike[str], error: OSError | None = None) -> str:
    """Why ``path`` cannot be written, naming it and never a temporary file: ``error`` is
    what writing it raised; without it, the reason is found by looking at the path."""
    shown = os.fspath(path)
    target = Path(os.path.realpath(shown)) if Path(shown).is_symlink() else Path(shown)
    reason = _reason(target, error)
    return f"cannot write {shown}: {reason}"


def _reason(target: Path, error: OSError | None) -> str:
    parent = target.parent
    if target.is_dir():
        return "it is a directory"
    if not parent.exists():
        return f"directory {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if error is None or error.errno in (errno.EACCES, errno.EPERM):
        if target.exists() and not os.access(target, os.W_OK):
            return "permission denied (the file is read-only)"
        return f"permission denied (directory {parent} is not writable)"
    return error.strerror or str(error)


def problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` could not be written, as :func:`cannot_write` says it, found without
    writing anything; ``None`` when it looks writable (the write itself may still fail)."""
    if written_in_place(path):
        return None  # opened as it is: the write says why it cannot be
    target = Path(os.path.realpath(path))
    parent = target.parent
    if target.is_dir() or not parent.is_dir():
        return cannot_write(path)
    if not os.access(parent, os.W_OK | os.X_OK):
        return cannot_write(path)
    if target.exists() and not os.access(target, os.W_OK):
        return cannot_write(path)
    return None


def written_in_place(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is written as it is rather than replaced: anything but a regular file
    or a new name, such as ``/dev/null``, ``/dev/stdout`` or a named pipe (replacing one would
    put a regular file in its place)."""
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return Path(path).is_symlink()  # a dangling link: the file it names is created
    except OSError:
        return False  # not reachable: the write says why
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None) -> Iterator[IO[bytes]]:
    """A binary stream to ``path``: standard output (flushed, not closed) when ``path`` is
    ``None`` or ``-``, else a temporary file renamed to ``path`` once the block ends well
    (for a symbolic link, to the file it points to; a device or a named pipe is written as
    it is, see :func:`written_in_place`).

    A file replaced keeps its permissions. When the block raises, the temporary file is
    removed and the exception goes on; an ``OSError`` of the file itself (missing
    directory, permission, disk full) becomes an :class:`OutputError` naming ``path``. A
    closed pipe on standard output is left to the
    caller (:func:`end_quietly_on_closed_pipe`).
    """
    if is_stdout(path):
        sys.stdout.flush()  # any text printed before goes first
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    assert path is not None
    in_place = written_in_place(path)
    target = Path(path) if in_place else Path(os.path.realpath(path))
    temporary = target if in_place else temporary_path(target)
    try:
        out = open(temporary, "wb" if in_place else "xb")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise OutputError(cannot_write(path, error)) from error
    try:
        with out:
            yield out
        if not in_place:
            _keep_mode(target, temporary)
            os.replace(temporary, target)
    except OSError as error:
        if not in_place:
            temporary.unlink(missing_ok=True)
        if isinstance(error, (OutputError, BrokenPipeError)):
            raise  # a closed pipe (``-o /dev/stdout | head``) ends quietly, as ``-o -``
        raise OutputError(cannot_write(path, error)) from error
    except BaseException:
        if not in_place:
            temporary.unlink(missing_ok=True)
        raise


def _keep_mode(target: Path, temporary: Path) -> None:
    """Give the file replacing ``target`` the permissions ``target`` has, if it exists: a
    file the user made private stays private (its owner is the writer's, as for any file
    written anew)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return
    os.chmod(temporary, mode)


def write_output(path: str | os.PathLike[str] | None, data: bytes) -> None:
    """Write ``data`` to ``path`` as :func:`open_output` does."""
    with open_output(path) as out:
        out.write(data)


def refuse_binary_on_terminal(path: str | None, what: str) -> None:
    """A usage error when binary output (``what``) would go to a terminal, as gzip refuses."""
    if is_stdout(path) and sys.stdout.isatty():
        raise click.UsageError(f"{what} is not written to a terminal: use -o FILE or a pipe")


# -- the command line ---------------------------------------------------------------------


class OutputPath(click.Path):
    """``-o FILE``: a file to write, or ``-`` for standard output; a path that cannot be
    written (missing or read-only directory, read-only file, a directory) is a usage error
    naming it, found before anything is read or written."""

    def __init__(self) -> None:
        super().__init__(allow_dash=True)
        self.name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(super().convert(value, param, ctx))
        if text != STDOUT:
            reason = problem(text)
            if reason is not None:
                self.fail(reason, param, ctx)
        return text


def output_option(help_text: str) -> Callable[[F], F]:
    """``-o FILE`` / ``--output FILE``, standard output by default."""
    return click.option(
        "-o",
        "--output",
        type=OutputPath(),
        default=None,
        metavar="FILE",
        help=help_text,
    )


def end_quietly_on_closed_pipe() -> None:
    """After a closed pipe on standard output (``| head``): send what is still buffered to
    /dev/null so that flushing at exit raises nothing, as the Python docs advise
    (library/signal.html, "Note on SIGPIPE")."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
