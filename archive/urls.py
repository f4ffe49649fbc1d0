"""URL keys: the form of a URL under which the archive matches articles and links.

Two URLs that differ only by a fragment, by tracking parameters, by the case of the scheme or
host, by the order of query parameters or by percent-encoding have the same key.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only say where a reader came from; they never select content.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "at_medium",
        "at_campaign",
        "xtor",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)


def is_tracking_parameter(name: str) -> bool:
    """True for a query parameter name that only tracks the reader (``utm_source``, ``fbclid``)."""
    lowered = unquote(name).strip().lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking(query: str) -> str:
    """The query string without its tracking parameters, other pieces kept byte for byte."""
    pieces = [piece for piece in query.split("&") if piece]
    kept = [piece for piece in pieces if not is_tracking_parameter(piece.split("=", 1)[0])]
    return "&".join(kept)


@lru_cache(maxsize=65536)  # a page's URLs are keyed several times while it is stored
def canonical_key(url: str) -> str:
    """The key of ``url``: no fragment, no tracking parameters, lower-case scheme and host,
    then :func:`w3lib.url.canonicalize_url` (sorted query, normalised percent-encoding).

    The path keeps its case and its trailing slash: on news sites both can matter.
    """
    parts = urlsplit(url.strip())
    cleaned = urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, strip_tracking(parts.query), "")
    )
    return canonicalize_url(cleaned)
