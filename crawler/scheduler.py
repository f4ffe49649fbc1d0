"""Scrapy's scheduler, holding a bounded number of waiting requests in memory and the rest on
disk.

With a JOBDIR (``scrapy crawl`` gives each run one, see ``crawler/commands/crawl.py``),
Scrapy's own scheduler pickles every request to a disk queue, and a queue that empties is
deleted with its directory. A crawl that keeps up with what it finds (an incremental run, a
``revisit=all`` run feeding its due articles one at a time) has an empty queue most of the
time, so each request made a directory and a file, pickled itself (looking its callback up
among the spider's members), and removed both when popped: 10,000 articles revisited took
31-35 s on disk queues against 22 s in memory, most of the difference creating and removing
directories.

:class:`SpillingScheduler` keeps requests in memory while fewer than
``ARCHIVE_MEMORY_QUEUE_SIZE`` wait there and none waits on disk; beyond that they go to
disk until the disk queue is empty again. Everything in memory was therefore queued before
everything on disk, and memory is served first (as in Scrapy's scheduler): requests leave in
the order they came, by priority within each queue, so a higher-priority request on disk
waits for the (at most ``ARCHIVE_MEMORY_QUEUE_SIZE``) requests queued before it in memory.
Memory stays bounded (about 3 kB per request) however many URLs the sitemaps list. A JOBDIR
the user gives to pause and resume a crawl keeps only the disk part: ``scrapy crawl`` here
resumes from the archive's frontier instead.
"""

from __future__ import annotations

from functools import cached_property

from scrapy import Request
from scrapy.core.scheduler import Scheduler

#: Waiting requests kept in memory before the next ones go to disk (about 3 MB).
DEFAULT_MEMORY_QUEUE_SIZE = 1000


class SpillingScheduler(Scheduler):
    """See the module documentation. Without a JOBDIR it is Scrapy's scheduler."""

    @cached_property
    def memory_queue_size(self) -> int:
        if self.crawler is None:
            return DEFAULT_MEMORY_QUEUE_SIZE
        return self.crawler.settings.getint("ARCHIVE_MEMORY_QUEUE_SIZE", DEFAULT_MEMORY_QUEUE_SIZE)

    def _dqpush(self, request: Request) -> bool:
        if self.dqs is None:
            return False
        if not len(self.dqs) and len(self.mqs) < self.memory_queue_size:
            return False  # into the memory queue (Scheduler.enqueue_request)
        return super()._dqpush(request)
