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


#: Query parameters that ask for the AMP (Accelerated Mobile Pages) rendering of a page:
#: ``?amp``, ``?amp=1``, ``?outputType=amp``. Dropped by :func:`lookup_keys`.
AMP_PARAMETERS: frozenset[str] = frozenset({"amp", "outputtype"})

_AMP_SEGMENT = "amp"
_AMP_SUFFIX = ".amp"


def _without_amp_parameters(query: str) -> str:
    kept = []
    for piece in query.split("&"):
        name, _, value = piece.partition("=")
        lowered = unquote(name).strip().lower()
        if lowered == "amp" or (lowered == "outputtype" and value.lower() == "amp"):
            continue
        if piece:
            kept.append(piece)
    return "&".join(kept)


def _without_amp_path(path: str) -> str:
    """``path`` without an ``/amp`` segment (``/amp/2024/a``, ``/a/amp/``) or ``.amp``
    suffix (``/a.amp``, ``/a.amp.html``)."""
    segments = path.split("/")
    if _AMP_SEGMENT in segments[1:]:
        index = segments.index(_AMP_SEGMENT, 1)
        segments = segments[:index] + segments[index + 1 :]
        path = "/".join(segments) or "/"
    last = path.rsplit("/", 1)
    if last[-1].endswith(_AMP_SUFFIX):
        path = path[: -len(_AMP_SUFFIX)]
    elif last[-1].endswith(_AMP_SUFFIX + ".html"):
        path = path[: -len(_AMP_SUFFIX + ".html")] + ".html"
    return path


def _hosts(netloc: str) -> list[str]:
    """``netloc`` with and without ``www.``, and without an ``amp.`` prefix."""
    bare = netloc
    for prefix in ("amp.", "www."):
        if bare.startswith(prefix) and bare.count(".") > 1:
            bare = bare[len(prefix) :]
    hosts = [netloc, bare]
    if bare.count(".") == 1:  # www.example.fr, not www.fr.example.com
        hosts.append("www." + bare)
    return list(dict.fromkeys(hosts))


def _paths(path: str) -> list[str]:
    """``path`` with and without its AMP marks, each with and without a trailing slash."""
    paths: list[str] = []
    for candidate in dict.fromkeys([path or "/", _without_amp_path(path or "/")]):
        paths.append(candidate)
        if candidate != "/":
            toggled = candidate[:-1] if candidate.endswith("/") else candidate + "/"
            paths.append(toggled)
    return list(dict.fromkeys(paths))


def lookup_keys(url: str) -> list[str]:
    """The URL keys a reader may mean by ``url``, its own key first.

    Besides :func:`canonical_key`'s folding (fragment, tracking parameters, case of scheme
    and host, order of parameters, percent-encoding), these differ by: ``http`` or
    ``https``; a trailing slash or not; ``www.`` or not; the AMP marks of the page (an
    ``amp.`` host, an ``/amp`` path segment, a ``.amp`` suffix, ``?amp``,
    ``?outputType=amp``) or not. A URL typed without its scheme (``example.com/a``) is read
    as ``http`` and ``https``. Several of these keys may lead to different articles: the
    caller decides (:class:`AmbiguousURLError`).
    """
    text = url.strip()
    if "://" not in text and "." in text.split("/", 1)[0]:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return [canonical_key(url)]
    netloc = parts.netloc.lower()
    query = _without_amp_parameters(strip_tracking(parts.query))
    keys = [canonical_key(url)]
    for scheme in ("http", "https") if parts.scheme.lower() == "http" else ("https", "http"):
        for host in _hosts(netloc):
            for path in _paths(parts.path):
                for kept_query in dict.fromkeys([strip_tracking(parts.query), query]):
                    keys.append(canonical_key(urlunsplit((scheme, host, path, kept_query, ""))))
    return list(dict.fromkeys(keys))


class AmbiguousURLError(LookupError):
    """A URL whose looser forms lead to several articles; ``candidates`` holds their
    ``(id, url)``, by id."""

    def __init__(self, url: str, candidates: list[tuple[int, str]]) -> None:
        listed = ", ".join(f"{article_id} ({key})" for article_id, key in candidates)
        super().__init__(f"{url} may mean several articles: {listed}; give the id or the exact URL")
        self.candidates = candidates
