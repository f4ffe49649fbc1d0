"""Waits for the archive that a stopping crawl cuts short.

A storage fault is waited out for ``ARCHIVE_WRITE_PATIENCE`` (a minute by default), by the
writer process and by the crawl's own connection (opening the archive, the ``crawls`` row).
A crawl being stopped must not wait that long: on SIGINT or SIGTERM, :class:`Hurry` tells
every wait it knows of to give up at its next attempt (within a second), then hands the
signal on to Scrapy's own handler. Its handler wraps Scrapy's while the crawl runs; a wait
registered after the signal came gives up at once.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable
from typing import Any

#: The signals that stop a crawl.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Hurry:
    """The storage waits of one crawl, told to give up when it is being stopped."""

    def __init__(self) -> None:
        self.hurried = False
        self._callbacks: list[Callable[[], None]] = []
        self._installed: dict[int, tuple[Any, Any]] = {}

    def add(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (e.g. ``Archive.hurry``) when the crawl is stopped; at once if it
        is being stopped already."""
        self._callbacks.append(callback)
        if self.hurried:
            callback()

    def now(self) -> None:
        """The crawl is being stopped: every wait gives up. Safe in a signal handler."""
        self.hurried = True
        for callback in list(self._callbacks):
            callback()

    def install(self) -> None:
        """Hurry on SIGINT and SIGTERM, before the handler in place (Scrapy's) runs."""
        for number in STOP_SIGNALS:
            previous = signal.getsignal(number)
            if not callable(previous) or number in self._installed:
                continue

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                self.now()
                previous(signum, frame)

            with contextlib.suppress(ValueError):  # not the main thread: no signals here
                signal.signal(number, handler)
                self._installed[number] = (handler, previous)

    def uninstall(self) -> None:
        """Put back the handlers wrapped, unless something replaced ours since (Scrapy does,
        after a first signal)."""
        for number, (ours, previous) in self._installed.items():
            with contextlib.suppress(ValueError):
                if signal.getsignal(number) is ours:
                    signal.signal(number, previous)
        self._installed.clear()
