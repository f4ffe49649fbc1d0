"""Scrapy settings of the archiver: only deviations from Scrapy's defaults, plus ARCHIVE_*."""

from __future__ import annotations

import os

BOT_NAME = "sputnik-archiver"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

#: Where the archive lives (``-s ARCHIVE_PATH=...``); unset means the environment variable
#: ``ARCHIVE_PATH``, else ``./archive.db``.
ARCHIVE_PATH: str | None = None
#: A page where site owners can learn about the crawler and reach its operator.
ARCHIVE_CONTACT_URL = os.environ.get(
    "ARCHIVE_CONTACT_URL", "https://github.com/sputnik-archiver/sputnik-archiver"
)
USER_AGENT = f"sputnik-archiver/0.1 (+{ARCHIVE_CONTACT_URL})"

ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own lets requests that wait for robots.txt through unchecked (see the module).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robotstxt.RobotsTxtMiddleware": 100,
}

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_TIMEOUT = 30
#: Bodies larger than this (after decompression) are refused.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Breadth-first: pages found close to the start are archived before their "Lire aussi" chains.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.store.ArchivePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.crawl_history.CrawlHistory": 100,
}
