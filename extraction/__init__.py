"""Pure extraction: a fetched page (URL and bytes) to an ``Article``, and its cleaning.

The bottom layer: it imports neither Scrapy, Twisted, ``crawler`` nor ``archive``
(``tests/test_layering.py``), so the crawl, ``archive reparse`` and ``archive extract`` read a
page alike.
"""
