"""A crawl's archive writes, made by a process of their own.

Storing an article is about half of a crawl's CPU (MinHash bands, French folding, zlib, two
full-text indexes, the group commit). In the crawl's own process that work takes turns with
Scrapy's; in a second process it runs beside it, on another core, while the crawl goes on
fetching and parsing. :class:`ArchiveWriter` starts ``python -m archive.writer`` and sends it
the crawl's per-page writes (the :data:`WRITES` methods of :class:`~archive.Archive`) over a
pipe, in order; the writer makes them one after the other with group commit
(:meth:`Archive.batch_commits`) and answers those the caller waits for.

What a write answered means, and what the crawl knows:

- The writes are made in the order they were sent, so a commit always holds a prefix of them,
  as it would with the writes made in the crawl's process. After each commit the writer says
  how far it got (:class:`Committed`): the crawl always knows which of its writes are durable.
- A storage fault (disk full, the write lock held by another process) is waited out for the
  archive's ``patience`` and the batch made again: nothing answered is lost. If it lasts
  longer, the writer gives up (:class:`GaveUp`, naming the cause), makes no further write,
  and the crawl stops: what it had sent after the last commit is *lost*, its pages still
  pending in the frontier for the next run, and the crawl says how many.
- The crawl never waits on the pipe: its writes go through a queue that a thread of its own
  sends, so a stalled writer never blocks the reactor (signals, time bounds). When that queue
  holds more than its ``backlog`` (:data:`BACKLOG_HIGH` bytes by default),
  :meth:`ArchiveWriter.room` gives the caller a
  future to wait on; :meth:`ArchiveWriter.hurry` (the crawl is being stopped) tells the
  writer to stop waiting for storage faults.

If the crawl's process dies (``kill -9``), the kernel kills the writer with it
(``PR_SET_PDEATHSIG`` on Linux; elsewhere the writer sees the pipe end and rolls back its open
batch): what it had not committed is lost as the crawl's own connection would have lost it,
and the frontier has every URL whose page was not stored. If the writer dies, every write not
yet answered fails with :class:`ArchiveWriterError` and so does every later one. The writer
runs in a session of its own, so Ctrl-C at the terminal reaches only the crawl, which then
closes it.

The crawl's process keeps its own connection for reads (WAL: readers never wait for the
writer) and writes only before the writer starts and after it is closed (the ``crawls`` row).
Its reads see the writer's work once committed (up to a commit interval late), where the
crawl's own connection saw its uncommitted writes: a page found again under another URL of
an article stored within that second may be fetched once more (and stored as unchanged).

Whatever the writer prints (a crash's traceback) is logged by the crawl, line by line, as
``archive.writer`` warnings, so it lands in the crawl's ``LOG_FILE``.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import ctypes.util
import fcntl
import itertools
import logging
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from archive.faults import ArchiveError, StorageError
from archive.pythonpath import module_command
from archive.store import DEFAULT_PATIENCE_S, Archive

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
        "update_crawl_counts",
        "store_media",
        "record_media_error",
    }
)

#: Bytes a request pipe may hold before the sending thread waits for the writer (Linux
#: raises an unprivileged pipe to at most ``/proc/sys/fs/pipe-max-size``, 1 MiB by default).
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)

#: Bytes of writes queued in the crawl, not yet in the pipe, beyond which the crawl should
#: wait for room (:meth:`ArchiveWriter.room`): a few hundred pages, so that a writer held up
#: by a storage fault slows the crawl down instead of filling its memory. The waiters go on
#: once it is down to half.
BACKLOG_HIGH = 8 << 20

#: Seconds the crawl waits for a writer that says nothing while work is outstanding, beyond
#: the archive's patience (which the writer itself obeys), before it takes it for hung.
HUNG_MARGIN_S = 30.0
#: Seconds :meth:`ArchiveWriter.close` waits for a writer told to hurry.
HURRIED_CLOSE_S = 10.0

#: The signal that tells the writer to stop waiting for storage faults (:meth:`hurry`).
HURRY_SIGNAL = signal.SIGUSR1


class ArchiveWriterError(ArchiveError):
    """A write the writer process failed to make, or could not be sent to it."""


# -- the messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """First request: the archive to open and how to commit."""

    path: str
    revisit: Any
    interval: float
    size: int
    patience: float


@dataclass(frozen=True)
class Write:
    """One write: ``Archive.<method>(*args, **kwargs)``; ``answer``: reply with its result."""

    number: int
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    answer: bool


@dataclass(frozen=True)
class Close:
    """Last request: commit what is held and exit."""


@dataclass(frozen=True)
class Answer:
    """The result of a write the crawl waits for."""

    number: int
    value: Any


@dataclass(frozen=True)
class Failed:
    """A write that failed for its own reason (undone alone; the others go on)."""

    number: int
    message: str
    details: str


@dataclass(frozen=True)
class Committed:
    """Every write numbered up to ``through`` that did not fail is committed."""

    through: int


@dataclass(frozen=True)
class GaveUp:
    """A storage fault outlasted the archive's patience (or the writer could not open the
    archive): no write after ``through`` will be made."""

    cause: str
    through: int


@dataclass(frozen=True)
class Closed:
    """The writer is exiting, its writes committed up to ``through``; its resource use."""

    usage: dict[str, float]
    through: int


def _check_write(method: str, error: type[Exception]) -> None:
    if method not in WRITES:
        raise error(f"not a write the archive writer makes: {method}")


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)


def _dump(message: Any) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _frame(payload: bytes) -> bytes:
    """``payload`` with the length header :meth:`Connection.recv_bytes` reads first."""
    if len(payload) > 0x7FFFFFFF:
        return struct.pack("!iQ", -1, len(payload)) + payload
    return struct.pack("!i", len(payload)) + payload


# -- the crawl's side ----------------------------------------------------------------------


@dataclass
class WriterState:
    """What the crawl knows of its writes (read from any thread, written by the reply
    thread and :meth:`ArchiveWriter.submit`)."""

    sent: int = 0
    """The number of the last write submitted."""
    committed: int = 0
    """Every write up to this number that did not fail is committed."""
    failed: list[tuple[int, str]] = field(default_factory=list)
    """Writes that failed for their own reason: (number, message)."""
    gave_up: str | None = None
    """Why the writer stopped writing (a storage fault), if it did."""

    def lost(self) -> int:
        """Writes submitted that are neither committed nor failed on their own."""
        failed_after = sum(1 for number, _ in self.failed if number > self.committed)
        return self.sent - self.committed - failed_after


class ArchiveWriter:
    """The crawl's side of a writer process for the archive at ``path``.

    ``revisit`` is the archive's revisit schedule (as for :class:`~archive.Archive`);
    ``interval`` and ``size`` its group commit (:meth:`Archive.batch_commits`); ``patience``
    how long a storage fault is waited out; ``backlog`` the bytes of writes the crawl may
    queue before it waits for room (:meth:`room`). ``on_exit`` is called, from a thread of its own,
    with the writer's exit status when it exits before :meth:`close` asked it to;
    ``on_trouble`` (also from a thread) with each :class:`Failed` or :class:`GaveUp` the
    writer reports and when the writer is taken for hung.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        revisit: Any = None,
        interval: float = 1.0,
        size: int = 100,
        patience: float = DEFAULT_PATIENCE_S,
        backlog: int = BACKLOG_HIGH,
        on_exit: Callable[[int], None] | None = None,
        on_trouble: Callable[[Failed | GaveUp], None] | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.patience = patience
        self.interval = interval
        self.backlog_high, self.backlog_low = backlog, backlog // 2
        self.on_exit = on_exit
        self.on_trouble = on_trouble
        self.state = WriterState()
        self.errors = 0
        """Writes sent without waiting for them that failed (each one logged)."""
        self.usage: dict[str, float] = {}
        """The writer's own resource use, once closed: ``cpu_seconds`` (user + system) and
        ``max_rss_kb`` (its peak resident set)."""
        self._pending: dict[int, Future[Any]] = {}
        self._numbers = itertools.count(1)
        self._closing = False
        self._gone: str | None = None
        """Why the writer is no more (how it ended, or that it was killed)."""
        self._unsent: str | None = None
        """Why a request could not be written into the pipe (the writer died first)."""
        self._lock = threading.Lock()
        self._backlog = 0
        self._room: list[Future[None]] = []
        self._out: collections.deque[memoryview] = collections.deque()
        """Requests (framed) not yet wholly in the pipe, in order."""
        self._wake = threading.Event()
        self._finishing = False
        self._heard = time.monotonic()
        self._over = threading.Event()
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        _grow_pipe(request_write)
        package_root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        arguments = [str(fd) for fd in (request_read, reply_write, os.getpid())]
        # Born with the hurry signal blocked (a mask survives exec): one sent before the
        # writer is ready waits for its handler instead of killing it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {HURRY_SIGNAL})
        try:
            self.process = subprocess.Popen(
                module_command("archive.writer", arguments),
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
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(request_read)
            os.close(reply_write)
        os.set_blocking(request_write, False)  # the crawl's thread never waits on the pipe
        self._request_fd = request_write
        self._replies = Connection(reply_read, writable=False)
        self._threads = [
            threading.Thread(target=self._read, name="archive-writer", daemon=True),
            threading.Thread(target=self._log_output, name="archive-writer-output", daemon=True),
            threading.Thread(target=self._send_all, name="archive-writer-send", daemon=True),
            threading.Thread(target=self._watch, name="archive-writer-watch", daemon=True),
        ]
        self._reader = self._threads[0]
        for thread in self._threads:
            thread.start()
        self._enqueue(Open(self.path, revisit, interval, size, patience))

    # -- the crawl's side ----------------------------------------------------------------

    def submit(self, method: str, *args: Any, wait: bool = True, **kwargs: Any) -> Future[Any]:
        """Send one write (``Archive.<method>(*args, **kwargs)``) to the writer; never blocks.

        ``wait``: the returned future gets the method's result or its error. Otherwise the
        future is already done (``None``) and an error of the write is logged and counted
        in :attr:`errors` when the writer reports it.
        """
        _check_write(method, ValueError)
        reason = self._gone or self.state.gave_up or self._unsent
        if reason is not None:
            raise ArchiveWriterError(reason)
        future: Future[Any] = Future()
        number = next(self._numbers)
        if wait:
            self._pending[number] = future
        else:
            future.set_result(None)
        try:
            self._enqueue(Write(number, method, args, kwargs, wait))
        except BaseException:  # not sent (an argument would not pickle)
            self._pending.pop(number, None)
            raise
        self.state.sent = number
        return future

    def room(self) -> Future[None] | None:
        """``None`` when the crawl may go on sending; else a future done once the writes
        queued in the crawl are down to half the ``backlog`` (or the writer is gone)."""
        with self._lock:
            if self._backlog <= self.backlog_high or self._gone or self._unsent:
                return None
            waiter: Future[None] = Future()
            self._room.append(waiter)
            return waiter

    def hurry(self) -> None:
        """Tell the writer to stop waiting for storage faults to pass: the crawl is being
        stopped. What it cannot write at once is lost (and counted). Safe from a signal
        handler."""
        with contextlib.suppress(ProcessLookupError):
            if self.process.poll() is None:
                os.kill(self.process.pid, HURRY_SIGNAL)

    def close(self, timeout: float | None = None) -> None:
        """Have the writer commit what it holds and exit; wait for it (up to ``timeout``
        seconds: by default the archive's patience and a margin, or :data:`HURRIED_CLOSE_S`
        after :meth:`hurry`; then it is killed).

        :class:`ArchiveWriterError` when it could not (it died, gave up, or failed to commit);
        :attr:`state` says what was committed, failed and lost either way.
        """
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(ArchiveWriterError):
            self._enqueue(Close())
        with self._lock:
            self._finishing = True
        self._wake.set()
        if timeout is None:
            timeout = self.patience + HUNG_MARGIN_S
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._gone = self._gone or f"the archive writer did not finish within {timeout:.0f} s"
            logger.error("%s: killed", self._gone)
            self.process.kill()
            status = self.process.wait()
        self._over.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(5)
        self._replies.close()
        self._release_room()
        if self._gone is not None or self._unsent is not None:
            raise ArchiveWriterError(self._gone or self._unsent or "")
        if self.state.gave_up is not None:
            raise ArchiveWriterError(self.state.gave_up)
        if status != 0:
            raise ArchiveWriterError(f"the archive writer exited with status {status}")

    # -- threads ---------------------------------------------------------------------------

    def _enqueue(self, message: Open | Write | Close) -> None:
        self._send_raw(_dump(message))

    def _send_raw(self, payload: bytes) -> None:
        """Send one request, framed as :class:`multiprocessing.connection.Connection` reads
        it: straight into the pipe when it has room (the usual case: no thread involved),
        else queued behind what waits, for the sending thread."""
        data = memoryview(_frame(payload))
        with self._lock:
            if self._unsent is not None:
                return  # the writer is gone: the crawl is told by how it ended
            if not self._out:
                sent = self._write(data)
                if sent == len(data):
                    return
                data = data[sent:]
            self._out.append(data)
            self._backlog += len(data)
        self._wake.set()

    def _write(self, data: memoryview) -> int:
        """Write what the pipe takes now (with the lock held); the bytes written."""
        try:
            return os.write(self._request_fd, data)
        except BlockingIOError:
            return 0
        except OSError as error:  # the writer died (EPIPE), or its pipe was closed
            self._unsent = f"the archive writer is gone: {error}"
            self._out.clear()
            self._backlog = 0
            return len(data)

    def _send_all(self) -> None:
        """Write the queued requests into the pipe as it empties, in order (its own thread:
        the pipe may stay full while the writer waits for the disk)."""
        while True:
            self._wake.wait()
            with self._lock:
                if not self._out:
                    if self._finishing or self._over.is_set():
                        break
                    self._wake.clear()
                    continue
            if self._over.is_set():
                break
            select.select([], [self._request_fd], [], 1.0)
            with self._lock:
                while self._out:
                    head = self._out[0]
                    sent = self._write(head)
                    if sent == 0 or not self._out:
                        break
                    self._backlog -= sent
                    if sent == len(head):
                        self._out.popleft()
                    else:
                        self._out[0] = head[sent:]
                ready = self._backlog <= self.backlog_low
            if ready:
                self._release_room()
        with contextlib.suppress(OSError):
            os.close(self._request_fd)

    def _release_room(self) -> None:
        with self._lock:
            waiters, self._room = self._room, []
        for waiter in waiters:
            _settle(waiter)

    def _read(self) -> None:
        """The replies, until the writer closes its end (its own thread)."""
        while True:
            try:
                message = pickle.loads(self._replies.recv_bytes())
            except (EOFError, OSError):
                break
            self._heard = time.monotonic()
            try:
                self._deliver(message)
            except Exception:  # never stop reading: the writer would block on a full pipe
                logger.exception("could not deliver an answer of the archive writer")
        self._ended()

    def _watch(self) -> None:
        """Take a writer that says nothing for too long while work is outstanding for hung,
        and kill it (its own thread): the writer obeys the archive's patience itself, so
        this is for a process stuck where no timeout reaches (a dead network file system)."""
        limit = self.patience + self.interval + HUNG_MARGIN_S
        while not self._over.wait(1.0) and self.process.poll() is None:
            waiting = self.state.sent > self.state.committed or self._backlog > 0
            silent = time.monotonic() - self._heard
            if waiting and silent > limit and self.state.gave_up is None:
                cause = f"the archive writer did not answer for {silent:.0f} s"
                logger.error("%s: killed", cause)
                self.state.gave_up = cause
                if self.on_trouble is not None:
                    self.on_trouble(GaveUp(cause, self.state.committed))
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                return
            if not waiting:
                self._heard = time.monotonic()

    def _log_output(self) -> None:
        """What the writer prints, into the crawl's log (its own thread)."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                logger.warning("archive writer: %s", text)
        self.process.stderr.close()

    def _deliver(self, message: Any) -> None:
        if isinstance(message, Answer):
            future = self._pending.pop(message.number, None)
            if future is not None:
                _settle(future, message.value)
        elif isinstance(message, Committed):
            self.state.committed = message.through
        elif isinstance(message, Failed):
            self.state.failed.append((message.number, message.message))
            future = self._pending.pop(message.number, None)
            if future is not None:
                _settle(future, error=ArchiveWriterError(message.message))
            else:
                self.errors += 1
                logger.error(
                    "archive write failed in the writer process: %s\n%s",
                    message.message,
                    message.details,
                )
            if self.on_trouble is not None:
                self.on_trouble(message)
        elif isinstance(message, GaveUp):
            self.state.committed = max(self.state.committed, message.through)
            self.state.gave_up = message.cause
            logger.error("the archive writer gave up: %s", message.cause)
            self._fail_pending(ArchiveWriterError(message.cause))
            if self.on_trouble is not None:
                self.on_trouble(message)
        elif isinstance(message, Closed):
            self.usage = dict(message.usage)
            self.state.committed = max(self.state.committed, message.through)

    def _fail_pending(self, error: ArchiveWriterError) -> None:
        for number in list(self._pending):
            future = self._pending.pop(number, None)
            if future is not None:
                _settle(future, error=error)

    def _ended(self) -> None:
        """The writer closed its replies: it exited (asked to, or not)."""
        status = self.process.wait()
        if not self._closing and self._gone is None:
            self._gone = (
                f"the archive writer gave up: {self.state.gave_up}"
                if self.state.gave_up is not None
                else f"the archive writer exited with status {status} during the crawl"
            )
            logger.error("%s", self._gone)
        self._fail_pending(ArchiveWriterError(self._gone or "the archive writer has closed"))
        self._release_room()
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


class _Writer:
    """The writer process's loop over the requests, and what it tells the crawl."""

    def __init__(self, archive: Archive, replies: Connection, interval: float) -> None:
        self.archive = archive
        self.replies = replies
        self.interval = interval
        self.made: list[int] = []
        """Numbers of the writes made since the last commit the crawl was told of."""
        self.committed = 0
        self.last = 0
        self.gave_up = False

    def reply(self, message: Answer | Failed | Committed | GaveUp | Closed) -> None:
        self.replies.send_bytes(_dump(message))

    def serve(self, requests: Connection) -> int:
        while True:
            started = self.archive.batch_started()
            timeout = (
                None if started is None else max(0.0, started + self.interval - time.monotonic())
            )
            if timeout is not None and not requests.poll(timeout):
                self.flush()
                continue
            try:
                received = requests.recv_bytes()
            except EOFError:
                if not self.gave_up:
                    self.archive.abandon_batch()
                return 0
            message = pickle.loads(received)
            if isinstance(message, Close):
                self.flush()
                self.reply(Closed(_usage(), self.committed))
                return 0
            if not isinstance(message, Write):
                raise ArchiveWriterError(f"the archive writer was sent {message!r}")
            self.write(message)

    def write(self, message: Write) -> None:
        self.last = message.number
        if self.gave_up:
            return  # lost, as the crawl was told
        try:
            _check_write(message.method, ArchiveWriterError)
            result = getattr(self.archive, message.method)(*message.args, **message.kwargs)
        except StorageError as error:
            self.give_up(error)
            return
        except Exception as error:
            text = f"{type(error).__name__}: {error}"
            self.reply(Failed(message.number, text, traceback.format_exc()))
            self.report_commits()
            return
        self.made.append(message.number)
        if message.answer:
            self.reply(Answer(message.number, result))
        self.report_commits()

    def flush(self) -> None:
        if self.gave_up:
            return
        try:
            self.archive.flush()
        except StorageError as error:
            self.give_up(error)
            return
        self.report_commits()

    def give_up(self, error: StorageError) -> None:
        """The archive gave up on a storage fault: no later write will be made."""
        self.gave_up = True
        self.reply(GaveUp(error.cause, self.committed))

    def report_commits(self) -> None:
        """Tell the crawl how far the writes are committed, when that moved: all but the
        last ``batch_length()`` writes made are."""
        held = min(self.archive.batch_length(), len(self.made))
        if held == 0:
            through = self.last
        elif len(self.made) > held:
            through = self.made[-held - 1]
        else:
            return
        self.made = self.made[len(self.made) - held :]
        if through > self.committed:
            self.committed = through
            self.reply(Committed(through))


#: A hurry signal that came before the archive was open.
_hurried = threading.Event()


def _on_hurry(number: int, frame: Any) -> None:
    _hurried.set()


def serve(requests: Connection, replies: Connection) -> int:
    """Make the writes read from ``requests`` until :class:`Close` (exit status 0) or the end
    of the pipe (the crawl died: the uncommitted writes are rolled back; status 0 as well)."""
    opened = pickle.loads(requests.recv_bytes())
    if not isinstance(opened, Open):
        raise ArchiveWriterError(f"the archive writer was sent {opened!r} before opening")
    try:
        # SQLite's own wait for a lock is short so that a hurry is heard within a second;
        # the archive's patience waits longer, in steps.
        archive = Archive(opened.path, revisit=opened.revisit, patience=opened.patience,
                          busy_timeout=1.0)  # fmt: skip
    except Exception as error:
        replies.send_bytes(_dump(GaveUp(f"{type(error).__name__}: {error}", 0)))
        return 1
    signal.signal(HURRY_SIGNAL, lambda number, frame: archive.hurry())
    if _hurried.is_set():
        archive.hurry()
    archive.batch_commits(opened.interval, opened.size)
    try:
        return _Writer(archive, replies, opened.interval).serve(requests)
    finally:
        with contextlib.suppress(Exception):
            archive.db.close()


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
    signal.signal(HURRY_SIGNAL, _on_hurry)  # until the archive is open
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {HURRY_SIGNAL})  # blocked since its birth
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
    # Run as ``archive.writer``, not ``__main__``: the messages' classes must be the ones
    # the crawl pickles.
    from archive.writer import main as writer_main

    sys.exit(writer_main())
