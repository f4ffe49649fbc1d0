"""What ``scrapy shell``, ``fetch``, ``view`` and ``parse`` share: they leave the archive alone.

They are for looking at a page the way the crawler sees it. Run in the project, Scrapy's own
commands load its settings and so its archive components: each run added a ``crawls`` row
(``shell`` left it ``running``, with a stale lock), ``parse`` recorded the links it found in
the frontier, and the replica on 127.0.0.1 could not be fetched at all, since only the
spider's ``start`` and ``urls`` name hosts. The project's versions of the four commands are
Scrapy's with two settings changed before the crawler is made:

- ``ARCHIVE_ENABLED`` off, whatever ``-s`` says: every archive component stands aside
  (``crawler.session.archiving``), so the archive is not even opened and no lock is taken;
- the host of the URL given added to ``ARCHIVE_ALLOWED_HOSTS``: a host the user names is
  fetched even on loopback or a private address, as for a crawl's ``start`` and ``urls``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.utils.url import guess_scheme

from crawler.middlewares.safety import allowed_hosts

if TYPE_CHECKING:
    import argparse

    from scrapy.settings import BaseSettings, Settings

#: Added to each command's ``-h`` description.
LEAVES_ARCHIVE_ALONE = "Never writes to the archive (no crawl row, no lock)."


def url_hosts(args: Iterable[str]) -> list[str]:
    """The hosts of the http(s) URLs among a command's arguments (``example.com/a`` counts as
    ``http://example.com/a``, as ``scrapy shell`` reads it)."""
    hosts: list[str] = []
    for arg in args:
        try:
            parts = urlsplit(guess_scheme(arg))
            host = parts.hostname
        except ValueError:  # a malformed netloc: the command says so itself
            continue
        if parts.scheme in ("http", "https") and host:
            hosts.append(host)
    return hosts


def leave_archive_alone(settings: BaseSettings, args: Sequence[str]) -> None:
    """Set up a debugging command run with ``args``: archiving off, the host of its URL (the
    first argument, as the four commands read it) named. Set at ``cmdline`` priority after
    the command's ``-s`` options, so that no ``-s ARCHIVE_ENABLED=True`` turns it back on."""
    settings.set("ARCHIVE_ENABLED", False, priority="cmdline")
    named = dict.fromkeys([*allowed_hosts(settings), *url_hosts(args[:1])])
    settings.set("ARCHIVE_ALLOWED_HOSTS", list(named), priority="cmdline")


class LeavesArchiveAlone:
    """Mixed into a Scrapy command (before it): archiving off, the host of its URL named."""

    settings: Settings | None

    def long_desc(self) -> str:
        description: str = super().long_desc()  # type: ignore[misc]
        return f"{description.rstrip('. ')}. {LEAVES_ARCHIVE_ALONE}"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        parent: Any = super()
        parent.process_options(args, opts)
        assert self.settings is not None
        leave_archive_alone(self.settings, args)
