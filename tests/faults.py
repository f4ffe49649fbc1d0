"""Storage faults on cue, for the tests: a full disk and a held write lock.

A full disk comes from libfiu (Debian's ``fiu-utils``, installed by ``make test``): a process
started under ``fiu-run -x`` has its POSIX calls wrapped, and a failure point such as
``posix/io/rw/pwrite64`` can be turned on and off while it runs, from inside
(:class:`FiuControl`, through ``libfiu.so``) or from outside (:func:`disk_full`, ``fiu-ctrl``
on its pid). SQLite writes its database, WAL and shared-memory files with ``pwrite64``;
Python's pipes and logs use ``write``, so only the archive's disk fills up. The failure is
the kernel's own: the call returns -1 with ``errno`` ENOSPC, and SQLite reacts as it would to
a real full disk (``SQLITE_FULL``, the transaction rolled back).
"""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIU_RUN = "/usr/bin/fiu-run"
FIU_CTRL = "/usr/bin/fiu-ctrl"
#: The calls SQLite writes its files with.
WRITE_CALLS = ("posix/io/rw/pwrite", "posix/io/rw/pwrite64")
#: libfiu's flag: the point fails once, then turns itself off.
FIU_ONETIME = 1


def require_fiu() -> None:
    """Fail (never skip) when libfiu's tools are missing: ``make test`` installs them."""
    for tool in (FIU_RUN, FIU_CTRL):
        if not os.access(tool, os.X_OK):
            pytest.fail(f"{tool} is missing: the fault tests need Debian's fiu-utils, which "
                        "`make test` installs (`make browser`)")  # fmt: skip


def under_fiu(argv: list[str]) -> list[str]:
    """``argv`` run with libfiu's POSIX wrappers, controllable by ``fiu-ctrl``."""
    require_fiu()
    return [FIU_RUN, "-x", *argv]


def fiu_environment() -> dict[str, str]:
    """What ``fiu-run -x`` puts in the environment: a process started with it (a writer
    started by a test, say) can be made to fail by :func:`disk_full`."""
    require_fiu()
    return {
        "FIU_ENABLE": "",
        "FIU_CTRL_FIFO": "/tmp/fiu-ctrl",
        "LD_PRELOAD": "/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so",
    }


def _ctrl(pid: int, command: str) -> None:
    subprocess.run([FIU_CTRL, "-c", command, str(pid)], check=True, timeout=30)


def disk_full(pid: int) -> None:
    """Every write of process ``pid`` (started :func:`under_fiu`) to a file fails with
    ENOSPC until :func:`disk_back`."""
    for call in WRITE_CALLS:
        _ctrl(pid, f"enable name={call},failinfo={errno.ENOSPC}")


def disk_back(pid: int) -> None:
    """The disk of process ``pid`` has room again."""
    for call in WRITE_CALLS:
        _ctrl(pid, f"disable name={call}")


class FiuControl:
    """libfiu from inside a process started :func:`under_fiu`."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL("libfiu.so.0")

    def disk_full(self, *, once: bool = False) -> None:
        """The next file write fails with ENOSPC (``once``), or every one until
        :meth:`disk_back`."""
        flags = FIU_ONETIME if once else 0
        for call in WRITE_CALLS:
            self.lib.fiu_enable(call.encode(), 1, ctypes.c_void_p(errno.ENOSPC), flags)

    def disk_back(self) -> None:
        for call in WRITE_CALLS:
            self.lib.fiu_disable(call.encode())


def as_ordinary_user(argv: list[str]) -> list[str]:
    """``argv`` run without root's power to write any file (as root, it drops
    ``CAP_DAC_OVERRIDE``: file permissions then hold for it as for anyone)."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *argv]


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()  # until told (or the test ends)
conn.execute("ROLLBACK")
"""


class LockHolder:
    """Another process holding the archive's write lock (an open write transaction) until
    :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"
        self.pid = self.process.pid
        self.since = time.monotonic()

    def release(self) -> None:
        stdin, stdout = self.process.stdin, self.process.stdout
        if self.process.poll() is None and stdin is not None and not stdin.closed:
            stdin.write("\n")
            stdin.flush()
            self.process.wait(30)
        for stream in (stdin, stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> LockHolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
