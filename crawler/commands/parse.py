"""``scrapy parse`` that leaves the archive alone (see :mod:`crawler.commands.debugging`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.commands.parse import Command as ScrapyParseCommand

from crawler.commands.debugging import LEAVES_ARCHIVE_ALONE, LeavesArchiveAlone

if TYPE_CHECKING:
    import argparse

#: The spider ``scrapy parse URL`` uses when no spider's domains hold the URL.
DEFAULT_SPIDER = "sputnik"


class Command(LeavesArchiveAlone, ScrapyParseCommand):
    """Scrapy's ``parse``, archiving nothing, its URL's host allowed even on loopback, and
    the project's spider when it has one and no spider claims the URL."""

    def long_desc(self) -> str:
        return (
            f"{super().long_desc()}: the items and the requests its callback yields. Without "
            f"--spider, the spider whose domains hold the URL, else the project's "
            f"{DEFAULT_SPIDER} spider. {LEAVES_ARCHIVE_ALONE}"
        )

    def set_spidercls(self, url: str, opts: argparse.Namespace) -> None:
        # The spider's domains come from its arguments (start, urls), so Scrapy's lookup by
        # allowed_domains finds none for a bare URL: "Unable to find spider" even for the
        # replica or the live site.
        assert self.crawler_process is not None
        loader = self.crawler_process.spider_loader
        names = loader.list()
        if not opts.spider and not loader.find_by_request(Request(url)):
            # The news spider needs site, start or urls: the spider of a site needs none.
            opts.spider = DEFAULT_SPIDER if DEFAULT_SPIDER in names else names[0]
        super().set_spidercls(url, opts)
