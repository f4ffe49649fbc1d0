"""Decompression capped at DOWNLOAD_MAXSIZE, an over-size body being an error, not a skip.

Scrapy (2.11.1 and later) already stops inflating a compressed body once it passes
``DOWNLOAD_MAXSIZE`` (a gzip bomb never fills the memory), but reports it as
``IgnoreRequest``, which the spider records as ``skipped``: something we chose not to
fetch. The page was fetched and was too big, like one whose ``Content-Length`` is over the
cap (which Scrapy's download handler cancels as an error), so both end as ``error`` rows.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response


class ResponseTooLarge(Exception):
    """A response body over ``DOWNLOAD_MAXSIZE`` once decompressed."""


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, raising :class:`ResponseTooLarge` over the cap."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # raised there only for a body over the size cap
            raise ResponseTooLarge(str(exc)) from exc
