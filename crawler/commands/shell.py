"""``scrapy shell`` that leaves the archive alone (see :mod:`crawler.commands.debugging`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.shell import Command as ScrapyShellCommand

from crawler.commands.debugging import LEAVES_ARCHIVE_ALONE, leave_archive_alone

if TYPE_CHECKING:
    import argparse


class Command(ScrapyShellCommand):
    """Scrapy's ``shell``, archiving nothing, its URL's host allowed even on loopback."""

    def long_desc(self) -> str:
        return f"{super().long_desc()} {LEAVES_ARCHIVE_ALONE}"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        leave_archive_alone(self.settings, args)
