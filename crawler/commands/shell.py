"""``scrapy shell`` that leaves the archive alone (see :mod:`crawler.commands.debugging`)."""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShellCommand

from crawler.commands.debugging import LeavesArchiveAlone


class Command(LeavesArchiveAlone, ScrapyShellCommand):
    """Scrapy's ``shell``, archiving nothing, its URL's host allowed even on loopback."""
