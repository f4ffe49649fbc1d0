"""``scrapy fetch`` that leaves the archive alone (see :mod:`crawler.commands.debugging`)."""

from __future__ import annotations

from scrapy.commands.fetch import Command as ScrapyFetchCommand

from crawler.commands.debugging import LeavesArchiveAlone


class Command(LeavesArchiveAlone, ScrapyFetchCommand):
    """Scrapy's ``fetch``, archiving nothing, its URL's host allowed even on loopback."""
