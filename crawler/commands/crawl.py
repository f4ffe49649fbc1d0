"""``scrapy crawl`` with exit statuses a scheduler can act on (see docs/cron.md).

==  =====================================================================================
0   the crawl finished, fetched at least one page and archived everything it fetched
1   the crawl failed: stopped before its end (CLOSESPIDER_* bound, shutdown signal), an
    exception, no page fetched at all (site unreachable, robots.txt forbids everything),
    or the archive could not take every write (a storage fault, a failed write)
2   bad arguments or setup: unknown spider, unknown, invalid or empty spider argument, bad
    option, bad setting (crawler/checks.py: checked before anything is opened, the log
    included), an archive path that cannot be an archive of this release
75  another live run holds the archive's lock (``EX_TEMPFAIL``: try again later)
==  =====================================================================================

Every non-zero status comes with one line on stderr (also logged when ``LOG_FILE`` is set),
so cron, which mails what a job prints, mails exactly the runs that need a look.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from archive import ArchiveError, faults, resolve_path
from crawler.checks import check_overrides, check_settings
from crawler.extensions.crawl_history import (
    FAILURE_STAT,
    FINISH_REASON_STAT,
    FORCED_SHUTDOWN,
    INCOMPLETE,
    STATUS_STAT,
    close_abandoned,
)
from crawler.extensions.crawl_history import NOTHING_FETCHED as NOTHING_FETCHED_REASON
from crawler.extensions.lock import ArchiveBusy
from crawler.spiders.news import BadSpiderArgument

if TYPE_CHECKING:
    import argparse
    from collections.abc import Awaitable, Callable

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_BAD_ARGUMENTS = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL from sysexits.h

NOTHING_FETCHED = "no page fetched (site unreachable, or robots.txt forbids every page)"


@dataclass
class CrawlOutcome:
    """What the crawl came to: its finish reason, pages fetched, the exception that ended it,
    and the archive's verdict (its row's status, and the line saying what it lost)."""

    reason: str | None = None
    pages: int = 0
    error: BaseException | None = None
    status: str | None = None
    failure: str | None = None
    opened: bool = False

    def spider_opened(self, spider: Spider) -> None:
        self.opened = True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        stats = spider.crawler.stats
        # robots.txt answers count as responses but are not pages of the site.
        self.pages = int(stats.get_value("response_received_count", 0) or 0) - int(
            stats.get_value("robotstxt/response_count", 0) or 0
        )

    def failed(self, error: BaseException) -> None:
        self.error = error


def exit_status(outcome: CrawlOutcome) -> tuple[int, str | None]:
    """The exit status of a crawl and, unless it is 0, the line that explains it."""
    error = outcome.error
    if isinstance(error, BadSpiderArgument):
        return EXIT_BAD_ARGUMENTS, str(error)
    if isinstance(error, ArchiveBusy):
        return EXIT_LOCKED, str(error)
    if error is not None:
        return EXIT_FAILED, f"crawl failed: {type(error).__name__}: {error}"
    if outcome.reason is None:
        return EXIT_FAILED, "crawl failed: the spider never opened"
    if outcome.failure is not None:
        verdict = "incomplete" if outcome.status == INCOMPLETE else "failed"
        return EXIT_FAILED, f"crawl {verdict}: {outcome.failure}"
    if outcome.reason == FORCED_SHUTDOWN:
        return EXIT_FAILED, "crawl interrupted: stopped at once by a second signal"
    if outcome.reason == NOTHING_FETCHED_REASON:
        return EXIT_FAILED, f"crawl failed: {NOTHING_FETCHED}"
    if outcome.reason != "finished":
        return EXIT_FAILED, f"crawl failed: closed before its end ({outcome.reason})"
    if outcome.pages <= 0:
        return EXIT_FAILED, f"crawl failed: {NOTHING_FETCHED}"
    return EXIT_FINISHED, None


def accepted_arguments(spidercls: type[Spider]) -> tuple[str, ...] | None:
    """The ``-a`` names a spider takes: its ``ARGUMENTS``, else its ``__init__``'s named
    parameters; ``None`` (anything goes) for a spider without an ``__init__`` of its own."""
    declared: tuple[str, ...] | None = getattr(spidercls, "ARGUMENTS", None)
    if declared is not None:
        return tuple(declared)
    if spidercls.__init__ is Spider.__init__:
        return None
    parameters = list(inspect.signature(spidercls.__init__).parameters.values())[1:]
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(p.name for p in parameters if p.kind in named)


#: ``-a`` names a scheduler passes to every spider, taken whatever the spider: Scrapyd gives
#: each job its id as ``-a _job=ID`` (docs/scaling.md). Not recorded in ``crawls.arguments``.
SCHEDULER_ARGUMENTS = ("_job",)


def unknown_argument_message(spidercls: type[Spider], arguments: dict[str, Any]) -> str | None:
    """The refusal line for ``-a`` names the spider does not take, or ``None``."""
    accepted = accepted_arguments(spidercls)
    if accepted is None:
        return None
    unknown = [name for name in arguments if name not in (*accepted, *SCHEDULER_ARGUMENTS)]
    if not unknown:
        return None
    names = ", ".join(repr(name) for name in unknown)
    plural = "s" if len(unknown) > 1 else ""
    return f"unknown spider argument{plural} {names}; {spidercls.name} takes {', '.join(accepted)}"


def watch(pending: Awaitable[None], on_error: Callable[[BaseException], None]) -> None:
    """Call ``on_error`` with the exception that ends a crawl, consuming it so that asyncio or
    Twisted do not also print it with a traceback."""

    def consume_failure(failure: Failure) -> None:
        if failure.value is not None:
            on_error(failure.value)

    def consume_task(task: asyncio.Future[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            on_error(error)

    if isinstance(pending, Deferred):
        pending.addErrback(consume_failure)
    elif isinstance(pending, asyncio.Future):
        pending.add_done_callback(consume_task)


def scheduler_on_disk(crawler: Crawler) -> str | None:
    """Keep the crawl's waiting requests on disk: a fresh JOBDIR for this run only.

    A first crawl of a site finds every article in the sitemaps at once; Scrapy's memory
    queues then held ~100,000 requests (over 400 MB at 100,000 articles). With a JOBDIR,
    Scrapy's scheduler pickles them to disk queues (SCHEDULER_DISK_QUEUE). The directory is
    this run's own and removed after it: resuming is the archive's frontier's job, not
    Scrapy's. Off with ``ARCHIVE_DISK_QUEUE = False``, or when the user gives a JOBDIR.
    Returns the directory to remove, or ``None``.
    """
    settings = crawler.settings
    if not settings.getbool("ARCHIVE_DISK_QUEUE", True) or settings.get("JOBDIR"):
        return None
    remove_dead_queues()
    directory = tempfile.mkdtemp(prefix=f"{QUEUE_PREFIX}{os.getpid()}-")
    settings.set("JOBDIR", directory, priority="cmdline")
    return directory


#: Name of a run's queue directory in the temporary directory: the prefix, the pid, a dash.
QUEUE_PREFIX = "sputnik-archiver-queue-"


def remove_dead_queues(parent: str | None = None) -> list[str]:
    """Remove the queue directories left by runs that were killed (their pid is gone);
    returns their paths. A live run's directory, or one not named as ours, is left alone."""
    parent = parent or tempfile.gettempdir()
    removed = []
    for entry in os.scandir(parent):
        if not entry.name.startswith(QUEUE_PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        pid = entry.name[len(QUEUE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, refusing unknown spider arguments and exiting with a status that
    says how the crawl went."""

    spider_name = ""
    #: The line refusing a bad setting, found before Scrapy builds anything.
    settings_refusal: str | None = None

    def long_desc(self) -> str:
        return (
            "Run a spider of the project. Exit status: 0 finished, 1 failed (stopped early, "
            "error, or nothing fetched), 2 bad arguments or settings, 75 archive locked by "
            "another run."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's options, then the settings checked (crawler/checks.py). Here, not in
        ``run``: between the two Scrapy builds the crawler process, which opens ``LOG_FILE``
        and reads the log settings, so a bad one would end in a traceback first."""
        assert self.settings is not None
        # A dict setting given text that is not a JSON object fails inside Scrapy's own
        # processing, with a traceback: checked before.
        self.settings_refusal = check_overrides(self.settings, opts.set)
        if self.settings_refusal is None:
            super().process_options(args, opts)
            self.settings_refusal = check_settings(self.settings) or self._archive_refusal()
        if self.settings_refusal is not None:
            self.requires_crawler_process = False  # nothing opened: no log, no reactor

    def _archive_refusal(self) -> str | None:
        """Why the archive path cannot be an archive of this release (a directory, a foreign
        or truncated file, one made by a newer release...), or ``None``; nothing written."""
        assert self.settings is not None
        try:
            faults.check_file(resolve_path(self.settings.get("ARCHIVE_PATH") or None))
        except ArchiveError as error:
            return str(error)
        return None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if self.settings_refusal is not None:
            self._refuse_settings(args, self.settings_refusal)
            return
        spidercls = self._spider_class(args)
        self.spider_name = spidercls.name
        refusal = unknown_argument_message(spidercls, opts.spargs)
        if refusal is not None:
            self._report(EXIT_BAD_ARGUMENTS, refusal)
            return
        crawler = self._create_crawler(spidercls)
        queue_dir = scheduler_on_disk(crawler)
        try:
            outcome = self._run_crawl(crawler, opts.spargs)
        finally:
            if queue_dir is not None:
                shutil.rmtree(queue_dir, ignore_errors=True)
        status, message = exit_status(outcome)
        if outcome.error is not None and status == EXIT_FAILED:
            logger.error("Crawl failed", exc_info=outcome.error)
        self._report(status, message)

    def _refuse_settings(self, args: list[str], message: str) -> None:
        """Exit 2 with the one line: on stderr only, as the log was never opened."""
        if len(args) != 1:
            self._spider_class(args)  # the usage error comes first
        self.spider_name = args[0]
        self.exitcode = EXIT_BAD_ARGUMENTS
        sys.stderr.write(f"scrapy crawl {self.spider_name}: {message}\n")

    def _spider_class(self, args: list[str]) -> type[Spider]:
        if len(args) != 1:
            raise UsageError("give exactly one spider name" if args else "")
        assert self.crawler_process is not None
        try:
            return self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r}", print_help=False) from None

    def _run_crawl(self, crawler: Crawler, arguments: dict[str, Any]) -> CrawlOutcome:
        assert self.crawler_process is not None
        outcome = CrawlOutcome()
        crawler.signals.connect(outcome.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(outcome.spider_closed, signal=signals.spider_closed)
        watch(self.crawler_process.crawl(crawler, **arguments), outcome.failed)
        self.crawler_process.start()
        if outcome.reason is None and outcome.opened and close_abandoned(crawler):
            outcome.reason = FORCED_SHUTDOWN  # a second signal stopped it without closing
        # The archive's verdict: its own reason when it differs (a storage fault, its writer
        # died, nothing fetched), its row's status and what it lost. (Stats exist once the
        # spider has closed, not before.)
        if outcome.reason is not None and crawler.stats is not None:
            stats = crawler.stats
            outcome.reason = str(stats.get_value(FINISH_REASON_STAT, outcome.reason))
            outcome.status = stats.get_value(STATUS_STAT)
            outcome.failure = stats.get_value(FAILURE_STAT)
        return outcome

    def _report(self, status: int, message: str | None) -> None:
        self.exitcode = status
        if message is None:
            return
        sys.stderr.write(f"scrapy crawl {self.spider_name}: {message}\n")
        assert self.settings is not None
        # Without LOG_FILE the log is stderr, where the line just went.
        if self.settings.get("LOG_FILE"):
            logger.error(message)
