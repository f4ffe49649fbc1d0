"""The CSS of a replayed page made unable to load anything (see :mod:`archive.webview`).

A stored page's ``<style>`` elements and ``style`` attributes can name other addresses:
``url(...)`` in any property (``background``, ``cursor``, ``@font-face``'s ``src``...),
``@import``, and the strings of ``image-set()`` and ``image()``. :func:`safe_css` reads the
text with tinycss2, which decodes CSS escapes the way a browser does (``\\75 rl(`` *is*
``url(``), and writes it back with every such reference either rewritten by the caller
(to the archive's own copy, or a ``data:`` image) or replaced by ``none``. Nothing else of
the text changes but its comments (and the ``<!--``/``-->`` of old pages), which go.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import tinycss2
from tinycss2.serializer import serialize_url

#: Functions whose arguments name an image by a plain string, which a browser loads.
_STRING_URL_FUNCTIONS = frozenset(
    {
        "image-set",
        "-webkit-image-set",
        "image",
        "-webkit-image",
        "cross-fade",
        "-webkit-cross-fade",
        "element",
        "-moz-element",
    }
)
#: Functions whose single argument is an address.
_URL_FUNCTIONS = frozenset({"url", "src"})
#: Markup openers of HTML: in a ``<style>`` inside ``<svg>`` or ``<math>`` a browser reads
#: its text as markup, so none of them may appear there, even inside a CSS string.
_MARKUP_OPENER = re.compile(r"<(?=[A-Za-z/!?])")

#: ``resolve(url)``: the address to keep in place of ``url`` (as written in the CSS,
#: escapes decoded), or ``None`` to blank it.
Resolver = Callable[[str], "str | None"]


def safe_css(text: str, resolve: Resolver, *, in_element: bool = False) -> str:
    """``text`` (a style sheet, or a ``style`` attribute's declarations) with every address
    that ``resolve`` does not keep replaced by ``none`` and every ``@import`` removed.
    Addresses that are only a fragment (``url(#gradient)``, inside the page) stay.
    ``in_element``: the text goes in a ``<style>`` element, so ``<`` before a letter, ``/``,
    ``!`` or ``?`` is written as the CSS escape ``\\3c``.

    The result is read again and must come out unchanged; if not (a text this function
    does not understand), it is dropped whole: an empty string."""
    cleaned = _serialize(text, resolve, in_element)
    if _serialize(cleaned, _keep_all, in_element) != cleaned:
        return ""
    return cleaned


def css_urls(text: str) -> list[str]:
    """Every address ``text`` names in ``url()`` or ``src()`` (escapes decoded), in order,
    fragments left out: those :func:`safe_css` asks its ``resolve`` about."""
    found: list[str] = []

    def record(url: str) -> None:
        found.append(url)

    _serialize(text, record, False)
    return found


def _keep_all(url: str) -> str:
    return url


def _serialize(text: str, resolve: Callable[[str], str | None], in_element: bool) -> str:
    nodes = tinycss2.parse_component_value_list(text, skip_comments=True)
    css: str = tinycss2.serialize(_clean(nodes, resolve))
    if in_element:
        css = _MARKUP_OPENER.sub(r"\\3c ", css)
    return css


def _clean(nodes: list[Any], resolve: Callable[[str], str | None]) -> list[Any]:
    out: list[Any] = []
    skipping = naming = False
    for node in nodes:
        kind = node.type
        ends_rule = (kind == "literal" and node.value == ";") or kind == "{} block"
        if skipping:  # the rest of an @import rule, up to its ";"
            skipping = not ends_rule
            continue
        if naming:  # in an @namespace rule, url() names a namespace and loads nothing
            naming = not ends_rule
            if kind == "url" or (kind == "function" and node.lower_name == "url"):
                out.append(node)
                continue
        if kind == "at-keyword" and node.lower_value == "import":
            skipping = True
        elif kind == "at-keyword" and node.lower_value == "namespace":
            naming = True
            out.append(node)
        elif kind == "literal" and node.value in ("<!--", "-->"):
            continue  # the HTML comment of old pages around their CSS: ignored by CSS
        elif kind == "url":
            out.append(_address(node, node.value, resolve))
        elif kind == "function" and node.lower_name in _URL_FUNCTIONS:
            strings = [arg for arg in node.arguments if arg.type not in ("whitespace", "comment")]
            if len(strings) == 1 and strings[0].type == "string":
                out.append(_address(node, strings[0].value, resolve))
            else:
                out.append(_none(node))
        elif _blanked(node):
            out.append(_none(node))
        else:
            if kind == "function":
                node.arguments = _clean(node.arguments, resolve)
            elif kind in ("{} block", "() block", "[] block"):
                node.content = _clean(node.content, resolve)
            out.append(node)
    return out


def _blanked(node: Any) -> bool:
    """A function naming images by strings, an ``attr()`` that reads an attribute as
    something else than text (an address, perhaps), or a broken url() or string."""
    if node.type == "function" and node.lower_name == "attr":
        return [arg.type for arg in node.arguments if arg.type != "whitespace"] != ["ident"]
    if node.type == "function":
        return bool(node.lower_name in _STRING_URL_FUNCTIONS)
    return bool(node.type == "error" and node.kind in ("bad-url", "bad-string"))


def _address(node: Any, url: str, resolve: Callable[[str], str | None]) -> Any:
    kept = url if url.strip().startswith("#") else resolve(url)
    if kept is None:
        return _none(node)
    return tinycss2.ast.URLToken(
        node.source_line, node.source_column, kept, f"url({serialize_url(kept)})"
    )


def _none(node: Any) -> Any:
    return tinycss2.ast.IdentToken(node.source_line, node.source_column, "none")
