"""A crawl's archive writes, made by a process of their own.

Storing an article is about half of a crawl's CPU (MinHash bands, French folding, zlib, two
full-text indexes, the group commit). In the crawl's own process that work takes turns with
Scrapy's; in a second process it runs beside it, on another core, while the crawl goes on
fetching and parsing. :class:`ArchiveWriter` starts ``python -m archive.writer`` and sends it
the crawl's per-page writes (the :data:`WRITES` methods of :class:`~archive.Archive`) over a
pipe, in order; the writer makes them one after the other with group commit
(:meth:`Archive.batch_commits`) and answers those the caller waits for.

The writes are made in the order they were sent, so a commit always holds a prefix of them,
as it would with the writes made in the crawl's process. If the crawl's process dies
(``kill -9``), the kernel kills the writer with it (``PR_SET_PDEATHSIG`` on Linux; elsewhere
the writer sees the pipe end and rolls back its open batch): what it had not committed is lost
as the crawl's own connection would have lost it, and the frontier has every URL whose page
was not stored. If the writer dies, every write not yet answered fails with
:class:`ArchiveWriterError` and so does every later one. The writer runs in a session of its
own, so Ctrl-C at the terminal reaches only the crawl, which then closes it.

The crawl's process keeps its own connection for reads (WAL: readers never wait for the
writer) and writes only before the writer starts and after it is closed (the ``crawls`` row).
Its reads see the writer's work once committed (up to a commit interval late), where the
crawl's own connection saw its uncommitted writes: a page found again under another URL of
an article stored within that second may be fetched once more (and stored as unchanged).

Whatever the writer prints (a crash's traceback) is logged by the crawl, line by line, as
``archive.writer`` warnings, so it lands in the crawl's ``LOG_FILE``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import itertools
import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from archive.store import Archive, ArchiveError

logger = logging.getLogger(__name__)

#: The methods of :class:`~archive.Archive` the writer makes (its group-committed writes).
WRITES = frozenset(
    {
        "store_article",
        "record_fetch",
        "add_to_frontier",
        "mark_gone",
        "record_alias",
        "record_not_modified",
    }
)

#: Request kinds besides the writes.
OPEN, CLOSE = "open", "close"

#: Bytes a request pipe may hold before the crawl waits for the writer (Linux raises an
#: unprivileged pipe to at most ``/proc/sys/fs/pipe-max-size``, 1 MiB by default): a few
#: dozen article pages, so short stalls of either side do not hold up the other.
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)

#: Seconds :meth:`ArchiveWriter.close` waits for the writer to commit and exit.
CLOSE_TIMEOUT_S = 300.0


class ArchiveWriterError(ArchiveError):
    """A write the writer process failed to make, or could not be sent to it."""


def _check_write(method: str, error: type[Exception]) -> None:
    if method not in WRITES:
        raise error(f"not a write the archive writer makes: {method}")


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)


class ArchiveWriter:
    """The crawl's side of a writer process for the archive at ``path``.

    ``revisit`` is the archive's revisit schedule (as for :class:`~archive.Archive`);
    ``interval`` and ``size`` its group commit (:meth:`Archive.batch_commits`).
    ``on_exit`` is called, from a thread of its own, with the writer's exit status when it
    exits before :meth:`close` asked it to.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        revisit: Any = None,
        interval: float = 1.0,
        size: int = 100,
        on_exit: Callable[[int], None] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.on_exit = on_exit
        self.errors = 0
        """Writes sent without waiting for them that failed (each one logged)."""
        self.usage: dict[str, float] = {}
        """The writer's own resource use, once closed: ``cpu_seconds`` (user + system) and
        ``max_rss_kb`` (its peak resident set)."""
        self._pending: dict[int, Future[Any]] = {}
        self._numbers = itertools.count(1)
        self._closing = False
        self._gone: str | None = None
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        _grow_pipe(request_write)
        package_root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        arguments = [str(fd) for fd in (request_read, reply_write, os.getpid())]
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "archive.writer", *arguments],
                pass_fds=(request_read, reply_write),
                stdin=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,  # Ctrl-C is the crawl's: it closes the writer
            )
        except BaseException:
            for fd in (request_write, reply_read):
                os.close(fd)
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        self._reader = threading.Thread(target=self._read, name="archive-writer", daemon=True)
        self._reader.start()
        self._output = threading.Thread(target=self._log_output, name="archive-writer-output")
        self._output.daemon = True
        self._output.start()
        options = {"revisit": revisit, "interval": interval, "size": size}
        self._send((0, OPEN, (self.path,), options))

    # -- the crawl's side ----------------------------------------------------------------

    def submit(self, method: str, *args: Any, wait: bool = True, **kwargs: Any) -> Future[Any]:
        """Send one write (``Archive.<method>(*args, **kwargs)``) to the writer.

        ``wait``: the returned future gets the method's result or its error. Otherwise the
        future is already done (``None``) and an error of the write is logged and counted
        in :attr:`errors` when the writer reports it.
        """
        _check_write(method, ValueError)
        future: Future[Any] = Future()
        number = next(self._numbers)
        if wait:
            self._pending[number] = future
        else:
            future.set_result(None)
        try:
            self._send((number, method, args, kwargs, wait))
        except BaseException:  # not sent (the writer is gone, or an argument would not pickle)
            self._pending.pop(number, None)
            raise
        return future

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Have the writer commit what it holds and exit; wait for it.

        :class:`ArchiveWriterError` when it could not (it died, or failed to commit).
        """
        if self._closing:
            return
        self._closing = True
        try:
            self._send((0, CLOSE, (), {}))
        except ArchiveWriterError:
            pass  # gone already: its status says how
        finally:
            self._requests.close()
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._reader.join(timeout)
        self._output.join(timeout)
        self._replies.close()
        if self._gone is not None:
            raise ArchiveWriterError(self._gone)
        if status != 0:
            raise ArchiveWriterError(f"the archive writer exited with status {status}")

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._gone is not None:
            raise ArchiveWriterError(self._gone)
        try:
            self._requests.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError) as error:
            raise ArchiveWriterError(f"the archive writer is gone: {error}") from error

    def _read(self) -> None:
        """The replies, until the writer closes its end (its own thread)."""
        while True:
            try:
                number, ok, value = pickle.loads(self._replies.recv_bytes())
            except (EOFError, OSError):
                break
            try:
                self._deliver(number, ok, value)
            except Exception:  # never stop reading: the writer would block on a full pipe
                logger.exception("could not deliver an answer of the archive writer")
        self._ended()

    def _log_output(self) -> None:
        """What the writer prints, into the crawl's log (its own thread)."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                logger.warning("archive writer: %s", text)
        self.process.stderr.close()

    def _deliver(self, number: int, ok: bool, value: Any) -> None:
        if number == 0:  # its answer to being opened (only when it failed) or closed
            if ok:
                self.usage = dict(value)
            else:
                self._gone = f"the archive writer failed: {value}"
                logger.error("%s", self._gone)
            return
        future = self._pending.pop(number, None)
        if ok:
            if future is not None:
                _settle(future, value)
            return
        message, details = value
        if future is not None:
            _settle(future, error=ArchiveWriterError(message))
            return
        self.errors += 1
        logger.error("archive write failed in the writer process: %s\n%s", message, details)

    def _ended(self) -> None:
        """The writer closed its replies: it exited (asked to, or not)."""
        status = self.process.wait()
        if not self._closing and self._gone is None:
            self._gone = f"the archive writer exited with status {status} during the crawl"
            logger.error("%s", self._gone)
        error = ArchiveWriterError(self._gone or "the archive writer has closed")
        for number in list(self._pending):
            future = self._pending.pop(number, None)
            if future is not None:
                _settle(future, error=error)
        if not self._closing and self.on_exit is not None:
            self.on_exit(status)


def _settle(future: Future[Any], value: Any = None, error: BaseException | None = None) -> None:
    """Give a future its result, unless its waiter gave up on it (cancelled)."""
    with contextlib.suppress(InvalidStateError):
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


# -- the writer's side -------------------------------------------------------------------


def serve(requests: Connection, replies: Connection) -> int:
    """Make the writes read from ``requests`` until :data:`CLOSE` (exit status 0) or the end of
    the pipe (the crawl died: the uncommitted writes are rolled back; status 0 as well)."""
    _, kind, args, kwargs = pickle.loads(requests.recv_bytes())
    if kind != OPEN:
        raise ArchiveWriterError(f"the archive writer was sent {kind!r} before {OPEN!r}")
    try:
        archive = Archive(args[0], revisit=kwargs["revisit"])
    except Exception as error:
        _reply(replies, 0, False, f"{type(error).__name__}: {error}")
        return 1
    interval, size = float(kwargs["interval"]), int(kwargs["size"])
    archive.batch_commits(interval, size)
    try:
        return _serve(archive, requests, replies, interval)
    finally:
        archive.db.close()


def _serve(archive: Archive, requests: Connection, replies: Connection, interval: float) -> int:
    while True:
        started = archive.batch_started()
        timeout = None if started is None else max(0.0, started + interval - time.monotonic())
        if timeout is not None and not requests.poll(timeout):
            archive.flush()
            continue
        try:
            received = requests.recv_bytes()
        except EOFError:
            archive.abandon_batch()
            return 0
        number, kind, args, kwargs, *rest = pickle.loads(received)
        if kind == CLOSE:
            archive.flush()
            _reply(replies, 0, True, _usage())
            return 0
        wait = bool(rest[0]) if rest else True
        try:
            _check_write(kind, ArchiveWriterError)
            result = getattr(archive, kind)(*args, **kwargs)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            _reply(replies, number, False, (message, traceback.format_exc()))
            continue
        if wait:
            _reply(replies, number, True, result)


def _reply(replies: Connection, number: int, ok: bool, value: Any) -> None:
    replies.send_bytes(pickle.dumps((number, ok, value), protocol=pickle.HIGHEST_PROTOCOL))


def _usage() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": own.ru_utime + own.ru_stime, "max_rss_kb": _peak_rss_kb(own)}


def _peak_rss_kb(own: resource.struct_rusage) -> float:
    """The process's own peak RSS. Linux's ``ru_maxrss`` keeps, across ``exec``, that of the
    process it was forked from (the crawl's, at the writer's start), so ``VmHWM`` is read
    where there is one."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    return float(own.ru_maxrss)


#: ``prctl`` option: the signal a process gets when the thread that started it ends.
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Be killed with the crawl's process (Linux), so that nothing is committed after it
    died; if it is already gone, exit."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    """``python -m archive.writer REQUESTS_FD REPLIES_FD CRAWL_PID``: started by
    :class:`ArchiveWriter`.

    Interrupts are the crawl's to handle: the writer ends when the crawl closes it or its
    pipe, or dies with the crawl's process.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s"
    )
    request_fd, reply_fd, parent = (int(value) for value in (argv or sys.argv[1:]))
    _die_with(parent)
    requests = Connection(request_fd, writable=False)
    replies = Connection(reply_fd, readable=False)
    try:
        return serve(requests, replies)
    finally:
        replies.close()


if __name__ == "__main__":
    sys.exit(main())
