"""Names as a reader types them: tags, rubriques and authors matched whatever their case,
accents, hyphens, spaces and apostrophes, and the closest names suggested when none match.

``fold_name("États-Unis") == fold_name("etats unis") == "etats unis"``. The archive's
connections know it as the SQL function ``archive_fold(text)``, which the article filters
(:mod:`archive.filters`) compare with.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

#: Letters that Unicode does not decompose but a reader types as two.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})

#: Runs of what separates words in a name: spaces, hyphens and dashes, apostrophes, dots,
#: underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_'\u2019\u02bc.]+")

#: How many close names a suggestion lists at most, and how close they must be
#: (:func:`difflib.get_close_matches` ratio).
SUGGESTIONS = 3
CUTOFF = 0.6


@lru_cache(maxsize=65536)
def fold_name(name: str | None) -> str | None:
    """``name`` casefolded, without accents, ligatures spelt out, every run of spaces,
    hyphens or apostrophes made one space; ``None`` stays ``None``."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(name).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LIGATURES)
    return _SEPARATORS.sub(" ", plain).strip()


def closest_names(value: str, names: Iterable[str]) -> list[str]:
    """The names nearest to ``value`` once folded, nearest first (at most
    :data:`SUGGESTIONS`)."""
    by_fold: dict[str, str] = {}
    for name in sorted(names):
        folded = fold_name(name)
        if folded:
            by_fold.setdefault(folded, name)
    close = difflib.get_close_matches(
        fold_name(value) or "", list(by_fold), n=SUGGESTIONS, cutoff=CUTOFF
    )
    return [by_fold[folded] for folded in close]


def unknown_name_message(what: str, value: str, names: Iterable[str]) -> str | None:
    """``None`` when ``value`` folds as one of ``names``; else what a reader is told, e.g.
    ``no tag "etats-unsi"; closest: États-Unis, États baltes``."""
    names = list(names)
    folded = fold_name(value)
    if any(fold_name(name) == folded for name in names):
        return None
    close = closest_names(value, names)
    return f'no {what} "{value}"' + (f"; closest: {', '.join(close)}" if close else "")
