"""``scrapy view`` that leaves the archive alone (see :mod:`crawler.commands.debugging`)."""

from __future__ import annotations

from scrapy.commands.view import Command as ScrapyViewCommand

from crawler.commands.debugging import LeavesArchiveAlone


class Command(LeavesArchiveAlone, ScrapyViewCommand):
    """Scrapy's ``view``, archiving nothing, its URL's host allowed even on loopback."""
