"""A Scrapy extension for the benchmarks: write the crawl's final stats as JSON to a file.

Besides Scrapy's stats, it records the process CPU time (user + system) spent between the
engine's start and the spider's close, ``bench/crawl_cpu_seconds``: the crawl's own CPU,
without the interpreter's start-up and imports, plus that of its archive writer process
(``archive/writer/cpu_seconds``, whole: it starts with the crawl), also given apart as
``bench/writer_cpu_seconds``. The writer is closed before this extension's ``spider_closed``
(the crawl-history extension comes first in ``EXTENSIONS``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class StatsToFile:
    """At spider close, dump the stats to the file named by the ``BENCH_STATS_FILE`` setting."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self.cpu_at_start: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsToFile:
        path = crawler.settings.get("BENCH_STATS_FILE")
        if not path:
            raise NotConfigured
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def engine_started(self) -> None:
        self.cpu_at_start = time.process_time()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        stats["finish_reason"] = reason
        if self.cpu_at_start is not None:
            writer = float(stats.get("archive/writer/cpu_seconds", 0.0))
            stats["bench/writer_cpu_seconds"] = writer
            stats["bench/crawl_cpu_seconds"] = time.process_time() - self.cpu_at_start + writer
        self.path.write_text(json.dumps(stats, default=str, indent=1))
