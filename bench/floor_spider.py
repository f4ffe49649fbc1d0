"""The floor: a plain Scrapy spider that fetches and follows the same pages as ``sputnik``.

It discovers from the same home page, rubriques, sitemaps and feed, follows the same article
links and their "Lire aussi" links one hop, and does nothing else with the pages: no
extraction, no cleaning, no storage.

    scrapy runspider bench/floor_spider.py -a start=URL
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response
from scrapy.utils.sitemap import Sitemap

from extraction import sites

# The same site declaration as the archiver's spider: both fetch the same pages.
SITE = sites.named("sputnik")
ARTICLE_PATH = SITE.article_path
RUBRIQUE_PATH = SITE.listing_path


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, start: str, related_depth: str = "1", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = start
        self.related_depth = int(related_depth)
        self.allowed_domains = [urlsplit(start).hostname or ""]

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.root, self.parse_listing, cb_kwargs={"rubriques": True}, priority=10)
        # The sitemap index robots.txt names (the sputnik spider reads it there too).
        index = urljoin(self.root, SITE.sitemaps[0])
        yield Request(index, self.parse_sitemap, priority=10)
        yield Request(urljoin(self.root, SITE.feeds[0]), self.parse_feed, priority=10)

    def parse_listing(self, response: Response, rubriques: bool = False) -> Iterator[Request]:
        for href in dict.fromkeys(response.css("a::attr(href)").getall()):
            url = response.urljoin(href)
            path = urlsplit(url).path
            if ARTICLE_PATH.match(path):
                yield Request(url, self.parse_article)
            elif rubriques and RUBRIQUE_PATH.match(path):
                yield Request(url, self.parse_listing, priority=10)
        for href in response.css('a[rel~="next"]::attr(href)').getall():
            yield Request(response.urljoin(href), self.parse_listing, priority=10)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield Request(entry["loc"], self.parse_sitemap, priority=10)
            elif ARTICLE_PATH.match(urlsplit(entry["loc"]).path):
                yield Request(entry["loc"], self.parse_article)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        response.selector.remove_namespaces()
        for link in response.xpath("//item/link/text()").getall():
            yield Request(response.urljoin(link.strip()), self.parse_article)

    def parse_article(self, response: Response, hop: int = 0) -> Iterator[Request]:
        if hop >= self.related_depth:
            return
        # The same "Lire aussi" links the archiver follows: anchors in the blocks after the marker.
        for href in response.xpath(
            '//*[contains(normalize-space(.), "Lire aussi")]//a/@href'
        ).getall():
            url = response.urljoin(href)
            if ARTICLE_PATH.match(urlsplit(url).path):
                yield Request(url, self.parse_article, cb_kwargs={"hop": hop + 1})
