"""French text from templates: slot filling, contractions, typography, slugs.

Everything here is pure and driven by the ``random.Random`` it is given, so an article's text
depends only on the RNG's seed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence

from . import vocab

NBSP = "\u00a0"

_SLOT = re.compile(r"\{(\^?)(\w+)\}")
_VOWEL = "aeiouyàâéèêîôœAEIOUYÀÂÉÈÊÎÔŒ"
_CONTRACTION = re.compile(
    r"\b(?:([Dd]e|à) (les?)\b|([Dd]e|[Qq]ue|[Jj]usque|[Ll]orsque|[Pp]uisque) (?=[" + _VOWEL + "]))"
)
_MERGED = {
    ("de", "le"): "du",
    ("de", "les"): "des",
    ("De", "le"): "Du",
    ("De", "les"): "Des",
    ("à", "le"): "au",
    ("à", "les"): "aux",
}
_TYPO = (
    ("'", "’"),
    ("« ", "«" + NBSP),
    (" »", NBSP + "»"),
    (" :", NBSP + ":"),
    (" ;", NBSP + ";"),
    (" !", NBSP + "!"),
    (" ?", NBSP + "?"),
)
_STOPWORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "qu", "que"}
    | {"s", "un", "une", "sur", "pour", "par", "dans", "avec", "ce", "ces", "son", "sa", "ses"}
    | {"se", "est", "ne", "pas", "plus", "il", "elle", "on", "y", "à"}
)


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def contract(text: str) -> str:
    """French contractions the templates cannot know in advance: de le -> du, de Iran -> d'Iran."""
    return _CONTRACTION.sub(_contracted, text)


def _contracted(match: re.Match[str]) -> str:
    if match.group(1):
        return _MERGED[match.group(1), match.group(2)]
    return match.group(3)[:-1] + "'"


def typo(text: str) -> str:
    """Typographic apostrophes and non-breaking spaces inside « » and before : ; ! ?"""
    for plain, fancy in _TYPO:
        text = text.replace(plain, fancy)
    return text


def format_int(n: int) -> str:
    """12345 -> "12 345" with a non-breaking space, as French typography wants."""
    return f"{n:,}".replace(",", NBSP)


def slugify(title: str, max_words: int = 7, stopwords: bool = False) -> str:
    """A Sputnik-like URL slug: ascii, lower case, a few words, stop words dropped unless kept."""
    spaced = title.replace("’", " ").replace("'", " ")
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    kept = words if stopwords else [w for w in words if w not in _STOPWORDS] or words
    return "-".join(kept[:max_words]) or "article"


class Writer:
    """Expands templates for one article: fixed context slots, other slots drawn from pools.

    Pool values are drawn without repetition inside one article while the pool lasts, so an
    article does not quote the same fact twice.
    """

    def __init__(self, rng: random.Random, rubrique: str, context: Mapping[str, str]) -> None:
        self.rng = rng
        self.pools = vocab.BY_RUBRIQUE[rubrique]
        self.context = dict(context)
        self._left: dict[str, list[str]] = {}

    def expand(self, template: str) -> str:
        return _SLOT.sub(self._fill, template)

    def sentence(self, template: str) -> str:
        """A finished sentence: slots filled, contractions made, French typography applied."""
        return typo(contract(self.expand(template)))

    def draw(self, name: str) -> str:
        left = self._left.get(name)
        if not left:
            pool = self.pools.get(name) or vocab.SHARED[name]
            left = self._left[name] = list(pool)
        return left.pop(self.rng.randrange(len(left)))

    def _fill(self, match: re.Match[str]) -> str:
        cap, name = match.groups()
        value = self._value(name)
        return capfirst(value) if cap else value

    def _value(self, name: str) -> str:
        if name in self.context:
            return self.context[name]
        rng = self.rng
        if name == "n":
            return format_int(rng.choice((rng.randint(120, 990), rng.randint(1_000, 95_000))))
        if name == "n_petit":
            return str(rng.randint(2, 12))
        if name == "pct":
            whole = rng.randint(2, 68)
            return (
                (f"{whole},{rng.randint(1, 9)}" if rng.random() < 0.4 else str(whole)) + NBSP + "%"
            )
        return self.expand(self.draw(name))


def pick_distinct(rng: random.Random, items: Sequence[str], k: int) -> list[str]:
    return rng.sample(list(items), min(k, len(items)))


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    """Word ``size``-shingles of a text (words: runs of letters and digits, lower case)."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[k : k + size]) for k in range(max(1, len(words) - size + 1))}


def jaccard(one: str, other: str, size: int = 5) -> float:
    """Jaccard similarity of the word shingles of two texts."""
    a, b = shingles(one, size), shingles(other, size)
    return len(a & b) / len(a | b) if a or b else 1.0
