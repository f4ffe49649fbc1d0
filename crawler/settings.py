"""Scrapy settings of the archiver: only deviations from Scrapy's defaults, plus ARCHIVE_*."""

from __future__ import annotations

import os

BOT_NAME = "sputnik-archiver"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

#: Where the archive lives (``-s ARCHIVE_PATH=...``); unset means the environment variable
#: ``ARCHIVE_PATH``, else ``./archive.db``.
ARCHIVE_PATH: str | None = None
#: Whether the run archives what it fetches. ``scrapy crawl`` does; the debugging commands
#: (``scrapy shell``, ``fetch``, ``view``, ``parse``: crawler/commands/) turn it off, so they
#: neither open the archive nor take its lock: no ``crawls`` row, no lock file, no write.
ARCHIVE_ENABLED = True
#: Hosts the user named besides the spider's ``start`` and ``urls``: fetched even when they
#: are loopback or private addresses (docs/politeness.md), and part of the site for the
#: spider. The debugging commands name the host of the URL they are given.
ARCHIVE_ALLOWED_HOSTS: list[str] = []
#: A page where site owners can learn about the crawler and reach its operator: set it (the
#: environment variable ARCHIVE_CONTACT_URL, or -s ARCHIVE_CONTACT_URL=...) before crawling a
#: live site. The User-Agent carries it (crawler/contact.py builds it again from the setting).
ARCHIVE_CONTACT_URL = os.environ.get(
    "ARCHIVE_CONTACT_URL", "https://github.com/sputnik-archiver/sputnik-archiver"
)
USER_AGENT = f"sputnik-archiver/0.1 (+{ARCHIVE_CONTACT_URL})"
ADDONS = {"crawler.contact.ContactUserAgent": 0}

# Politeness and safety (docs/politeness.md).
ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    # First: a password in a URL must not reach the robots.txt request nor any record.
    "crawler.middlewares.credentials.UrlCredentialsMiddleware": 10,
    # Only http(s), and no private address unless the user named the host.
    "crawler.middlewares.safe_addresses.SafeAddressMiddleware": 60,
    # Scrapy's own allows everything when robots.txt is unreachable (RFC 9309: disallow).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robotstxt.RobotsTxtMiddleware": 100,
    # Crawl-delay, Retry-After pauses, no AutoThrottle for named loopback hosts.
    "crawler.middlewares.host_delay.HostDelayMiddleware": 110,
    # Sees 429/503 before Scrapy's RetryMiddleware (550), which keeps the other 5xx.
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    # A body over DOWNLOAD_MAXSIZE once decompressed is an error, not a skipped request.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.decompression.BoundedDecompressionMiddleware": 590,
}
SPIDER_MIDDLEWARES = {
    # Links a page yields to other schemes or private addresses become `refused` rows.
    "crawler.middlewares.safe_links.SafeLinksMiddleware": 950,
}
# Only http(s) can be downloaded at all.
DOWNLOAD_HANDLERS = {"data": None, "file": None, "s3": None, "ftp": None}
AUTOTHROTTLE_ENABLED = True  # loopback hosts the user named are exempt (host_delay.py)
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
#: Longest wait a Retry-After (or the back-off) may impose, in seconds; a site asking more
#: has the request given up and the host left alone until then.
ARCHIVE_RETRY_AFTER_MAX = 600.0
#: Retries of a 429/503 response, apart from RETRY_TIMES.
ARCHIVE_RETRY_AFTER_TIMES = 5
#: First wait when a 429/503 has no Retry-After, doubled at each retry.
ARCHIVE_RETRY_AFTER_BACKOFF = 5.0
#: Longest Crawl-delay honoured, in seconds; a robots.txt asking more refuses the host.
ARCHIVE_CRAWL_DELAY_MAX = 60.0

#: Group commit: a crawl's per-page writes share a transaction for up to this many seconds
#: or ARCHIVE_COMMIT_SIZE pages (0 or 1: a transaction per page). A crash then loses at most
#: that much work, which the next run fetches again from the frontier.
ARCHIVE_COMMIT_INTERVAL = 1.0
ARCHIVE_COMMIT_SIZE = 100
#: Seconds a storage fault (disk full, the archive's write lock held by another process, an
#: I/O error) is waited out, the writes held being made again once it passes, before the
#: crawl gives up: it then stops at once, exits with status 1 and says why (docs/cron.md).
ARCHIVE_WRITE_PATIENCE = 60.0
#: Megabytes of pages the crawl may hold for its writer process before it waits for it (a
#: writer held up by a storage fault then slows the crawl down instead of filling its memory).
ARCHIVE_WRITER_BACKLOG_MB = 8.0
#: Make those writes in a process of their own (archive/writer.py), beside the crawl on
#: another core: storing is about half of a crawl's CPU. False: in the crawl's process.
ARCHIVE_WRITER_PROCESS = True

CONCURRENT_REQUESTS = 16
#: Outputs of one response processed side by side (Scrapy: 100). Scrapy starts this many
#: asyncio tasks for every response; a page here yields one item and its links, and the
#: pipelines are synchronous, so 100 tasks a page were pure overhead (~10% of a crawl).
CONCURRENT_ITEMS = 8
#: Retries of a 5xx or a network failure (Scrapy: 2). A site having a bad minute is common in
#: months of cron runs; 429/503 with Retry-After are retried apart (ARCHIVE_RETRY_AFTER_TIMES).
RETRY_TIMES = 3
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_TIMEOUT = 30
#: Bodies larger than this (after decompression) are refused.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# Breadth-first: pages found close to the start are archived before their "Lire aussi" chains.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
#: `scrapy crawl` keeps waiting requests beyond ARCHIVE_MEMORY_QUEUE_SIZE in disk queues, in
#: a JOBDIR of the run's own that is removed afterwards (crawler/commands/crawl.py): memory
#: stays flat however many URLs the sitemaps list.
ARCHIVE_DISK_QUEUE = True
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
#: Up to ARCHIVE_MEMORY_QUEUE_SIZE waiting requests stay in memory, the rest go to the disk
#: queues (crawler/scheduler.py): a crawl that keeps up with what it finds never touches
#: the disk, a first crawl of 100,000 sitemap URLs holds 1,000 of them in memory.
SCHEDULER = "crawler.scheduler.SpillingScheduler"
ARCHIVE_MEMORY_QUEUE_SIZE = 1000

TELNETCONSOLE_ENABLED = False
#: Scrapy 2.19 starts, by default, an HTTP server on localhost that runs the Python code
#: POSTed to it (token in a job file under the user's profile). A cron job on a shared
#: server needs no such door.
REMOTE_CONTROL_ENABLED = False
#: Scrapy's check that a callback generator does not return a value reads the callback's
#: source with inspect on almost every response (its cache is keyed by bound methods, which
#: are new each time): ~0.3 ms a page. The spider's callbacks are covered by tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.store.ArchivePipeline": 800,
}
EXTENSIONS = {
    # Before Scrapy logs the overridden settings: no secret in the log.
    "crawler.middlewares.redaction.SecretRedaction": 10,
    # Before anything that writes: a run refused for the lock leaves no trace in the archive.
    "crawler.extensions.lock.ArchiveLock": 50,
    "crawler.extensions.crawl_history.CrawlHistory": 100,
    "crawler.extensions.progress.CrawlProgress": 500,
}

# Running unattended (docs/cron.md): `crawl` exits with a status saying how the run went.
COMMANDS_MODULE = "crawler.commands"
#: Bounds on one run, so a stuck or failing crawl ends (exit status 1) before the next is due
#: (every 6 hours in docs/cron.md).
CLOSESPIDER_TIMEOUT = 5 * 60 * 60
CLOSESPIDER_ERRORCOUNT = 100
#: Seconds between progress lines in the log; 0 for none.
ARCHIVE_PROGRESS_INTERVAL = 60.0
LOGSTATS_INTERVAL = 0  # the progress line says the same and more

#: The page object that extracts an article (import path), built as ``cls(url, body, encoding)``
#: and giving ``to_item()`` and ``extractor_version``, for every site of the crawl; unset: each
#: site's own (``SputnikArticlePage`` for sputnik). The crawl benchmark swaps in
#: ``bench.trafilatura_page.TrafilaturaArticlePage`` with it.
ARCHIVE_PAGE_CLASS: str | None = None
#: Modules imported (by name) when a crawl starts, each registering Sites
#: (``extraction.sites.register``): sites declared outside the package, e.g. a test's replica.
ARCHIVE_SITE_MODULES: list[str] = []

# Incremental runs (crawler/frontier.py): an archived article is fetched again only when due.
#: Revisit schedule by article age: MAX_AGE:INTERVAL steps, then never (archive/revisit.py).
ARCHIVE_REVISIT_SCHEDULE = "1d:1h,7d:1d,30d:7d"
#: "due" (fetch archived articles only when due) or "all" (every one found); -a revisit=...
ARCHIVE_REVISIT = "due"

# Photos (crawler/photos.py, docs/politeness.md): fetched with each new version, under the
# same politeness rules as the pages, each kept once by sha256 (archive/media.py).
#: The name of the machine (or Scrapyd node) this crawl runs on, kept with its ``crawls``
#: row through ``archive merge`` (docs/scaling.md); unset means the environment variable
#: ARCHIVE_NODE, else the host name.
ARCHIVE_NODE: str | None = os.environ.get("ARCHIVE_NODE") or None

#: "main" (the main photo), "all" (also the images of the article body) or "none".
ARCHIVE_IMAGES = "main"
#: Largest photo kept, in bytes (the photo requests' download_maxsize): 5 MiB.
ARCHIVE_IMAGE_MAX_BYTES = 5 * 1024 * 1024
