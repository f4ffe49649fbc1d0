"""``archive crawl``: a crawl from any directory, once the package is installed.

A crawl is Scrapy's (``scrapy crawl``, with the project's commands, settings and exit
statuses); this module only builds its command line and environment, so that it runs the
same whether or not the current directory holds the project's ``scrapy.cfg``: the settings
module is named in ``SCRAPY_SETTINGS_MODULE`` (unless the environment names one already, a
module of the user's own that starts from ``crawler.settings``). The archive never imports
Scrapy: the crawl runs as Scrapy's command line in place of the ``archive`` process (``exec``),
so signals and the exit status are the crawl's own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from archive.pythonpath import module_command

#: The project's Scrapy settings (what its ``scrapy.cfg`` names).
SETTINGS_MODULE = "crawler.settings"
#: Spiders a SITE argument may name directly; any other name is a site of the news spider.
SPIDERS = ("sputnik", "news")


def crawl_arguments(site: str, db: str, passed: Sequence[str]) -> list[str]:
    """The ``scrapy crawl`` arguments for ``archive crawl SITE PASSED...`` into archive ``db``.

    ``SITE`` is a spider (``sputnik``, ``news``), an http(s) URL (the news spider discovers
    from it: ``-a start=URL``) or a site name (the news spider with ``-a site=SITE``; an
    unknown one is refused by the spider, naming the known ones). ``passed`` are options of
    ``scrapy crawl`` (``-a``, ``-s``, ``-o``/``-O``, ``-L``, ``--logfile`` ...), kept in
    their order after the archive's path, so a ``-s ARCHIVE_PATH=...`` of theirs wins.
    """
    if site in SPIDERS:
        spider, chosen = site, []
    elif site.startswith(("http://", "https://")):
        spider, chosen = "news", ["-a", f"start={site}"]
    else:
        spider, chosen = "news", ["-a", f"site={site}"]
    return ["crawl", spider, *chosen, "-s", f"ARCHIVE_PATH={db}", *passed]


def crawl_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The crawl's environment: ``environ`` with the project's settings module named,
    unless it names one already."""
    env = dict(environ)
    env.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    return env


def crawl_command(site: str, db: str, passed: Sequence[str]) -> list[str]:
    """The crawl's whole command line: ``python -m scrapy crawl ...`` with this Python, run
    without the current directory on the module path (:mod:`archive.pythonpath`)."""
    return module_command("scrapy", crawl_arguments(site, db, passed))


def run_crawl(site: str, db: str, passed: Sequence[str]) -> None:
    """Become the crawl (never returns): ``scrapy crawl ...`` run by this Python."""
    arguments = crawl_command(site, db, passed)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, arguments, crawl_environment(os.environ))
